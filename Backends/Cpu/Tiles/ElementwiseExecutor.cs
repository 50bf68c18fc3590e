using System.Runtime.CompilerServices;
using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.Cpu.Tiles;

/// <summary>Runs one kernel of a lowered program on the buffers of a call.</summary>
internal abstract class KernelExecutor
{
    /// <summary>Runs the kernel; <paramref name="buffers"/> holds every buffer of the program by id.</summary>
    public abstract void Run(BufferRef[] buffers);

    /// <summary>How many of the kernel's instruction bodies run as compiled register loops (Note [register kernels]).</summary>
    public virtual int RegisterLoops => 0;
}

/// <summary>
/// Runs an <see cref="ElementwiseKernel"/> over tiles of its domain (Note [fixed partition]). A
/// kernel with reductions is first reordered so the kept axes come first and the reduced axes
/// last; each output element then reduces one contiguous range of the reordered domain: a tile
/// holds whole ranges when they are short, and a long range is split into tile-sized chunks whose
/// partial results are combined in chunk order.
/// </summary>
internal sealed class ElementwiseExecutor : KernelExecutor
{
    private sealed record Input(int Buffer, Strided Map, bool Dense, int Lane, int Size);
    private sealed record Output(int Buffer, Strided Map, bool Dense, int Slot, bool Direct, int Size);
    private sealed record Reduce(int Buffer, ReduceKind Kind, DType DType, int Slot, int Size);

    private readonly TileProgram _program;
    private readonly Input[] _inputs;
    private readonly Output[] _outputs;
    private readonly Reduce[] _reductions;
    private readonly long _kept, _reduced;
    private readonly int _maxThreads;

    public ElementwiseExecutor(ElementwiseKernel k, IReadOnlyList<BufferInfo> buffers, CpuOptions options)
    {
        _maxThreads = options.MaxThreads;
        int rank = k.Domain.Rank;
        var reduced = k.ReduceAxes.ToHashSet();
        var order = Enumerable.Range(0, rank).Where(a => !reduced.Contains(a)).Concat(k.ReduceAxes).ToArray();
        var dims = order.Select(a => (long)k.Domain[a]).ToArray();
        _kept = order.Take(rank - reduced.Count).Aggregate(1L, (p, a) => p * k.Domain[a]);
        _reduced = k.ReduceAxes.Aggregate(1L, (p, a) => p * k.Domain[a]);

        int lanes = 0;
        _inputs = k.Inputs.Select(i =>
        {
            int size = buffers[i.Buffer].Type.DType.SizeInBytes();
            var map = i.Map.Permute(order);
            var s = new Strided(map.Offset, map.Strides, dims, size);
            return new Input(i.Buffer, s, s.IsDense, s.IsDense ? -1 : lanes++, size);
        }).ToArray();
        _program = new TileProgram(k.Inputs.Select(i => buffers[i.Buffer].Type.DType).ToList(), null, k.Instructions,
            k.Outputs.Select(o => o.Source).Concat(k.Reductions.Select(r => r.Source)), lanes, options.RegisterKernels, options.ContractFloat);

        var direct = new HashSet<int>();
        _outputs = k.Outputs.Select(o =>
        {
            int size = buffers[o.Buffer].Type.DType.SizeInBytes();
            var map = IndexMap.RowMajor(k.Domain).Permute(order);
            var s = new Strided(0, map.Strides, dims, size);
            bool isDirect = s.IsDense && o.Source.Kind == OperandKind.Value && direct.Add(o.Source.Index);
            return new Output(o.Buffer, s, s.IsDense, _program.SlotOf(o.Source), isDirect, size);
        }).ToArray();
        _reductions = k.Reductions.Select(r => new Reduce(r.Buffer, r.Kind, buffers[r.Buffer].Type.DType,
            _program.SlotOf(r.Source), buffers[r.Buffer].Type.DType.SizeInBytes())).ToArray();
    }

    /// <inheritdoc />
    public override int RegisterLoops => _program.IsRegisterKernel ? 1 : 0;

    private sealed class Worker
    {
        public required byte[] Scratch;
        public required BufferRef[] Slots;
    }

    private Worker NewWorker()
    {
        var w = new Worker { Scratch = ScratchPool.Rent(_program.ScratchBytes), Slots = new BufferRef[_program.SlotCount] };
        _program.InitWorker(w.Scratch, w.Slots, TileProgram.TileElements);
        for (int k = 0; k < _inputs.Length; k++)
            if (!_inputs[k].Dense) w.Slots[k] = TileProgram.Lane(w.Scratch, _inputs[k].Lane);
        return w;
    }

    private static void Release(Worker w) => ScratchPool.Return(w.Scratch);

    public override void Run(BufferRef[] buffers)
    {
        long total = _kept * _reduced;
        if (_reductions.Length == 0 || _reduced == 1)
        {
            // No reduction, or reductions over nothing: each element stands alone.
            int tiles = (int)((total + TileProgram.TileElements - 1) / TileProgram.TileElements);
            CpuParallel.For(tiles, total >= CpuParallel.ParallelThreshold, _maxThreads, NewWorker, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t, w) =>
            {
                long start = (long)t * TileProgram.TileElements;
                int n = (int)Math.Min(TileProgram.TileElements, total - start);
                RunTile(buffers, w, start, n);
                foreach (var r in _reductions)
                    w.Slots[r.Slot].Bytes(0, n, r.Size).CopyTo(buffers[r.Buffer].Bytes(start, n, r.Size));
            }, Release);
            return;
        }
        if (_reduced == 0)
        {
            foreach (var r in _reductions)
                for (long i = 0; i < _kept; i++) SpanReductions.StoreIdentity(r.Kind, r.DType, buffers[r.Buffer].Bytes(i, 1, r.Size));
            return;
        }
        if (_reduced <= TileProgram.TileElements) RunShortRows(buffers, total);
        else RunLongRows(buffers, total);
    }

    /// <summary>Each tile holds whole rows (output elements); each row reduces within the tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Note [optimized from the first call] (VectorMath.cs)
    private void RunShortRows(BufferRef[] buffers, long total)
    {
        int rowLength = (int)_reduced;
        int rowsPerTile = TileProgram.TileElements / rowLength;
        int tiles = (int)((_kept + rowsPerTile - 1) / rowsPerTile);
        CpuParallel.For(tiles, total >= CpuParallel.ParallelThreshold, _maxThreads, NewWorker, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t, w) =>
        {
            long row0 = (long)t * rowsPerTile;
            int rows = (int)Math.Min(rowsPerTile, _kept - row0);
            RunTile(buffers, w, row0 * rowLength, rows * rowLength);
            foreach (var r in _reductions)
            {
                var src = w.Slots[r.Slot];
                var dst = buffers[r.Buffer];
                for (int i = 0; i < rows; i++)
                    SpanReductions.Reduce(r.Kind, r.DType, src.Bytes((long)i * rowLength, rowLength, r.Size), rowLength,
                        dst.Bytes(row0 + i, 1, r.Size));
            }
        }, Release);
    }

    /// <summary>Rows longer than a tile: chunk partials in a side array, combined per row in chunk order.</summary>
    private void RunLongRows(BufferRef[] buffers, long total)
    {
        int chunks = (int)((_reduced + TileProgram.TileElements - 1) / TileProgram.TileElements);
        long items = _kept * chunks;
        var partials = _reductions.Select(r => new BufferRef(new byte[items * r.Size], 0, (int)items)).ToArray();
        CpuParallel.For((int)items, total >= CpuParallel.ParallelThreshold, _maxThreads, NewWorker, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (item, w) =>
        {
            long row = item / chunks;
            int chunk = item % chunks;
            long offset = (long)chunk * TileProgram.TileElements;
            int n = (int)Math.Min(TileProgram.TileElements, _reduced - offset);
            RunTile(buffers, w, row * _reduced + offset, n);
            for (int j = 0; j < _reductions.Length; j++)
            {
                var r = _reductions[j];
                SpanReductions.Reduce(r.Kind, r.DType, w.Slots[r.Slot].Bytes(0, n, r.Size), n, partials[j].Bytes(item, 1, r.Size));
            }
        }, Release);
        for (int j = 0; j < _reductions.Length; j++)
        {
            var r = _reductions[j];
            var dst = buffers[r.Buffer];
            for (long row = 0; row < _kept; row++)
            {
                var acc = dst.Bytes(row, 1, r.Size);
                partials[j].Bytes(row * chunks, 1, r.Size).CopyTo(acc);
                for (int c = 1; c < chunks; c++)
                    SpanReductions.Combine(r.Kind, r.DType, acc, partials[j].Bytes(row * chunks + c, 1, r.Size));
            }
        }
    }

    /// <summary>Loads the inputs of domain indices <c>[start, start + n)</c>, runs the instructions, writes the outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Note [optimized from the first call] (VectorMath.cs)
    private void RunTile(BufferRef[] buffers, Worker w, long start, int n)
    {
        var slots = w.Slots;
        for (int k = 0; k < _inputs.Length; k++)
        {
            var input = _inputs[k];
            if (input.Dense) slots[k] = buffers[input.Buffer].Slice(input.Map.DenseStart(start), n, input.Size);
            else input.Map.Gather(buffers[input.Buffer], start, n, slots[k]);
        }
        foreach (var o in _outputs)
            if (o.Direct) slots[o.Slot] = buffers[o.Buffer].Slice(start, n, o.Size);
        _program.Run(slots, n);
        foreach (var o in _outputs)
        {
            if (o.Direct) continue;
            if (o.Dense) slots[o.Slot].Bytes(0, n, o.Size).CopyTo(buffers[o.Buffer].Bytes(start, n, o.Size));
            else o.Map.Scatter(buffers[o.Buffer], start, n, slots[o.Slot]);
        }
    }
}

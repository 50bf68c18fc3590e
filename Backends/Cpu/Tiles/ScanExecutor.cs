using System.Runtime.CompilerServices;
using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;

namespace ArrayLang.Backends.Cpu.Tiles;

/// <summary>
/// Runs a <see cref="ScanKernel"/> with the time loop inside (Note [scan lanes]): the lanes are
/// split into fixed tiles of <see cref="LanesPerTile"/>; a tile keeps its carries in scratch lanes
/// for all steps, reading each step's xs and writing its ys in place, so there is no dispatch per
/// step per operation. Uniform (scalar) operands are the same in every lane; uniform results are
/// written by tile 0.
/// </summary>
/// <remarks>
/// Note [time blocks]: after vmap, xs usually reach the scan transposed (a lane's steps are
/// contiguous, consecutive lanes far apart), so one step of a tile touches one cache line per lane.
/// Such an xs operand is loaded <see cref="TimeBlock"/> steps at a time: each lane's run of steps
/// is read contiguously into a step-major block, and the following steps read their lanes densely.
/// Symmetrically, stacked ys that lowering writes straight into a lane-major result (Note [scan
/// results through views]) are collected <see cref="TimeBlock"/> steps at a time in a step-major
/// block, then each lane's run of steps is written contiguously.
/// </remarks>
internal sealed class ScanExecutor : KernelExecutor
{
    /// <summary>
    /// The most lanes in a tile when xs must be gathered into time blocks (the blocks, 16 steps of
    /// every lane, stay in L2).
    /// </summary>
    public const int BlockedLanesPerTile = 2048;

    /// <summary>
    /// Lanes per tile for <paramref name="lanes"/> lanes: an eighth of them (so two cores get
    /// balanced work whatever the count; the boundaries depend on the shape only, Note [fixed
    /// partition]), a multiple of 64, at most <paramref name="max"/>. Large tiles amortize each
    /// step's fixed cost: W5 (65,536 lanes) ran in 33 ms with tiles of 2048 lanes and 25 ms with 8192.
    /// </summary>
    public static int LanesPerTile(long lanes, int max) => (int)Math.Clamp((lanes + 8 * 64 - 1) / (8 * 64) * 64, 64, max);

    /// <summary>Steps of a strided xs operand loaded at once (Note [time blocks]).</summary>
    public const int TimeBlock = 16;

    private readonly ScanKernel _k;
    private readonly TileProgram _program;
    private readonly int[] _size;
    private readonly DType[] _dtype;
    private readonly int[] _resultSlot;
    private readonly Strided[] _laneMaps;
    private readonly long[] _timeStride;
    private readonly int[] _blocked;
    private readonly int[] _blockOf;
    private readonly bool[] _dense;
    private readonly Strided[] _resultMaps;
    private readonly long[] _resultTimeStride;
    private readonly int[] _blockedResults;
    private readonly int[] _resultBlockOf;
    private readonly bool[] _resultDense;
    private readonly long _lanes;
    private readonly int _consts, _carries, _maxThreads;
    private readonly bool[] _directCarry;
    private readonly int _tileLanes;

    /// <inheritdoc />
    public override int RegisterLoops => _program.IsRegisterKernel ? 1 : 0;

    public ScanExecutor(ScanKernel k, IReadOnlyList<BufferInfo> buffers, CpuOptions options)
    {
        _k = k;
        _maxThreads = options.MaxThreads;
        _lanes = k.LaneShape.ElementCount;
        _consts = k.Params.Consts;
        _carries = k.Params.Carries;
        _dtype = k.Operands.Select(o => buffers[o.Buffer].Type.DType).ToArray();
        _size = _dtype.Select(d => d.SizeInBytes()).ToArray();
        // Lanes: one per operand (uniform fills and carries), plus a second set for the next carries.
        int reserved = k.Operands.Length + _carries;
        _program = new TileProgram(_dtype, null, k.Instructions, k.BodyResults, reserved, options.RegisterKernels, options.ContractFloat);
        _resultSlot = k.BodyResults.Select(_program.SlotOf).ToArray();
        // A carry whose new value is an instruction's own result is written straight into the next
        // carries' lane (no copy per step); a carry that repeats another's result or an operand is copied.
        _directCarry = Enumerable.Range(0, _carries).Select(j =>
            k.BodyResults[j].Kind == OperandKind.Value
            && Enumerable.Range(0, k.BodyResults.Length).Count(r => _resultSlot[r] == _resultSlot[j]) == 1).ToArray();
        // Each operand's lanes through its map; xs drop their leading time axis into a time stride.
        var laneDims = k.LaneShape.Select(d => (long)d).ToArray();
        int first = _consts + _carries;
        _laneMaps = k.Operands.Select((o, i) => o.Uniform
            ? new Strided(o.Map.Offset, [], [], _size[i])
            : new Strided(o.Map.Offset, i < first ? o.Map.Strides : o.Map.Strides.Skip(1).ToArray(), laneDims, _size[i])).ToArray();
        _timeStride = k.Operands.Select((o, i) => i < first || o.Map.Rank == 0 ? 0L : o.Map.Strides[0]).ToArray();
        _blocked = Enumerable.Range(first, k.Operands.Length - first)
            .Where(i => !k.Operands[i].Uniform && !_laneMaps[i].IsDense).ToArray();
        _blockOf = Enumerable.Range(0, k.Operands.Length).Select(i => Array.IndexOf(_blocked, i)).ToArray();
        _dense = _laneMaps.Select(m => m.IsDense).ToArray();
        // Results through their maps: final carries over the lanes, ys with a leading time axis.
        _resultMaps = k.Results.Select((r, j) =>
        {
            int size = SizeOfResult(j);
            return r.Uniform ? new Strided(r.Map.Offset, [], [], size)
                : new Strided(r.Map.Offset, j < _carries ? r.Map.Strides : r.Map.Strides.Skip(1).ToArray(), laneDims, size);
        }).ToArray();
        _resultTimeStride = k.Results.Select((r, j) => j < _carries || r.Map.Rank == 0 ? 0L : r.Map.Strides[0]).ToArray();
        _resultDense = _resultMaps.Select(m => m.IsDense).ToArray();
        _blockedResults = Enumerable.Range(_carries, k.Results.Length - _carries)
            .Where(j => !k.Results[j].Uniform && !_resultDense[j]).ToArray();
        _resultBlockOf = Enumerable.Range(0, k.Results.Length).Select(j => Array.IndexOf(_blockedResults, j)).ToArray();
        bool blocked = _blocked.Length > 0 || _blockedResults.Length > 0;
        _tileLanes = LanesPerTile(_lanes, blocked ? BlockedLanesPerTile : TileProgram.LaneElements);
    }

    /// <summary>Loads steps <c>[step0, step0 + count)</c> of every blocked xs operand into its step-major block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Note [optimized from the first call] (VectorMath.cs)
    private void FillBlocks(BufferRef[] buffers, Worker w, int step0, int count, int n)
    {
        int length = _k.Params.Length;
        bool reverse = _k.Params.Reverse;
        for (int b = 0; b < _blocked.Length; b++)
        {
            int i = _blocked[b];
            var src = buffers[_k.Operands[i].Buffer];
            long ts = _timeStride[i];
            var offsets = w.LaneOffsets[b];
            var block = BlockOf(w, b, n);
            for (int s = 0; s < count; s++)
            {
                int t = reverse ? length - 1 - (step0 + s) : step0 + s;
                long shift = t * ts;
                switch (_size[i])
                {
                    case 4: Gather<int>(ref block.At<int>((long)s * n), ref src.At<int>(0), offsets, n, shift); break;
                    case 8: Gather<long>(ref block.At<long>((long)s * n), ref src.At<long>(0), offsets, n, shift); break;
                    default: Gather<byte>(ref block.At<byte>((long)s * n), ref src.At<byte>(0), offsets, n, shift); break;
                }
            }
        }
    }

    /// <summary><c>block[l] = x[offsets[l] + shift]</c> for every lane <c>l</c>: one step of every lane, side by side.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gather<T>(ref T block, ref T x, long[] offsets, int n, long shift) where T : unmanaged
    {
        for (int l = 0; l < n; l++)
            System.Runtime.CompilerServices.Unsafe.Add(ref block, l) = System.Runtime.CompilerServices.Unsafe.Add(ref x, (nint)(offsets[l] + shift));
    }

    private BufferRef BlockOf(Worker w, int b, int n) =>
        new(w.Blocks, (long)b * TimeBlock * _tileLanes * 8, TimeBlock * n);

    private BufferRef ResultBlockOf(Worker w, int b, int n) => BlockOf(w, _blocked.Length + b, n);

    /// <summary>Writes steps <c>[step0, step0 + count)</c> of every blocked ys result from its step-major block to each lane's run of steps.</summary>
    private void FlushResultBlocks(BufferRef[] buffers, Worker w, int step0, int count, int n)
    {
        int length = _k.Params.Length;
        bool reverse = _k.Params.Reverse;
        for (int b = 0; b < _blockedResults.Length; b++)
        {
            int j = _blockedResults[b];
            var dst = buffers[_k.Results[j].Buffer];
            long ts = _resultTimeStride[j];
            var offsets = w.ResultOffsets[b];
            var block = ResultBlockOf(w, b, n);
            // t = t0 + s * dt for the block's s-th step.
            long t0 = reverse ? length - 1 - step0 : step0, dt = reverse ? -ts : ts;
            switch (SizeOfResult(j))
            {
                case 4: Transpose<int>(ref block.At<int>(0), ref dst.At<int>(0), offsets, n, count, t0 * ts, dt); break;
                case 8: Transpose<long>(ref block.At<long>(0), ref dst.At<long>(0), offsets, n, count, t0 * ts, dt); break;
                default: Transpose<byte>(ref block.At<byte>(0), ref dst.At<byte>(0), offsets, n, count, t0 * ts, dt); break;
            }
        }
    }

    /// <summary><c>dst[offsets[l] + shift + s * step] = block[s * n + l]</c> for every lane <c>l</c> and step <c>s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Note [optimized from the first call] (VectorMath.cs)
    private static void Transpose<T>(ref T block, ref T dst, long[] offsets, int n, int count, long shift, long step) where T : unmanaged
    {
        for (int l = 0; l < n; l++)
        {
            ref T run = ref System.Runtime.CompilerServices.Unsafe.Add(ref dst, (nint)(offsets[l] + shift));
            for (int s = 0; s < count; s++)
                System.Runtime.CompilerServices.Unsafe.Add(ref run, (nint)(s * step)) = System.Runtime.CompilerServices.Unsafe.Add(ref block, (nint)((long)s * n + l));
        }
    }

    /// <summary>Points slot <paramref name="i"/> at operand <paramref name="i"/>'s lanes (in place when dense, else gathered into <paramref name="lane"/>).</summary>
    private void LoadLanes(BufferRef[] buffers, BufferRef[] slots, int i, long lane0, int n, long shift, BufferRef lane, bool copy)
    {
        var o = _k.Operands[i];
        var map = _laneMaps[i];
        var src = buffers[o.Buffer];
        if (o.Uniform)
        {
            FillFrom(lane, src, map.DenseStart(0) + shift, _dtype[i], n);
            slots[i] = lane;
        }
        else if (_dense[i] && !copy) slots[i] = src.Slice(map.DenseStart(lane0) + shift, n, _size[i]);
        else
        {
            map.Gather(src, lane0, n, lane, shift);
            slots[i] = lane;
        }
    }

    private sealed class Worker
    {
        public required byte[] Scratch;
        public required BufferRef[] Slots;
        public required byte[] Blocks;
        public required long[][] LaneOffsets;
        public required long[][] ResultOffsets;
    }

    public override void Run(BufferRef[] buffers)
    {
        int tiles = (int)Math.Max(1, (_lanes + _tileLanes - 1) / _tileLanes);
        long work = _lanes * Math.Max(1, _k.Params.Length) * Math.Max(1, _k.Instructions.Length);
        CpuParallel.For(tiles, work >= CpuParallel.ParallelThreshold, _maxThreads,
            () =>
            {
                var w = new Worker
                {
                    Scratch = ScratchPool.Rent(_program.ScratchBytes),
                    Slots = new BufferRef[_program.SlotCount],
                    Blocks = new byte[(_blocked.Length + _blockedResults.Length) * TimeBlock * _tileLanes * 8],
                    LaneOffsets = _blocked.Select(_ => new long[_tileLanes]).ToArray(),
                    ResultOffsets = _blockedResults.Select(_ => new long[_tileLanes]).ToArray(),
                };
                _program.InitWorker(w.Scratch, w.Slots, _tileLanes);
                return w;
            },
            (t, w) => RunTile(buffers, w, t),
            w => ScratchPool.Return(w.Scratch));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Note [optimized from the first call] (VectorMath.cs)
    private void RunTile(BufferRef[] buffers, Worker w, int tile)
    {
        var ops = _k.Operands;
        var slots = w.Slots;
        long lane0 = (long)tile * _tileLanes;
        int n = (int)Math.Min(_tileLanes, _lanes - lane0);
        int length = _k.Params.Length;
        var cur = new BufferRef[_carries];
        var next = new BufferRef[_carries];

        // Consts (read in place when dense) and initial carries (always copied: they are updated).
        for (int i = 0; i < _consts + _carries; i++)
        {
            bool isCarry = i >= _consts;
            LoadLanes(buffers, slots, i, lane0, n, 0, TileProgram.Lane(w.Scratch, i), copy: isCarry);
            if (isCarry)
            {
                cur[i - _consts] = slots[i];
                next[i - _consts] = TileProgram.Lane(w.Scratch, ops.Length + i - _consts);
            }
        }

        for (int b = 0; b < _blocked.Length; b++) _laneMaps[_blocked[b]].Offsets(lane0, w.LaneOffsets[b].AsSpan(0, n));
        for (int b = 0; b < _blockedResults.Length; b++) _resultMaps[_blockedResults[b]].Offsets(lane0, w.ResultOffsets[b].AsSpan(0, n));
        for (int step = 0; step < length; step++)
        {
            int t = _k.Params.Reverse ? length - 1 - step : step;
            if (_blocked.Length > 0 && step % TimeBlock == 0) FillBlocks(buffers, w, step, Math.Min(TimeBlock, length - step), n);
            for (int i = _consts + _carries; i < ops.Length; i++)
            {
                int b = _blockOf[i];
                if (b >= 0) slots[i] = BlockOf(w, b, n).Slice((long)(step % TimeBlock) * n, n, _size[i]);
                else LoadLanes(buffers, slots, i, lane0, n, t * _timeStride[i], TileProgram.Lane(w.Scratch, i), copy: false);
            }
            for (int j = 0; j < _carries; j++)
                if (_directCarry[j]) slots[_resultSlot[j]] = next[j];
            _program.Run(slots, n);
            for (int j = 0; j < _carries; j++)
            {
                if (_directCarry[j]) continue;
                int size = _size[_consts + j];
                slots[_resultSlot[j]].Bytes(0, n, size).CopyTo(next[j].Bytes(0, n, size));
            }
            for (int j = _carries; j < _resultSlot.Length; j++)
            {
                var r = _k.Results[j];
                var ys = buffers[r.Buffer];
                int size = SizeOfResult(j);
                long shift = t * _resultTimeStride[j];
                int b = _resultBlockOf[j];
                if (r.Uniform)
                {
                    if (tile == 0) slots[_resultSlot[j]].Bytes(0, 1, size).CopyTo(ys.Bytes(_resultMaps[j].DenseStart(0) + shift, 1, size));
                }
                else if (b >= 0) slots[_resultSlot[j]].Bytes(0, n, size).CopyTo(ResultBlockOf(w, b, n).Bytes((long)(step % TimeBlock) * n, n, size));
                else slots[_resultSlot[j]].Bytes(0, n, size).CopyTo(ys.Bytes(_resultMaps[j].DenseStart(lane0) + shift, n, size));
            }
            if (_blockedResults.Length > 0 && (step % TimeBlock == TimeBlock - 1 || step == length - 1))
                FlushResultBlocks(buffers, w, step - step % TimeBlock, step % TimeBlock + 1, n);
            (cur, next) = (next, cur);
            for (int j = 0; j < _carries; j++) slots[_consts + j] = cur[j];
        }

        for (int j = 0; j < _carries; j++)
        {
            var r = _k.Results[j];
            int size = _size[_consts + j];
            if (r.Uniform)
            {
                if (tile == 0) cur[j].Bytes(0, 1, size).CopyTo(buffers[r.Buffer].Bytes(_resultMaps[j].DenseStart(0), 1, size));
            }
            else _resultMaps[j].Scatter(buffers[r.Buffer], lane0, n, cur[j]);
        }
    }

    private int SizeOfResult(int j) => _program.SlotSize(_resultSlot[j]);

    /// <summary>Fills <paramref name="n"/> elements of <paramref name="lane"/> with element <paramref name="index"/> of <paramref name="src"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Note [optimized from the first call] (VectorMath.cs)
    private static void FillFrom(BufferRef lane, BufferRef src, long index, DType dtype, int n)
    {
        double v = dtype switch
        {
            DType.F32 => src.At<float>(index),
            DType.F64 => src.At<double>(index),
            DType.I32 => src.At<int>(index),
            _ => src.At<byte>(index),
        };
        TileProgram.Fill(lane, dtype, v, Math.Max(n, 1));
    }
}

using System.Buffers;
using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Backends.Cpu.Tiles;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.Cpu.Contraction;

/// <summary>
/// Runs a <see cref="ContractionKernel"/> (Note [canonical contraction]): the product is computed a
/// block of rows at a time into scratch (or straight into the output when nothing follows it),
/// and the epilogue runs on each block while it is still in cache.
/// </summary>
/// <remarks>
/// Note [canonical contraction]: any <c>dot_general</c> is a batch of matrix products
/// <c>C[b] = A[b] B[b]</c> with <c>A: [Bt, M, K]</c>, <c>B: [Bt, K, N]</c> and <c>C: [Bt, M, N]</c>,
/// where <c>Bt</c>, <c>M</c>, <c>N</c> and <c>K</c> flatten the batch, lhs free, rhs free and
/// contracted dimensions in IR.md's order; <c>C</c>'s row-major layout is then exactly the
/// product's. Operands already laid out so (after their index maps) are read in place; others
/// are first gathered into that layout. The row blocks of <c>C</c> are the parallel items.
/// </remarks>
internal sealed class ContractionExecutor : KernelExecutor
{
    private readonly ContractionKernel _k;
    private readonly DType _dtype;
    private readonly int _size, _batch, _m, _n, _kDim, _rowsPerItem, _maxThreads;
    private readonly long[] _lb, _lf, _lc, _rb, _rf, _rc;
    private readonly bool _lhsCanonical, _rhsCanonical;
    private readonly TileProgram _epilogue;
    private readonly (int Buffer, Strided Map, bool Dense, int Size)[] _inputs;
    private readonly (int Buffer, int Slot, bool Direct, int Size)[] _outputs;
    private readonly bool _productOnly;

    /// <inheritdoc />
    public override int RegisterLoops => _epilogue.IsRegisterKernel ? 1 : 0;

    public ContractionExecutor(ContractionKernel k, IReadOnlyList<BufferInfo> buffers, CpuOptions options)
    {
        _k = k;
        _maxThreads = options.MaxThreads;
        _dtype = k.DType;
        _size = _dtype.SizeInBytes();
        var d = k.Dims;
        var lFree = DotGeneralOp.FreeDims(k.LhsShape.Rank, d.LhsContract, d.LhsBatch);
        var rFree = DotGeneralOp.FreeDims(k.RhsShape.Rank, d.RhsContract, d.RhsBatch);
        _lb = Offsets(k.LhsShape, k.Lhs.Map, d.LhsBatch, k.Lhs.Map.Offset);
        _lf = Offsets(k.LhsShape, k.Lhs.Map, lFree, 0);
        _lc = Offsets(k.LhsShape, k.Lhs.Map, d.LhsContract, 0);
        _rb = Offsets(k.RhsShape, k.Rhs.Map, d.RhsBatch, k.Rhs.Map.Offset);
        _rf = Offsets(k.RhsShape, k.Rhs.Map, rFree, 0);
        _rc = Offsets(k.RhsShape, k.Rhs.Map, d.RhsContract, 0);
        (_batch, _m, _n, _kDim) = (_lb.Length, _lf.Length, _rf.Length, _lc.Length);
        _lhsCanonical = Canonical(_lb, _lf, _lc, (long)_m * _kDim, _kDim, 1);
        _rhsCanonical = Canonical(_rb, _rc, _rf, (long)_kDim * _n, _n, 1);
        _rowsPerItem = RowsPerItem(_m, _n, _batch, Gemm<float>.Mr, options.MaxThreads);

        var dims = k.Domain.Select(x => (long)x).ToArray();
        _inputs = k.Inputs.Select(i =>
        {
            int size = buffers[i.Buffer].Type.DType.SizeInBytes();
            var s = new Strided(i.Map.Offset, i.Map.Strides, dims, size);
            return (i.Buffer, s, s.IsDense, size);
        }).ToArray();
        int lanes = _inputs.Length;
        _epilogue = new TileProgram(k.Inputs.Select(i => buffers[i.Buffer].Type.DType).ToList(), _dtype, k.Instructions,
            k.Outputs.Select(o => o.Source), lanes, options.RegisterKernels, options.ContractFloat);
        var direct = new HashSet<int>();
        _outputs = k.Outputs.Select(o => (o.Buffer, _epilogue.SlotOf(o.Source),
            o.Source.Kind == OperandKind.Value && direct.Add(o.Source.Index), buffers[o.Buffer].Type.DType.SizeInBytes())).ToArray();
        _productOnly = k.Instructions.Length == 0 && k.Outputs.Length == 1 && k.Outputs[0].Source.Kind == OperandKind.Product;
    }

    /// <summary>Rows the most a product scratch block holds: 128 Ki elements (512 KiB of f32, within L2).</summary>
    private const int MaxItemElements = 128 * 1024;

    /// <summary>Rows per item that Note [gemm blocking] wants: enough for a panel slice to serve several micro-kernel blocks.</summary>
    private const int BlockedRows = 96;

    /// <summary>
    /// Rows of C per parallel item: at least a lane's worth of elements (the epilogue's tiles), and
    /// where that is fewer than <see cref="BlockedRows"/>, more (Note [gemm blocking]) while the
    /// product block fits <see cref="MaxItemElements"/> and each thread keeps about four items;
    /// whole micro-kernel blocks of <paramref name="mr"/> rows where there are enough rows (an item's
    /// last partial block would run one row at a time).
    /// </summary>
    internal static int RowsPerItem(int m, int n, int batch, int mr, int maxThreads)
    {
        int rows = Math.Max(1, TileProgram.LaneElements / Math.Max(1, n));
        if (rows < BlockedRows)
        {
            int threads = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
            long perThread = ((long)batch * m + 4L * threads - 1) / (4L * threads);
            long blocked = Math.Min(Math.Min(BlockedRows, MaxItemElements / Math.Max(1, n)), perThread);
            rows = (int)Math.Max(rows, blocked);
        }
        if (rows >= mr && m > rows) rows -= rows % mr;
        return rows;
    }

    /// <summary>Element offsets of every row-major multi-index over <paramref name="dims"/> (in that order) through the map.</summary>
    private static long[] Offsets(Shape shape, IndexMap map, IReadOnlyList<int> dims, long start)
    {
        long count = 1;
        foreach (var d in dims) count *= shape[d];
        var result = new long[count];
        var idx = new int[dims.Count];
        for (long n = 0; n < count; n++)
        {
            long off = start;
            for (int i = 0; i < dims.Count; i++) off += idx[i] * map.Strides[dims[i]];
            result[n] = off;
            for (int i = dims.Count - 1; i >= 0; i--)
            {
                if (++idx[i] < shape[dims[i]]) break;
                idx[i] = 0;
            }
        }
        return result;
    }

    private static bool Canonical(long[] batch, long[] outer, long[] inner, long batchStride, long outerStride, long innerStride)
    {
        if (batch.Length == 0) return true;
        for (int i = 0; i < batch.Length; i++) if (batch[i] != batch[0] + i * batchStride) return false;
        for (int i = 0; i < outer.Length; i++) if (outer[i] != i * outerStride) return false;
        for (int i = 0; i < inner.Length; i++) if (inner[i] != i * innerStride) return false;
        return true;
    }

    /// <summary>Copies an operand into the canonical layout <c>[batch][outer][inner]</c>.</summary>
    private void Gather(BufferRef src, long[] batch, long[] outer, long[] inner, byte[] dst)
    {
        var d = new BufferRef(dst, 0, batch.Length * outer.Length * inner.Length);
        switch (_size)
        {
            case 4: GatherTyped<int>(src, batch, outer, inner, d); break;
            default: GatherTyped<long>(src, batch, outer, inner, d); break;
        }
    }

    private static void GatherTyped<T>(BufferRef src, long[] batch, long[] outer, long[] inner, BufferRef dst) where T : unmanaged
    {
        long o = 0;
        ref T s = ref src.At<T>(0);
        ref T d = ref dst.At<T>(0);
        foreach (var b in batch)
            foreach (var x in outer)
            {
                long row = b + x;
                for (int i = 0; i < inner.Length; i++)
                    System.Runtime.CompilerServices.Unsafe.Add(ref d, (nint)(o + i)) =
                        System.Runtime.CompilerServices.Unsafe.Add(ref s, (nint)(row + inner[i]));
                o += inner.Length;
            }
    }

    public override void Run(BufferRef[] buffers)
    {
        long total = (long)_batch * _m * _n;
        if (total == 0) return;
        byte[]? aTemp = null, bTemp = null, packTemp = null;
        try
        {
            BufferRef a, b;
            if (_lhsCanonical) a = buffers[_k.Lhs.Buffer].Slice(_batch > 0 ? _lb[0] : 0, _batch * _m * _kDim, _size);
            else
            {
                aTemp = ArrayPool<byte>.Shared.Rent(Math.Max(1, _batch * _m * _kDim * _size));
                Gather(buffers[_k.Lhs.Buffer], _lb, _lf, _lc, aTemp);
                a = new BufferRef(aTemp, 0, _batch * _m * _kDim);
            }
            if (_rhsCanonical) b = buffers[_k.Rhs.Buffer].Slice(_batch > 0 ? _rb[0] : 0, _batch * _kDim * _n, _size);
            else
            {
                bTemp = ArrayPool<byte>.Shared.Rent(Math.Max(1, _batch * _kDim * _n * _size));
                Gather(buffers[_k.Rhs.Buffer], _rb, _rc, _rf, bTemp);
                b = new BufferRef(bTemp, 0, _batch * _kDim * _n);
            }
            // Note [gemm]: pack each batch's B into column panels once, shared by every row block.
            if (_dtype == DType.F32) b = Pack<float>(b, ref packTemp);
            else if (_dtype == DType.F64) b = Pack<double>(b, ref packTemp);
            int blocksPerBatch = (_m + _rowsPerItem - 1) / _rowsPerItem;
            long work = total * Math.Max(1, _kDim);
            CpuParallel.For(_batch * blocksPerBatch, work >= CpuParallel.ParallelThreshold, _maxThreads, NewWorker,
                (item, w) => RunBlock(buffers, a, b, w, item / blocksPerBatch, item % blocksPerBatch * _rowsPerItem),
                w => ScratchPool.Return(w.Scratch));
        }
        finally
        {
            if (aTemp is not null) ArrayPool<byte>.Shared.Return(aTemp);
            if (bTemp is not null) ArrayPool<byte>.Shared.Return(bTemp);
            if (packTemp is not null) ArrayPool<byte>.Shared.Return(packTemp);
        }
    }

    /// <summary>Each batch's B packed for <see cref="Gemm{T}"/> into a rented buffer (<paramref name="packTemp"/>, returned by the caller).</summary>
    private BufferRef Pack<T>(BufferRef b, ref byte[]? packTemp) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int packed = Gemm<T>.PackedLength(_kDim, _n);
        packTemp = ArrayPool<byte>.Shared.Rent(Math.Max(1, _batch * packed * _size));
        var dst = new BufferRef(packTemp, 0, _batch * packed);
        for (int t = 0; t < _batch; t++)
            Gemm<T>.Pack(b.Slice((long)t * _kDim * _n, _kDim * _n, _size).Span<T>(), _kDim, _n, dst.Slice((long)t * packed, packed, _size).Span<T>());
        return dst;
    }

    private void GemmRows<T>(BufferRef aRows, BufferRef packedB, BufferRef product, int batch, int rows)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int packed = Gemm<T>.PackedLength(_kDim, _n);
        Gemm<T>.Rows(aRows.Span<T>(), packedB.Slice((long)batch * packed, packed, _size).Span<T>(), product.Span<T>(), rows, _kDim, _n);
    }

    private sealed class Worker
    {
        public required byte[] Scratch;
        public required BufferRef[] Slots;
        public required BufferRef Product;
    }

    private Worker NewWorker()
    {
        int productBytes = _rowsPerItem * _n * _size;
        var scratch = ScratchPool.Rent(_epilogue.ScratchBytes + productBytes);
        var w = new Worker
        {
            Scratch = scratch,
            Slots = new BufferRef[_epilogue.SlotCount],
            Product = new BufferRef(scratch, _epilogue.ScratchBytes, _rowsPerItem * _n),
        };
        _epilogue.InitWorker(scratch, w.Slots, Math.Min(TileProgram.LaneElements, _rowsPerItem * _n));
        for (int i = 0; i < _inputs.Length; i++)
            if (!_inputs[i].Dense) w.Slots[i] = TileProgram.Lane(scratch, i);
        return w;
    }

    private void RunBlock(BufferRef[] buffers, BufferRef a, BufferRef b, Worker w, int batch, int row0)
    {
        int rows = Math.Min(_rowsPerItem, _m - row0);
        long first = ((long)batch * _m + row0) * _n;
        int count = rows * _n;
        var product = _productOnly ? buffers[_k.Outputs[0].Buffer].Slice(first, count, _size) : w.Product;
        var aRows = a.Slice(((long)batch * _m + row0) * _kDim, rows * _kDim, _size);
        if (_dtype == DType.F32) GemmRows<float>(aRows, b, product, batch, rows);
        else if (_dtype == DType.F64) GemmRows<double>(aRows, b, product, batch, rows);
        else MatMul.Rows(_dtype, aRows, b.Slice((long)batch * _kDim * _n, _kDim * _n, _size), product, rows, _kDim, _n);
        if (_productOnly) return;

        var slots = w.Slots;
        for (int off = 0; off < count; off += TileProgram.TileElements)
        {
            int n = Math.Min(TileProgram.TileElements, count - off);
            long start = first + off;
            for (int i = 0; i < _inputs.Length; i++)
            {
                var (buffer, map, dense, size) = _inputs[i];
                if (dense) slots[i] = buffers[buffer].Slice(map.DenseStart(start), n, size);
                else map.Gather(buffers[buffer], start, n, slots[i]);
            }
            slots[_epilogue.ProductSlot] = product.Slice(off, n, _size);
            foreach (var o in _outputs)
                if (o.Direct) slots[o.Slot] = buffers[o.Buffer].Slice(start, n, o.Size);
            _epilogue.Run(slots, n);
            foreach (var o in _outputs)
                if (!o.Direct) slots[o.Slot].Bytes(0, n, o.Size).CopyTo(buffers[o.Buffer].Bytes(start, n, o.Size));
        }
    }
}

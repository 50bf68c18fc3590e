using System.Reflection.Emit;
using ArrayLang.Backends.Cuda.Device;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;

namespace ArrayLang.Backends.Cuda.Emit;

/// <summary>
/// How a contraction kernel tiles its product (Note [tiled contraction]): groups of
/// <see cref="Side"/> x <see cref="Side"/> threads, each computing <see cref="PerThread"/> x
/// <see cref="PerThread"/> elements of a <see cref="Tile"/> x <see cref="Tile"/> block of the product.
/// </summary>
internal readonly record struct ContractionTiling(int Side, int PerThread)
{
    /// <summary>Rows (and columns) of the product one group computes.</summary>
    public int Tile => Side * PerThread;

    /// <summary>Threads per group.</summary>
    public int GroupSize => Side * Side;

    /// <summary>The tiling of a GPU: 16 x 16 threads, 4 x 4 elements each (64 x 64 blocks).</summary>
    public static readonly ContractionTiling Gpu = new(16, 4);

    /// <summary>
    /// The largest of <see cref="Gpu"/> and 4 x 4 threads of 2 x 2 elements that fits groups of
    /// <paramref name="maxGroupSize"/> threads (ILGPU's CPU accelerator runs at most 16 per group).
    /// </summary>
    public static ContractionTiling For(int maxGroupSize) =>
        maxGroupSize >= Gpu.GroupSize ? Gpu
        : maxGroupSize >= 16 ? new(4, 2)
        : throw new NotSupportedException($"the CUDA backend's contractions need groups of at least 16 threads; this device runs {maxGroupSize}");
}

internal static partial class KernelEmitter
{
    /// <summary>
    /// A <c>dot_general</c> with its epilogue as a tiled matrix product in shared memory (Note [tiled contraction]).
    /// </summary>
    /// <remarks>
    /// Note [tiled contraction]: any <c>dot_general</c> is a batch of products <c>[Bt, M, K] x
    /// [Bt, K, N]</c> (Note [canonical contraction] of the CPU backend). A group of <c>S x S</c>
    /// threads computes a <c>T x T</c> block of one product (<c>T = S R</c>), thread <c>(y, x)</c> the
    /// <c>R x R</c> elements at rows <c>y + i S</c> and columns <c>x + j S</c> of the block, in
    /// registers. The contraction advances <c>S</c> terms at a time: the group copies an <c>T x S</c>
    /// slice of A and an <c>S x T</c> slice of B into shared memory (each thread <c>R</c> elements
    /// of each, read through the operands' index maps, zeros past the edges; consecutive threads
    /// read along the operand's contiguous axis, so that a warp's reads coalesce whether an operand
    /// is stored by rows or, as vmap often leaves it, transposed), waits at a barrier,
    /// and every thread adds the slice's terms to its elements, then waits again before the next
    /// slice overwrites it. Each element accumulates its terms in contraction order from -0 with
    /// one fused multiply-add per term (the CPU backend's order, Note [gemm]), so a contraction
    /// gives the CPU backend's bits whatever the tiling or the device; i32 wraps. The epilogue runs
    /// on each element in its thread once the product is complete. A GPU runs 16 x 16 threads of
    /// 4 x 4 elements; ILGPU's CPU accelerator, whose groups hold at most 16 threads, 4 x 4 threads of
    /// 2 x 2, the same code with other constants.
    /// </remarks>
    public static EmittedKernel Contraction(ContractionKernel c, IReadOnlyList<BufferInfo> buffers, ContractionTiling tiling)
    {
        var k = new KernelIl("Contraction",
            Params(new[] { c.Lhs.Buffer, c.Rhs.Buffer }.Concat(c.Inputs.Select(i => i.Buffer)).Concat(c.Writes), buffers), grouped: true);
        var il = k.Il;
        var d = c.DType;
        var dims = c.Dims;
        var lhsFree = Enumerable.Range(0, c.LhsShape.Rank).Where(a => !dims.LhsBatch.Contains(a) && !dims.LhsContract.Contains(a)).ToArray();
        var rhsFree = Enumerable.Range(0, c.RhsShape.Rank).Where(a => !dims.RhsBatch.Contains(a) && !dims.RhsContract.Contains(a)).ToArray();
        int[] batchDims = dims.LhsBatch.Select(a => c.LhsShape[a]).ToArray();
        int[] mDims = lhsFree.Select(a => c.LhsShape[a]).ToArray();
        int[] nDims = rhsFree.Select(a => c.RhsShape[a]).ToArray();
        int[] kDims = dims.LhsContract.Select(a => c.LhsShape[a]).ToArray();
        long Product(int[] xs) => xs.Aggregate(1L, (p, x) => p * x);
        long bt = Product(batchDims), m = Product(mDims), n = Product(nDims), terms = Product(kDims);
        int s = tiling.Side, r = tiling.PerThread, tile = tiling.Tile;
        long tilesM = (m + tile - 1) / tile, tilesN = (n + tile - 1) / tile;
        long groups = bt * tilesM * tilesN;
        long[] Strides(IndexMap map, int[] axes) => axes.Select(a => map.Strides[a]).ToArray();

        // The thread's place: (y, x) in its group, (batch, block row, block column) of its group.
        var lt = k.IntLocal();
        k.LoadIndexInGroup();
        il.Emit(OpCodes.Stloc, lt);
        var yx = k.Coordinates(lt, [s, s]);
        var g = k.IntLocal();
        k.LoadGroupIndex();
        il.Emit(OpCodes.Stloc, g);
        var place = k.Coordinates(g, [checked((int)bt), checked((int)tilesM), checked((int)tilesN)]);
        var batch = k.Coordinates(place[0], batchDims);
        var lhsBatchBase = k.Offset(c.Lhs.Map.Offset, batch, Strides(c.Lhs.Map, dims.LhsBatch));
        var rhsBatchBase = k.Offset(c.Rhs.Map.Offset, batch, Strides(c.Rhs.Map, dims.RhsBatch));

        // Row i of the thread's elements: m_i = blockRow T + y + i S; column j: n_j = blockColumn T + x + j S.
        LocalBuilder Line(LocalBuilder block, LocalBuilder within, int step)
        {
            var at = k.IntLocal();
            il.Emit(OpCodes.Ldloc, block);
            k.Int(tile);
            il.Emit(OpCodes.Mul);
            il.Emit(OpCodes.Ldloc, within);
            il.Emit(OpCodes.Add);
            if (step != 0) { k.Int(step); il.Emit(OpCodes.Add); }
            il.Emit(OpCodes.Stloc, at);
            return at;
        }
        LocalBuilder Below(LocalBuilder x, long limit)
        {
            var ok = k.IntLocal();
            il.Emit(OpCodes.Ldloc, x);
            k.Int(limit);
            il.Emit(OpCodes.Clt);
            il.Emit(OpCodes.Stloc, ok);
            return ok;
        }
        var rows = Enumerable.Range(0, r).Select(i => Line(place[1], yx[0], i * s)).ToArray();
        var cols = Enumerable.Range(0, r).Select(j => Line(place[2], yx[1], j * s)).ToArray();
        var rowOk = rows.Select(x => Below(x, m)).ToArray();
        var colOk = cols.Select(x => Below(x, n)).ToArray();
        var rowBase = rows.Select(x => LineBase(lhsBatchBase, x, mDims, Strides(c.Lhs.Map, lhsFree))).ToArray();
        var colBase = cols.Select(x => LineBase(rhsBatchBase, x, nDims, Strides(c.Rhs.Map, rhsFree))).ToArray();

        // Which thread loads which element (Note [tiled contraction]): consecutive threads (x) read
        // consecutive addresses of the operand's contiguous axis, the terms unless only the rows
        // (columns) are contiguous. The tiles' rows are padded by one element so that neither way
        // of storing them makes threads of a warp collide in a shared-memory bank.
        static long LastOr(long[] strides, long none) => strides.Length == 0 ? none : strides[^1];
        bool swapA = LastOr(Strides(c.Lhs.Map, dims.LhsContract), 1) != 1 && LastOr(Strides(c.Lhs.Map, lhsFree), 0) == 1;
        bool swapB = LastOr(Strides(c.Rhs.Map, rhsFree), 1) != 1 && LastOr(Strides(c.Rhs.Map, dims.RhsContract), 0) == 1;
        var (aLine, aTerm) = swapA ? (yx[1], yx[0]) : (yx[0], yx[1]);
        var (bLine, bTerm) = swapB ? (yx[0], yx[1]) : (yx[1], yx[0]);
        var aRows = swapA ? Enumerable.Range(0, r).Select(i => Line(place[1], aLine, i * s)).ToArray() : rows;
        var aRowOk = swapA ? aRows.Select(x => Below(x, m)).ToArray() : rowOk;
        var aRowBase = swapA ? aRows.Select(x => LineBase(lhsBatchBase, x, mDims, Strides(c.Lhs.Map, lhsFree))).ToArray() : rowBase;
        var bCols = swapB ? Enumerable.Range(0, r).Select(j => Line(place[2], bLine, j * s)).ToArray() : cols;
        var bColOk = swapB ? bCols.Select(x => Below(x, n)).ToArray() : colOk;
        var bColBase = swapB ? bCols.Select(x => LineBase(rhsBatchBase, x, nDims, Strides(c.Rhs.Map, rhsFree))).ToArray() : colBase;
        int aStride = s + 1, bStride = tile + 1;
        var aTile = k.SharedArray(d, tile * aStride); // [T rows][S terms, padded]
        var bTile = k.SharedArray(d, s * bStride); // [S terms][T columns, padded]
        var aAt = Scaled(aLine, aStride, aTerm); // where this thread stores its first A element
        var bAt = Scaled(bTerm, bStride, bLine);
        var yA = Scaled(yx[0], aStride, null); // where its first row starts in aTile
        var acc = new LocalBuilder[r, r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++)
            {
                acc[i, j] = k.Local(d);
                k.Constant(d, d == DType.I32 ? 0.0 : -0.0);
                il.Emit(OpCodes.Stloc, acc[i, j]);
            }

        var k0 = k.IntLocal();
        k.Int(0);
        il.Emit(OpCodes.Stloc, k0);
        long whole = terms / s;
        if (whole > 0) Loop(k, k0, whole * s, s, () => TileStep(s, false));
        if (terms % s != 0) TileStep((int)(terms % s), true);

        // The epilogue of each element the thread holds, at its place t = (b M + m_i) N + n_j of the domain.
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++)
            {
                var skip = il.DefineLabel();
                il.Emit(OpCodes.Ldloc, rowOk[i]);
                il.Emit(OpCodes.Brfalse, skip);
                il.Emit(OpCodes.Ldloc, colOk[j]);
                il.Emit(OpCodes.Brfalse, skip);
                var t = k.IntLocal();
                il.Emit(OpCodes.Ldloc, place[0]);
                k.Int(m);
                il.Emit(OpCodes.Mul);
                il.Emit(OpCodes.Ldloc, rows[i]);
                il.Emit(OpCodes.Add);
                k.Int(n);
                il.Emit(OpCodes.Mul);
                il.Emit(OpCodes.Ldloc, cols[j]);
                il.Emit(OpCodes.Add);
                il.Emit(OpCodes.Stloc, t);
                Epilogue(k, c, buffers, t, acc[i, j]);
                il.MarkLabel(skip);
            }
        return new EmittedKernel(k.Finish(), k.Buffers.Select(b => b.Buffer).ToArray(), groups * tiling.GroupSize, c.ToString()!, tiling.GroupSize);

        // Copies the next `count` terms of A's and B's slices into shared memory and adds them up.
        void TileStep(int count, bool lastPartial)
        {
            // A[row, k0 + term] -> aTile[(line + i S) (S + 1) + term]; B[k0 + term, column] -> bTile[term (T + 1) + line + j S].
            var ka = Sum(k0, aTerm, 0);
            var kaOffset = k.Offset(0, k.Coordinates(ka, kDims), Strides(c.Lhs.Map, dims.LhsContract));
            for (int i = 0; i < r; i++)
                FillShared(aTile, Sum(aAt, null, i * s * aStride), c.Lhs.Buffer, aRowOk[i], lastPartial ? ka : null, aRowBase[i], kaOffset);
            var kb = Sum(k0, bTerm, 0);
            var kbOffset = k.Offset(0, k.Coordinates(kb, kDims), Strides(c.Rhs.Map, dims.RhsContract));
            for (int j = 0; j < r; j++)
                FillShared(bTile, Sum(bAt, null, j * s), c.Rhs.Buffer, bColOk[j], lastPartial ? kb : null, bColBase[j], kbOffset);
            k.GroupBarrier();

            var a = Enumerable.Range(0, r).Select(_ => k.Local(d)).ToArray();
            var b = Enumerable.Range(0, r).Select(_ => k.Local(d)).ToArray();
            for (int q = 0; q < count; q++)
            {
                for (int i = 0; i < r; i++)
                {
                    k.PushViewAddress(aTile, d, Sum(yA, null, i * s * aStride + q));
                    k.LoadIndirect(d);
                    il.Emit(OpCodes.Stloc, a[i]);
                }
                for (int j = 0; j < r; j++)
                {
                    k.PushViewAddress(bTile, d, Sum(yx[1], null, q * bStride + j * s));
                    k.LoadIndirect(d);
                    il.Emit(OpCodes.Stloc, b[j]);
                }
                for (int i = 0; i < r; i++)
                    for (int j = 0; j < r; j++)
                        MultiplyAdd(acc[i, j], a[i], b[j]);
            }
            k.GroupBarrier();
        }

        // A new local: the offset in an operand of the row (or column) x of its product: the batch's
        // base plus x's coordinates over the free dimensions times their strides.
        LocalBuilder LineBase(LocalBuilder batchBase, LocalBuilder x, int[] freeDims, long[] strides)
        {
            var at = k.IntLocal();
            il.Emit(OpCodes.Ldloc, batchBase);
            il.Emit(OpCodes.Stloc, at);
            var coords = k.Coordinates(x, freeDims);
            for (int a = 0; a < coords.Length; a++) k.AddScaled(at, coords[a], strides[a]);
            return at;
        }

        // A new local a * scale + b (b may be absent).
        LocalBuilder Scaled(LocalBuilder a, int scale, LocalBuilder? b)
        {
            var at = k.IntLocal();
            il.Emit(OpCodes.Ldloc, a);
            k.Int(scale);
            il.Emit(OpCodes.Mul);
            if (b is not null) { il.Emit(OpCodes.Ldloc, b); il.Emit(OpCodes.Add); }
            il.Emit(OpCodes.Stloc, at);
            return at;
        }

        // A new local x + y + constant (y may be absent).
        LocalBuilder Sum(LocalBuilder x, LocalBuilder? y, int constant)
        {
            var at = k.IntLocal();
            il.Emit(OpCodes.Ldloc, x);
            if (y is not null) { il.Emit(OpCodes.Ldloc, y); il.Emit(OpCodes.Add); }
            if (constant != 0) { k.Int(constant); il.Emit(OpCodes.Add); }
            il.Emit(OpCodes.Stloc, at);
            return at;
        }

        // shared[at] = lineOk && (term is null || term < K) ? operand[lineBase + termOffset] : 0
        void FillShared(LocalBuilder shared, LocalBuilder at, int operand, LocalBuilder lineOk, LocalBuilder? term, LocalBuilder lineBase, LocalBuilder termOffset)
        {
            var zero = il.DefineLabel();
            var store = il.DefineLabel();
            k.PushViewAddress(shared, d, at);
            il.Emit(OpCodes.Ldloc, lineOk);
            il.Emit(OpCodes.Brfalse, zero);
            if (term is not null)
            {
                il.Emit(OpCodes.Ldloc, term);
                k.Int(terms);
                il.Emit(OpCodes.Bge, zero);
            }
            var src = Sum(lineBase, termOffset, 0);
            k.LoadElement(operand, d, src);
            il.Emit(OpCodes.Br, store);
            il.MarkLabel(zero);
            k.Constant(d, 0.0);
            il.MarkLabel(store);
            k.StoreIndirect(d);
        }

        // acc = a b + acc, rounded once (i32 wraps).
        void MultiplyAdd(LocalBuilder sum, LocalBuilder x, LocalBuilder y)
        {
            if (d == DType.I32)
            {
                il.Emit(OpCodes.Ldloc, sum);
                il.Emit(OpCodes.Ldloc, x);
                il.Emit(OpCodes.Ldloc, y);
                il.Emit(OpCodes.Mul);
                il.Emit(OpCodes.Add);
            }
            else
            {
                il.Emit(OpCodes.Ldloc, x);
                il.Emit(OpCodes.Ldloc, y);
                il.Emit(OpCodes.Ldloc, sum);
                il.Emit(OpCodes.Call, ScalarCode.Op(d == DType.F32 ? nameof(DeviceOps.FmaF32) : nameof(DeviceOps.FmaF64)));
            }
            il.Emit(OpCodes.Stloc, sum);
        }
    }

    /// <summary>The epilogue of one product element at domain index <paramref name="t"/>: its inputs, instructions and stores.</summary>
    private static void Epilogue(KernelIl k, ContractionKernel c, IReadOnlyList<BufferInfo> buffers, LocalBuilder t, LocalBuilder product)
    {
        var coords = k.Coordinates(t, c.Domain.ToArray());
        var inputs = new LocalBuilder?[c.Inputs.Length];
        for (int i = 0; i < c.Inputs.Length; i++)
        {
            var d = buffers[c.Inputs[i].Buffer].Type.DType;
            var at = k.Offset(c.Inputs[i].Map.Offset, coords, c.Inputs[i].Map.Strides);
            inputs[i] = k.Local(d);
            k.LoadElement(c.Inputs[i].Buffer, d, at);
            k.Il.Emit(OpCodes.Stloc, inputs[i]!);
        }
        var values = ScalarCode.EmitAll(k, c.Instructions, inputs, product);
        foreach (var o in c.Outputs) Store(k, o.Buffer, buffers[o.Buffer].Type.DType, t, o.Source, inputs, values, product);
    }
}

using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;

namespace ArrayLang.Backends.OpenCL.Codegen;

// Note [opencl contraction]
// ~~~~~~~~~~~~~~~~~~~~~~~~~
// A dot_general is seen as a batch of products [Bt, M, K] x [Bt, K, N] (batch dims, lhs free dims,
// rhs free dims, contracting dims, each group flattened row-major), read through the operands'
// index maps, so transposed or broadcast operands are never copied. Floats accumulate with fma
// (IR.md lets matrix products contract; the sum is reassociated anyway), i32 wraps. Each output
// element sums its K terms in index order, so the result does not depend on the tiling.
// - Tiled (M and N at least 16, f32/f64, a device that runs 16 x 16 work-groups): a 16 x 16
//   work-group computes a 16 x 16 block of C, staging 16 x 16 tiles of A and B in local memory.
// - Otherwise one work-item per output element loops over K.
// The fused epilogue then runs on the element (OperandKind.Product) and writes the outputs.

internal sealed partial class ClProgramCompiler
{
    private const int Tile = 16;

    private void Contraction(ContractionKernel c)
    {
        long total = c.Domain.ElementCount;
        if (total == 0) return;
        var p = c.Dims;
        int[] lFree = FreeDims(c.LhsShape.Rank, p.LhsContract, p.LhsBatch);
        int[] rFree = FreeDims(c.RhsShape.Rank, p.RhsContract, p.RhsBatch);
        long bt = p.LhsBatch.Aggregate(1L, (a, d) => a * c.LhsShape[d]);
        long m = lFree.Aggregate(1L, (a, d) => a * c.LhsShape[d]);
        long n = rFree.Aggregate(1L, (a, d) => a * c.RhsShape[d]);
        long kk = p.LhsContract.Aggregate(1L, (a, d) => a * c.LhsShape[d]);
        bool tiled = c.DType is DType.F32 or DType.F64 && m >= Tile && n >= Tile && _device.MaxWorkGroupSize >= Tile * Tile;

        var f = NewFrame(tiled ? "gemm_tiled" : "gemm");
        var t = ClTypes.Of(c.DType);
        string a = f.Buf(c.Lhs.Buffer), b = f.Buf(c.Rhs.Buffer);
        // Offsets of lhs(bi, mi, ki) and rhs(bi, ki, ni) as functions of the flat group indices.
        string LhsOffset(string bi, string mi, string ki) => GroupOffset(c.Lhs.Map, c.LhsShape, [(p.LhsBatch, bi), (lFree, mi), (p.LhsContract, ki)]);
        string RhsOffset(string bi, string ki, string ni) => GroupOffset(c.Rhs.Map, c.RhsShape, [(p.RhsBatch, bi), (p.RhsContract, ki), (rFree, ni)]);
        string Fma(string x, string y, string acc) => c.DType == DType.I32
            ? $"(int)((uint)({acc}) + (uint)({x}) * (uint)({y}))"
            : $"fma({x}, {y}, {acc})";
        string zero = c.DType == DType.I32 ? "0" : ClTypes.Literal(c.DType, 0);

        if (tiled)
        {
            long tilesM = (m + Tile - 1) / Tile, tilesN = (n + Tile - 1) / Tile;
            f.Line($"int tx = get_local_id(0) % {Tile}, ty = get_local_id(0) / {Tile};");
            f.Line($"{_idx} grp = get_group_id(0);");
            f.Line($"{_idx} bi = grp / {tilesM * tilesN}; {_idx} rest = grp % {tilesM * tilesN};");
            f.Line($"{_idx} mi = (rest / {tilesN}) * {Tile} + ty, ni = (rest % {tilesN}) * {Tile} + tx;");
            f.Line($"{_idx} m0 = (rest / {tilesN}) * {Tile}, n0 = (rest % {tilesN}) * {Tile};");
            f.Line($"__local {t} ta[{Tile}][{Tile + 1}];");
            f.Line($"__local {t} tb[{Tile}][{Tile + 1}];");
            f.Line($"{t} acc = {zero};");
            f.Line($"for ({_idx} k0 = 0; k0 < {kk}; k0 += {Tile}) {{");
            f.Line($"{_idx} am = m0 + ty, ak = k0 + tx, bk = k0 + ty, bn = n0 + tx;", 2);
            f.Line($"ta[ty][tx] = (am < {m} && ak < {kk}) ? {a}[{LhsOffset("bi", "am", "ak")}] : {zero};", 2);
            f.Line($"tb[ty][tx] = (bk < {kk} && bn < {n}) ? {b}[{RhsOffset("bi", "bk", "bn")}] : {zero};", 2);
            f.Line("barrier(CLK_LOCAL_MEM_FENCE);", 2);
            f.Line($"for (int j = 0; j < {Tile}; j++) acc = {Fma("ta[ty][j]", "tb[j][tx]", "acc")};", 2);
            f.Line("barrier(CLK_LOCAL_MEM_FENCE);", 2);
            f.Line("}");
            f.Line($"if (mi >= {m} || ni >= {n}) return;");
        }
        else
        {
            f.Line($"{_idx} gid = get_global_id(0);");
            f.Line($"if (gid >= {total}) return;");
            f.Line($"{_idx} bi = gid / {m * n}, mi = (gid / {n}) % {m}, ni = gid % {n};");
            f.Line($"{t} acc = {zero};");
            f.Line($"for ({_idx} ki = 0; ki < {kk}; ki++) acc = {Fma($"{a}[{LhsOffset("bi", "mi", "ki")}]", $"{b}[{RhsOffset("bi", "ki", "ni")}]", "acc")};");
        }
        // A sum of no terms is +0; the padded tiles add +0 products only, which leave a nonzero sum unchanged.
        f.Line($"{_idx} gid2 = (bi * {m} + mi) * {n} + ni;");
        Epilogue(f, c, "gid2");
        if (tiled)
        {
            long groups = bt * ((m + Tile - 1) / Tile) * ((n + Tile - 1) / Tile);
            Finish(f, groups * Tile * Tile, Tile * Tile);
        }
        else Finish(f, RoundUp(total, LocalSize), LocalSize);
    }

    private void Epilogue(Frame f, ContractionKernel c, string linear)
    {
        if (c.Inputs.Any(i => !i.Map.IsRowMajor(c.Domain))) Digits(f, c.Domain, linear, "d");
        for (int i = 0; i < c.Inputs.Length; i++)
        {
            var input = c.Inputs[i];
            var t = ClTypes.Of(_p.Buffers[input.Buffer].Type.DType);
            string at = input.Map.IsRowMajor(c.Domain) ? linear : OffsetOf(input.Map, c.Domain, d => $"d{d}");
            f.Line($"{t} in{i} = {f.Buf(input.Buffer)}[{at}];");
        }
        string Spell(OperandRef o) => o.Kind == OperandKind.Product ? "acc" : $"in{o.Index}";
        Instructions(f, c.Instructions, Spell, "v", 1, c.Outputs.Select(o => o.Source));
        foreach (var o in c.Outputs) f.Line($"{f.Buf(o.Buffer)}[{linear}] = {Operand(o.Source, Spell)};");
    }

    private static int[] FreeDims(int rank, int[] contract, int[] batch) =>
        Enumerable.Range(0, rank).Where(d => !contract.Contains(d) && !batch.Contains(d)).ToArray();

    /// <summary>
    /// The offset through <paramref name="map"/> of the element whose dims in each group are the
    /// row-major digits of that group's flat index.
    /// </summary>
    private static string GroupOffset(IndexMap map, Shape shape, (int[] Dims, string Flat)[] groups)
    {
        var terms = new List<string>();
        if (map.Offset != 0) terms.Add(map.Offset.ToString());
        foreach (var (dims, flat) in groups)
        {
            long below = 1;
            for (int i = dims.Length - 1; i >= 0; i--)
            {
                int d = dims[i];
                long size = shape[d], stride = map.Strides[d];
                if (size != 1 && stride != 0)
                {
                    string digit = below == 1 ? flat : $"({flat} / {below})";
                    if (i > 0) digit = $"({digit} % {size})";
                    terms.Add(stride == 1 ? digit : $"{digit} * {stride}");
                }
                below *= size;
            }
        }
        return terms.Count == 0 ? "0" : string.Join(" + ", terms);
    }
}

using ArrayLang.Ir;
using ArrayLang.Transforms;
using ArrayLang.Values;
using static ArrayLang.Primitives.ReductionMath;

namespace ArrayLang.Primitives;

/// <summary>
/// Params of <c>dot_general</c>, written <c>contract=([l..],[r..]), batch=([l..],[r..])</c>:
/// lhs dim <c>LhsContract[i]</c> is summed against rhs dim <c>RhsContract[i]</c>, and lhs dim
/// <c>LhsBatch[i]</c> is paired with rhs dim <c>RhsBatch[i]</c> (batch defaults to none).
/// </summary>
public sealed record DotGeneralParams(int[] LhsContract, int[] RhsContract, int[] LhsBatch, int[] RhsBatch) : PrimParams
{
    /// <summary>Params with no batch dimensions.</summary>
    public DotGeneralParams(int[] lhsContract, int[] rhsContract) : this(lhsContract, rhsContract, [], []) { }

    /// <inheritdoc />
    public override void Write(ParamWriter w) =>
        w.IntsPair("contract", LhsContract, RhsContract).IntsPair("batch", LhsBatch, RhsBatch);

    /// <summary>Structural equality through the written form (the dims' values, not the arrays' identity).</summary>
    public bool Equals(DotGeneralParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();
}

/// <summary>
/// <c>dot_general[contract=([l..],[r..]), batch=([l..],[r..])](lhs, rhs)</c> (XLA's DotGeneral):
/// the result's dims are the batch dims in the listed order, then lhs's remaining (free) dims
/// ascending, then rhs's free dims ascending. Operands share one dtype (f32, f64 or i32);
/// contracted and batch dims pair up with equal sizes; every listed dim is in range and appears
/// once per operand. i32 wraps; floats round once per result element (<see cref="CompensatedSum"/>).
/// </summary>
public sealed class DotGeneralOp() : Primitive<DotGeneralParams>("dot_general")
{
    /// <inheritdoc />
    public override DotGeneralParams Read(ParamReader r)
    {
        var (lc, rc) = r.IntsPair("contract");
        var (lb, rb) = r.IntsPair("batch", ([], []));
        return new(lc, rc, lb, rb);
    }

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(DotGeneralParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 2) throw Error($"expects 2 operands (lhs, rhs), found {ops.Count}");
        RequireVariables(Name, ops);
        var (l, r) = (ops[0].Type, ops[1].Type);
        string Show() => $"contract=({ReductionMath.Show(p.LhsContract)},{ReductionMath.Show(p.RhsContract)}), " +
            $"batch=({ReductionMath.Show(p.LhsBatch)},{ReductionMath.Show(p.RhsBatch)}) with lhs {l}, rhs {r}";
        RequireNumeric(Name, l, "lhs");
        if (l.DType != r.DType)
            throw Error($"operands must share one dtype (there is no implicit promotion), found lhs {l}, rhs {r}");
        if (p.LhsContract.Length != p.RhsContract.Length)
            throw Error($"contract lists {p.LhsContract.Length} lhs dim(s) but {p.RhsContract.Length} rhs dim(s); they pair up: {Show()}");
        if (p.LhsBatch.Length != p.RhsBatch.Length)
            throw Error($"batch lists {p.LhsBatch.Length} lhs dim(s) but {p.RhsBatch.Length} rhs dim(s); they pair up: {Show()}");
        CheckDims("lhs", l, p.LhsContract, p.LhsBatch, Show);
        CheckDims("rhs", r, p.RhsContract, p.RhsBatch, Show);
        for (int i = 0; i < p.LhsContract.Length; i++)
            if (l.Shape[p.LhsContract[i]] != r.Shape[p.RhsContract[i]])
                throw Error($"contracted lhs dim {p.LhsContract[i]} has size {l.Shape[p.LhsContract[i]]} but rhs dim {p.RhsContract[i]} has size {r.Shape[p.RhsContract[i]]}: {Show()}");
        for (int i = 0; i < p.LhsBatch.Length; i++)
            if (l.Shape[p.LhsBatch[i]] != r.Shape[p.RhsBatch[i]])
                throw Error($"batch lhs dim {p.LhsBatch[i]} has size {l.Shape[p.LhsBatch[i]]} but rhs dim {p.RhsBatch[i]} has size {r.Shape[p.RhsBatch[i]]}: {Show()}");
        var dims = p.LhsBatch.Select(i => l.Shape[i])
            .Concat(FreeDims(l.Rank, p.LhsContract, p.LhsBatch).Select(i => l.Shape[i]))
            .Concat(FreeDims(r.Rank, p.RhsContract, p.RhsBatch).Select(i => r.Shape[i]));
        return [new AVal(l.DType, new Shape(dims))];
    }

    private void CheckDims(string side, AVal t, int[] contract, int[] batch, Func<string> show)
    {
        var seen = new HashSet<int>();
        foreach (var (list, name) in new[] { (contract, "contract"), (batch, "batch") })
            foreach (var d in list)
            {
                if (d < 0 || d >= t.Rank)
                    throw Error($"{side} dim {d} in {name} is out of range for {side} {t} of rank {t.Rank}: {show()}");
                if (!seen.Add(d))
                    throw Error($"{side} dim {d} is listed twice among the contract and batch dims: {show()}");
            }
    }

    /// <summary>The dims of an operand of rank <paramref name="rank"/> that are neither contracted
    /// nor batch dims, ascending (their order in the result).</summary>
    public static int[] FreeDims(int rank, IEnumerable<int> contract, IEnumerable<int> batch) =>
        OtherAxes(rank, contract.Concat(batch));

    /// <inheritdoc />
    public override DType? LiteralDType(int position, DotGeneralParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(DotGeneralParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var (l, r) = (inputs[0], inputs[1]);
        var outType = InferTypes(p, [new Operand(l.Type, false), new Operand(r.Type, false)], subs)[0];
        var result = NDArray.Zeros(outType);
        // Flat offsets of each part of the index: batch (listed order, paired), free (ascending),
        // contracted (listed order, paired). An output element is (batch, lhs free, rhs free)
        // in row-major order; its terms run over the contracted multi-index in row-major order.
        var lBatch = Offsets(l.Shape, p.LhsBatch);
        var rBatch = Offsets(r.Shape, p.RhsBatch);
        var lFree = Offsets(l.Shape, FreeDims(l.Shape.Rank, p.LhsContract, p.LhsBatch));
        var rFree = Offsets(r.Shape, FreeDims(r.Shape.Rank, p.RhsContract, p.RhsBatch));
        var lTerms = Offsets(l.Shape, p.LhsContract);
        var rTerms = Offsets(r.Shape, p.RhsContract);
        int o = 0;
        for (int b = 0; b < lBatch.Length; b++)
            for (int i = 0; i < lFree.Length; i++)
                for (int j = 0; j < rFree.Length; j++, o++)
                {
                    int lStart = lBatch[b] + lFree[i], rStart = rBatch[b] + rFree[j];
                    if (l.DType == DType.I32)
                    {
                        int acc = 0;
                        for (int t = 0; t < lTerms.Length; t++)
                            acc = unchecked(acc + l.I32[lStart + lTerms[t]] * r.I32[rStart + rTerms[t]]);
                        result.I32[o] = acc;
                    }
                    else
                    {
                        var sum = new CompensatedSum();
                        for (int t = 0; t < lTerms.Length; t++)
                            sum.AddProduct(l.GetDouble(lStart + lTerms[t]), r.GetDouble(rStart + rTerms[t]));
                        result.SetDouble(o, sum.Result);
                    }
                }
        return [result];
    }

    /// <summary>
    /// Batching (see Note [dot_general batching]): with both operands batched, their batch axes
    /// become a new leading pair of batch dims and the result's batch axis is 0. With one
    /// batched, its batch axis joins that operand's free dims, so the shared operand is used as it
    /// is (no broadcast copy) and it stays one product; the result's batch axis is where XLA's
    /// output order puts that free dim. Nothing is transposed. When only rhs is batched and the
    /// batch is its only free dim, the operands are swapped so that the batch comes first.
    /// </summary>
    /// <remarks>
    /// Note [dot_general batching]: vmap over <c>x</c> of <c>dot_general[contract=([1],[0])](W, x)</c>
    /// with <c>W: f32[256,256]</c> shared and <c>x</c> batched at 0 gives
    /// <c>dot_general[contract=([1],[1])](xs, W)</c> with <c>xs: f32[B,256]</c> (operands swapped):
    /// a result <c>f32[B,256]</c> with batch axis 0, one matrix product. Broadcasting <c>W</c> to
    /// <c>f32[B,256,256]</c> and using a batch dim would copy <c>W</c> B times and turn the matrix
    /// product into B matrix-vector products.
    /// </remarks>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, DotGeneralParams p, BatchedAtom lhs, BatchedAtom rhs)
    {
        int? dl = lhs.BatchDim, dr = rhs.BatchDim;
        static int[] Shift(int[] dims, int? at) => dims.Select(i => at is { } d && i >= d ? i + 1 : i).ToArray();
        var lc = Shift(p.LhsContract, dl);
        var rc = Shift(p.RhsContract, dr);
        var lb = Shift(p.LhsBatch, dl);
        var rb = Shift(p.RhsBatch, dr);

        if (dl is { } a && dr is { } b)
        {
            var both = new DotGeneralParams(lc, rc, [a, .. lb], [b, .. rb]);
            return [new(ctx.Emit1(Contraction.DotGeneral, both, lhs.Atom, rhs.Atom), 0)];
        }

        // Only rhs batched, and its batch axis is its only free dim (a matrix-vector product):
        // swapping the operands gives the same products with the batch before lhs's free dims,
        // e.g. [B,256] rather than [256,B], so an out axis of 0 needs no transpose afterwards.
        if (dr is { } onlyRhs && FreeDims(rhs.Atom.Type.Rank, rc, rb).SequenceEqual([onlyRhs]))
        {
            var swapped = ctx.Emit1(Contraction.DotGeneral, new DotGeneralParams(rc, lc, rb, lb), rhs.Atom, lhs.Atom);
            return [new(swapped, rb.Length)];
        }

        var result = ctx.Emit1(Contraction.DotGeneral, new DotGeneralParams(lc, rc, lb, rb), lhs.Atom, rhs.Atom);
        int outDim;
        if (dl is { } onlyL)
            outDim = lb.Length + FreeDims(lhs.Atom.Type.Rank, lc, lb).Count(i => i < onlyL);
        else
        {
            int onlyR = dr!.Value;
            outDim = lb.Length + FreeDims(lhs.Atom.Type.Rank, lc, lb).Length + FreeDims(rhs.Atom.Type.Rank, rc, rb).Count(i => i < onlyR);
        }
        return [new(result, outDim)];
    }
}

/// <summary>
/// The contraction family (IR.md "contraction" row): <c>dot_general</c>, which covers dot
/// products, matrix-vector and matrix products, batched matrix products and outer products.
/// </summary>
public static class Contraction
{
    /// <summary><c>dot_general[contract=([l..],[r..]), batch=([l..],[r..])](lhs, rhs)</c>.</summary>
    public static readonly DotGeneralOp DotGeneral = new();

    /// <summary>Registers the family's primitives and batching rules.</summary>
    public static void Register(Registrar r) =>
        r.Add(DotGeneral, (ctx, p, ins, subs) => DotGeneralOp.Batch(ctx, (DotGeneralParams)p, ins[0], ins[1]));
}

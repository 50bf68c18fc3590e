using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Compile.Passes;

/// <summary>
/// Rules for the data-moving primitives, reductions and <c>cond</c>: copies that are no-ops
/// (identity permutation, same shape, full slice, zero padding, ...) go, and chains fold into one
/// equation: a transpose of a transpose is one transpose, a broadcast of a broadcast one broadcast,
/// a transpose of a broadcast a broadcast (of a smaller transpose where the operand's axes change
/// order), a chain of reshapes, squeezes and expand_dims one reshape.
/// </summary>
internal static partial class SimplifyRules
{
    private static bool IsIdentityPerm(IReadOnlyList<int> perm) => perm.Select((p, i) => p == i).All(b => b);

    private static IReadOnlyList<Atom>? TransposeFold(SimplifyScope s, Eqn e)
    {
        var perm = ((TransposeParams)e.Params).Perm;
        if (IsIdentityPerm(perm)) return One(e[0]);
        if (s.IsDefinedBy(e[0], ShapeOps.Transpose, out var inner))
        {
            // result dim i = x dim perm[i] = y dim innerPerm[perm[i]]
            var innerPerm = ((TransposeParams)inner.Params).Perm;
            var composed = perm.Select(i => innerPerm[i]).ToArray();
            return One(IsIdentityPerm(composed) ? inner.Inputs[0] : s.Emit1(ShapeOps.Transpose, new TransposeParams(composed), inner.Inputs[0]));
        }
        if (s.IsDefinedBy(e[0], ShapeOps.BroadcastInDim, out var bcast))
        {
            // y dim j sits at broadcast dim D[j], which the transpose moves to result dim inv[D[j]].
            var p = (BroadcastInDimParams)bcast.Params;
            var inv = new int[perm.Length];
            for (int i = 0; i < perm.Length; i++) inv[perm[i]] = i;
            var dims = p.Dims.Select(d => inv[d]).ToArray();
            return One(BroadcastWithDims(s, bcast.Inputs[0], dims, e.Out));
        }
        return null;
    }

    /// <summary>
    /// <c>broadcast_in_dim</c> of <paramref name="y"/> into <paramref name="result"/> with operand dim
    /// <c>j</c> at result dim <c>dims[j]</c>, where <paramref name="dims"/> need not increase: the
    /// operand is transposed first so that they do (it is the smaller array).
    /// </summary>
    internal static Var BroadcastWithDims(SimplifyScope s, Atom y, int[] dims, AVal result)
    {
        var order = Enumerable.Range(0, dims.Length).OrderBy(j => dims[j]).ToArray();
        if (!IsIdentityPerm(order)) y = s.Emit1(ShapeOps.Transpose, new TransposeParams(order), y);
        var sorted = order.Select(j => dims[j]).ToArray();
        if (y.Type.Shape == result.Shape && y is Var v) return v;   // same shape, increasing dims: the identity
        return s.Emit1(ShapeOps.BroadcastInDim, new BroadcastInDimParams(result.Shape.ToArray(), sorted), y);
    }

    private static IReadOnlyList<Atom>? BroadcastFold(SimplifyScope s, Eqn e)
    {
        if (e[0] is Var x && x.Type.Shape == e.Out.Shape) return One(x);   // equal ranks force dims = [0..r-1]
        if (s.IsDefinedBy(e[0], ShapeOps.BroadcastInDim, out var inner))
        {
            // y dim i -> inner dim innerDims[i] -> result dim dims[innerDims[i]]; sizes of 1 stay 1 or expand.
            var dims = ((BroadcastInDimParams)e.Params).Dims;
            var innerDims = ((BroadcastInDimParams)inner.Params).Dims;
            var composed = innerDims.Select(d => dims[d]).ToArray();
            return One(s.Emit1(ShapeOps.BroadcastInDim, new BroadcastInDimParams(e.Out.Shape.ToArray(), composed), inner.Inputs[0]));
        }
        return null;
    }

    private static bool IsReshapeLike(SimplifyScope s, Atom a, out Atom source)
    {
        var d = s.Def(a);
        source = d?.Inputs.FirstOrDefault()!;
        return d is not null && (d.Primitive == ShapeOps.Reshape || d.Primitive == ShapeOps.Squeeze || d.Primitive == ShapeOps.ExpandDims);
    }

    private static IReadOnlyList<Atom>? Reshaped(SimplifyScope s, Atom y, AVal result) =>
        One(y.Type.Shape == result.Shape ? y : s.Emit1(ShapeOps.Reshape, new ReshapeParams(result.Shape.ToArray()), y));

    private static IReadOnlyList<Atom>? ReshapeFold(SimplifyScope s, Eqn e)
    {
        if (e[0].Type.Shape == e.Out.Shape) return One(e[0]);
        return IsReshapeLike(s, e[0], out var y) ? Reshaped(s, y, e.Out) : null;   // row-major order composes
    }

    private static IReadOnlyList<Atom>? SqueezeOrExpandFold(SimplifyScope s, Eqn e)
    {
        if (e[0].Type.Shape == e.Out.Shape) return One(e[0]);
        return IsReshapeLike(s, e[0], out var y) ? Reshaped(s, y, e.Out) : null;
    }

    private static IReadOnlyList<Atom>? RevFold(SimplifyScope s, Eqn e)
    {
        var dims = ((RevParams)e.Params).Dims;
        if (dims.All(d => e[0].Type.Shape[d] <= 1)) return One(e[0]);   // reversing 0 or 1 element moves nothing
        if (s.IsDefinedBy(e[0], ShapeOps.Rev, out var inner) && ((RevParams)inner.Params).Dims.ToHashSet().SetEquals(dims))
            return One(inner.Inputs[0]);
        return null;
    }

    private static IReadOnlyList<Atom>? FullSlice(SimplifyScope s, Eqn e)
    {
        var p = (SliceParams)e.Params;
        var shape = e[0].Type.Shape;
        bool full = Enumerable.Range(0, shape.Rank).All(i => p.Start[i] == 0 && p.Limit[i] == shape[i] && (p.Stride[i] == 1 || shape[i] <= 1));
        return full ? One(e[0]) : null;
    }

    private static IReadOnlyList<Atom>? ZeroPad(SimplifyScope s, Eqn e)
    {
        var p = (PadParams)e.Params;
        return p.Low.All(v => v == 0) && p.High.All(v => v == 0) ? One(e[0]) : null;
    }

    private static IReadOnlyList<Atom>? SingleConcatenate(SimplifyScope s, Eqn e) =>
        e.Inputs.Count == 1 ? One(e[0]) : null;

    /// <summary>A dynamic slice as large as the operand starts at 0 whatever the indices (they are clamped).</summary>
    private static IReadOnlyList<Atom>? FullDynamicSlice(SimplifyScope s, Eqn e) =>
        e[0].Type.Shape == e.Out.Shape ? One(e[0]) : null;

    /// <summary>An update as large as the operand replaces all of it (the start is clamped to 0).</summary>
    private static IReadOnlyList<Atom>? FullUpdate(SimplifyScope s, Eqn e) =>
        e[1] is Var u && u.Type.Shape == e.Out.Shape ? One(u) : null;

    /// <summary>
    /// A reduction over no axes is a copy; over zero elements it is the identity (IR.md); over
    /// axes of size 1 only it is a reshape (one element: <c>x</c> exactly, <c>-0.0</c> and NaN
    /// included, for sum, product, max and min).
    /// </summary>
    private static IReadOnlyList<Atom>? TrivialReduction(SimplifyScope s, Eqn e)
    {
        var axes = ((ReduceParams)e.Params).Axes;
        if (axes.Length == 0) return One(e[0]);
        long count = ConstantFolding.ReducedCount(e);
        if (count == 0) return One(Lit(e.Out, ReductionIdentity(e)));
        if (count == 1) return Reshaped(s, e[0], e.Out);
        return null;
    }

    private static double ReductionIdentity(Eqn e)
    {
        var kind = ((ReduceOp)e.Primitive).Kind;
        bool f = IsFloat(e);
        return kind switch
        {
            ReduceKind.Sum => 0,
            ReduceKind.Prod => 1,
            ReduceKind.Max => f ? double.NegativeInfinity : int.MinValue,
            _ => f ? double.PositiveInfinity : int.MaxValue,
        };
    }

    /// <summary>A <c>cond</c> whose index is known, or whose branches are all equal, is its branch inlined.</summary>
    private static IReadOnlyList<Atom>? CondKnownBranch(SimplifyScope s, Eqn e)
    {
        int branch;
        if (s.Const(e[0]) is { } index)
            branch = index.DType == DType.Bool ? (index.Value != 0 ? 1 : 0) : (int)Math.Clamp(index.Value, 0, e.Subs.Count - 1);
        else if (e.Subs.All(b => b.Equals(e.Subs[0])))
            branch = 0;
        else return null;
        return Inline(s, e.Subs[branch], e.Inputs.Skip(1).ToList());
    }

    /// <summary>Emits the equations of <paramref name="f"/> applied to <paramref name="operands"/> into the scope; returns its results.</summary>
    internal static IReadOnlyList<Atom> Inline(SimplifyScope s, Function f, IReadOnlyList<Atom> operands)
    {
        var env = new Dictionary<Var, Atom>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < operands.Count; i++)
            // A literal operand stands for a scalar parameter, which the body may use where no literal may stand.
            env[f.Params[i]] = operands[i] is Literal lit ? s.ConstantArray(lit, f.Params[i].Type) : operands[i];
        Atom Read(Atom a) => a is Var v ? env[v] : a;
        foreach (var eq in f.Equations)
        {
            var outs = s.Emit(eq.Primitive, eq.Params, eq.Inputs.Select(Read).ToList(), eq.SubFunctions, eq.Location);
            for (int j = 0; j < outs.Count; j++) env[eq.Outputs[j]] = outs[j];
        }
        return f.Results.Select(Read).ToList();
    }
}

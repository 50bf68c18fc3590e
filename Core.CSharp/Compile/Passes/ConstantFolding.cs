using ArrayLang.Ir;
using ArrayLang.Primitives;
using ArrayLang.Values;

namespace ArrayLang.Compile.Passes;

/// <summary>
/// Constant folding (Note [constants] on <see cref="Simplifier"/>): an equation whose operands are
/// all literals or known constant arrays is evaluated with the primitive's reference evaluation,
/// so the folded value is exactly what the reference computes. Elementwise equations are
/// evaluated on one scalar (every element is the same); equations that only move data (transpose,
/// reshape, slice, take, pad with the same value, ...) give the same constant without evaluating
/// anything; others are evaluated on materialized operands no larger than
/// <see cref="SimplifyOptions.FoldElementLimit"/>, and fold only when every result is uniform.
/// Control flow is not evaluated here (a <c>cond</c> with a known index is inlined instead).
/// </summary>
internal static class ConstantFolding
{
    // Per data-moving primitive, the operands whose elements make up the result (the others are
    // indices or static): when those are all one constant value, so is the result.
    private static readonly Dictionary<Primitive, Func<int, int, bool>> DataOperands = new()
    {
        [ShapeOps.Transpose] = (i, n) => i == 0,
        [ShapeOps.Reshape] = (i, n) => i == 0,
        [ShapeOps.Squeeze] = (i, n) => i == 0,
        [ShapeOps.ExpandDims] = (i, n) => i == 0,
        [ShapeOps.Rev] = (i, n) => i == 0,
        [ShapeOps.BroadcastInDim] = (i, n) => i == 0,
        [Slicing.Slice] = (i, n) => i == 0,
        [Slicing.DynamicSlice] = (i, n) => i == 0,
        [Slicing.Take] = (i, n) => i == 0,
        [Slicing.Pad] = (i, n) => true,
        [Slicing.Concatenate] = (i, n) => true,
        [Slicing.DynamicUpdateSlice] = (i, n) => i < 2,
    };

    /// <summary>The constant results of <paramref name="e"/>, or null when it does not fold.</summary>
    public static IReadOnlyList<Atom>? Fold(SimplifyScope s, Eqn e)
    {
        if (e.Subs.Count > 0) return null;
        // broadcast_in_dim of a literal is how a constant is written: nothing to fold.
        if (e.Primitive == ShapeOps.BroadcastInDim && e[0] is Literal) return null;

        if (DataOperands.TryGetValue(e.Primitive, out var isData))
        {
            var data = e.Inputs.Where((_, i) => isData(i, e.Inputs.Count)).Select(s.Const).ToList();
            if (data.Count > 0 && data.All(c => c is not null && SameBits(c, data[0]!)))
                return [Retype(data[0]!, e.Out.DType)];
        }

        if ((e.Primitive == Reduction.ReduceMax || e.Primitive == Reduction.ReduceMin) &&
            s.Const(e[0]) is { } reduced && ReducedCount(e) > 0)
            return [reduced];   // the max or min of copies of one value is that value (NaN and -0 included)

        var consts = e.Inputs.Select(s.Const).ToList();
        if (consts.Any(c => c is null)) return null;

        if (SimplifyScope.IsElementwise(e.Primitive))
        {
            var outs = e.Primitive.Evaluate(e.Params, consts.Select(c => NDArray.FromLiteral(c!)).ToList(), e.Subs);
            return outs.Select((r, j) => (Atom)new Literal(e.OutTypes[j].DType, r.GetDouble(0))).ToList();
        }

        int limit = s.Options.FoldElementLimit;
        var operandTypes = e.Inputs.Select(a => a is Var v ? v.Type : a.Type).ToList();
        if (operandTypes.Any(t => t.Shape.ElementCount > limit) || e.OutTypes.Any(t => t.Shape.ElementCount > limit))
            return null;
        var args = consts.Select((c, i) => Filled(operandTypes[i], c!)).ToList();
        var results = e.Primitive.Evaluate(e.Params, args, e.Subs);
        var folded = new List<Atom>();
        for (int j = 0; j < results.Count; j++)
        {
            if (Uniform(results[j]) is not { } value) return null;
            folded.Add(new Literal(e.OutTypes[j].DType, value));
        }
        return folded;
    }

    /// <summary>How many elements each result element of a reduction combines.</summary>
    internal static long ReducedCount(Eqn e)
    {
        var shape = e[0].Type.Shape;
        return ((ReduceParams)e.Params).Axes.Aggregate(1L, (n, a) => n * shape[a]);
    }

    /// <summary>True when two literals have the same dtype and bits.</summary>
    internal static bool SameBits(Literal a, Literal b) => a.Equals(b);

    // A data-moving primitive keeps the dtype; the literal is already of it.
    private static Literal Retype(Literal l, DType d) => l.DType == d ? l : new Literal(d, l.Value);

    private static NDArray Filled(AVal type, Literal value)
    {
        var a = NDArray.Zeros(type);
        for (long i = 0; i < a.Length; i++) a.SetDouble(i, value.Value);
        return a;
    }

    /// <summary>The value of every element when all are bitwise equal (any value for an empty array), else null.</summary>
    private static double? Uniform(NDArray a)
    {
        if (a.Length == 0) return 0;
        long bits = BitConverter.DoubleToInt64Bits(a.GetDouble(0));
        for (long i = 1; i < a.Length; i++)
            if (BitConverter.DoubleToInt64Bits(a.GetDouble(i)) != bits) return null;
        return a.GetDouble(0);
    }
}

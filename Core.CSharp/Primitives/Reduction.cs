using ArrayLang.Ir;

namespace ArrayLang.Primitives;

/// <summary>Params of <c>reduce_sum</c>, <c>reduce_max</c>, <c>reduce_min</c> and <c>reduce_prod</c>:
/// the axes reduced over (distinct, in range, any order; empty makes the reduction a copy).</summary>
public sealed record ReduceParams(int[] Axes) : PrimParams
{
    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Ints("axes", Axes);

    /// <summary>Structural equality through the written form (the axes' values, not the array's identity).</summary>
    public bool Equals(ReduceParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();
}

/// <summary>Params of <c>argmax</c> and <c>argmin</c>: the axis searched (removed from the result).</summary>
public sealed record ArgParams(int Axis) : PrimParams
{
    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Int("axis", Axis);
}

/// <summary>Params of <c>cumsum</c> and <c>cummax</c>: the axis accumulated along, and whether the
/// accumulation runs from the end (<c>reverse=true</c>: element <c>i</c> covers <c>i..n-1</c>).</summary>
public sealed record CumulativeParams(int Axis, bool Reverse) : PrimParams
{
    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Int("axis", Axis).Bool("reverse", Reverse);
}

/// <summary>What a <see cref="ReduceOp"/> or <see cref="CumulativeOp"/> combines elements with.</summary>
public enum ReduceKind
{
    /// <summary>Addition (identity 0; i32 wraps; floats round once, see <see cref="CompensatedSum"/>).</summary>
    Sum,
    /// <summary>Multiplication (identity 1; i32 wraps; f32 multiplies in double and rounds once).</summary>
    Prod,
    /// <summary>Maximum (identity <c>-inf</c> or <c>INT_MIN</c>; NaN propagates; <c>max(-0, +0) = +0</c>).</summary>
    Max,
    /// <summary>Minimum (identity <c>inf</c> or <c>INT_MAX</c>; NaN propagates; <c>min(-0, +0) = -0</c>).</summary>
    Min,
}

/// <summary>
/// The reduction family (IR.md "reduction" and "cumulative" rows): <c>reduce_sum reduce_max
/// reduce_min reduce_prod</c> remove the reduced axes; <c>argmax argmin</c> give the i32 index of
/// the first extreme (or first NaN) along one axis; <c>cumsum cummax</c> keep the shape. Every one
/// takes f32, f64 or i32, and no literal operands. Their batching rules never move the batch
/// axis: they renumber the static axes past it.
/// </summary>
public static class Reduction
{
    /// <summary><c>reduce_sum[axes=[..]](x)</c>: the sum over the axes (0 over none).</summary>
    public static readonly ReduceOp ReduceSum = new("reduce_sum", ReduceKind.Sum);

    /// <summary><c>reduce_max[axes=[..]](x)</c>: the maximum over the axes (<c>-inf</c>/<c>INT_MIN</c> over none).</summary>
    public static readonly ReduceOp ReduceMax = new("reduce_max", ReduceKind.Max);

    /// <summary><c>reduce_min[axes=[..]](x)</c>: the minimum over the axes (<c>inf</c>/<c>INT_MAX</c> over none).</summary>
    public static readonly ReduceOp ReduceMin = new("reduce_min", ReduceKind.Min);

    /// <summary><c>reduce_prod[axes=[..]](x)</c>: the product over the axes (1 over none).</summary>
    public static readonly ReduceOp ReduceProd = new("reduce_prod", ReduceKind.Prod);

    /// <summary><c>argmax[axis=k](x)</c>: the i32 index of the first maximum (or first NaN) along axis k.</summary>
    public static readonly ArgOp ArgMax = new("argmax", isMax: true);

    /// <summary><c>argmin[axis=k](x)</c>: the i32 index of the first minimum (or first NaN) along axis k.</summary>
    public static readonly ArgOp ArgMin = new("argmin", isMax: false);

    /// <summary><c>cumsum[axis=k, reverse=false](x)</c>: running sums along axis k.</summary>
    public static readonly CumulativeOp CumSum = new("cumsum", ReduceKind.Sum);

    /// <summary><c>cummax[axis=k, reverse=false](x)</c>: running maxima along axis k.</summary>
    public static readonly CumulativeOp CumMax = new("cummax", ReduceKind.Max);

    /// <summary>Registers the family's primitives and batching rules.</summary>
    public static void Register(Registrar r)
    {
        foreach (var op in new[] { ReduceSum, ReduceMax, ReduceMin, ReduceProd })
            r.Add(op, (ctx, p, ins, subs) => ReduceOp.Batch(ctx, op, (ReduceParams)p, ins[0]));
        foreach (var op in new[] { ArgMax, ArgMin })
            r.Add(op, (ctx, p, ins, subs) => ArgOp.Batch(ctx, op, (ArgParams)p, ins[0]));
        foreach (var op in new[] { CumSum, CumMax })
            r.Add(op, (ctx, p, ins, subs) => CumulativeOp.Batch(ctx, op, (CumulativeParams)p, ins[0]));
    }
}

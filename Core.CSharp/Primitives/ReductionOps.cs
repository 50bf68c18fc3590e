using ArrayLang.Ir;
using ArrayLang.Transforms;
using ArrayLang.Values;
using static ArrayLang.Primitives.ReductionMath;

namespace ArrayLang.Primitives;

/// <summary>
/// <c>reduce_sum</c>, <c>reduce_prod</c>, <c>reduce_max</c> and <c>reduce_min</c>:
/// <c>reduce_*[axes=[..]](x)</c> combines the elements of <c>x</c> over the listed axes, which the
/// result drops. The axes are distinct and in range, in any order; the elements are combined in
/// row-major order of the reduced axes, ascending. Over zero elements the result is the identity.
/// </summary>
public sealed class ReduceOp : Primitive<ReduceParams>
{
    /// <summary>Creates a reduction with its IR text name and what it combines with.</summary>
    public ReduceOp(string name, ReduceKind kind) : base(name) => Kind = kind;

    /// <summary>What the reduction combines elements with.</summary>
    public ReduceKind Kind { get; }

    /// <inheritdoc />
    public override ReduceParams Read(ParamReader r) => new(r.Ints("axes"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(ReduceParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 1) throw Error($"expects 1 operand, found {ops.Count}");
        RequireVariables(Name, ops);
        var t = ops[0].Type;
        RequireNumeric(Name, t);
        var seen = new HashSet<int>();
        foreach (var a in p.Axes)
        {
            if (a < 0 || a >= t.Rank)
                throw Error($"axes={Show(p.Axes)}: axis {a} is out of range for operand {t} of rank {t.Rank}" +
                    (t.Rank == 0 ? " (a scalar has no axes)" : $" (axes 0..{t.Rank - 1})"));
            if (!seen.Add(a))
                throw Error($"axes={Show(p.Axes)}: axis {a} is listed twice (operand {t})");
        }
        return [t.WithShape(new Shape(OtherAxes(t.Rank, p.Axes).Select(i => t.Shape[i])))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, ReduceParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(ReduceParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var x = inputs[0];
        var kept = OtherAxes(x.Shape.Rank, p.Axes);
        var starts = Offsets(x.Shape, kept);
        var terms = Offsets(x.Shape, p.Axes.Order().ToArray());
        var r = NDArray.Zeros(new AVal(x.DType, new Shape(kept.Select(i => x.Shape[i]))));
        for (int n = 0; n < starts.Length; n++)
        {
            if (x.DType == DType.I32) r.I32[n] = CombineInts(x.I32, starts[n], terms);
            else r.SetDouble(n, CombineFloats(x, starts[n], terms));
        }
        return [r];
    }

    // Floats are combined in double: f32 values are exact in double, and the one conversion back
    // to f32 (in SetDouble) is the one rounding (Note [rounding once] on CompensatedSum).
    private double CombineFloats(NDArray x, int start, int[] terms)
    {
        switch (Kind)
        {
            case ReduceKind.Sum:
            {
                var s = new CompensatedSum();
                foreach (var t in terms) s.Add(x.GetDouble(start + t));
                return s.Result;
            }
            case ReduceKind.Prod:
            {
                double acc = 1;
                foreach (var t in terms) acc *= x.GetDouble(start + t);
                return acc;
            }
            case ReduceKind.Max:
            {
                double acc = double.NegativeInfinity;
                foreach (var t in terms) acc = Max(acc, x.GetDouble(start + t));
                return acc;
            }
            default:
            {
                double acc = double.PositiveInfinity;
                foreach (var t in terms) acc = Min(acc, x.GetDouble(start + t));
                return acc;
            }
        }
    }

    private int CombineInts(int[] x, int start, int[] terms)
    {
        int acc = Kind switch
        {
            ReduceKind.Sum => 0,
            ReduceKind.Prod => 1,
            ReduceKind.Max => int.MinValue,
            _ => int.MaxValue,
        };
        foreach (var t in terms)
        {
            int v = x[start + t];
            acc = Kind switch
            {
                ReduceKind.Sum => unchecked(acc + v),
                ReduceKind.Prod => unchecked(acc * v),
                ReduceKind.Max => Math.Max(acc, v),
                _ => Math.Min(acc, v),
            };
        }
        return acc;
    }

    /// <summary>
    /// Batching: the same reduction with every axis at or past the batch axis shifted by one; the
    /// batch axis stays in place, so in the result it sits after the kept axes before it.
    /// </summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, ReduceOp op, ReduceParams p, BatchedAtom x)
    {
        int d = x.BatchDim!.Value;
        var axes = p.Axes.Select(a => a < d ? a : a + 1).ToArray();
        int outDim = d - p.Axes.Count(a => a < d);
        return [new(ctx.Emit1(op, new ReduceParams(axes), x.Atom), outDim)];
    }
}

/// <summary>
/// <c>argmax[axis=k](x)</c> and <c>argmin[axis=k](x)</c>: along axis <c>k</c> (removed from the
/// result), the i32 index of the first maximum (minimum); when the lane holds a NaN, the index of
/// the first NaN (NumPy, JAX). <c>-0</c> and <c>+0</c> compare equal, so the first of them wins.
/// An axis of size 0 is a type error.
/// </summary>
public sealed class ArgOp : Primitive<ArgParams>
{
    /// <summary>Creates <c>argmax</c> (<paramref name="isMax"/>) or <c>argmin</c>.</summary>
    public ArgOp(string name, bool isMax) : base(name) => IsMax = isMax;

    /// <summary>True for <c>argmax</c>, false for <c>argmin</c>.</summary>
    public bool IsMax { get; }

    /// <inheritdoc />
    public override ArgParams Read(ParamReader r) => new(r.Int("axis"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(ArgParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 1) throw Error($"expects 1 operand, found {ops.Count}");
        RequireVariables(Name, ops);
        var t = ops[0].Type;
        RequireNumeric(Name, t);
        if (p.Axis < 0 || p.Axis >= t.Rank)
            throw Error($"axis={p.Axis} is out of range for operand {t} of rank {t.Rank}" +
                (t.Rank == 0 ? " (a scalar has no axes)" : $" (axes 0..{t.Rank - 1})"));
        if (t.Shape[p.Axis] == 0)
            throw Error($"axis={p.Axis} of operand {t} has size 0, so there is no index to return");
        return [new AVal(DType.I32, t.Shape.Remove(p.Axis))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, ArgParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(ArgParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var x = inputs[0];
        var starts = Offsets(x.Shape, OtherAxes(x.Shape.Rank, [p.Axis]));
        int stride = x.Shape.Strides()[p.Axis], n = x.Shape[p.Axis];
        var r = NDArray.Zeros(new AVal(DType.I32, x.Shape.Remove(p.Axis)));
        // GetDouble is exact for every dtype, so one comparison loop serves f32, f64 and i32.
        for (int o = 0; o < starts.Length; o++)
        {
            int best = 0;
            double bestValue = x.GetDouble(starts[o]);
            for (int i = 1; i < n && !double.IsNaN(bestValue); i++)
            {
                double v = x.GetDouble(starts[o] + i * stride);
                if (double.IsNaN(v) || (IsMax ? v > bestValue : v < bestValue))
                    (best, bestValue) = (i, v);
            }
            r.I32[o] = best;
        }
        return [r];
    }

    /// <summary>Batching: the axis shifts past the batch axis, which stays in place (one earlier in
    /// the result when the searched axis was before it).</summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, ArgOp op, ArgParams p, BatchedAtom x)
    {
        int d = x.BatchDim!.Value;
        int axis = p.Axis < d ? p.Axis : p.Axis + 1;
        int outDim = p.Axis < d ? d - 1 : d;
        return [new(ctx.Emit1(op, new ArgParams(axis), x.Atom), outDim)];
    }
}

/// <summary>
/// <c>cumsum[axis=k, reverse=false](x)</c> and <c>cummax[..]</c>: element <c>i</c> along axis
/// <c>k</c> combines elements <c>0..i</c> (with <c>reverse=true</c>, elements <c>i..n-1</c>).
/// The result has the operand's type. Each element of a float <c>cumsum</c> is rounded once
/// (<see cref="CompensatedSum"/>); i32 wraps; <c>cummax</c> propagates NaN from its first NaN on
/// and prefers <c>+0</c> to <c>-0</c>.
/// </summary>
public sealed class CumulativeOp : Primitive<CumulativeParams>
{
    /// <summary>Creates a cumulative primitive with its IR text name; <paramref name="kind"/> is
    /// <see cref="ReduceKind.Sum"/> or <see cref="ReduceKind.Max"/>.</summary>
    public CumulativeOp(string name, ReduceKind kind) : base(name)
    {
        if (kind is not (ReduceKind.Sum or ReduceKind.Max))
            throw new ArgumentException($"{name}: a cumulative primitive sums or takes maxima, not {kind}");
        Kind = kind;
    }

    /// <summary>What the running value combines elements with.</summary>
    public ReduceKind Kind { get; }

    /// <inheritdoc />
    public override CumulativeParams Read(ParamReader r) => new(r.Int("axis"), r.Bool("reverse", false));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(CumulativeParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 1) throw Error($"expects 1 operand, found {ops.Count}");
        RequireVariables(Name, ops);
        var t = ops[0].Type;
        RequireNumeric(Name, t);
        if (p.Axis < 0 || p.Axis >= t.Rank)
            throw Error($"axis={p.Axis} is out of range for operand {t} of rank {t.Rank}" +
                (t.Rank == 0 ? " (a scalar has no axes)" : $" (axes 0..{t.Rank - 1})"));
        return [t];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, CumulativeParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(CumulativeParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var x = inputs[0];
        var starts = Offsets(x.Shape, OtherAxes(x.Shape.Rank, [p.Axis]));
        int stride = x.Shape.Strides()[p.Axis], n = x.Shape[p.Axis];
        var r = NDArray.Zeros(x.Type);
        foreach (var start in starts)
        {
            var sum = new CompensatedSum();
            double acc = double.NegativeInfinity;
            int accInt = Kind == ReduceKind.Sum ? 0 : int.MinValue;
            for (int step = 0; step < n; step++)
            {
                int at = start + (p.Reverse ? n - 1 - step : step) * stride;
                if (x.DType == DType.I32)
                {
                    int v = x.I32[at];
                    accInt = Kind == ReduceKind.Sum ? unchecked(accInt + v) : Math.Max(accInt, v);
                    r.I32[at] = accInt;
                }
                else if (Kind == ReduceKind.Sum)
                {
                    sum.Add(x.GetDouble(at));
                    r.SetDouble(at, sum.Result);
                }
                else
                {
                    acc = Max(acc, x.GetDouble(at));
                    r.SetDouble(at, acc);
                }
            }
        }
        return [r];
    }

    /// <summary>Batching: the axis shifts past the batch axis, which stays where it is.</summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, CumulativeOp op, CumulativeParams p, BatchedAtom x)
    {
        int d = x.BatchDim!.Value;
        int axis = p.Axis < d ? p.Axis : p.Axis + 1;
        return [new(ctx.Emit1(op, p with { Axis = axis }, x.Atom), d)];
    }
}

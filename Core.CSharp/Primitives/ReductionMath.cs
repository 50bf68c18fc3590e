using System.Numerics;
using ArrayLang.Ir;

namespace ArrayLang.Primitives;

/// <summary>
/// A floating-point sum that rounds once at the end: it keeps the running sum and, beside it,
/// the exact rounding error of every addition (Knuth's two-sum) and of every product
/// (<c>fma(a, b, -a*b)</c>), so the result is as accurate as summing in about twice double's
/// precision (Ogita, Rump and Oishi's <c>Sum2</c>/<c>Dot2</c>). The reference evaluator uses it
/// for f32 and f64 sums, cumulative sums and <c>dot_general</c>: see Note [rounding once].
/// The sum is that of the terms alone, with no extra <c>+0</c> term: one term gives that term
/// exactly (so <c>reduce_sum[axes=[]]</c> is a copy and a sum of <c>-0.0</c> values is
/// <c>-0.0</c>, as IEEE addition gives), and no terms give <c>+0</c>. When the running sum leaves
/// the finite range (an infinity or NaN among the terms, or an overflow) the result is that
/// running sum, which follows IEEE arithmetic.
/// </summary>
/// <remarks>
/// Note [rounding once]: IR.md says the reference evaluator rounds once per primitive. For f32,
/// the terms (and products of two f32 values) are exact in double, and the compensated double
/// sum is rounded to f32 once at the end. For f64, the compensated sum is correctly rounded
/// except in rare cancellation cases, which is as close to "once" as a scalar loop gets. i32 sums
/// and products simply wrap modulo 2^32, which is exact. Products (<c>reduce_prod</c>) multiply in
/// double: an f32 product is rounded to f32 once at the end (exact in double for two factors,
/// within about n ulps of double otherwise, and free of f32's intermediate overflow), while an
/// f64 product rounds at every step, since an exact product would need unbounded precision.
/// </remarks>
public struct CompensatedSum
{
    private double _sum;
    private double _error;
    private bool _started;

    /// <summary>Adds one term.</summary>
    public void Add(double x)
    {
        if (!_started)
        {
            (_sum, _started) = (x, true);
            return;
        }
        double t = _sum + x;
        double z = t - _sum;
        _error += (_sum - (t - z)) + (x - z);
        _sum = t;
    }

    /// <summary>Adds the exact product <c>a*b</c> (its rounding error is kept too).</summary>
    public void AddProduct(double a, double b)
    {
        double p = a * b;
        double e = Math.FusedMultiplyAdd(a, b, -p);
        Add(p);
        _error += e;
    }

    /// <summary>The sum so far, rounded to double once (<c>+0</c> before any term).</summary>
    /// <remarks>A zero error term is not added, so that a <c>-0.0</c> sum keeps its sign.</remarks>
    public readonly double Result => !_started ? 0.0 : double.IsFinite(_sum) && _error != 0 ? _sum + _error : _sum;
}

/// <summary>
/// The scalar rules of the reductions (IR.md "Exact semantics"): identities, NaN-propagating
/// <c>max</c>/<c>min</c> with <c>max(-0, +0) = +0</c> and <c>min(-0, +0) = -0</c>, and the index
/// arithmetic that lays a reduction or contraction out over a row-major array.
/// </summary>
public static class ReductionMath
{
    /// <summary>The larger of two floats; a NaN operand wins (the accumulator's first), and
    /// <c>+0</c> beats <c>-0</c>.</summary>
    public static T Max<T>(T acc, T x) where T : IFloatingPointIeee754<T>
    {
        if (T.IsNaN(acc)) return acc;
        if (T.IsNaN(x)) return x;
        if (x > acc) return x;
        if (x == acc && T.IsZero(x) && T.IsNegative(acc)) return x;
        return acc;
    }

    /// <summary>The smaller of two floats; a NaN operand wins (the accumulator's first), and
    /// <c>-0</c> beats <c>+0</c>.</summary>
    public static T Min<T>(T acc, T x) where T : IFloatingPointIeee754<T>
    {
        if (T.IsNaN(acc)) return acc;
        if (T.IsNaN(x)) return x;
        if (x < acc) return x;
        if (x == acc && T.IsZero(x) && T.IsNegative(x)) return x;
        return acc;
    }

    /// <summary>
    /// The flat offsets into a row-major array of shape <paramref name="shape"/> of every
    /// multi-index over the listed <paramref name="axes"/> (the other indices 0), in row-major
    /// order of that multi-index (the first listed axis varies slowest). No axes give <c>[0]</c>;
    /// an axis of size 0 gives none.
    /// </summary>
    public static int[] Offsets(Shape shape, IReadOnlyList<int> axes)
    {
        var strides = shape.Strides();
        long count = 1;
        foreach (var a in axes) count *= shape[a];
        var result = new int[checked((int)count)];
        var idx = new int[axes.Count];
        for (int n = 0; n < result.Length; n++)
        {
            int off = 0;
            for (int k = 0; k < axes.Count; k++) off += idx[k] * strides[axes[k]];
            result[n] = off;
            for (int k = axes.Count - 1; k >= 0; k--)
            {
                if (++idx[k] < shape[axes[k]]) break;
                idx[k] = 0;
            }
        }
        return result;
    }

    /// <summary>The axes <c>0..rank-1</c> that are not in <paramref name="excluded"/>, ascending.</summary>
    public static int[] OtherAxes(int rank, IEnumerable<int> excluded)
    {
        var set = excluded.ToHashSet();
        return Enumerable.Range(0, rank).Where(i => !set.Contains(i)).ToArray();
    }

    /// <summary>A type error unless the type <paramref name="t"/> is f32, f64 or i32.</summary>
    internal static void RequireNumeric(string prim, AVal t, string what = "operand")
    {
        if (!t.DType.IsNumeric())
            throw new TypeError($"{prim}: expected an f32, f64 or i32 {what}, found {t}");
    }

    /// <summary>A type error when an operand is a literal (these primitives take none).</summary>
    internal static void RequireVariables(string prim, IReadOnlyList<Operand> ops)
    {
        for (int i = 0; i < ops.Count; i++)
            if (ops[i].IsLiteral)
                throw new TypeError($"{prim}: operand {i + 1} may not be a literal, found a literal {ops[i].Type.DType.Name()}");
    }

    /// <summary>"[1,2]" for messages.</summary>
    internal static string Show(IEnumerable<int> xs) => "[" + string.Join(",", xs) + "]";
}

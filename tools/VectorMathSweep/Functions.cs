using ArrayLang.Backends.Cpu;
using ArrayLang.Reference;

namespace ArrayLang.Tools.VectorMathSweep;

/// <summary>A float function under test: the vector math span function and its reference.</summary>
/// <param name="Name">The IR primitive name.</param>
/// <param name="Vector">The span function under test.</param>
/// <param name="Scalar">The scalar function under test (must give the same bits).</param>
/// <param name="Reference">The exact value in double, as the reference evaluator computes it.</param>
/// <param name="Odd">The reference is odd, <c>f(-x) = -f(x)</c> bit for bit, so it is computed once per magnitude.</param>
/// <param name="Fast">
/// An accurate double formula for float inputs (relative error below 2^-40), used in place of a slow
/// <paramref name="Reference"/> except for special inputs and where its value lies within 10^-4 ulp
/// of a float rounding midpoint: there <paramref name="Reference"/> decides, so the correctly rounded
/// reference is the same as if <paramref name="Reference"/> were used everywhere.
/// </param>
internal sealed record UnaryFunction(
    string Name,
    SpanAction Vector,
    Func<float, float> Scalar,
    Func<double, double> Reference,
    bool Odd = false,
    Func<double, double>? Fast = null);

/// <summary>A binary float function under test.</summary>
internal sealed record BinaryFunction(
    string Name,
    BinarySpanAction Vector,
    Func<float, float, float> Scalar,
    Func<double, double, double> Reference);

internal delegate void SpanAction(ReadOnlySpan<float> x, Span<float> result);
internal delegate void BinarySpanAction(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> result);

internal static class Functions
{
    // The references are the reference evaluator's own definitions (Primitives/Elementwise.cs):
    // Math.* where the BCL is accurate, ScalarMath where it is not, evaluated in double and
    // rounded to float once.
    public static readonly UnaryFunction[] Unary =
    [
        new("exp", VectorMath.Exp, VectorMath.Exp, Math.Exp),
        new("log", VectorMath.Log, VectorMath.Log, Math.Log),
        new("log1p", VectorMath.Log1p, VectorMath.Log1p, ScalarMath.Log1p, Fast: FastReferences.Log1p),
        new("expm1", VectorMath.Expm1, VectorMath.Expm1, ScalarMath.Expm1, Fast: FastReferences.Expm1),
        new("sin", VectorMath.Sin, VectorMath.Sin, Math.Sin),
        new("cos", VectorMath.Cos, VectorMath.Cos, Math.Cos),
        new("tan", VectorMath.Tan, VectorMath.Tan, Math.Tan),
        new("tanh", VectorMath.Tanh, VectorMath.Tanh, Math.Tanh),
        new("logistic", VectorMath.Logistic, VectorMath.Logistic, ScalarMath.Logistic, Fast: FastReferences.Logistic),
        new("erf", VectorMath.Erf, VectorMath.Erf, ScalarMath.Erf, Odd: true, Fast: FastReferences.Erf),
    ];

    public static readonly BinaryFunction[] Binary =
    [
        new("pow", VectorMath.Pow, VectorMath.Pow, ScalarMath.Pow),
        new("atan2", VectorMath.Atan2, VectorMath.Atan2, Math.Atan2),
    ];
}

/// <summary>
/// Double formulas accurate to better than 2^-40 relative for every float input, much faster than
/// ScalarMath's double-double series (see <see cref="UnaryFunction.Fast"/>). A float x has 24
/// significant bits, so 1 + x is exact in double for |x| >= 2^-29, and tiny |x| take the first
/// terms of the Taylor series.
/// </summary>
internal static class FastReferences
{
    public static double Log1p(double x) =>
        Math.Abs(x) < 1.0 / (1 << 29) ? x - x * x / 2 + x * x * x / 3 : Math.Log(1.0 + x);

    // exp(x) - 1 loses at most 2^-53 absolutely, which is below 2^-33 relatively from |x| = 2^-20 on.
    public static double Expm1(double x) =>
        Math.Abs(x) < 1.0 / (1 << 20) ? x + x * x / 2 + x * x * x / 6 + x * x * x * x / 24 : Math.Exp(x) - 1.0;

    public static double Logistic(double x)
    {
        if (x >= 0) return 1 / (1 + Math.Exp(-x));
        double e = Math.Exp(x);
        return e / (1 + e);
    }

    // Odd: 2x/sqrt(pi) (1 - x^2/3 + x^4/10) below 2^-13 (the next term is 2^-78 relative); 1 beyond
    // 10 (erfc(10) = 2e-45); ScalarMath.Erf in between.
    public static double Erf(double x)
    {
        double a = Math.Abs(x);
        if (a < 1.0 / (1 << 13))
        {
            double x2 = x * x;
            return 1.1283791670955126 * x * (1 - x2 / 3 + x2 * x2 / 10);
        }
        if (a > 10) return Math.CopySign(1.0, x);
        return ScalarMath.Erf(x);
    }
}

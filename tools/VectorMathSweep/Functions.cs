using ArrayLang.Backends.Cpu;
using ArrayLang.Reference;

namespace ArrayLang.Tools.VectorMathSweep;

/// <summary>A float function under test: the vector math span function and its reference.</summary>
/// <param name="Name">The IR primitive name.</param>
/// <param name="Vector">The span function under test.</param>
/// <param name="Scalar">The scalar function under test (must give the same bits).</param>
/// <param name="Reference">The exact value in double, as the reference evaluator computes it.</param>
/// <param name="Odd">The reference is odd, <c>f(-x) = -f(x)</c> bit for bit, so it is computed once per magnitude.</param>
internal sealed record UnaryFunction(
    string Name,
    SpanAction Vector,
    Func<float, float> Scalar,
    Func<double, double> Reference,
    bool Odd = false);

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
        new("log1p", VectorMath.Log1p, VectorMath.Log1p, ScalarMath.Log1p),
        new("expm1", VectorMath.Expm1, VectorMath.Expm1, ScalarMath.Expm1),
        new("sin", VectorMath.Sin, VectorMath.Sin, Math.Sin),
        new("cos", VectorMath.Cos, VectorMath.Cos, Math.Cos),
        new("tan", VectorMath.Tan, VectorMath.Tan, Math.Tan),
        new("tanh", VectorMath.Tanh, VectorMath.Tanh, Math.Tanh),
        new("logistic", VectorMath.Logistic, VectorMath.Logistic, ScalarMath.Logistic),
        new("erf", VectorMath.Erf, VectorMath.Erf, ScalarMath.Erf, Odd: true),
    ];

    public static readonly BinaryFunction[] Binary =
    [
        new("pow", VectorMath.Pow, VectorMath.Pow, ScalarMath.Pow),
        new("atan2", VectorMath.Atan2, VectorMath.Atan2, Math.Atan2),
    ];
}

using ArrayLang.Ir;

namespace ArrayLang.Backends.Cpu;

// Note [error bounds]
// ~~~~~~~~~~~~~~~~~~~
// A bound is the most ulps between VectorMath's result and the reference evaluator's result for
// the same input: for float that is the correctly rounded value (the reference computes in double
// and rounds once); for double it is Math.* or ScalarMath's double, themselves within about half an
// ulp of the exact value. Float bounds of unary functions come from the exhaustive sweep over all
// 2^32 inputs (tools/VectorMathSweep); pow and atan2 compute in double and round once, and their
// bound is confirmed on 2^28 pairs plus an edge grid. Double bounds come from samples (2M per
// function), so they carry one ulp of margin over the largest error seen. docs/backends.md, section
// "CPU vector math", lists them with the measured figures; the tests assert them.

public static partial class VectorMath
{
    private static readonly Dictionary<string, (int F32, int F64)> Bounds = new()
    {
        ["exp"] = (1, 2),
        ["log"] = (1, 2),
        ["log1p"] = (1, 2),
        ["expm1"] = (1, 2),
        ["sin"] = (1, 2),
        ["cos"] = (1, 2),
        ["tan"] = (1, 3),
        ["tanh"] = (1, 4),
        ["logistic"] = (2, 3),
        ["erf"] = (1, 0),
        ["pow"] = (1, 0),
        ["atan2"] = (1, 0),
    };

    /// <summary>The IR primitives (by name) that VectorMath implements, for <c>f32</c> and <c>f64</c>.</summary>
    public static IReadOnlyCollection<string> Functions => Bounds.Keys;

    /// <summary>
    /// The documented error bound of <paramref name="primitive"/> (an IR name such as <c>"exp"</c>)
    /// for <paramref name="dtype"/> <c>f32</c> or <c>f64</c>: the most ulps between VectorMath's
    /// result and the reference evaluator's, over every input (Note [error bounds]). Special values
    /// (NaN, infinities, signed zeros) are always exact. A backend's conformance tests use it as the
    /// tolerance of these primitives.
    /// </summary>
    /// <exception cref="ArgumentException">The primitive is not one of <see cref="Functions"/>, or the dtype is not a float.</exception>
    public static int MaxUlpError(string primitive, DType dtype)
    {
        if (!Bounds.TryGetValue(primitive, out var bound))
            throw new ArgumentException(
                $"VectorMath has no function '{primitive}'; it implements {string.Join(", ", Bounds.Keys)}", nameof(primitive));
        return dtype switch
        {
            DType.F32 => bound.F32,
            DType.F64 => bound.F64,
            _ => throw new ArgumentException($"VectorMath computes f32 and f64 only, not {dtype.Name()}", nameof(dtype)),
        };
    }
}

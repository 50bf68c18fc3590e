using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ArrayLang.Backends.Cpu;

// Note [exp reduction]
// ~~~~~~~~~~~~~~~~~~~~
// exp(x) = 2^k exp(r) with k = round(x / ln2) and r = x - k ln2, |r| <= ln2/2. ln2 is split as
// Ln2Hi + Ln2Lo with Ln2Hi holding 16 significant bits, so k * Ln2Hi is exact for |k| < 2^8 and the
// first fused multiply-add x - k * Ln2Hi is exact (its result is a small multiple of ulp(x) or of
// 2^-24); the second one subtracts k * Ln2Lo with one rounding, which perturbs exp(r) by at most
// 2^-25 relative. exp(r) = 1 + (r + r^2 q(r)) with q a degree-4 minimax polynomial (relative error
// 2^-28 with float coefficients), added to 1 last so that the rounding errors of the small part
// stay small. The scaling by 2^k is one exact multiplication while 2^k is a normal float; beyond
// (x > 87.3 or x < -87.3) it is two multiplications by 2^(k/2) and 2^(k - k/2), the second of which
// rounds once into the overflow or denormal range, exactly as a single rounding of p * 2^k would.
// expm1 reduces with k = trunc(x / ln2) instead, so that r has the sign of x and
// expm1(x) = 2^k expm1(r) + (2^k - 1) adds two terms of one sign (no cancellation, Note [expm1]).
//
// Note [expm1]
// ~~~~~~~~~~~~
// expm1(x) = 2^k (1 + p) - 1 with p = expm1(r), evaluated as fma(2^k, p, 2^k - 1): 2^k - 1 is exact
// for |k| <= 24, and with k = trunc(x / ln2) both terms have the sign of x, so p's relative error
// reaches the result at most halved (k >= 1) or reduced further (k <= -1). For |x| < ln2, k = 0 and
// the result is p itself, a polynomial r + r^2/2 + r^3 q(r) with relative error 2^-27.8: expm1 keeps
// full relative accuracy near 0, where exp(x) - 1 would lose every digit.

public static partial class VectorMath
{
    private const float Log2E = 1.44269504f;
    private const float Ln2Hi = 0.693145751953125f;   // 0x3f317200, 16 significant bits
    private const float Ln2Lo = 1.42860677e-6f;       // ln2 - Ln2Hi rounded

    /// <summary>e^x per lane, Note [exp reduction].</summary>
    internal struct ExpF32 : IUnaryF32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, IF32Lanes<TV>
        {
            // Beyond [-104, 89] the result is 0 or +inf; the clamp keeps k within two-step scaling range.
            var xc = TV.Clamp(x, TV.Splat(-104f), TV.Splat(89f));
            var k = TV.Round(xc * TV.Splat(Log2E));
            var r = TV.Fma(k, TV.Splat(-Ln2Hi), xc);
            r = TV.Fma(k, TV.Splat(-Ln2Lo), r);
            var q = Horner(r, 0.49999994f, 0.166665211f, 0.041668389f, 0.00836871658f, 0.00138145988f);
            var p = TV.Splat(1f) + TV.Fma(q, r * r, r);
            if (TV.AnyTrue(TV.GreaterThan(TV.Abs(k), TV.Splat(126f))))
            {
                // Two exact steps, then one rounding into the overflow or denormal range.
                var ki = TV.ConvertToInt(k);
                var k1 = TV.ShiftRightArithmeticInt(ki, 1);
                var k2 = TV.SubtractInt(ki, k1);
                var s1 = TV.ShiftLeftInt(TV.AddInt(k1, TV.SplatBits(127)), 23);
                var s2 = TV.ShiftLeftInt(TV.AddInt(k2, TV.SplatBits(127)), 23);
                return p * s1 * s2;
            }
            return p * Pow2(k);
        }
    }

    /// <summary>e^x - 1 per lane, Note [expm1].</summary>
    internal struct Expm1F32 : IUnaryF32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, IF32Lanes<TV>
        {
            // Below -18 the result rounds to -1; 88.7228317 is the largest float whose expm1 is finite.
            var xc = TV.Clamp(x, TV.Splat(-18f), TV.Splat(88.7228317f));
            var k = TV.Truncate(xc * TV.Splat(Log2E));
            var r = TV.Fma(k, TV.Splat(-Ln2Hi), xc);
            r = TV.Fma(k, TV.Splat(-Ln2Lo), r);
            var q = Horner(r, 0.166666746f, 0.0416666977f, 0.00833247323f, 0.00138862978f, 0.000201218005f, 2.53662383e-05f);
            q = TV.Fma(q, r, TV.Splat(0.5f));
            var p = TV.Fma(q, r * r, r);
            var scale = Pow2(k);
            var result = TV.Fma(scale, p, scale - TV.Splat(1f));
            result = TV.Select(TV.GreaterThan(x, TV.Splat(88.7228317f)), TV.Splat(float.PositiveInfinity), result);
            return TV.Select(TV.Equal(x, TV.Splat(0f)), x, result); // expm1(-0) = -0
        }
    }
}

public static partial class VectorMath
{
    /// <summary>
    /// e^x for each of 16 lanes. Error at most BOUND_EXP of the correctly rounded result;
    /// <c>exp(-inf) = +0</c>, <c>exp(+inf) = +inf</c>, NaN gives NaN, results above float's range
    /// (x &gt; 88.7228) overflow to +inf and small results (x &lt; -87.34) are denormal, then 0.
    /// </summary>
    public static Vector512<float> Exp(Vector512<float> x) => ExpF32.Apply(new F32x16(x)).V;

    /// <summary>e^x for each of 8 lanes; the same bits as <see cref="Exp(Vector512{float})"/> per lane.</summary>
    public static Vector256<float> Exp(Vector256<float> x) => ExpF32.Apply(new F32x8(x)).V;

    /// <summary>e^x of one float; the same bits as a lane of <see cref="Exp(Vector512{float})"/>.</summary>
    public static float Exp(float x) => F32x4.GetLane(ExpF32.Apply(F32x4.Splat(x)), 0);

    /// <summary>e^x of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> result) => Map<ExpF32>(x, result);

    /// <summary>
    /// e^x - 1 for each of 16 lanes, accurate near 0 (no cancellation). Error at most BOUND_EXPM1;
    /// <c>expm1(±0) = ±0</c>, <c>expm1(-inf) = -1</c>, <c>expm1(+inf) = +inf</c>, NaN gives NaN,
    /// overflow (x &gt; 88.7228) gives +inf.
    /// </summary>
    public static Vector512<float> Expm1(Vector512<float> x) => Expm1F32.Apply(new F32x16(x)).V;

    /// <summary>e^x - 1 for each of 8 lanes; the same bits as <see cref="Expm1(Vector512{float})"/> per lane.</summary>
    public static Vector256<float> Expm1(Vector256<float> x) => Expm1F32.Apply(new F32x8(x)).V;

    /// <summary>e^x - 1 of one float; the same bits as a lane of <see cref="Expm1(Vector512{float})"/>.</summary>
    public static float Expm1(float x) => F32x4.GetLane(Expm1F32.Apply(F32x4.Splat(x)), 0);

    /// <summary>e^x - 1 of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Expm1(ReadOnlySpan<float> x, Span<float> result) => Map<Expm1F32>(x, result);
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ArrayLang.Backends.Cpu;

// Note [tanh and logistic]
// ~~~~~~~~~~~~~~~~~~~~~~~~
// tanh is odd: with a = |x|, below 0.75 it is a + a^3 p(a^2), p a degree-5 minimax polynomial
// (relative error 2^-26.3 with float coefficients); from 0.75 on it is 1 - 2 / (e^(2a) + 1) with
// e^(2a) from the exp kernel (2a is exact), where 2 / (e^(2a) + 1) <= 0.37 so its errors reach the
// result reduced; past a = 44.4 e^(2a) overflows and the result is exactly 1. x's sign is put back
// last (tanh(-0) = -0). Each vector computes only the branches its lanes need.
//
// logistic(x) = 1 / (1 + e^-x) as IR.md defines it, computed as num / (1 + E) with E = e^-|x| <= 1
// and num = 1 for x >= 0, E for x < 0: nothing overflows, a large negative x gives E itself (the
// denormal range included), and the error is that of E (Note [exp reduction]) plus two roundings.

public static partial class VectorMath
{
    private const float TanhPolyLimit = 0.75f;

    /// <summary>Hyperbolic tangent per lane, Note [tanh and logistic].</summary>
    internal struct TanhF32 : IUnaryF32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, IF32Lanes<TV>
        {
            var a = TV.Abs(x);
            var small = TV.LessThan(a, TV.Splat(TanhPolyLimit));
            TV result;
            if (!TV.AnyTrue(TV.AndNot(TV.SplatBits(-1), small))) result = Small(a);
            else if (!TV.AnyTrue(small)) result = Large(a);
            else result = TV.Select(small, Small(a), Large(a));
            return result ^ SignBit(x);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TV Small<TV>(TV a) where TV : struct, IF32Lanes<TV>
        {
            var z = a * a;
            var p = Horner(z, -0.333333135f, 0.133326888f, -0.0538922176f, 0.0214500278f, -0.00765369413f, 0.00173460168f);
            return TV.Fma(p * z, a, a);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TV Large<TV>(TV a) where TV : struct, IF32Lanes<TV>
        {
            var e = ExpF32.Apply(a + a);
            return TV.Splat(1f) - TV.Splat(2f) / (e + TV.Splat(1f));
        }
    }

    /// <summary>The logistic sigmoid 1 / (1 + e^-x) per lane, Note [tanh and logistic].</summary>
    internal struct LogisticF32 : IUnaryF32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, IF32Lanes<TV>
        {
            var e = ExpF32.Apply(-TV.Abs(x));
            var numerator = TV.Select(TV.GreaterThanOrEqual(x, TV.Splat(0f)), TV.Splat(1f), e);
            return numerator / (TV.Splat(1f) + e);
        }
    }
}

public static partial class VectorMath
{
    /// <summary>
    /// Hyperbolic tangent of each of 16 lanes. Error at most BOUND_TANH; <c>tanh(±0) = ±0</c>,
    /// <c>tanh(±inf) = ±1</c>, NaN gives NaN.
    /// </summary>
    public static Vector512<float> Tanh(Vector512<float> x) => TanhF32.Apply(new F32x16(x)).V;

    /// <summary>Hyperbolic tangent of each of 8 lanes; the same bits as <see cref="Tanh(Vector512{float})"/> per lane.</summary>
    public static Vector256<float> Tanh(Vector256<float> x) => TanhF32.Apply(new F32x8(x)).V;

    /// <summary>Hyperbolic tangent of one float; the same bits as a lane of <see cref="Tanh(Vector512{float})"/>.</summary>
    public static float Tanh(float x) => F32x4.GetLane(TanhF32.Apply(F32x4.Splat(x)), 0);

    /// <summary>Hyperbolic tangent of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> result) => Map<TanhF32>(x, result);

    /// <summary>
    /// The logistic sigmoid <c>1 / (1 + e^-x)</c> of each of 16 lanes, without overflow for any x.
    /// Error at most BOUND_LOGISTIC; <c>logistic(-inf) = 0</c>, <c>logistic(+inf) = 1</c>, NaN gives
    /// NaN, and large negative x gives denormal results as <c>e^x</c> does.
    /// </summary>
    public static Vector512<float> Logistic(Vector512<float> x) => LogisticF32.Apply(new F32x16(x)).V;

    /// <summary>The logistic sigmoid of each of 8 lanes; the same bits as <see cref="Logistic(Vector512{float})"/> per lane.</summary>
    public static Vector256<float> Logistic(Vector256<float> x) => LogisticF32.Apply(new F32x8(x)).V;

    /// <summary>The logistic sigmoid of one float; the same bits as a lane of <see cref="Logistic(Vector512{float})"/>.</summary>
    public static float Logistic(float x) => F32x4.GetLane(LogisticF32.Apply(F32x4.Splat(x)), 0);

    /// <summary>The logistic sigmoid of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Logistic(ReadOnlySpan<float> x, Span<float> result) => Map<LogisticF32>(x, result);
}

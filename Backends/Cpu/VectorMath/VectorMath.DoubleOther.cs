using System.Runtime.CompilerServices;
using ArrayLang.Reference;

namespace ArrayLang.Backends.Cpu;

// Note [double tanh, logistic, erf, pow, atan2]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// tanh(x) = sign(x) E / (E + 2) with E = expm1(2|x|) (no cancellation at any |x|; 1 from |x| = 22
// on, where tanh rounds to 1); logistic(x) = num / (1 + e^-|x|) as for floats (Note [tanh and
// logistic]). erf, pow and atan2 of doubles run per lane on the reference's own scalar functions
// (ScalarMath.Erf, ScalarMath.Pow, Math.Atan2), so they are as accurate as the reference (erf and
// pow correctly rounded but for rare near-halfway cases) but not vectorized: a vectorized double
// erf, pow and atan2 need double-double inner steps that were out of this change's time.

public static partial class VectorMath
{
    /// <summary>Hyperbolic tangent per double lane, Note [double tanh, logistic, erf, pow, atan2].</summary>
    internal struct TanhF64 : IUnaryF64
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Apply<TD>(TD x) where TD : struct, IF64Lanes<TD>
        {
            var a = TD.Abs(x);
            var e = Expm1F64.Apply(a + a);
            var result = TD.Select(TD.GreaterThanOrEqual(a, TD.Splat(22)), TD.Splat(1), e / (e + TD.Splat(2)));
            return result ^ (x & TD.SplatBits(long.MinValue));
        }
    }

    /// <summary>The logistic sigmoid per double lane, Note [double tanh, logistic, erf, pow, atan2].</summary>
    internal struct LogisticF64 : IUnaryF64
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Apply<TD>(TD x) where TD : struct, IF64Lanes<TD>
        {
            var e = ExpF64.Apply(-TD.Abs(x));
            var numerator = TD.Select(TD.GreaterThanOrEqual(x, TD.Splat(0)), TD.Splat(1), e);
            return numerator / (TD.Splat(1) + e);
        }
    }

    /// <summary>erf per double lane through <see cref="ScalarMath.Erf"/>.</summary>
    internal struct ErfF64 : IUnaryF64
    {
        public static TD Apply<TD>(TD x) where TD : struct, IF64Lanes<TD>
        {
            for (int i = 0; i < TD.Count; i++) x = TD.WithLane(x, i, ScalarMath.Erf(TD.GetLane(x, i)));
            return x;
        }
    }

    /// <summary>C's pow per double lane through <see cref="ScalarMath.Pow"/>.</summary>
    internal struct PowF64 : IBinaryF64
    {
        public static TD Apply<TD>(TD x, TD y) where TD : struct, IF64Lanes<TD>
        {
            for (int i = 0; i < TD.Count; i++) x = TD.WithLane(x, i, ScalarMath.Pow(TD.GetLane(x, i), TD.GetLane(y, i)));
            return x;
        }
    }

    /// <summary>C's atan2 per double lane through <see cref="Math.Atan2"/>.</summary>
    internal struct Atan2F64 : IBinaryF64
    {
        public static TD Apply<TD>(TD y, TD x) where TD : struct, IF64Lanes<TD>
        {
            for (int i = 0; i < TD.Count; i++) y = TD.WithLane(y, i, Math.Atan2(TD.GetLane(y, i), TD.GetLane(x, i)));
            return y;
        }
    }
}

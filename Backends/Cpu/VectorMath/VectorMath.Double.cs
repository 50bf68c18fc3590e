using System.Runtime.CompilerServices;

namespace ArrayLang.Backends.Cpu;

// Note [double exp and log]
// ~~~~~~~~~~~~~~~~~~~~~~~~~
// The double kernels follow their float counterparts with longer polynomials and without tables:
// exp reduces by ln2 = Ln2HiD + Ln2LoD (Ln2HiD has 32 significant bits, so k Ln2HiD is exact) and
// uses exp(r) = 1 + (r + r^2 q(r)), q of degree 9 (relative error 2^-56.4), with the two-step
// scaling of Note [exp reduction] beyond |k| = 1022. expm1 reduces with trunc as in Note [expm1],
// q of degree 11 (2^-56.9). log writes x = 2^k m, m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact),
// s = f/(2 + f) and log(1 + f) = f - s (f - R) with R = s^2 A(s^2) = 2 atanh(s) - 2s, A of degree 6
// (2^-59.5), so f, exact, leads and the rounded terms are an order smaller; log1p adds the TwoSum
// correction of 1 + x divided by m. The bounds are measured on samples, not exhaustively.

public static partial class VectorMath
{
    private const double Log2ED = 1.4426950408889634;
    private const double Ln2HiD = 6.93147180369123816490e-01; // 0x3fe62e42fee00000
    private const double Ln2LoD = 1.9082149292705877e-10;

    /// <summary>2^k for integer-valued double lanes k in [-1022, 1023].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD Pow2D<TD>(TD k) where TD : struct, IF64Lanes<TD> =>
        TD.ShiftLeftLong(TD.AddLong(TD.ConvertToLong(k), TD.SplatBits(1023)), 52);

    /// <summary>e^x per double lane, Note [double exp and log].</summary>
    internal struct ExpF64 : IUnaryF64
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Apply<TD>(TD x) where TD : struct, IF64Lanes<TD>
        {
            var xc = TD.Clamp(x, TD.Splat(-746), TD.Splat(710));
            var k = TD.Round(xc * TD.Splat(Log2ED));
            var r = TD.Fma(k, TD.Splat(-Ln2HiD), xc);
            r = TD.Fma(k, TD.Splat(-Ln2LoD), r);
            var q = Horner(r, 0.50000000000000111, 0.16666666666666413, 0.041666666666530155, 0.0083333333334944647,
                0.0013888888943630188, 0.00019841269506571267, 2.4801493098816138e-05, 2.75575863808365e-06,
                2.7630248414084709e-07, 2.5000059288358359e-08);
            var p = TD.Splat(1) + TD.Fma(q, r * r, r);
            if (TD.AnyTrue(TD.GreaterThan(TD.Abs(k), TD.Splat(1022))))
            {
                var ki = TD.ConvertToLong(k);
                var k1 = TD.ShiftRightArithmeticLong(ki, 1);
                var k2 = TD.SubtractLong(ki, k1);
                var s1 = TD.ShiftLeftLong(TD.AddLong(k1, TD.SplatBits(1023)), 52);
                var s2 = TD.ShiftLeftLong(TD.AddLong(k2, TD.SplatBits(1023)), 52);
                return p * s1 * s2;
            }
            return p * Pow2D(k);
        }
    }

    /// <summary>e^x - 1 per double lane, Note [double exp and log].</summary>
    internal struct Expm1F64 : IUnaryF64
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Apply<TD>(TD x) where TD : struct, IF64Lanes<TD>
        {
            // Below -38 the result rounds to -1. k stays <= 1023 even where x log2(e) rounds up to 1024
            // (x = ln(DBL_MAX) is finite); past ln(DBL_MAX), r > ln2 and 2^1023 (1 + p) overflows to +inf.
            var xc = TD.Clamp(x, TD.Splat(-38), TD.Splat(710));
            var k = TD.Clamp(TD.Truncate(xc * TD.Splat(Log2ED)), TD.Splat(-55), TD.Splat(1023));
            var r = TD.Fma(k, TD.Splat(-Ln2HiD), xc);
            r = TD.Fma(k, TD.Splat(-Ln2LoD), r);
            var q = Horner(r, 0.16666666666666666, 0.041666666666666664, 0.0083333333333340965, 0.0013888888888890826,
                0.0001984126983945181, 2.4801587298784212e-05, 2.7557320806501101e-06, 2.7557320990343922e-07,
                2.5051485881492619e-08, 2.0876209374609029e-09, 1.6171841649631323e-10, 1.1552998212047624e-11);
            q = TD.Fma(q, r, TD.Splat(0.5));
            var p = TD.Fma(q, r * r, r);
            var scale = TD.ShiftLeftLong(TD.AddLong(TD.ConvertToLong(k), TD.SplatBits(1023)), 52);
            var result = TD.Fma(scale, p, scale - TD.Splat(1));
            return TD.Select(TD.Equal(x, TD.Splat(0)), x, result); // expm1(-0) = -0
        }
    }

    /// <summary>
    /// log of positive normal double lanes as hi + lo parts of k ln2 + log(1 + f), with
    /// <paramref name="fCorrection"/> (already divided by m) added to log(1 + f), Note [double exp and log].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD LogOfNormalF64<TD>(TD x, TD kAdjust, TD fCorrection) where TD : struct, IF64Lanes<TD>
    {
        var tmp = TD.SubtractLong(x, TD.SplatBits(0x3FE6A09E667F3BCD)); // bits of sqrt(1/2)
        var kBits = TD.ShiftRightArithmeticLong(tmp, 52);
        var k = TD.ConvertFromLong(kBits) + kAdjust;
        var m = TD.SubtractLong(x, TD.ShiftLeftLong(kBits, 52));
        var f = m - TD.Splat(1);
        var s = f / (f + TD.Splat(2));
        var z = s * s;
        var r = z * Horner(z, 0.66666666666667351, 0.39999999999409203, 0.28571428743765487, 0.22222198416391584,
            0.18183573232034503, 0.1531380426189245, 0.14798590360643427);
        var lo = TD.Fma(k, TD.Splat(Ln2LoD), fCorrection);
        return TD.Fma(k, TD.Splat(Ln2HiD), f - TD.Fma(s, f - r, -lo));
    }

    /// <summary>Natural logarithm per double lane, Note [double exp and log].</summary>
    internal struct LogF64 : IUnaryF64
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Apply<TD>(TD x) where TD : struct, IF64Lanes<TD>
        {
            var normal = TD.GreaterThanOrEqual(x, TD.Splat(2.2250738585072014e-308)) & TD.LessThan(x, TD.Splat(double.PositiveInfinity));
            if (!TD.AnyTrue(TD.AndNot(TD.SplatBits(-1), normal))) return LogOfNormalF64(x, TD.Splat(0), TD.Splat(0));
            return Slow(x);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static TD Slow<TD>(TD x) where TD : struct, IF64Lanes<TD>
        {
            var denormal = TD.LessThan(x, TD.Splat(2.2250738585072014e-308));
            var xs = TD.Select(denormal, x * TD.Splat(4503599627370496.0), x); // 2^52
            var result = LogOfNormalF64(xs, TD.Select(denormal, TD.Splat(-52), TD.Splat(0)), TD.Splat(0));
            var special = TD.Select(TD.Equal(x, TD.Splat(0)), TD.Splat(double.NegativeInfinity), x);
            special = TD.Select(TD.LessThan(x, TD.Splat(0)), TD.Splat(double.NaN), special);
            var isSpecial = TD.AndNot(TD.SplatBits(-1), TD.GreaterThan(x, TD.Splat(0))) | TD.Equal(x, TD.Splat(double.PositiveInfinity));
            return TD.Select(isSpecial, special, result);
        }
    }

    /// <summary>log(1 + x) per double lane, Note [double exp and log].</summary>
    internal struct Log1pF64 : IUnaryF64
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Apply<TD>(TD x) where TD : struct, IF64Lanes<TD>
        {
            var one = TD.Splat(1);
            var u = one + x;
            var bb = u - one;
            var c = (one - (u - bb)) + (x - bb); // (1 + x) - u exactly
            // u = 2^k m: the correction c enters log(1 + f) as c 2^-k / m.
            var tmp = TD.SubtractLong(u, TD.SplatBits(0x3FE6A09E667F3BCD));
            var kBits = TD.ShiftRightArithmeticLong(tmp, 52);
            var m = TD.SubtractLong(u, TD.ShiftLeftLong(kBits, 52));
            var scale = Pow2D(TD.Clamp(-TD.ConvertFromLong(kBits), TD.Splat(-1022), TD.Splat(1023)));
            var result = LogOfNormalF64(u, TD.Splat(0), c * scale / m);
            result = TD.Select(TD.Equal(x, TD.Splat(0)), x, result); // log1p(-0) = -0
            var isSpecial = TD.AndNot(TD.SplatBits(-1), TD.GreaterThan(x, TD.Splat(-1))) | TD.Equal(x, TD.Splat(double.PositiveInfinity));
            if (!TD.AnyTrue(isSpecial)) return result;
            var special = TD.Select(TD.Equal(x, TD.Splat(-1)), TD.Splat(double.NegativeInfinity), x);
            special = TD.Select(TD.LessThan(x, TD.Splat(-1)), TD.Splat(double.NaN), special);
            return TD.Select(isSpecial, special, result);
        }
    }
}

using System.Runtime.CompilerServices;

namespace ArrayLang.Backends.Cpu;

// Note [double trig]
// ~~~~~~~~~~~~~~~~~~
// sin, cos and tan of doubles reduce |x| by pi/2 = P1 + P2 + P3 (three doubles, 159 bits) with
// fused multiply-adds, the first exact, for |x| < 2^20 pi/2; sin r = r + r^3 S(r^2) (S degree 5,
// relative error 2^-57.5) and cos r = 1 - r^2/2 + r^4 C(r^2) (C degree 5, 2^-59) on |r| <= pi/4,
// picked and signed by the quadrant as for floats (Note [sin cos tan]); tan is sin r / cos r or
// -cos r / sin r, each of sin and cos kept as an exact sum of two doubles and the quotient
// corrected by its exact residual. Lanes with |x| >= 2^20 pi/2 take the BCL's Math.Sin/Cos/Tan per lane (an exact
// Payne-Hanek reduction in the C runtime), shared by every width so results stay bit-identical.

public static partial class VectorMath
{
    private const double TrigLimitF64 = 1647099.3291652855; // 2^20 pi/2
    private const double TwoOverPiD = 0.63661977236758138;
    private const double PiOver2P1 = 1.5707963267948966;
    private const double PiOver2P2 = 6.123233995736766e-17;
    private const double PiOver2P3 = -1.4973849048591698e-33;

    /// <summary>Which of sin, cos and tan a double trig kernel computes.</summary>
    private enum TrigKind { Sin, Cos, Tan }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD TrigF64<TD>(TD x, TrigKind kind) where TD : struct, IF64Lanes<TD>
    {
        var a = TD.Abs(x);
        var q = TD.Round(a * TD.Splat(TwoOverPiD));
        var r = TD.Fma(q, TD.Splat(-PiOver2P1), a);
        r = TD.Fma(q, TD.Splat(-PiOver2P2), r);
        r = TD.Fma(q, TD.Splat(-PiOver2P3), r);
        var z = r * r;
        var sinTail = Horner(z, -0.1666666666666663, 0.008333333333321891, -0.00019841269829400776,
            2.7557313553681113e-06, -2.5050736836410309e-08, 1.5895578999502358e-10) * z * r;
        var cosTail = TD.Fma(Horner(z, 0.041666666666666588, -0.0013888888888872733, 2.4801587288643903e-05,
            -2.7557314117786208e-07, 2.0875692289121431e-09, -1.1358084175536273e-11), z, TD.Splat(-0.5)) * z;
        var sin = r + sinTail;
        var cos = TD.Splat(1) + cosTail;
        // q < 2^20 here, so its low bits are exact in a long; bit 0 picks the polynomial, bit 1 the sign.
        var qi = TD.ConvertToLong(TD.Clamp(q, TD.Splat(0), TD.Splat(1 << 21)));
        var odd = TD.Equal(TD.ConvertFromLong(qi & TD.SplatBits(1)), TD.Splat(1));
        TD result;
        var signMask = TD.SplatBits(long.MinValue);
        switch (kind)
        {
            case TrigKind.Sin:
                result = TD.Select(odd, cos, sin) ^ ((TD.ShiftLeftLong(qi, 62) ^ x) & signMask);
                break;
            case TrigKind.Cos:
                result = TD.Select(odd, sin, cos) ^ (TD.ShiftLeftLong(TD.AddLong(qi, TD.SplatBits(1)), 62) & signMask);
                break;
            default:
            {
                // n / d with n + nLo and d + dLo exact sums (Fast2Sum), corrected by the exact residual.
                var n = TD.Select(odd, -cos, sin);
                var d = TD.Select(odd, sin, cos);
                var sinLo = (r - sin) + sinTail;
                var cosLo = (TD.Splat(1) - cos) + cosTail;
                var nLo = TD.Select(odd, -cosLo, sinLo);
                var dLo = TD.Select(odd, sinLo, cosLo);
                var quotient = n / d;
                var residual = TD.Fma(-quotient, d, n) + TD.Fma(-quotient, dLo, nLo);
                result = TD.Fma(residual, TD.Splat(1) / d, quotient) ^ (x & signMask);
                break;
            }
        }
        if (TD.AnyTrue(TD.GreaterThanOrEqual(a, TD.Splat(TrigLimitF64)))) return HugeLanes(x, result, kind);
        return result;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TD HugeLanes<TD>(TD x, TD result, TrigKind kind) where TD : struct, IF64Lanes<TD>
    {
        for (int i = 0; i < TD.Count; i++)
        {
            double lane = TD.GetLane(x, i);
            if (!(Math.Abs(lane) >= TrigLimitF64 && double.IsFinite(lane))) continue;
            double value = kind switch { TrigKind.Sin => Math.Sin(lane), TrigKind.Cos => Math.Cos(lane), _ => Math.Tan(lane) };
            result = TD.WithLane(result, i, value);
        }
        return result;
    }

    /// <summary>Sine per double lane, Note [double trig].</summary>
    internal struct SinF64 : IUnaryF64
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Apply<TD>(TD x) where TD : struct, IF64Lanes<TD> => TrigF64(x, TrigKind.Sin);
    }

    /// <summary>Cosine per double lane, Note [double trig].</summary>
    internal struct CosF64 : IUnaryF64
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Apply<TD>(TD x) where TD : struct, IF64Lanes<TD> => TrigF64(x, TrigKind.Cos);
    }

    /// <summary>Tangent per double lane, Note [double trig].</summary>
    internal struct TanF64 : IUnaryF64
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TD Apply<TD>(TD x) where TD : struct, IF64Lanes<TD> => TrigF64(x, TrigKind.Tan);
    }
}

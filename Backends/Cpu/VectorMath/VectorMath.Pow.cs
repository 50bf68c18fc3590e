using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ArrayLang.Backends.Cpu;

// Note [float pow]
// ~~~~~~~~~~~~~~~~
// pow needs log2|x| to about 2^-37 relative, far more than float holds (y log2|x| reaches 150, and
// an absolute error d there is a relative error d ln2 in the result), so the float kernel widens to
// double (exact), computes |x|^y there and rounds to float once:
//   |x| = 2^k m, m in [sqrt(1/2), sqrt(2));  s = (m - 1)/(m + 1);  ln m = 2s + s^3 A(s^2)
//   (A degree 4, relative error 2^-44.9);  z = y k + y ln(m) log2(e);  |x|^y = 2^n 2^(z - n),
//   n = round(z), 2^(z - n) a degree-8 polynomial (relative error 2^-39.8).
// The result before the final rounding is within about 2^-36 of |x|^y, so the float result is the
// correctly rounded one except when |x|^y lies within 2^-12 ulp of a rounding boundary. Overflow and
// underflow (denormals included) come from that single rounding of the double result.
// Special cases follow C99 Annex F.9.4.4 and are patched in afterwards, only for vectors that hold
// one (x not a positive finite float, or y infinite or NaN): pow(x, ±0) = 1 and pow(1, y) = 1 even
// for NaN, pow(-1, ±inf) = 1, zeros and infinities by the sign of y and the parity of an integer y,
// a negative x with an odd integer y gives a negative result, and a negative finite x with a
// non-integer finite y gives NaN.
//
// Note [float atan2]
// ~~~~~~~~~~~~~~~~~~
// atan2 also computes in double: with mx = max(|x|, |y|) and mn = min(|x|, |y|), t = mn/mx or,
// where mn/mx > tan(pi/8), t = (mn - mx)/(mn + mx) and pi/4 is added (both numerators and
// denominators are exact in double); atan t = t + t^3 A(t^2) on |t| <= tan(pi/8) (A degree 5,
// relative error 2^-35.4); then pi/2 - angle where |y| > |x|, pi - angle where x's sign bit is set,
// and y's sign last. Both zeros become (mn, mx) = (0, 1) and both infinities (1, 1), which gives
// C's signed zeros, pi, pi/4 and 3pi/4 from the same formula; NaN in either gives NaN.

public static partial class VectorMath
{
    /// <summary>|x|^y in double for positive finite x (from floats), Note [float pow].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD PowOfFloatMagnitude<TD>(TD ax, TD y) where TD : struct, IF64Lanes<TD>
    {
        var tmp = TD.SubtractLong(ax, TD.SplatBits(0x3FE6A09E667F3BCD)); // bits of sqrt(1/2)
        var kBits = TD.ShiftRightArithmeticLong(tmp, 52);
        var k = TD.ConvertFromLong(kBits);
        var m = TD.SubtractLong(ax, TD.ShiftLeftLong(kBits, 52));
        var f = m - TD.Splat(1);
        var s = f / (f + TD.Splat(2));
        var s2 = s * s;
        var lnm = TD.Fma(s2 * s, Horner(s2, 0.66666666675861663, 0.39999995597066856, 0.28572112185780824, 0.22176046616747788, 0.1958640596680403), s + s);
        var z = TD.Fma(y, k, y * (lnm * TD.Splat(1.4426950408889634)));
        z = TD.Clamp(z, TD.Splat(-200), TD.Splat(200));
        var n = TD.Round(z);
        var rz = z - n;
        var p = TD.Fma(rz, Horner(rz, 0.6931471805412015, 0.2402265069474063, 0.055504109593445906, 0.0096181295594066005,
            0.0013333434054463591, 0.00015403097923229729, 1.5314234759055412e-05, 1.3344238121026389e-06), TD.Splat(1));
        var scale = TD.ShiftLeftLong(TD.AddLong(TD.ConvertToLong(n), TD.SplatBits(1023)), 52);
        return p * scale;
    }

    /// <summary>C's pow per lane, Note [float pow].</summary>
    internal struct PowF32 : IBinaryF32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV, TD>(TV x, TV y)
            where TV : struct, IF32Lanes<TV>, IWidensToF64<TV, TD>
            where TD : struct, IF64Lanes<TD>
        {
            var ax = TV.Abs(x);
            var (axLo, axHi) = TV.Widen(ax);
            var (yLo, yHi) = TV.Widen(y);
            var result = TV.Narrow(PowOfFloatMagnitude(axLo, yLo), PowOfFloatMagnitude(axHi, yHi));
            var inf = TV.Splat(float.PositiveInfinity);
            var ordinary = TV.GreaterThan(x, TV.Splat(0f)) & TV.LessThan(x, inf) & TV.LessThan(TV.Abs(y), inf);
            if (!TV.AnyTrue(TV.AndNot(TV.SplatBits(-1), ordinary))) return result;
            return Special(x, y, ax, result);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static TV Special<TV>(TV x, TV y, TV ax, TV result) where TV : struct, IF32Lanes<TV>
        {
            var zero = TV.Splat(0f);
            var one = TV.Splat(1f);
            var inf = TV.Splat(float.PositiveInfinity);
            var ay = TV.Abs(y);
            var yInteger = TV.Equal(TV.Round(y), y);
            var yOdd = yInteger & TV.LessThan(ay, TV.Splat(16777216f))
                       & TV.EqualInt(TV.ConvertToInt(TV.Select(yInteger, y, zero)) & TV.SplatBits(1), TV.SplatBits(1));
            var yNegative = TV.LessThan(y, zero);
            result = TV.Select(TV.Equal(ax, zero), TV.Select(yNegative, inf, zero), result);
            result = TV.Select(TV.Equal(ax, inf), TV.Select(yNegative, zero, inf), result);
            // y = ±inf: +inf where |x| > 1 and y > 0 or |x| < 1 and y < 0, else +0 (|x| = 1 below).
            var grows = TV.EqualInt(TV.GreaterThan(ax, one), TV.GreaterThan(y, zero));
            result = TV.Select(TV.Equal(ay, inf), TV.Select(grows, inf, zero), result);
            result ^= SignBit(x) & yOdd;
            var negativeFinite = TV.LessThan(x, zero) & TV.GreaterThan(x, -inf);
            result = TV.Select(TV.AndNot(negativeFinite, yInteger), TV.Splat(float.NaN), result);
            result = TV.Select(TV.IsNaN(x) | TV.IsNaN(y), TV.Splat(float.NaN), result);
            var isOne = TV.Equal(y, zero) | TV.Equal(x, one) | (TV.Equal(ax, one) & TV.Equal(ay, inf));
            return TV.Select(isOne, one, result);
        }
    }

    /// <summary>atan2 in double for lanes that came from floats, Note [float atan2].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TD Atan2OfFloats<TD>(TD y, TD x) where TD : struct, IF64Lanes<TD>
    {
        var ax = TD.Abs(x);
        var ay = TD.Abs(y);
        var xBigger = TD.GreaterThan(ax, ay);
        var mx = TD.Select(xBigger, ax, ay);
        var mn = TD.Select(xBigger, ay, ax);
        var one = TD.Splat(1);
        mx = TD.Select(TD.Equal(mx, TD.Splat(0)), one, mx);
        var bothInfinite = TD.Equal(mn, TD.Splat(double.PositiveInfinity));
        mn = TD.Select(bothInfinite, one, mn);
        mx = TD.Select(bothInfinite, one, mx);
        var near = TD.GreaterThan(mn, mx * TD.Splat(0.41421356237309503)); // tan(pi/8)
        var t = TD.Select(near, mn - mx, mn) / TD.Select(near, mn + mx, mx);
        var t2 = t * t;
        var angle = TD.Fma(t2 * t, Horner(t2, -0.33333332498197088, 0.1999990382024372, -0.14282005113622259, 0.11044657292703726,
            -0.084760690049874715, 0.047436175127317362), t);
        angle += TD.Select(near, TD.Splat(Math.PI / 4), TD.Splat(0));
        angle = TD.Select(TD.GreaterThan(ay, ax), TD.Splat(Math.PI / 2) - angle, angle);
        angle = TD.Select(TD.ShiftRightArithmeticLong(x, 63), TD.Splat(Math.PI) - angle, angle);
        return angle ^ (y & TD.SplatBits(long.MinValue));
    }

    /// <summary>C's atan2(y, x) per lane, Note [float atan2].</summary>
    internal struct Atan2F32 : IBinaryF32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV, TD>(TV y, TV x)
            where TV : struct, IF32Lanes<TV>, IWidensToF64<TV, TD>
            where TD : struct, IF64Lanes<TD>
        {
            var (yLo, yHi) = TV.Widen(y);
            var (xLo, xHi) = TV.Widen(x);
            var result = TV.Narrow(Atan2OfFloats(yLo, xLo), Atan2OfFloats(yHi, xHi));
            return TV.Select(TV.IsNaN(x) | TV.IsNaN(y), TV.Splat(float.NaN), result);
        }
    }
}

public static partial class VectorMath
{
    /// <summary>
    /// C's <c>pow(x, y)</c> for each of 16 lane pairs, every C99 special case included (Note [float pow]).
    /// Error at most BOUND_POW (computed in double, rounded once).
    /// </summary>
    public static Vector512<float> Pow(Vector512<float> x, Vector512<float> y) => PowF32.Apply<F32x16, F64x8>(new F32x16(x), new F32x16(y)).V;

    /// <summary>C's pow for each of 8 lane pairs; the same bits as <see cref="Pow(Vector512{float}, Vector512{float})"/> per lane.</summary>
    public static Vector256<float> Pow(Vector256<float> x, Vector256<float> y) => PowF32.Apply<F32x8, F64x4>(new F32x8(x), new F32x8(y)).V;

    /// <summary>C's pow of one pair of floats; the same bits as a lane of <see cref="Pow(Vector512{float}, Vector512{float})"/>.</summary>
    public static float Pow(float x, float y) => F32x4.GetLane(PowF32.Apply<F32x4, F64x2>(F32x4.Splat(x), F32x4.Splat(y)), 0);

    /// <summary>C's pow of every pair of elements into <paramref name="result"/> (all the same length; it may be one of the inputs).</summary>
    public static void Pow(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> result) => Map<PowF32>(x, y, result, "x", "y");

    /// <summary>
    /// C's <c>atan2(y, x)</c>, the angle of the point (x, y) in [-pi, pi], for each of 16 lane pairs,
    /// with C's signed zeros and infinities (<c>atan2(+0, -0) = pi</c>, <c>atan2(-inf, +inf) = -pi/4</c>).
    /// Error at most BOUND_ATAN2 (computed in double, rounded once; Note [float atan2]).
    /// </summary>
    public static Vector512<float> Atan2(Vector512<float> y, Vector512<float> x) => Atan2F32.Apply<F32x16, F64x8>(new F32x16(y), new F32x16(x)).V;

    /// <summary>atan2 for each of 8 lane pairs; the same bits as <see cref="Atan2(Vector512{float}, Vector512{float})"/> per lane.</summary>
    public static Vector256<float> Atan2(Vector256<float> y, Vector256<float> x) => Atan2F32.Apply<F32x8, F64x4>(new F32x8(y), new F32x8(x)).V;

    /// <summary>atan2 of one pair of floats; the same bits as a lane of <see cref="Atan2(Vector512{float}, Vector512{float})"/>.</summary>
    public static float Atan2(float y, float x) => F32x4.GetLane(Atan2F32.Apply<F32x4, F64x2>(F32x4.Splat(y), F32x4.Splat(x)), 0);

    /// <summary>atan2 of every pair of elements into <paramref name="result"/> (all the same length; it may be one of the inputs).</summary>
    public static void Atan2(ReadOnlySpan<float> y, ReadOnlySpan<float> x, Span<float> result) => Map<Atan2F32>(y, x, result, "y", "x");
}

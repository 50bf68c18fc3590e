using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ArrayLang.Backends.Cpu;

// Note [log tables]
// ~~~~~~~~~~~~~~~~~
// x = 2^k z with z in [0.699, 1.398): subtracting the bits of 0.69921875 (0x3f330000) from x's bits
// leaves k in the exponent field and, in the top four mantissa bits, the index i of one of 16
// subintervals of z (1/32 wide below 1, 1/16 wide above). Per subinterval a table holds
// InvC ~ 1/center and LogC = -log(InvC) as a hi + lo pair, so that
//     log x = k ln2 + LogC + log1p(r),   r = z InvC - 1,   |r| < 0.0297,
// and log1p(r) = r - r^2/2 + r^3 (c3 + c4 r + c5 r^2) has relative error 2^-29.9. The subinterval
// around 1 has InvC = 1 and LogC = 0, so near x = 1 the result is log1p(r) with r = x - 1 exact:
// full relative accuracy where log x is small. Everything that would round at the result's
// magnitude is kept exact instead: z InvC - 1 as r + rLo (the product split by a fused
// multiply-add, then 1 subtracted exactly), k Ln2Hi + LogC as hi + hiError (Fast2Sum; k Ln2Hi is
// exact), hi + r as sum + sumError (Fast2Sum again), and rLo enters scaled by 1/(1 + r) ~ 1 - r;
// so the result sum + (small terms) rounds essentially once. The lookups are one
// 16-entry permute each (vpermps). (The table method is the one of ARM's optimized-routines
// logf, done here in float arithmetic with a hi/lo table instead of double.)
//
// log1p(x) = log(u) + log(1 + c/u) for u = 1 + x rounded and c = (1 + x) - u exactly (TwoSum):
// the correction c, scaled by 2^-k InvC, is added to r before the polynomial, so that for small x
// the argument is x itself, not the rounded u - 1.

public static partial class VectorMath
{
    private const int LogTableOffset = 0x3f330000;

    private static readonly Vector512<float> LogInvC = Vector512.Create(
        1.39890718f, 1.34031415f, 1.28643227f, 1.23671508f, 1.19069767f, 1.14798212f, 1.10822511f, 1.0711298f,
        1.03643727f, 1f, 0.948148191f, 0.895104945f, 0.847682178f, 0.805031478f, 0.766467094f, 0.731428623f);

    private static readonly Vector512<float> LogCHi = Vector512.Create(
        -0.335691363f, -0.292904019f, -0.251872689f, -0.21245873f, -0.174539417f, -0.138005719f, -0.102759734f, -0.0687139779f,
        -0.0357891321f, 0f, 0.0532444678f, 0.110814311f, 0.165249497f, 0.216873899f, 0.265963525f, 0.312755644f);

    private static readonly Vector512<float> LogCLo = Vector512.Create(
        1.32392604e-08f, -7.3217068e-09f, -1.31795774e-08f, -4.35794156e-09f, 4.40181758e-09f, -4.72203254e-09f, 7.69673325e-10f, -2.96795005e-10f,
        -8.79069373e-10f, 0f, 1.52497093e-09f, 3.16304122e-10f, 6.81339829e-09f, -3.82805287e-10f, -1.33357663e-08f, -5.09805798e-09f);

    /// <summary>
    /// k ln2 + LogC + log1p(r + rLo) for the table entry <paramref name="index"/> (Note [log tables]).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV LogCombine<TV>(TV k, TV index, TV r, TV rLo) where TV : struct, IF32Lanes<TV>
    {
        var logc = TV.Lookup16(LogCHi, index);
        var logcLo = TV.Lookup16(LogCLo, index);
        var p = Horner(r, -0.5f, 0.333333313f, -0.250111818f, 0.200159773f);
        // hi + hiError = k Ln2Hi + LogC exactly (k Ln2Hi is exact and at least as large as LogC when k != 0).
        var kLn2 = k * TV.Splat(Ln2Hi);
        var hi = kLn2 + logc;
        var hiError = (kLn2 - hi) + logc;
        // log1p(r + rLo) = log1p(r) + rLo / (1 + r), and 1 / (1 + r) = 1 - r to 2^-10.
        var lo = TV.Fma(k, TV.Splat(Ln2Lo), logcLo) + hiError + TV.Fma(-r, rLo, rLo);
        // hi + r, also exactly (Fast2Sum: |hi| >= 0.0357 > |r|, or hi = 0), so one rounding remains.
        var sum = hi + r;
        var sumError = (hi - sum) + r;
        return sum + (sumError + TV.Fma(p, r * r, lo));
    }

    /// <summary>z InvC - 1 as r + rLo exactly: the product is split exactly, and subtracting 1 from it is exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TV R, TV RLo) LogReduce<TV>(TV z, TV invc) where TV : struct, IF32Lanes<TV>
    {
        var product = z * invc;
        return (product - TV.Splat(1f), TV.Fma(z, invc, -product));
    }

    /// <summary>log x for positive normal lanes; <paramref name="kAdjust"/> is added to the exponent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV LogOfNormal<TV>(TV x, TV kAdjust) where TV : struct, IF32Lanes<TV>
    {
        var tmp = TV.SubtractInt(x, TV.SplatBits(LogTableOffset));
        var k = TV.ConvertFromInt(TV.ShiftRightArithmeticInt(tmp, 23)) + kAdjust;
        var index = TV.ShiftRightLogicalInt(tmp, 19);
        var z = TV.SubtractInt(x, tmp & TV.SplatBits(unchecked((int)0xff800000)));
        var (r, rLo) = LogReduce(z, TV.Lookup16(LogInvC, index));
        return LogCombine(k, index, r, rLo);
    }

    /// <summary>Natural logarithm per lane, Note [log tables].</summary>
    internal struct LogF32 : IUnaryF32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, IF32Lanes<TV>
        {
            // Anything but a positive normal finite float takes the slow path (Note [lane independence of rare paths]).
            var normal = TV.GreaterThanOrEqual(x, TV.Splat(1.17549435e-38f)) & TV.LessThan(x, TV.Splat(float.PositiveInfinity));
            if (!TV.AnyTrue(TV.AndNot(TV.SplatBits(-1), normal))) return LogOfNormal(x, TV.Splat(0f));
            return Slow(x);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static TV Slow<TV>(TV x) where TV : struct, IF32Lanes<TV>
        {
            // Denormals are scaled by 2^23 into the normal range.
            var denormal = TV.LessThan(x, TV.Splat(1.17549435e-38f));
            var xs = TV.Select(denormal, x * TV.Splat(8388608f), x);
            var result = LogOfNormal(xs, TV.Select(denormal, TV.Splat(-23f), TV.Splat(0f)));
            // log(±0) = -inf, log(negative) = NaN, log(+inf) = +inf, log(NaN) = NaN.
            var special = TV.Select(TV.Equal(x, TV.Splat(0f)), TV.Splat(float.NegativeInfinity), x);
            special = TV.Select(TV.LessThan(x, TV.Splat(0f)), TV.Splat(float.NaN), special);
            var isSpecial = TV.AndNot(TV.SplatBits(-1), TV.GreaterThan(x, TV.Splat(0f))) | TV.Equal(x, TV.Splat(float.PositiveInfinity));
            return TV.Select(isSpecial, special, result);
        }
    }

    /// <summary>log(1 + x) per lane, accurate near 0 (Note [log tables]).</summary>
    internal struct Log1pF32 : IUnaryF32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, IF32Lanes<TV>
        {
            var one = TV.Splat(1f);
            var u = one + x;
            var bb = u - one;
            var c = (one - (u - bb)) + (x - bb); // (1 + x) - u exactly
            var tmp = TV.SubtractInt(u, TV.SplatBits(LogTableOffset));
            var k = TV.ConvertFromInt(TV.ShiftRightArithmeticInt(tmp, 23));
            var index = TV.ShiftRightLogicalInt(tmp, 19);
            var z = TV.SubtractInt(u, tmp & TV.SplatBits(unchecked((int)0xff800000)));
            var invc = TV.Lookup16(LogInvC, index);
            // r = (z + c 2^-k) InvC - 1; for k >= 127 the correction is far below the result's last bit.
            var scale = Pow2(TV.Clamp(-k, TV.Splat(-126f), TV.Splat(127f)));
            var (r, rLo) = LogReduce(z, invc);
            // With the correction c the argument is x itself, not the rounded u - 1.
            var rc = rLo + c * scale * invc;
            var rHi = r + rc;
            var result = LogCombine(k, index, rHi, (r - rHi) + rc);
            result = TV.Select(TV.Equal(x, TV.Splat(0f)), x, result); // log1p(-0) = -0
            var isSpecial = TV.AndNot(TV.SplatBits(-1), TV.GreaterThan(x, TV.Splat(-1f))) | TV.Equal(x, TV.Splat(float.PositiveInfinity));
            if (!TV.AnyTrue(isSpecial)) return result;
            // log1p(-1) = -inf, below -1 NaN, log1p(+inf) = +inf, NaN stays NaN.
            var special = TV.Select(TV.Equal(x, TV.Splat(-1f)), TV.Splat(float.NegativeInfinity), x);
            special = TV.Select(TV.LessThan(x, TV.Splat(-1f)), TV.Splat(float.NaN), special);
            return TV.Select(isSpecial, special, result);
        }
    }
}

public static partial class VectorMath
{
    /// <summary>
    /// Natural logarithm of each of 16 lanes. Error at most BOUND_LOG; <c>log(±0) = -inf</c>,
    /// <c>log(x &lt; 0) = NaN</c>, <c>log(+inf) = +inf</c>, NaN gives NaN, denormal inputs are exact inputs.
    /// </summary>
    public static Vector512<float> Log(Vector512<float> x) => LogF32.Apply(new F32x16(x)).V;

    /// <summary>Natural logarithm of each of 8 lanes; the same bits as <see cref="Log(Vector512{float})"/> per lane.</summary>
    public static Vector256<float> Log(Vector256<float> x) => LogF32.Apply(new F32x8(x)).V;

    /// <summary>Natural logarithm of one float; the same bits as a lane of <see cref="Log(Vector512{float})"/>.</summary>
    public static float Log(float x) => F32x4.GetLane(LogF32.Apply(F32x4.Splat(x)), 0);

    /// <summary>Natural logarithm of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Log(ReadOnlySpan<float> x, Span<float> result) => Map<LogF32>(x, result);

    /// <summary>
    /// log(1 + x) of each of 16 lanes, accurate near 0. Error at most BOUND_LOG1P;
    /// <c>log1p(±0) = ±0</c>, <c>log1p(-1) = -inf</c>, NaN below -1, <c>log1p(+inf) = +inf</c>, NaN gives NaN.
    /// </summary>
    public static Vector512<float> Log1p(Vector512<float> x) => Log1pF32.Apply(new F32x16(x)).V;

    /// <summary>log(1 + x) of each of 8 lanes; the same bits as <see cref="Log1p(Vector512{float})"/> per lane.</summary>
    public static Vector256<float> Log1p(Vector256<float> x) => Log1pF32.Apply(new F32x8(x)).V;

    /// <summary>log(1 + x) of one float; the same bits as a lane of <see cref="Log1p(Vector512{float})"/>.</summary>
    public static float Log1p(float x) => F32x4.GetLane(Log1pF32.Apply(F32x4.Splat(x)), 0);

    /// <summary>log(1 + x) of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Log1p(ReadOnlySpan<float> x, Span<float> result) => Map<Log1pF32>(x, result);
}

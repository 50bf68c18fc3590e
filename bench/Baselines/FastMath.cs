using System.Runtime.CompilerServices;

namespace ArrayLang.Bench.Baselines;

/// <summary>
/// Fast vector sin, exp and tanh for the hand-fused baselines (the practical limit a C# programmer
/// reaches by hand), written once over the width (Note [baseline widths]). Note [bench fast math]: the CPU backend's own vectorized math
/// (<c>ArrayLang.Backends.Cpu.VectorMath</c>) was not on main when the suite was written, so the
/// baselines carry their own: a Cody-Waite range reduction followed by a Taylor polynomial. Largest
/// errors against double math measured over 4M evenly spaced inputs: sin 1.2e-7 absolute for
/// |x| &lt;= 1e4, exp 7.7e-8 relative on [-87, 88], tanh 9.2e-8 absolute and 1.9e-7 relative on
/// [-20, 20] (the smoke test in tests/Bench keeps them). The suite also checks every baseline
/// against a double-precision oracle before timing it, so a wrong polynomial fails loudly rather
/// than looking fast.
/// </summary>
public static class FastMath
{
    // pi split in three parts whose products with a small integer k are exact in float (Cody-Waite).
    private const float InvPi = 0.318309886183790671538f;
    private const float PiA = 3.140625f;
    private const float PiB = 9.67502593994140625e-4f;
    private const float PiC = 1.509957990978376432e-7f;

    // ln 2 split the same way for exp's reduction x = n ln2 + r.
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;

    /// <summary>
    /// sin(x): k = round(x / pi), r = x - k pi in [-pi/2, pi/2], sin(x) = (-1)^k sin(r) with the Taylor
    /// series of sin(r) to r^13 (truncation error below 1e-9 at |r| = pi/2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sin<TV>(TV x) where TV : struct, ISimd<TV, float>
    {
        var k = TV.Round(x * TV.Splat(InvPi));
        var r = TV.Fma(k, TV.Splat(-PiA), x);
        r = TV.Fma(k, TV.Splat(-PiB), r);
        r = TV.Fma(k, TV.Splat(-PiC), r);
        var r2 = r * r;
        // Horner on r^2: 1 - r^2/3! + r^4/5! - ... - r^12/13!
        var p = TV.Splat(1f / 6227020800f);
        p = TV.Fma(p, r2, TV.Splat(-1f / 39916800f));
        p = TV.Fma(p, r2, TV.Splat(1f / 362880f));
        p = TV.Fma(p, r2, TV.Splat(-1f / 5040f));
        p = TV.Fma(p, r2, TV.Splat(1f / 120f));
        p = TV.Fma(p, r2, TV.Splat(-1f / 6f));
        p = TV.Fma(p * r2, r, r);
        // An odd k flips the sign: move k's lowest bit to the float sign bit.
        return p ^ TV.OddSign(k);
    }

    /// <summary>
    /// exp(x): n = round(x log2 e), r = x - n ln 2 with |r| &lt;= 0.347, exp(r) by its Taylor series
    /// to r^7 (relative truncation error 5e-9), scaled by 2^n through the exponent bits. The input is
    /// clamped to [-87.3, 88.7], so overflow gives a large finite value and underflow about 1e-38.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<TV>(TV x) where TV : struct, ISimd<TV, float>
    {
        x = TV.Min(TV.Max(x, TV.Splat(-87.3f)), TV.Splat(88.7f));
        var n = TV.Round(x * TV.Splat(Log2E));
        var r = TV.Fma(n, TV.Splat(-Ln2Hi), x);
        r = TV.Fma(n, TV.Splat(-Ln2Lo), r);
        var p = TV.Splat(1f / 5040f);
        p = TV.Fma(p, r, TV.Splat(1f / 720f));
        p = TV.Fma(p, r, TV.Splat(1f / 120f));
        p = TV.Fma(p, r, TV.Splat(1f / 24f));
        p = TV.Fma(p, r, TV.Splat(1f / 6f));
        p = TV.Fma(p, r, TV.Splat(0.5f));
        p = TV.Fma(p, r, TV.Splat(1f));
        p = TV.Fma(p, r, TV.Splat(1f));
        // 2^n as a float: (n + 127) in the exponent field. n is within [-126, 128] after the clamp;
        // 2^128 is split as 2^127 * 2 so the exponent never overflows.
        return TV.ScaleByPow2(p, n);
    }

    /// <summary>
    /// tanh(x): for |x| &lt; 0.5 the Taylor series to x^15 (error below 5e-9); otherwise
    /// sign(x) (1 - 2 / (exp(2|x|) + 1)), whose cancellation costs at most 1e-7 absolute at |x| = 0.5
    /// and which tends to exactly ±1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh<TV>(TV x) where TV : struct, ISimd<TV, float>
    {
        var ax = TV.Abs(x);
        var e = Exp(ax + ax);
        var big = TV.Splat(1f) - TV.Splat(2f) / (e + TV.Splat(1f));
        big = TV.CopySign(big, x);
        var x2 = x * x;
        // tanh x = x - x^3/3 + 2x^5/15 - 17x^7/315 + 62x^9/2835 - 1382x^11/155925 + 21844x^13/6081075 - 929569x^15/638512875
        var p = TV.Splat(-929569f / 638512875f);
        p = TV.Fma(p, x2, TV.Splat(21844f / 6081075f));
        p = TV.Fma(p, x2, TV.Splat(-1382f / 155925f));
        p = TV.Fma(p, x2, TV.Splat(62f / 2835f));
        p = TV.Fma(p, x2, TV.Splat(-17f / 315f));
        p = TV.Fma(p, x2, TV.Splat(2f / 15f));
        p = TV.Fma(p, x2, TV.Splat(-1f / 3f));
        var small = TV.Fma(p * x2, x, x);
        return TV.Select(TV.LessThan(ax, TV.Splat(0.5f)), small, big);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ArrayLang.Bench.Baselines;

/// <summary>
/// Fast <c>Vector512</c> sin, exp and tanh for the hand-fused baselines (the practical limit a C#
/// programmer reaches by hand). Note [bench fast math]: the CPU backend's own vectorized math
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
    public static Vector512<float> Sin(Vector512<float> x)
    {
        var k = Vector512.Round(x * InvPi);
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-PiA), x);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-PiB), r);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-PiC), r);
        var r2 = r * r;
        // Horner on r^2: 1 - r^2/3! + r^4/5! - ... - r^12/13!
        var p = Vector512.Create(1f / 6227020800f);
        p = Vector512.FusedMultiplyAdd(p, r2, Vector512.Create(-1f / 39916800f));
        p = Vector512.FusedMultiplyAdd(p, r2, Vector512.Create(1f / 362880f));
        p = Vector512.FusedMultiplyAdd(p, r2, Vector512.Create(-1f / 5040f));
        p = Vector512.FusedMultiplyAdd(p, r2, Vector512.Create(1f / 120f));
        p = Vector512.FusedMultiplyAdd(p, r2, Vector512.Create(-1f / 6f));
        p = Vector512.FusedMultiplyAdd(p * r2, r, r);
        // An odd k flips the sign: move k's lowest bit to the float sign bit.
        var odd = Vector512.ShiftLeft(Vector512.ConvertToInt32(k), 31).AsSingle();
        return Vector512.Xor(p, odd);
    }

    /// <summary>
    /// exp(x): n = round(x log2 e), r = x - n ln 2 with |r| &lt;= 0.347, exp(r) by its Taylor series
    /// to r^7 (relative truncation error 5e-9), scaled by 2^n through the exponent bits. The input is
    /// clamped to [-87.3, 88.7], so overflow gives a large finite value and underflow about 1e-38.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-87.3f)), Vector512.Create(88.7f));
        var n = Vector512.Round(x * Log2E);
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.Create(1f / 5040f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 720f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 120f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 24f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 6f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(0.5f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
        // 2^n as a float: (n + 127) in the exponent field. n is within [-126, 128] after the clamp;
        // 2^128 is split as 2^127 * 2 so the exponent never overflows.
        var ni = Vector512.ConvertToInt32(n);
        var half = Vector512.ShiftRightArithmetic(ni, 1);
        var s1 = Vector512.ShiftLeft(half + Vector512.Create(127), 23).AsSingle();
        var s2 = Vector512.ShiftLeft(ni - half + Vector512.Create(127), 23).AsSingle();
        return p * s1 * s2;
    }

    /// <summary>
    /// tanh(x): for |x| &lt; 0.5 the Taylor series to x^15 (error below 5e-9); otherwise
    /// sign(x) (1 - 2 / (exp(2|x|) + 1)), whose cancellation costs at most 1e-7 absolute at |x| = 0.5
    /// and which tends to exactly ±1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var e = Exp(ax + ax);
        var big = Vector512<float>.One - Vector512.Create(2f) / (e + Vector512<float>.One);
        big = Vector512.CopySign(big, x);
        var x2 = x * x;
        // tanh x = x - x^3/3 + 2x^5/15 - 17x^7/315 + 62x^9/2835 - 1382x^11/155925 + 21844x^13/6081075 - 929569x^15/638512875
        var p = Vector512.Create(-929569f / 638512875f);
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(21844f / 6081075f));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(-1382f / 155925f));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(62f / 2835f));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(-17f / 315f));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(2f / 15f));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(-1f / 3f));
        var small = Vector512.FusedMultiplyAdd(p * x2, x, x);
        return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(0.5f)), small, big);
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;

namespace ArrayLang.Backends.Cpu;

// Note [trig reduction]
// ~~~~~~~~~~~~~~~~~~~~~
// sin, cos and tan reduce |x| to r = |x| - q pi/2 with |r| <= pi/4 (a little more where
// round(|x| 2/pi) rounds the other way) and use q mod 4. Below TrigReduction.Limit = 2^17 this is
// Cody-Waite with pi/2 = P1 + P2 + P3 in three floats (72 bits) and three fused multiply-adds: the
// first, |x| - q P1, is exact (a small multiple of ulp(P1) = 2^-23); the others round once each,
// relative to r, and the pi/2 left out by P3 (1.1e-23 q) stays below 2^-59, far below the
// smallest |r| of any float in that range. At and beyond 2^17 the lane takes Payne-Hanek
// reduction (ReduceHuge): |x| = m 2^e exactly, and (|x| 2/pi) mod 4 is m times a 128-bit window of
// the bits of 2/pi starting just above weight 4 / 2^e, computed in 128-bit integer arithmetic
// (error below 2^-102 quadrants); r is the fraction times pi/2 in double, rounded to float once.
// That path is scalar, per lane, and shared by every width, so results stay bit-identical; it is
// taken only by lanes with |x| >= 2^17, which real workloads rarely reach.

/// <summary>Argument reduction by pi/2 for the float trigonometric kernels, Note [trig reduction].</summary>
internal static class TrigReduction
{
    /// <summary>Lanes with |x| at or above this (and finite) take <see cref="ReduceHuge"/>.</summary>
    public const float Limit = 131072f;

    public const float TwoOverPi = 0.636619747f;
    public const float P1 = 1.57079637f;           // pi/2 rounded to float
    public const float P2 = -4.37113883e-08f;      // pi/2 - P1 rounded
    public const float P3 = -1.71512451e-15f;      // pi/2 - P1 - P2 rounded

    // Exponents e of |x| = m 2^e (m a 24-bit integer) that ReduceHuge accepts: every finite float >= 1.
    private const int MinExponent = -23;
    private const int MaxExponent = 104;

    // For each e, bits e - 1 .. e + 126 of 2/pi (bit j has weight 2^-j), as one 128-bit integer.
    private static readonly UInt128[] Windows = BuildWindows();

    private static readonly double HalfPiOver2To128 = Math.ScaleB(Math.PI / 2, -128);

    private static UInt128[] BuildWindows()
    {
        // 2/pi to 256 bits: floor(2/pi * 2^256), checked by the tests against sin of huge doubles.
        uint[] words =
        [
            0xA2F9836E, 0x4E441529, 0xFC2757D1, 0xF534DDC0, 0xDB629599, 0x3C439041, 0xFE5163AB, 0xDEBBC561,
        ];
        var all = BigInteger.Zero;
        foreach (var w in words) all = (all << 32) | w;
        var windows = new UInt128[MaxExponent - MinExponent + 1];
        var mask = (BigInteger.One << 128) - 1;
        for (int e = MinExponent; e <= MaxExponent; e++)
        {
            // The window's lowest bit is bit e + 126, i.e. bit (256 - (e + 126)) from the bottom of `all`.
            int shift = 256 - (e + 126);
            var window = (all >> shift) & mask;
            windows[e - MinExponent] = (UInt128)window;
        }
        return windows;
    }

    /// <summary>
    /// Payne-Hanek reduction of a finite float <paramref name="a"/> &gt;= 1: the quadrant q mod 4 and
    /// r = a - q pi/2 in [-pi/4, pi/4], both for the nearest multiple q of pi/2.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static (int Quadrant, double R) ReduceHuge(float a)
    {
        uint bits = BitConverter.SingleToUInt32Bits(a);
        int e = (int)(bits >> 23) - 150;
        ulong m = (bits & 0x7fffff) | 0x800000;
        // (a 2/pi) mod 4 = (m * window mod 2^128) / 2^126: the bits dropped above are multiples of 4.
        UInt128 product = m * Windows[e - MinExponent];
        int quadrant = (int)(product >> 126);
        // The fraction of a quadrant as a signed 128-bit fixed-point number: at or above one half it
        // reads as negative, which rounds to the next quadrant.
        var fraction = (Int128)(product << 2);
        if (fraction < 0) quadrant++;
        return (quadrant & 3, (double)fraction * HalfPiOver2To128);
    }
}

using System.Numerics;

namespace ArrayLang.Backends.OpenCL.Codegen;

/// <summary>
/// Mathematical constants the f64 math needs beyond double precision, computed in exact
/// integer arithmetic (fixed point with <see cref="Bits"/> fraction bits) rather than typed in:
/// pi by Machin's formula, atan(1/2) and ln 2 = 2 atanh(1/3) by their series, and the bits of 2/pi that the Payne-Hanek
/// reduction of huge trigonometric arguments multiplies by.
/// </summary>
internal static class ClConstants
{
    /// <summary>Fraction bits of the fixed-point values (the last few are not exact; far more than any use needs).</summary>
    private const int Bits = 1600;

    private static readonly BigInteger One = BigInteger.One << Bits;

    /// <summary>pi * 2^Bits.</summary>
    private static readonly BigInteger Pi = 16 * AtanInverse(5) - 4 * AtanInverse(239);

    /// <summary>atan(1/n) * 2^Bits for an integer n > 1: sum of (-1)^k / ((2k+1) n^(2k+1)).</summary>
    private static BigInteger AtanInverse(int n)
    {
        var sum = BigInteger.Zero;
        var power = One / n; // 1 / n^(2k+1)
        long n2 = (long)n * n;
        for (int k = 0; !power.IsZero; k++)
        {
            var term = power / (2 * k + 1);
            sum += k % 2 == 0 ? term : -term;
            power /= n2;
        }
        return sum;
    }

    /// <summary>atanh(1/n) * 2^Bits for an integer n > 1: sum of 1 / ((2k+1) n^(2k+1)).</summary>
    private static BigInteger AtanhInverse(int n)
    {
        var sum = BigInteger.Zero;
        var power = One / n;
        long n2 = (long)n * n;
        for (int k = 0; !power.IsZero; k++)
        {
            sum += power / (2 * k + 1);
            power /= n2;
        }
        return sum;
    }

    /// <summary>
    /// The first <paramref name="words"/> 64-bit words of 2/pi after the binary point, preceded by one
    /// word of zeros: bit j of 2/pi (weight 2^-j, j >= 1) is bit 63 - ((j + 63) mod 64) of word
    /// (j + 63) / 64, so a window may start up to 63 bits before the point.
    /// </summary>
    public static ulong[] TwoOverPiWords(int words)
    {
        if (64 * words > Bits - 64) throw new ArgumentOutOfRangeException(nameof(words));
        var twoOverPi = (One << (Bits + 1)) / Pi; // 2/pi * 2^Bits
        var result = new ulong[words + 1];
        var mask = (BigInteger.One << 64) - 1;
        for (int w = 0; w < words; w++)
            result[w + 1] = (ulong)((twoOverPi >> (Bits - 64 * (w + 1))) & mask);
        return result;
    }

    /// <summary>pi / 2^<paramref name="exponent"/> as a double-double (hi, lo), each rounded to nearest.</summary>
    public static (double Hi, double Lo) PiScaled(int exponent) => DoubleDouble(Pi, Bits + exponent);

    /// <summary>ln 2 = 2 atanh(1/3) as a double-double.</summary>
    public static (double Hi, double Lo) Ln2 => DoubleDouble(2 * AtanhInverse(3), Bits);

    /// <summary>atan(1/2) as a double-double.</summary>
    public static (double Hi, double Lo) AtanHalf => DoubleDouble(AtanInverse(2), Bits);

    /// <summary>The double-double nearest v / 2^fractionBits (v > 0): hi rounded to nearest, lo the rounded rest.</summary>
    private static (double Hi, double Lo) DoubleDouble(BigInteger v, int fractionBits)
    {
        var (hiInt, hiShift) = RoundTo53(v);
        double hi = Math.ScaleB((double)hiInt, hiShift - fractionBits);
        var rest = v - (hiInt << hiShift);
        if (rest.IsZero) return (hi, 0);
        var (loInt, loShift) = RoundTo53(BigInteger.Abs(rest));
        double lo = Math.ScaleB((double)loInt, loShift - fractionBits);
        return (hi, rest.Sign < 0 ? -lo : lo);
    }

    /// <summary>v (positive) rounded to 53 significant bits, half to even: q * 2^shift.</summary>
    private static (BigInteger Q, int Shift) RoundTo53(BigInteger v)
    {
        int shift = (int)Math.Max(0, v.GetBitLength() - 53);
        if (shift == 0) return (v, 0);
        var q = v >> shift;
        var rest = v - (q << shift);
        var half = BigInteger.One << (shift - 1);
        if (rest > half || (rest == half && !q.IsEven)) q += 1;
        return (q, shift);
    }
}

namespace ArrayLang.Tools.VectorMathSweep;

/// <summary>How far a float result is from the reference, and whether a special value went wrong.</summary>
internal static class Ulp
{
    /// <summary>
    /// The number of floats between <paramref name="a"/> and <paramref name="b"/> (0 when equal,
    /// 1 for neighbours; +0 and -0 count as equal, the infinities as the floats past the largest
    /// finite ones). Both NaN gives 0; one NaN gives <see cref="long.MaxValue"/>.
    /// </summary>
    public static long Distance(float a, float b)
    {
        bool nanA = float.IsNaN(a), nanB = float.IsNaN(b);
        if (nanA || nanB) return nanA && nanB ? 0 : long.MaxValue;
        return Math.Abs(Ordered(a) - Ordered(b));
    }

    // Maps float bits to integers that increase with the value, -0 and +0 both to 0.
    private static long Ordered(float x)
    {
        int bits = BitConverter.SingleToInt32Bits(x);
        return bits >= 0 ? bits : -(long)(bits & int.MaxValue);
    }

    /// <summary>
    /// Whether a result that must be exact is wrong: NaN where the reference is not (or the
    /// reverse), a zero of the wrong sign, or any difference at all for a special input (NaN, an
    /// infinity or a zero). Everything else is measured in ulps by <see cref="Distance"/>.
    /// </summary>
    public static bool SpecialMismatch(float result, float reference, bool specialInput)
    {
        if (float.IsNaN(result) || float.IsNaN(reference)) return float.IsNaN(result) != float.IsNaN(reference);
        if (result == 0 && reference == 0) return BitConverter.SingleToInt32Bits(result) != BitConverter.SingleToInt32Bits(reference);
        return specialInput && result != reference;
    }

    /// <summary>
    /// The spacing of floats at the magnitude of <paramref name="exact"/>: 2^(e - 23) in the binade
    /// [2^e, 2^(e+1)), 2^-149 among denormals; for the float overflow range that of the top binade.
    /// </summary>
    public static double Of(double exact)
    {
        double a = Math.Abs(exact);
        if (a < 1.1754943508222875e-38) return Math.ScaleB(1, -149);
        int e = Math.Min(Math.ILogB(a), 127);
        return Math.ScaleB(1, e - 23);
    }

    /// <summary>Whether <paramref name="exact"/> lies within 10^-4 ulp of a midpoint between two floats.</summary>
    public static bool NearMidpoint(double exact)
    {
        double fraction = Math.Abs(exact - (float)exact) / Of(exact);
        return Math.Abs(fraction - 0.5) < 1e-4;
    }

    /// <summary>NaN, an infinity or a zero.</summary>
    public static bool IsSpecial(float x) => float.IsNaN(x) || float.IsInfinity(x) || x == 0;
}

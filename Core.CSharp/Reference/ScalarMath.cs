namespace ArrayLang.Reference;

/// <summary>
/// Accurate scalar math that the BCL lacks or gets only roughly right, for the reference
/// evaluator (the oracle every backend is compared with). Note [accurate reference math]: the
/// BCL has no <c>erf</c>, and <c>double.ExpM1</c>/<c>LogP1</c> are <c>Exp(x) - 1</c> and
/// <c>Log(1 + x)</c>, which lose every digit for small <c>x</c>. Here <see cref="Erf"/>,
/// <see cref="Expm1"/>, <see cref="Log1p"/> and <see cref="Rsqrt"/> are computed in double-double
/// arithmetic (about 106 bits) and rounded once, so they are correctly rounded except in rare
/// near-halfway cases. <see cref="Pow"/> spells out C99's special cases (Annex F), which
/// <see cref="Math.Pow"/> has not always followed. An f32 primitive evaluates these in double and
/// rounds to float once.
/// </summary>
public static class ScalarMath
{
    // 2/sqrt(pi) and ln 2 as unevaluated sums hi + lo of doubles (106 bits).
    private static readonly DoubleDouble TwoOverSqrtPi = new(1.1283791670955126, 1.533545961316588e-17);
    private static readonly DoubleDouble Ln2 = new(0.6931471805599453, 2.3190468138462996e-17);
    private const double InvSqrtPi = 0.56418958354775628;

    /// <summary>
    /// The error function <c>erf(x) = 2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt</c>, odd,
    /// with <c>erf(±inf) = ±1</c> and <c>erf(NaN) = NaN</c>. For <c>|x| &lt; 4</c> its Taylor series is
    /// summed in double-double; beyond, <c>1 - erfc(x)</c> with <c>erfc</c> from its continued fraction.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x == 0) return x; // keeps the sign of zero
        double ax = Math.Abs(x);
        double r;
        if (ax < 4)
        {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)). At |x| = 4 the largest term is
            // about e^16, so cancellation costs about 24 of the 106 bits: the sum stays exact to double.
            var x2 = DoubleDouble.Mul(ax, ax);
            var power = new DoubleDouble(ax, 0);        // (-1)^n x^(2n+1) / n!
            var sum = power;
            for (int n = 1; n < 400; n++)
            {
                power = DoubleDouble.Div(DoubleDouble.Mul(power, x2), -n);
                var term = DoubleDouble.Div(power, 2 * n + 1);
                sum = DoubleDouble.Add(sum, term);
                if (Math.Abs(term.Hi) < Math.Abs(sum.Hi) * 1e-34) break;
            }
            r = DoubleDouble.Mul(sum, TwoOverSqrtPi).Value;
        }
        else
        {
            r = 1 - ErfcLarge(ax);
        }
        return x < 0 ? -r : r;
    }

    // erfc(x) for x >= 4 from its continued fraction
    //   erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
    // evaluated from the tail. erfc(4) is 1.5e-8, so the relative accuracy this needs for erf is
    // only about 1e-9; it is far better than that.
    private static double ErfcLarge(double x)
    {
        if (x > 27) return 0; // exp(-x^2) underflows
        double f = x;
        for (int n = 120; n >= 1; n--) f = x + n * 0.5 / f;
        // exp(-x^2) with x^2 = hi + lo exactly: exp(-hi) * (1 - lo).
        var x2 = DoubleDouble.Mul(x, x);
        double e = Math.Exp(-x2.Hi) * (1 - x2.Lo);
        return e * InvSqrtPi / f;
    }

    /// <summary>
    /// <c>exp(x) - 1</c>, accurate for every <c>x</c> including tiny ones (<c>expm1(1e-10)</c> is
    /// <c>1.00000000005e-10</c>, not what <c>Exp(x) - 1</c> gives); <c>expm1(-inf) = -1</c>,
    /// <c>expm1(±0) = ±0</c>, overflows to <c>+inf</c>.
    /// </summary>
    public static double Expm1(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x == 0) return x;
        if (x > 710) return double.PositiveInfinity;
        if (x < -40) return -1; // exp(x) < 2^-57: -1 + exp(x) rounds to -1
        return Expm1DD(x).Value;
    }

    /// <summary>
    /// <c>log(1 + x)</c>, accurate for every <c>x</c> including tiny ones (<c>log1p(-1e-12)</c> is
    /// <c>-1.0000000000005e-12</c>); <c>log1p(-1) = -inf</c>, NaN below <c>-1</c>,
    /// <c>log1p(±0) = ±0</c>, <c>log1p(inf) = inf</c>.
    /// </summary>
    public static double Log1p(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x == 0) return x;
        if (x < -1) return double.NaN;
        if (x == -1) return double.NegativeInfinity;
        if (double.IsPositiveInfinity(x)) return x;
        if (Math.Abs(x) < 0.25)
        {
            // log(1 + x) = sum_n (-1)^(n+1) x^n / n; 0.25^60 / 60 is below 2^-120.
            var power = new DoubleDouble(x, 0);
            var sum = power;
            for (int n = 2; n < 200; n++)
            {
                power = DoubleDouble.Mul(power, -x);
                var term = DoubleDouble.Div(power, n);
                sum = DoubleDouble.Add(sum, term);
                if (Math.Abs(term.Hi) < Math.Abs(sum.Hi) * 1e-34) break;
            }
            return sum.Value;
        }
        // u = 1 + x exactly as a double-double; u = m * 2^e with m near 1; log u = e ln2 + log m.
        var u = DoubleDouble.TwoSum(1, x);
        int e = Math.ILogB(u.Hi);
        var m = new DoubleDouble(Math.ScaleB(u.Hi, -e), Math.ScaleB(u.Lo, -e));
        if (m.Hi > Math.Sqrt(2)) { e++; m = new DoubleDouble(m.Hi * 0.5, m.Lo * 0.5); }
        // One Newton step for y = log m from y0 = Math.Log(m): y = y0 + m exp(-y0) - 1.
        // y0 is within an ulp, so the step leaves an error of about 1e-32.
        double y0 = Math.Log(m.Hi);
        var correction = DoubleDouble.Add(DoubleDouble.Mul(m, ExpDD(-y0)), -1);
        var y = DoubleDouble.Add(correction, y0);
        return DoubleDouble.Add(DoubleDouble.Mul(Ln2, e), y).Value;
    }

    /// <summary>
    /// <c>1 / sqrt(x)</c> rounded once (one Newton step in double-double refines
    /// <c>1 / Math.Sqrt(x)</c>); <c>rsqrt(+0) = +inf</c>, <c>rsqrt(-0) = -inf</c>,
    /// NaN for <c>x &lt; 0</c>, <c>rsqrt(inf) = 0</c>.
    /// </summary>
    public static double Rsqrt(double x)
    {
        if (double.IsNaN(x) || x < 0) return double.NaN;
        if (x == 0) return 1 / x;
        if (double.IsPositiveInfinity(x)) return 0;
        // Keep x * y^2 and its low parts away from overflow and subnormals.
        if (x < 1e-290) return Math.ScaleB(Rsqrt(Math.ScaleB(x, 200)), 100);
        if (x > 1e290) return Math.ScaleB(Rsqrt(Math.ScaleB(x, -200)), -100);
        double y = 1 / Math.Sqrt(x);
        // y' = y + y (1 - x y^2) / 2, with the residual 1 - x y^2 computed in double-double.
        var residual = DoubleDouble.Add(DoubleDouble.Mul(DoubleDouble.Mul(y, y), x).Negate(), 1);
        return y + y * residual.Hi * 0.5;
    }

    /// <summary>
    /// C99's <c>pow</c> (Annex F.9.4.4): <c>pow(x, ±0) = 1</c> and <c>pow(1, y) = 1</c> even for NaN,
    /// <c>pow(-1, ±inf) = 1</c>, zeros and infinities by the parity of integer <c>y</c>, NaN for
    /// a negative finite base with a non-integer exponent; otherwise <see cref="Math.Pow"/>.
    /// </summary>
    public static double Pow(double x, double y)
    {
        if (y == 0 || x == 1) return 1;
        if (double.IsNaN(x) || double.IsNaN(y)) return double.NaN;
        bool yIsInt = Math.Floor(y) == y;
        bool yOddInt = yIsInt && Math.Abs(y) < 9007199254740992.0 && Math.IEEERemainder(y, 2) != 0;
        if (double.IsInfinity(y))
        {
            double ax = Math.Abs(x);
            if (ax == 1) return 1;
            bool grow = ax > 1 == y > 0;
            return grow ? double.PositiveInfinity : 0;
        }
        if (x == 0)
        {
            if (y < 0) return yOddInt ? 1 / x : double.PositiveInfinity;
            return yOddInt ? x : 0;
        }
        if (double.IsInfinity(x))
        {
            if (x > 0) return y < 0 ? 0 : double.PositiveInfinity;
            if (y < 0) return yOddInt ? -0.0 : 0;
            return yOddInt ? double.NegativeInfinity : double.PositiveInfinity;
        }
        if (x < 0 && !yIsInt) return double.NaN;
        return Math.Pow(x, y);
    }

    /// <summary>Rounds to the nearest integer, halfway cases away from zero (C's <c>round</c>);
    /// keeps the sign of zero (<c>round(-0.4) = -0.0</c>), infinities and NaN.</summary>
    public static double RoundHalfAwayFromZero(double x)
    {
        if (double.IsNaN(x) || double.IsInfinity(x)) return x;
        double t = Math.Truncate(x);
        // x - t is exact: the fraction of a double fits in its own bits.
        return Math.Abs(x - t) >= 0.5 ? t + Math.CopySign(1.0, x) : t;
    }

    /// <summary>The logistic sigmoid <c>1 / (1 + exp(-x))</c>, rounded once, in the form
    /// <c>t / (1 + t)</c> with <c>t = exp(x)</c> for negative <c>x</c>, so that it neither overflows
    /// nor loses relative accuracy for large negative <c>x</c>.</summary>
    public static double Logistic(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x > 40) return 1;   // exp(-40) < 2^-57: 1 / (1 + exp(-x)) rounds to 1
        if (x < -750) return 0; // exp(x) is below half the smallest subnormal
        var t = ExpDD(-Math.Abs(x));
        var den = DoubleDouble.Add(t, 1);
        return (x >= 0 ? DoubleDouble.Div(new DoubleDouble(1, 0), den) : DoubleDouble.Div(t, den)).Value;
    }

    // exp(r) - 1 for |r| <= ln2/2 as a double-double: its Taylor series with no leading 1, so a
    // tiny r keeps every digit; 0.35^30 / 30! is far below 2^-106.
    private static DoubleDouble Expm1Reduced(DoubleDouble r)
    {
        var power = r;
        var sum = r;
        for (int n = 2; n < 40; n++)
        {
            power = DoubleDouble.Div(DoubleDouble.Mul(power, r), n);
            sum = DoubleDouble.Add(sum, power);
            if (Math.Abs(power.Hi) <= Math.Abs(sum.Hi) * 1e-36) break;
        }
        return sum;
    }

    // x = k ln2 + r with |r| <= ln2/2, r as a double-double.
    private static DoubleDouble Reduce(double x, out int k)
    {
        k = (int)Math.Round(x / Ln2.Hi);
        return DoubleDouble.Add(DoubleDouble.Mul(Ln2, -k), x);
    }

    // exp(x) - 1 as a double-double, for -40 <= x <= 710: 2^k (1 + s) - 1 = 2^k s + (2^k - 1).
    private static DoubleDouble Expm1DD(double x)
    {
        var s = Expm1Reduced(Reduce(x, out int k));
        if (k == 0) return s;
        var one = DoubleDouble.Add(s, 1);
        var big = new DoubleDouble(Math.ScaleB(one.Hi, k), Math.ScaleB(one.Lo, k));
        return k > 1000 ? big : DoubleDouble.Add(big, -1); // past 2^1000 the -1 is far below the last bit
    }

    // exp(x) as a double-double, for -750 <= x <= 709 (below -708 the result is subnormal and
    // carries only the precision a subnormal has).
    private static DoubleDouble ExpDD(double x)
    {
        var s = Expm1Reduced(Reduce(x, out int k));
        var one = DoubleDouble.Add(s, 1);
        return new DoubleDouble(Math.ScaleB(one.Hi, k), Math.ScaleB(one.Lo, k));
    }
}

/// <summary>
/// An unevaluated sum <c>Hi + Lo</c> of two doubles with <c>|Lo| &lt;= ulp(Hi)/2</c>: about 106
/// bits of precision (Dekker, Knuth). Only what <see cref="ScalarMath"/> needs.
/// </summary>
internal readonly record struct DoubleDouble(double Hi, double Lo)
{
    /// <summary>The value rounded to double.</summary>
    public double Value => Hi + Lo;

    public DoubleDouble Negate() => new(-Hi, -Lo);

    /// <summary>a + b exactly (Knuth's TwoSum).</summary>
    public static DoubleDouble TwoSum(double a, double b)
    {
        double s = a + b;
        double bb = s - a;
        double err = (a - (s - bb)) + (b - bb);
        return new(s, err);
    }

    private static DoubleDouble QuickTwoSum(double a, double b)
    {
        double s = a + b;
        return new(s, b - (s - a));
    }

    /// <summary>a * b exactly, with a fused multiply-add for the low part.</summary>
    public static DoubleDouble Mul(double a, double b)
    {
        double p = a * b;
        return new(p, Math.FusedMultiplyAdd(a, b, -p));
    }

    public static DoubleDouble Add(DoubleDouble a, DoubleDouble b)
    {
        var s = TwoSum(a.Hi, b.Hi);
        var t = TwoSum(a.Lo, b.Lo);
        var u = QuickTwoSum(s.Hi, s.Lo + t.Hi);
        return QuickTwoSum(u.Hi, u.Lo + t.Lo);
    }

    public static DoubleDouble Add(DoubleDouble a, double b)
    {
        var s = TwoSum(a.Hi, b);
        return QuickTwoSum(s.Hi, s.Lo + a.Lo);
    }

    public static DoubleDouble Mul(DoubleDouble a, DoubleDouble b)
    {
        var p = Mul(a.Hi, b.Hi);
        return QuickTwoSum(p.Hi, p.Lo + (a.Hi * b.Lo + a.Lo * b.Hi));
    }

    public static DoubleDouble Mul(DoubleDouble a, double b)
    {
        var p = Mul(a.Hi, b);
        return QuickTwoSum(p.Hi, p.Lo + a.Lo * b);
    }

    public static DoubleDouble Div(DoubleDouble a, double b)
    {
        double q1 = a.Hi / b;
        var r = Add(a, Mul(q1, b).Negate());
        double q2 = r.Hi / b;
        r = Add(r, Mul(q2, b).Negate());
        double q3 = r.Hi / b;
        return Add(QuickTwoSum(q1, q2), q3);
    }

    public static DoubleDouble Div(DoubleDouble a, DoubleDouble b)
    {
        double q1 = a.Hi / b.Hi;
        var r = Add(a, Mul(b, q1).Negate());
        double q2 = r.Hi / b.Hi;
        r = Add(r, Mul(b, q2).Negate());
        double q3 = r.Hi / b.Hi;
        return Add(QuickTwoSum(q1, q2), q3);
    }
}

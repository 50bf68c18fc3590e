using ILGPU;

namespace ArrayLang.Backends.Cuda.Device;

/// <summary>
/// The transcendental functions of IR.md for device code (Note [device math]): our own scalar
/// algorithms in double precision, compiled by ILGPU like <see cref="DeviceOps"/>, so neither
/// PTX's approximate instructions nor LibDevice (which needs a CUDA toolkit) are involved.
/// The f32 functions compute in double and round once.
/// </summary>
/// <remarks>
/// Note [device math]: plain ILGPU cannot compile <c>MathF.Exp</c> for PTX, and the CPU's
/// VectorMath kernels are written over Vector512 lane interfaces with table permutes and
/// slow paths through the BCL that ILGPU cannot compile either. So the device has its own
/// scalar forms, in double: an NVIDIA data-centre GPU (the H200) runs f64 at half the f32
/// rate, and an f32 result computed in double and rounded once is within about half an ulp
/// plus the double error (below 2^-40 relative), i.e. at most 1 ulp from the correctly rounded
/// float. The double functions: exp, expm1, log, log1p and the trigonometric functions reduce
/// the argument exactly (Cody-Waite splits with fused multiply-adds) and evaluate a Taylor or
/// atanh series to below 2^-53 truncation; tanh and logistic go through expm1 and exp; erf is
/// its Taylor series below 2.5 and the continued fraction of erfc above; pow is exp(y log|x|)
/// with C99's special cases; atan2 reduces to [0, tan(pi/8)] and sums the series. Measured
/// bounds (tests/Backends/Cuda/DeviceMathTests.fs, against the reference evaluator) are in
/// docs/backends.md ("CUDA device math"). Trigonometric arguments beyond 2^30 are reduced with
/// the three-part split only, which loses accuracy there (documented).
/// </remarks>
public static class DeviceMath
{
    private const double Ln2Hi = 6.93147180369123816490e-01;  // fdlibm's split: k Ln2Hi is exact for |k| < 2^20
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double InvLn2 = 1.44269504088896338700e+00;
    private const double PiOver2Hi = 1.57079632673412561417e+00; // 33 bits: k PiOver2Hi exact for |k| < 2^20
    private const double PiOver2Mid = 6.07710050630396597660e-11;
    private const double PiOver2Lo = 2.02226624879595063154e-21;
    private const double TwoOverPi = 6.36619772367581382433e-01;
    private const double Pi = 3.14159265358979311600e+00;
    private const double PiOver4 = 7.85398163397448278999e-01;
    private const double QuarterPiTail = 3.061616997868383e-17;  // pi/4 - PiOver4
    private const double HalfPiTail = 6.123233995736766e-17;  // pi/2 - 1.5707963267948966
    private const double PiTail = 1.2246467991473532e-16;  // pi - Pi

    private static bool IsNaN(double x) => double.IsNaN(x);

    private static double Abs(double x) => DeviceOps.AbsF64(x);

    /// <summary>2^k for an integer k in [-1022, 1023], exactly.</summary>
    private static double Pow2(int k) => Interop.IntAsFloat((ulong)(long)(k + 1023) << 52);

    // ---- exponentials ----

    /// <summary>e^x; overflow gives +inf, underflow gradual then 0.</summary>
    public static double ExpF64(double x)
    {
        if (IsNaN(x)) return x;
        if (x > 709.782712893384) return double.PositiveInfinity;
        if (x < -745.1332191019412) return 0.0;
        double k = Math.Floor(x * InvLn2 + 0.5);
        double r = Math.FusedMultiplyAdd(-k, Ln2Hi, x);
        r = Math.FusedMultiplyAdd(-k, Ln2Lo, r);
        double p = ExpReduced(r);
        int ki = (int)k;
        // Two exact scalings keep 2^k representable at both ends of the range.
        int k1 = ki / 2;
        return p * Pow2(k1) * Pow2(ki - k1);
    }

    /// <summary>e^r for |r| &lt;= ln2/2 + tiny: Taylor series to r^13 (truncation below 2^-56).</summary>
    private static double ExpReduced(double r)
    {
        double q = 1.0 / 6227020800.0;                 // 1/13!
        q = Math.FusedMultiplyAdd(q, r, 1.0 / 479001600.0);
        q = Math.FusedMultiplyAdd(q, r, 1.0 / 39916800.0);
        q = Math.FusedMultiplyAdd(q, r, 1.0 / 3628800.0);
        q = Math.FusedMultiplyAdd(q, r, 1.0 / 362880.0);
        q = Math.FusedMultiplyAdd(q, r, 1.0 / 40320.0);
        q = Math.FusedMultiplyAdd(q, r, 1.0 / 5040.0);
        q = Math.FusedMultiplyAdd(q, r, 1.0 / 720.0);
        q = Math.FusedMultiplyAdd(q, r, 1.0 / 120.0);
        q = Math.FusedMultiplyAdd(q, r, 1.0 / 24.0);
        q = Math.FusedMultiplyAdd(q, r, 1.0 / 6.0);
        q = Math.FusedMultiplyAdd(q, r, 0.5);
        // 1 + (r + r^2 q): the small part first, 1 added last.
        return 1.0 + Math.FusedMultiplyAdd(q, r * r, r);
    }

    /// <summary>e^x - 1, accurate near 0.</summary>
    public static double Expm1F64(double x)
    {
        if (IsNaN(x) || x == 0.0) return x;   // keeps -0
        if (x < -40.0) return -1.0;
        if (Abs(x) < 0.7)
        {
            // Taylor series to x^22 (0.7^23 / 23! is far below 2^-53 relative).
            double q = 1.0 / 1.1240007277776077e21;          // 1/22!
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 5.109094217170944e19);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 2.43290200817664e18);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 1.21645100408832e17);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 6402373705728000.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 355687428096000.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 20922789888000.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 1307674368000.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 87178291200.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 6227020800.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 479001600.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 39916800.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 3628800.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 362880.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 40320.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 5040.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 720.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 120.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 24.0);
            q = Math.FusedMultiplyAdd(q, x, 1.0 / 6.0);
            q = Math.FusedMultiplyAdd(q, x, 0.5);
            return Math.FusedMultiplyAdd(q, x * x, x);
        }
        // |x| >= 0.7: e^x >= 2 or e^x <= 0.5, so subtracting 1 costs at most about one ulp.
        return ExpF64(x) - 1.0;
    }

    // ---- logarithms ----

    /// <summary>The natural logarithm: log(±0) = -inf, NaN below 0, log(+inf) = +inf.</summary>
    public static double LogF64(double x)
    {
        if (IsNaN(x) || x < 0.0) return double.NaN;
        if (x == 0.0) return double.NegativeInfinity;
        if (x > double.MaxValue) return x;
        int e = 0;
        if (x < 2.2250738585072014e-308) { x *= 18014398509481984.0; e = -54; } // denormals times 2^54
        ulong bits = Interop.FloatAsInt(x);
        e += (int)((bits >> 52) & 0x7FF) - 1023;
        double m = Interop.IntAsFloat((bits & 0x000FFFFFFFFFFFFFul) | 0x3FF0000000000000ul); // [1, 2)
        if (m > 1.4142135623730951) { m *= 0.5; e += 1; }
        return e * Ln2Hi + (e * Ln2Lo + LogOfReduced(m));
    }

    /// <summary>log x for a positive finite x as hi + lo (lo carries what the rounding of hi lost).</summary>
    private static void LogDouble(double x, out double hi, out double lo)
    {
        int e = 0;
        if (x < 2.2250738585072014e-308) { x *= 18014398509481984.0; e = -54; }
        ulong bits = Interop.FloatAsInt(x);
        e += (int)((bits >> 52) & 0x7FF) - 1023;
        double m = Interop.IntAsFloat((bits & 0x000FFFFFFFFFFFFFul) | 0x3FF0000000000000ul);
        if (m > 1.4142135623730951) { m *= 0.5; e += 1; }
        double t = LogOfReduced(m);
        double k = e * Ln2Hi;       // exact
        hi = k + t;
        lo = e == 0 ? 0.0 : (k - hi) + t;   // Fast2Sum: |k| >= ln2/2 > |t| when e != 0
        lo += e * Ln2Lo;
        // Renormalize (Fast2Sum) so that |lo| <= ulp(hi) / 2 and exp(hi) (1 + lo) holds to second order.
        double sum = hi + lo;
        lo = (hi - sum) + lo;
        hi = sum;
    }

    /// <summary>log(m) for m in [sqrt(1/2), sqrt(2)]: 2 atanh(f) with f = (m - 1) / (m + 1), |f| &lt;= 0.1716.</summary>
    private static double LogOfReduced(double m)
    {
        double f = (m - 1.0) / (m + 1.0);
        double s = f * f;
        double q = 1.0 / 23.0;
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 21.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 19.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 17.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 15.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 13.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 11.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 9.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 7.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 5.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 3.0);
        // 2 f + 2 f^3 q, with m - 1 computed exactly first so that near 1 the result keeps relative accuracy.
        return 2.0 * Math.FusedMultiplyAdd(f * s, q, f);
    }

    /// <summary>log(1 + x), accurate near 0: log1p(-1) = -inf, NaN below -1.</summary>
    public static double Log1pF64(double x)
    {
        if (IsNaN(x) || x < -1.0) return double.NaN;
        if (x == -1.0) return double.NegativeInfinity;
        if (x > double.MaxValue) return x;
        double u = 1.0 + x;
        if (u == 1.0) return x; // also keeps -0
        // log(u) * x / (u - 1) corrects for the rounding of 1 + x (Goldberg).
        double d = u - 1.0;
        return LogF64(u) * (x / d);
    }

    // ---- trigonometry ----

    /// <summary>x - k pi/2 for k = round(x 2/pi), in three exact fused steps; returns r and the quadrant k mod 4.</summary>
    private static double Reduce(double x, out int quadrant)
    {
        double k = Math.Floor(x * TwoOverPi + 0.5);
        double r = Math.FusedMultiplyAdd(-k, PiOver2Hi, x);
        r = Math.FusedMultiplyAdd(-k, PiOver2Mid, r);
        r = Math.FusedMultiplyAdd(-k, PiOver2Lo, r);
        double kMod4 = k - 4.0 * Math.Floor(k * 0.25);
        quadrant = (int)kMod4;
        return r;
    }

    /// <summary>sin r for |r| &lt;= pi/4: Taylor to r^19.</summary>
    private static double SinReduced(double r)
    {
        double s = r * r;
        double q = -1.0 / 121645100408832000.0;          // -1/19!
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 355687428096000.0);
        q = Math.FusedMultiplyAdd(q, s, -1.0 / 1307674368000.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 6227020800.0);
        q = Math.FusedMultiplyAdd(q, s, -1.0 / 39916800.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 362880.0);
        q = Math.FusedMultiplyAdd(q, s, -1.0 / 5040.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 120.0);
        q = Math.FusedMultiplyAdd(q, s, -1.0 / 6.0);
        return Math.FusedMultiplyAdd(r * s, q, r);
    }

    /// <summary>cos r for |r| &lt;= pi/4: Taylor to r^20.</summary>
    private static double CosReduced(double r)
    {
        double s = r * r;
        double q = 1.0 / 2432902008176640000.0;          // 1/20!
        q = Math.FusedMultiplyAdd(q, s, -1.0 / 6402373705728000.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 20922789888000.0);
        q = Math.FusedMultiplyAdd(q, s, -1.0 / 87178291200.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 479001600.0);
        q = Math.FusedMultiplyAdd(q, s, -1.0 / 3628800.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 40320.0);
        q = Math.FusedMultiplyAdd(q, s, -1.0 / 720.0);
        q = Math.FusedMultiplyAdd(q, s, 1.0 / 24.0);
        // 1 - s/2 + s^2 q: 1 - s/2 rounds once, the rest is small.
        double h = 0.5 * s;
        double w = 1.0 - h;
        return w + (((1.0 - w) - h) + s * s * q);
    }

    /// <summary>The sine: sin(±0) = ±0, infinities and NaN give NaN.</summary>
    public static double SinF64(double x)
    {
        if (!DeviceOps.IsFiniteF64(x)) return double.NaN;
        if (Abs(x) < 1e-8) return x;
        double r = Reduce(x, out int q);
        double v = (q & 1) == 0 ? SinReduced(r) : CosReduced(r);
        return q >= 2 ? -v : v;
    }

    /// <summary>The cosine: cos(±0) = 1, infinities and NaN give NaN.</summary>
    public static double CosF64(double x)
    {
        if (!DeviceOps.IsFiniteF64(x)) return double.NaN;
        double r = Reduce(x, out int q);
        double v = (q & 1) == 0 ? CosReduced(r) : SinReduced(r);
        return q == 1 || q == 2 ? -v : v;
    }

    /// <summary>The tangent: tan(±0) = ±0, infinities and NaN give NaN.</summary>
    public static double TanF64(double x)
    {
        if (!DeviceOps.IsFiniteF64(x)) return double.NaN;
        if (Abs(x) < 1e-8) return x;
        double r = Reduce(x, out int q);
        double s = SinReduced(r), c = CosReduced(r);
        return (q & 1) == 0 ? s / c : -c / s;
    }

    // ---- hyperbolic and logistic ----

    /// <summary>tanh x = expm1(2x) / (expm1(2x) + 2) on |x|, sign restored; ±1 beyond 22.</summary>
    public static double TanhF64(double x)
    {
        if (IsNaN(x) || x == 0.0) return x;
        double a = Abs(x);
        if (a > 22.0) return DeviceOps.CopySignF64(1.0, x);
        double e = Expm1F64(2.0 * a);
        return DeviceOps.CopySignF64(e / (e + 2.0), x);
    }

    /// <summary>1 / (1 + e^-x), as e^x / (1 + e^x) for negative x (no overflow, relative accuracy kept).</summary>
    public static double LogisticF64(double x)
    {
        if (IsNaN(x)) return x;
        if (x >= 0.0) return 1.0 / (1.0 + ExpF64(-x));
        double e = ExpF64(x);
        return e / (1.0 + e);
    }

    // ---- erf ----

    /// <summary>The error function: the Taylor series below 2.5, 1 - erfc (continued fraction) above, ±1 beyond 6.</summary>
    public static double ErfF64(double x)
    {
        if (IsNaN(x) || x == 0.0) return x;
        double a = Abs(x);
        double result;
        if (a >= 6.0) result = 1.0;
        else if (a < 2.5)
        {
            // erf a = 2/sqrt(pi) e^(-a^2) sum_n 2^n a^(2n+1) / (1 3 5 ... (2n+1)): every term positive, so nothing cancels.
            double s = a * a;
            double sLo = Math.FusedMultiplyAdd(a, a, -s);
            double term = a, sum = a;
            for (int n = 1; n < 100; n++)
            {
                term *= 2.0 * s / (2 * n + 1);
                sum += term;
                if (term < 1e-17 * sum) break;
            }
            double e = ExpF64(-s);
            result = Math.FusedMultiplyAdd(e, -sLo, e) * sum * 1.1283791670955126;
        }
        else
        {
            // erfc a = e^(-a^2) / sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated from the tail.
            double k = a;
            for (int n = 80; n >= 1; n--) k = a + 0.5 * n / k;
            double erfc = ExpF64(-a * a) * 0.5641895835477563 / k;
            result = 1.0 - erfc;
        }
        return DeviceOps.CopySignF64(result, x);
    }

    // ---- pow and atan2 ----

    /// <summary>C99's pow (Annex F.9.4.4), the general case as exp(y log|x|).</summary>
    public static double PowF64(double x, double y)
    {
        if (y == 0.0 || x == 1.0) return 1.0;
        if (IsNaN(x) || IsNaN(y)) return double.NaN;
        bool yIsInt = Math.Floor(y) == y;
        bool yOddInt = yIsInt && Abs(y) < 9007199254740992.0 && y - 2.0 * Math.Floor(y * 0.5) != 0.0;
        if (!DeviceOps.IsFiniteF64(y))
        {
            double ax = Abs(x);
            if (ax == 1.0) return 1.0;
            return (ax > 1.0) == (y > 0.0) ? double.PositiveInfinity : 0.0;
        }
        if (x == 0.0)
        {
            if (y < 0.0) return yOddInt ? 1.0 / x : double.PositiveInfinity;
            return yOddInt ? x : 0.0;
        }
        if (!DeviceOps.IsFiniteF64(x))
        {
            if (x > 0.0) return y < 0.0 ? 0.0 : double.PositiveInfinity;
            if (y < 0.0) return yOddInt ? -0.0 : 0.0;
            return yOddInt ? double.NegativeInfinity : double.PositiveInfinity;
        }
        if (x < 0.0 && !yIsInt) return double.NaN;
        // y log|x| in double-double, so that its rounding does not grow with the exponent: exp(hi) (1 + lo).
        LogDouble(Abs(x), out double lhi, out double llo);
        double zhi = y * lhi;
        double zlo = Math.FusedMultiplyAdd(y, lhi, -zhi) + y * llo;
        double magnitude;
        if (zhi > 709.782712893384 || zhi < -745.1332191019412) magnitude = ExpF64(zhi);
        else
        {
            double ez = ExpF64(zhi);
            magnitude = Math.FusedMultiplyAdd(ez, zlo, ez);
        }
        return x < 0.0 && yOddInt ? -magnitude : magnitude;
    }

    /// <summary>atan t for 0 &lt;= t: reduced to |u| &lt;= tan(pi/8) through atan t = pi/4 + atan((t - 1)/(t + 1)) or pi/2 - atan(1/t).</summary>
    private static double AtanPositive(double t)
    {
        double offset = 0.0;
        bool invert = t > 2.414213562373095; // tan(3 pi / 8)
        if (invert) t = 1.0 / t;
        if (t > 0.41421356237309503) { offset = PiOver4; t = (t - 1.0) / (t + 1.0); }
        double s = t * t;
        double q = -1.0 / 43.0;
        for (int n = 20; n >= 1; n--) q = Math.FusedMultiplyAdd(q, s, (n % 2 == 0 ? 1.0 : -1.0) / (2 * n + 1));
        // pi/4's rounding error (QuarterPiTail) joins the small part before the one rounding of the sum.
        double small = Math.FusedMultiplyAdd(t * s, q, t) + (offset != 0.0 ? QuarterPiTail : 0.0);
        if (invert) return (1.5707963267948966 - (offset + small)) + HalfPiTail;
        return offset + small;
    }

    /// <summary>C's atan2(y, x): the angle of (x, y) in [-pi, pi], signed zeros and infinities as C.</summary>
    public static double Atan2F64(double y, double x)
    {
        if (IsNaN(x) || IsNaN(y)) return double.NaN;
        double ax = Abs(x), ay = Abs(y);
        bool xNeg = DeviceOps.IsNegativeF64(x);
        double angle;
        if (ay == 0.0) angle = xNeg ? Pi : 0.0;
        else if (ax == 0.0) angle = 1.5707963267948966;
        else if (!DeviceOps.IsFiniteF64(ax) && !DeviceOps.IsFiniteF64(ay)) angle = xNeg ? 3.0 * PiOver4 : PiOver4;
        else if (!DeviceOps.IsFiniteF64(ax)) angle = xNeg ? Pi : 0.0;
        else if (!DeviceOps.IsFiniteF64(ay)) angle = 1.5707963267948966;
        else
        {
            // The angle is an offset of 0, pi/2 or pi plus or minus atan of a ratio <= 1; each
            // offset in two parts (hi + lo), so only the final sums round (3 ulp seen before).
            double t = AtanPositive(ay <= ax ? ay / ax : ax / ay);
            if (ay <= ax) angle = xNeg ? (Pi - t) + PiTail : t;
            else angle = (xNeg ? 1.5707963267948966 + t : 1.5707963267948966 - t) + HalfPiTail;
        }
        return DeviceOps.CopySignF64(angle, y);
    }

    // ---- f32: computed in double, rounded once ----

    /// <summary>e^x.</summary>
    public static float ExpF32(float x) => (float)ExpF64(x);
    /// <summary>e^x - 1.</summary>
    public static float Expm1F32(float x) => (float)Expm1F64(x);
    /// <summary>log x.</summary>
    public static float LogF32(float x) => (float)LogF64(x);
    /// <summary>log(1 + x).</summary>
    public static float Log1pF32(float x) => (float)Log1pF64(x);
    /// <summary>sin x.</summary>
    public static float SinF32(float x) => (float)SinF64(x);
    /// <summary>cos x.</summary>
    public static float CosF32(float x) => (float)CosF64(x);
    /// <summary>tan x.</summary>
    public static float TanF32(float x) => (float)TanF64(x);
    /// <summary>tanh x.</summary>
    public static float TanhF32(float x) => (float)TanhF64(x);
    /// <summary>1 / (1 + e^-x).</summary>
    public static float LogisticF32(float x) => (float)LogisticF64(x);
    /// <summary>erf x.</summary>
    public static float ErfF32(float x) => (float)ErfF64(x);
    /// <summary>C's pow.</summary>
    public static float PowF32(float x, float y) => (float)PowF64(x, y);
    /// <summary>C's atan2.</summary>
    public static float Atan2F32(float y, float x) => (float)Atan2F64(y, x);
}

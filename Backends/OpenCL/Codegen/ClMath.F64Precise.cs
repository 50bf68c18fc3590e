namespace ArrayLang.Backends.OpenCL.Codegen;

// Note [opencl f64 erf, pow, atan2]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// The CPU runs f64 erf, pow and atan2 through the reference's scalar code; here they are our own
// OpenCL C, built on double-double helpers (al_dd_*: Knuth's TwoSum, the exact product by fma,
// Dekker's division; they rely on correctly rounded double + - * / and an exact fma, which
// OpenCL requires of fp64 devices, and on FP_CONTRACT OFF):
// - erf is the reference's own algorithm (ScalarMath.Erf) operation for operation: below |x| = 4
//   its Taylor series summed in double-double and multiplied by 2/sqrt(pi) in double-double;
//   from 4 on, 1 - erfc(x) from erfc's continued fraction (where erfc < 2e-8, so the exp inside,
//   al_exp_f64, hardly matters). It therefore gives the reference's bits but for rare last-bit
//   differences beyond 4.
// - pow(x, y) = exp(y log x) with log x in double-double (x = 2^k m, m in [sqrt(2)/2, sqrt(2)),
//   log m = 2 atanh(s), s = (m - 1)/(m + 1), the series summed in double-double to 2^-110),
//   y log x as a double-double P = hi + lo, and exp(P) = 2^k exp(r) with r = hi - k ln2 exact and
//   the low parts kept as a correction c: exp(r + c) = (1 + r) + (q r^2 + c (1 + r)), the
//   polynomial q of al_exp_f64, with 1 + r exact (TwoSum), so the final rounding dominates. C99's special cases
//   (IR.md) come first, as in ScalarMath.Pow.
// - atan2(y, x): with mn = min(|x|, |y|), mx = max, atan(mn/mx) = atan(c) + atan(u) for
//   c = 0, 1/2 or 1 (mn/mx below 7/16, below 11/16, else), u = (mn - c mx)/(mx + c mn) as a
//   double-double from an exact numerator (Sterbenz), so |u| <= 0.4375; atan(u) is its Taylor
//   series to u^47 (truncation below 2^-62 relative); then pi/2 - angle when |y| > |x| and pi -
//   angle when x is negative, all in double-double, rounded once, with y's sign.
// Bounds against the reference (Math.Atan2, ScalarMath.Pow/Erf), measured on POCL by
// tests/Backends/OpenCL/OpenClTests.fs over special values, edge cases and random inputs, and
// asserted there: erf 1 ulp, pow 1 ulp, atan2 1 ulp (docs/backends.md lists what was seen).

internal static partial class ClLibrary
{
    private static void AddDoubleDouble()
    {
        Add("al_dd_two_sum", """
            inline double2 al_dd_two_sum(double a, double b) {
              double s = a + b;
              double bb = s - a;
              return (double2)(s, (a - (s - bb)) + (b - bb));
            }
            """);
        Add("al_dd_quick", "inline double2 al_dd_quick(double a, double b) { double s = a + b; return (double2)(s, b - (s - a)); }");
        Add("al_dd_prod", "inline double2 al_dd_prod(double a, double b) { double p = a * b; return (double2)(p, fma(a, b, -p)); }");
        Add("al_dd_add", """
            inline double2 al_dd_add(double2 a, double2 b) {
              double2 s = al_dd_two_sum(a.x, b.x);
              double2 t = al_dd_two_sum(a.y, b.y);
              double2 u = al_dd_quick(s.x, s.y + t.x);
              return al_dd_quick(u.x, u.y + t.y);
            }
            """, "al_dd_two_sum", "al_dd_quick");
        Add("al_dd_add_d", """
            inline double2 al_dd_add_d(double2 a, double b) {
              double2 s = al_dd_two_sum(a.x, b);
              return al_dd_quick(s.x, s.y + a.y);
            }
            """, "al_dd_two_sum", "al_dd_quick");
        Add("al_dd_mul", """
            inline double2 al_dd_mul(double2 a, double2 b) {
              double2 p = al_dd_prod(a.x, b.x);
              return al_dd_quick(p.x, p.y + (a.x * b.y + a.y * b.x));
            }
            """, "al_dd_prod", "al_dd_quick");
        Add("al_dd_mul_d", """
            inline double2 al_dd_mul_d(double2 a, double b) {
              double2 p = al_dd_prod(a.x, b);
              return al_dd_quick(p.x, p.y + a.y * b);
            }
            """, "al_dd_prod", "al_dd_quick");
        Add("al_dd_div_d", """
            double2 al_dd_div_d(double2 a, double b) {
              double q1 = a.x / b;
              double2 r = al_dd_add(a, -al_dd_prod(q1, b));
              double q2 = r.x / b;
              r = al_dd_add(r, -al_dd_prod(q2, b));
              double q3 = r.x / b;
              return al_dd_add_d(al_dd_quick(q1, q2), q3);
            }
            """, "al_dd_add", "al_dd_prod", "al_dd_quick", "al_dd_add_d");
    }

    private static void AddErfF64()
    {
        Add("al_erfc_large_f64", """
            // erfc(x) for x >= 4 from its continued fraction (ScalarMath.ErfcLarge).
            double al_erfc_large_f64(double x) {
              if (x > 27.0) return 0.0;
              double f = x;
              for (int n = 120; n >= 1; n--) f = x + (double)n * 0.5 / f;
              double2 x2 = al_dd_prod(x, x);
              double e = al_exp_f64(-x2.x) * (1.0 - x2.y);
              return e * 0.56418958354775628 / f;
            }
            """, "al_dd_prod", "al_exp_f64");
        Add("al_erf_f64", """
            // ScalarMath.Erf operation for operation (Note [opencl f64 erf, pow, atan2]).
            double al_erf_f64(double x) {
              if (isnan(x) || x == 0.0) return x;
              double ax = fabs(x);
              double r;
              if (ax < 4.0) {
                double2 x2 = al_dd_prod(ax, ax);
                double2 power = (double2)(ax, 0.0);
                double2 sum = power;
                for (int n = 1; n < 400; n++) {
                  power = al_dd_div_d(al_dd_mul(power, x2), (double)(-n));
                  double2 term = al_dd_div_d(power, (double)(2 * n + 1));
                  sum = al_dd_add(sum, term);
                  if (fabs(term.x) < fabs(sum.x) * 1e-34) break;
                }
                double2 p = al_dd_mul(sum, (double2)(1.1283791670955126, 1.533545961316588e-17));
                r = p.x + p.y;
              } else {
                r = 1.0 - al_erfc_large_f64(ax);
              }
              return x < 0.0 ? -r : r;
            }
            """, "al_dd_prod", "al_dd_div_d", "al_dd_mul", "al_dd_add", "al_erfc_large_f64");
    }

    private static void AddPowF64()
    {
        var ln2 = ClConstants.Ln2;
        Add("al_log_dd_f64", $$"""
            // log(ax) as a double-double for a positive finite ax (Note [opencl f64 erf, pow, atan2]).
            double2 al_log_dd_f64(double ax) {
              double kAdjust = 0.0;
              if (ax < 2.2250738585072014e-308) { ax *= 4503599627370496.0; kAdjust = -52.0; }
              long kBits = (as_long(ax) - 0x3FE6A09E667F3BCDl) >> 52;
              double k = (double)kBits + kAdjust;
              double m = as_double(as_long(ax) - (kBits << 52));
              double f = m - 1.0;
              double2 d = al_dd_two_sum(2.0, f);
              double sHi = f / d.x;
              double sLo = (fma(-sHi, d.x, f) - sHi * d.y) / d.x;
              double2 s = al_dd_quick(sHi, sLo);
              double2 z = al_dd_mul(s, s);
              double2 power = s;
              double2 sum = s;
              for (int n = 1; n < 40; n++) {
                power = al_dd_mul(power, z);
                double2 term = al_dd_div_d(power, (double)(2 * n + 1));
                sum = al_dd_add(sum, term);
                if (fabs(term.x) <= fabs(sum.x) * 1e-34) break;
              }
              return al_dd_add(al_dd_mul_d((double2)({{D(ln2.Hi)}}, {{D(ln2.Lo)}}), k), 2.0 * sum);
            }
            """, "al_dd_two_sum", "al_dd_quick", "al_dd_mul", "al_dd_div_d", "al_dd_add", "al_dd_mul_d");
        Add("al_pow_mag_f64", $$"""
            // exp(y log ax) for a positive finite ax and a finite y (Note [opencl f64 erf, pow, atan2]).
            double al_pow_mag_f64(double ax, double y) {
              double2 l = al_log_dd_f64(ax);
              double estimate = l.x * y;
              if (estimate > 710.0) return INFINITY;
              if (estimate < -746.0) return 0.0;
              double2 p = al_dd_mul_d(l, y);
              double k = rint(p.x * 1.4426950408889634);
              double r = fma(k, -6.93147180369123816490e-01, p.x);
              double2 rr = al_dd_two_sum(r, fma(-k, 1.9082149292705877e-10, p.y));
              double q = {{HornerD("rr.x", 0.50000000000000111, 0.16666666666666413, 0.041666666666530155, 0.0083333333334944647,
                  0.0013888888943630188, 0.00019841269506571267, 2.4801493098816138e-05, 2.75575863808365e-06,
                  2.7630248414084709e-07, 2.5000059288358359e-08)}};
              double2 one = al_dd_two_sum(1.0, rr.x);
              double e = one.x + (one.y + (q * rr.x * rr.x + fma(rr.y, rr.x, rr.y)));
              long ki = convert_long_rtz(k);
              if (fabs(k) > 1022.0) {
                long k1 = ki >> 1;
                return e * as_double((k1 + 1023) << 52) * as_double((ki - k1 + 1023) << 52);
              }
              return e * as_double((ki + 1023) << 52);
            }
            """, "al_dd_mul_d", "al_log_dd_f64", "al_dd_two_sum");
        Add("al_pow_f64", """
            // C99's pow (IR.md, ScalarMath.Pow's special cases), else al_pow_mag_f64.
            double al_pow_f64(double x, double y) {
              if (y == 0.0 || x == 1.0) return 1.0;
              if (isnan(x) || isnan(y)) return NAN;
              double ax = fabs(x);
              int yInteger = floor(y) == y;
              int yOdd = yInteger && fabs(y) < 9007199254740992.0 && fmod(y, 2.0) != 0.0;
              if (isinf(y)) {
                if (ax == 1.0) return 1.0;
                return ((ax > 1.0) == (y > 0.0)) ? INFINITY : 0.0;
              }
              if (ax == 0.0) {
                if (y < 0.0) return yOdd ? 1.0 / x : INFINITY;
                return yOdd ? x : 0.0;
              }
              if (isinf(x)) {
                if (x > 0.0) return y < 0.0 ? 0.0 : INFINITY;
                if (y < 0.0) return yOdd ? -0.0 : 0.0;
                return yOdd ? -INFINITY : INFINITY;
              }
              if (x < 0.0 && !yInteger) return NAN;
              double m = al_pow_mag_f64(ax, y);
              return x < 0.0 && yOdd ? -m : m;
            }
            """, "al_pow_mag_f64");
    }

    private static void AddAtan2F64()
    {
        // atan(u) = u + u z h(z), z = u^2, h = sum_{k=1..23} (-1)^k z^(k-1) / (2k + 1).
        var h = Enumerable.Range(1, 23).Select(k => (k % 2 == 0 ? 1.0 : -1.0) / (2 * k + 1)).ToArray();
        var half = ClConstants.AtanHalf;
        var quarterPi = ClConstants.PiScaled(2);
        var halfPi = ClConstants.PiScaled(1);
        var pi = ClConstants.PiScaled(0);
        Add("al_atan2_f64", $$"""
            // Note [opencl f64 erf, pow, atan2].
            double al_atan2_f64(double y, double x) {
              if (isnan(x) || isnan(y)) return NAN;
              double ax = fabs(x), ay = fabs(y);
              int swap = ay > ax;
              double mx = swap ? ay : ax;
              double mn = swap ? ax : ay;
              if (isinf(mx)) { mn = isinf(mn) ? 1.0 : 0.0; mx = 1.0; }
              if (mx == 0.0) mx = 1.0;
              double num, den, denLo = 0.0;
              double2 base = (double2)(0.0, 0.0);
              // mn / mx < 7/16 and < 11/16, tested without an underflow of mx * 7/16 (subnormal mx).
              if (mn * 2.2857142857142856 < mx) {
                num = mn;
                den = mx;
              } else {
                if (mx > 0x1p1000) { mx *= 0.125; mn *= 0.125; }
                double2 d;
                if (mn * 1.4545454545454546 < mx) {
                  num = (mn + mn) - mx;
                  d = al_dd_two_sum(mx + mx, mn);
                  base = (double2)({{D(half.Hi)}}, {{D(half.Lo)}});
                } else {
                  num = mn - mx;
                  d = al_dd_two_sum(mx, mn);
                  base = (double2)({{D(quarterPi.Hi)}}, {{D(quarterPi.Lo)}});
                }
                den = d.x;
                denLo = d.y;
              }
              double u = num / den;
              double uLo = (fma(-u, den, num) - u * denLo) / den;
              double z = u * u;
              double hz = {{HornerD("z", h)}};
              double2 angle = al_dd_two_sum(base.x, u);
              angle = al_dd_quick(angle.x, angle.y + (base.y + (u * z * hz + uLo / (1.0 + z))));
              if (swap) angle = al_dd_add((double2)({{D(halfPi.Hi)}}, {{D(halfPi.Lo)}}), -angle);
              if (signbit(x)) angle = al_dd_add((double2)({{D(pi.Hi)}}, {{D(pi.Lo)}}), -angle);
              return copysign(angle.x + angle.y, y);
            }
            """, "al_dd_two_sum", "al_dd_quick", "al_dd_add");
    }
}

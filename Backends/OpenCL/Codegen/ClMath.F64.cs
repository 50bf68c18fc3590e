using System.Globalization;

namespace ArrayLang.Backends.OpenCL.Codegen;

// Note [opencl f64 math]
// ~~~~~~~~~~~~~~~~~~~~~~
// exp, expm1, log, log1p, sin, cos, tan, tanh and logistic of doubles are the CPU's VectorMath
// double kernels (Note [double exp and log] there) in scalar OpenCL C, with their bounds. Where
// the CPU calls the reference's scalar code per lane (erf, pow and atan2 of doubles, and sin, cos
// and tan of |x| >= 2^20 pi/2) there is no device code to port, so the device's correctly
// specified double built-ins are used (OpenCL 1.2 bounds: erf and pow 16 ulp, atan2 6 ulp,
// sin/cos/tan 4 ulp; never the native_ forms, and no relaxed-math build option). Everything here
// needs a device with fp64 (ClSourceBuilder.NeedsFp64 says so otherwise).

internal static partial class ClLibrary
{
    private static string D(double v)
    {
        var s = v.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
        return s.Contains('.') || s.Contains('e') ? s : s + ".0";
    }

    private static string HornerD(string t, params double[] c)
    {
        string acc = D(c[^1]);
        for (int i = c.Length - 2; i >= 0; i--) acc = $"fma({acc}, {t}, {D(c[i])})";
        return acc;
    }

    private static void AddMathF64()
    {
        Add("al_pow2_f64", "inline double al_pow2_f64(double k) { return as_double((convert_long_rtz(k) + 1023) << 52); }");
        Add("al_exp_f64", $$"""
            double al_exp_f64(double x) {
              if (isnan(x)) return x;
              double xc = clamp(x, -746.0, 710.0);
              double k = rint(xc * 1.4426950408889634);
              double r = fma(k, -6.93147180369123816490e-01, xc);
              r = fma(k, -1.9082149292705877e-10, r);
              double q = {{HornerD("r", 0.50000000000000111, 0.16666666666666413, 0.041666666666530155, 0.0083333333334944647,
                  0.0013888888943630188, 0.00019841269506571267, 2.4801493098816138e-05, 2.75575863808365e-06,
                  2.7630248414084709e-07, 2.5000059288358359e-08)}};
              double p = 1.0 + fma(q, r * r, r);
              if (fabs(k) > 1022.0) {
                long ki = convert_long_rtz(k);
                long k1 = ki >> 1;
                long k2 = ki - k1;
                return p * as_double((k1 + 1023) << 52) * as_double((k2 + 1023) << 52);
              }
              return p * al_pow2_f64(k);
            }
            """, "al_pow2_f64");
        Add("al_expm1_f64", $$"""
            double al_expm1_f64(double x) {
              if (isnan(x) || x == 0.0) return x;
              if (isinf(x)) return x > 0.0 ? x : -1.0;
              double xc = clamp(x, -38.0, 710.0);
              double k = clamp(trunc(xc * 1.4426950408889634), -55.0, 1023.0);
              double r = fma(k, -6.93147180369123816490e-01, xc);
              r = fma(k, -1.9082149292705877e-10, r);
              double q = {{HornerD("r", 0.16666666666666666, 0.041666666666666664, 0.0083333333333340965, 0.0013888888888890826,
                  0.0001984126983945181, 2.4801587298784212e-05, 2.7557320806501101e-06, 2.7557320990343922e-07,
                  2.5051485881492619e-08, 2.0876209374609029e-09, 1.6171841649631323e-10, 1.1552998212047624e-11)}};
              q = fma(q, r, 0.5);
              double p = fma(q, r * r, r);
              double scale = al_pow2_f64(k);
              return fma(scale, p, scale - 1.0);
            }
            """, "al_pow2_f64");
        Add("al_log_normal_f64", $$"""
            double al_log_normal_f64(double x, double kAdjust, double fCorrection) {
              long tmp = as_long(x) - 0x3FE6A09E667F3BCDl;
              long kBits = tmp >> 52;
              double k = (double)kBits + kAdjust;
              double m = as_double(as_long(x) - (kBits << 52));
              double f = m - 1.0;
              double s = f / (f + 2.0);
              double z = s * s;
              double r = z * {{HornerD("z", 0.66666666666667351, 0.39999999999409203, 0.28571428743765487, 0.22222198416391584,
                  0.18183573232034503, 0.1531380426189245, 0.14798590360643427)}};
              double lo = fma(k, 1.9082149292705877e-10, fCorrection);
              return fma(k, 6.93147180369123816490e-01, f - fma(s, f - r, -lo));
            }
            """);
        Add("al_log_f64", """
            double al_log_f64(double x) {
              if (isnan(x)) return x;
              if (x < 0.0) return NAN;
              if (x == 0.0) return -INFINITY;
              if (isinf(x)) return x;
              if (x < 2.2250738585072014e-308) return al_log_normal_f64(x * 4503599627370496.0, -52.0, 0.0);
              return al_log_normal_f64(x, 0.0, 0.0);
            }
            """, "al_log_normal_f64");
        Add("al_log1p_f64", """
            double al_log1p_f64(double x) {
              if (isnan(x) || x == 0.0) return x;
              if (x == -1.0) return -INFINITY;
              if (x < -1.0) return NAN;
              if (isinf(x)) return x;
              double u = 1.0 + x;
              double bb = u - 1.0;
              double c = (1.0 - (u - bb)) + (x - bb);
              long tmp = as_long(u) - 0x3FE6A09E667F3BCDl;
              long kBits = tmp >> 52;
              double m = as_double(as_long(u) - (kBits << 52));
              double scale = al_pow2_f64(clamp(-(double)kBits, -1022.0, 1023.0));
              return al_log_normal_f64(u, 0.0, c * scale / m);
            }
            """, "al_log_normal_f64", "al_pow2_f64");
        Add("al_trig_f64", $$"""
            // kind 0 sin, 1 cos, 2 tan (VectorMath.DoubleTrig); the built-ins above 2^20 pi/2 (Note [opencl f64 math]).
            double al_trig_f64(double x, int kind) {
              if (!isfinite(x)) return x - x;
              double a = fabs(x);
              if (a >= 1647099.3291652855) return kind == 0 ? sin(x) : kind == 1 ? cos(x) : tan(x);
              double q = rint(a * 0.63661977236758138);
              double r = fma(q, -1.5707963267948966, a);
              r = fma(q, -6.123233995736766e-17, r);
              r = fma(q, 1.4973849048591698e-33, r);
              double z = r * r;
              double sinTail = {{HornerD("z", -0.1666666666666663, 0.008333333333321891, -0.00019841269829400776,
                  2.7557313553681113e-06, -2.5050736836410309e-08, 1.5895578999502358e-10)}} * z * r;
              double cosTail = fma({{HornerD("z", 0.041666666666666588, -0.0013888888888872733, 2.4801587288643903e-05,
                  -2.7557314117786208e-07, 2.0875692289121431e-09, -1.1358084175536273e-11)}}, z, -0.5) * z;
              double s = r + sinTail;
              double c = 1.0 + cosTail;
              long qi = convert_long_rtz(q);
              int odd = (int)(qi & 1);
              if (kind == 0) return as_double(as_long(odd ? c : s) ^ (((qi << 62) ^ as_long(x)) & (long)0x8000000000000000ul));
              if (kind == 1) return as_double(as_long(odd ? s : c) ^ (((qi + 1) << 62) & (long)0x8000000000000000ul));
              double n = odd ? -c : s;
              double d = odd ? s : c;
              double sinLo = (r - s) + sinTail;
              double cosLo = (1.0 - c) + cosTail;
              double nLo = odd ? -cosLo : sinLo;
              double dLo = odd ? sinLo : cosLo;
              double quotient = n / d;
              double residual = fma(-quotient, d, n) + fma(-quotient, dLo, nLo);
              return as_double(as_long(fma(residual, 1.0 / d, quotient)) ^ (as_long(x) & (long)0x8000000000000000ul));
            }
            """);
        Add("al_sin_f64", "inline double al_sin_f64(double x) { return al_trig_f64(x, 0); }", "al_trig_f64");
        Add("al_cos_f64", "inline double al_cos_f64(double x) { return al_trig_f64(x, 1); }", "al_trig_f64");
        Add("al_tan_f64", "inline double al_tan_f64(double x) { return al_trig_f64(x, 2); }", "al_trig_f64");
        Add("al_tanh_f64", """
            double al_tanh_f64(double x) {
              if (isnan(x)) return x;
              double a = fabs(x);
              double e = al_expm1_f64(a + a);
              double result = a >= 22.0 ? 1.0 : e / (e + 2.0);
              return copysign(result, x);
            }
            """, "al_expm1_f64");
        Add("al_logistic_f64", """
            double al_logistic_f64(double x) {
              double e = al_exp_f64(-fabs(x));
              double numerator = x >= 0.0 ? 1.0 : e;
              return numerator / (1.0 + e);
            }
            """, "al_exp_f64");
        // Built-ins, Note [opencl f64 math]; pow keeps IR.md's special cases (pow(x, 0) = pow(1, y) = 1).
        Add("al_erf_f64", "inline double al_erf_f64(double x) { return erf(x); }");
        Add("al_atan2_f64", "inline double al_atan2_f64(double y, double x) { return atan2(y, x); }");
        Add("al_pow_f64", "inline double al_pow_f64(double x, double y) { return (y == 0.0 || x == 1.0) ? 1.0 : pow(x, y); }");
    }
}

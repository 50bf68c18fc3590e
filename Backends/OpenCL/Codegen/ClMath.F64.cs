using System.Globalization;

namespace ArrayLang.Backends.OpenCL.Codegen;

// Note [opencl f64 math]
// ~~~~~~~~~~~~~~~~~~~~~~
// exp, expm1, log, log1p, sin, cos, tan, tanh and logistic of doubles are the CPU's VectorMath
// double kernels (Note [double exp and log] there) in scalar OpenCL C, with their bounds. Where
// the CPU calls the reference's scalar code per lane there is no device code to port, and the
// device's built-ins (OpenCL allows erf and pow 16 ulp, atan2 6, sin/cos/tan 4) are not used:
// - sin, cos and tan of |x| >= 2^20 pi/2 (where the three-part Cody-Waite split stops being
//   accurate) take a Payne-Hanek reduction (al_trig_reduce_huge_f64): |x| = m 2^e exactly, and
//   (|x| 2/pi) mod 4 is the low 192 bits of m times a 192-bit window of the bits of 2/pi starting
//   just above weight 4 / 2^e (ClConstants computes 1,400 of them), in 64-bit integer limbs; what
//   the window leaves out is below 2^-137 quadrants, while no double lies closer than about 2^-61
//   to a multiple of pi/2, so the fraction keeps more than 70 good bits. The fraction, rounded to
//   a double-double and multiplied by pi/2 in double-double, gives r + rLo; the polynomials are
//   the ones below 2^20 pi/2, with rLo added to the sine tail (times cos r) and the cosine tail
//   (times -r). Bounds measured against the reference (Math.Sin/Cos/Tan): 2, 2 and 3 ulp, as below.
// - erf, pow and atan2: Note [opencl f64 erf, pow, atan2].
// Everything here needs a device with fp64 (ClSourceBuilder.NeedsFp64 says so otherwise).

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
        var words = ClConstants.TwoOverPiWords(22);
        var halfPi = ClConstants.PiScaled(1);
        Add("al_two_over_pi", $"__constant ulong AL_TWO_OVER_PI[{words.Length}] = {{ {string.Join(", ", words.Select(w => $"0x{w:x16}ul"))} }};");
        Add("al_trig_reduce_huge_f64", $$"""
            // Payne-Hanek for a finite a >= 2^20 pi/2: returns the quadrant; *r + *rLo is a minus
            // quadrant * pi/2, |r| <= pi/4 (Note [opencl f64 math]).
            int al_trig_reduce_huge_f64(double a, double* r, double* rLo) {
              ulong bits = as_ulong(a);
              int e = (int)(bits >> 52) - 1075;
              ulong m = (bits & 0xFFFFFFFFFFFFFul) | 0x10000000000000ul;
              // Bits e - 1 .. e + 190 of 2/pi (bit j has weight 2^-j); the table starts at bit -63.
              int at = e + 62, w = at >> 6, sh = at & 63;
              ulong t0 = AL_TWO_OVER_PI[w], t1 = AL_TWO_OVER_PI[w + 1], t2 = AL_TWO_OVER_PI[w + 2], t3 = AL_TWO_OVER_PI[w + 3];
              ulong w0 = sh == 0 ? t0 : (t0 << sh) | (t1 >> (64 - sh));
              ulong w1 = sh == 0 ? t1 : (t1 << sh) | (t2 >> (64 - sh));
              ulong w2 = sh == 0 ? t2 : (t2 << sh) | (t3 >> (64 - sh));
              // The low 192 bits of m * window: (a 2/pi mod 4) * 2^190.
              ulong p2 = m * w2;
              ulong c2 = mul_hi(m, w2);
              ulong p1 = m * w1 + c2;
              ulong c1 = mul_hi(m, w1) + (p1 < c2 ? 1ul : 0ul);
              ulong p0 = m * w0 + c1;
              int quadrant = (int)(p0 >> 62);
              ulong fHi = (p0 << 2) | (p1 >> 62), fLo = (p1 << 2) | (p2 >> 62);
              double sign = 1.0;
              if ((long)fHi < 0) {
                quadrant++;
                fLo = ~fLo + 1ul;
                fHi = ~fHi + (fLo == 0ul ? 1ul : 0ul);
                sign = -1.0;
              }
              int scale = 128;
              if (fHi == 0ul) { fHi = fLo; fLo = 0ul; scale += 64; }
              if (fHi == 0ul) { *r = 0.0; *rLo = 0.0; return quadrant & 3; }
              int lz = (int)clz(fHi);
              if (lz > 0) { fHi = (fHi << lz) | (fLo >> (64 - lz)); fLo <<= lz; }
              scale += lz;
              // The fraction (fHi:fLo) / 2^scale as a double-double: the top 53 bits, then the next 64.
              double hi = ldexp((double)(fHi >> 11), 75 - scale);
              double lo = ldexp((double)(((fHi & 0x7FFul) << 53) | (fLo >> 11)), 11 - scale);
              double2 reduced = al_dd_mul(al_dd_quick(hi, lo), (double2)({{D(halfPi.Hi)}}, {{D(halfPi.Lo)}}));
              *r = sign * reduced.x;
              *rLo = sign * reduced.y;
              return quadrant & 3;
            }
            """, "al_two_over_pi", "al_dd_mul", "al_dd_quick");
        Add("al_trig_f64", $$"""
            // kind 0 sin, 1 cos, 2 tan (VectorMath.DoubleTrig); Payne-Hanek from 2^20 pi/2 on (Note [opencl f64 math]).
            double al_trig_f64(double x, int kind) {
              if (!isfinite(x)) return x - x;
              double a = fabs(x);
              double r, rLo = 0.0;
              long qi;
              if (a >= 1647099.3291652855) {
                qi = al_trig_reduce_huge_f64(a, &r, &rLo);
              } else {
                double q = rint(a * 0.63661977236758138);
                r = fma(q, -1.5707963267948966, a);
                r = fma(q, -6.123233995736766e-17, r);
                r = fma(q, 1.4973849048591698e-33, r);
                qi = convert_long_rtz(q);
              }
              double z = r * r;
              double sinTail = {{HornerD("z", -0.1666666666666663, 0.008333333333321891, -0.00019841269829400776,
                  2.7557313553681113e-06, -2.5050736836410309e-08, 1.5895578999502358e-10)}} * z * r;
              double cosTail = fma({{HornerD("z", 0.041666666666666588, -0.0013888888888872733, 2.4801587288643903e-05,
                  -2.7557314117786208e-07, 2.0875692289121431e-09, -1.1358084175536273e-11)}}, z, -0.5) * z;
              if (rLo != 0.0) {
                sinTail = fma(rLo, 1.0 + cosTail, sinTail);
                cosTail = fma(-rLo, r, cosTail);
              }
              double s = r + sinTail;
              double c = 1.0 + cosTail;
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
            """, "al_trig_reduce_huge_f64");
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
        AddDoubleDouble();
        AddErfF64();
        AddPowF64();
        AddAtan2F64();
    }
}

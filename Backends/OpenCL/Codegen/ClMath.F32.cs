using System.Globalization;
using System.Numerics;
using System.Text;

namespace ArrayLang.Backends.OpenCL.Codegen;

// Note [opencl math]
// ~~~~~~~~~~~~~~~~~~
// The transcendental functions are the CPU's VectorMath algorithms (Backends/Cpu/VectorMath, the
// Notes there: exp reduction, expm1, log tables, trig reduction, ...) written as scalar OpenCL C:
// the same reductions, polynomial coefficients, tables and order of correctly rounded operations
// (fma where VectorMath uses Fma), so each f32 function keeps the bound docs/backends.md states
// for it. OpenCL's fma, sqrt (with -cl-fp32-correctly-rounded-divide-sqrt), rint, trunc, floor and
// the bit casts are exact or correctly rounded, so nothing here depends on the device's own exp or
// sin. Differences from the CPU code: special inputs (NaN, infinities, zeros, denormals) are
// handled with scalar branches instead of lane masks; sin/cos/tan of |x| >= 2^17 use the same
// Payne-Hanek product with the bits of 2/pi, in 64-bit integer halves and double, where the
// device has fp64 (else the Cody-Waite reduction, accurate to about 2^-7 relative there); f32 pow
// and atan2 compute in double as the CPU does, so they need a device with fp64.

internal static partial class ClLibrary
{
    private static string F(float v)
    {
        if (!float.IsFinite(v)) return $"as_float(0x{BitConverter.SingleToInt32Bits(v):x8}u)";
        var s = v.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
        return (s.Contains('.') || s.Contains('e') ? s : s + ".0") + "f";
    }

    private static string Table(string name, params float[] values) =>
        $"__constant float {name}[{values.Length}] = {{ {string.Join(", ", values.Select(F))} }};";

    /// <summary>Horner's rule in fma form, c0 + t (c1 + t (...)), over float coefficients.</summary>
    private static string Horner(string t, params float[] c)
    {
        string acc = F(c[^1]);
        for (int i = c.Length - 2; i >= 0; i--) acc = $"fma({acc}, {t}, {F(c[i])})";
        return acc;
    }

    private static void AddMathF32()
    {
        Add("al_pow2_f32", "inline float al_pow2_f32(float k) { return as_float((convert_int_rtz(k) + 127) << 23); }");

        Add("al_exp_f32", $$"""
            float al_exp_f32(float x) {
              if (isnan(x)) return x;
              float xc = clamp(x, -104.0f, 89.0f);
              float k = rint(xc * 1.44269504f);
              float r = fma(k, -0.693145751953125f, xc);
              r = fma(k, -1.42860677e-6f, r);
              float q = {{Horner("r", 0.49999994f, 0.166665211f, 0.041668389f, 0.00836871658f, 0.00138145988f)}};
              float p = 1.0f + fma(q, r * r, r);
              if (fabs(k) > 126.0f) {
                int ki = convert_int_rtz(k);
                int k1 = ki >> 1;
                int k2 = ki - k1;
                return p * as_float((k1 + 127) << 23) * as_float((k2 + 127) << 23);
              }
              return p * al_pow2_f32(k);
            }
            """, "al_pow2_f32");

        Add("al_expm1_f32", $$"""
            float al_expm1_f32(float x) {
              if (isnan(x) || x == 0.0f) return x;
              if (x > 88.7228317f) return INFINITY;
              float xc = clamp(x, -18.0f, 88.7228317f);
              float k = trunc(xc * 1.44269504f);
              float r = fma(k, -0.693145751953125f, xc);
              r = fma(k, -1.42860677e-6f, r);
              float q = {{Horner("r", 0.166666746f, 0.0416666977f, 0.00833247323f, 0.00138862978f, 0.000201218005f, 2.53662383e-05f)}};
              q = fma(q, r, 0.5f);
              float p = fma(q, r * r, r);
              float scale = al_pow2_f32(k);
              return fma(scale, p, scale - 1.0f);
            }
            """, "al_pow2_f32");

        AddLogF32();
        AddTrigF32();

        Add("al_tanh_f32", $$"""
            float al_tanh_f32(float x) {
              float a = fabs(x);
              float result;
              if (a < 0.75f) {
                float z = a * a;
                float p = {{Horner("z", -0.333333135f, 0.133326888f, -0.0538922176f, 0.0214500278f, -0.00765369413f, 0.00173460168f)}};
                result = fma(p * z, a, a);
              } else {
                float e = al_exp_f32(a + a);
                result = 1.0f - 2.0f / (e + 1.0f);
              }
              return copysign(result, x);
            }
            """, "al_exp_f32");

        Add("al_logistic_f32", """
            float al_logistic_f32(float x) {
              float e = al_exp_f32(-fabs(x));
              float numerator = x >= 0.0f ? 1.0f : e;
              return numerator / (1.0f + e);
            }
            """, "al_exp_f32");

        AddErfF32();
        AddPowAtan2F32();
    }

    private static void AddLogF32()
    {
        var tables = string.Join("\n",
            Table("AL_LOG_INVC", 1.39890718f, 1.34031415f, 1.28643227f, 1.23671508f, 1.19069767f, 1.14798212f, 1.10822511f, 1.0711298f,
                1.03643727f, 1f, 0.948148191f, 0.895104945f, 0.847682178f, 0.805031478f, 0.766467094f, 0.731428623f),
            Table("AL_LOG_CHI", -0.335691363f, -0.292904019f, -0.251872689f, -0.21245873f, -0.174539417f, -0.138005719f, -0.102759734f, -0.0687139779f,
                -0.0357891321f, 0f, 0.0532444678f, 0.110814311f, 0.165249497f, 0.216873899f, 0.265963525f, 0.312755644f),
            Table("AL_LOG_CLO", 1.32392604e-08f, -7.3217068e-09f, -1.31795774e-08f, -4.35794156e-09f, 4.40181758e-09f, -4.72203254e-09f, 7.69673325e-10f, -2.96795005e-10f,
                -8.79069373e-10f, 0f, 1.52497093e-09f, 3.16304122e-10f, 6.81339829e-09f, -3.82805287e-10f, -1.33357663e-08f, -5.09805798e-09f));
        Add("al_log_tables_f32", tables);

        Add("al_log_combine_f32", $$"""
            float al_log_combine_f32(float k, int index, float r, float rLo) {
              float logc = AL_LOG_CHI[index];
              float logcLo = AL_LOG_CLO[index];
              float p = {{Horner("r", -0.5f, 0.333333313f, -0.250111818f, 0.200159773f)}};
              float kLn2 = k * 0.693145751953125f;
              float hi = kLn2 + logc;
              float hiError = (kLn2 - hi) + logc;
              float lo = fma(k, 1.42860677e-6f, logcLo) + hiError + fma(-r, rLo, rLo);
              float sum = hi + r;
              float sumError = (hi - sum) + r;
              return sum + (sumError + fma(p, r * r, lo));
            }
            """, "al_log_tables_f32");

        Add("al_log_f32", """
            float al_log_f32(float x) {
              if (isnan(x)) return x;
              if (x < 0.0f) return NAN;
              if (x == 0.0f) return -INFINITY;
              if (isinf(x)) return x;
              float kAdjust = 0.0f;
              if (x < 1.17549435e-38f) { x = x * 8388608.0f; kAdjust = -23.0f; }
              int tmp = as_int(x) - 0x3f330000;
              float k = (float)(tmp >> 23) + kAdjust;
              int index = (int)((uint)tmp >> 19) & 15;
              float z = as_float(as_int(x) - (tmp & (int)0xff800000));
              float invc = AL_LOG_INVC[index];
              float product = z * invc;
              float r = product - 1.0f;
              float rLo = fma(z, invc, -product);
              return al_log_combine_f32(k, index, r, rLo);
            }
            """, "al_log_combine_f32");

        Add("al_log1p_f32", """
            float al_log1p_f32(float x) {
              if (isnan(x) || x == 0.0f) return x;
              if (x == -1.0f) return -INFINITY;
              if (x < -1.0f) return NAN;
              if (isinf(x)) return x;
              float u = 1.0f + x;
              float bb = u - 1.0f;
              float c = (1.0f - (u - bb)) + (x - bb);
              int tmp = as_int(u) - 0x3f330000;
              float k = (float)(tmp >> 23);
              int index = (int)((uint)tmp >> 19) & 15;
              float z = as_float(as_int(u) - (tmp & (int)0xff800000));
              float invc = AL_LOG_INVC[index];
              float scale = al_pow2_f32(clamp(-k, -126.0f, 127.0f));
              float product = z * invc;
              float r = product - 1.0f;
              float rLo = fma(z, invc, -product);
              float rc = rLo + c * scale * invc;
              float rHi = r + rc;
              return al_log_combine_f32(k, index, rHi, (r - rHi) + rc);
            }
            """, "al_log_combine_f32", "al_pow2_f32");
    }

    private static void AddTrigF32()
    {
        Add("al_trig_windows", TrigWindows());
        Add("al_trig_reduce_f32", """
            // Returns the quadrant; *r + *rLo is |x| minus quadrant * pi/2 (Note [opencl math]).
            int al_trig_reduce_f32(float a, int precise, float* r, float* rLo) {
            #ifdef cl_khr_fp64
              if (a >= 131072.0f && isfinite(a)) {
                uint bits = as_uint(a);
                int e = (int)(bits >> 23) - 150;
                ulong m = (ulong)((bits & 0x7fffffu) | 0x800000u);
                ulong wHi = AL_TRIG_WINDOWS[2 * (e + 23)], wLo = AL_TRIG_WINDOWS[2 * (e + 23) + 1];
                ulong pLo = m * wLo;
                ulong pHi = m * wHi + mul_hi(m, wLo);
                int quadrant = (int)(pHi >> 62);
                ulong fHi = (pHi << 2) | (pLo >> 62), fLo = pLo << 2;
                if ((long)fHi < 0) quadrant++;
                double fraction = (double)(long)fHi * 0x1p-64 + (double)fLo * 0x1p-128;
                double reduced = fraction * 1.5707963267948966;
                float hi = (float)reduced;
                *r = hi;
                *rLo = (float)(reduced - hi);
                return quadrant & 3;
              }
            #endif
              float q = rint(a * 0.636619747f);
              float r1 = fma(q, -1.57079637f, a);
              if (precise) {
                float th = q * 4.37113883e-08f;
                float tl = fma(q, 4.37113883e-08f, -th);
                float s = r1 + th;
                float bb = s - r1;
                float e = (r1 - (s - bb)) + (th - bb);
                *r = s;
                *rLo = fma(q, 1.71512451e-15f, e + tl);
              } else {
                float s = fma(q, 4.37113883e-08f, r1);
                *r = fma(q, 1.71512451e-15f, s);
                *rLo = 0.0f;
              }
              return isfinite(q) ? convert_int_rtz(q) : 0;
            }
            """, "al_trig_windows");

        Add("al_sin_poly_f32", $"inline float al_sin_poly_f32(float r, float rLo, float z) {{ return r + fma({Horner("z", -0.166666538f, 0.00833215099f, -0.000195139801f)} * z, r, rLo); }}");
        Add("al_cos_poly_f32", $$"""
            inline float al_cos_poly_f32(float r, float rLo, float z) {
              float t = fma({{Horner("z", 0.0416666456f, -0.00138873036f, 2.44316689e-05f)}}, z, -0.5f);
              return fma(t, fma(r + r, rLo, z), 1.0f);
            }
            """);
        Add("al_sin_f32", """
            float al_sin_f32(float x) {
              if (!isfinite(x)) return x - x;
              float r, rLo;
              int q = al_trig_reduce_f32(fabs(x), 0, &r, &rLo);
              float z = r * r;
              float result = (q & 1) ? al_cos_poly_f32(r, rLo, z) : al_sin_poly_f32(r, rLo, z);
              return as_float(as_int(result) ^ (((q << 30) ^ as_int(x)) & (int)0x80000000));
            }
            """, "al_trig_reduce_f32", "al_sin_poly_f32", "al_cos_poly_f32");
        Add("al_cos_f32", """
            float al_cos_f32(float x) {
              if (!isfinite(x)) return x - x;
              float r, rLo;
              int q = al_trig_reduce_f32(fabs(x), 0, &r, &rLo);
              float z = r * r;
              float result = (q & 1) ? al_sin_poly_f32(r, rLo, z) : al_cos_poly_f32(r, rLo, z);
              return as_float(as_int(result) ^ (((q + 1) << 30) & (int)0x80000000));
            }
            """, "al_trig_reduce_f32", "al_sin_poly_f32", "al_cos_poly_f32");
        Add("al_tan_f32", $$"""
            float al_tan_f32(float x) {
              if (!isfinite(x)) return x - x;
              float r, rLo;
              int q = al_trig_reduce_f32(fabs(x), 1, &r, &rLo);
              float z = r * r;
              float p = {{Horner("z", 0.333333492f, 0.133326441f, 0.0540622249f, 0.0212698858f, 0.0108686397f, 4.67791833e-05f, 0.00439790916f)}} * z;
              float inner = fma(p, r, rLo * fma(z, fma(z, 0.666666687f, 1.0f), 1.0f));
              float t = r + inner;
              float tLo = (r - t) + inner;
              float result = t;
              if (q & 1) {
                float y = -1.0f / t;
                float residual = fma(y, t, 1.0f) + y * tLo;
                result = fma(y, residual, y);
              }
              return as_float(as_int(result) ^ (as_int(x) & (int)0x80000000));
            }
            """, "al_trig_reduce_f32");
    }

    /// <summary>For each exponent e in [-23, 104] of |x| = m 2^e, bits e-1 .. e+126 of 2/pi as two 64-bit halves.</summary>
    private static string TrigWindows()
    {
        // 2/pi to 256 bits: floor(2/pi * 2^256) (a mathematical constant).
        uint[] words = [0xA2F9836E, 0x4E441529, 0xFC2757D1, 0xF534DDC0, 0xDB629599, 0x3C439041, 0xFE5163AB, 0xDEBBC561];
        var all = BigInteger.Zero;
        foreach (var w in words) all = (all << 32) | w;
        var mask64 = (BigInteger.One << 64) - 1;
        var sb = new StringBuilder("#ifdef cl_khr_fp64\n__constant ulong AL_TRIG_WINDOWS[256] = {\n");
        for (int e = -23; e <= 104; e++)
        {
            var window = (all >> (256 - (e + 126))) & ((BigInteger.One << 128) - 1);
            sb.Append($"  0x{(ulong)((window >> 64) & mask64):x16}ul, 0x{(ulong)(window & mask64):x16}ul,\n");
        }
        return sb.Append("};\n#endif").ToString();
    }
}

internal static partial class ClLibrary
{
    private static void AddErfF32()
    {
        var tables = string.Join("\n",
            Table("AL_ERF_CENTER", 0f, 0.375f, 0.625f, 0.875f, 1.125f, 1.375f, 1.625f, 1.875f, 2.125f, 2.375f, 2.625f, 2.875f, 3.125f, 3.375f, 3.625f, 3.875f),
            Table("AL_ERF_C0HI", 0f, 0.404116899f, 0.623240888f, 0.784075081f, 0.888388216f, 0.948170066f, 0.978443742f, 0.99199003f,
                0.997345984f, 0.999217033f, 0.999794602f, 0.999952137f, 0.999990106f, 0.999998212f, 0.999999702f, 0.99999994f),
            Table("AL_ERF_C0LO", 0f, 1.06365228e-08f, -5.92062355e-09f, -2.02752037e-08f, 1.52150204e-08f, 6.90584878e-09f, -8.55834426e-09f, 2.78567835e-08f,
                -1.33428752e-08f, 2.83953785e-08f, 2.18697203e-08f, 7.69013653e-09f, -2.36348896e-09f, -2.71420326e-08f, 2.88305024e-09f, 1.70907057e-08f),
            Table("AL_ERF_C1HI", 1.12837923f, 0.980352819f, 0.763499558f, 0.524745047f, 0.318273962f, 0.170359775f, 0.0804722533f, 0.0335458256f,
                0.0123408195f, 0.004006478f, 0.00114787545f, 0.00029022849f, 6.47587949e-05f, 1.27517833e-05f, 2.21593359e-06f, 3.39825789e-07f),
            Table("AL_ERF_C1LO", -5.5692631e-08f, -1.15793855e-08f, -1.64382961e-08f, 5.92889782e-09f, 9.60653113e-10f, -2.29595476e-09f, 3.19512417e-09f, 7.41133765e-10f,
                3.67964215e-10f, -9.83646845e-11f, -3.78597674e-11f, 1.27810627e-11f, -1.25936018e-13f, 4.30669145e-13f, -2.652483e-14f, -1.0397481e-14f),
            Table("AL_ERF_C2", -8.52247581e-07f, -0.36763227f, -0.477187216f, -0.459151924f, -0.358058214f, -0.234244689f, -0.13076742f, -0.0628984272f,
                -0.0262242425f, -0.00951538421f, -0.00301317219f, -0.000834406528f, -0.000202371055f, -4.30372056e-05f, -8.03274088e-06f, -1.31682054e-06f),
            Table("AL_ERF_C3", -0.376086384f, -0.234875053f, -0.0556747951f, 0.0929196477f, 0.162450284f, 0.157938004f, 0.114841931f, 0.0674421415f,
                0.0330378078f, 0.0137305101f, 0.00489028171f, 0.0015024232f, 0.000399962708f, 9.25609929e-05f, 1.86669531e-05f, 3.2867531e-06f),
            Table("AL_ERF_C4", -0.000688333064f, 0.166576385f, 0.176460326f, 0.112399571f, 0.0279763155f, -0.0304989871f, -0.0497187227f, -0.0422604755f,
                -0.0263613798f, -0.013133443f, -0.00541430851f, -0.00188170664f, -0.000557529856f, -0.0001418662f, -3.11605727e-05f, -5.9301683e-06f),
            Table("AL_ERF_C5", 0.118208073f, 0.0453276783f, -0.0270348247f, -0.0667089745f, -0.06106117f, -0.0306437444f, -0.00230328925f, 0.0113279987f,
                0.0124442112f, 0.00836053584f, 0.00423641549f, 0.00172770943f, 0.00058426318f, 0.000166580212f, 4.04597122e-05f, 8.43044927e-06f),
            Table("AL_ERF_C6", -0.0194459986f, -0.049603153f, -0.0412434712f, -0.0105296373f, 0.0152984988f, 0.0220142994f, 0.0143982247f, 0.00415648939f,
                -0.00177268917f, -0.00309340656f, -0.00224556029f, -0.00114481605f, -0.000456224458f, -0.000148341423f, -4.0238705e-05f, -9.22818072e-06f));
        Add("al_erf_tables_f32", tables);
        Add("al_erf_f32", """
            float al_erf_f32(float x) {
              if (isnan(x)) return x;
              float a = fabs(x);
              int i = convert_int_rtz(clamp(a * 4.0f, 0.0f, 15.0f));
              float t = a - AL_ERF_CENTER[i];
              float p = fma(AL_ERF_C6[i], t, AL_ERF_C5[i]);
              p = fma(p, t, AL_ERF_C4[i]);
              p = fma(p, t, AL_ERF_C3[i]);
              p = fma(p, t, AL_ERF_C2[i]);
              p = fma(p, t, AL_ERF_C1LO[i]);
              float low = fma(p, t, AL_ERF_C0LO[i]);
              float result = AL_ERF_C0HI[i] + fma(AL_ERF_C1HI[i], t, low);
              if (a >= 4.0f) result = 1.0f;
              return copysign(result, x);
            }
            """, "al_erf_tables_f32");
    }

    private static void AddPowAtan2F32()
    {
        // pow of a positive finite float magnitude in double: log2 by an atanh series around the
        // mantissa, exp2 by a degree-8 polynomial (VectorMath.Pow.cs), rounded to float once.
        Add("al_pow_mag_f32", """
            double al_pow_mag_f32(double ax, double y) {
              long tmp = as_long(ax) - 0x3FE6A09E667F3BCDl;
              long kBits = tmp >> 52;
              double k = (double)kBits;
              double m = as_double(as_long(ax) - (kBits << 52));
              double f = m - 1.0;
              double s = f / (f + 2.0);
              double s2 = s * s;
              double h = fma(fma(fma(fma(0.1958640596680403, s2, 0.22176046616747788), s2, 0.28572112185780824), s2, 0.39999995597066856), s2, 0.66666666675861663);
              double lnm = fma(s2 * s, h, s + s);
              double z = fma(y, k, y * (lnm * 1.4426950408889634));
              z = clamp(z, -200.0, 200.0);
              double n = rint(z);
              double rz = z - n;
              double e = fma(fma(fma(fma(fma(fma(fma(1.3344238121026389e-06, rz, 1.5314234759055412e-05), rz, 0.00015403097923229729), rz, 0.0013333434054463591), rz, 0.0096181295594066005), rz, 0.055504109593445906), rz, 0.2402265069474063), rz, 0.6931471805412015);
              double p = fma(rz, e, 1.0);
              return p * as_double((convert_long_rtz(n) + 1023) << 52);
            }
            """);
        Add("al_pow_f32", """
            float al_pow_f32(float x, float y) {
              if (y == 0.0f || x == 1.0f) return 1.0f;
              if (isnan(x) || isnan(y)) return NAN;
              float ax = fabs(x), ay = fabs(y);
              float result = (float)al_pow_mag_f32((double)ax, (double)y);
              if (x > 0.0f && !isinf(x) && !isinf(y)) return result;
              int yInteger = rint(y) == y;
              int yOdd = yInteger && ay < 16777216.0f && (convert_int_rtz(y) & 1);
              int yNegative = y < 0.0f;
              if (ax == 0.0f) result = yNegative ? INFINITY : 0.0f;
              if (isinf(ax)) result = yNegative ? 0.0f : INFINITY;
              if (isinf(ay)) {
                if (ax == 1.0f) return 1.0f;
                result = ((ax > 1.0f) == (y > 0.0f)) ? INFINITY : 0.0f;
              }
              if (signbit(x) && yOdd) result = -result;
              if (x < 0.0f && !isinf(x) && !yInteger) return NAN;
              return result;
            }
            """, "al_pow_mag_f32");
        Add("al_atan2_f32", """
            float al_atan2_f32(float yf, float xf) {
              if (isnan(xf) || isnan(yf)) return NAN;
              double y = (double)yf, x = (double)xf;
              double ax = fabs(x), ay = fabs(y);
              int xBigger = ax > ay;
              double mx = xBigger ? ax : ay;
              double mn = xBigger ? ay : ax;
              if (mx == 0.0) mx = 1.0;
              if (isinf(mn)) { mn = 1.0; mx = 1.0; }
              int near = mn > mx * 0.41421356237309503;
              double t = (near ? mn - mx : mn) / (near ? mn + mx : mx);
              double t2 = t * t;
              double h = fma(fma(fma(fma(fma(0.047436175127317362, t2, -0.084760690049874715), t2, 0.11044657292703726), t2, -0.14282005113622259), t2, 0.1999990382024372), t2, -0.33333332498197088);
              double angle = fma(t2 * t, h, t);
              angle += near ? 0.78539816339744828 : 0.0;
              if (ay > ax) angle = 1.5707963267948966 - angle;
              if (signbit(x)) angle = 3.1415926535897931 - angle;
              return (float)copysign(angle, y);
            }
            """);
    }
}

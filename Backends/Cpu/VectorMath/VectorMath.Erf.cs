using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ArrayLang.Backends.Cpu;

// Note [erf tables]
// ~~~~~~~~~~~~~~~~~
// erf is odd; with a = |x| and i = min(floor(4a), 15), a lies in [i/4, (i+1)/4) and
//     erf(a) = c0 + c1 t + t^2 (c2 + c3 t + ... + c6 t^4),   t = a - center_i (exact),
// a degree-6 minimax polynomial per interval (center 0 and c0 = 0 for the first, so erf keeps full
// relative accuracy near 0 and denormals). c0 and c1 are stored as hi + lo pairs so that neither
// erf(center) nor 2/sqrt(pi) loses its last bit to float rounding: the small terms are summed first,
// c0_hi is added last. Worst relative error of the approximation 2^-28.2. Every coefficient is one
// 16-entry permute of a table. From a = 4 on, erf rounds to 1 in float (erfc(3.92) < 2^-25).

public static partial class VectorMath
{
    private static readonly Vector512<float> ErfCenter = Vector512.Create(
        0f, 0.375f, 0.625f, 0.875f, 1.125f, 1.375f, 1.625f, 1.875f, 2.125f, 2.375f, 2.625f, 2.875f, 3.125f, 3.375f, 3.625f, 3.875f);
    private static readonly Vector512<float> ErfC0Hi = Vector512.Create(
        0f, 0.404116899f, 0.623240888f, 0.784075081f, 0.888388216f, 0.948170066f, 0.978443742f, 0.99199003f,
        0.997345984f, 0.999217033f, 0.999794602f, 0.999952137f, 0.999990106f, 0.999998212f, 0.999999702f, 0.99999994f);
    private static readonly Vector512<float> ErfC0Lo = Vector512.Create(
        0f, 1.06365228e-08f, -5.92062355e-09f, -2.02752037e-08f, 1.52150204e-08f, 6.90584878e-09f, -8.55834426e-09f, 2.78567835e-08f,
        -1.33428752e-08f, 2.83953785e-08f, 2.18697203e-08f, 7.69013653e-09f, -2.36348896e-09f, -2.71420326e-08f, 2.88305024e-09f, 1.70907057e-08f);
    private static readonly Vector512<float> ErfC1Hi = Vector512.Create(
        1.12837923f, 0.980352819f, 0.763499558f, 0.524745047f, 0.318273962f, 0.170359775f, 0.0804722533f, 0.0335458256f,
        0.0123408195f, 0.004006478f, 0.00114787545f, 0.00029022849f, 6.47587949e-05f, 1.27517833e-05f, 2.21593359e-06f, 3.39825789e-07f);
    private static readonly Vector512<float> ErfC1Lo = Vector512.Create(
        -5.5692631e-08f, -1.15793855e-08f, -1.64382961e-08f, 5.92889782e-09f, 9.60653113e-10f, -2.29595476e-09f, 3.19512417e-09f, 7.41133765e-10f,
        3.67964215e-10f, -9.83646845e-11f, -3.78597674e-11f, 1.27810627e-11f, -1.25936018e-13f, 4.30669145e-13f, -2.652483e-14f, -1.0397481e-14f);
    private static readonly Vector512<float> ErfC2 = Vector512.Create(
        -8.52247581e-07f, -0.36763227f, -0.477187216f, -0.459151924f, -0.358058214f, -0.234244689f, -0.13076742f, -0.0628984272f,
        -0.0262242425f, -0.00951538421f, -0.00301317219f, -0.000834406528f, -0.000202371055f, -4.30372056e-05f, -8.03274088e-06f, -1.31682054e-06f);
    private static readonly Vector512<float> ErfC3 = Vector512.Create(
        -0.376086384f, -0.234875053f, -0.0556747951f, 0.0929196477f, 0.162450284f, 0.157938004f, 0.114841931f, 0.0674421415f,
        0.0330378078f, 0.0137305101f, 0.00489028171f, 0.0015024232f, 0.000399962708f, 9.25609929e-05f, 1.86669531e-05f, 3.2867531e-06f);
    private static readonly Vector512<float> ErfC4 = Vector512.Create(
        -0.000688333064f, 0.166576385f, 0.176460326f, 0.112399571f, 0.0279763155f, -0.0304989871f, -0.0497187227f, -0.0422604755f,
        -0.0263613798f, -0.013133443f, -0.00541430851f, -0.00188170664f, -0.000557529856f, -0.0001418662f, -3.11605727e-05f, -5.9301683e-06f);
    private static readonly Vector512<float> ErfC5 = Vector512.Create(
        0.118208073f, 0.0453276783f, -0.0270348247f, -0.0667089745f, -0.06106117f, -0.0306437444f, -0.00230328925f, 0.0113279987f,
        0.0124442112f, 0.00836053584f, 0.00423641549f, 0.00172770943f, 0.00058426318f, 0.000166580212f, 4.04597122e-05f, 8.43044927e-06f);
    private static readonly Vector512<float> ErfC6 = Vector512.Create(
        -0.0194459986f, -0.049603153f, -0.0412434712f, -0.0105296373f, 0.0152984988f, 0.0220142994f, 0.0143982247f, 0.00415648939f,
        -0.00177268917f, -0.00309340656f, -0.00224556029f, -0.00114481605f, -0.000456224458f, -0.000148341423f, -4.0238705e-05f, -9.22818072e-06f);

    /// <summary>The error function per lane, Note [erf tables].</summary>
    internal struct ErfF32 : IUnaryF32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, IF32Lanes<TV>
        {
            var a = TV.Abs(x);
            // A NaN lane gets some index and stays NaN through t.
            var index = TV.ConvertToInt(TV.Clamp(a * TV.Splat(4f), TV.Splat(0f), TV.Splat(15f)));
            var t = a - TV.Lookup16(ErfCenter, index);
            var p = TV.Fma(TV.Lookup16(ErfC6, index), t, TV.Lookup16(ErfC5, index));
            p = TV.Fma(p, t, TV.Lookup16(ErfC4, index));
            p = TV.Fma(p, t, TV.Lookup16(ErfC3, index));
            p = TV.Fma(p, t, TV.Lookup16(ErfC2, index));
            p = TV.Fma(p, t, TV.Lookup16(ErfC1Lo, index));
            var low = TV.Fma(p, t, TV.Lookup16(ErfC0Lo, index));
            var result = TV.Lookup16(ErfC0Hi, index) + TV.Fma(TV.Lookup16(ErfC1Hi, index), t, low);
            result = TV.Select(TV.GreaterThanOrEqual(a, TV.Splat(4f)), TV.Splat(1f), result);
            return result ^ SignBit(x);
        }
    }
}

public static partial class VectorMath
{
    /// <summary>
    /// The error function of each of 16 lanes. Error at most BOUND_ERF; <c>erf(±0) = ±0</c>,
    /// <c>erf(±inf) = ±1</c>, NaN gives NaN, denormal inputs give correctly scaled denormal results.
    /// </summary>
    public static Vector512<float> Erf(Vector512<float> x) => ErfF32.Apply(new F32x16(x)).V;

    /// <summary>The error function of each of 8 lanes; the same bits as <see cref="Erf(Vector512{float})"/> per lane.</summary>
    public static Vector256<float> Erf(Vector256<float> x) => ErfF32.Apply(new F32x8(x)).V;

    /// <summary>The error function of one float; the same bits as a lane of <see cref="Erf(Vector512{float})"/>.</summary>
    public static float Erf(float x) => F32x4.GetLane(ErfF32.Apply(F32x4.Splat(x)), 0);

    /// <summary>The error function of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Erf(ReadOnlySpan<float> x, Span<float> result) => Map<ErfF32>(x, result);
}

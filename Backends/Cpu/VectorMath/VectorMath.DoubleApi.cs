using System.Runtime.Intrinsics;

namespace ArrayLang.Backends.Cpu;

// The double entry points; kernels in VectorMath.Double*.cs, bounds in docs/backends.md.

public static partial class VectorMath
{
    /// <summary>
    /// E^x of each of 8 double lanes. Error at most BOUND64_EXP; <c>exp(-inf) = +0</c>, <c>exp(+inf) = +inf</c>, NaN gives NaN, overflow to +inf and gradual underflow.
    /// </summary>
    public static Vector512<double> Exp(Vector512<double> x) => ExpF64.Apply(new F64x8(x)).V;

    /// <summary>E^x of each of 4 double lanes; the same bits as <see cref="Exp(Vector512{double})"/> per lane.</summary>
    public static Vector256<double> Exp(Vector256<double> x) => ExpF64.Apply(new F64x4(x)).V;

    /// <summary>E^x of one double; the same bits as a lane of <see cref="Exp(Vector512{double})"/>.</summary>
    public static double Exp(double x) => F64x2.GetLane(ExpF64.Apply(F64x2.Splat(x)), 0);

    /// <summary>E^x of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Exp(ReadOnlySpan<double> x, Span<double> result) => Map<ExpF64>(x, result);

    /// <summary>
    /// E^x - 1 of each of 8 double lanes. Error at most BOUND64_EXPM1, accurate near 0; <c>expm1(±0) = ±0</c>, <c>expm1(-inf) = -1</c>, <c>expm1(+inf) = +inf</c>, NaN gives NaN.
    /// </summary>
    public static Vector512<double> Expm1(Vector512<double> x) => Expm1F64.Apply(new F64x8(x)).V;

    /// <summary>E^x - 1 of each of 4 double lanes; the same bits as <see cref="Expm1(Vector512{double})"/> per lane.</summary>
    public static Vector256<double> Expm1(Vector256<double> x) => Expm1F64.Apply(new F64x4(x)).V;

    /// <summary>E^x - 1 of one double; the same bits as a lane of <see cref="Expm1(Vector512{double})"/>.</summary>
    public static double Expm1(double x) => F64x2.GetLane(Expm1F64.Apply(F64x2.Splat(x)), 0);

    /// <summary>E^x - 1 of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Expm1(ReadOnlySpan<double> x, Span<double> result) => Map<Expm1F64>(x, result);

    /// <summary>
    /// The natural logarithm of each of 8 double lanes. Error at most BOUND64_LOG; <c>log(±0) = -inf</c>, NaN below 0, <c>log(+inf) = +inf</c>, NaN gives NaN, denormal inputs handled.
    /// </summary>
    public static Vector512<double> Log(Vector512<double> x) => LogF64.Apply(new F64x8(x)).V;

    /// <summary>The natural logarithm of each of 4 double lanes; the same bits as <see cref="Log(Vector512{double})"/> per lane.</summary>
    public static Vector256<double> Log(Vector256<double> x) => LogF64.Apply(new F64x4(x)).V;

    /// <summary>The natural logarithm of one double; the same bits as a lane of <see cref="Log(Vector512{double})"/>.</summary>
    public static double Log(double x) => F64x2.GetLane(LogF64.Apply(F64x2.Splat(x)), 0);

    /// <summary>The natural logarithm of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Log(ReadOnlySpan<double> x, Span<double> result) => Map<LogF64>(x, result);

    /// <summary>
    /// Log(1 + x) of each of 8 double lanes. Error at most BOUND64_LOG1P, accurate near 0; <c>log1p(±0) = ±0</c>, <c>log1p(-1) = -inf</c>, NaN below -1, <c>log1p(+inf) = +inf</c>.
    /// </summary>
    public static Vector512<double> Log1p(Vector512<double> x) => Log1pF64.Apply(new F64x8(x)).V;

    /// <summary>Log(1 + x) of each of 4 double lanes; the same bits as <see cref="Log1p(Vector512{double})"/> per lane.</summary>
    public static Vector256<double> Log1p(Vector256<double> x) => Log1pF64.Apply(new F64x4(x)).V;

    /// <summary>Log(1 + x) of one double; the same bits as a lane of <see cref="Log1p(Vector512{double})"/>.</summary>
    public static double Log1p(double x) => F64x2.GetLane(Log1pF64.Apply(F64x2.Splat(x)), 0);

    /// <summary>Log(1 + x) of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Log1p(ReadOnlySpan<double> x, Span<double> result) => Map<Log1pF64>(x, result);

    /// <summary>
    /// The sine of each of 8 double lanes. Error at most BOUND64_SIN; <c>sin(±0) = ±0</c>, infinities and NaN give NaN; |x| beyond 2^20 pi/2 per lane through Math.Sin.
    /// </summary>
    public static Vector512<double> Sin(Vector512<double> x) => SinF64.Apply(new F64x8(x)).V;

    /// <summary>The sine of each of 4 double lanes; the same bits as <see cref="Sin(Vector512{double})"/> per lane.</summary>
    public static Vector256<double> Sin(Vector256<double> x) => SinF64.Apply(new F64x4(x)).V;

    /// <summary>The sine of one double; the same bits as a lane of <see cref="Sin(Vector512{double})"/>.</summary>
    public static double Sin(double x) => F64x2.GetLane(SinF64.Apply(F64x2.Splat(x)), 0);

    /// <summary>The sine of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Sin(ReadOnlySpan<double> x, Span<double> result) => Map<SinF64>(x, result);

    /// <summary>
    /// The cosine of each of 8 double lanes. Error at most BOUND64_COS; <c>cos(±0) = 1</c>, infinities and NaN give NaN; |x| beyond 2^20 pi/2 per lane through Math.Cos.
    /// </summary>
    public static Vector512<double> Cos(Vector512<double> x) => CosF64.Apply(new F64x8(x)).V;

    /// <summary>The cosine of each of 4 double lanes; the same bits as <see cref="Cos(Vector512{double})"/> per lane.</summary>
    public static Vector256<double> Cos(Vector256<double> x) => CosF64.Apply(new F64x4(x)).V;

    /// <summary>The cosine of one double; the same bits as a lane of <see cref="Cos(Vector512{double})"/>.</summary>
    public static double Cos(double x) => F64x2.GetLane(CosF64.Apply(F64x2.Splat(x)), 0);

    /// <summary>The cosine of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Cos(ReadOnlySpan<double> x, Span<double> result) => Map<CosF64>(x, result);

    /// <summary>
    /// The tangent of each of 8 double lanes. Error at most BOUND64_TAN; <c>tan(±0) = ±0</c>, infinities and NaN give NaN; |x| beyond 2^20 pi/2 per lane through Math.Tan.
    /// </summary>
    public static Vector512<double> Tan(Vector512<double> x) => TanF64.Apply(new F64x8(x)).V;

    /// <summary>The tangent of each of 4 double lanes; the same bits as <see cref="Tan(Vector512{double})"/> per lane.</summary>
    public static Vector256<double> Tan(Vector256<double> x) => TanF64.Apply(new F64x4(x)).V;

    /// <summary>The tangent of one double; the same bits as a lane of <see cref="Tan(Vector512{double})"/>.</summary>
    public static double Tan(double x) => F64x2.GetLane(TanF64.Apply(F64x2.Splat(x)), 0);

    /// <summary>The tangent of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Tan(ReadOnlySpan<double> x, Span<double> result) => Map<TanF64>(x, result);

    /// <summary>
    /// The hyperbolic tangent of each of 8 double lanes. Error at most BOUND64_TANH; <c>tanh(±0) = ±0</c>, <c>tanh(±inf) = ±1</c>, NaN gives NaN.
    /// </summary>
    public static Vector512<double> Tanh(Vector512<double> x) => TanhF64.Apply(new F64x8(x)).V;

    /// <summary>The hyperbolic tangent of each of 4 double lanes; the same bits as <see cref="Tanh(Vector512{double})"/> per lane.</summary>
    public static Vector256<double> Tanh(Vector256<double> x) => TanhF64.Apply(new F64x4(x)).V;

    /// <summary>The hyperbolic tangent of one double; the same bits as a lane of <see cref="Tanh(Vector512{double})"/>.</summary>
    public static double Tanh(double x) => F64x2.GetLane(TanhF64.Apply(F64x2.Splat(x)), 0);

    /// <summary>The hyperbolic tangent of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Tanh(ReadOnlySpan<double> x, Span<double> result) => Map<TanhF64>(x, result);

    /// <summary>
    /// The logistic sigmoid 1 / (1 + e^-x) of each of 8 double lanes. Error at most BOUND64_LOGISTIC, without overflow for any x; <c>logistic(-inf) = 0</c>, <c>logistic(+inf) = 1</c>.
    /// </summary>
    public static Vector512<double> Logistic(Vector512<double> x) => LogisticF64.Apply(new F64x8(x)).V;

    /// <summary>The logistic sigmoid 1 / (1 + e^-x) of each of 4 double lanes; the same bits as <see cref="Logistic(Vector512{double})"/> per lane.</summary>
    public static Vector256<double> Logistic(Vector256<double> x) => LogisticF64.Apply(new F64x4(x)).V;

    /// <summary>The logistic sigmoid 1 / (1 + e^-x) of one double; the same bits as a lane of <see cref="Logistic(Vector512{double})"/>.</summary>
    public static double Logistic(double x) => F64x2.GetLane(LogisticF64.Apply(F64x2.Splat(x)), 0);

    /// <summary>The logistic sigmoid 1 / (1 + e^-x) of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Logistic(ReadOnlySpan<double> x, Span<double> result) => Map<LogisticF64>(x, result);

    /// <summary>
    /// The error function of each of 8 double lanes. Error at most BOUND64_ERF (per lane through ScalarMath.Erf, not vectorized); <c>erf(±0) = ±0</c>, <c>erf(±inf) = ±1</c>.
    /// </summary>
    public static Vector512<double> Erf(Vector512<double> x) => ErfF64.Apply(new F64x8(x)).V;

    /// <summary>The error function of each of 4 double lanes; the same bits as <see cref="Erf(Vector512{double})"/> per lane.</summary>
    public static Vector256<double> Erf(Vector256<double> x) => ErfF64.Apply(new F64x4(x)).V;

    /// <summary>The error function of one double; the same bits as a lane of <see cref="Erf(Vector512{double})"/>.</summary>
    public static double Erf(double x) => F64x2.GetLane(ErfF64.Apply(F64x2.Splat(x)), 0);

    /// <summary>The error function of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Erf(ReadOnlySpan<double> x, Span<double> result) => Map<ErfF64>(x, result);

    /// <summary>C's pow of each of 8 double lane pairs. Error at most BOUND64_POW (per lane through ScalarMath.Pow, not vectorized), every C99 special case included.</summary>
    public static Vector512<double> Pow(Vector512<double> x, Vector512<double> y) => PowF64.Apply(new F64x8(x), new F64x8(y)).V;

    /// <summary>C's pow of each of 4 double lane pairs; the same bits as <see cref="Pow(Vector512{double}, Vector512{double})"/> per lane.</summary>
    public static Vector256<double> Pow(Vector256<double> x, Vector256<double> y) => PowF64.Apply(new F64x4(x), new F64x4(y)).V;

    /// <summary>C's pow of one pair of doubles; the same bits as a lane of <see cref="Pow(Vector512{double}, Vector512{double})"/>.</summary>
    public static double Pow(double x, double y) => F64x2.GetLane(PowF64.Apply(F64x2.Splat(x), F64x2.Splat(y)), 0);

    /// <summary>C's pow of every pair of elements into <paramref name="result"/> (all the same length; it may be one of the inputs).</summary>
    public static void Pow(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> result) => Map<PowF64>(x, y, result, "x", "y");

    /// <summary>C's atan2 (the angle of (x, y) in [-pi, pi]) of each of 8 double lane pairs. Error at most BOUND64_ATAN2 (per lane through Math.Atan2, not vectorized), signed zeros and infinities as C.</summary>
    public static Vector512<double> Atan2(Vector512<double> y, Vector512<double> x) => Atan2F64.Apply(new F64x8(y), new F64x8(x)).V;

    /// <summary>C's atan2 (the angle of (x, y) in [-pi, pi]) of each of 4 double lane pairs; the same bits as <see cref="Atan2(Vector512{double}, Vector512{double})"/> per lane.</summary>
    public static Vector256<double> Atan2(Vector256<double> y, Vector256<double> x) => Atan2F64.Apply(new F64x4(y), new F64x4(x)).V;

    /// <summary>C's atan2 (the angle of (x, y) in [-pi, pi]) of one pair of doubles; the same bits as a lane of <see cref="Atan2(Vector512{double}, Vector512{double})"/>.</summary>
    public static double Atan2(double y, double x) => F64x2.GetLane(Atan2F64.Apply(F64x2.Splat(y), F64x2.Splat(x)), 0);

    /// <summary>C's atan2 (the angle of (x, y) in [-pi, pi]) of every pair of elements into <paramref name="result"/> (all the same length; it may be one of the inputs).</summary>
    public static void Atan2(ReadOnlySpan<double> y, ReadOnlySpan<double> x, Span<double> result) => Map<Atan2F64>(y, x, result, "y", "x");
}

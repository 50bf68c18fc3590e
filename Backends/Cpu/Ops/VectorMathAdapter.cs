using System.Runtime.InteropServices;
using ArrayLang.Reference;

namespace ArrayLang.Backends.Cpu.Ops;

/// <summary>
/// The one place the CPU backend calls transcendental math (Note [vector math adapter]). Each
/// routine maps a span of arguments to a span of results.
/// </summary>
/// <remarks>
/// Note [vector math adapter]: the backend's fast vectorized <c>exp log sin ...</c> live in
/// <c>VectorMath/</c>, written separately. Until they land, every routine here evaluates the
/// reference evaluator's scalar definition per lane (in double, rounded once for f32), which makes
/// the backend agree bitwise with the reference on these functions, at scalar speed. Switching to
/// the vectorized routines is an edit of each body here and nothing else.
/// </remarks>
internal static class VectorMathAdapter
{
    private delegate double Scalar(double x);

    private static void MapF32(ReadOnlySpan<byte> a, Span<byte> d, int n, Scalar f)
    {
        var x = MemoryMarshal.Cast<byte, float>(a)[..n];
        var r = MemoryMarshal.Cast<byte, float>(d)[..n];
        for (int i = 0; i < x.Length; i++) r[i] = (float)f(x[i]);
    }

    private delegate double Scalar2(double x, double y);

    private static void Map2F32(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> d, int n, Scalar2 f)
    {
        var x = MemoryMarshal.Cast<byte, float>(a)[..n];
        var y = MemoryMarshal.Cast<byte, float>(b)[..n];
        var r = MemoryMarshal.Cast<byte, float>(d)[..n];
        for (int i = 0; i < x.Length; i++) r[i] = (float)f(x[i], y[i]);
    }

    private static void Map2F64(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> d, int n, Scalar2 f)
    {
        var x = MemoryMarshal.Cast<byte, double>(a)[..n];
        var y = MemoryMarshal.Cast<byte, double>(b)[..n];
        var r = MemoryMarshal.Cast<byte, double>(d)[..n];
        for (int i = 0; i < x.Length; i++) r[i] = f(x[i], y[i]);
    }

    private static void MapF64(ReadOnlySpan<byte> a, Span<byte> d, int n, Scalar f)
    {
        var x = MemoryMarshal.Cast<byte, double>(a)[..n];
        var r = MemoryMarshal.Cast<byte, double>(d)[..n];
        for (int i = 0; i < x.Length; i++) r[i] = f(x[i]);
    }

    public static void ExpF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF32(a, d, n, Math.Exp);
    public static void ExpF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF64(a, d, n, Math.Exp);
    public static void LogF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF32(a, d, n, Math.Log);
    public static void LogF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF64(a, d, n, Math.Log);
    public static void Log1pF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF32(a, d, n, ScalarMath.Log1p);
    public static void Log1pF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF64(a, d, n, ScalarMath.Log1p);
    public static void Expm1F32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF32(a, d, n, ScalarMath.Expm1);
    public static void Expm1F64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF64(a, d, n, ScalarMath.Expm1);
    public static void SinF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF32(a, d, n, Math.Sin);
    public static void SinF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF64(a, d, n, Math.Sin);
    public static void CosF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF32(a, d, n, Math.Cos);
    public static void CosF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF64(a, d, n, Math.Cos);
    public static void TanF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF32(a, d, n, Math.Tan);
    public static void TanF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF64(a, d, n, Math.Tan);
    public static void TanhF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF32(a, d, n, Math.Tanh);
    public static void TanhF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF64(a, d, n, Math.Tanh);
    public static void LogisticF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF32(a, d, n, ScalarMath.Logistic);
    public static void LogisticF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF64(a, d, n, ScalarMath.Logistic);
    public static void ErfF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF32(a, d, n, ScalarMath.Erf);
    public static void ErfF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => MapF64(a, d, n, ScalarMath.Erf);
    public static void PowF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => Map2F32(a, b, d, n, ScalarMath.Pow);
    public static void PowF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => Map2F64(a, b, d, n, ScalarMath.Pow);
    public static void Atan2F32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => Map2F32(a, b, d, n, Math.Atan2);
    public static void Atan2F64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => Map2F64(a, b, d, n, Math.Atan2);
}

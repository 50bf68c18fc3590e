using System.Runtime.InteropServices;
using VM = ArrayLang.Backends.Cpu.VectorMath;

namespace ArrayLang.Backends.Cpu.Ops;

/// <summary>
/// The one place the CPU backend calls transcendental math (Note [vector math adapter]). Each
/// routine maps a tile's span of arguments to a span of results.
/// </summary>
/// <remarks>
/// Note [vector math adapter]: the fast vectorized <c>exp log sin ...</c> live in
/// <c>VectorMath/</c>, written and tested (error bounds in ulps, every width giving the same bits)
/// separately. Every tile routine of a transcendental function goes through this class, so the
/// backend switches implementation here and nowhere else. The span routines of
/// <see cref="ArrayLang.Backends.Cpu.VectorMath"/> run Vector512 (or Vector256) over the span and the scalar
/// form of the same kernel on the tail, with identical bits, so a result never depends on where
/// a tile boundary falls.
/// </remarks>
internal static class VectorMathAdapter
{
    private static ReadOnlySpan<float> F(ReadOnlySpan<byte> s, int n) => MemoryMarshal.Cast<byte, float>(s)[..n];
    private static Span<float> F(Span<byte> s, int n) => MemoryMarshal.Cast<byte, float>(s)[..n];
    private static ReadOnlySpan<double> D(ReadOnlySpan<byte> s, int n) => MemoryMarshal.Cast<byte, double>(s)[..n];
    private static Span<double> D(Span<byte> s, int n) => MemoryMarshal.Cast<byte, double>(s)[..n];

    public static void ExpF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Exp(F(a, n), F(d, n));
    public static void ExpF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Exp(D(a, n), D(d, n));
    public static void LogF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Log(F(a, n), F(d, n));
    public static void LogF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Log(D(a, n), D(d, n));
    public static void Log1pF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Log1p(F(a, n), F(d, n));
    public static void Log1pF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Log1p(D(a, n), D(d, n));
    public static void Expm1F32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Expm1(F(a, n), F(d, n));
    public static void Expm1F64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Expm1(D(a, n), D(d, n));
    public static void SinF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Sin(F(a, n), F(d, n));
    public static void SinF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Sin(D(a, n), D(d, n));
    public static void CosF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Cos(F(a, n), F(d, n));
    public static void CosF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Cos(D(a, n), D(d, n));
    public static void TanF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Tan(F(a, n), F(d, n));
    public static void TanF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Tan(D(a, n), D(d, n));
    public static void TanhF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Tanh(F(a, n), F(d, n));
    public static void TanhF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Tanh(D(a, n), D(d, n));
    public static void LogisticF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Logistic(F(a, n), F(d, n));
    public static void LogisticF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Logistic(D(a, n), D(d, n));
    public static void ErfF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Erf(F(a, n), F(d, n));
    public static void ErfF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Erf(D(a, n), D(d, n));
    public static void PowF32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Pow(F(a, n), F(b, n), F(d, n));
    public static void PowF64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Pow(D(a, n), D(b, n), D(d, n));
    public static void Atan2F32(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Atan2(F(a, n), F(b, n), F(d, n));
    public static void Atan2F64(Span<byte> d, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) => VM.Atan2(D(a, n), D(b, n), D(d, n));
}

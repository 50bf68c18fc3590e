using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ArrayLang.Backends.Cpu;

/// <summary>
/// Fused multiply-add of 128-bit float lanes on machines without FMA instructions
/// (Note [fused multiply-add without FMA hardware]).
/// </summary>
/// <remarks>
/// Note [fused multiply-add without FMA hardware]: an x86 core without FMA (before 2013, or .NET 10
/// under <c>DOTNET_EnableAVX2=0</c>, which switches FMA off with AVX2) runs .NET's
/// <c>Vector128.FusedMultiplyAdd</c> one lane at a time in software, about 0.1 GFLOP/s measured
/// here; every VectorMath kernel and the matrix product need it for their bits. For float lanes the
/// exact result is reached in double instead: the product of two floats is exact in double (48
/// significant bits of 53, and no overflow or underflow), the sum with <c>c</c> is computed in
/// double rounded to odd (rounded to nearest, then, when inexact and the last bit is even, moved one
/// ulp toward the exact value, which TwoSum gives), and rounding that to float gives the correctly
/// rounded <c>a * b + c</c>: rounding to odd at 53 bits never causes a double-rounding error for a
/// target precision of at most 51 bits (Boldo and Melquiond, "Emulation of FMA and correctly rounded
/// sums: proved algorithms using rounding to odd", IEEE Trans. Computers, 2008). Infinities and NaN
/// inputs leave a NaN error term, which adjusts nothing. Double lanes have no such shortcut; they
/// keep .NET's software fallback (Arm's NEON always has FMA).
/// </remarks>
internal static class FloatFma
{
    /// <summary>Whether the hardware has fused multiply-add for 128-bit float vectors.</summary>
    public static bool IsHardware => Fma.IsSupported || AdvSimd.IsSupported;

    /// <summary><c>a * b + c</c> per lane, rounded once: the FMA instruction, or its exact emulation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> FusedMultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        IsHardware ? Vector128.FusedMultiplyAdd(a, b, c) : Emulated(a, b, c);

    /// <summary>The emulation of Note [fused multiply-add without FMA hardware], on any machine.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Emulated(Vector128<float> a, Vector128<float> b, Vector128<float> c)
    {
        var lower = SumToOdd(Vector128.WidenLower(a) * Vector128.WidenLower(b), Vector128.WidenLower(c));
        var upper = SumToOdd(Vector128.WidenUpper(a) * Vector128.WidenUpper(b), Vector128.WidenUpper(c));
        return Vector128.Narrow(lower, upper);
    }

    /// <summary><c>p + c</c> rounded to odd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> SumToOdd(Vector128<double> p, Vector128<double> c)
    {
        var s = p + c;
        var cPart = s - p;
        var error = (p - (s - cPart)) + (c - cPart); // TwoSum: s + error = p + c exactly
        var bits = s.AsInt64();
        var inexact = (~Vector128.Equals(error, Vector128<double>.Zero) & Vector128.Equals(error, error)).AsInt64();
        var even = Vector128.Equals(bits & Vector128<long>.One, Vector128<long>.Zero);
        // One ulp away from zero when the exact value lies beyond s (error has s's sign), else toward it.
        var sameSign = Vector128.GreaterThanOrEqual((s ^ error).AsInt64(), Vector128<long>.Zero);
        var step = Vector128.ConditionalSelect(sameSign, Vector128<long>.One, Vector128<long>.AllBitsSet);
        return (bits + (step & inexact & even)).AsDouble();
    }
}

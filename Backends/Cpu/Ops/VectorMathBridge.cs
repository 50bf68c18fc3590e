using System.Runtime.CompilerServices;
using VM = ArrayLang.Backends.Cpu.VectorMath;

namespace ArrayLang.Backends.Cpu.Ops;

/// <summary>
/// Runs a VectorMath kernel (written over VectorMath's own lanes interfaces) on the backend's lanes
/// of the same width (Note [vector widths], Note [vector math adapter]). Both are one-field structs
/// around the same .NET vector, so the conversion is a reinterpretation; the type tests are constants
/// to the JIT, which keeps only the matching branch.
/// </summary>
internal static class VectorMathBridge
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV UnaryF32<TV, TK>(TV x) where TV : struct, IVectorLanes<TV, float> where TK : VM.IUnaryF32
    {
        if (typeof(TV) == typeof(Lanes512<float>)) return Unsafe.BitCast<F32x16, TV>(TK.Apply(Unsafe.BitCast<TV, F32x16>(x)));
        if (typeof(TV) == typeof(Lanes256<float>)) return Unsafe.BitCast<F32x8, TV>(TK.Apply(Unsafe.BitCast<TV, F32x8>(x)));
        return Unsafe.BitCast<F32x4, TV>(TK.Apply(Unsafe.BitCast<TV, F32x4>(x)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV BinaryF32<TV, TK>(TV x, TV y) where TV : struct, IVectorLanes<TV, float> where TK : VM.IBinaryF32
    {
        if (typeof(TV) == typeof(Lanes512<float>))
            return Unsafe.BitCast<F32x16, TV>(TK.Apply<F32x16, F64x8>(Unsafe.BitCast<TV, F32x16>(x), Unsafe.BitCast<TV, F32x16>(y)));
        if (typeof(TV) == typeof(Lanes256<float>))
            return Unsafe.BitCast<F32x8, TV>(TK.Apply<F32x8, F64x4>(Unsafe.BitCast<TV, F32x8>(x), Unsafe.BitCast<TV, F32x8>(y)));
        return Unsafe.BitCast<F32x4, TV>(TK.Apply<F32x4, F64x2>(Unsafe.BitCast<TV, F32x4>(x), Unsafe.BitCast<TV, F32x4>(y)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV UnaryF64<TV, TK>(TV x) where TV : struct, IVectorLanes<TV, double> where TK : VM.IUnaryF64
    {
        if (typeof(TV) == typeof(Lanes512<double>)) return Unsafe.BitCast<F64x8, TV>(TK.Apply(Unsafe.BitCast<TV, F64x8>(x)));
        if (typeof(TV) == typeof(Lanes256<double>)) return Unsafe.BitCast<F64x4, TV>(TK.Apply(Unsafe.BitCast<TV, F64x4>(x)));
        return Unsafe.BitCast<F64x2, TV>(TK.Apply(Unsafe.BitCast<TV, F64x2>(x)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV BinaryF64<TV, TK>(TV x, TV y) where TV : struct, IVectorLanes<TV, double> where TK : VM.IBinaryF64
    {
        if (typeof(TV) == typeof(Lanes512<double>)) return Unsafe.BitCast<F64x8, TV>(TK.Apply(Unsafe.BitCast<TV, F64x8>(x), Unsafe.BitCast<TV, F64x8>(y)));
        if (typeof(TV) == typeof(Lanes256<double>)) return Unsafe.BitCast<F64x4, TV>(TK.Apply(Unsafe.BitCast<TV, F64x4>(x), Unsafe.BitCast<TV, F64x4>(y)));
        return Unsafe.BitCast<F64x2, TV>(TK.Apply(Unsafe.BitCast<TV, F64x2>(x), Unsafe.BitCast<TV, F64x2>(y)));
    }
}

/// <summary>
/// f32 <c>rsqrt</c> as a VectorMath kernel: <c>1 / sqrt(x)</c> of the widened lanes in double, rounded
/// once to float. It takes the binary kernels' shape for their widening type and ignores <c>b</c>.
/// </summary>
internal struct RsqrtKernel : VM.IBinaryF32
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Apply<TV, TD>(TV a, TV b)
        where TV : struct, IF32Lanes<TV>, IWidensToF64<TV, TD>
        where TD : struct, IF64Lanes<TD>
    {
        var (lo, hi) = TV.Widen(a);
        var one = TD.Splat(1.0);
        return TV.Narrow(one / TD.Sqrt(lo), one / TD.Sqrt(hi));
    }
}

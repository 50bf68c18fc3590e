using System.Runtime.CompilerServices;

namespace ArrayLang.Backends.Cpu;

public static partial class VectorMath
{
    // Horner's rule, c0 + t (c1 + t (c2 + ...)): one fused multiply-add per coefficient.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Horner<TV>(TV t, float c0, float c1, float c2) where TV : struct, IF32Lanes<TV> =>
        TV.Fma(TV.Fma(TV.Splat(c2), t, TV.Splat(c1)), t, TV.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Horner<TV>(TV t, float c0, float c1, float c2, float c3) where TV : struct, IF32Lanes<TV> =>
        TV.Fma(Horner(t, c1, c2, c3), t, TV.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Horner<TV>(TV t, float c0, float c1, float c2, float c3, float c4) where TV : struct, IF32Lanes<TV> =>
        TV.Fma(Horner(t, c1, c2, c3, c4), t, TV.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Horner<TV>(TV t, float c0, float c1, float c2, float c3, float c4, float c5) where TV : struct, IF32Lanes<TV> =>
        TV.Fma(Horner(t, c1, c2, c3, c4, c5), t, TV.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Horner<TV>(TV t, float c0, float c1, float c2, float c3, float c4, float c5, float c6) where TV : struct, IF32Lanes<TV> =>
        TV.Fma(Horner(t, c1, c2, c3, c4, c5, c6), t, TV.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TD Horner<TD>(TD t, double c0, double c1, double c2) where TD : struct, IF64Lanes<TD> =>
        TD.Fma(TD.Fma(TD.Splat(c2), t, TD.Splat(c1)), t, TD.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TD Horner<TD>(TD t, double c0, double c1, double c2, double c3) where TD : struct, IF64Lanes<TD> =>
        TD.Fma(Horner(t, c1, c2, c3), t, TD.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TD Horner<TD>(TD t, double c0, double c1, double c2, double c3, double c4) where TD : struct, IF64Lanes<TD> =>
        TD.Fma(Horner(t, c1, c2, c3, c4), t, TD.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TD Horner<TD>(TD t, double c0, double c1, double c2, double c3, double c4, double c5) where TD : struct, IF64Lanes<TD> =>
        TD.Fma(Horner(t, c1, c2, c3, c4, c5), t, TD.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TD Horner<TD>(TD t, double c0, double c1, double c2, double c3, double c4, double c5, double c6) where TD : struct, IF64Lanes<TD> =>
        TD.Fma(Horner(t, c1, c2, c3, c4, c5, c6), t, TD.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TD Horner<TD>(TD t, double c0, double c1, double c2, double c3, double c4, double c5, double c6, double c7) where TD : struct, IF64Lanes<TD> =>
        TD.Fma(Horner(t, c1, c2, c3, c4, c5, c6, c7), t, TD.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TD Horner<TD>(TD t, double c0, double c1, double c2, double c3, double c4, double c5, double c6, double c7, double c8) where TD : struct, IF64Lanes<TD> =>
        TD.Fma(Horner(t, c1, c2, c3, c4, c5, c6, c7, c8), t, TD.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TD Horner<TD>(TD t, double c0, double c1, double c2, double c3, double c4, double c5, double c6, double c7, double c8, double c9) where TD : struct, IF64Lanes<TD> =>
        TD.Fma(Horner(t, c1, c2, c3, c4, c5, c6, c7, c8, c9), t, TD.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TD Horner<TD>(TD t, double c0, double c1, double c2, double c3, double c4, double c5, double c6, double c7, double c8, double c9, double c10) where TD : struct, IF64Lanes<TD> =>
        TD.Fma(Horner(t, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10), t, TD.Splat(c0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TD Horner<TD>(TD t, double c0, double c1, double c2, double c3, double c4, double c5, double c6, double c7, double c8, double c9, double c10, double c11) where TD : struct, IF64Lanes<TD> =>
        TD.Fma(Horner(t, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11), t, TD.Splat(c0));
}

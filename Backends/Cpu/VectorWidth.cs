using System.Runtime.Intrinsics;
using ArrayLang.Backends.Cpu.Ops;

namespace ArrayLang.Backends.Cpu;

/// <summary>The vector width the CPU backend runs at (Note [vector widths]).</summary>
public static class VectorWidth
{
    /// <summary>
    /// Bits per vector: 512, 256 or 128, the widest the hardware accelerates (128 where none is,
    /// which .NET then emulates).
    /// </summary>
    public static int Bits => Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;

    /// <summary>The lanes type of <paramref name="bits"/> on elements of <paramref name="element"/>.</summary>
    internal static Type LanesType(int bits, Type element) => bits switch
    {
        512 => typeof(Lanes512<>).MakeGenericType(element),
        256 => typeof(Lanes256<>).MakeGenericType(element),
        128 => typeof(Lanes128<>).MakeGenericType(element),
        _ => throw new ArgumentOutOfRangeException(nameof(bits), bits, "a vector width is 512, 256 or 128 bits"),
    };

    /// <summary>Whether the hardware accelerates vectors of <paramref name="bits"/>.</summary>
    public static bool IsAccelerated(int bits) => bits switch
    {
        512 => Vector512.IsHardwareAccelerated,
        256 => Vector256.IsHardwareAccelerated,
        128 => Vector128.IsHardwareAccelerated,
        _ => false,
    };
}

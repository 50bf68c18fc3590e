using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArrayLang.Ir;

namespace ArrayLang.Backends.Cpu.Runtime;

/// <summary>
/// A dense run of elements in memory: a managed array (a typed one the caller gave or gets back,
/// or the byte arena of intermediates) and a byte offset into it. Kernels view it as a span of
/// their element type; bool elements are bytes holding 0 or 1.
/// </summary>
internal readonly struct BufferRef(Array array, long byteOffset, int length)
{
    /// <summary>The array holding the elements.</summary>
    public Array Array { get; } = array;

    /// <summary>Where the first element starts, in bytes from the array's data.</summary>
    public long ByteOffset { get; } = byteOffset;

    /// <summary>The number of elements.</summary>
    public int Length { get; } = length;

    /// <summary>A whole typed array.</summary>
    public static BufferRef Of(Array array) => new(array, 0, array.Length);

    /// <summary>A reference to the element at <paramref name="index"/> as <typeparamref name="T"/>.</summary>
    public ref T At<T>(long index) where T : unmanaged =>
        ref Unsafe.As<byte, T>(ref Unsafe.AddByteOffset(ref MemoryMarshal.GetArrayDataReference(Array),
            (nint)(ByteOffset + index * Unsafe.SizeOf<T>())));

    /// <summary>The elements as a span of <typeparamref name="T"/>.</summary>
    public Span<T> Span<T>() where T : unmanaged => MemoryMarshal.CreateSpan(ref At<T>(0), Length);

    /// <summary>The bytes from element <paramref name="start"/> for <paramref name="count"/> elements of <paramref name="elementSize"/> bytes.</summary>
    public Span<byte> Bytes(long start, int count, int elementSize) =>
        MemoryMarshal.CreateSpan(ref At<byte>(start * elementSize), count * elementSize);

    /// <summary>Elements <c>[start, start + length)</c> of a buffer with <paramref name="elementSize"/>-byte elements.</summary>
    public BufferRef Slice(long start, int length, int elementSize) => new(Array, ByteOffset + start * elementSize, length);

    /// <summary>A new, uninitialized typed array for <paramref name="type"/> (kernels write every element).</summary>
    public static Array Allocate(AVal type)
    {
        int n = type.Shape.Size;
        return type.DType switch
        {
            DType.F32 => GC.AllocateUninitializedArray<float>(n),
            DType.F64 => GC.AllocateUninitializedArray<double>(n),
            DType.I32 => GC.AllocateUninitializedArray<int>(n),
            _ => GC.AllocateUninitializedArray<bool>(n),
        };
    }
}

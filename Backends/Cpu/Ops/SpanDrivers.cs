using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ArrayLang.Backends.Cpu.Ops;

/// <summary>
/// One scalar instruction applied to a tile: <paramref name="n"/> elements of each operand span
/// (typed by the instruction; bool is one byte) into <paramref name="dst"/>. Unused operands are empty.
/// </summary>
internal delegate void SpanOp(Span<byte> dst, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n);

/// <summary>An elementwise function of one operand with a scalar and (optionally) a Vector512 form.</summary>
internal interface IUnaryOp<T> where T : unmanaged
{
    static abstract bool Vectorized { get; }
    static abstract T Scalar(T x);
    static abstract Vector512<T> Vector(Vector512<T> x);
}

/// <summary>An elementwise function of two operands with a scalar and (optionally) a Vector512 form.</summary>
internal interface IBinaryOp<T> where T : unmanaged
{
    static abstract bool Vectorized { get; }
    static abstract T Scalar(T x, T y);
    static abstract Vector512<T> Vector(Vector512<T> x, Vector512<T> y);
}

/// <summary>An elementwise function of three operands with scalar and Vector512 forms.</summary>
internal interface ITernaryOp<T> where T : unmanaged
{
    static abstract T Scalar(T x, T y, T z);
    static abstract Vector512<T> Vector(Vector512<T> x, Vector512<T> y, Vector512<T> z);
}

/// <summary>A comparison or predicate producing a bool from one or two operands.</summary>
internal interface ICompareOp<T> where T : unmanaged
{
    static abstract bool Scalar(T x, T y);
    /// <summary>All-ones lanes where the comparison holds.</summary>
    static abstract Vector512<T> Vector(Vector512<T> x, Vector512<T> y);
}

/// <summary>A conversion between element types.</summary>
internal interface IConvertOp<TFrom, TTo> where TFrom : unmanaged where TTo : unmanaged
{
    static abstract TTo Scalar(TFrom x);
}

/// <summary>
/// The loops every instruction runs: Vector512 over the bulk of a tile where the operation has a
/// vector form and the hardware has AVX-512, scalar for the rest. The JIT specializes each for its
/// operation struct, so the operation inlines into the loop.
/// </summary>
internal static class SpanDrivers
{
    private static ref T At<T>(ReadOnlySpan<byte> s) where T : unmanaged =>
        ref Unsafe.As<byte, T>(ref MemoryMarshal.GetReference(s));

    private static ref T At<T>(Span<byte> s) where T : unmanaged =>
        ref Unsafe.As<byte, T>(ref MemoryMarshal.GetReference(s));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unary<T, TOp>(Span<byte> dst, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n)
        where T : unmanaged where TOp : IUnaryOp<T>
    {
        ref T x = ref At<T>(a);
        ref T r = ref At<T>(dst);
        int i = 0;
        if (TOp.Vectorized && Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                TOp.Vector(Vector512.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref r, i) = TOp.Scalar(Unsafe.Add(ref x, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Binary<T, TOp>(Span<byte> dst, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n)
        where T : unmanaged where TOp : IBinaryOp<T>
    {
        ref T x = ref At<T>(a);
        ref T y = ref At<T>(b);
        ref T r = ref At<T>(dst);
        int i = 0;
        if (TOp.Vectorized && Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                TOp.Vector(Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref r, i) = TOp.Scalar(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Ternary<T, TOp>(Span<byte> dst, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n)
        where T : unmanaged where TOp : ITernaryOp<T>
    {
        ref T x = ref At<T>(a);
        ref T y = ref At<T>(b);
        ref T z = ref At<T>(c);
        ref T r = ref At<T>(dst);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
                TOp.Vector(Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i), Vector512.LoadUnsafe(ref z, (nuint)i))
                    .StoreUnsafe(ref r, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref r, i) = TOp.Scalar(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i), Unsafe.Add(ref z, i));
    }

    /// <summary>A comparison into bool bytes; 4-byte types compare 64 lanes at a time and narrow the masks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compare<T, TOp>(Span<byte> dst, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n)
        where T : unmanaged where TOp : ICompareOp<T>
    {
        ref T x = ref At<T>(a);
        ref T y = ref At<T>(b);
        ref byte r = ref At<byte>(dst);
        int i = 0;
        if (Unsafe.SizeOf<T>() == 4 && Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            var one = Vector512<int>.One;
            for (; i <= n - 64; i += 64)
            {
                var m0 = TOp.Vector(Vector512.LoadUnsafe(ref x, (nuint)i), Vector512.LoadUnsafe(ref y, (nuint)i)).As<T, int>() & one;
                var m1 = TOp.Vector(Vector512.LoadUnsafe(ref x, (nuint)(i + 16)), Vector512.LoadUnsafe(ref y, (nuint)(i + 16))).As<T, int>() & one;
                var m2 = TOp.Vector(Vector512.LoadUnsafe(ref x, (nuint)(i + 32)), Vector512.LoadUnsafe(ref y, (nuint)(i + 32))).As<T, int>() & one;
                var m3 = TOp.Vector(Vector512.LoadUnsafe(ref x, (nuint)(i + 48)), Vector512.LoadUnsafe(ref y, (nuint)(i + 48))).As<T, int>() & one;
                var lo = Vector512.Narrow(m0, m1);
                var hi = Vector512.Narrow(m2, m3);
                Vector512.Narrow(lo, hi).AsByte().StoreUnsafe(ref r, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref r, i) = TOp.Scalar(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i)) ? (byte)1 : (byte)0;
    }

    /// <summary>A predicate of one operand into bool bytes (the second operand is the first).</summary>
    public static void Predicate<T, TOp>(Span<byte> dst, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n)
        where T : unmanaged where TOp : ICompareOp<T> => Compare<T, TOp>(dst, a, a, c, n);

    /// <summary><c>select(pred, a, b)</c>: 4-byte types widen 16 predicate bytes to a lane mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Select<T>(Span<byte> dst, ReadOnlySpan<byte> pred, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int n)
        where T : unmanaged
    {
        ref byte p = ref At<byte>(pred);
        ref T x = ref At<T>(a);
        ref T y = ref At<T>(b);
        ref T r = ref At<T>(dst);
        int i = 0;
        if (Unsafe.SizeOf<T>() == 4 && Avx512F.IsSupported)
        {
            for (; i <= n - 16; i += 16)
            {
                var bytes = Vector128.LoadUnsafe(ref p, (nuint)i);
                var mask = Vector512.Equals(Avx512F.ConvertToVector512Int32(bytes), Vector512<int>.Zero);
                var on = Vector512.LoadUnsafe(ref x, (nuint)i).As<T, int>();
                var off = Vector512.LoadUnsafe(ref y, (nuint)i).As<T, int>();
                Vector512.ConditionalSelect(mask, off, on).As<int, T>().StoreUnsafe(ref r, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref r, i) = Unsafe.Add(ref p, i) != 0 ? Unsafe.Add(ref x, i) : Unsafe.Add(ref y, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Convert<TFrom, TTo, TOp>(Span<byte> dst, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n)
        where TFrom : unmanaged where TTo : unmanaged where TOp : IConvertOp<TFrom, TTo>
    {
        ref TFrom x = ref At<TFrom>(a);
        ref TTo r = ref At<TTo>(dst);
        for (int i = 0; i < n; i++) Unsafe.Add(ref r, i) = TOp.Scalar(Unsafe.Add(ref x, i));
    }

    /// <summary>A copy of the operand (a convert to the same dtype).</summary>
    public static void Copy(Span<byte> dst, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n) =>
        a[..dst.Length].CopyTo(dst);
}

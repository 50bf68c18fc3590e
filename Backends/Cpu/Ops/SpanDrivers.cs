using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ArrayLang.Backends.Cpu.Ops;

/// <summary>
/// One scalar instruction applied to a tile: <paramref name="n"/> elements of each operand span
/// (typed by the instruction; bool is one byte) into <paramref name="dst"/>. Unused operands are empty.
/// </summary>
internal delegate void SpanOp(Span<byte> dst, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n);

/// <summary>An elementwise function of one operand with a scalar and (optionally) a vector form of every width.</summary>
internal interface IUnaryOp<T> where T : unmanaged
{
    static abstract bool Vectorized { get; }
    static abstract T Scalar(T x);
    /// <summary>The function on every lane; lane i has the bits of <see cref="Scalar"/> of lane i.</summary>
    static abstract TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, T>;
}

/// <summary>An elementwise function of two operands with a scalar and (optionally) a vector form of every width.</summary>
internal interface IBinaryOp<T> where T : unmanaged
{
    static abstract bool Vectorized { get; }
    static abstract T Scalar(T x, T y);
    /// <summary>The function on every pair of lanes; lane i has the bits of <see cref="Scalar"/> of lane i.</summary>
    static abstract TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T>;
}

/// <summary>An elementwise function of three operands with scalar and vector forms.</summary>
internal interface ITernaryOp<T> where T : unmanaged
{
    static abstract T Scalar(T x, T y, T z);
    static abstract TV Vector<TV>(TV x, TV y, TV z) where TV : struct, IVectorLanes<TV, T>;
}

/// <summary>A comparison or predicate producing a bool from one or two operands.</summary>
internal interface ICompareOp<T> where T : unmanaged
{
    static abstract bool Scalar(T x, T y);
    /// <summary>All-ones lanes where the comparison holds.</summary>
    static abstract TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T>;
}

/// <summary>A conversion between element types.</summary>
internal interface IConvertOp<TFrom, TTo> where TFrom : unmanaged where TTo : unmanaged
{
    static abstract TTo Scalar(TFrom x);
}

/// <summary>
/// The loops every instruction runs: vectors of the widest accelerated width (Note [vector widths])
/// over the bulk of a tile where the operation has a vector form, scalar for the rest. Each loop
/// is written once over a lanes type; the entry points pick the width, a test the JIT folds to a
/// constant. The JIT specializes each for its operation struct, so the operation inlines into the loop.
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
        if (TOp.Vectorized && Vector128<T>.IsSupported)
        {
            if (Vector512.IsHardwareAccelerated) i = UnaryVectors<T, TOp, Lanes512<T>>(ref x, ref r, n);
            else if (Vector256.IsHardwareAccelerated) i = UnaryVectors<T, TOp, Lanes256<T>>(ref x, ref r, n);
            else if (Vector128.IsHardwareAccelerated) i = UnaryVectors<T, TOp, Lanes128<T>>(ref x, ref r, n);
        }
        for (; i < n; i++) Unsafe.Add(ref r, i) = TOp.Scalar(Unsafe.Add(ref x, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int UnaryVectors<T, TOp, TV>(ref T x, ref T r, int n)
        where T : unmanaged where TOp : IUnaryOp<T> where TV : struct, IVectorLanes<TV, T>
    {
        int i = 0;
        for (; i <= n - TV.Count; i += TV.Count)
            TV.Store(TOp.Vector(TV.Load(ref x, (nuint)i)), ref r, (nuint)i);
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Binary<T, TOp>(Span<byte> dst, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n)
        where T : unmanaged where TOp : IBinaryOp<T>
    {
        ref T x = ref At<T>(a);
        ref T y = ref At<T>(b);
        ref T r = ref At<T>(dst);
        int i = 0;
        if (TOp.Vectorized && Vector128<T>.IsSupported)
        {
            if (Vector512.IsHardwareAccelerated) i = BinaryVectors<T, TOp, Lanes512<T>>(ref x, ref y, ref r, n);
            else if (Vector256.IsHardwareAccelerated) i = BinaryVectors<T, TOp, Lanes256<T>>(ref x, ref y, ref r, n);
            else if (Vector128.IsHardwareAccelerated) i = BinaryVectors<T, TOp, Lanes128<T>>(ref x, ref y, ref r, n);
        }
        for (; i < n; i++) Unsafe.Add(ref r, i) = TOp.Scalar(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BinaryVectors<T, TOp, TV>(ref T x, ref T y, ref T r, int n)
        where T : unmanaged where TOp : IBinaryOp<T> where TV : struct, IVectorLanes<TV, T>
    {
        int i = 0;
        for (; i <= n - TV.Count; i += TV.Count)
            TV.Store(TOp.Vector(TV.Load(ref x, (nuint)i), TV.Load(ref y, (nuint)i)), ref r, (nuint)i);
        return i;
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
        if (Vector128<T>.IsSupported)
        {
            if (Vector512.IsHardwareAccelerated) i = TernaryVectors<T, TOp, Lanes512<T>>(ref x, ref y, ref z, ref r, n);
            else if (Vector256.IsHardwareAccelerated) i = TernaryVectors<T, TOp, Lanes256<T>>(ref x, ref y, ref z, ref r, n);
            else if (Vector128.IsHardwareAccelerated) i = TernaryVectors<T, TOp, Lanes128<T>>(ref x, ref y, ref z, ref r, n);
        }
        for (; i < n; i++) Unsafe.Add(ref r, i) = TOp.Scalar(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i), Unsafe.Add(ref z, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TernaryVectors<T, TOp, TV>(ref T x, ref T y, ref T z, ref T r, int n)
        where T : unmanaged where TOp : ITernaryOp<T> where TV : struct, IVectorLanes<TV, T>
    {
        int i = 0;
        for (; i <= n - TV.Count; i += TV.Count)
            TV.Store(TOp.Vector(TV.Load(ref x, (nuint)i), TV.Load(ref y, (nuint)i), TV.Load(ref z, (nuint)i)), ref r, (nuint)i);
        return i;
    }

    /// <summary>A comparison into bool bytes; 4-byte types compare four vectors at a time and narrow the masks to bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compare<T, TOp>(Span<byte> dst, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n)
        where T : unmanaged where TOp : ICompareOp<T>
    {
        ref T x = ref At<T>(a);
        ref T y = ref At<T>(b);
        ref byte r = ref At<byte>(dst);
        int i = 0;
        if (Unsafe.SizeOf<T>() == 4 && Vector128<T>.IsSupported)
        {
            if (Vector512.IsHardwareAccelerated) i = CompareVectors<T, TOp, Lanes512<T>>(ref x, ref y, ref r, n);
            else if (Vector256.IsHardwareAccelerated) i = CompareVectors<T, TOp, Lanes256<T>>(ref x, ref y, ref r, n);
            else if (Vector128.IsHardwareAccelerated) i = CompareVectors<T, TOp, Lanes128<T>>(ref x, ref y, ref r, n);
        }
        for (; i < n; i++) Unsafe.Add(ref r, i) = TOp.Scalar(Unsafe.Add(ref x, i), Unsafe.Add(ref y, i)) ? (byte)1 : (byte)0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CompareVectors<T, TOp, TV>(ref T x, ref T y, ref byte r, int n)
        where T : unmanaged where TOp : ICompareOp<T> where TV : struct, IVectorLanes<TV, T>
    {
        int i = 0, w = TV.Count;
        for (; i <= n - 4 * w; i += 4 * w)
        {
            var m0 = TOp.Vector(TV.Load(ref x, (nuint)i), TV.Load(ref y, (nuint)i));
            var m1 = TOp.Vector(TV.Load(ref x, (nuint)(i + w)), TV.Load(ref y, (nuint)(i + w)));
            var m2 = TOp.Vector(TV.Load(ref x, (nuint)(i + 2 * w)), TV.Load(ref y, (nuint)(i + 2 * w)));
            var m3 = TOp.Vector(TV.Load(ref x, (nuint)(i + 3 * w)), TV.Load(ref y, (nuint)(i + 3 * w)));
            TV.StoreMaskBytes(m0, m1, m2, m3, ref r, (nuint)i);
        }
        return i;
    }

    /// <summary>A predicate of one operand into bool bytes (the second operand is the first).</summary>
    public static void Predicate<T, TOp>(Span<byte> dst, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, int n)
        where T : unmanaged where TOp : ICompareOp<T> => Compare<T, TOp>(dst, a, a, c, n);

    /// <summary><c>select(pred, a, b)</c>: 4-byte types widen a vector's worth of predicate bytes to a lane mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Select<T>(Span<byte> dst, ReadOnlySpan<byte> pred, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int n)
        where T : unmanaged
    {
        ref byte p = ref At<byte>(pred);
        ref T x = ref At<T>(a);
        ref T y = ref At<T>(b);
        ref T r = ref At<T>(dst);
        int i = 0;
        if (Unsafe.SizeOf<T>() == 4 && Vector128<T>.IsSupported)
        {
            if (Vector512.IsHardwareAccelerated) i = SelectVectors<T, Lanes512<T>>(ref p, ref x, ref y, ref r, n);
            else if (Vector256.IsHardwareAccelerated) i = SelectVectors<T, Lanes256<T>>(ref p, ref x, ref y, ref r, n);
            else if (Vector128.IsHardwareAccelerated) i = SelectVectors<T, Lanes128<T>>(ref p, ref x, ref y, ref r, n);
        }
        for (; i < n; i++) Unsafe.Add(ref r, i) = Unsafe.Add(ref p, i) != 0 ? Unsafe.Add(ref x, i) : Unsafe.Add(ref y, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SelectVectors<T, TV>(ref byte p, ref T x, ref T y, ref T r, int n)
        where T : unmanaged where TV : struct, IVectorLanes<TV, T>
    {
        int i = 0;
        for (; i <= n - TV.Count; i += TV.Count)
            TV.Store(TV.ConditionalSelect(TV.MaskFromBytes(ref p, (nuint)i), TV.Load(ref x, (nuint)i), TV.Load(ref y, (nuint)i)), ref r, (nuint)i);
        return i;
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

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static System.Runtime.CompilerServices.MethodImplOptions;

namespace ArrayLang.Backends.Cpu.Ops;

/// <summary>The lanes of one <see cref="Vector256{T}"/> (Note [vector widths]).</summary>
internal readonly struct Lanes256<T> : IVectorLanes<Lanes256<T>, T> where T : unmanaged
{
    /// <summary>The lanes.</summary>
    public readonly Vector256<T> V;

    /// <summary>Wraps <paramref name="v"/>.</summary>
    [MethodImpl(AggressiveInlining)] public Lanes256(Vector256<T> v) => V = v;

    public static int Count => Vector256<T>.Count;
    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;
    public static Lanes256<T> Zero => new(Vector256<T>.Zero);
    public static Lanes256<T> One => new(Vector256<T>.One);
    public static Lanes256<T> AllBitsSet => new(Vector256<T>.AllBitsSet);

    [MethodImpl(AggressiveInlining)] public static Lanes256<T> Splat(T value) => new(Vector256.Create(value));
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> Load(ref T source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));
    [MethodImpl(AggressiveInlining)] public static void Store(Lanes256<T> value, ref T destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    [MethodImpl(AggressiveInlining)] public static T GetElement(Lanes256<T> value, int index) => value.V.GetElement(index);

    [MethodImpl(AggressiveInlining)] public static Lanes256<T> operator +(Lanes256<T> a, Lanes256<T> b) => new(a.V + b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> operator -(Lanes256<T> a, Lanes256<T> b) => new(a.V - b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> operator *(Lanes256<T> a, Lanes256<T> b) => new(a.V * b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> operator /(Lanes256<T> a, Lanes256<T> b) => new(a.V / b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> operator -(Lanes256<T> a) => new(-a.V);
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> operator &(Lanes256<T> a, Lanes256<T> b) => new(a.V & b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> operator |(Lanes256<T> a, Lanes256<T> b) => new(a.V | b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> operator ^(Lanes256<T> a, Lanes256<T> b) => new(a.V ^ b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> operator ~(Lanes256<T> a) => new(~a.V);

    [MethodImpl(AggressiveInlining)] public static Lanes256<T> Max(Lanes256<T> a, Lanes256<T> b) => new(Vector256.Max(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> Min(Lanes256<T> a, Lanes256<T> b) => new(Vector256.Min(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> Abs(Lanes256<T> a) => new(Vector256.Abs(a.V));
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> CopySign(Lanes256<T> value, Lanes256<T> sign) => new(Vector256.CopySign(value.V, sign.V));

    [MethodImpl(AggressiveInlining)]
    public static Lanes256<T> Sqrt(Lanes256<T> a) => new(Vector256.Sqrt(a.V));

    [MethodImpl(AggressiveInlining)]
    public static Lanes256<T> Floor(Lanes256<T> a) => typeof(T) == typeof(float)
        ? new(Vector256.Floor(a.V.AsSingle()).As<float, T>())
        : new(Vector256.Floor(a.V.AsDouble()).As<double, T>());

    [MethodImpl(AggressiveInlining)]
    public static Lanes256<T> Ceiling(Lanes256<T> a) => typeof(T) == typeof(float)
        ? new(Vector256.Ceiling(a.V.AsSingle()).As<float, T>())
        : new(Vector256.Ceiling(a.V.AsDouble()).As<double, T>());

    [MethodImpl(AggressiveInlining)]
    public static Lanes256<T> Truncate(Lanes256<T> a) => typeof(T) == typeof(float)
        ? new(Vector256.Truncate(a.V.AsSingle()).As<float, T>())
        : new(Vector256.Truncate(a.V.AsDouble()).As<double, T>());

    [MethodImpl(AggressiveInlining)]
    public static Lanes256<T> FusedMultiplyAdd(Lanes256<T> a, Lanes256<T> b, Lanes256<T> c) => typeof(T) == typeof(float)
        ? new(Vector256.FusedMultiplyAdd(a.V.AsSingle(), b.V.AsSingle(), c.V.AsSingle()).As<float, T>())
        : new(Vector256.FusedMultiplyAdd(a.V.AsDouble(), b.V.AsDouble(), c.V.AsDouble()).As<double, T>());

    [MethodImpl(AggressiveInlining)] public static Lanes256<T> ConditionalSelect(Lanes256<T> mask, Lanes256<T> ifTrue, Lanes256<T> ifFalse) => new(Vector256.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> Equals(Lanes256<T> a, Lanes256<T> b) => new(Vector256.Equals(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> LessThan(Lanes256<T> a, Lanes256<T> b) => new(Vector256.LessThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> LessThanOrEqual(Lanes256<T> a, Lanes256<T> b) => new(Vector256.LessThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> GreaterThan(Lanes256<T> a, Lanes256<T> b) => new(Vector256.GreaterThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes256<T> GreaterThanOrEqual(Lanes256<T> a, Lanes256<T> b) => new(Vector256.GreaterThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static bool None(Lanes256<T> mask) => mask.V.AsByte() == Vector256<byte>.Zero;
    [MethodImpl(AggressiveInlining)] public static bool All(Lanes256<T> mask) => mask.V.AsByte() == Vector256<byte>.AllBitsSet;

    [MethodImpl(AggressiveInlining)]
    public static void StoreMaskBytes(Lanes256<T> m0, Lanes256<T> m1, Lanes256<T> m2, Lanes256<T> m3, ref byte destination, nuint index)
    {
        var one = Vector256<int>.One;
        var lo = Vector256.Narrow(m0.V.As<T, int>() & one, m1.V.As<T, int>() & one);
        var hi = Vector256.Narrow(m2.V.As<T, int>() & one, m3.V.As<T, int>() & one);
        Vector256.Narrow(lo, hi).AsByte().StoreUnsafe(ref destination, index);
    }

    [MethodImpl(AggressiveInlining)]
    public static Lanes256<T> MaskFromBytes(ref byte source, nuint index)
    {
        var eight = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, index));
        var bytes = Vector128.CreateScalar(eight).AsByte().ToVector256Unsafe();
        var words = Vector256.WidenLower(Vector256.WidenLower(bytes).AsUInt16());
        return new(Vector256.Equals(words, Vector256<uint>.Zero).As<uint, T>() ^ Vector256<T>.AllBitsSet);
    }
}

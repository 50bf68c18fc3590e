using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static System.Runtime.CompilerServices.MethodImplOptions;

namespace ArrayLang.Backends.Cpu.Ops;

/// <summary>The lanes of one <see cref="Vector512{T}"/> (Note [vector widths]).</summary>
internal readonly struct Lanes512<T> : IVectorLanes<Lanes512<T>, T> where T : unmanaged
{
    /// <summary>The lanes.</summary>
    public readonly Vector512<T> V;

    /// <summary>Wraps <paramref name="v"/>.</summary>
    [MethodImpl(AggressiveInlining)] public Lanes512(Vector512<T> v) => V = v;

    public static int Count => Vector512<T>.Count;
    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;
    public static Lanes512<T> Zero => new(Vector512<T>.Zero);
    public static Lanes512<T> One => new(Vector512<T>.One);
    public static Lanes512<T> AllBitsSet => new(Vector512<T>.AllBitsSet);

    [MethodImpl(AggressiveInlining)] public static Lanes512<T> Splat(T value) => new(Vector512.Create(value));
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> Load(ref T source, nuint index) => new(Vector512.LoadUnsafe(ref source, index));
    [MethodImpl(AggressiveInlining)] public static void Store(Lanes512<T> value, ref T destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    [MethodImpl(AggressiveInlining)] public static T GetElement(Lanes512<T> value, int index) => value.V.GetElement(index);

    [MethodImpl(AggressiveInlining)] public static Lanes512<T> operator +(Lanes512<T> a, Lanes512<T> b) => new(a.V + b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> operator -(Lanes512<T> a, Lanes512<T> b) => new(a.V - b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> operator *(Lanes512<T> a, Lanes512<T> b) => new(a.V * b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> operator /(Lanes512<T> a, Lanes512<T> b) => new(a.V / b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> operator -(Lanes512<T> a) => new(-a.V);
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> operator &(Lanes512<T> a, Lanes512<T> b) => new(a.V & b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> operator |(Lanes512<T> a, Lanes512<T> b) => new(a.V | b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> operator ^(Lanes512<T> a, Lanes512<T> b) => new(a.V ^ b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> operator ~(Lanes512<T> a) => new(~a.V);

    [MethodImpl(AggressiveInlining)] public static Lanes512<T> Max(Lanes512<T> a, Lanes512<T> b) => new(Vector512.Max(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> Min(Lanes512<T> a, Lanes512<T> b) => new(Vector512.Min(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> Abs(Lanes512<T> a) => new(Vector512.Abs(a.V));
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> CopySign(Lanes512<T> value, Lanes512<T> sign) => new(Vector512.CopySign(value.V, sign.V));

    [MethodImpl(AggressiveInlining)]
    public static Lanes512<T> Sqrt(Lanes512<T> a) => new(Vector512.Sqrt(a.V));

    [MethodImpl(AggressiveInlining)]
    public static Lanes512<T> Floor(Lanes512<T> a) => typeof(T) == typeof(float)
        ? new(Vector512.Floor(a.V.AsSingle()).As<float, T>())
        : new(Vector512.Floor(a.V.AsDouble()).As<double, T>());

    [MethodImpl(AggressiveInlining)]
    public static Lanes512<T> Ceiling(Lanes512<T> a) => typeof(T) == typeof(float)
        ? new(Vector512.Ceiling(a.V.AsSingle()).As<float, T>())
        : new(Vector512.Ceiling(a.V.AsDouble()).As<double, T>());

    [MethodImpl(AggressiveInlining)]
    public static Lanes512<T> Truncate(Lanes512<T> a) => typeof(T) == typeof(float)
        ? new(Vector512.Truncate(a.V.AsSingle()).As<float, T>())
        : new(Vector512.Truncate(a.V.AsDouble()).As<double, T>());

    [MethodImpl(AggressiveInlining)]
    public static Lanes512<T> FusedMultiplyAdd(Lanes512<T> a, Lanes512<T> b, Lanes512<T> c) => typeof(T) == typeof(float)
        ? new(Vector512.FusedMultiplyAdd(a.V.AsSingle(), b.V.AsSingle(), c.V.AsSingle()).As<float, T>())
        : new(Vector512.FusedMultiplyAdd(a.V.AsDouble(), b.V.AsDouble(), c.V.AsDouble()).As<double, T>());

    [MethodImpl(AggressiveInlining)] public static Lanes512<T> ConditionalSelect(Lanes512<T> mask, Lanes512<T> ifTrue, Lanes512<T> ifFalse) => new(Vector512.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> Equals(Lanes512<T> a, Lanes512<T> b) => new(Vector512.Equals(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> LessThan(Lanes512<T> a, Lanes512<T> b) => new(Vector512.LessThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> LessThanOrEqual(Lanes512<T> a, Lanes512<T> b) => new(Vector512.LessThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> GreaterThan(Lanes512<T> a, Lanes512<T> b) => new(Vector512.GreaterThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes512<T> GreaterThanOrEqual(Lanes512<T> a, Lanes512<T> b) => new(Vector512.GreaterThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static bool None(Lanes512<T> mask) => mask.V.AsByte() == Vector512<byte>.Zero;
    [MethodImpl(AggressiveInlining)] public static bool All(Lanes512<T> mask) => mask.V.AsByte() == Vector512<byte>.AllBitsSet;

    [MethodImpl(AggressiveInlining)]
    public static void StoreMaskBytes(Lanes512<T> m0, Lanes512<T> m1, Lanes512<T> m2, Lanes512<T> m3, ref byte destination, nuint index)
    {
        var one = Vector512<int>.One;
        var lo = Vector512.Narrow(m0.V.As<T, int>() & one, m1.V.As<T, int>() & one);
        var hi = Vector512.Narrow(m2.V.As<T, int>() & one, m3.V.As<T, int>() & one);
        Vector512.Narrow(lo, hi).AsByte().StoreUnsafe(ref destination, index);
    }

    [MethodImpl(AggressiveInlining)]
    public static Lanes512<T> MaskFromBytes(ref byte source, nuint index)
    {
        var bytes = Vector128.LoadUnsafe(ref source, index).ToVector256Unsafe().ToVector512Unsafe();
        var words = Vector512.WidenLower(Vector512.WidenLower(bytes).AsUInt16());
        return new(Vector512.Equals(words, Vector512<uint>.Zero).As<uint, T>() ^ Vector512<T>.AllBitsSet);
    }
}

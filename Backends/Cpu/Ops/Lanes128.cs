using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static System.Runtime.CompilerServices.MethodImplOptions;

namespace ArrayLang.Backends.Cpu.Ops;

/// <summary>The lanes of one <see cref="Vector128{T}"/> (Note [vector widths]).</summary>
internal readonly struct Lanes128<T> : IVectorLanes<Lanes128<T>, T> where T : unmanaged
{
    /// <summary>The lanes.</summary>
    public readonly Vector128<T> V;

    /// <summary>Wraps <paramref name="v"/>.</summary>
    [MethodImpl(AggressiveInlining)] public Lanes128(Vector128<T> v) => V = v;

    public static int Count => Vector128<T>.Count;
    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;
    public static Lanes128<T> Zero => new(Vector128<T>.Zero);
    public static Lanes128<T> One => new(Vector128<T>.One);
    public static Lanes128<T> AllBitsSet => new(Vector128<T>.AllBitsSet);

    [MethodImpl(AggressiveInlining)] public static Lanes128<T> Splat(T value) => new(Vector128.Create(value));
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> Load(ref T source, nuint index) => new(Vector128.LoadUnsafe(ref source, index));
    [MethodImpl(AggressiveInlining)] public static void Store(Lanes128<T> value, ref T destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    [MethodImpl(AggressiveInlining)] public static T GetElement(Lanes128<T> value, int index) => value.V.GetElement(index);

    [MethodImpl(AggressiveInlining)] public static Lanes128<T> operator +(Lanes128<T> a, Lanes128<T> b) => new(a.V + b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> operator -(Lanes128<T> a, Lanes128<T> b) => new(a.V - b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> operator *(Lanes128<T> a, Lanes128<T> b) => new(a.V * b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> operator /(Lanes128<T> a, Lanes128<T> b) => new(a.V / b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> operator -(Lanes128<T> a) => new(-a.V);
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> operator &(Lanes128<T> a, Lanes128<T> b) => new(a.V & b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> operator |(Lanes128<T> a, Lanes128<T> b) => new(a.V | b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> operator ^(Lanes128<T> a, Lanes128<T> b) => new(a.V ^ b.V);
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> operator ~(Lanes128<T> a) => new(~a.V);

    [MethodImpl(AggressiveInlining)] public static Lanes128<T> Max(Lanes128<T> a, Lanes128<T> b) => new(Vector128.Max(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> Min(Lanes128<T> a, Lanes128<T> b) => new(Vector128.Min(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> Abs(Lanes128<T> a) => new(Vector128.Abs(a.V));
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> CopySign(Lanes128<T> value, Lanes128<T> sign) => new(Vector128.CopySign(value.V, sign.V));

    [MethodImpl(AggressiveInlining)]
    public static Lanes128<T> Sqrt(Lanes128<T> a) => new(Vector128.Sqrt(a.V));

    [MethodImpl(AggressiveInlining)]
    public static Lanes128<T> Floor(Lanes128<T> a) => typeof(T) == typeof(float)
        ? new(Vector128.Floor(a.V.AsSingle()).As<float, T>())
        : new(Vector128.Floor(a.V.AsDouble()).As<double, T>());

    [MethodImpl(AggressiveInlining)]
    public static Lanes128<T> Ceiling(Lanes128<T> a) => typeof(T) == typeof(float)
        ? new(Vector128.Ceiling(a.V.AsSingle()).As<float, T>())
        : new(Vector128.Ceiling(a.V.AsDouble()).As<double, T>());

    [MethodImpl(AggressiveInlining)]
    public static Lanes128<T> Truncate(Lanes128<T> a) => typeof(T) == typeof(float)
        ? new(Vector128.Truncate(a.V.AsSingle()).As<float, T>())
        : new(Vector128.Truncate(a.V.AsDouble()).As<double, T>());

    [MethodImpl(AggressiveInlining)]
    public static Lanes128<T> FusedMultiplyAdd(Lanes128<T> a, Lanes128<T> b, Lanes128<T> c) => typeof(T) == typeof(float)
        ? new(FloatFma.FusedMultiplyAdd(a.V.AsSingle(), b.V.AsSingle(), c.V.AsSingle()).As<float, T>())
        : new(Vector128.FusedMultiplyAdd(a.V.AsDouble(), b.V.AsDouble(), c.V.AsDouble()).As<double, T>());

    [MethodImpl(AggressiveInlining)] public static Lanes128<T> ConditionalSelect(Lanes128<T> mask, Lanes128<T> ifTrue, Lanes128<T> ifFalse) => new(Vector128.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> Equals(Lanes128<T> a, Lanes128<T> b) => new(Vector128.Equals(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> LessThan(Lanes128<T> a, Lanes128<T> b) => new(Vector128.LessThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> LessThanOrEqual(Lanes128<T> a, Lanes128<T> b) => new(Vector128.LessThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> GreaterThan(Lanes128<T> a, Lanes128<T> b) => new(Vector128.GreaterThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static Lanes128<T> GreaterThanOrEqual(Lanes128<T> a, Lanes128<T> b) => new(Vector128.GreaterThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static bool None(Lanes128<T> mask) => mask.V.AsByte() == Vector128<byte>.Zero;
    [MethodImpl(AggressiveInlining)] public static bool All(Lanes128<T> mask) => mask.V.AsByte() == Vector128<byte>.AllBitsSet;

    [MethodImpl(AggressiveInlining)]
    public static void StoreMaskBytes(Lanes128<T> m0, Lanes128<T> m1, Lanes128<T> m2, Lanes128<T> m3, ref byte destination, nuint index)
    {
        var one = Vector128<int>.One;
        var lo = Vector128.Narrow(m0.V.As<T, int>() & one, m1.V.As<T, int>() & one);
        var hi = Vector128.Narrow(m2.V.As<T, int>() & one, m3.V.As<T, int>() & one);
        Vector128.Narrow(lo, hi).AsByte().StoreUnsafe(ref destination, index);
    }

    [MethodImpl(AggressiveInlining)]
    public static Lanes128<T> MaskFromBytes(ref byte source, nuint index)
    {
        var four = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref source, index));
        var bytes = Vector128.CreateScalar(four).AsByte();
        var words = Vector128.WidenLower(Vector128.WidenLower(bytes).AsUInt16());
        return new(Vector128.Equals(words, Vector128<uint>.Zero).As<uint, T>() ^ Vector128<T>.AllBitsSet);
    }
}

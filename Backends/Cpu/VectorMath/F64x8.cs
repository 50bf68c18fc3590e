using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static System.Runtime.CompilerServices.MethodImplOptions;

namespace ArrayLang.Backends.Cpu;

/// <summary>Eight double lanes in a <see cref="Vector512{T}"/> (Note [one kernel, every width]).</summary>
internal readonly struct F64x8 : IF64Lanes<F64x8>
{
    /// <summary>The lanes.</summary>
    public readonly Vector512<double> V;

    /// <summary>Wraps <paramref name="v"/>.</summary>
    [MethodImpl(AggressiveInlining)] public F64x8(Vector512<double> v) => V = v;

    private static Vector512<long> L(F64x8 a) => a.V.AsInt64();
    private static F64x8 D(Vector512<long> a) => new(a.AsDouble());

    public static int Count => Vector512<double>.Count;
    [MethodImpl(AggressiveInlining)] public static F64x8 Splat(double value) => new(Vector512.Create(value));
    [MethodImpl(AggressiveInlining)] public static F64x8 SplatBits(long bits) => D(Vector512.Create(bits));
    [MethodImpl(AggressiveInlining)] public static F64x8 Load(ref double source, nuint index) => new(Vector512.LoadUnsafe(ref source, index));
    [MethodImpl(AggressiveInlining)] public static void Store(F64x8 value, ref double destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    [MethodImpl(AggressiveInlining)] public static double GetLane(F64x8 value, int index) => value.V.GetElement(index);
    [MethodImpl(AggressiveInlining)] public static F64x8 WithLane(F64x8 value, int index, double lane) => new(value.V.WithElement(index, lane));

    [MethodImpl(AggressiveInlining)] public static F64x8 operator +(F64x8 a, F64x8 b) => new(a.V + b.V);
    [MethodImpl(AggressiveInlining)] public static F64x8 operator -(F64x8 a, F64x8 b) => new(a.V - b.V);
    [MethodImpl(AggressiveInlining)] public static F64x8 operator *(F64x8 a, F64x8 b) => new(a.V * b.V);
    [MethodImpl(AggressiveInlining)] public static F64x8 operator /(F64x8 a, F64x8 b) => new(a.V / b.V);
    [MethodImpl(AggressiveInlining)] public static F64x8 operator -(F64x8 a) => new(-a.V);
    [MethodImpl(AggressiveInlining)] public static F64x8 Fma(F64x8 a, F64x8 b, F64x8 c) => new(Vector512.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(AggressiveInlining)] public static F64x8 Abs(F64x8 a) => new(Vector512.Abs(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x8 Sqrt(F64x8 a) => new(Vector512.Sqrt(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x8 Round(F64x8 a) => new(Vector512.Round(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x8 Truncate(F64x8 a) => new(Vector512.Truncate(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x8 Clamp(F64x8 a, F64x8 lo, F64x8 hi) => new(Vector512.Min(hi.V, Vector512.Max(lo.V, a.V)));

    [MethodImpl(AggressiveInlining)] public static F64x8 LessThan(F64x8 a, F64x8 b) => new(Vector512.LessThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F64x8 GreaterThan(F64x8 a, F64x8 b) => new(Vector512.GreaterThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F64x8 GreaterThanOrEqual(F64x8 a, F64x8 b) => new(Vector512.GreaterThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F64x8 Equal(F64x8 a, F64x8 b) => new(Vector512.Equals(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F64x8 IsNaN(F64x8 a) => new(~Vector512.Equals(a.V, a.V));
    [MethodImpl(AggressiveInlining)] public static F64x8 Select(F64x8 mask, F64x8 ifTrue, F64x8 ifFalse) => new(Vector512.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    [MethodImpl(AggressiveInlining)] public static bool AnyTrue(F64x8 mask) => mask.V.AsUInt64() != Vector512<ulong>.Zero;

    [MethodImpl(AggressiveInlining)] public static F64x8 operator &(F64x8 a, F64x8 b) => new(a.V & b.V);
    [MethodImpl(AggressiveInlining)] public static F64x8 operator |(F64x8 a, F64x8 b) => new(a.V | b.V);
    [MethodImpl(AggressiveInlining)] public static F64x8 operator ^(F64x8 a, F64x8 b) => new(a.V ^ b.V);
    [MethodImpl(AggressiveInlining)] public static F64x8 AndNot(F64x8 a, F64x8 b) => new(Vector512.AndNot(a.V, b.V));

    [MethodImpl(AggressiveInlining)] public static F64x8 AddLong(F64x8 a, F64x8 b) => D(L(a) + L(b));
    [MethodImpl(AggressiveInlining)] public static F64x8 SubtractLong(F64x8 a, F64x8 b) => D(L(a) - L(b));
    [MethodImpl(AggressiveInlining)] public static F64x8 ShiftLeftLong(F64x8 a, int count) => D(Vector512.ShiftLeft(L(a), count));
    [MethodImpl(AggressiveInlining)] public static F64x8 ShiftRightArithmeticLong(F64x8 a, int count) => D(Vector512.ShiftRightArithmetic(L(a), count));
    [MethodImpl(AggressiveInlining)] public static F64x8 ShiftRightLogicalLong(F64x8 a, int count) => D(Vector512.ShiftRightLogical(L(a), count));
    [MethodImpl(AggressiveInlining)] public static F64x8 ConvertToLong(F64x8 a) => D(Vector512.ConvertToInt64Native(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x8 ConvertFromLong(F64x8 a) => new(Vector512.ConvertToDouble(L(a)));
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static System.Runtime.CompilerServices.MethodImplOptions;

namespace ArrayLang.Backends.Cpu;

/// <summary>Four double lanes in a <see cref="Vector256{T}"/> (Note [one kernel, every width]).</summary>
internal readonly struct F64x4 : IF64Lanes<F64x4>
{
    /// <summary>The lanes.</summary>
    public readonly Vector256<double> V;

    /// <summary>Wraps <paramref name="v"/>.</summary>
    [MethodImpl(AggressiveInlining)] public F64x4(Vector256<double> v) => V = v;

    private static Vector256<long> L(F64x4 a) => a.V.AsInt64();
    private static F64x4 D(Vector256<long> a) => new(a.AsDouble());

    public static int Count => Vector256<double>.Count;
    [MethodImpl(AggressiveInlining)] public static F64x4 Splat(double value) => new(Vector256.Create(value));
    [MethodImpl(AggressiveInlining)] public static F64x4 SplatBits(long bits) => D(Vector256.Create(bits));
    [MethodImpl(AggressiveInlining)] public static F64x4 Load(ref double source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));
    [MethodImpl(AggressiveInlining)] public static void Store(F64x4 value, ref double destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    [MethodImpl(AggressiveInlining)] public static double GetLane(F64x4 value, int index) => value.V.GetElement(index);
    [MethodImpl(AggressiveInlining)] public static F64x4 WithLane(F64x4 value, int index, double lane) => new(value.V.WithElement(index, lane));

    [MethodImpl(AggressiveInlining)] public static F64x4 operator +(F64x4 a, F64x4 b) => new(a.V + b.V);
    [MethodImpl(AggressiveInlining)] public static F64x4 operator -(F64x4 a, F64x4 b) => new(a.V - b.V);
    [MethodImpl(AggressiveInlining)] public static F64x4 operator *(F64x4 a, F64x4 b) => new(a.V * b.V);
    [MethodImpl(AggressiveInlining)] public static F64x4 operator /(F64x4 a, F64x4 b) => new(a.V / b.V);
    [MethodImpl(AggressiveInlining)] public static F64x4 operator -(F64x4 a) => new(-a.V);
    [MethodImpl(AggressiveInlining)] public static F64x4 Fma(F64x4 a, F64x4 b, F64x4 c) => new(Vector256.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(AggressiveInlining)] public static F64x4 Abs(F64x4 a) => new(Vector256.Abs(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x4 Sqrt(F64x4 a) => new(Vector256.Sqrt(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x4 Round(F64x4 a) => new(Vector256.Round(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x4 Truncate(F64x4 a) => new(Vector256.Truncate(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x4 Clamp(F64x4 a, F64x4 lo, F64x4 hi) => new(Vector256.Min(hi.V, Vector256.Max(lo.V, a.V)));

    [MethodImpl(AggressiveInlining)] public static F64x4 LessThan(F64x4 a, F64x4 b) => new(Vector256.LessThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F64x4 GreaterThan(F64x4 a, F64x4 b) => new(Vector256.GreaterThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F64x4 GreaterThanOrEqual(F64x4 a, F64x4 b) => new(Vector256.GreaterThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F64x4 Equal(F64x4 a, F64x4 b) => new(Vector256.Equals(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F64x4 IsNaN(F64x4 a) => new(~Vector256.Equals(a.V, a.V));
    [MethodImpl(AggressiveInlining)] public static F64x4 Select(F64x4 mask, F64x4 ifTrue, F64x4 ifFalse) => new(Vector256.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    [MethodImpl(AggressiveInlining)] public static bool AnyTrue(F64x4 mask) => mask.V.AsUInt64() != Vector256<ulong>.Zero;

    [MethodImpl(AggressiveInlining)] public static F64x4 operator &(F64x4 a, F64x4 b) => new(a.V & b.V);
    [MethodImpl(AggressiveInlining)] public static F64x4 operator |(F64x4 a, F64x4 b) => new(a.V | b.V);
    [MethodImpl(AggressiveInlining)] public static F64x4 operator ^(F64x4 a, F64x4 b) => new(a.V ^ b.V);
    [MethodImpl(AggressiveInlining)] public static F64x4 AndNot(F64x4 a, F64x4 b) => new(Vector256.AndNot(a.V, b.V));

    [MethodImpl(AggressiveInlining)] public static F64x4 AddLong(F64x4 a, F64x4 b) => D(L(a) + L(b));
    [MethodImpl(AggressiveInlining)] public static F64x4 SubtractLong(F64x4 a, F64x4 b) => D(L(a) - L(b));
    [MethodImpl(AggressiveInlining)] public static F64x4 ShiftLeftLong(F64x4 a, int count) => D(Vector256.ShiftLeft(L(a), count));
    [MethodImpl(AggressiveInlining)] public static F64x4 ShiftRightArithmeticLong(F64x4 a, int count) => D(Vector256.ShiftRightArithmetic(L(a), count));
    [MethodImpl(AggressiveInlining)] public static F64x4 ShiftRightLogicalLong(F64x4 a, int count) => D(Vector256.ShiftRightLogical(L(a), count));
    [MethodImpl(AggressiveInlining)] public static F64x4 ConvertToLong(F64x4 a) => D(Vector256.ConvertToInt64Native(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x4 ConvertFromLong(F64x4 a) => new(Vector256.ConvertToDouble(L(a)));
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static System.Runtime.CompilerServices.MethodImplOptions;

namespace ArrayLang.Backends.Cpu;

/// <summary>Two double lanes in a <see cref="Vector128{T}"/> (Note [one kernel, every width]).</summary>
internal readonly struct F64x2 : IF64Lanes<F64x2>
{
    /// <summary>The lanes.</summary>
    public readonly Vector128<double> V;

    /// <summary>Wraps <paramref name="v"/>.</summary>
    [MethodImpl(AggressiveInlining)] public F64x2(Vector128<double> v) => V = v;

    private static Vector128<long> L(F64x2 a) => a.V.AsInt64();
    private static F64x2 D(Vector128<long> a) => new(a.AsDouble());

    public static int Count => Vector128<double>.Count;
    [MethodImpl(AggressiveInlining)] public static F64x2 Splat(double value) => new(Vector128.Create(value));
    [MethodImpl(AggressiveInlining)] public static F64x2 SplatBits(long bits) => D(Vector128.Create(bits));
    [MethodImpl(AggressiveInlining)] public static F64x2 Load(ref double source, nuint index) => new(Vector128.LoadUnsafe(ref source, index));
    [MethodImpl(AggressiveInlining)] public static void Store(F64x2 value, ref double destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    [MethodImpl(AggressiveInlining)] public static double GetLane(F64x2 value, int index) => value.V.GetElement(index);
    [MethodImpl(AggressiveInlining)] public static F64x2 WithLane(F64x2 value, int index, double lane) => new(value.V.WithElement(index, lane));

    [MethodImpl(AggressiveInlining)] public static F64x2 operator +(F64x2 a, F64x2 b) => new(a.V + b.V);
    [MethodImpl(AggressiveInlining)] public static F64x2 operator -(F64x2 a, F64x2 b) => new(a.V - b.V);
    [MethodImpl(AggressiveInlining)] public static F64x2 operator *(F64x2 a, F64x2 b) => new(a.V * b.V);
    [MethodImpl(AggressiveInlining)] public static F64x2 operator /(F64x2 a, F64x2 b) => new(a.V / b.V);
    [MethodImpl(AggressiveInlining)] public static F64x2 operator -(F64x2 a) => new(-a.V);
    [MethodImpl(AggressiveInlining)] public static F64x2 Fma(F64x2 a, F64x2 b, F64x2 c) => new(Vector128.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(AggressiveInlining)] public static F64x2 Abs(F64x2 a) => new(Vector128.Abs(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x2 Sqrt(F64x2 a) => new(Vector128.Sqrt(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x2 Round(F64x2 a) => new(Vector128.Round(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x2 Truncate(F64x2 a) => new(Vector128.Truncate(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x2 Clamp(F64x2 a, F64x2 lo, F64x2 hi) => new(Vector128.Min(hi.V, Vector128.Max(lo.V, a.V)));

    [MethodImpl(AggressiveInlining)] public static F64x2 LessThan(F64x2 a, F64x2 b) => new(Vector128.LessThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F64x2 GreaterThan(F64x2 a, F64x2 b) => new(Vector128.GreaterThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F64x2 GreaterThanOrEqual(F64x2 a, F64x2 b) => new(Vector128.GreaterThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F64x2 Equal(F64x2 a, F64x2 b) => new(Vector128.Equals(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F64x2 IsNaN(F64x2 a) => new(~Vector128.Equals(a.V, a.V));
    [MethodImpl(AggressiveInlining)] public static F64x2 Select(F64x2 mask, F64x2 ifTrue, F64x2 ifFalse) => new(Vector128.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    [MethodImpl(AggressiveInlining)] public static bool AnyTrue(F64x2 mask) => mask.V.AsUInt64() != Vector128<ulong>.Zero;

    [MethodImpl(AggressiveInlining)] public static F64x2 operator &(F64x2 a, F64x2 b) => new(a.V & b.V);
    [MethodImpl(AggressiveInlining)] public static F64x2 operator |(F64x2 a, F64x2 b) => new(a.V | b.V);
    [MethodImpl(AggressiveInlining)] public static F64x2 operator ^(F64x2 a, F64x2 b) => new(a.V ^ b.V);
    [MethodImpl(AggressiveInlining)] public static F64x2 AndNot(F64x2 a, F64x2 b) => new(Vector128.AndNot(a.V, b.V));

    [MethodImpl(AggressiveInlining)] public static F64x2 AddLong(F64x2 a, F64x2 b) => D(L(a) + L(b));
    [MethodImpl(AggressiveInlining)] public static F64x2 SubtractLong(F64x2 a, F64x2 b) => D(L(a) - L(b));
    [MethodImpl(AggressiveInlining)] public static F64x2 ShiftLeftLong(F64x2 a, int count) => D(Vector128.ShiftLeft(L(a), count));
    [MethodImpl(AggressiveInlining)] public static F64x2 ShiftRightArithmeticLong(F64x2 a, int count) => D(Vector128.ShiftRightArithmetic(L(a), count));
    [MethodImpl(AggressiveInlining)] public static F64x2 ShiftRightLogicalLong(F64x2 a, int count) => D(Vector128.ShiftRightLogical(L(a), count));
    [MethodImpl(AggressiveInlining)] public static F64x2 ConvertToLong(F64x2 a) => D(Vector128.ConvertToInt64Native(a.V));
    [MethodImpl(AggressiveInlining)] public static F64x2 ConvertFromLong(F64x2 a) => new(Vector128.ConvertToDouble(L(a)));
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static System.Runtime.CompilerServices.MethodImplOptions;

namespace ArrayLang.Backends.Cpu;

/// <summary>Sixteen float lanes in a <see cref="Vector512{T}"/> (Note [one kernel, every width]).</summary>
internal readonly struct F32x16 : IF32Lanes<F32x16>, IWidensToF64<F32x16, F64x8>
{
    /// <summary>The lanes.</summary>
    public readonly Vector512<float> V;

    /// <summary>Wraps <paramref name="v"/>.</summary>
    [MethodImpl(AggressiveInlining)] public F32x16(Vector512<float> v) => V = v;

    private static Vector512<int> I(F32x16 a) => a.V.AsInt32();
    private static F32x16 F(Vector512<int> a) => new(a.AsSingle());

    public static int Count => Vector512<float>.Count;
    [MethodImpl(AggressiveInlining)] public static F32x16 Splat(float value) => new(Vector512.Create(value));
    [MethodImpl(AggressiveInlining)] public static F32x16 SplatBits(int bits) => F(Vector512.Create(bits));
    [MethodImpl(AggressiveInlining)] public static F32x16 Load(ref float source, nuint index) => new(Vector512.LoadUnsafe(ref source, index));
    [MethodImpl(AggressiveInlining)] public static void Store(F32x16 value, ref float destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    [MethodImpl(AggressiveInlining)] public static float GetLane(F32x16 value, int index) => value.V.GetElement(index);
    [MethodImpl(AggressiveInlining)] public static F32x16 WithLane(F32x16 value, int index, float lane) => new(value.V.WithElement(index, lane));

    [MethodImpl(AggressiveInlining)] public static F32x16 operator +(F32x16 a, F32x16 b) => new(a.V + b.V);
    [MethodImpl(AggressiveInlining)] public static F32x16 operator -(F32x16 a, F32x16 b) => new(a.V - b.V);
    [MethodImpl(AggressiveInlining)] public static F32x16 operator *(F32x16 a, F32x16 b) => new(a.V * b.V);
    [MethodImpl(AggressiveInlining)] public static F32x16 operator /(F32x16 a, F32x16 b) => new(a.V / b.V);
    [MethodImpl(AggressiveInlining)] public static F32x16 operator -(F32x16 a) => new(-a.V);
    [MethodImpl(AggressiveInlining)] public static F32x16 Fma(F32x16 a, F32x16 b, F32x16 c) => new(Vector512.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(AggressiveInlining)] public static F32x16 Abs(F32x16 a) => new(Vector512.Abs(a.V));
    [MethodImpl(AggressiveInlining)] public static F32x16 Round(F32x16 a) => new(Vector512.Round(a.V));
    [MethodImpl(AggressiveInlining)] public static F32x16 Truncate(F32x16 a) => new(Vector512.Truncate(a.V));
    [MethodImpl(AggressiveInlining)] public static F32x16 Clamp(F32x16 a, F32x16 lo, F32x16 hi) => new(Vector512.Min(hi.V, Vector512.Max(lo.V, a.V)));

    [MethodImpl(AggressiveInlining)] public static F32x16 LessThan(F32x16 a, F32x16 b) => new(Vector512.LessThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x16 LessThanOrEqual(F32x16 a, F32x16 b) => new(Vector512.LessThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x16 GreaterThan(F32x16 a, F32x16 b) => new(Vector512.GreaterThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x16 GreaterThanOrEqual(F32x16 a, F32x16 b) => new(Vector512.GreaterThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x16 Equal(F32x16 a, F32x16 b) => new(Vector512.Equals(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x16 IsNaN(F32x16 a) => new(~Vector512.Equals(a.V, a.V));
    [MethodImpl(AggressiveInlining)] public static F32x16 Select(F32x16 mask, F32x16 ifTrue, F32x16 ifFalse) => new(Vector512.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    [MethodImpl(AggressiveInlining)] public static bool AnyTrue(F32x16 mask) => mask.V.AsUInt32() != Vector512<uint>.Zero;

    [MethodImpl(AggressiveInlining)] public static F32x16 operator &(F32x16 a, F32x16 b) => new(a.V & b.V);
    [MethodImpl(AggressiveInlining)] public static F32x16 operator |(F32x16 a, F32x16 b) => new(a.V | b.V);
    [MethodImpl(AggressiveInlining)] public static F32x16 operator ^(F32x16 a, F32x16 b) => new(a.V ^ b.V);
    [MethodImpl(AggressiveInlining)] public static F32x16 AndNot(F32x16 a, F32x16 b) => new(Vector512.AndNot(a.V, b.V));

    [MethodImpl(AggressiveInlining)] public static F32x16 AddInt(F32x16 a, F32x16 b) => F(I(a) + I(b));
    [MethodImpl(AggressiveInlining)] public static F32x16 SubtractInt(F32x16 a, F32x16 b) => F(I(a) - I(b));
    [MethodImpl(AggressiveInlining)] public static F32x16 ShiftLeftInt(F32x16 a, int count) => F(Vector512.ShiftLeft(I(a), count));
    [MethodImpl(AggressiveInlining)] public static F32x16 ShiftRightArithmeticInt(F32x16 a, int count) => F(Vector512.ShiftRightArithmetic(I(a), count));
    [MethodImpl(AggressiveInlining)] public static F32x16 ShiftRightLogicalInt(F32x16 a, int count) => F(Vector512.ShiftRightLogical(I(a), count));
    [MethodImpl(AggressiveInlining)] public static F32x16 EqualInt(F32x16 a, F32x16 b) => F(Vector512.Equals(I(a), I(b)));
    [MethodImpl(AggressiveInlining)] public static F32x16 ConvertToInt(F32x16 a) => F(Vector512.ConvertToInt32Native(a.V));
    [MethodImpl(AggressiveInlining)] public static F32x16 ConvertFromInt(F32x16 a) => new(Vector512.ConvertToSingle(I(a)));

    [MethodImpl(AggressiveInlining)]
    public static F32x16 Lookup16(Vector512<float> table, F32x16 index)
    {
        if (Avx512F.IsSupported) return new(Avx512F.PermuteVar16x32(table, I(index)));
        return new(LaneTables.Lookup(table, I(index)));
    }

    [MethodImpl(AggressiveInlining)]
    public static (F64x8 Lower, F64x8 Upper) Widen(F32x16 a)
    {
        var (lower, upper) = Vector512.Widen(a.V);
        return (new F64x8(lower), new F64x8(upper));
    }

    [MethodImpl(AggressiveInlining)] public static F32x16 Narrow(F64x8 lower, F64x8 upper) => new(Vector512.Narrow(lower.V, upper.V));
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static System.Runtime.CompilerServices.MethodImplOptions;

namespace ArrayLang.Backends.Cpu;

/// <summary>Eight float lanes in a <see cref="Vector256{T}"/> (Note [one kernel, every width]).</summary>
internal readonly struct F32x8 : IF32Lanes<F32x8>, IWidensToF64<F32x8, F64x4>
{
    /// <summary>The lanes.</summary>
    public readonly Vector256<float> V;

    /// <summary>Wraps <paramref name="v"/>.</summary>
    [MethodImpl(AggressiveInlining)] public F32x8(Vector256<float> v) => V = v;

    private static Vector256<int> I(F32x8 a) => a.V.AsInt32();
    private static F32x8 F(Vector256<int> a) => new(a.AsSingle());

    public static int Count => Vector256<float>.Count;
    [MethodImpl(AggressiveInlining)] public static F32x8 Splat(float value) => new(Vector256.Create(value));
    [MethodImpl(AggressiveInlining)] public static F32x8 SplatBits(int bits) => F(Vector256.Create(bits));
    [MethodImpl(AggressiveInlining)] public static F32x8 Load(ref float source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));
    [MethodImpl(AggressiveInlining)] public static void Store(F32x8 value, ref float destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    [MethodImpl(AggressiveInlining)] public static float GetLane(F32x8 value, int index) => value.V.GetElement(index);
    [MethodImpl(AggressiveInlining)] public static F32x8 WithLane(F32x8 value, int index, float lane) => new(value.V.WithElement(index, lane));

    [MethodImpl(AggressiveInlining)] public static F32x8 operator +(F32x8 a, F32x8 b) => new(a.V + b.V);
    [MethodImpl(AggressiveInlining)] public static F32x8 operator -(F32x8 a, F32x8 b) => new(a.V - b.V);
    [MethodImpl(AggressiveInlining)] public static F32x8 operator *(F32x8 a, F32x8 b) => new(a.V * b.V);
    [MethodImpl(AggressiveInlining)] public static F32x8 operator /(F32x8 a, F32x8 b) => new(a.V / b.V);
    [MethodImpl(AggressiveInlining)] public static F32x8 operator -(F32x8 a) => new(-a.V);
    [MethodImpl(AggressiveInlining)] public static F32x8 Fma(F32x8 a, F32x8 b, F32x8 c) => new(Vector256.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(AggressiveInlining)] public static F32x8 Abs(F32x8 a) => new(Vector256.Abs(a.V));
    [MethodImpl(AggressiveInlining)] public static F32x8 Round(F32x8 a) => new(Vector256.Round(a.V));
    [MethodImpl(AggressiveInlining)] public static F32x8 Truncate(F32x8 a) => new(Vector256.Truncate(a.V));
    [MethodImpl(AggressiveInlining)] public static F32x8 Clamp(F32x8 a, F32x8 lo, F32x8 hi) => new(Vector256.Min(hi.V, Vector256.Max(lo.V, a.V)));

    [MethodImpl(AggressiveInlining)] public static F32x8 LessThan(F32x8 a, F32x8 b) => new(Vector256.LessThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x8 LessThanOrEqual(F32x8 a, F32x8 b) => new(Vector256.LessThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x8 GreaterThan(F32x8 a, F32x8 b) => new(Vector256.GreaterThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x8 GreaterThanOrEqual(F32x8 a, F32x8 b) => new(Vector256.GreaterThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x8 Equal(F32x8 a, F32x8 b) => new(Vector256.Equals(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x8 IsNaN(F32x8 a) => new(~Vector256.Equals(a.V, a.V));
    [MethodImpl(AggressiveInlining)] public static F32x8 Select(F32x8 mask, F32x8 ifTrue, F32x8 ifFalse) => new(Vector256.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    [MethodImpl(AggressiveInlining)] public static bool AnyTrue(F32x8 mask) => mask.V.AsUInt32() != Vector256<uint>.Zero;

    [MethodImpl(AggressiveInlining)] public static F32x8 operator &(F32x8 a, F32x8 b) => new(a.V & b.V);
    [MethodImpl(AggressiveInlining)] public static F32x8 operator |(F32x8 a, F32x8 b) => new(a.V | b.V);
    [MethodImpl(AggressiveInlining)] public static F32x8 operator ^(F32x8 a, F32x8 b) => new(a.V ^ b.V);
    [MethodImpl(AggressiveInlining)] public static F32x8 AndNot(F32x8 a, F32x8 b) => new(Vector256.AndNot(a.V, b.V));

    [MethodImpl(AggressiveInlining)] public static F32x8 AddInt(F32x8 a, F32x8 b) => F(I(a) + I(b));
    [MethodImpl(AggressiveInlining)] public static F32x8 SubtractInt(F32x8 a, F32x8 b) => F(I(a) - I(b));
    [MethodImpl(AggressiveInlining)] public static F32x8 ShiftLeftInt(F32x8 a, int count) => F(Vector256.ShiftLeft(I(a), count));
    [MethodImpl(AggressiveInlining)] public static F32x8 ShiftRightArithmeticInt(F32x8 a, int count) => F(Vector256.ShiftRightArithmetic(I(a), count));
    [MethodImpl(AggressiveInlining)] public static F32x8 ShiftRightLogicalInt(F32x8 a, int count) => F(Vector256.ShiftRightLogical(I(a), count));
    [MethodImpl(AggressiveInlining)] public static F32x8 EqualInt(F32x8 a, F32x8 b) => F(Vector256.Equals(I(a), I(b)));
    [MethodImpl(AggressiveInlining)] public static F32x8 ConvertToInt(F32x8 a) => F(Vector256.ConvertToInt32Native(a.V));
    [MethodImpl(AggressiveInlining)] public static F32x8 ConvertFromInt(F32x8 a) => new(Vector256.ConvertToSingle(I(a)));

    [MethodImpl(AggressiveInlining)]
    public static F32x8 Lookup16(Vector512<float> table, F32x8 index)
    {
        if (Avx512F.IsSupported) return new(Avx512F.PermuteVar16x32(table, I(index).ToVector512Unsafe()).GetLower());
        if (Avx2.IsSupported) return new(LaneTables.Lookup(table, I(index)));
        return new(LaneTables.LookupByLane(table, I(index)));
    }

    [MethodImpl(AggressiveInlining)]
    public static (F64x4 Lower, F64x4 Upper) Widen(F32x8 a)
    {
        var (lower, upper) = Vector256.Widen(a.V);
        return (new F64x4(lower), new F64x4(upper));
    }

    [MethodImpl(AggressiveInlining)] public static F32x8 Narrow(F64x4 lower, F64x4 upper) => new(Vector256.Narrow(lower.V, upper.V));
}

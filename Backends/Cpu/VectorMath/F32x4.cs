using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static System.Runtime.CompilerServices.MethodImplOptions;

namespace ArrayLang.Backends.Cpu;

/// <summary>Four float lanes in a <see cref="Vector128{T}"/> (Note [one kernel, every width]).</summary>
internal readonly struct F32x4 : IF32Lanes<F32x4>, IWidensToF64<F32x4, F64x2>
{
    /// <summary>The lanes.</summary>
    public readonly Vector128<float> V;

    /// <summary>Wraps <paramref name="v"/>.</summary>
    [MethodImpl(AggressiveInlining)] public F32x4(Vector128<float> v) => V = v;

    private static Vector128<int> I(F32x4 a) => a.V.AsInt32();
    private static F32x4 F(Vector128<int> a) => new(a.AsSingle());

    public static int Count => Vector128<float>.Count;
    [MethodImpl(AggressiveInlining)] public static F32x4 Splat(float value) => new(Vector128.Create(value));
    [MethodImpl(AggressiveInlining)] public static F32x4 SplatBits(int bits) => F(Vector128.Create(bits));
    [MethodImpl(AggressiveInlining)] public static F32x4 Load(ref float source, nuint index) => new(Vector128.LoadUnsafe(ref source, index));
    [MethodImpl(AggressiveInlining)] public static void Store(F32x4 value, ref float destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    [MethodImpl(AggressiveInlining)] public static float GetLane(F32x4 value, int index) => value.V.GetElement(index);
    [MethodImpl(AggressiveInlining)] public static F32x4 WithLane(F32x4 value, int index, float lane) => new(value.V.WithElement(index, lane));

    [MethodImpl(AggressiveInlining)] public static F32x4 operator +(F32x4 a, F32x4 b) => new(a.V + b.V);
    [MethodImpl(AggressiveInlining)] public static F32x4 operator -(F32x4 a, F32x4 b) => new(a.V - b.V);
    [MethodImpl(AggressiveInlining)] public static F32x4 operator *(F32x4 a, F32x4 b) => new(a.V * b.V);
    [MethodImpl(AggressiveInlining)] public static F32x4 operator /(F32x4 a, F32x4 b) => new(a.V / b.V);
    [MethodImpl(AggressiveInlining)] public static F32x4 operator -(F32x4 a) => new(-a.V);
    [MethodImpl(AggressiveInlining)] public static F32x4 Fma(F32x4 a, F32x4 b, F32x4 c) => new(FloatFma.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(AggressiveInlining)] public static F32x4 Abs(F32x4 a) => new(Vector128.Abs(a.V));
    [MethodImpl(AggressiveInlining)] public static F32x4 Round(F32x4 a) => new(Vector128.Round(a.V));
    [MethodImpl(AggressiveInlining)] public static F32x4 Truncate(F32x4 a) => new(Vector128.Truncate(a.V));
    [MethodImpl(AggressiveInlining)] public static F32x4 Clamp(F32x4 a, F32x4 lo, F32x4 hi) => new(Vector128.Min(hi.V, Vector128.Max(lo.V, a.V)));

    [MethodImpl(AggressiveInlining)] public static F32x4 LessThan(F32x4 a, F32x4 b) => new(Vector128.LessThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x4 LessThanOrEqual(F32x4 a, F32x4 b) => new(Vector128.LessThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x4 GreaterThan(F32x4 a, F32x4 b) => new(Vector128.GreaterThan(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x4 GreaterThanOrEqual(F32x4 a, F32x4 b) => new(Vector128.GreaterThanOrEqual(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x4 Equal(F32x4 a, F32x4 b) => new(Vector128.Equals(a.V, b.V));
    [MethodImpl(AggressiveInlining)] public static F32x4 IsNaN(F32x4 a) => new(~Vector128.Equals(a.V, a.V));
    [MethodImpl(AggressiveInlining)] public static F32x4 Select(F32x4 mask, F32x4 ifTrue, F32x4 ifFalse) => new(Vector128.ConditionalSelect(mask.V, ifTrue.V, ifFalse.V));
    [MethodImpl(AggressiveInlining)] public static bool AnyTrue(F32x4 mask) => mask.V.AsUInt32() != Vector128<uint>.Zero;

    [MethodImpl(AggressiveInlining)] public static F32x4 operator &(F32x4 a, F32x4 b) => new(a.V & b.V);
    [MethodImpl(AggressiveInlining)] public static F32x4 operator |(F32x4 a, F32x4 b) => new(a.V | b.V);
    [MethodImpl(AggressiveInlining)] public static F32x4 operator ^(F32x4 a, F32x4 b) => new(a.V ^ b.V);
    [MethodImpl(AggressiveInlining)] public static F32x4 AndNot(F32x4 a, F32x4 b) => new(Vector128.AndNot(a.V, b.V));

    [MethodImpl(AggressiveInlining)] public static F32x4 AddInt(F32x4 a, F32x4 b) => F(I(a) + I(b));
    [MethodImpl(AggressiveInlining)] public static F32x4 SubtractInt(F32x4 a, F32x4 b) => F(I(a) - I(b));
    [MethodImpl(AggressiveInlining)] public static F32x4 ShiftLeftInt(F32x4 a, int count) => F(Vector128.ShiftLeft(I(a), count));
    [MethodImpl(AggressiveInlining)] public static F32x4 ShiftRightArithmeticInt(F32x4 a, int count) => F(Vector128.ShiftRightArithmetic(I(a), count));
    [MethodImpl(AggressiveInlining)] public static F32x4 ShiftRightLogicalInt(F32x4 a, int count) => F(Vector128.ShiftRightLogical(I(a), count));
    [MethodImpl(AggressiveInlining)] public static F32x4 EqualInt(F32x4 a, F32x4 b) => F(Vector128.Equals(I(a), I(b)));
    [MethodImpl(AggressiveInlining)] public static F32x4 ConvertToInt(F32x4 a) => F(Vector128.ConvertToInt32Native(a.V));
    [MethodImpl(AggressiveInlining)] public static F32x4 ConvertFromInt(F32x4 a) => new(Vector128.ConvertToSingle(I(a)));

    [MethodImpl(AggressiveInlining)]
    public static F32x4 Lookup16(Vector512<float> table, F32x4 index)
    {
        if (Avx512F.IsSupported) return new(Avx512F.PermuteVar16x32(table, I(index).ToVector256Unsafe().ToVector512Unsafe()).GetLower().GetLower());
        if (Ssse3.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported) return new(LaneTables.Lookup(table, I(index)));
        return new(LaneTables.LookupByLane(table, I(index)));
    }

    [MethodImpl(AggressiveInlining)]
    public static (F64x2 Lower, F64x2 Upper) Widen(F32x4 a)
    {
        var (lower, upper) = Vector128.Widen(a.V);
        return (new F64x2(lower), new F64x2(upper));
    }

    [MethodImpl(AggressiveInlining)] public static F32x4 Narrow(F64x2 lower, F64x2 upper) => new(Vector128.Narrow(lower.V, upper.V));
}

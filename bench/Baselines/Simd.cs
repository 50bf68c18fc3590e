using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static System.Runtime.CompilerServices.MethodImplOptions;

namespace ArrayLang.Bench.Baselines;

/// <summary>
/// The vector operations the hand-fused baselines use, over one vector of <typeparamref name="T"/>
/// (float or double) at one width: <see cref="V512{T}"/>, <see cref="V256{T}"/> and <see cref="V128{T}"/>.
/// Note [baseline widths]: each hand-fused baseline is written once, generic over this interface, and
/// runs at the width the machine accelerates (<see cref="SimdWidth"/>), so that the bench compares
/// <c>jit(vmap)</c> with hand code of the same width on AVX-512, on AVX2
/// (<c>DOTNET_EnableAVX512=0</c>) and with 128-bit vectors (<c>DOTNET_EnableAVX2=0</c>, the width of
/// Arm's NEON). .NET's own <c>ISimdVector</c> is not public, hence this small one; the JIT
/// specializes the generic code per struct, so it compiles to the same instructions as code written
/// against <c>Vector512</c> directly.
/// </summary>
public interface ISimd<TV, T> where TV : struct, ISimd<TV, T> where T : unmanaged
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }
    /// <summary>Every lane zero.</summary>
    static abstract TV Zero { get; }
    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TV Splat(T value);
    /// <summary>The vector at <c>source[index..]</c>.</summary>
    static abstract TV Load(ref T source, nuint index);
    /// <summary>Stores <paramref name="value"/> at <c>destination[index..]</c>.</summary>
    static abstract void Store(TV value, ref T destination, nuint index);
    /// <summary>Lane-wise sum.</summary>
    static abstract TV operator +(TV a, TV b);
    /// <summary>Lane-wise difference.</summary>
    static abstract TV operator -(TV a, TV b);
    /// <summary>Lane-wise product.</summary>
    static abstract TV operator *(TV a, TV b);
    /// <summary>Lane-wise quotient.</summary>
    static abstract TV operator /(TV a, TV b);
    /// <summary>Lane-wise negation.</summary>
    static abstract TV operator -(TV a);
    /// <summary>Bitwise and (masks).</summary>
    static abstract TV operator &(TV a, TV b);
    /// <summary>Bitwise or (masks).</summary>
    static abstract TV operator |(TV a, TV b);
    /// <summary><c>a * b + c</c>: fused (one rounding) where the hardware has FMA, else a multiply and an add,
    /// as hand code for such a machine is written (.NET emulates a fused one lane by lane, a hundred times slower).</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    /// <summary>Lane-wise absolute value.</summary>
    static abstract TV Abs(TV a);
    /// <summary>Lane-wise square root.</summary>
    static abstract TV Sqrt(TV a);
    /// <summary>Lane-wise minimum.</summary>
    static abstract TV Min(TV a, TV b);
    /// <summary>Lane-wise maximum.</summary>
    static abstract TV Max(TV a, TV b);
    /// <summary>The magnitude of <paramref name="value"/> with the sign of <paramref name="sign"/>.</summary>
    static abstract TV CopySign(TV value, TV sign);
    /// <summary>Rounds to the nearest integer, ties to even.</summary>
    static abstract TV Round(TV a);
    /// <summary>Per lane, <paramref name="a"/> where <paramref name="mask"/> is all ones, else <paramref name="b"/>.</summary>
    static abstract TV Select(TV mask, TV a, TV b);
    /// <summary>All ones where <c>a &lt; b</c>.</summary>
    static abstract TV LessThan(TV a, TV b);
    /// <summary>All ones where <c>a &gt; b</c>.</summary>
    static abstract TV GreaterThan(TV a, TV b);
    /// <summary>The sum of the lanes.</summary>
    static abstract T Sum(TV a);
    /// <summary>One bit per lane: whether its mask lane is set.</summary>
    static abstract ulong MaskBits(TV mask);
    /// <summary>Bitwise exclusive or.</summary>
    static abstract TV operator ^(TV a, TV b);
    /// <summary>f32 only: <c>p * 2^n</c> for integral <paramref name="n"/> in [-126, 128], as two factors built in the exponent bits (so 2^128 does not overflow).</summary>
    static abstract TV ScaleByPow2(TV p, TV n);
    /// <summary>f32 only: -0 where the integral <paramref name="k"/> is odd, +0 where even (xor flips the sign).</summary>
    static abstract TV OddSign(TV k);
}

/// <summary>The width the machine accelerates, for the baselines (Note [baseline widths]).</summary>
public static class SimdWidth
{
    /// <summary>512, 256 or 128 bits (128 also where nothing is accelerated, which .NET then emulates).</summary>
    public static int Bits => Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;

    /// <summary>Whether the hardware fuses multiply-add (x86 FMA3, which .NET 10 turns off with AVX2, or any Arm64 core).</summary>
    public static bool HasFma => System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;

    /// <summary>The vector type name at <see cref="Bits"/>, e.g. <c>Vector256</c>, for reports.</summary>
    public static string Name => $"Vector{Bits}";
}

/// <summary>One <c>Vector512</c> (Note [baseline widths]).</summary>
public readonly struct V512<T>(Vector512<T> v) : ISimd<V512<T>, T> where T : unmanaged
{
    /// <summary>The lanes.</summary>
    public readonly Vector512<T> V = v;
    /// <inheritdoc />
    public static int Count => Vector512<T>.Count;
    /// <inheritdoc />
    public static V512<T> Zero => new(Vector512<T>.Zero);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> Splat(T value) => new(Vector512.Create(value));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> Load(ref T source, nuint index) => new(Vector512.LoadUnsafe(ref source, index));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static void Store(V512<T> value, ref T destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> operator +(V512<T> a, V512<T> b) => new(a.V + b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> operator -(V512<T> a, V512<T> b) => new(a.V - b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> operator *(V512<T> a, V512<T> b) => new(a.V * b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> operator /(V512<T> a, V512<T> b) => new(a.V / b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> operator -(V512<T> a) => new(-a.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> operator &(V512<T> a, V512<T> b) => new(a.V & b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> operator |(V512<T> a, V512<T> b) => new(a.V | b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)]
    public static V512<T> Fma(V512<T> a, V512<T> b, V512<T> c) => !SimdWidth.HasFma ? new(a.V * b.V + c.V) : typeof(T) == typeof(float)
        ? new(Vector512.FusedMultiplyAdd(a.V.AsSingle(), b.V.AsSingle(), c.V.AsSingle()).As<float, T>())
        : new(Vector512.FusedMultiplyAdd(a.V.AsDouble(), b.V.AsDouble(), c.V.AsDouble()).As<double, T>());
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> Abs(V512<T> a) => new(Vector512.Abs(a.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> Sqrt(V512<T> a) => new(Vector512.Sqrt(a.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> Min(V512<T> a, V512<T> b) => new(Vector512.Min(a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> Max(V512<T> a, V512<T> b) => new(Vector512.Max(a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> CopySign(V512<T> value, V512<T> sign) => new(Vector512.CopySign(value.V, sign.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)]
    public static V512<T> Round(V512<T> a) => typeof(T) == typeof(float)
        ? new(Vector512.Round(a.V.AsSingle()).As<float, T>())
        : new(Vector512.Round(a.V.AsDouble()).As<double, T>());
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> Select(V512<T> mask, V512<T> a, V512<T> b) => new(Vector512.ConditionalSelect(mask.V, a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> LessThan(V512<T> a, V512<T> b) => new(Vector512.LessThan(a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> GreaterThan(V512<T> a, V512<T> b) => new(Vector512.GreaterThan(a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static T Sum(V512<T> a) => Vector512.Sum(a.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static ulong MaskBits(V512<T> mask) => mask.V.ExtractMostSignificantBits();
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)]
    public static V512<T> ScaleByPow2(V512<T> p, V512<T> n)
    {
        var ni = Vector512.ConvertToInt32(n.V.AsSingle());
        var half = Vector512.ShiftRightArithmetic(ni, 1);
        var s1 = Vector512.ShiftLeft(half + Vector512.Create(127), 23).AsSingle();
        var s2 = Vector512.ShiftLeft(ni - half + Vector512.Create(127), 23).AsSingle();
        return new((p.V.AsSingle() * s1 * s2).As<float, T>());
    }
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V512<T> operator ^(V512<T> a, V512<T> b) => new(a.V ^ b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)]
    public static V512<T> OddSign(V512<T> k) => new(Vector512.ShiftLeft(Vector512.ConvertToInt32(k.V.AsSingle()), 31).As<int, T>());
}

/// <summary>One <c>Vector256</c> (Note [baseline widths]).</summary>
public readonly struct V256<T>(Vector256<T> v) : ISimd<V256<T>, T> where T : unmanaged
{
    /// <summary>The lanes.</summary>
    public readonly Vector256<T> V = v;
    /// <inheritdoc />
    public static int Count => Vector256<T>.Count;
    /// <inheritdoc />
    public static V256<T> Zero => new(Vector256<T>.Zero);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> Splat(T value) => new(Vector256.Create(value));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> Load(ref T source, nuint index) => new(Vector256.LoadUnsafe(ref source, index));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static void Store(V256<T> value, ref T destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> operator +(V256<T> a, V256<T> b) => new(a.V + b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> operator -(V256<T> a, V256<T> b) => new(a.V - b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> operator *(V256<T> a, V256<T> b) => new(a.V * b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> operator /(V256<T> a, V256<T> b) => new(a.V / b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> operator -(V256<T> a) => new(-a.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> operator &(V256<T> a, V256<T> b) => new(a.V & b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> operator |(V256<T> a, V256<T> b) => new(a.V | b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)]
    public static V256<T> Fma(V256<T> a, V256<T> b, V256<T> c) => !SimdWidth.HasFma ? new(a.V * b.V + c.V) : typeof(T) == typeof(float)
        ? new(Vector256.FusedMultiplyAdd(a.V.AsSingle(), b.V.AsSingle(), c.V.AsSingle()).As<float, T>())
        : new(Vector256.FusedMultiplyAdd(a.V.AsDouble(), b.V.AsDouble(), c.V.AsDouble()).As<double, T>());
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> Abs(V256<T> a) => new(Vector256.Abs(a.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> Sqrt(V256<T> a) => new(Vector256.Sqrt(a.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> Min(V256<T> a, V256<T> b) => new(Vector256.Min(a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> Max(V256<T> a, V256<T> b) => new(Vector256.Max(a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> CopySign(V256<T> value, V256<T> sign) => new(Vector256.CopySign(value.V, sign.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)]
    public static V256<T> Round(V256<T> a) => typeof(T) == typeof(float)
        ? new(Vector256.Round(a.V.AsSingle()).As<float, T>())
        : new(Vector256.Round(a.V.AsDouble()).As<double, T>());
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> Select(V256<T> mask, V256<T> a, V256<T> b) => new(Vector256.ConditionalSelect(mask.V, a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> LessThan(V256<T> a, V256<T> b) => new(Vector256.LessThan(a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> GreaterThan(V256<T> a, V256<T> b) => new(Vector256.GreaterThan(a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static T Sum(V256<T> a) => Vector256.Sum(a.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static ulong MaskBits(V256<T> mask) => mask.V.ExtractMostSignificantBits();
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)]
    public static V256<T> ScaleByPow2(V256<T> p, V256<T> n)
    {
        var ni = Vector256.ConvertToInt32(n.V.AsSingle());
        var half = Vector256.ShiftRightArithmetic(ni, 1);
        var s1 = Vector256.ShiftLeft(half + Vector256.Create(127), 23).AsSingle();
        var s2 = Vector256.ShiftLeft(ni - half + Vector256.Create(127), 23).AsSingle();
        return new((p.V.AsSingle() * s1 * s2).As<float, T>());
    }
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V256<T> operator ^(V256<T> a, V256<T> b) => new(a.V ^ b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)]
    public static V256<T> OddSign(V256<T> k) => new(Vector256.ShiftLeft(Vector256.ConvertToInt32(k.V.AsSingle()), 31).As<int, T>());
}

/// <summary>One <c>Vector128</c> (Note [baseline widths]).</summary>
public readonly struct V128<T>(Vector128<T> v) : ISimd<V128<T>, T> where T : unmanaged
{
    /// <summary>The lanes.</summary>
    public readonly Vector128<T> V = v;
    /// <inheritdoc />
    public static int Count => Vector128<T>.Count;
    /// <inheritdoc />
    public static V128<T> Zero => new(Vector128<T>.Zero);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> Splat(T value) => new(Vector128.Create(value));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> Load(ref T source, nuint index) => new(Vector128.LoadUnsafe(ref source, index));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static void Store(V128<T> value, ref T destination, nuint index) => value.V.StoreUnsafe(ref destination, index);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> operator +(V128<T> a, V128<T> b) => new(a.V + b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> operator -(V128<T> a, V128<T> b) => new(a.V - b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> operator *(V128<T> a, V128<T> b) => new(a.V * b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> operator /(V128<T> a, V128<T> b) => new(a.V / b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> operator -(V128<T> a) => new(-a.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> operator &(V128<T> a, V128<T> b) => new(a.V & b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> operator |(V128<T> a, V128<T> b) => new(a.V | b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)]
    public static V128<T> Fma(V128<T> a, V128<T> b, V128<T> c) => !SimdWidth.HasFma ? new(a.V * b.V + c.V) : typeof(T) == typeof(float)
        ? new(Vector128.FusedMultiplyAdd(a.V.AsSingle(), b.V.AsSingle(), c.V.AsSingle()).As<float, T>())
        : new(Vector128.FusedMultiplyAdd(a.V.AsDouble(), b.V.AsDouble(), c.V.AsDouble()).As<double, T>());
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> Abs(V128<T> a) => new(Vector128.Abs(a.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> Sqrt(V128<T> a) => new(Vector128.Sqrt(a.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> Min(V128<T> a, V128<T> b) => new(Vector128.Min(a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> Max(V128<T> a, V128<T> b) => new(Vector128.Max(a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> CopySign(V128<T> value, V128<T> sign) => new(Vector128.CopySign(value.V, sign.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)]
    public static V128<T> Round(V128<T> a) => typeof(T) == typeof(float)
        ? new(Vector128.Round(a.V.AsSingle()).As<float, T>())
        : new(Vector128.Round(a.V.AsDouble()).As<double, T>());
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> Select(V128<T> mask, V128<T> a, V128<T> b) => new(Vector128.ConditionalSelect(mask.V, a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> LessThan(V128<T> a, V128<T> b) => new(Vector128.LessThan(a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> GreaterThan(V128<T> a, V128<T> b) => new(Vector128.GreaterThan(a.V, b.V));
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static T Sum(V128<T> a) => Vector128.Sum(a.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static ulong MaskBits(V128<T> mask) => mask.V.ExtractMostSignificantBits();
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)]
    public static V128<T> ScaleByPow2(V128<T> p, V128<T> n)
    {
        var ni = Vector128.ConvertToInt32(n.V.AsSingle());
        var half = Vector128.ShiftRightArithmetic(ni, 1);
        var s1 = Vector128.ShiftLeft(half + Vector128.Create(127), 23).AsSingle();
        var s2 = Vector128.ShiftLeft(ni - half + Vector128.Create(127), 23).AsSingle();
        return new((p.V.AsSingle() * s1 * s2).As<float, T>());
    }
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)] public static V128<T> operator ^(V128<T> a, V128<T> b) => new(a.V ^ b.V);
    /// <inheritdoc />
    [MethodImpl(AggressiveInlining)]
    public static V128<T> OddSign(V128<T> k) => new(Vector128.ShiftLeft(Vector128.ConvertToInt32(k.V.AsSingle()), 31).As<int, T>());
}

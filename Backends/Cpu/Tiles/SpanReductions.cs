using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ArrayLang.Backends.Cpu.Ops;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.Cpu.Tiles;

/// <summary>
/// Reductions of one run of elements, vectorized with a fixed association (partial results per
/// position of a 64-byte block combined lane by lane, then the tail; the same for every vector
/// width, Note [vector widths]), so the result depends only on the run: sums and products are
/// reassociated as IR.md allows; max and min are exact.
/// </summary>
internal static class SpanReductions
{
    /// <summary>Reduces <paramref name="n"/> elements of <paramref name="src"/> (dtype <paramref name="dtype"/>) and stores the result at <paramref name="dst"/>.</summary>
    public static void Reduce(ReduceKind kind, DType dtype, ReadOnlySpan<byte> src, int n, Span<byte> dst)
    {
        switch (dtype)
        {
            case DType.F32: Store(dst, ReduceFloat(kind, MemoryMarshal.Cast<byte, float>(src)[..n])); break;
            case DType.F64: Store(dst, ReduceFloat(kind, MemoryMarshal.Cast<byte, double>(src)[..n])); break;
            default: Store(dst, ReduceInt(kind, MemoryMarshal.Cast<byte, int>(src)[..n])); break;
        }
    }

    /// <summary>Combines two partial results of a split reduction (<paramref name="acc"/> first).</summary>
    public static void Combine(ReduceKind kind, DType dtype, Span<byte> acc, ReadOnlySpan<byte> part)
    {
        switch (dtype)
        {
            case DType.F32: Store(acc, CombineFloat(kind, Load<float>(acc), Load<float>(part))); break;
            case DType.F64: Store(acc, CombineFloat(kind, Load<double>(acc), Load<double>(part))); break;
            default: Store(acc, CombineInt(kind, Load<int>(acc), Load<int>(part))); break;
        }
    }

    /// <summary>Writes the identity of <paramref name="kind"/> (IR.md: 0, 1, -inf/INT_MIN, inf/INT_MAX).</summary>
    public static void StoreIdentity(ReduceKind kind, DType dtype, Span<byte> dst)
    {
        switch (dtype)
        {
            case DType.F32: Store(dst, IdentityFloat<float>(kind)); break;
            case DType.F64: Store(dst, IdentityFloat<double>(kind)); break;
            default: Store(dst, IdentityInt(kind)); break;
        }
    }

    private static T Load<T>(ReadOnlySpan<byte> s) where T : unmanaged => Unsafe.ReadUnaligned<T>(ref MemoryMarshal.GetReference(s));
    private static void Store<T>(Span<byte> s, T v) where T : unmanaged => Unsafe.WriteUnaligned(ref MemoryMarshal.GetReference(s), v);

    private static T IdentityFloat<T>(ReduceKind kind) where T : IFloatingPointIeee754<T> => kind switch
    {
        ReduceKind.Sum => T.Zero,
        ReduceKind.Prod => T.One,
        ReduceKind.Max => T.NegativeInfinity,
        _ => T.PositiveInfinity,
    };

    private static int IdentityInt(ReduceKind kind) => kind switch
    {
        ReduceKind.Sum => 0,
        ReduceKind.Prod => 1,
        ReduceKind.Max => int.MinValue,
        _ => int.MaxValue,
    };

    private static T CombineFloat<T>(ReduceKind kind, T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => kind switch
    {
        ReduceKind.Sum => a + b,
        ReduceKind.Prod => a * b,
        ReduceKind.Max => MaxFloatOp<T>.Scalar(a, b),
        _ => MinFloatOp<T>.Scalar(a, b),
    };

    private static int CombineInt(ReduceKind kind, int a, int b) => kind switch
    {
        ReduceKind.Sum => unchecked(a + b),
        ReduceKind.Prod => unchecked(a * b),
        ReduceKind.Max => Math.Max(a, b),
        _ => Math.Min(a, b),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T ReduceFloat<T>(ReduceKind kind, ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // A non-empty sum starts from -0, the identity of IEEE addition, so that a sum of -0s is -0
        // as in the reference; the empty sum is +0 (StoreIdentity).
        T acc = kind == ReduceKind.Sum && x.Length > 0 ? T.NegativeZero : IdentityFloat<T>(kind);
        return kind switch
        {
            ReduceKind.Sum => Reduce<T, AddOp<T>>(x, acc),
            ReduceKind.Prod => Reduce<T, MulOp<T>>(x, acc),
            ReduceKind.Max => Reduce<T, MaxFloatOp<T>>(x, acc),
            _ => Reduce<T, MinFloatOp<T>>(x, acc),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ReduceInt(ReduceKind kind, ReadOnlySpan<int> x)
    {
        int acc = IdentityInt(kind);
        return kind switch
        {
            ReduceKind.Sum => Reduce<int, AddOp<int>>(x, acc),
            ReduceKind.Prod => Reduce<int, MulOp<int>>(x, acc),
            ReduceKind.Max => Reduce<int, MaxI32Op>(x, acc),
            _ => Reduce<int, MinI32Op>(x, acc),
        };
    }

    /// <summary>
    /// <paramref name="acc"/> combined with every element of <paramref name="x"/> by
    /// <typeparamref name="TOp"/> in the canonical association (Note [vector widths]): with at
    /// least two 64-byte blocks, one partial result per position in a block (the first block, then
    /// each further block combined in), the positions combined into <paramref name="acc"/> in
    /// order, then the tail one element at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Note [optimized from the first call] (VectorMath.cs)
    private static T Reduce<T, TOp>(ReadOnlySpan<T> x, T acc) where T : unmanaged where TOp : IBinaryOp<T>
    {
        int i = 0;
        ref T r = ref MemoryMarshal.GetReference(x);
        if (x.Length >= 2 * BlockElements<T>())
        {
            // 128-bit vectors even where .NET emulates them: the association is the same on every machine.
            if (Vector512.IsHardwareAccelerated) acc = Blocks<T, TOp, Lanes512<T>>(ref r, x.Length, acc, out i);
            else if (Vector256.IsHardwareAccelerated) acc = Blocks<T, TOp, Lanes256<T>>(ref r, x.Length, acc, out i);
            else acc = Blocks<T, TOp, Lanes128<T>>(ref r, x.Length, acc, out i);
        }
        for (; i < x.Length; i++) acc = TOp.Scalar(acc, Unsafe.Add(ref r, i));
        return acc;
    }

    private static int BlockElements<T>() where T : unmanaged => 64 / Unsafe.SizeOf<T>();

    /// <summary>
    /// The whole 64-byte blocks of <paramref name="r"/> (at least two), each block held in one,
    /// two or four vectors of <typeparamref name="TV"/>; <paramref name="end"/> is the first
    /// element after the last whole block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Blocks<T, TOp, TV>(ref T r, int length, T acc, out int end)
        where T : unmanaged where TOp : IBinaryOp<T> where TV : struct, IVectorLanes<TV, T>
    {
        int block = BlockElements<T>(), w = TV.Count, parts = block / w;
        TV v0 = TV.Load(ref r, 0), v1 = default, v2 = default, v3 = default;
        if (parts > 1) v1 = TV.Load(ref r, (nuint)w);
        if (parts > 2) { v2 = TV.Load(ref r, (nuint)(2 * w)); v3 = TV.Load(ref r, (nuint)(3 * w)); }
        int i = block;
        for (; i <= length - block; i += block)
        {
            v0 = TOp.Vector(v0, TV.Load(ref r, (nuint)i));
            if (parts > 1) v1 = TOp.Vector(v1, TV.Load(ref r, (nuint)(i + w)));
            if (parts > 2)
            {
                v2 = TOp.Vector(v2, TV.Load(ref r, (nuint)(i + 2 * w)));
                v3 = TOp.Vector(v3, TV.Load(ref r, (nuint)(i + 3 * w)));
            }
        }
        for (int l = 0; l < w; l++) acc = TOp.Scalar(acc, TV.GetElement(v0, l));
        if (parts > 1) for (int l = 0; l < w; l++) acc = TOp.Scalar(acc, TV.GetElement(v1, l));
        if (parts > 2)
        {
            for (int l = 0; l < w; l++) acc = TOp.Scalar(acc, TV.GetElement(v2, l));
            for (int l = 0; l < w; l++) acc = TOp.Scalar(acc, TV.GetElement(v3, l));
        }
        end = i;
        return acc;
    }
}

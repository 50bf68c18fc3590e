using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ArrayLang.Backends.Cpu.Ops;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.Cpu.Tiles;

/// <summary>
/// Reductions of one run of elements, vectorized with a fixed association (Vector512 partial
/// results combined lane by lane, then the tail), so the result depends only on the run: sums and
/// products are reassociated as IR.md allows; max and min are exact.
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
        int i = 0;
        if (Vector512.IsHardwareAccelerated && x.Length >= 2 * Vector512<T>.Count)
        {
            ref T r = ref MemoryMarshal.GetReference(x);
            var v = Vector512.LoadUnsafe(ref r);
            for (i = Vector512<T>.Count; i <= x.Length - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                var w = Vector512.LoadUnsafe(ref r, (nuint)i);
                v = kind switch
                {
                    ReduceKind.Sum => v + w,
                    ReduceKind.Prod => v * w,
                    ReduceKind.Max => Vector512.Max(v, w),
                    _ => Vector512.Min(v, w),
                };
            }
            for (int l = 0; l < Vector512<T>.Count; l++) acc = CombineFloat(kind, acc, v[l]);
        }
        for (; i < x.Length; i++) acc = CombineFloat(kind, acc, x[i]);
        return acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ReduceInt(ReduceKind kind, ReadOnlySpan<int> x)
    {
        int acc = IdentityInt(kind);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && x.Length >= 32)
        {
            ref int r = ref MemoryMarshal.GetReference(x);
            var v = Vector512.LoadUnsafe(ref r);
            for (i = 16; i <= x.Length - 16; i += 16)
            {
                var w = Vector512.LoadUnsafe(ref r, (nuint)i);
                v = kind switch
                {
                    ReduceKind.Sum => v + w,
                    ReduceKind.Prod => v * w,
                    ReduceKind.Max => Vector512.Max(v, w),
                    _ => Vector512.Min(v, w),
                };
            }
            for (int l = 0; l < 16; l++) acc = CombineInt(kind, acc, v[l]);
        }
        for (; i < x.Length; i++) acc = CombineInt(kind, acc, x[i]);
        return acc;
    }
}

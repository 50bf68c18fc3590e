using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ArrayLang.Backends.Cpu.Contraction;

/// <summary>
/// The f32 matrix product (Note [f32 gemm]): <c>C[rows, n] = A[rows, k] B[k, n]</c> with B packed
/// once per call into column panels and an 8 x 32 register-blocked micro-kernel.
/// </summary>
/// <remarks>
/// Note [f32 gemm]: B is packed into panels of <see cref="Nr"/> = 32 columns (two Vector512), each
/// panel <c>k x 32</c> contiguous and zero-padded past <c>n</c>, so the micro-kernel streams it
/// sequentially. The micro-kernel keeps an 8 x 32 block of C in 16 Vector512 accumulators and, for
/// each <c>p</c> of the contraction, loads two vectors of the panel, broadcasts eight elements of
/// A's rows and issues 16 fused multiply-adds: 16 FMAs per 10 loads, within the two FMA ports'
/// reach. Each element of C accumulates its terms in order of <c>p</c> from -0 (the identity of
/// IEEE addition, so a product of one term -0 keeps its sign), one rounding per term (a fused
/// multiply-add), whatever the blocking. Rows past a multiple of 8 and columns past a
/// multiple of 32 use the same order with fewer accumulators.
/// </remarks>
internal static class GemmF32
{
    /// <summary>Rows of C per micro-kernel call.</summary>
    public const int Mr = 8;

    /// <summary>Columns of a packed panel (two Vector512 of f32).</summary>
    public const int Nr = 32;

    /// <summary>The number of panels for <paramref name="n"/> columns.</summary>
    public static int Panels(int n) => (n + Nr - 1) / Nr;

    /// <summary>Floats of a packed <c>k x n</c> matrix.</summary>
    public static int PackedLength(int k, int n) => Panels(n) * k * Nr;

    /// <summary>Packs row-major <c>b[k, n]</c> into panels: panel <c>q</c> holds columns <c>32q .. 32q+31</c> as <c>k</c> rows of 32, zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(ReadOnlySpan<float> b, int k, int n, Span<float> packed)
    {
        int panels = Panels(n);
        for (int q = 0; q < panels; q++)
        {
            int j0 = q * Nr, width = Math.Min(Nr, n - j0);
            var panel = packed.Slice(q * k * Nr, k * Nr);
            for (int p = 0; p < k; p++)
            {
                var dst = panel.Slice(p * Nr, Nr);
                b.Slice(p * n + j0, width).CopyTo(dst);
                if (width < Nr) dst[width..].Clear();
            }
        }
    }

    /// <summary><c>c[rows, n] = a[rows, k] B</c> with B packed by <see cref="Pack"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows(ReadOnlySpan<float> a, ReadOnlySpan<float> packedB, Span<float> c, int rows, int k, int n)
    {
        if (k == 0)
        {
            c[..(rows * n)].Clear(); // an empty sum is +0
            return;
        }
        int panels = Panels(n);
        Span<float> edge = stackalloc float[Mr * Nr];
        ref float a0 = ref MemoryMarshal.GetReference(a);
        ref float b0 = ref MemoryMarshal.GetReference(packedB);
        ref float c0 = ref MemoryMarshal.GetReference(c);
        ref float e0 = ref MemoryMarshal.GetReference(edge);
        for (int i0 = 0; i0 < rows; i0 += Mr)
        {
            int mr = Math.Min(Mr, rows - i0);
            ref float ai = ref Unsafe.Add(ref a0, i0 * k);
            for (int q = 0; q < panels; q++)
            {
                ref float bq = ref Unsafe.Add(ref b0, q * k * Nr);
                int j0 = q * Nr, width = Math.Min(Nr, n - j0);
                bool full = width == Nr;
                ref float target = ref full ? ref Unsafe.Add(ref c0, i0 * n + j0) : ref e0;
                int ldc = full ? n : Nr;
                if (mr == Mr && Vector512.IsHardwareAccelerated) Kernel8x32(ref ai, k, ref bq, ref target, ldc);
                else KernelSmall(mr, ref ai, k, ref bq, ref target, ldc);
                if (!full)
                    for (int r = 0; r < mr; r++)
                        edge.Slice(r * Nr, width).CopyTo(c.Slice((i0 + r) * n + j0, width));
            }
        }
    }

    /// <summary>An 8 x 32 block of C from 8 rows of A (stride <paramref name="k"/>) and one packed panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel8x32(ref float a, int k, ref float b, ref float c, int ldc)
    {
        // Accumulators start at -0, the identity of IEEE addition: a single term -0 stays -0, as in the reference.
        var z = Vector512.Create(-0f);
        Vector512<float> c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z,
            c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        ref float a1 = ref Unsafe.Add(ref a, k);
        ref float a2 = ref Unsafe.Add(ref a, 2 * k);
        ref float a3 = ref Unsafe.Add(ref a, 3 * k);
        ref float a4 = ref Unsafe.Add(ref a, 4 * k);
        ref float a5 = ref Unsafe.Add(ref a, 5 * k);
        ref float a6 = ref Unsafe.Add(ref a, 6 * k);
        ref float a7 = ref Unsafe.Add(ref a, 7 * k);
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref b, (nuint)(p * Nr));
            var b1 = Vector512.LoadUnsafe(ref b, (nuint)(p * Nr + 16));
            var x = Vector512.Create(Unsafe.Add(ref a, p));
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(Unsafe.Add(ref a1, p));
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(Unsafe.Add(ref a2, p));
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(Unsafe.Add(ref a3, p));
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(Unsafe.Add(ref a4, p));
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(Unsafe.Add(ref a5, p));
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(Unsafe.Add(ref a6, p));
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(Unsafe.Add(ref a7, p));
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
        }
        Store(ref c, 0, ldc, c00, c01); Store(ref c, 1, ldc, c10, c11);
        Store(ref c, 2, ldc, c20, c21); Store(ref c, 3, ldc, c30, c31);
        Store(ref c, 4, ldc, c40, c41); Store(ref c, 5, ldc, c50, c51);
        Store(ref c, 6, ldc, c60, c61); Store(ref c, 7, ldc, c70, c71);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float c, int row, int ldc, Vector512<float> lo, Vector512<float> hi)
    {
        lo.StoreUnsafe(ref c, (nuint)(row * ldc));
        hi.StoreUnsafe(ref c, (nuint)(row * ldc + 16));
    }

    /// <summary>Fewer than 8 rows (or no AVX-512): the same terms in the same order, one row at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelSmall(int mr, ref float a, int k, ref float b, ref float c, int ldc)
    {
        for (int r = 0; r < mr; r++)
        {
            ref float ar = ref Unsafe.Add(ref a, r * k);
            ref float cr = ref Unsafe.Add(ref c, r * ldc);
            if (Vector512.IsHardwareAccelerated)
            {
                Vector512<float> lo = Vector512.Create(-0f), hi = lo;
                for (int p = 0; p < k; p++)
                {
                    var x = Vector512.Create(Unsafe.Add(ref ar, p));
                    lo = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b, (nuint)(p * Nr)), lo);
                    hi = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref b, (nuint)(p * Nr + 16)), hi);
                }
                lo.StoreUnsafe(ref cr);
                hi.StoreUnsafe(ref cr, 16);
                continue;
            }
            for (int j = 0; j < Nr; j++)
            {
                float acc = -0f;
                for (int p = 0; p < k; p++) acc = MathF.FusedMultiplyAdd(Unsafe.Add(ref ar, p), Unsafe.Add(ref b, p * Nr + j), acc);
                Unsafe.Add(ref cr, j) = acc;
            }
        }
    }
}

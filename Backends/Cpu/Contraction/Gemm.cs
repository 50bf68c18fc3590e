using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ArrayLang.Backends.Cpu.Ops;

namespace ArrayLang.Backends.Cpu.Contraction;

/// <summary>
/// The f32 and f64 matrix product (Note [gemm]): <c>C[rows, n] = A[rows, k] B[k, n]</c> with B
/// packed once per call into column panels and a register-blocked micro-kernel, written once over
/// the vector width (Note [vector widths]).
/// </summary>
/// <remarks>
/// Note [gemm]: B is packed into panels of <see cref="Nr"/> columns (two vectors of the width the
/// machine runs), each panel <c>k x Nr</c> contiguous and zero-padded past <c>n</c>, so the
/// micro-kernel streams it sequentially. The micro-kernel keeps an <c>Mr x Nr</c> block of C in
/// <c>2 Mr</c> vector accumulators and, for each <c>p</c> of the contraction, loads two vectors of
/// the panel, broadcasts <c>Mr</c> elements of A's rows and issues <c>2 Mr</c> fused multiply-adds.
/// <c>Mr</c> is 8 with 512-bit vectors (16 accumulators of AVX-512's 32 registers) and 6 with 256
/// or 128 bits (12 accumulators, the two panel vectors and the broadcast fill AVX2's and SSE's 16
/// registers; NEON has 32). Each element of C accumulates its terms in order of <c>p</c> from -0
/// (the identity of IEEE addition, so a product of one term -0 keeps its sign), one rounding per
/// term (a fused multiply-add), whatever the width or blocking: the result is the same on every
/// machine. Rows past a multiple of <c>Mr</c> and columns past a multiple of <c>Nr</c> use the same
/// order with fewer accumulators.
/// </remarks>
internal static class Gemm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Columns of a packed panel: two vectors of the width the machine runs.</summary>
    public static int Nr => 2 * (VectorWidth.Bits / 8) / Unsafe.SizeOf<T>();

    /// <summary>The number of panels for <paramref name="n"/> columns.</summary>
    public static int Panels(int n) => (n + Nr - 1) / Nr;

    /// <summary>Elements of a packed <c>k x n</c> matrix.</summary>
    public static int PackedLength(int k, int n) => Panels(n) * k * Nr;

    /// <summary>Packs row-major <c>b[k, n]</c> into panels: panel <c>q</c> holds columns <c>Nr q .. Nr q + Nr - 1</c> as <c>k</c> rows of <c>Nr</c>, zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(ReadOnlySpan<T> b, int k, int n, Span<T> packed)
    {
        int nr = Nr, panels = Panels(n);
        for (int q = 0; q < panels; q++)
        {
            int j0 = q * nr, width = Math.Min(nr, n - j0);
            var panel = packed.Slice(q * k * nr, k * nr);
            for (int p = 0; p < k; p++)
            {
                var dst = panel.Slice(p * nr, nr);
                b.Slice(p * n + j0, width).CopyTo(dst);
                if (width < nr) dst[width..].Clear();
            }
        }
    }

    /// <summary><c>c[rows, n] = a[rows, k] B</c> with B packed by <see cref="Pack"/>.</summary>
    public static void Rows(ReadOnlySpan<T> a, ReadOnlySpan<T> packedB, Span<T> c, int rows, int k, int n)
    {
        if (k == 0)
        {
            c[..(rows * n)].Clear(); // an empty sum is +0
            return;
        }
        // 128-bit vectors even where .NET emulates them: the packing and the results are the same.
        if (Vector512.IsHardwareAccelerated) RowsAt<Lanes512<T>>(a, packedB, c, rows, k, n);
        else if (Vector256.IsHardwareAccelerated) RowsAt<Lanes256<T>>(a, packedB, c, rows, k, n);
        else RowsAt<Lanes128<T>>(a, packedB, c, rows, k, n);
    }

    /// <summary>Rows of C per micro-kernel call at the width the machine runs.</summary>
    public static int Mr => VectorWidth.Bits == 512 ? 8 : 6;

    /// <summary>Rows of C per micro-kernel call at the width of <typeparamref name="TV"/>.</summary>
    private static int MrOf<TV>() where TV : struct, IVectorLanes<TV, T> => TV.Count * Unsafe.SizeOf<T>() == 64 ? 8 : 6;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsAt<TV>(ReadOnlySpan<T> a, ReadOnlySpan<T> packedB, Span<T> c, int rows, int k, int n)
        where TV : struct, IVectorLanes<TV, T>
    {
        int mrFull = MrOf<TV>(), nr = 2 * TV.Count, panels = (n + nr - 1) / nr;
        Span<T> edge = stackalloc T[8 * nr];
        ref T a0 = ref MemoryMarshal.GetReference(a);
        ref T b0 = ref MemoryMarshal.GetReference(packedB);
        ref T c0 = ref MemoryMarshal.GetReference(c);
        ref T e0 = ref MemoryMarshal.GetReference(edge);
        for (int i0 = 0; i0 < rows; i0 += mrFull)
        {
            int mr = Math.Min(mrFull, rows - i0);
            ref T ai = ref Unsafe.Add(ref a0, i0 * k);
            for (int q = 0; q < panels; q++)
            {
                ref T bq = ref Unsafe.Add(ref b0, q * k * nr);
                int j0 = q * nr, width = Math.Min(nr, n - j0);
                bool full = width == nr;
                ref T target = ref full ? ref Unsafe.Add(ref c0, i0 * n + j0) : ref e0;
                int ldc = full ? n : nr;
                if (mr == mrFull) Kernel<TV>(ref ai, k, ref bq, ref target, ldc);
                else KernelRows<TV>(mr, ref ai, k, ref bq, ref target, ldc);
                if (!full)
                    for (int r = 0; r < mr; r++)
                        edge.Slice(r * nr, width).CopyTo(c.Slice((i0 + r) * n + j0, width));
            }
        }
    }

    /// <summary>An <c>Mr x Nr</c> block of C from <c>Mr</c> rows of A (stride <paramref name="k"/>) and one packed panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel<TV>(ref T a, int k, ref T b, ref T c, int ldc) where TV : struct, IVectorLanes<TV, T>
    {
        // Rows 6 and 7 exist only at 512 bits; MrOf is a constant to the JIT, which drops them otherwise.
        bool eight = MrOf<TV>() == 8;
        int w = TV.Count;
        var z = TV.Splat(T.NegativeZero);
        TV c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z,
            c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        ref T a1 = ref Unsafe.Add(ref a, k);
        ref T a2 = ref Unsafe.Add(ref a, 2 * k);
        ref T a3 = ref Unsafe.Add(ref a, 3 * k);
        ref T a4 = ref Unsafe.Add(ref a, 4 * k);
        ref T a5 = ref Unsafe.Add(ref a, 5 * k);
        ref T a6 = ref Unsafe.Add(ref a, 6 * k);
        ref T a7 = ref Unsafe.Add(ref a, 7 * k);
        for (int p = 0; p < k; p++)
        {
            var b0 = TV.Load(ref b, (nuint)(p * 2 * w));
            var b1 = TV.Load(ref b, (nuint)(p * 2 * w + w));
            var x = TV.Splat(Unsafe.Add(ref a, p));
            c00 = TV.FusedMultiplyAdd(x, b0, c00); c01 = TV.FusedMultiplyAdd(x, b1, c01);
            x = TV.Splat(Unsafe.Add(ref a1, p));
            c10 = TV.FusedMultiplyAdd(x, b0, c10); c11 = TV.FusedMultiplyAdd(x, b1, c11);
            x = TV.Splat(Unsafe.Add(ref a2, p));
            c20 = TV.FusedMultiplyAdd(x, b0, c20); c21 = TV.FusedMultiplyAdd(x, b1, c21);
            x = TV.Splat(Unsafe.Add(ref a3, p));
            c30 = TV.FusedMultiplyAdd(x, b0, c30); c31 = TV.FusedMultiplyAdd(x, b1, c31);
            x = TV.Splat(Unsafe.Add(ref a4, p));
            c40 = TV.FusedMultiplyAdd(x, b0, c40); c41 = TV.FusedMultiplyAdd(x, b1, c41);
            x = TV.Splat(Unsafe.Add(ref a5, p));
            c50 = TV.FusedMultiplyAdd(x, b0, c50); c51 = TV.FusedMultiplyAdd(x, b1, c51);
            if (eight)
            {
                x = TV.Splat(Unsafe.Add(ref a6, p));
                c60 = TV.FusedMultiplyAdd(x, b0, c60); c61 = TV.FusedMultiplyAdd(x, b1, c61);
                x = TV.Splat(Unsafe.Add(ref a7, p));
                c70 = TV.FusedMultiplyAdd(x, b0, c70); c71 = TV.FusedMultiplyAdd(x, b1, c71);
            }
        }
        Store(ref c, 0, ldc, c00, c01); Store(ref c, 1, ldc, c10, c11);
        Store(ref c, 2, ldc, c20, c21); Store(ref c, 3, ldc, c30, c31);
        Store(ref c, 4, ldc, c40, c41); Store(ref c, 5, ldc, c50, c51);
        if (eight)
        {
            Store(ref c, 6, ldc, c60, c61); Store(ref c, 7, ldc, c70, c71);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TV>(ref T c, int row, int ldc, TV lo, TV hi) where TV : struct, IVectorLanes<TV, T>
    {
        TV.Store(lo, ref c, (nuint)(row * ldc));
        TV.Store(hi, ref c, (nuint)(row * ldc + TV.Count));
    }

    /// <summary>Fewer than <c>Mr</c> rows: the same terms in the same order, one row at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelRows<TV>(int mr, ref T a, int k, ref T b, ref T c, int ldc) where TV : struct, IVectorLanes<TV, T>
    {
        int w = TV.Count;
        for (int r = 0; r < mr; r++)
        {
            ref T ar = ref Unsafe.Add(ref a, r * k);
            ref T cr = ref Unsafe.Add(ref c, r * ldc);
            TV lo = TV.Splat(T.NegativeZero), hi = lo;
            for (int p = 0; p < k; p++)
            {
                var x = TV.Splat(Unsafe.Add(ref ar, p));
                lo = TV.FusedMultiplyAdd(x, TV.Load(ref b, (nuint)(p * 2 * w)), lo);
                hi = TV.FusedMultiplyAdd(x, TV.Load(ref b, (nuint)(p * 2 * w + w)), hi);
            }
            TV.Store(lo, ref cr, 0);
            TV.Store(hi, ref cr, (nuint)w);
        }
    }
}

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
///
/// Note [gemm blocking]: a panel of a large B does not fit L1 (a 1024-deep f32 panel at 512 bits is
/// 128 KiB) and all of B does not fit L2, so streaming every panel past each block of <c>Mr</c> rows
/// reads B from L3 or memory once per <c>Mr</c> rows: a 1024³ product ran at 15-40% of the FMA peak.
/// Instead the contraction goes <see cref="Kc"/> steps at a time: a slice of a panel (<c>Kc x Nr</c>,
/// 32 KiB for f32 at 512 bits) serves every row block of the call while it is in L1, and each block
/// of C is loaded and stored once per slice. The sums then go on from C's stored values in the same
/// order of <c>p</c>, so the results are bit for bit those of one pass. The contraction executor
/// gives each call enough rows (up to 96) for the slice to be reused.
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

    /// <summary>Contraction steps per pass over C (Note [gemm blocking]).</summary>
    public const int Kc = 256;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsAt<TV>(ReadOnlySpan<T> a, ReadOnlySpan<T> packedB, Span<T> c, int rows, int k, int n)
        where TV : struct, IVectorLanes<TV, T>
    {
        int mrFull = MrOf<TV>(), nr = 2 * TV.Count, panels = (n + nr - 1) / nr, fullPanels = n / nr;
        ref T a0 = ref MemoryMarshal.GetReference(a);
        ref T b0 = ref MemoryMarshal.GetReference(packedB);
        ref T c0 = ref MemoryMarshal.GetReference(c);
        // Note [gemm blocking]: Kc steps of the contraction at a time; each slice of a panel serves every
        // row block before the next slice is read. The row blocks' Kc columns of A are packed first,
        // step-major (the Mr values of one step adjacent). A last, partial panel accumulates into an
        // edge block (rows x Nr) whose columns are copied out at the end.
        int blocks = rows / mrFull, packLength = blocks * Math.Min(Kc, k) * mrFull;
        bool partial = fullPanels < panels;
        var buffer = PackBuffer(packLength + (partial ? rows * nr : 0));
        ref T ap0 = ref MemoryMarshal.GetArrayDataReference(buffer);
        ref T edge = ref Unsafe.Add(ref ap0, packLength);
        for (int kb = 0; kb < k; kb += Kc)
        {
            int kc = Math.Min(Kc, k - kb);
            bool accumulate = kb > 0;
            for (int blk = 0; blk < blocks; blk++)
                for (int r = 0; r < mrFull; r++)
                {
                    ref T src = ref Unsafe.Add(ref a0, (blk * mrFull + r) * k + kb);
                    ref T dst = ref Unsafe.Add(ref ap0, blk * kc * mrFull + r);
                    for (int p = 0; p < kc; p++) Unsafe.Add(ref dst, p * mrFull) = Unsafe.Add(ref src, p);
                }
            for (int q = 0; q < panels; q++)
            {
                ref T slice = ref Unsafe.Add(ref b0, q * k * nr + kb * nr);
                bool full = q < fullPanels;
                ref T target = ref full ? ref Unsafe.Add(ref c0, q * nr) : ref edge;
                int ldc = full ? n : nr;
                for (int blk = 0; blk < blocks; blk++)
                    Kernel<TV>(ref Unsafe.Add(ref ap0, blk * kc * mrFull), kc, ref slice, ref Unsafe.Add(ref target, blk * mrFull * ldc), ldc, accumulate);
                if (blocks * mrFull < rows)
                    KernelRows<TV>(rows - blocks * mrFull, ref Unsafe.Add(ref a0, blocks * mrFull * k + kb), k, kc, ref slice,
                        ref Unsafe.Add(ref target, blocks * mrFull * ldc), ldc, accumulate);
            }
        }
        if (partial)
        {
            int j0 = fullPanels * nr, width = n - j0;
            for (int r = 0; r < rows; r++)
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref edge, r * nr), width).CopyTo(c.Slice(r * n + j0, width));
        }
    }

    /// <summary>This thread's buffer for packed rows of A, at least <paramref name="length"/> long.</summary>
    private static T[] PackBuffer(int length)
    {
        if (_aPack is null || _aPack.Length < length) _aPack = new T[Math.Max(length, 1)];
        return _aPack;
    }

    [ThreadStatic] private static T[]? _aPack;

    /// <summary>
    /// An <c>Mr x Nr</c> block of C from a packed block of A (element <c>(r, p)</c> at <c>p Mr + r</c>) and
    /// <paramref name="kc"/> rows of a packed panel; with <paramref name="accumulate"/> the sums go
    /// on from C's values (the earlier steps of the contraction), else from -0.
    /// </summary>
    // Not inlined: one copy serves both call sites, and the caller stays small enough for the JIT to
    // inline every vector helper inside the kernel.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Kernel<TV>(ref T a, int kc, ref T b, ref T c, int ldc, bool accumulate) where TV : struct, IVectorLanes<TV, T>
    {
        // Rows 6 and 7 exist only at 512 bits; the condition is a constant to the JIT, which drops them otherwise.
        bool eight = TV.Count * Unsafe.SizeOf<T>() == 64;
        int w = TV.Count, mr = eight ? 8 : 6;
        var z = TV.Splat(T.NegativeZero);
        TV c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z,
            c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
        if (accumulate)
        {
            Load(ref c, 0, ldc, out c00, out c01); Load(ref c, 1, ldc, out c10, out c11);
            Load(ref c, 2, ldc, out c20, out c21); Load(ref c, 3, ldc, out c30, out c31);
            Load(ref c, 4, ldc, out c40, out c41); Load(ref c, 5, ldc, out c50, out c51);
            if (eight)
            {
                Load(ref c, 6, ldc, out c60, out c61); Load(ref c, 7, ldc, out c70, out c71);
            }
        }
        // Two steps per iteration (half the loop overhead), then the odd one; the terms keep their order.
        int p = 0;
        for (; p + 1 < kc; p += 2)
        {
            {
                var b0 = TV.Load(ref b, (nuint)(p * 2 * w));
                var b1 = TV.Load(ref b, (nuint)(p * 2 * w + w));
                var x = TV.Splat(Unsafe.Add(ref a, p * mr + 0));
                c00 = TV.FusedMultiplyAdd(x, b0, c00); c01 = TV.FusedMultiplyAdd(x, b1, c01);
                x = TV.Splat(Unsafe.Add(ref a, p * mr + 1));
                c10 = TV.FusedMultiplyAdd(x, b0, c10); c11 = TV.FusedMultiplyAdd(x, b1, c11);
                x = TV.Splat(Unsafe.Add(ref a, p * mr + 2));
                c20 = TV.FusedMultiplyAdd(x, b0, c20); c21 = TV.FusedMultiplyAdd(x, b1, c21);
                x = TV.Splat(Unsafe.Add(ref a, p * mr + 3));
                c30 = TV.FusedMultiplyAdd(x, b0, c30); c31 = TV.FusedMultiplyAdd(x, b1, c31);
                x = TV.Splat(Unsafe.Add(ref a, p * mr + 4));
                c40 = TV.FusedMultiplyAdd(x, b0, c40); c41 = TV.FusedMultiplyAdd(x, b1, c41);
                x = TV.Splat(Unsafe.Add(ref a, p * mr + 5));
                c50 = TV.FusedMultiplyAdd(x, b0, c50); c51 = TV.FusedMultiplyAdd(x, b1, c51);
                if (eight)
                {
                    x = TV.Splat(Unsafe.Add(ref a, p * mr + 6));
                    c60 = TV.FusedMultiplyAdd(x, b0, c60); c61 = TV.FusedMultiplyAdd(x, b1, c61);
                    x = TV.Splat(Unsafe.Add(ref a, p * mr + 7));
                    c70 = TV.FusedMultiplyAdd(x, b0, c70); c71 = TV.FusedMultiplyAdd(x, b1, c71);
                }
            }
            {
                var b0 = TV.Load(ref b, (nuint)((p + 1) * 2 * w));
                var b1 = TV.Load(ref b, (nuint)((p + 1) * 2 * w + w));
                var x = TV.Splat(Unsafe.Add(ref a, (p + 1) * mr + 0));
                c00 = TV.FusedMultiplyAdd(x, b0, c00); c01 = TV.FusedMultiplyAdd(x, b1, c01);
                x = TV.Splat(Unsafe.Add(ref a, (p + 1) * mr + 1));
                c10 = TV.FusedMultiplyAdd(x, b0, c10); c11 = TV.FusedMultiplyAdd(x, b1, c11);
                x = TV.Splat(Unsafe.Add(ref a, (p + 1) * mr + 2));
                c20 = TV.FusedMultiplyAdd(x, b0, c20); c21 = TV.FusedMultiplyAdd(x, b1, c21);
                x = TV.Splat(Unsafe.Add(ref a, (p + 1) * mr + 3));
                c30 = TV.FusedMultiplyAdd(x, b0, c30); c31 = TV.FusedMultiplyAdd(x, b1, c31);
                x = TV.Splat(Unsafe.Add(ref a, (p + 1) * mr + 4));
                c40 = TV.FusedMultiplyAdd(x, b0, c40); c41 = TV.FusedMultiplyAdd(x, b1, c41);
                x = TV.Splat(Unsafe.Add(ref a, (p + 1) * mr + 5));
                c50 = TV.FusedMultiplyAdd(x, b0, c50); c51 = TV.FusedMultiplyAdd(x, b1, c51);
                if (eight)
                {
                    x = TV.Splat(Unsafe.Add(ref a, (p + 1) * mr + 6));
                    c60 = TV.FusedMultiplyAdd(x, b0, c60); c61 = TV.FusedMultiplyAdd(x, b1, c61);
                    x = TV.Splat(Unsafe.Add(ref a, (p + 1) * mr + 7));
                    c70 = TV.FusedMultiplyAdd(x, b0, c70); c71 = TV.FusedMultiplyAdd(x, b1, c71);
                }
            }
        }
        if (p < kc)
        {
            var b0 = TV.Load(ref b, (nuint)(p * 2 * w));
            var b1 = TV.Load(ref b, (nuint)(p * 2 * w + w));
            var x = TV.Splat(Unsafe.Add(ref a, p * mr + 0));
            c00 = TV.FusedMultiplyAdd(x, b0, c00); c01 = TV.FusedMultiplyAdd(x, b1, c01);
            x = TV.Splat(Unsafe.Add(ref a, p * mr + 1));
            c10 = TV.FusedMultiplyAdd(x, b0, c10); c11 = TV.FusedMultiplyAdd(x, b1, c11);
            x = TV.Splat(Unsafe.Add(ref a, p * mr + 2));
            c20 = TV.FusedMultiplyAdd(x, b0, c20); c21 = TV.FusedMultiplyAdd(x, b1, c21);
            x = TV.Splat(Unsafe.Add(ref a, p * mr + 3));
            c30 = TV.FusedMultiplyAdd(x, b0, c30); c31 = TV.FusedMultiplyAdd(x, b1, c31);
            x = TV.Splat(Unsafe.Add(ref a, p * mr + 4));
            c40 = TV.FusedMultiplyAdd(x, b0, c40); c41 = TV.FusedMultiplyAdd(x, b1, c41);
            x = TV.Splat(Unsafe.Add(ref a, p * mr + 5));
            c50 = TV.FusedMultiplyAdd(x, b0, c50); c51 = TV.FusedMultiplyAdd(x, b1, c51);
            if (eight)
            {
                x = TV.Splat(Unsafe.Add(ref a, p * mr + 6));
                c60 = TV.FusedMultiplyAdd(x, b0, c60); c61 = TV.FusedMultiplyAdd(x, b1, c61);
                x = TV.Splat(Unsafe.Add(ref a, p * mr + 7));
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
    private static void Load<TV>(ref T c, int row, int ldc, out TV lo, out TV hi) where TV : struct, IVectorLanes<TV, T>
    {
        lo = TV.Load(ref c, (nuint)(row * ldc));
        hi = TV.Load(ref c, (nuint)(row * ldc + TV.Count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TV>(ref T c, int row, int ldc, TV lo, TV hi) where TV : struct, IVectorLanes<TV, T>
    {
        TV.Store(lo, ref c, (nuint)(row * ldc));
        TV.Store(hi, ref c, (nuint)(row * ldc + TV.Count));
    }

    /// <summary>Fewer than <c>Mr</c> rows: the same terms in the same order, one row at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelRows<TV>(int mr, ref T a, int lda, int kc, ref T b, ref T c, int ldc, bool accumulate) where TV : struct, IVectorLanes<TV, T>
    {
        int w = TV.Count;
        for (int r = 0; r < mr; r++)
        {
            ref T ar = ref Unsafe.Add(ref a, r * lda);
            ref T cr = ref Unsafe.Add(ref c, r * ldc);
            TV lo = TV.Splat(T.NegativeZero), hi = lo;
            if (accumulate)
            {
                lo = TV.Load(ref cr, 0);
                hi = TV.Load(ref cr, (nuint)w);
            }
            for (int p = 0; p < kc; p++)
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

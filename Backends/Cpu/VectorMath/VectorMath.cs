using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ArrayLang.Backends.Cpu;

/// <summary>
/// Fast vectorized transcendental functions for the CPU backend, with documented, tested error
/// bounds: <c>exp log log1p expm1 sin cos tan tanh logistic erf pow atan2</c> for <c>float</c> and
/// <c>double</c>. Each comes as a <see cref="Vector512{T}"/> and a <see cref="Vector256{T}"/>
/// function, a scalar function, and a span function that runs a whole array; all four give
/// bit-identical results for the same input (Note [one kernel, every width]), so a result never
/// depends on alignment, tiling or the number of threads.
/// </summary>
/// <remarks>
/// <para>Semantics follow the IR contract (IR.md) and C: NaN in gives NaN out; infinities, signed
/// zeros (<c>sin(-0) = -0</c>, <c>tanh(-0) = -0</c>, <c>expm1(-0) = -0</c>, <c>log1p(-0) = -0</c>,
/// <c>erf(-0) = -0</c>), overflow to infinity and gradual underflow (denormal results are kept,
/// denormal inputs are handled) as C's functions do; <c>pow</c> and <c>atan2</c> follow C99
/// Annex F in every special case.</para>
/// <para>Error bounds are in ulps from the reference evaluator's result: for <c>float</c> the
/// correctly rounded value (the reference computes in double and rounds once), for <c>double</c>
/// <c>Math.*</c> or <c>ScalarMath</c> (Note [error bounds]). Each function's documentation states
/// its bound, and <see cref="MaxUlpError"/> returns it; for <c>float</c> it is established by an
/// exhaustive sweep over all 2^32 inputs (<c>tools/VectorMathSweep</c>), and CI checks it on a few
/// million samples plus the edge values. <c>docs/backends.md</c>, section "CPU vector math", has the
/// table with the measured figures.</para>
/// <para>The span functions run on the calling thread; the result span may be the input span itself
/// (in place) but must not overlap it otherwise.</para>
/// <para>The class lives in <c>ArrayLang.Backends.Cpu</c> (not in a namespace named after its folder)
/// so that <c>VectorMath.Exp</c> resolves from every namespace of the backend.</para>
/// </remarks>
public static partial class VectorMath
{
    /// <summary>A float function written once over <see cref="IF32Lanes{TSelf}"/>.</summary>
    internal interface IUnaryF32
    {
        /// <summary>The function on every lane of <paramref name="x"/>.</summary>
        static abstract TV Apply<TV>(TV x) where TV : struct, IF32Lanes<TV>;
    }

    /// <summary>A binary float function written once; it may compute in double.</summary>
    internal interface IBinaryF32
    {
        /// <summary>The function on every pair of lanes.</summary>
        static abstract TV Apply<TV, TD>(TV a, TV b)
            where TV : struct, IF32Lanes<TV>, IWidensToF64<TV, TD>
            where TD : struct, IF64Lanes<TD>;
    }

    /// <summary>A double function written once over <see cref="IF64Lanes{TSelf}"/>.</summary>
    internal interface IUnaryF64
    {
        /// <summary>The function on every lane of <paramref name="x"/>.</summary>
        static abstract TV Apply<TV>(TV x) where TV : struct, IF64Lanes<TV>;
    }

    /// <summary>A binary double function written once.</summary>
    internal interface IBinaryF64
    {
        /// <summary>The function on every pair of lanes.</summary>
        static abstract TV Apply<TV>(TV a, TV b) where TV : struct, IF64Lanes<TV>;
    }

    private static void CheckLengths(int input, int result, string inputName)
    {
        if (input != result)
            throw new ArgumentException(
                $"VectorMath: the result span has {result} elements but {inputName} has {input}; they must be equal", "result");
    }

    // Note [optimized from the first call]: the span entry points and drivers, the rare paths, and
    // the large pow and atan2 kernels are compiled fully optimized at once (AggressiveOptimization):
    // a kernel's Tier-0 form calls every lane operation out of line (tens of times slower), and on a
    // loaded machine the background tier-up can take seconds to arrive. The other kernels and the
    // per-vector entry points are only AggressiveInlining, because an AggressiveOptimization method
    // is never inlined, and a call per vector (arguments and result through memory) costs a third
    // of a cheap kernel: they are inlined into the span drivers, and into a caller's optimized loop.
    // The drivers themselves are NoInlining: the JIT's inlining budget grows with the root method,
    // and a one-line span entry point as the root would leave no budget for the kernel.

    /// <summary>Runs a float function over a whole span: full vectors, then the tail through one padded vector.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Map<TK>(ReadOnlySpan<float> x, Span<float> result) where TK : IUnaryF32
    {
        CheckLengths(x.Length, result.Length, "x");
        ref float src = ref MemoryMarshal.GetReference(x);
        ref float dst = ref MemoryMarshal.GetReference(result);
        nuint n = (nuint)x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= n; i += 16) F32x16.Store(TK.Apply(F32x16.Load(ref src, i)), ref dst, i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8) F32x8.Store(TK.Apply(F32x8.Load(ref src, i)), ref dst, i);
        }
        else
        {
            for (; i + 4 <= n; i += 4) F32x4.Store(TK.Apply(F32x4.Load(ref src, i)), ref dst, i);
        }
        if (i < n) MapTail<TK>(x[(int)i..], result[(int)i..]);
    }

    // The tail goes through one padded vector of the same width: the same instructions as the body.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MapTail<TK>(ReadOnlySpan<float> x, Span<float> result) where TK : IUnaryF32
    {
        Span<float> block = stackalloc float[16];
        x.CopyTo(block);
        ref float b = ref MemoryMarshal.GetReference(block);
        if (Vector512.IsHardwareAccelerated) F32x16.Store(TK.Apply(F32x16.Load(ref b, 0)), ref b, 0);
        else if (Vector256.IsHardwareAccelerated) for (nuint i = 0; i < (nuint)x.Length; i += 8) F32x8.Store(TK.Apply(F32x8.Load(ref b, i)), ref b, i);
        else for (nuint i = 0; i < (nuint)x.Length; i += 4) F32x4.Store(TK.Apply(F32x4.Load(ref b, i)), ref b, i);
        block[..x.Length].CopyTo(result);
    }

    /// <summary>Runs a binary float function over whole spans.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Map<TK>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> result, string aName, string bName)
        where TK : IBinaryF32
    {
        CheckLengths(a.Length, result.Length, aName);
        CheckLengths(b.Length, result.Length, bName);
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b);
        ref float dst = ref MemoryMarshal.GetReference(result);
        nuint n = (nuint)a.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= n; i += 16)
                F32x16.Store(TK.Apply<F32x16, F64x8>(F32x16.Load(ref pa, i), F32x16.Load(ref pb, i)), ref dst, i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
                F32x8.Store(TK.Apply<F32x8, F64x4>(F32x8.Load(ref pa, i), F32x8.Load(ref pb, i)), ref dst, i);
        }
        else
        {
            for (; i + 4 <= n; i += 4)
                F32x4.Store(TK.Apply<F32x4, F64x2>(F32x4.Load(ref pa, i), F32x4.Load(ref pb, i)), ref dst, i);
        }
        if (i < n) MapTail<TK>(a[(int)i..], b[(int)i..], result[(int)i..]);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MapTail<TK>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> result) where TK : IBinaryF32
    {
        Span<float> blockA = stackalloc float[16];
        Span<float> blockB = stackalloc float[16];
        a.CopyTo(blockA);
        b.CopyTo(blockB);
        ref float pa = ref MemoryMarshal.GetReference(blockA);
        ref float pb = ref MemoryMarshal.GetReference(blockB);
        if (Vector512.IsHardwareAccelerated)
            F32x16.Store(TK.Apply<F32x16, F64x8>(F32x16.Load(ref pa, 0), F32x16.Load(ref pb, 0)), ref pa, 0);
        else if (Vector256.IsHardwareAccelerated)
            for (nuint i = 0; i < (nuint)a.Length; i += 8)
                F32x8.Store(TK.Apply<F32x8, F64x4>(F32x8.Load(ref pa, i), F32x8.Load(ref pb, i)), ref pa, i);
        else
            for (nuint i = 0; i < (nuint)a.Length; i += 4)
                F32x4.Store(TK.Apply<F32x4, F64x2>(F32x4.Load(ref pa, i), F32x4.Load(ref pb, i)), ref pa, i);
        blockA[..a.Length].CopyTo(result);
    }

    /// <summary>Runs a double function over a whole span.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Map<TK>(ReadOnlySpan<double> x, Span<double> result) where TK : IUnaryF64
    {
        CheckLengths(x.Length, result.Length, "x");
        ref double src = ref MemoryMarshal.GetReference(x);
        ref double dst = ref MemoryMarshal.GetReference(result);
        nuint n = (nuint)x.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8) F64x8.Store(TK.Apply(F64x8.Load(ref src, i)), ref dst, i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 4 <= n; i += 4) F64x4.Store(TK.Apply(F64x4.Load(ref src, i)), ref dst, i);
        }
        else
        {
            for (; i + 2 <= n; i += 2) F64x2.Store(TK.Apply(F64x2.Load(ref src, i)), ref dst, i);
        }
        if (i < n) MapTail<TK>(x[(int)i..], result[(int)i..]);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MapTail<TK>(ReadOnlySpan<double> x, Span<double> result) where TK : IUnaryF64
    {
        Span<double> block = stackalloc double[8];
        x.CopyTo(block);
        ref double b = ref MemoryMarshal.GetReference(block);
        if (Vector512.IsHardwareAccelerated) F64x8.Store(TK.Apply(F64x8.Load(ref b, 0)), ref b, 0);
        else if (Vector256.IsHardwareAccelerated) for (nuint i = 0; i < (nuint)x.Length; i += 4) F64x4.Store(TK.Apply(F64x4.Load(ref b, i)), ref b, i);
        else for (nuint i = 0; i < (nuint)x.Length; i += 2) F64x2.Store(TK.Apply(F64x2.Load(ref b, i)), ref b, i);
        block[..x.Length].CopyTo(result);
    }

    /// <summary>Runs a binary double function over whole spans.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static void Map<TK>(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> result, string aName, string bName)
        where TK : IBinaryF64
    {
        CheckLengths(a.Length, result.Length, aName);
        CheckLengths(b.Length, result.Length, bName);
        ref double pa = ref MemoryMarshal.GetReference(a);
        ref double pb = ref MemoryMarshal.GetReference(b);
        ref double dst = ref MemoryMarshal.GetReference(result);
        nuint n = (nuint)a.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8) F64x8.Store(TK.Apply(F64x8.Load(ref pa, i), F64x8.Load(ref pb, i)), ref dst, i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 4 <= n; i += 4) F64x4.Store(TK.Apply(F64x4.Load(ref pa, i), F64x4.Load(ref pb, i)), ref dst, i);
        }
        else
        {
            for (; i + 2 <= n; i += 2) F64x2.Store(TK.Apply(F64x2.Load(ref pa, i), F64x2.Load(ref pb, i)), ref dst, i);
        }
        if (i < n) MapTail<TK>(a[(int)i..], b[(int)i..], result[(int)i..]);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void MapTail<TK>(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> result) where TK : IBinaryF64
    {
        Span<double> blockA = stackalloc double[8];
        Span<double> blockB = stackalloc double[8];
        a.CopyTo(blockA);
        b.CopyTo(blockB);
        ref double pa = ref MemoryMarshal.GetReference(blockA);
        ref double pb = ref MemoryMarshal.GetReference(blockB);
        if (Vector512.IsHardwareAccelerated)
            F64x8.Store(TK.Apply(F64x8.Load(ref pa, 0), F64x8.Load(ref pb, 0)), ref pa, 0);
        else if (Vector256.IsHardwareAccelerated)
            for (nuint i = 0; i < (nuint)a.Length; i += 4)
                F64x4.Store(TK.Apply(F64x4.Load(ref pa, i), F64x4.Load(ref pb, i)), ref pa, i);
        else
            for (nuint i = 0; i < (nuint)a.Length; i += 2)
                F64x2.Store(TK.Apply(F64x2.Load(ref pa, i), F64x2.Load(ref pb, i)), ref pa, i);
        blockA[..a.Length].CopyTo(result);
    }

    // Helpers shared by the kernels.

    /// <summary>The sign bit of each lane (all other bits clear).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV SignBit<TV>(TV x) where TV : struct, IF32Lanes<TV> => x & TV.SplatBits(int.MinValue);

    /// <summary>2^k for integer-valued float lanes <c>k</c> in [-126, 127], built from the exponent bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Pow2<TV>(TV k) where TV : struct, IF32Lanes<TV> =>
        TV.ShiftLeftInt(TV.AddInt(TV.ConvertToInt(k), TV.SplatBits(127)), 23);
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ArrayLang.Backends.Cpu.Ops;
using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Ir;

namespace ArrayLang.Backends.Cpu.Contraction;

/// <summary>
/// Row blocks of a matrix product <c>C = A B</c> on canonical dense operands (Note [canonical
/// contraction]) of i32 (wrapping modulo 2^32): a row-times-matrix loop vectorized over <c>N</c>;
/// f32 and f64 use the register-blocked kernel of <see cref="Gemm{T}"/>.
/// </summary>
internal static class MatMul
{
    /// <summary><c>c[rows, n] = a[rows, k] b[k, n]</c>.</summary>
    public static void Rows(DType dtype, BufferRef a, BufferRef b, BufferRef c, int rows, int k, int n)
    {
        switch (dtype)
        {
            case DType.I32: RowsGeneric(ref a.At<int>(0), ref b.At<int>(0), ref c.At<int>(0), rows, k, n); break;
            default: throw new InvalidOperationException($"{dtype} products go through Gemm with a packed right operand");
        }
    }

    /// <summary>For each row, <c>c[i,:] = sum_p a[i,p] * b[p,:]</c>, accumulating in order of <c>p</c>, vectorized at the machine's width.</summary>
    public static void RowsGeneric<T>(ref T a, ref T b, ref T c, int rows, int k, int n) where T : unmanaged, INumber<T>
    {
        if (Vector512.IsHardwareAccelerated) RowsAt<T, Lanes512<T>>(ref a, ref b, ref c, rows, k, n);
        else if (Vector256.IsHardwareAccelerated) RowsAt<T, Lanes256<T>>(ref a, ref b, ref c, rows, k, n);
        else RowsAt<T, Lanes128<T>>(ref a, ref b, ref c, rows, k, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsAt<T, TV>(ref T a, ref T b, ref T c, int rows, int k, int n)
        where T : unmanaged, INumber<T> where TV : struct, IVectorLanes<TV, T>
    {
        for (int i = 0; i < rows; i++)
        {
            ref T crow = ref Unsafe.Add(ref c, i * n);
            // Floats start from -0, the identity of IEEE addition (an empty sum is fixed to +0 below).
            T start = k == 0 ? T.Zero : T.Zero * -T.One;
            for (int j = 0; j < n; j++) Unsafe.Add(ref crow, j) = start;
            for (int p = 0; p < k; p++)
            {
                T av = Unsafe.Add(ref a, i * k + p);
                ref T brow = ref Unsafe.Add(ref b, p * n);
                int j = 0;
                var avv = TV.Splat(av);
                for (; j <= n - TV.Count; j += TV.Count)
                    TV.Store(TV.Load(ref crow, (nuint)j) + avv * TV.Load(ref brow, (nuint)j), ref crow, (nuint)j);
                for (; j < n; j++) Unsafe.Add(ref crow, j) = unchecked(Unsafe.Add(ref crow, j) + av * Unsafe.Add(ref brow, j));
            }
        }
    }
}

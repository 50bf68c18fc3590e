using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Ir;

namespace ArrayLang.Backends.Cpu.Contraction;

/// <summary>
/// Row blocks of a matrix product <c>C = A B</c> on canonical dense operands (Note [canonical
/// contraction]). f32 uses the register-blocked kernel of <see cref="GemmF32"/>; f64 and i32 use
/// a row-times-matrix loop vectorized over <c>N</c> (i32 wraps modulo 2^32).
/// </summary>
internal static class MatMul
{
    /// <summary><c>c[rows, n] = a[rows, k] b[k, n]</c>.</summary>
    public static void Rows(DType dtype, BufferRef a, BufferRef b, BufferRef c, int rows, int k, int n)
    {
        switch (dtype)
        {
            case DType.F32: throw new InvalidOperationException("f32 products go through GemmF32 with a packed right operand");
            case DType.F64: RowsGeneric(ref a.At<double>(0), ref b.At<double>(0), ref c.At<double>(0), rows, k, n); break;
            default: RowsGeneric(ref a.At<int>(0), ref b.At<int>(0), ref c.At<int>(0), rows, k, n); break;
        }
    }

    /// <summary>For each row, <c>c[i,:] = sum_p a[i,p] * b[p,:]</c>, accumulating in order of <c>p</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowsGeneric<T>(ref T a, ref T b, ref T c, int rows, int k, int n) where T : unmanaged, INumber<T>
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
                if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
                {
                    var avv = Vector512.Create(av);
                    for (; j <= n - Vector512<T>.Count; j += Vector512<T>.Count)
                    {
                        var acc = Vector512.LoadUnsafe(ref crow, (nuint)j);
                        (acc + avv * Vector512.LoadUnsafe(ref brow, (nuint)j)).StoreUnsafe(ref crow, (nuint)j);
                    }
                }
                for (; j < n; j++) Unsafe.Add(ref crow, j) = unchecked(Unsafe.Add(ref crow, j) + av * Unsafe.Add(ref brow, j));
            }
        }
    }
}


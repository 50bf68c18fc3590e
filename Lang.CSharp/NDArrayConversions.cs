using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArrayLang.Ir;
using ArrayLang.Npy;
using ArrayLang.Values;

namespace ArrayLang.CSharp;

/// <summary>
/// Conversions between <see cref="NDArray"/> and .NET arrays, spans and .npy files, as extension
/// members: <c>NDArray.From(float[,])</c>, <c>a.ToArray2D&lt;float&gt;()</c>, <c>NDArray.Load(path)</c>,
/// <c>a.Save(path)</c>. Element types: <c>float</c> (f32), <c>double</c> (f64), <c>int</c> (i32),
/// <c>bool</c>. Every conversion copies, so later changes to either side do not show in the other.
/// </summary>
public static class NDArrayConversions
{
    /// <summary>The dtype stored as <typeparamref name="T"/>, or an error naming the supported types.</summary>
    public static DType DTypeOf<T>() =>
        typeof(T) == typeof(float) ? DType.F32
        : typeof(T) == typeof(double) ? DType.F64
        : typeof(T) == typeof(int) ? DType.I32
        : typeof(T) == typeof(bool) ? DType.Bool
        : throw new ArgumentException($"NDArray holds float, double, int or bool elements, not {typeof(T).Name}");

    extension(NDArray)
    {
        /// <summary>A rank-1 array holding a copy of <paramref name="data"/>.</summary>
        public static NDArray From<T>(T[] data) where T : unmanaged => FromSpan<T>(data, [data.Length]);

        /// <summary>A rank-2 array holding a copy of <paramref name="data"/> (row-major, as C# stores it).</summary>
        public static NDArray From<T>(T[,] data) where T : unmanaged =>
            FromSpan(Elements<T>(data), [data.GetLength(0), data.GetLength(1)]);

        /// <summary>A rank-3 array holding a copy of <paramref name="data"/> (row-major).</summary>
        public static NDArray From<T>(T[,,] data) where T : unmanaged =>
            FromSpan(Elements<T>(data), [data.GetLength(0), data.GetLength(1), data.GetLength(2)]);

        /// <summary>An array of <paramref name="shape"/> holding a copy of <paramref name="data"/> (row-major);
        /// no shape means a rank-1 array of <c>data.Length</c> elements.</summary>
        public static NDArray From<T>(ReadOnlySpan<T> data, params int[] shape) where T : unmanaged =>
            FromSpan(data, shape.Length == 0 ? [data.Length] : shape);

        /// <summary>A scalar (rank-0) array.</summary>
        public static NDArray Scalar<T>(T value) where T : unmanaged => FromSpan<T>([value], []);

        /// <summary>Reads a NumPy .npy file (f32, f64, i32 or bool; C order).</summary>
        public static NDArray Load(string path) => NpyFile.Read(path);
    }

    extension(NDArray array)
    {
        /// <summary>A copy of the elements in row-major order, whatever the rank.</summary>
        public T[] ToArray<T>() where T : unmanaged => Data<T>(array).ToArray();

        /// <summary>A copy as a 2-D .NET array; the array must have rank 2.</summary>
        public T[,] ToArray2D<T>() where T : unmanaged
        {
            RequireRank(array, 2);
            var r = new T[array.Shape[0], array.Shape[1]];
            Data<T>(array).CopyTo(Elements<T>(r));
            return r;
        }

        /// <summary>A copy as a 3-D .NET array; the array must have rank 3.</summary>
        public T[,,] ToArray3D<T>() where T : unmanaged
        {
            RequireRank(array, 3);
            var r = new T[array.Shape[0], array.Shape[1], array.Shape[2]];
            Data<T>(array).CopyTo(Elements<T>(r));
            return r;
        }

        /// <summary>Copies the elements (row-major) into <paramref name="destination"/>, which must be large enough.</summary>
        public void CopyTo<T>(Span<T> destination) where T : unmanaged => Data<T>(array).CopyTo(destination);

        /// <summary>The element of a scalar (or one-element) array.</summary>
        public T ToScalar<T>() where T : unmanaged =>
            array.Length == 1 ? Data<T>(array)[0] : throw new InvalidOperationException($"the array is {array.Type}, not a single element");

        /// <summary>Writes the array as a NumPy .npy file.</summary>
        public void Save(string path) => NpyFile.Write(path, array);
    }

    private static NDArray FromSpan<T>(ReadOnlySpan<T> data, int[] shape) where T : unmanaged
    {
        var dtype = DTypeOf<T>();
        var s = new Shape(shape);
        if (s.ElementCount != data.Length)
            throw new ArgumentException($"shape {s} holds {s.ElementCount} elements, but {data.Length} were given");
        return new NDArray(dtype, s, data.ToArray());
    }

    private static ReadOnlySpan<T> Data<T>(NDArray a) where T : unmanaged
    {
        if (a.DType != DTypeOf<T>()) throw new InvalidOperationException($"the array is {a.Type}; read it as {NDArray.ElementType(a.DType).Name}, not {typeof(T).Name}");
        return (T[])a.Data;
    }

    // The elements of a multi-dimensional array as one span (.NET stores them row-major and contiguous).
    private static Span<T> Elements<T>(Array a) where T : unmanaged =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(a)), a.Length);

    private static void RequireRank(NDArray a, int rank)
    {
        if (a.Shape.Rank != rank) throw new InvalidOperationException($"the array is {a.Type}, not of rank {rank}");
    }
}

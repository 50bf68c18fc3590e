using ILGPU;

namespace ArrayLang.Backends.Cuda.Device;

/// <summary>
/// Device kernels of the primitives that reach a backend as a whole-buffer PrimitiveKernel
/// (Lowering.PrimitiveKernelPrimitives, except general control flow, which the host drives):
/// ordinary C# that ILGPU compiles, the copy-like ones generic over the element type (bool as a
/// byte). Shapes that vary in rank come in a small constant <c>meta</c> buffer of i32s. Every
/// index is clamped exactly as the reference evaluator clamps it.
/// </summary>
public static class PrimitiveKernels
{
    // ---- iota ----

    /// <summary>Element i is its coordinate along the iota dimension.</summary>
    public static void IotaI32(Index1D i, ArrayView<int> o, int n, int inner) => o[i] = i / inner % n;

    /// <summary>Element i is its coordinate along the iota dimension.</summary>
    public static void IotaF32(Index1D i, ArrayView<float> o, int n, int inner) => o[i] = i / inner % n;

    /// <summary>Element i is its coordinate along the iota dimension.</summary>
    public static void IotaF64(Index1D i, ArrayView<double> o, int n, int inner) => o[i] = i / inner % n;

    // ---- gathers and copies ----

    /// <summary>A plain copy: out[i] = x[i].</summary>
    public static void Copy<T>(Index1D i, ArrayView<T> o, ArrayView<T> x) where T : unmanaged => o[i] = x[i];

    /// <summary>Copies the scalar x[0] to out[at] (gathers run-time start indices into one buffer).</summary>
    public static void CopyScalar(Index1D i, ArrayView<int> o, ArrayView<int> x, int at) => o[at] = x[0];

    /// <summary>take: out[a, t, c] = x[a, clamp(idx[t], 0, n - 1), c].</summary>
    public static void Take<T>(Index1D i, ArrayView<T> o, ArrayView<T> x, ArrayView<int> idx, int m, int n, int inner) where T : unmanaged
    {
        int c = i % inner, r = i / inner, t = r % m, a = r / m;
        int k = DeviceOps.Clamp(idx[t], 0, n - 1);
        o[i] = x[(a * n + k) * inner + c];
    }

    /// <summary>
    /// dynamic_slice: meta = [rank, out dims.., x dims.., x strides..]; starts[j] clamped into
    /// [0, x dim - out dim].
    /// </summary>
    public static void DynamicSlice<T>(Index1D i, ArrayView<T> o, ArrayView<T> x, ArrayView<int> starts, ArrayView<int> meta) where T : unmanaged =>
        o[i] = x[WindowOffset(i, starts, meta)];

    /// <summary>
    /// dynamic_update_slice's scatter (the result already holds x): meta = [rank, update dims..,
    /// x dims.., x strides..]; starts[j] clamped into [0, x dim - update dim].
    /// </summary>
    public static void UpdateSlice<T>(Index1D i, ArrayView<T> o, ArrayView<T> u, ArrayView<int> starts, ArrayView<int> meta) where T : unmanaged =>
        o[WindowOffset(i, starts, meta)] = u[i];

    /// <summary>
    /// Where element <paramref name="i"/> of a window (dims meta[1..rank]) lies in x (dims and
    /// strides after them), the window's starts clamped so that it fits.
    /// </summary>
    private static int WindowOffset(int i, ArrayView<int> starts, ArrayView<int> meta)
    {
        int rank = meta[0];
        int rest = i, offset = 0;
        for (int j = rank - 1; j >= 0; j--)
        {
            int dim = meta[1 + j];
            int c = rest % dim;
            rest /= dim;
            int start = DeviceOps.Clamp(starts[j], 0, meta[1 + rank + j] - dim);
            offset += (start + c) * meta[1 + 2 * rank + j];
        }
        return offset;
    }

    /// <summary>One operand of concatenate: x[a, j, c] goes to out[a, offset + j, c] (the axis has n in the result, nk in x).</summary>
    public static void CopyBlock<T>(Index1D i, ArrayView<T> o, ArrayView<T> x, int nk, int inner, int n, int offset) where T : unmanaged
    {
        int c = i % inner, r = i / inner, j = r % nk, a = r / nk;
        o[(a * n + offset + j) * inner + c] = x[i];
    }

    /// <summary>pad: meta = [rank, out dims.., low.., x dims.., x strides..]; outside x the pad value.</summary>
    public static void Pad<T>(Index1D i, ArrayView<T> o, ArrayView<T> x, ArrayView<T> value, ArrayView<int> meta) where T : unmanaged
    {
        int rank = meta[0];
        int rest = i, src = 0;
        bool inside = true;
        for (int j = rank - 1; j >= 0; j--)
        {
            int dim = meta[1 + j];
            int c = rest % dim - meta[1 + rank + j];
            rest /= dim;
            if (c < 0 || c >= meta[1 + 2 * rank + j]) inside = false;
            src += c * meta[1 + 3 * rank + j];
        }
        o[i] = inside ? x[src] : value[0];
    }

    // ---- argmax, argmin ----

    /// <summary>The index of the first maximum (minimum when isMax is 0) along an axis; the first NaN wins.</summary>
    public static void ArgFloat<T, TElement>(Index1D i, ArrayView<int> o, ArrayView<T> x, int n, int inner, int isMax)
        where T : unmanaged where TElement : struct, IFloatElement<T>
    {
        int c = i % inner, a = i / inner, start = a * n * inner + c;
        int best = 0;
        double bestValue = default(TElement).Widen(x[start]);
        for (int k = 1; k < n && !DeviceOps.IsNaN(bestValue); k++)
        {
            double v = default(TElement).Widen(x[start + k * inner]);
            if (DeviceOps.IsNaN(v) || (isMax != 0 ? v > bestValue : v < bestValue)) { best = k; bestValue = v; }
        }
        o[i] = best;
    }

    /// <summary>The index of the first maximum (minimum when isMax is 0) along an axis.</summary>
    public static void ArgI32(Index1D i, ArrayView<int> o, ArrayView<int> x, int n, int inner, int isMax)
    {
        int c = i % inner, a = i / inner, start = a * n * inner + c;
        int best = 0;
        int bestValue = x[start];
        for (int k = 1; k < n; k++)
        {
            int v = x[start + k * inner];
            if (isMax != 0 ? v > bestValue : v < bestValue) { best = k; bestValue = v; }
        }
        o[i] = best;
    }

    // ---- cumulative ----

    /// <summary>cumsum along an axis, one thread per line, compensated in double and rounded per element.</summary>
    public static void CumSumFloat<T, TElement>(Index1D i, ArrayView<T> o, ArrayView<T> x, int n, int inner, int reverse)
        where T : unmanaged where TElement : struct, IFloatElement<T>
    {
        int c = i % inner, a = i / inner, start = a * n * inner + c;
        var s = DeviceOps.SumZero();
        for (int step = 0; step < n; step++)
        {
            int at = start + (reverse != 0 ? n - 1 - step : step) * inner;
            s = DeviceOps.SumAdd(s, default(TElement).Widen(x[at]));
            o[at] = default(TElement).Round(DeviceOps.SumResult(s));
        }
    }

    /// <summary>cumsum along an axis, wrapping.</summary>
    public static void CumSumI32(Index1D i, ArrayView<int> o, ArrayView<int> x, int n, int inner, int reverse)
    {
        int c = i % inner, a = i / inner, start = a * n * inner + c;
        int s = 0;
        for (int step = 0; step < n; step++)
        {
            int at = start + (reverse != 0 ? n - 1 - step : step) * inner;
            s = unchecked(s + x[at]);
            o[at] = s;
        }
    }

    /// <summary>cummax along an axis; NaN propagates from the first NaN on.</summary>
    public static void CumMaxFloat<T, TElement>(Index1D i, ArrayView<T> o, ArrayView<T> x, int n, int inner, int reverse)
        where T : unmanaged where TElement : struct, IFloatElement<T>
    {
        int c = i % inner, a = i / inner, start = a * n * inner + c;
        double m = double.NegativeInfinity;
        for (int step = 0; step < n; step++)
        {
            int at = start + (reverse != 0 ? n - 1 - step : step) * inner;
            m = DeviceOps.ReduceMax(m, default(TElement).Widen(x[at]));
            o[at] = default(TElement).Round(m);
        }
    }

    /// <summary>cummax along an axis.</summary>
    public static void CumMaxI32(Index1D i, ArrayView<int> o, ArrayView<int> x, int n, int inner, int reverse)
    {
        int c = i % inner, a = i / inner, start = a * n * inner + c;
        int m = int.MinValue;
        for (int step = 0; step < n; step++)
        {
            int at = start + (reverse != 0 ? n - 1 - step : step) * inner;
            m = DeviceOps.MaxI32(m, x[at]);
            o[at] = m;
        }
    }

    // ---- randomness (Threefry-2x32, as ArrayLang.Primitives.Threefry) ----

    private static uint Rotate(uint x, int r) => (x << r) | (x >> (32 - r));

    private static int Rotation(int round) => (round & 7) switch { 0 => 13, 1 => 15, 2 => 26, 3 => 6, 4 => 17, 5 => 29, 6 => 16, _ => 24 };

    private static uint KeyWord(uint k0, uint k1, uint k2, int s) => s % 3 == 0 ? k0 : s % 3 == 1 ? k1 : k2;

    /// <summary>Threefry-2x32 with 20 rounds of the counter (hi32(index), lo32(index)); returns the first word, the second in <paramref name="x1"/>.</summary>
    private static uint Block(uint key0, uint key1, long index, out uint x1)
    {
        uint k2 = 0x1BD11BDAu ^ key0 ^ key1;
        uint a = (uint)((ulong)index >> 32) + key0;
        uint b = (uint)index + key1;
        for (int round = 0; round < 20; round++)
        {
            a += b;
            b = Rotate(b, Rotation(round));
            b ^= a;
            if ((round & 3) == 3)
            {
                int s = (round + 1) / 4;
                a += KeyWord(key0, key1, k2, s);
                b += KeyWord(key0, key1, k2, s + 1) + (uint)s;
            }
        }
        x1 = b;
        return a;
    }

    /// <summary>random_bits: element i of key row r is b1 ^ b2 of the block at i.</summary>
    public static void RandomBits(Index1D i, ArrayView<int> o, ArrayView<int> key, int n)
    {
        int row = i / n, at = i % n;
        uint b1 = Block((uint)key[2 * row], (uint)key[2 * row + 1], at, out uint b2);
        o[i] = (int)(b1 ^ b2);
    }

    /// <summary>random_split: row j of key row r is (b1, b2) of the block at j.</summary>
    public static void RandomSplit(Index1D i, ArrayView<int> o, ArrayView<int> key, int count)
    {
        int row = i / count, j = i % count;
        uint b1 = Block((uint)key[2 * row], (uint)key[2 * row + 1], j, out uint b2);
        o[2 * i] = (int)b1;
        o[2 * i + 1] = (int)b2;
    }

    /// <summary>random_uniform f32: bitcast(((b1 ^ b2) &gt;&gt;&gt; 9) | 0x3F800000) - 1.</summary>
    public static void RandomUniformF32(Index1D i, ArrayView<float> o, ArrayView<int> key, int n)
    {
        int row = i / n, at = i % n;
        uint b1 = Block((uint)key[2 * row], (uint)key[2 * row + 1], at, out uint b2);
        o[i] = Interop.IntAsFloat(((b1 ^ b2) >> 9) | 0x3F800000u) - 1f;
    }

    /// <summary>random_uniform f64: bitcast(((b1 &lt;&lt; 32 | b2) &gt;&gt;&gt; 12) | 0x3FF0000000000000) - 1.</summary>
    public static void RandomUniformF64(Index1D i, ArrayView<double> o, ArrayView<int> key, int n)
    {
        int row = i / n, at = i % n;
        uint b1 = Block((uint)key[2 * row], (uint)key[2 * row + 1], at, out uint b2);
        o[i] = Interop.IntAsFloat(((((ulong)b1 << 32) | b2) >> 12) | 0x3FF0000000000000ul) - 1.0;
    }
}

/// <summary>
/// A float element type that the generic primitive kernels widen to double, compute with, and
/// round back: one kernel for f32 and f64 (ILGPU compiles the generic method per struct).
/// </summary>
public interface IFloatElement<T> where T : unmanaged
{
    /// <summary>x in double (exact).</summary>
    double Widen(T x);

    /// <summary>x rounded to the element type.</summary>
    T Round(double x);
}

/// <summary>f32 elements.</summary>
public readonly struct F32Element : IFloatElement<float>
{
    /// <inheritdoc />
    public double Widen(float x) => x;

    /// <inheritdoc />
    public float Round(double x) => (float)x;
}

/// <summary>f64 elements.</summary>
public readonly struct F64Element : IFloatElement<double>
{
    /// <inheritdoc />
    public double Widen(double x) => x;

    /// <inheritdoc />
    public double Round(double x) => x;
}

using ArrayLang.Backends.Cpu.Ops;
using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Backends.Cpu.Tiles;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.Cpu.Primitives;

internal static partial class PrimitiveExecutors
{
    // ---- argmax / argmin: the first index of the extreme value; the first NaN wins (IR.md) ----

    private static KernelExecutor Arg(PrimitiveSite s, bool isMax)
    {
        int axis = ((ArgParams)s.Kernel.Params).Axis;
        var x = s.In(0);
        var (outer, n, inner) = Around(x.Shape, axis);
        var (xi, o) = (s.Kernel.Inputs[0], s.Kernel.Outputs[0]);
        return new DelegateExecutor(bs =>
        {
            var src = bs[xi];
            var dst = bs[o].Span<int>();
            for (long a = 0; a < outer; a++)
                for (long c = 0; c < inner; c++)
                {
                    long start = a * n * inner + c;
                    int best = 0;
                    double bestValue = ValueAt(src, x.DType, start);
                    for (int i = 1; i < n && !double.IsNaN(bestValue); i++)
                    {
                        double v = ValueAt(src, x.DType, start + i * inner);
                        if (double.IsNaN(v) || (isMax ? v > bestValue : v < bestValue)) (best, bestValue) = (i, v);
                    }
                    dst[(int)(a * inner + c)] = best;
                }
        });
    }

    // ---- cumsum / cummax along an axis, optionally reversed ----

    private static KernelExecutor Cumulative(PrimitiveSite s)
    {
        var p = (CumulativeParams)s.Kernel.Params;
        bool isSum = s.Kernel.Primitive == Reduction.CumSum;
        var x = s.In(0);
        var (outer, n, inner) = Around(x.Shape, p.Axis);
        var (xi, o) = (s.Kernel.Inputs[0], s.Kernel.Outputs[0]);
        return new DelegateExecutor(bs =>
        {
            var src = bs[xi];
            var dst = bs[o];
            for (long a = 0; a < outer; a++)
                for (long c = 0; c < inner; c++)
                {
                    long start = a * n * inner + c;
                    // f32 sums accumulate in double: as cheap here, and closer to the reference's single rounding.
                    double acc = isSum ? -0.0 : double.NegativeInfinity; // -0: the identity of IEEE addition
                    int accInt = isSum ? 0 : int.MinValue;
                    for (int step = 0; step < n; step++)
                    {
                        long at = start + (p.Reverse ? n - 1 - step : step) * inner;
                        switch (x.DType)
                        {
                            case DType.I32:
                                int v = src.At<int>(at);
                                accInt = isSum ? unchecked(accInt + v) : Math.Max(accInt, v);
                                dst.At<int>(at) = accInt;
                                break;
                            case DType.F32:
                                acc = isSum ? acc + src.At<float>(at) : MaxFloatOp<double>.Scalar(acc, src.At<float>(at));
                                dst.At<float>(at) = (float)acc;
                                break;
                            default:
                                acc = isSum ? acc + src.At<double>(at) : MaxFloatOp<double>.Scalar(acc, src.At<double>(at));
                                dst.At<double>(at) = acc;
                                break;
                        }
                    }
                }
        });
    }

    // ---- randomness: Threefry-2x32 per element (IR.md "Randomness"), rows of keys in parallel ----

    private static KernelExecutor RandomBits(PrimitiveSite s)
    {
        int n = new Shape(((RandomBitsParams)s.Kernel.Params).Shape).Size;
        return PerKey(s, n, (k0, k1, row, dst) =>
        {
            var o = dst.Span<int>();
            for (int i = 0; i < n; i++) o[row * n + i] = unchecked((int)Threefry.Bits32(k0, k1, i));
        });
    }

    private static KernelExecutor RandomSplit(PrimitiveSite s)
    {
        int count = ((RandomSplitParams)s.Kernel.Params).Count;
        return PerKey(s, count * 2, (k0, k1, row, dst) =>
        {
            var o = dst.Span<int>();
            for (int j = 0; j < count; j++)
            {
                var (b1, b2) = Threefry.Block(k0, k1, j);
                o[(row * count + j) * 2] = unchecked((int)b1);
                o[(row * count + j) * 2 + 1] = unchecked((int)b2);
            }
        });
    }

    private static KernelExecutor RandomUniform(PrimitiveSite s)
    {
        var p = (RandomUniformParams)s.Kernel.Params;
        int n = new Shape(p.Shape).Size;
        return PerKey(s, n, (k0, k1, row, dst) =>
        {
            for (int i = 0; i < n; i++)
            {
                var (b1, b2) = Threefry.Block(k0, k1, i);
                if (p.DType == DType.F32) dst.At<float>((long)row * n + i) = Threefry.UniformF32(b1 ^ b2);
                else dst.At<double>((long)row * n + i) = Threefry.UniformF64(b1, b2);
            }
        });
    }

    private delegate void KeyRow(uint k0, uint k1, int row, BufferRef dst);

    /// <summary>Runs <paramref name="each"/> for every key row (a batch of keys gives one row each).</summary>
    private static KernelExecutor PerKey(PrimitiveSite s, int perRow, KeyRow each)
    {
        var (ki, o) = (s.Kernel.Inputs[0], s.Kernel.Outputs[0]);
        int rows = s.In(0).Shape.Size / 2;
        int threads = s.Options.MaxThreads;
        return new DelegateExecutor(bs =>
        {
            var key = bs[ki];
            var dst = bs[o];
            CpuParallel.For(rows, (long)rows * perRow * 16 >= CpuParallel.ParallelThreshold, threads, () => 0,
                (row, _) => each(unchecked((uint)key.At<int>(2L * row)), unchecked((uint)key.At<int>(2L * row + 1)), row, dst),
                _ => { });
        });
    }
}

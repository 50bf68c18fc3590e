using System.Numerics.Tensors;
using Tensor = ArrayLang.Tracing.Tensor;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArrayLang.Bench.Baselines;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.Bench.Workloads;

/// <summary>W1: <c>f(x, y) = x*y + sin(x)</c> on scalars, B = 10,000,000; elementwise and memory bound.</summary>
public sealed class W1Elementwise : MechanismWorkload
{
    private float[] _x = [], _y = [];

    /// <summary>The per-example function, written once.</summary>
    public static Tensor F(Tensor x, Tensor y) => x * y + Tensor.Sin(x);

    /// <inheritdoc />
    public override string Id => "W1";
    /// <inheritdoc />
    public override string Definition => "f(x, y) = x*y + sin(x), scalars";
    /// <inheritdoc />
    public override int Batch { get; }
    /// <inheritdoc />
    public override int InterpreterBatch => Math.Min(Batch, 1_000_000);
    /// <inheritdoc />
    public override int InterpreterLoopSample(bool quick) => Math.Min(Batch, quick ? 100_000 : 1_000_000);
    /// <inheritdoc />
    public override IReadOnlyList<int?> InAxes => [0, 0];
    /// <inheritdoc />
    public override int OutputsPerExample => 1;
    /// <inheritdoc />
    public override long BytesPerExample => 3 * sizeof(float);
    /// <inheritdoc />
    public override double Tolerance => 1e-5;

    /// <summary>W1 at BENCH.md's batch, or a smaller one (smoke tests).</summary>
    public W1Elementwise(int batch = 10_000_000) => Batch = batch;

    /// <inheritdoc />
    protected override TracedFunction TraceFunction() => Trace.Function(F, F32Scalar, F32Scalar);

    /// <inheritdoc />
    protected override void MakeInputs(Random rng)
    {
        _x = Uniform(rng, Batch, -4f, 4f);
        _y = Uniform(rng, Batch, -4f, 4f);
    }

    /// <inheritdoc />
    protected override void ReleaseInputs() { _x = []; _y = []; }

    /// <inheritdoc />
    protected override void ComputeOracle(float[] expected) =>
        Parallel.For(0, Batch, i => expected[i] = (float)((double)_x[i] * _y[i] + Math.Sin(_x[i])));

    /// <inheritdoc />
    public override NDArray[] BatchedArguments(int n) => [NDArray.Of(_x[..n], n), NDArray.Of(_y[..n], n)];

    /// <inheritdoc />
    public override NDArray[] ExampleArguments(int i) => [NDArray.Of([_x[i]]), NDArray.Of([_y[i]])];

    /// <inheritdoc />
    public override float[] RunTensorPrimitives()
    {
        var o = GC.AllocateUninitializedArray<float>(Batch);
        Cores.For(Batch, (s, e) =>
        {
            var x = _x.AsSpan(s..e);
            var dst = o.AsSpan(s..e);
            TensorPrimitives.Sin(x, dst);
            TensorPrimitives.MultiplyAdd(x, _y.AsSpan(s..e), dst, dst);
        });
        return o;
    }

    /// <inheritdoc />
    public override float[] RunHandFused()
    {
        var o = GC.AllocateUninitializedArray<float>(Batch);
        Cores.For(Batch, (s, e) =>
        {
            switch (SimdWidth.Bits)
            {
                case 512: HandFusedPart<V512<float>>(_x, _y, o, s, e); break;
                case 256: HandFusedPart<V256<float>>(_x, _y, o, s, e); break;
                default: HandFusedPart<V128<float>>(_x, _y, o, s, e); break;
            }
        }, align: 16);
        return o;
    }

    // Note [baseline kernels]: the hot loops of the baselines are compiled fully optimized on first
    // call, so that their timings never include tier-0 code (tiering is delayed on a loaded machine).
    // Each is written once over the width (Note [baseline widths]).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HandFusedPart<TV>(float[] xs, float[] ys, float[] o, int s, int e) where TV : struct, ISimd<TV, float>
    {
        int i = s, w = TV.Count;
        ref float x0 = ref MemoryMarshal.GetArrayDataReference(xs);
        ref float y0 = ref MemoryMarshal.GetArrayDataReference(ys);
        ref float o0 = ref MemoryMarshal.GetArrayDataReference(o);
        for (; i + w <= e; i += w)
        {
            var x = TV.Load(ref x0, (nuint)i);
            TV.Store(TV.Fma(x, TV.Load(ref y0, (nuint)i), FastMath.Sin(x)), ref o0, (nuint)i);
        }
        if (i < e)
        {
            var x = Tail.Load<TV>(xs, i, e - i);
            var y = Tail.Load<TV>(ys, i, e - i);
            Tail.Store(TV.Fma(x, y, FastMath.Sin(x)), o, i, e - i);
        }
    }
}

using System.Numerics.Tensors;
using Tensor = ArrayLang.Tracing.Tensor;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArrayLang.Bench.Baselines;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.Bench.Workloads;

/// <summary>
/// W2: <c>f(x) = tanh(((x*1.5+2)*x - 0.5) * exp(-x*x)) + sqrt(abs(x)+1)</c> on a scalar,
/// B = 10,000,000; fusion of a long chain.
/// </summary>
public sealed class W2Chain : MechanismWorkload
{
    private float[] _x = [];
    private float[] _scratchA = [], _scratchB = [];

    /// <summary>The per-example function, written once.</summary>
    public static Tensor F(Tensor x) => Tensor.Tanh(((x * 1.5 + 2) * x - 0.5) * Tensor.Exp(-x * x)) + Tensor.Sqrt(Tensor.Abs(x) + 1);

    /// <inheritdoc />
    public override string Id => "W2";
    /// <inheritdoc />
    public override string Definition => "f(x) = tanh(((x*1.5+2)*x - 0.5) * exp(-x*x)) + sqrt(abs(x)+1), scalar";
    /// <inheritdoc />
    public override int Batch { get; }
    /// <inheritdoc />
    public override int InterpreterBatch => Math.Min(Batch, 1_000_000);
    /// <inheritdoc />
    public override int InterpreterLoopSample(bool quick) => Math.Min(Batch, quick ? 100_000 : 1_000_000);
    /// <inheritdoc />
    public override IReadOnlyList<int?> InAxes => [0];
    /// <inheritdoc />
    public override int OutputsPerExample => 1;
    /// <inheritdoc />
    public override long BytesPerExample => 2 * sizeof(float);
    /// <inheritdoc />
    public override double Tolerance => 1e-5;

    /// <summary>W2 at BENCH.md's batch, or a smaller one (smoke tests).</summary>
    public W2Chain(int batch = 10_000_000) => Batch = batch;

    /// <inheritdoc />
    protected override TracedFunction TraceFunction() => Trace.Function(F, F32Scalar);

    /// <inheritdoc />
    protected override void MakeInputs(Random rng)
    {
        _x = Uniform(rng, Batch, -3f, 3f);
        // The TensorPrimitives baseline's temporaries, allocated once and reused by every call.
        _scratchA = new float[Batch];
        _scratchB = new float[Batch];
    }

    /// <inheritdoc />
    protected override void ReleaseInputs() { _x = []; _scratchA = []; _scratchB = []; }

    /// <inheritdoc />
    protected override void ComputeOracle(float[] expected) => Parallel.For(0, Batch, i =>
    {
        double x = _x[i];
        expected[i] = (float)(Math.Tanh(((x * 1.5 + 2) * x - 0.5) * Math.Exp(-x * x)) + Math.Sqrt(Math.Abs(x) + 1));
    });

    /// <inheritdoc />
    public override NDArray[] BatchedArguments(int n) => [NDArray.Of(_x[..n], n)];

    /// <inheritdoc />
    public override NDArray[] ExampleArguments(int i) => [NDArray.Of([_x[i]])];

    /// <inheritdoc />
    public override float[] RunTensorPrimitives()
    {
        var o = GC.AllocateUninitializedArray<float>(Batch);
        Cores.For(Batch, (s, e) =>
        {
            var x = _x.AsSpan(s..e);
            var dst = o.AsSpan(s..e);
            var g = _scratchA.AsSpan(s..e);
            var r = _scratchB.AsSpan(s..e);
            TensorPrimitives.Multiply(x, x, g);            // exp(-x*x)
            TensorPrimitives.Negate(g, g);
            TensorPrimitives.Exp(g, g);
            TensorPrimitives.Multiply(x, 1.5f, dst);       // (x*1.5 + 2)*x - 0.5
            TensorPrimitives.Add(dst, 2f, dst);
            TensorPrimitives.Multiply(dst, x, dst);
            TensorPrimitives.Subtract(dst, 0.5f, dst);
            TensorPrimitives.Multiply(dst, g, dst);
            TensorPrimitives.Tanh(dst, dst);
            TensorPrimitives.Abs(x, r);                    // sqrt(abs(x) + 1)
            TensorPrimitives.Add(r, 1f, r);
            TensorPrimitives.Sqrt(r, r);
            TensorPrimitives.Add(dst, r, dst);
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
                case 512: HandFusedPart<V512<float>>(_x, o, s, e); break;
                case 256: HandFusedPart<V256<float>>(_x, o, s, e); break;
                default: HandFusedPart<V128<float>>(_x, o, s, e); break;
            }
        }, align: 16);
        return o;
    }

    // Fully optimized on first call (Note [baseline kernels]), written once over the width (Note [baseline widths]).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HandFusedPart<TV>(float[] xs, float[] o, int s, int e) where TV : struct, ISimd<TV, float>
    {
        int i = s, w = TV.Count;
        ref float x0 = ref MemoryMarshal.GetArrayDataReference(xs);
        ref float o0 = ref MemoryMarshal.GetArrayDataReference(o);
        for (; i + w <= e; i += w)
            TV.Store(Kernel(TV.Load(ref x0, (nuint)i)), ref o0, (nuint)i);
        if (i < e) Tail.Store(Kernel(Tail.Load<TV>(xs, i, e - i)), o, i, e - i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Kernel<TV>(TV x) where TV : struct, ISimd<TV, float>
    {
        var p = TV.Fma(TV.Fma(x, TV.Splat(1.5f), TV.Splat(2f)), x, TV.Splat(-0.5f));
        var t = FastMath.Tanh(p * FastMath.Exp(-(x * x)));
        return t + TV.Sqrt(TV.Abs(x) + TV.Splat(1f));
    }
}

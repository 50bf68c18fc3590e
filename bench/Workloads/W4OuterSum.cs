using System.Numerics.Tensors;
using Tensor = ArrayLang.Tracing.Tensor;
using System.Runtime.CompilerServices;
using ArrayLang.Bench.Baselines;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.Bench.Workloads;

/// <summary>
/// W4: <c>f(x) = reduce_sum(outer(x, x) * 0.5, axis 1)</c>, <c>x: 512</c>, B = 1,024: a large
/// intermediate (the outer products are 1 GiB if materialized for the whole batch).
/// </summary>
public sealed class W4OuterSum : MechanismWorkload
{
    /// <summary>The vector length.</summary>
    public const int N = 512;

    private float[] _x = [];
    private readonly float[][] _outerPerCore = new float[Cores.Count][];

    /// <summary>
    /// The per-example function, written once: the outer product as x broadcast along each axis
    /// (NumPy's <c>x[:, None] * x[None, :]</c>), halved, summed over axis 1.
    /// </summary>
    public static Tensor F(Tensor x) =>
        (x.BroadcastTo([N, N], [0]) * x.BroadcastTo([N, N], [1]) * 0.5).Sum(1);

    /// <inheritdoc />
    public override string Id => "W4";
    /// <inheritdoc />
    public override string Definition => "f(x) = reduce_sum(outer(x, x) * 0.5, axis 1), x: 512";
    /// <inheritdoc />
    public override int Batch { get; }
    /// <inheritdoc />
    public override int InterpreterBatch => Math.Min(Batch, 64);
    /// <inheritdoc />
    public override int InterpreterLoopSample(bool quick) => Math.Min(Batch, quick ? 32 : 256);
    /// <inheritdoc />
    public override IReadOnlyList<int?> InAxes => [0];
    /// <inheritdoc />
    public override int OutputsPerExample => N;
    /// <inheritdoc />
    public override long BytesPerExample => 2L * N * sizeof(float);
    /// <inheritdoc />
    public override double Tolerance => 1e-5;

    /// <summary>W4 at BENCH.md's batch, or a smaller one (smoke tests).</summary>
    public W4OuterSum(int batch = 1_024) => Batch = batch;

    /// <inheritdoc />
    protected override TracedFunction TraceFunction() => Trace.Function(F, F32(N));

    /// <inheritdoc />
    protected override void MakeInputs(Random rng)
    {
        _x = Uniform(rng, (long)Batch * N, -1f, 1f);
        for (int p = 0; p < _outerPerCore.Length; p++) _outerPerCore[p] = new float[N * N];
    }

    /// <inheritdoc />
    protected override void ReleaseInputs() { _x = []; Array.Clear(_outerPerCore); }

    /// <inheritdoc />
    protected override void ComputeOracle(float[] expected) => Parallel.For(0, Batch, i =>
    {
        // sum_j x_i x_j / 2 = x_i (sum_j x_j) / 2, exactly in real arithmetic.
        double sum = 0;
        for (int j = 0; j < N; j++) sum += _x[i * N + j];
        for (int j = 0; j < N; j++) expected[i * N + j] = (float)(_x[i * N + j] * sum * 0.5);
    });

    /// <inheritdoc />
    public override NDArray[] BatchedArguments(int n) => [NDArray.Of(_x[..(n * N)], n, N)];

    /// <inheritdoc />
    public override NDArray[] ExampleArguments(int i) => [NDArray.Of(_x[(i * N)..((i + 1) * N)], N)];

    /// <summary>
    /// What a C# programmer writes: per example, the outer product into one 512x512 buffer per core
    /// (reused), halved, then each row summed; examples split over the cores.
    /// </summary>
    public override float[] RunTensorPrimitives()
    {
        var o = GC.AllocateUninitializedArray<float>(Batch * N);
        Cores.For(Batch, (part, s, e) =>
        {
            var outer = _outerPerCore[part].AsSpan();
            for (int i = s; i < e; i++)
            {
                var x = _x.AsSpan(i * N, N);
                for (int r = 0; r < N; r++) TensorPrimitives.Multiply(x, x[r], outer.Slice(r * N, N));
                TensorPrimitives.Multiply(outer, 0.5f, outer);
                for (int r = 0; r < N; r++) o[i * N + r] = TensorPrimitives.Sum(outer.Slice(r * N, N));
            }
        });
        return o;
    }

    /// <summary>
    /// The practical limit: the factored form <c>x_i * sum(x) * 0.5</c>, one vector pass to sum x
    /// and one to scale it, per example.
    /// </summary>
    public override float[] RunHandFused()
    {
        var o = GC.AllocateUninitializedArray<float>(Batch * N);
        Cores.For(Batch, (s, e) =>
        {
            switch (SimdWidth.Bits)
            {
                case 512: HandFusedPart<V512<float>>(_x, o, s, e); break;
                case 256: HandFusedPart<V256<float>>(_x, o, s, e); break;
                default: HandFusedPart<V128<float>>(_x, o, s, e); break;
            }
        });
        return o;
    }

    // Fully optimized on first call (Note [baseline kernels]), written once over the width (Note [baseline widths]).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HandFusedPart<TV>(float[] xs, float[] o, int s, int e) where TV : struct, ISimd<TV, float>
    {
        int w = TV.Count;
        for (int i = s; i < e; i++)
        {
            ref float x = ref xs[i * N];
            ref float y = ref o[i * N];
            TV s0 = TV.Zero, s1 = TV.Zero, s2 = TV.Zero, s3 = TV.Zero;
            for (int j = 0; j < N; j += 4 * w)
            {
                s0 += TV.Load(ref x, (nuint)j);
                s1 += TV.Load(ref x, (nuint)(j + w));
                s2 += TV.Load(ref x, (nuint)(j + 2 * w));
                s3 += TV.Load(ref x, (nuint)(j + 3 * w));
            }
            var half = TV.Splat(TV.Sum((s0 + s1) + (s2 + s3)) * 0.5f);
            for (int j = 0; j < N; j += w) TV.Store(TV.Load(ref x, (nuint)j) * half, ref y, (nuint)j);
        }
    }
}

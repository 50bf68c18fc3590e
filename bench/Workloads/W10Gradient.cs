using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArrayLang.Bench.Baselines;
using ArrayLang.CSharp;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.Bench.Workloads;

/// <summary>
/// W10, the per-example gradient of a linear model: <c>e = dot(w, x) + b - y</c>; returns
/// <c>(e * x, e)</c>; <c>x: 256</c>, <c>y</c> a scalar, <c>w: 256</c> and <c>b</c> shared, B = 65,536
/// (result 65536x256): shared weights, a matrix-vector product and a large stacked result. x and y
/// uniform in [-1, 1), w in [-0.1, 0.1), b = 0.25 (BENCH.md leaves them open).
/// </summary>
public sealed class W10Gradient : RealisticWorkload
{
    /// <summary>The number of features.</summary>
    public const int N = 256;

    private const float Bias = 0.25f;
    private float[] _x = [], _y = [], _w = [];
    private NDArray _wArray = null!, _bArray = null!;

    /// <summary>The per-example function, as a user writes it (the scalar error broadcast explicitly).</summary>
    public static readonly Fn4 F = Fn.Of((Tensor w, Tensor b, Tensor x, Tensor y) =>
    {
        var e = w.Dot(x) + b - y;
        return (e.BroadcastTo([N]) * x, e);
    });

    /// <inheritdoc />
    public override string Id => "W10";
    /// <inheritdoc />
    public override string Definition => "per-example gradient of a linear model: e = dot(w, x) + b - y; returns (e * x, e); x: 256, y scalar, w: 256, b scalar shared";
    /// <inheritdoc />
    public override int Batch { get; }
    /// <inheritdoc />
    public override int InterpreterBatch => Math.Min(Batch, 4_096);
    /// <inheritdoc />
    public override int InterpreterLoopSample(bool quick) => Math.Min(Batch, quick ? 1_024 : 8_192);
    /// <inheritdoc />
    public override IReadOnlyList<int?> InAxes => [null, null, 0, 0];
    /// <inheritdoc />
    public override IReadOnlyList<int> OutputSizes => [N, 1];
    /// <inheritdoc />
    public override long BytesPerExample => (2L * N + 2) * sizeof(float);
    /// <inheritdoc />
    public override double Tolerance => 1e-4;
    /// <inheritdoc />
    public override bool HasHandFused => true;

    /// <summary>W10 at BENCH.md's batch, or a smaller one (smoke tests).</summary>
    public W10Gradient(int batch = 65_536) => Batch = batch;

    /// <inheritdoc />
    protected override TracedFunction TraceFunction() => Lowered(F.Lower(F32(N), F32Scalar, F32(N), F32Scalar));

    /// <inheritdoc />
    protected override void MakeInputs(Random rng)
    {
        _x = Uniform(rng, (long)Batch * N, -1f, 1f);
        _y = Uniform(rng, Batch, -1f, 1f);
        _w = Uniform(rng, N, -0.1f, 0.1f);
        _wArray = NDArray.Of(_w, N);
        _bArray = NDArray.Of([Bias]);
    }

    /// <inheritdoc />
    protected override void ReleaseInputs() { _x = []; _y = []; _w = []; }

    /// <inheritdoc />
    public override NDArray[] BatchedArguments(int n) => [_wArray, _bArray, NDArray.Of(_x[..(n * N)], n, N), NDArray.Of(_y[..n], n)];

    /// <inheritdoc />
    public override NDArray[] ExampleArguments(int i) => [_wArray, _bArray, NDArray.Of(_x[(i * N)..((i + 1) * N)], N), NDArray.Of([_y[i]])];

    /// <inheritdoc />
    public override float[][] RunPlainLoop()
    {
        float[] g = new float[Batch * N], e = new float[Batch];
        for (int i = 0; i < Batch; i++) Example(i, g, e);
        return [g, e];
    }

    /// <inheritdoc />
    public override float[][] RunParallelFor()
    {
        float[] g = new float[Batch * N], e = new float[Batch];
        Parallel.For(0, Batch, i => Example(i, g, e));
        return [g, e];
    }

    private void Example(int i, float[] g, float[] es)
    {
        float dot = 0;
        for (int j = 0; j < N; j++) dot += _w[j] * _x[i * N + j];
        float e = dot + Bias - _y[i];
        for (int j = 0; j < N; j++) g[i * N + j] = e * _x[i * N + j];
        es[i] = e;
    }

    /// <summary>
    /// The practical limit, on all cores: per example the dot product with four accumulators over
    /// the 1 KiB row (w stays in L1), then <c>e * x</c> from the row just read (L1-resident).
    /// </summary>
    public override float[][] RunHandFused()
    {
        var g = GC.AllocateUninitializedArray<float>(Batch * N);
        var e = GC.AllocateUninitializedArray<float>(Batch);
        Cores.For(Batch, (s, end) =>
        {
            switch (SimdWidth.Bits)
            {
                case 512: HandFusedPart<V512<float>>(_x, _y, _w, g, e, s, end); break;
                case 256: HandFusedPart<V256<float>>(_x, _y, _w, g, e, s, end); break;
                default: HandFusedPart<V128<float>>(_x, _y, _w, g, e, s, end); break;
            }
        });
        return [g, e];
    }

    // Fully optimized on first call (Note [baseline kernels]), written once over the width (Note [baseline widths]).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HandFusedPart<TV>(float[] xs, float[] ys, float[] ws, float[] gs, float[] es, int s, int end) where TV : struct, ISimd<TV, float>
    {
        int v = TV.Count;
        ref float w = ref MemoryMarshal.GetArrayDataReference(ws);
        for (int i = s; i < end; i++)
        {
            ref float x = ref xs[(long)i * N];
            ref float g = ref gs[(long)i * N];
            TV s0 = TV.Zero, s1 = TV.Zero, s2 = TV.Zero, s3 = TV.Zero;
            for (int j = 0; j < N; j += 4 * v)
            {
                s0 = TV.Fma(TV.Load(ref w, (nuint)j), TV.Load(ref x, (nuint)j), s0);
                s1 = TV.Fma(TV.Load(ref w, (nuint)(j + v)), TV.Load(ref x, (nuint)(j + v)), s1);
                s2 = TV.Fma(TV.Load(ref w, (nuint)(j + 2 * v)), TV.Load(ref x, (nuint)(j + 2 * v)), s2);
                s3 = TV.Fma(TV.Load(ref w, (nuint)(j + 3 * v)), TV.Load(ref x, (nuint)(j + 3 * v)), s3);
            }
            float e = TV.Sum((s0 + s1) + (s2 + s3)) + Bias - ys[i];
            es[i] = e;
            var ev = TV.Splat(e);
            for (int j = 0; j < N; j += 2 * v)
            {
                TV.Store(TV.Load(ref x, (nuint)j) * ev, ref g, (nuint)j);
                TV.Store(TV.Load(ref x, (nuint)(j + v)) * ev, ref g, (nuint)(j + v));
            }
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArrayLang.Bench.Baselines;
using ArrayLang.CSharp;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.Bench.Workloads;

/// <summary>
/// W6, layer norm: <c>m = mean(x)</c>, <c>v = mean((x-m)^2)</c>, <c>f(x) = (x-m) / sqrt(v + 1e-5) * g + b</c>
/// with <c>x: 512</c> and <c>g, b: 512</c> shared, B = 16,384: a reduction whose result is broadcast
/// back along the same row. Inputs: x uniform in [-2, 2), g in [0.5, 1.5), b in [-0.5, 0.5) (BENCH.md
/// leaves their distribution open).
/// </summary>
public sealed class W6LayerNorm : RealisticWorkload
{
    /// <summary>The row length.</summary>
    public const int N = 512;

    private float[] _x = [], _g = [], _b = [];

    /// <summary>The per-example function, as a user writes it with the C# API (broadcasting is explicit).</summary>
    public static readonly Fn3 F = Fn.Of((Tensor x, Tensor g, Tensor b) =>
    {
        var m = x.Mean();
        var d = x - m.BroadcastTo([N]);
        var v = (d * d).Mean();
        return d / Tensor.Sqrt(v + 1e-5f).BroadcastTo([N]) * g + b;
    });

    /// <inheritdoc />
    public override string Id => "W6";
    /// <inheritdoc />
    public override string Definition => "layer norm: m = mean(x), v = mean((x-m)^2), f(x) = (x-m) / sqrt(v + 1e-5) * g + b; x: 512, g, b: 512 shared";
    /// <inheritdoc />
    public override int Batch { get; }
    /// <inheritdoc />
    public override int InterpreterBatch => Math.Min(Batch, 512);
    /// <inheritdoc />
    public override int InterpreterLoopSample(bool quick) => Math.Min(Batch, quick ? 256 : 2_048);
    /// <inheritdoc />
    public override IReadOnlyList<int?> InAxes => [0, null, null];
    /// <inheritdoc />
    public override IReadOnlyList<int> OutputSizes => [N];
    /// <inheritdoc />
    public override long BytesPerExample => 2L * N * sizeof(float);
    /// <inheritdoc />
    public override double Tolerance => 1e-4;
    /// <inheritdoc />
    public override bool HasHandFused => true;

    /// <summary>W6 at BENCH.md's batch, or a smaller one (smoke tests).</summary>
    public W6LayerNorm(int batch = 16_384) => Batch = batch;

    /// <inheritdoc />
    protected override TracedFunction TraceFunction() => Lowered(F.Lower(F32(N), F32(N), F32(N)));

    /// <inheritdoc />
    protected override void MakeInputs(Random rng)
    {
        _x = Uniform(rng, (long)Batch * N, -2f, 2f);
        _g = Uniform(rng, N, 0.5f, 1.5f);
        _b = Uniform(rng, N, -0.5f, 0.5f);
    }

    /// <inheritdoc />
    protected override void ReleaseInputs() { _x = []; _g = []; _b = []; }

    /// <inheritdoc />
    public override NDArray[] BatchedArguments(int n) => [NDArray.Of(_x[..(n * N)], n, N), NDArray.Of(_g, N), NDArray.Of(_b, N)];

    /// <inheritdoc />
    public override NDArray[] ExampleArguments(int i) => [NDArray.Of(_x[(i * N)..((i + 1) * N)], N), NDArray.Of(_g, N), NDArray.Of(_b, N)];

    /// <inheritdoc />
    public override float[][] RunPlainLoop()
    {
        var y = new float[Batch * N];
        for (int i = 0; i < Batch; i++) Example(_x, _g, _b, y, i);
        return [y];
    }

    /// <inheritdoc />
    public override float[][] RunParallelFor()
    {
        var y = new float[Batch * N];
        Parallel.For(0, Batch, i => Example(_x, _g, _b, y, i));
        return [y];
    }

    // One example, as a C# programmer writes it: the two means, then the normalized row.
    private static void Example(float[] x, float[] g, float[] b, float[] y, int i)
    {
        int o = i * N;
        float sum = 0;
        for (int j = 0; j < N; j++) sum += x[o + j];
        float m = sum / N;
        float sq = 0;
        for (int j = 0; j < N; j++)
        {
            float d = x[o + j] - m;
            sq += d * d;
        }
        float v = sq / N;
        float s = MathF.Sqrt(v + 1e-5f);
        for (int j = 0; j < N; j++) y[o + j] = (x[o + j] - m) / s * g[j] + b[j];
    }

    /// <summary>
    /// The practical limit, on all cores: per row (2 KiB, L1-resident after its first read) one vector
    /// pass for the sum and one for the squared deviations, each with four accumulators, then one
    /// pass that writes <c>(x - m) * r * g + b</c> with <c>r = 1 / sqrt(v + 1e-5)</c> (one division per
    /// row instead of one per element).
    /// </summary>
    public override float[][] RunHandFused()
    {
        var y = GC.AllocateUninitializedArray<float>(Batch * N);
        Cores.For(Batch, (s, e) =>
        {
            switch (SimdWidth.Bits)
            {
                case 512: HandFusedPart<V512<float>>(_x, _g, _b, y, s, e); break;
                case 256: HandFusedPart<V256<float>>(_x, _g, _b, y, s, e); break;
                default: HandFusedPart<V128<float>>(_x, _g, _b, y, s, e); break;
            }
        });
        return [y];
    }

    // Fully optimized on first call (Note [baseline kernels]), written once over the width (Note [baseline widths]).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HandFusedPart<TV>(float[] xs, float[] gs, float[] bs, float[] ys, int s, int e) where TV : struct, ISimd<TV, float>
    {
        int w = TV.Count;
        ref float g = ref MemoryMarshal.GetArrayDataReference(gs);
        ref float b = ref MemoryMarshal.GetArrayDataReference(bs);
        for (int i = s; i < e; i++)
        {
            ref float x = ref xs[(long)i * N];
            ref float y = ref ys[(long)i * N];
            TV s0 = TV.Zero, s1 = TV.Zero, s2 = TV.Zero, s3 = TV.Zero;
            for (int j = 0; j < N; j += 4 * w)
            {
                s0 += TV.Load(ref x, (nuint)j); s1 += TV.Load(ref x, (nuint)(j + w));
                s2 += TV.Load(ref x, (nuint)(j + 2 * w)); s3 += TV.Load(ref x, (nuint)(j + 3 * w));
            }
            var m = TV.Splat(TV.Sum((s0 + s1) + (s2 + s3)) / N);
            s0 = s1 = s2 = s3 = TV.Zero;
            for (int j = 0; j < N; j += 4 * w)
            {
                var d0 = TV.Load(ref x, (nuint)j) - m; var d1 = TV.Load(ref x, (nuint)(j + w)) - m;
                var d2 = TV.Load(ref x, (nuint)(j + 2 * w)) - m; var d3 = TV.Load(ref x, (nuint)(j + 3 * w)) - m;
                s0 = TV.Fma(d0, d0, s0); s1 = TV.Fma(d1, d1, s1);
                s2 = TV.Fma(d2, d2, s2); s3 = TV.Fma(d3, d3, s3);
            }
            float v = TV.Sum((s0 + s1) + (s2 + s3)) / N;
            var r = TV.Splat(1f / MathF.Sqrt(v + 1e-5f));
            for (int j = 0; j < N; j += 2 * w)
            {
                var y0 = TV.Fma((TV.Load(ref x, (nuint)j) - m) * r, TV.Load(ref g, (nuint)j), TV.Load(ref b, (nuint)j));
                var y1 = TV.Fma((TV.Load(ref x, (nuint)(j + w)) - m) * r, TV.Load(ref g, (nuint)(j + w)), TV.Load(ref b, (nuint)(j + w)));
                TV.Store(y0, ref y, (nuint)j); TV.Store(y1, ref y, (nuint)(j + w));
            }
        }
    }
}

using ArrayLang.CSharp;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.Bench.Workloads;

/// <summary>
/// W11, a geometric Brownian motion path: <c>s_0 = s0</c>;
/// <c>s_{t+1} = s_t * exp((0.05 - 0.5*0.04)/252 + 0.2*sqrt(1/252) * z[t])</c> by <c>scan</c> over
/// <c>z: 252</c>, returning every step's price (the stacked outputs <c>s_1 .. s_252</c>, 252 per path,
/// as a scan step that returns its new carry gives them). B = 100,000 (result 100000x252): a scan
/// with stacked outputs, memory bound. s0 uniform in [50, 150), z standard normal (BENCH.md); z is
/// stored one row of 252 per path (<c>in_axes = 0</c>).
/// </summary>
public sealed class W11Gbm : RealisticWorkload
{
    /// <summary>Steps per path (trading days in a year).</summary>
    public const int Steps = 252;

    /// <summary>The drift per step, <c>(0.05 - 0.5*0.04)/252</c>, in float as the user's C# computes it.</summary>
    public const float Drift = (0.05f - 0.5f * 0.04f) / 252f;

    /// <summary>The volatility per step, <c>0.2*sqrt(1/252)</c>.</summary>
    public static readonly float Vol = 0.2f * MathF.Sqrt(1f / 252f);

    private float[] _s0 = [], _z = [];

    /// <summary>The per-example function, as a user writes it with <c>Control.Scan</c>: every new price is also a step output.</summary>
    public static readonly Fn2 F = Fn.Of((Tensor s0, Tensor z) =>
        Control.Scan((s, zt) =>
        {
            var next = s * Tensor.Exp(Drift + Vol * zt);
            return (next, next);
        }, s0, z).Ys);

    /// <inheritdoc />
    public override string Id => "W11";
    /// <inheritdoc />
    public override string Definition => "geometric Brownian motion path: s_{t+1} = s_t * exp((0.05 - 0.5*0.04)/252 + 0.2*sqrt(1/252) * z[t]) by scan over z: 252, returning every s_t (stacked outputs)";
    /// <inheritdoc />
    public override int Batch { get; }
    /// <inheritdoc />
    public override int InterpreterBatch => Math.Min(Batch, 2_048);
    /// <inheritdoc />
    public override int InterpreterLoopSample(bool quick) => Math.Min(Batch, quick ? 64 : 1_024);
    /// <inheritdoc />
    public override IReadOnlyList<int?> InAxes => [0, 0];
    /// <inheritdoc />
    public override IReadOnlyList<int> OutputSizes => [Steps];
    /// <inheritdoc />
    public override long BytesPerExample => (2L * Steps + 1) * sizeof(float);
    /// <inheritdoc />
    public override double Tolerance => 1e-4;

    /// <summary>W11 at BENCH.md's batch, or a smaller one (smoke tests).</summary>
    public W11Gbm(int batch = 100_000) => Batch = batch;

    /// <inheritdoc />
    protected override TracedFunction TraceFunction() => Lowered(F.Lower(F32Scalar, F32(Steps)));

    /// <inheritdoc />
    protected override void MakeInputs(Random rng)
    {
        _s0 = Uniform(rng, Batch, 50f, 150f);
        _z = Normal(rng, (long)Batch * Steps);
    }

    /// <inheritdoc />
    protected override void ReleaseInputs() { _s0 = []; _z = []; }

    /// <inheritdoc />
    public override NDArray[] BatchedArguments(int n) => [NDArray.Of(_s0[..n], n), NDArray.Of(_z[..(n * Steps)], n, Steps)];

    /// <inheritdoc />
    public override NDArray[] ExampleArguments(int i) => [NDArray.Of([_s0[i]]), NDArray.Of(_z[(i * Steps)..((i + 1) * Steps)], Steps)];

    /// <inheritdoc />
    public override float[][] RunPlainLoop()
    {
        var paths = new float[Batch * Steps];
        for (int i = 0; i < Batch; i++) Example(i, paths);
        return [paths];
    }

    /// <inheritdoc />
    public override float[][] RunParallelFor()
    {
        var paths = new float[Batch * Steps];
        Parallel.For(0, Batch, i => Example(i, paths));
        return [paths];
    }

    private void Example(int i, float[] paths)
    {
        float s = _s0[i];
        for (int t = 0; t < Steps; t++)
        {
            s = s * MathF.Exp(Drift + Vol * _z[i * Steps + t]);
            paths[i * Steps + t] = s;
        }
    }
}

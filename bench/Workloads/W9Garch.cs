using ArrayLang.CSharp;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.Bench.Workloads;

/// <summary>
/// W9, a GARCH(1,1) filter over <c>r: 1000</c> with per-series scalars <c>omega, alpha, beta</c>:
/// <c>s = omega/(1-alpha-beta)</c>, <c>ll = 0</c>; for each t: <c>ll = ll - 0.5*(log(s) + r[t]^2/s)</c>,
/// <c>s = omega + alpha*r[t]^2 + beta*s</c>, and if <c>s &gt; 10</c> then <c>s = 10</c> (a branch on a
/// traced value); returns <c>(s, ll)</c>. B = 20,000: a scan with a per-lane branch. The series are
/// stored as a user stores them, one row of 1,000 returns per series (<c>r: [B, 1000]</c>,
/// <c>in_axes = 0</c>). omega uniform in [0.01, 0.1), alpha in [0.02, 0.15), beta in [0.7, 0.85), r
/// standard normal (BENCH.md).
/// </summary>
public sealed class W9Garch : RealisticWorkload
{
    /// <summary>The length of a series.</summary>
    public const int Steps = 1000;

    private float[] _omega = [], _alpha = [], _beta = [], _r = [];

    /// <summary>The per-example function, as a user writes it: <c>Control.Scan</c> over r, the cap with <c>Control.Cond</c>.</summary>
    public static readonly Fn4 F = Fn.Of((Tensor omega, Tensor alpha, Tensor beta, Tensor r) =>
    {
        var s0 = omega / (1f - alpha - beta);
        var (final, _) = Control.Scan((c, x) =>
        {
            Tensor s = c[0], ll = c[1], r2 = x[0] * x[0];
            var llNext = ll - 0.5f * (Tensor.Log(s) + r2 / s);
            var sNext = omega + alpha * r2 + beta * s;
            var capped = Control.Cond(sNext > 10f, () => Tensor.Scalar(10), () => sNext);
            return ([capped, llNext], []);
        }, [s0, Tensor.Scalar(0)], [r]);
        return (final[0], final[1]);
    });

    /// <inheritdoc />
    public override string Id => "W9";
    /// <inheritdoc />
    public override string Definition => "GARCH(1,1) filter over r: 1000, omega, alpha, beta per series: s = omega/(1-alpha-beta), ll = 0; per t: ll -= 0.5*(log(s) + r[t]^2/s); s = omega + alpha*r[t]^2 + beta*s; if s > 10 then s = 10; returns (s, ll)";
    /// <inheritdoc />
    public override int Batch { get; }
    /// <inheritdoc />
    public override int InterpreterBatch => Math.Min(Batch, 256);
    /// <inheritdoc />
    public override int InterpreterLoopSample(bool quick) => Math.Min(Batch, quick ? 16 : 256);
    /// <inheritdoc />
    public override IReadOnlyList<int?> InAxes => [0, 0, 0, 0];
    /// <inheritdoc />
    public override IReadOnlyList<int> OutputSizes => [1, 1];
    /// <inheritdoc />
    public override long BytesPerExample => (Steps + 5) * sizeof(float);
    /// <inheritdoc />
    public override double Tolerance => 1e-4;

    /// <summary>W9 at BENCH.md's batch, or a smaller one (smoke tests).</summary>
    public W9Garch(int batch = 20_000) => Batch = batch;

    /// <inheritdoc />
    protected override TracedFunction TraceFunction() => Lowered(F.Lower(F32Scalar, F32Scalar, F32Scalar, F32(Steps)));

    /// <inheritdoc />
    protected override void MakeInputs(Random rng)
    {
        _omega = Uniform(rng, Batch, 0.01f, 0.1f);
        _alpha = Uniform(rng, Batch, 0.02f, 0.15f);
        _beta = Uniform(rng, Batch, 0.7f, 0.85f);
        _r = Normal(rng, (long)Batch * Steps);
    }

    /// <inheritdoc />
    protected override void ReleaseInputs() { _omega = []; _alpha = []; _beta = []; _r = []; }

    /// <inheritdoc />
    public override NDArray[] BatchedArguments(int n) =>
        [NDArray.Of(_omega[..n], n), NDArray.Of(_alpha[..n], n), NDArray.Of(_beta[..n], n), NDArray.Of(_r[..(n * Steps)], n, Steps)];

    /// <inheritdoc />
    public override NDArray[] ExampleArguments(int i) =>
        [NDArray.Of([_omega[i]]), NDArray.Of([_alpha[i]]), NDArray.Of([_beta[i]]), NDArray.Of(_r[(i * Steps)..((i + 1) * Steps)], Steps)];

    /// <inheritdoc />
    public override float[][] RunPlainLoop()
    {
        float[] s = new float[Batch], ll = new float[Batch];
        for (int i = 0; i < Batch; i++) Example(i, s, ll);
        return [s, ll];
    }

    /// <inheritdoc />
    public override float[][] RunParallelFor()
    {
        float[] s = new float[Batch], ll = new float[Batch];
        Parallel.For(0, Batch, i => Example(i, s, ll));
        return [s, ll];
    }

    private void Example(int i, float[] ss, float[] lls)
    {
        float omega = _omega[i], alpha = _alpha[i], beta = _beta[i];
        float s = omega / (1f - alpha - beta), ll = 0;
        for (int t = 0; t < Steps; t++)
        {
            float r = _r[i * Steps + t], r2 = r * r;
            ll = ll - 0.5f * (MathF.Log(s) + r2 / s);
            s = omega + alpha * r2 + beta * s;
            if (s > 10f) s = 10f;
        }
        ss[i] = s;
        lls[i] = ll;
    }
}

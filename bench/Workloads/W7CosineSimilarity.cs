using ArrayLang.CSharp;
using ArrayLang.Ir;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.Bench.Workloads;

/// <summary>
/// W7, cosine similarity of every pair of P points: <c>f(a, c) = dot(a,c) / (sqrt(dot(a,a)) * sqrt(dot(c,c)) + 1e-12)</c>,
/// <c>a, c: 32</c>, batched as <c>vmap(vmap(f, in_axes=(none,0)), in_axes=(0,none))</c>, P = 2,048
/// (result 2048x2048): nested vmap with a short inner reduction. An example is a pair (i, j), so the
/// batch is P x P pairs, example <c>i*P + j</c>; a prefix of the batch is a prefix of the rows i (the
/// reference evaluator runs whole rows). Points uniform in [-1, 1).
/// </summary>
public sealed class W7CosineSimilarity : RealisticWorkload
{
    /// <summary>The dimension of a point.</summary>
    public const int D = 32;

    private readonly int _points;
    private float[] _p = [];
    private NDArray _all = null!;

    /// <summary>The per-example function: one pair of points.</summary>
    public static readonly Fn2 F = Fn.Of((Tensor a, Tensor c) =>
        a.Dot(c) / (Tensor.Sqrt(a.Dot(a)) * Tensor.Sqrt(c.Dot(c)) + 1e-12));

    /// <summary>Every point against every point: the inner vmap runs over c (a shared), the outer over a (c shared).</summary>
    public static readonly Fn2 AllPairs = F.Vmap(inAxes: [null, 0]).Vmap(inAxes: [0, null]);

    /// <inheritdoc />
    public override string Id => "W7";
    /// <inheritdoc />
    public override string Definition => "cosine similarity f(a, c) = dot(a,c) / (sqrt(dot(a,a)) * sqrt(dot(c,c)) + 1e-12), a, c: 32, as vmap(vmap(f, in_axes=(none,0)), in_axes=(0,none)) over P points (B = P x P pairs)";
    /// <inheritdoc />
    public override int Batch => _points * _points;
    /// <inheritdoc />
    public override int InterpreterBatch => Math.Min(_points, 8) * _points;
    /// <inheritdoc />
    public override int InterpreterLoopSample(bool quick) => Math.Min(Batch, quick ? 4_096 : 65_536);
    /// <inheritdoc />
    public override IReadOnlyList<int?> InAxes => [0, 0];
    /// <inheritdoc />
    public override IReadOnlyList<int> OutputSizes => [1];
    /// <inheritdoc />
    public override long BytesPerExample => sizeof(float);
    /// <inheritdoc />
    public override double FlopsPerExample => 6.0 * D + 4;
    /// <inheritdoc />
    public override double Tolerance => 1e-5;

    /// <summary>W7 over BENCH.md's 2,048 points, or fewer (smoke tests).</summary>
    public W7CosineSimilarity(int points = 2_048) => _points = points;

    /// <inheritdoc />
    protected override TracedFunction TraceFunction() => Lowered(F.Lower(F32(D), F32(D)));

    /// <summary>The nested vmap for the first <paramref name="n"/> pairs (whole rows: n is a multiple of P).</summary>
    public override Function BatchedFunction(int n) => AllPairs.Lower(F32(Rows(n), D), F32(_points, D));

    private int Rows(int n) => n % _points == 0 ? n / _points
        : throw new ArgumentException($"W7 runs whole rows of the {_points}x{_points} pairs; {n} pairs is not a multiple of {_points}", nameof(n));

    /// <inheritdoc />
    protected override void MakeInputs(Random rng)
    {
        _p = Uniform(rng, (long)_points * D, -1f, 1f);
        _all = NDArray.Of(_p, _points, D);
    }

    /// <inheritdoc />
    protected override void ReleaseInputs() { _p = []; _all = null!; }

    /// <inheritdoc />
    public override NDArray[] BatchedArguments(int n) => [NDArray.Of(_p[..(Rows(n) * D)], Rows(n), D), _all];

    /// <inheritdoc />
    public override NDArray[] ExampleArguments(int i)
    {
        int a = i / _points, c = i % _points;
        return [NDArray.Of(_p[(a * D)..((a + 1) * D)], D), NDArray.Of(_p[(c * D)..((c + 1) * D)], D)];
    }

    /// <inheritdoc />
    public override float[][] RunPlainLoop()
    {
        var o = new float[Batch];
        for (int i = 0; i < _points; i++) Row(_p, _points, o, i);
        return [o];
    }

    /// <summary>The same loops, the outer one (over rows) under <see cref="Parallel.For(int, int, Action{int})"/>.</summary>
    public override float[][] RunParallelFor()
    {
        var o = new float[Batch];
        Parallel.For(0, _points, i => Row(_p, _points, o, i));
        return [o];
    }

    // One row of the result, as a C# programmer writes it: the three dot products of a pair in one loop.
    private static void Row(float[] p, int points, float[] o, int i)
    {
        for (int j = 0; j < points; j++)
        {
            float ac = 0, aa = 0, cc = 0;
            for (int k = 0; k < D; k++)
            {
                float a = p[i * D + k], c = p[j * D + k];
                ac += a * c;
                aa += a * a;
                cc += c * c;
            }
            o[i * points + j] = ac / (MathF.Sqrt(aa) * MathF.Sqrt(cc) + 1e-12f);
        }
    }
}

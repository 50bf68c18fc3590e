using System.Numerics;
using System.Runtime.CompilerServices;
using ArrayLang.Bench.Baselines;
using ArrayLang.CSharp;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.Bench.Workloads;

/// <summary>
/// W8, Newton's cube root: <c>x = a</c>, <c>k = 0</c>; while <c>abs(x*x*x - a) &gt; 1e-5 * max(1, abs(a))</c>
/// and <c>k &lt; 60</c>: <c>x = x - (x*x*x - a) / (3*x*x)</c>, <c>k = k + 1</c>; returns <c>(x, k)</c>
/// (k a float, BENCH.md: float32 throughout). B = 4,000,000, <c>a = 10^u</c> with u uniform in [-3, 6]:
/// a batched <c>while</c> whose lanes finish after very different counts (2 to 60 steps here).
/// Every method computes the same f32 operations in the same order, so x and k must agree with
/// plain-loop exactly, k to the count (its tolerance is 0); a compiler that contracts
/// <c>a*b+c</c> into a fused multiply-add changes the counts (issue 11, item 5).
/// </summary>
public sealed class W8CubeRoot : RealisticWorkload
{
    /// <summary>The most Newton steps.</summary>
    public const float MaxSteps = 60;

    private float[] _a = [];

    /// <summary>The per-example function, as a user writes it with <c>Control.While</c>.</summary>
    public static readonly Fn1 F = Fn.Of((Tensor a) =>
    {
        var tol = 1e-5f * Tensor.Max(1f, Tensor.Abs(a));
        var r = Control.While(
            c => (Tensor.Abs(c[0] * c[0] * c[0] - a) > tol) & (c[1] < MaxSteps),
            c =>
            {
                var x = c[0];
                return [x - (x * x * x - a) / (3f * x * x), c[1] + 1f];
            },
            [a, Tensor.Scalar(0)]);
        return (r[0], r[1]);
    });

    /// <inheritdoc />
    public override string Id => "W8";
    /// <inheritdoc />
    public override string Definition => "Newton cube root: x = a, k = 0; while abs(x*x*x - a) > 1e-5 * max(1, abs(a)) and k < 60: x = x - (x*x*x - a) / (3*x*x); k = k + 1; returns (x, k); a = 10^u, u uniform in [-3, 6]";
    /// <inheritdoc />
    public override int Batch { get; }
    /// <inheritdoc />
    public override int InterpreterBatch => Math.Min(Batch, 16_384);
    /// <inheritdoc />
    public override int InterpreterLoopSample(bool quick) => Math.Min(Batch, quick ? 4_096 : 65_536);
    /// <inheritdoc />
    public override IReadOnlyList<int?> InAxes => [0];
    /// <inheritdoc />
    public override IReadOnlyList<int> OutputSizes => [1, 1];
    /// <inheritdoc />
    public override long BytesPerExample => 3 * sizeof(float);
    /// <inheritdoc />
    public override double Tolerance => 1e-5;
    /// <inheritdoc />
    public override double ToleranceOf(int result) => result == 1 ? 0 : Tolerance;
    /// <inheritdoc />
    public override bool HasHandFused => true;

    /// <summary>W8 at BENCH.md's batch, or a smaller one (smoke tests).</summary>
    public W8CubeRoot(int batch = 4_000_000) => Batch = batch;

    /// <inheritdoc />
    protected override TracedFunction TraceFunction() => Lowered(F.Lower(F32Scalar));

    /// <inheritdoc />
    protected override void MakeInputs(Random rng)
    {
        _a = new float[Batch];
        for (int i = 0; i < Batch; i++) _a[i] = (float)Math.Pow(10, -3 + 9 * rng.NextDouble());
    }

    /// <inheritdoc />
    protected override void ReleaseInputs() => _a = [];

    /// <inheritdoc />
    public override NDArray[] BatchedArguments(int n) => [NDArray.Of(_a[..n], n)];

    /// <inheritdoc />
    public override NDArray[] ExampleArguments(int i) => [NDArray.Of([_a[i]])];

    /// <inheritdoc />
    public override float[][] RunPlainLoop()
    {
        float[] x = new float[Batch], k = new float[Batch];
        for (int i = 0; i < Batch; i++) Example(_a, x, k, i);
        return [x, k];
    }

    /// <inheritdoc />
    public override float[][] RunParallelFor()
    {
        float[] x = new float[Batch], k = new float[Batch];
        Parallel.For(0, Batch, i => Example(_a, x, k, i));
        return [x, k];
    }

    private static void Example(float[] as_, float[] xs, float[] ks, int i)
    {
        float a = as_[i], x = a, k = 0;
        float tol = 1e-5f * MathF.Max(1f, MathF.Abs(a));
        while (MathF.Abs(x * x * x - a) > tol && k < MaxSteps)
        {
            x = x - (x * x * x - a) / (3f * x * x);
            k = k + 1;
        }
        xs[i] = x;
        ks[i] = k;
    }

    /// <summary>
    /// The practical limit, on all cores: two vectors of lanes (32 at 512 bits) iterate together, and
    /// a lane that finishes is refilled with the core's next example, so lanes do not idle waiting for
    /// the slowest one: when at least a quarter of the lanes are done, the finished lanes' results are
    /// written out and new examples loaded in their place (a short scalar pass over the lanes); a
    /// finished lane that waits for the next refill keeps its values, as under a mask. The arithmetic
    /// is plain-loop's, operation for operation (no fused multiply-add), so the counts agree exactly.
    /// </summary>
    public override float[][] RunHandFused()
    {
        var x = GC.AllocateUninitializedArray<float>(Batch);
        var k = GC.AllocateUninitializedArray<float>(Batch);
        Cores.For(Batch, (s, e) =>
        {
            switch (SimdWidth.Bits)
            {
                case 512: HandFusedPart<V512<float>>(_a, x, k, s, e); break;
                case 256: HandFusedPart<V256<float>>(_a, x, k, s, e); break;
                default: HandFusedPart<V128<float>>(_a, x, k, s, e); break;
            }
        });
        return [x, k];
    }

    // Fully optimized on first call (Note [baseline kernels]), written once over the width (Note [baseline widths]).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HandFusedPart<TV>(float[] as_, float[] xs, float[] ks, int s, int e) where TV : struct, ISimd<TV, float>
    {
        int w = TV.Count, lanes = 2 * w, refillBelow = lanes - lanes / 4;
        // Per lane: the example it holds (-1: none left), and its state while it is spilled for a refill.
        Span<int> idx = stackalloc int[lanes];
        Span<float> bx = stackalloc float[lanes], ba = stackalloc float[lanes], bk = stackalloc float[lanes], bt = stackalloc float[lanes];
        int next = s;
        for (int l = 0; l < lanes; l++) Load(l, ref next, e, as_, idx, bx, ba, bk, bt);
        var one = TV.Splat(1f);
        var three = TV.Splat(3f);
        var max = TV.Splat(MaxSteps);
        ulong all = lanes == 64 ? ulong.MaxValue : (1UL << lanes) - 1;
        while (true)
        {
            TV x0 = LoadAt<TV>(bx, 0), x1 = LoadAt<TV>(bx, w), a0 = LoadAt<TV>(ba, 0), a1 = LoadAt<TV>(ba, w);
            TV k0 = LoadAt<TV>(bk, 0), k1 = LoadAt<TV>(bk, w), t0 = LoadAt<TV>(bt, 0), t1 = LoadAt<TV>(bt, w);
            TV m0, m1;
            int active;
            while (true)
            {
                var r0 = x0 * x0 * x0 - a0; var r1 = x1 * x1 * x1 - a1;
                m0 = TV.GreaterThan(TV.Abs(r0), t0) & TV.LessThan(k0, max);
                m1 = TV.GreaterThan(TV.Abs(r1), t1) & TV.LessThan(k1, max);
                active = BitOperations.PopCount(TV.MaskBits(m0)) + BitOperations.PopCount(TV.MaskBits(m1));
                if (active < refillBelow) break;
                x0 = TV.Select(m0, x0 - r0 / (three * x0 * x0), x0);
                x1 = TV.Select(m1, x1 - r1 / (three * x1 * x1), x1);
                k0 += one & m0;
                k1 += one & m1;
            }
            if (active == 0 && next >= e) { Spill(x0, x1, k0, k1, bx, bk); Finish(idx, bx, bk, xs, ks); return; }
            // Refill: write out the finished lanes and load the next examples in their place; once the
            // core's examples run out, the last lanes run to the end with fewer lanes active.
            if (next < e || active == 0)
            {
                Spill(x0, x1, k0, k1, bx, bk);
                ulong done = ~(TV.MaskBits(m0) | (TV.MaskBits(m1) << w)) & all;
                for (; done != 0; done &= done - 1)
                {
                    int l = BitOperations.TrailingZeroCount(done);
                    if (idx[l] >= 0) { xs[idx[l]] = bx[l]; ks[idx[l]] = bk[l]; idx[l] = -1; }
                    Load(l, ref next, e, as_, idx, bx, ba, bk, bt);
                }
                continue;
            }
            // No examples left to load: step the remaining lanes under their masks until all are done.
            do
            {
                x0 = TV.Select(m0, x0 - (x0 * x0 * x0 - a0) / (three * x0 * x0), x0);
                x1 = TV.Select(m1, x1 - (x1 * x1 * x1 - a1) / (three * x1 * x1), x1);
                k0 += one & m0;
                k1 += one & m1;
                m0 = TV.GreaterThan(TV.Abs(x0 * x0 * x0 - a0), t0) & TV.LessThan(k0, max);
                m1 = TV.GreaterThan(TV.Abs(x1 * x1 * x1 - a1), t1) & TV.LessThan(k1, max);
            } while (TV.MaskBits(m0 | m1) != 0);
            Spill(x0, x1, k0, k1, bx, bk);
            Finish(idx, bx, bk, xs, ks);
            return;
        }
    }

    private static TV LoadAt<TV>(Span<float> lanes, int start) where TV : struct, ISimd<TV, float> =>
        TV.Load(ref lanes[start], 0);

    private static void Spill<TV>(TV x0, TV x1, TV k0, TV k1, Span<float> bx, Span<float> bk) where TV : struct, ISimd<TV, float>
    {
        int w = TV.Count;
        TV.Store(x0, ref bx[0], 0); TV.Store(x1, ref bx[w], 0);
        TV.Store(k0, ref bk[0], 0); TV.Store(k1, ref bk[w], 0);
    }

    private static void Finish(Span<int> idx, Span<float> bx, Span<float> bk, float[] xs, float[] ks)
    {
        for (int l = 0; l < idx.Length; l++)
            if (idx[l] >= 0) { xs[idx[l]] = bx[l]; ks[idx[l]] = bk[l]; }
    }

    // Puts the core's next example into lane l, or an idle lane (k = 60, so never active) when none is left.
    private static void Load(int l, ref int next, int e, float[] as_, Span<int> idx, Span<float> bx, Span<float> ba, Span<float> bk, Span<float> bt)
    {
        if (next < e)
        {
            float a = as_[next];
            idx[l] = next++;
            bx[l] = a; ba[l] = a; bk[l] = 0;
            bt[l] = 1e-5f * MathF.Max(1f, MathF.Abs(a));
        }
        else
        {
            idx[l] = -1;
            bx[l] = 1; ba[l] = 1; bk[l] = MaxSteps; bt[l] = 1;
        }
    }
}

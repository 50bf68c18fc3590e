using System.Numerics.Tensors;
using Tensor = ArrayLang.Tracing.Tensor;
using System.Runtime.CompilerServices;
using ArrayLang.Bench.Baselines;
using ArrayLang.Ir;
using ArrayLang.Primitives;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.Bench.Workloads;

/// <summary>
/// W5: <c>h_{t+1} = tanh(a*h_t + x_t)</c> for <c>t &lt; 1000</c> via <c>scan</c>, <c>h, a</c>
/// scalars, <c>x: 1000</c>, B = 65,536: vmap of scan. The result is the final <c>h</c>.
/// Note [W5 layout]: the batch stores x time-major, <c>[1000, B]</c>, and vmaps it with
/// <c>in_axes = 1</c>: step t of every example is then one contiguous row, which is where vmap of
/// scan puts the batch axis anyway (after the time axis), and what the lane-wise baselines read.
/// </summary>
public sealed class W5Recurrence : MechanismWorkload
{
    /// <summary>The number of time steps.</summary>
    public const int Steps = 1000;

    private float[] _h = [], _a = [], _x = [];
    private float[] _scratch = [];

    /// <summary>One step, written with the Tensor API: the scan body <c>(a, h, x_t) -> h'</c>.</summary>
    public static Tensor Step(Tensor a, Tensor h, Tensor xt) => Tensor.Tanh(a * h + xt);

    /// <inheritdoc />
    public override string Id => "W5";
    /// <inheritdoc />
    public override string Definition => "h_{t+1} = tanh(a*h_t + x_t) for t < 1000 via scan, h, a scalars, x: 1000";
    /// <inheritdoc />
    public override int Batch { get; }
    /// <inheritdoc />
    public override int InterpreterBatch => Math.Min(Batch, 4_096);
    /// <inheritdoc />
    public override int InterpreterLoopSample(bool quick) => Math.Min(Batch, quick ? 64 : 512);
    /// <inheritdoc />
    public override IReadOnlyList<int?> InAxes => [0, 0, 1];
    /// <inheritdoc />
    public override int OutputsPerExample => 1;
    /// <inheritdoc />
    public override long BytesPerExample => (Steps + 3) * sizeof(float);
    /// <inheritdoc />
    public override double Tolerance => 1e-5;

    /// <summary>W5 at BENCH.md's batch, or a smaller one (smoke tests).</summary>
    public W5Recurrence(int batch = 65_536) => Batch = batch;

    /// <summary>
    /// The per-example function <c>f(h, a, x) = final h</c>. The C# Tensor API has no scan helper,
    /// so the step is traced with the Tensor API and the scan equation
    /// (<c>consts = [a], carries = [h], xs = [x]</c>) is emitted with a <see cref="FunctionBuilder"/>.
    /// </summary>
    protected override TracedFunction TraceFunction()
    {
        var body = Trace.Function([F32Scalar, F32Scalar, F32Scalar], t => [Step(t[0], t[1], t[2])],
            name: "step", parameterNames: ["a", "h", "x_t"]).Function;
        var fb = new FunctionBuilder();
        var h = fb.AddParam(F32Scalar, "h");
        var a = fb.AddParam(F32Scalar, "a");
        var x = fb.AddParam(F32(Steps), "x");
        var final = fb.Emit(ControlFlow.Scan, new ScanParams(Steps, Reverse: false, Consts: 1, Carries: 1), [a, h, x], [body]);
        var f = fb.Build("w5", [final[0]]);
        TypeChecker.Check(f);
        return new TracedFunction(f, []);
    }

    /// <inheritdoc />
    protected override void MakeInputs(Random rng)
    {
        _h = Uniform(rng, Batch, -1f, 1f);
        _a = Uniform(rng, Batch, -0.9f, 0.9f);
        _x = Uniform(rng, (long)Steps * Batch, -1f, 1f);
        _scratch = new float[Batch];
    }

    /// <inheritdoc />
    protected override void ReleaseInputs() { _h = []; _a = []; _x = []; _scratch = []; }

    /// <inheritdoc />
    protected override void ComputeOracle(float[] expected)
    {
        var h = _h.Select(v => (double)v).ToArray();
        Cores.For(Batch, (s, e) =>
        {
            for (int t = 0; t < Steps; t++)
                for (int i = s; i < e; i++) h[i] = Math.Tanh(_a[i] * h[i] + _x[(long)t * Batch + i]);
        });
        for (int i = 0; i < Batch; i++) expected[i] = (float)h[i];
    }

    /// <inheritdoc />
    public override NDArray[] BatchedArguments(int n)
    {
        var x = new float[Steps * n];
        for (int t = 0; t < Steps; t++) Array.Copy(_x, (long)t * Batch, x, (long)t * n, n);
        return [NDArray.Of(_h[..n], n), NDArray.Of(_a[..n], n), NDArray.Of(x, Steps, n)];
    }

    /// <inheritdoc />
    public override NDArray[] ExampleArguments(int i)
    {
        var x = new float[Steps];
        for (int t = 0; t < Steps; t++) x[t] = _x[(long)t * Batch + i];
        return [NDArray.Of([_h[i]]), NDArray.Of([_a[i]]), NDArray.Of(x, Steps)];
    }

    /// <summary>What a C# programmer writes: the time loop outside, TensorPrimitives over each core's lanes.</summary>
    public override float[] RunTensorPrimitives()
    {
        var o = GC.AllocateUninitializedArray<float>(Batch);
        Cores.For(Batch, (s, e) =>
        {
            var h = o.AsSpan(s..e);
            var a = _a.AsSpan(s..e);
            var tmp = _scratch.AsSpan(s..e);
            _h.AsSpan(s..e).CopyTo(h);
            for (int t = 0; t < Steps; t++)
            {
                TensorPrimitives.Multiply(a, h, tmp);
                TensorPrimitives.Add(tmp, _x.AsSpan((int)((long)t * Batch + s), e - s), tmp);
                TensorPrimitives.Tanh(tmp, h);
            }
        }, align: 16);
        return o;
    }

    /// <summary>
    /// The practical limit: the time loop inside, blocked. Each core takes tiles of
    /// <see cref="TileLanes"/> lanes (their h, 4 KiB, stays in L1 in the output array) and runs the
    /// steps <see cref="TimeBlock"/> at a time: four vectors of lanes keep h and a in registers across
    /// a block of steps, then the next four vectors of the tile run the same steps. So h lives in
    /// registers across time steps while x is still read as whole contiguous row segments (4 KiB per
    /// row per block of steps, which the hardware prefetchers follow); registers across all 1000 steps
    /// would read x 256 bytes per row, a stride no prefetcher follows (three times slower on a busy
    /// machine).
    /// </summary>
    public override float[] RunHandFused()
    {
        var o = GC.AllocateUninitializedArray<float>(Batch);
        Cores.For(Batch, (s, e) =>
        {
            switch (SimdWidth.Bits)
            {
                case 512: HandFusedPart<V512<float>>(_h, _a, _x, Batch, o, s, e); break;
                case 256: HandFusedPart<V256<float>>(_h, _a, _x, Batch, o, s, e); break;
                default: HandFusedPart<V128<float>>(_h, _a, _x, Batch, o, s, e); break;
            }
        }, align: 64);
        return o;
    }

    /// <summary>Lanes per tile of the hand-fused baseline.</summary>
    private const int TileLanes = 1024;

    /// <summary>Steps per block of the hand-fused baseline.</summary>
    private const int TimeBlock = 16;

    // Fully optimized on first call (Note [baseline kernels]), written once over the width (Note [baseline widths]).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HandFusedPart<TV>(float[] hs, float[] as_, float[] xs, int batch, float[] o, int s, int e) where TV : struct, ISimd<TV, float>
    {
        int w = TV.Count;
        Array.Copy(hs, s, o, s, e - s);
        for (int l0 = s; l0 < e; l0 += TileLanes)
        {
            int lanes = Math.Min(TileLanes, e - l0);
            for (int t0 = 0; t0 < Steps; t0 += TimeBlock)
            {
                int t1 = Math.Min(Steps, t0 + TimeBlock), g = 0;
                for (; g + 4 * w <= lanes; g += 4 * w)
                {
                    int l = l0 + g;
                    ref float pa = ref as_[l];
                    ref float ph = ref o[l];
                    TV a0 = TV.Load(ref pa, 0), a1 = TV.Load(ref pa, (nuint)w), a2 = TV.Load(ref pa, (nuint)(2 * w)), a3 = TV.Load(ref pa, (nuint)(3 * w));
                    TV h0 = TV.Load(ref ph, 0), h1 = TV.Load(ref ph, (nuint)w), h2 = TV.Load(ref ph, (nuint)(2 * w)), h3 = TV.Load(ref ph, (nuint)(3 * w));
                    for (int t = t0; t < t1; t++)
                    {
                        ref float x = ref xs[t * batch + l];
                        h0 = FastMath.Tanh(TV.Fma(a0, h0, TV.Load(ref x, 0)));
                        h1 = FastMath.Tanh(TV.Fma(a1, h1, TV.Load(ref x, (nuint)w)));
                        h2 = FastMath.Tanh(TV.Fma(a2, h2, TV.Load(ref x, (nuint)(2 * w))));
                        h3 = FastMath.Tanh(TV.Fma(a3, h3, TV.Load(ref x, (nuint)(3 * w))));
                    }
                    TV.Store(h0, ref ph, 0); TV.Store(h1, ref ph, (nuint)w);
                    TV.Store(h2, ref ph, (nuint)(2 * w)); TV.Store(h3, ref ph, (nuint)(3 * w));
                }
                // The tile's last lanes (a core's share is not always a multiple of four vectors), one
                // vector at a time, the last one padded.
                for (; g < lanes; g += w)
                {
                    int l = l0 + g, count = Math.Min(w, lanes - g);
                    var a = Tail.Load<TV>(as_, l, count);
                    var h = Tail.Load<TV>(o, l, count);
                    for (int t = t0; t < t1; t++)
                        h = FastMath.Tanh(TV.Fma(a, h, Tail.Load<TV>(xs, t * batch + l, count)));
                    Tail.Store(h, o, l, count);
                }
            }
        }
    }
}

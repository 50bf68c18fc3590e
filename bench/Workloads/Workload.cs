using ArrayLang.Bench.Harness;
using ArrayLang.Ir;
using ArrayLang.Tracing;
using ArrayLang.Transforms;
using ArrayLang.Values;

namespace ArrayLang.Bench.Workloads;

/// <summary>
/// One workload of <c>shared/BENCH.md</c>: its per-example function, written once with the C#
/// API and traced once; the batched inputs; the expected results every method is checked against
/// (<see cref="Verify"/>) before it is timed; and its hand-written baselines. The per-example function
/// may return several results (W8 returns <c>(x, k)</c>): every method returns one array per result,
/// each example-major. <see cref="MechanismWorkload"/> (W1-W5) checks against a double-precision
/// oracle, <see cref="RealisticWorkload"/> (W6-W11) against its plain C# loop.
/// </summary>
public abstract class Workload
{
    private readonly Lazy<TracedFunction> _perExample;
    private float[][]? _expected;

    /// <summary>Traces the per-example function on first use.</summary>
    protected Workload() => _perExample = new(TraceFunction);

    /// <summary>The id of BENCH.md, e.g. <c>W1</c>.</summary>
    public abstract string Id { get; }

    /// <summary>The per-example function as BENCH.md writes it.</summary>
    public abstract string Definition { get; }

    /// <summary>The batch size B of BENCH.md (for W7, the number of pairs P x P).</summary>
    public abstract int Batch { get; }

    /// <summary>The prefix of the batch the vmap methods run on a scalar interpreter (the reference
    /// evaluator) when the whole batch would take too long (Harness.Methods.Sized decides, from one
    /// probe run at this size); its time is scaled linearly to <see cref="Batch"/>.</summary>
    public abstract int InterpreterBatch { get; }

    /// <summary>The same for the per-example loop on a scalar interpreter; <paramref name="quick"/> asks for a short run.</summary>
    public abstract int InterpreterLoopSample(bool quick);

    /// <summary>The traced per-example function (its captured constants, if any, come first).</summary>
    public TracedFunction PerExample => _perExample.Value;

    /// <summary>Per non-const parameter of <see cref="PerExample"/>: its batch axis in the batched
    /// arguments, or null for an argument shared by every example.</summary>
    public abstract IReadOnlyList<int?> InAxes { get; }

    /// <summary>Per result of the per-example function: its elements per example (flattened).</summary>
    public abstract IReadOnlyList<int> OutputSizes { get; }

    /// <summary>Bytes of inputs plus outputs per example, for GB/s (shared arguments not counted).</summary>
    public abstract long BytesPerExample { get; }

    /// <summary>Floating-point operations per example for GFLOP/s, or 0 when GB/s is the measure.</summary>
    public virtual double FlopsPerExample => 0;

    /// <summary>The tolerance of <see cref="Verify"/>: |got - expected| &lt;= tol (1 + |expected|).</summary>
    public abstract double Tolerance { get; }

    /// <summary>The tolerance for result <paramref name="result"/> (by default <see cref="Tolerance"/>; W8's count is exact).</summary>
    public virtual double ToleranceOf(int result) => Tolerance;

    /// <summary>What <see cref="Expected"/> is, for messages: <c>the oracle</c> or <c>plain-loop</c>.</summary>
    public abstract string ExpectedSource { get; }

    /// <summary>The expected results for the whole batch, one array per result, example-major (made by <see cref="Prepare"/>).</summary>
    public float[][] Expected => _expected ?? throw new InvalidOperationException($"{Id}: Prepare was not called");

    /// <summary>Makes the inputs (deterministic in <paramref name="seed"/>) and computes the expected results.</summary>
    public void Prepare(int seed)
    {
        MakeInputs(new Random(seed));
        _expected = ComputeExpected();
    }

    /// <summary>Drops the inputs and the expected results (a run keeps one workload's data in memory at a
    /// time, so that one workload's arrays do not count in the next one's process peak).</summary>
    public void Release()
    {
        _expected = null;
        ReleaseInputs();
    }

    /// <summary>Drops the inputs and scratch buffers made by <see cref="MakeInputs"/>.</summary>
    protected abstract void ReleaseInputs();

    /// <summary>The first <paramref name="n"/> examples in the batched layout, one array per
    /// non-const parameter (shared arguments whole).</summary>
    public abstract NDArray[] BatchedArguments(int n);

    /// <summary>Example <paramref name="i"/>'s own arguments, as the per-example loop passes them
    /// (built per call, as a user's loop would).</summary>
    public abstract NDArray[] ExampleArguments(int i);

    /// <summary>
    /// The batched function of the first <paramref name="n"/> examples, taking the captured constants
    /// and then <see cref="BatchedArguments"/>: by default <see cref="Vmap.Apply"/> of the per-example
    /// function with <see cref="InAxes"/>; W7 writes its nested vmap itself.
    /// </summary>
    public virtual Function BatchedFunction(int n) => Vmap.Apply(PerExample.Function, n, Methods.InAxesWithConsts(this));

    /// <summary>The hand-written baselines (JSON method names, run in this order before the backend methods).</summary>
    public abstract IReadOnlyList<string> BaselineMethods { get; }

    /// <summary>Runs the baseline <paramref name="method"/> over the whole batch; returns its results.</summary>
    public abstract float[][] RunBaseline(string method);

    /// <summary>Traces the per-example function (called once).</summary>
    protected abstract TracedFunction TraceFunction();

    /// <summary>Fills the inputs.</summary>
    protected abstract void MakeInputs(Random rng);

    /// <summary>The expected results for the whole batch (called by <see cref="Prepare"/> after <see cref="MakeInputs"/>).</summary>
    protected abstract float[][] ComputeExpected();

    /// <summary>
    /// Compares the results of the first <paramref name="examples"/> examples with <see cref="Expected"/>
    /// and throws <see cref="BenchmarkCheckFailed"/> naming the method, the result, the first bad
    /// element, the expected and found values: a benchmark that computes something else must not be
    /// timed. Equal values (infinities included) agree.
    /// </summary>
    public void Verify(string method, IReadOnlyList<float[]> got, int examples)
    {
        var exp = Expected;
        if (got.Count != exp.Length)
            throw new BenchmarkCheckFailed($"{Id} {method}: {got.Count} results, expected {exp.Length}");
        double worst = 0;
        for (int r = 0; r < exp.Length; r++)
        {
            int per = OutputSizes[r];
            long want = (long)examples * per;
            string which = exp.Length > 1 ? $"result {r}, " : "";
            if (got[r].Length < want)
                throw new BenchmarkCheckFailed($"{Id} {method}: {which}{got[r].Length} outputs, expected {want} ({examples} examples x {per})");
            for (int i = 0; i < want; i++)
            {
                double e = exp[r][i], g = got[r][i];
                double err = g == e ? 0 : Math.Abs(g - e) / (1 + Math.Abs(e));
                if (!(err <= ToleranceOf(r)))
                    throw new BenchmarkCheckFailed($"{Id} {method}: {which}output {i} (example {i / per}, element {i % per}) is {g}, {ExpectedSource} says {e} (|diff|/(1+|expected|) = {err:g3} > tolerance {ToleranceOf(r):g3})");
                worst = Math.Max(worst, err);
            }
        }
        LastMaxError = worst;
    }

    /// <summary>The largest normalized difference of the last successful <see cref="Verify"/>.</summary>
    public double LastMaxError { get; private set; }

    /// <summary>Uniform floats in [lo, hi).</summary>
    protected static float[] Uniform(Random rng, long n, float lo, float hi)
    {
        var a = new float[n];
        for (long i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.NextSingle();
        return a;
    }

    /// <summary>Standard normal floats (Box-Muller over <paramref name="rng"/>).</summary>
    protected static float[] Normal(Random rng, long n)
    {
        var a = new float[n];
        for (long i = 0; i < n; i += 2)
        {
            double r = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())), t = 2 * Math.PI * rng.NextDouble();
            a[i] = (float)(r * Math.Cos(t));
            if (i + 1 < n) a[i + 1] = (float)(r * Math.Sin(t));
        }
        return a;
    }

    /// <summary>A float scalar type, for tracing.</summary>
    protected static AVal F32Scalar => AVal.Scalar(DType.F32);

    /// <summary>A float array type, for tracing.</summary>
    protected static AVal F32(params int[] dims) => AVal.Of(DType.F32, dims);
}

/// <summary>
/// W1-W5, which isolate one mechanism each: one result, checked against an oracle computed by a plain
/// C# loop in double precision (independent of ArrayLang), and the two baselines TensorPrimitives and
/// hand-fused vector code at the machine's width (Note [baseline widths]).
/// </summary>
public abstract class MechanismWorkload : Workload
{
    /// <summary>Output elements per example (the single result, flattened).</summary>
    public abstract int OutputsPerExample { get; }

    /// <inheritdoc />
    public override IReadOnlyList<int> OutputSizes => [OutputsPerExample];

    /// <inheritdoc />
    public override string ExpectedSource => "the oracle";

    /// <inheritdoc />
    public override IReadOnlyList<string> BaselineMethods => [Methods.TensorPrimitives, Methods.HandFused];

    /// <inheritdoc />
    public override float[][] RunBaseline(string method) => method switch
    {
        Methods.TensorPrimitives => [RunTensorPrimitives()],
        Methods.HandFused => [RunHandFused()],
        _ => throw new ArgumentException($"{Id} has no baseline '{method}'", nameof(method)),
    };

    /// <summary>The TensorPrimitives baseline over the whole batch (both cores); returns the outputs.</summary>
    public abstract float[] RunTensorPrimitives();

    /// <summary>The hand-fused baseline over the whole batch (both cores), at the machine's vector width (Note [baseline widths]).</summary>
    public abstract float[] RunHandFused();

    /// <inheritdoc />
    protected override float[][] ComputeExpected()
    {
        var expected = new float[(long)Batch * OutputsPerExample is var n and <= int.MaxValue ? (int)n : throw new InvalidOperationException("batch too large")];
        ComputeOracle(expected);
        return [expected];
    }

    /// <summary>Writes the oracle's outputs for the whole batch into <paramref name="expected"/>.</summary>
    protected abstract void ComputeOracle(float[] expected);
}

/// <summary>A method's results differ from the expected ones: the method is reported as failed rather than timed.</summary>
public sealed class BenchmarkCheckFailed(string message) : Exception(message);

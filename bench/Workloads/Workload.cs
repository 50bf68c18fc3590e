using ArrayLang.Ir;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.Bench.Workloads;

/// <summary>
/// One workload of <c>shared/BENCH.md</c>: its per-example function, written once with the C#
/// <see cref="Tensor"/> API and traced once; the batched inputs; an oracle computed by a plain C#
/// loop in double precision (independent of ArrayLang); and the two hand-written baselines
/// (TensorPrimitives and hand-fused <c>Vector512</c>). Every result the suite times is first compared
/// with the oracle (<see cref="Verify"/>).
/// </summary>
public abstract class Workload
{
    private readonly Lazy<TracedFunction> _perExample;
    private float[]? _expected;

    /// <summary>Traces the per-example function on first use.</summary>
    protected Workload() => _perExample = new(TraceFunction);

    /// <summary>The id of BENCH.md, e.g. <c>W1</c>.</summary>
    public abstract string Id { get; }

    /// <summary>The per-example function as BENCH.md writes it.</summary>
    public abstract string Definition { get; }

    /// <summary>The batch size B of BENCH.md.</summary>
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

    /// <summary>Output elements per example (the single result, flattened).</summary>
    public abstract int OutputsPerExample { get; }

    /// <summary>Bytes of inputs plus outputs per example, for GB/s (shared arguments not counted).</summary>
    public abstract long BytesPerExample { get; }

    /// <summary>Floating-point operations per example for GFLOP/s, or 0 when GB/s is the measure.</summary>
    public virtual double FlopsPerExample => 0;

    /// <summary>The tolerance of <see cref="Verify"/>: |got - expected| &lt;= tol (1 + |expected|).</summary>
    public abstract double Tolerance { get; }

    /// <summary>The oracle's outputs for the whole batch, example-major (computed by <see cref="Prepare"/>).</summary>
    public float[] Expected => _expected ?? throw new InvalidOperationException($"{Id}: Prepare was not called");

    /// <summary>Makes the inputs (deterministic in <paramref name="seed"/>) and computes the oracle.</summary>
    public void Prepare(int seed)
    {
        MakeInputs(new Random(seed));
        _expected = new float[(long)Batch * OutputsPerExample is var n and <= int.MaxValue ? (int)n : throw new InvalidOperationException("batch too large")];
        ComputeOracle(_expected);
    }

    /// <summary>Drops the inputs and the oracle (a run keeps one workload's data in memory at a time,
    /// so that one workload's arrays do not count in the next one's process peak).</summary>
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

    /// <summary>The TensorPrimitives baseline over the whole batch (both cores); returns the outputs.</summary>
    public abstract float[] RunTensorPrimitives();

    /// <summary>The hand-fused <c>Vector512</c> baseline over the whole batch (both cores).</summary>
    public abstract float[] RunHandFused();

    /// <summary>Traces the per-example function (called once).</summary>
    protected abstract TracedFunction TraceFunction();

    /// <summary>Fills the inputs.</summary>
    protected abstract void MakeInputs(Random rng);

    /// <summary>Writes the oracle's outputs for the whole batch into <paramref name="expected"/>.</summary>
    protected abstract void ComputeOracle(float[] expected);

    /// <summary>
    /// Compares the outputs of the first <paramref name="examples"/> examples with the oracle and
    /// throws <see cref="BenchmarkCheckFailed"/> naming the method, the first bad element, the
    /// expected and found values: a benchmark that computes something else must not be timed.
    /// </summary>
    public void Verify(string method, ReadOnlySpan<float> got, int examples)
    {
        long want = (long)examples * OutputsPerExample;
        if (got.Length < want)
            throw new BenchmarkCheckFailed($"{Id} {method}: {got.Length} outputs, expected {want} ({examples} examples x {OutputsPerExample})");
        var exp = Expected;
        double worst = 0;
        for (int i = 0; i < want; i++)
        {
            double e = exp[i], g = got[i];
            double err = Math.Abs(g - e) / (1 + Math.Abs(e));
            if (!(err <= Tolerance))
                throw new BenchmarkCheckFailed($"{Id} {method}: output {i} (example {i / OutputsPerExample}, element {i % OutputsPerExample}) is {g}, the oracle says {e} (|diff|/(1+|expected|) = {err:g3} > tolerance {Tolerance:g3})");
            worst = Math.Max(worst, err);
        }
        LastMaxError = worst;
    }

    /// <summary>The largest normalized error of the last successful <see cref="Verify"/>.</summary>
    public double LastMaxError { get; private set; }

    /// <summary>Uniform floats in [lo, hi).</summary>
    protected static float[] Uniform(Random rng, long n, float lo, float hi)
    {
        var a = new float[n];
        for (long i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.NextSingle();
        return a;
    }

    /// <summary>A float scalar type, for tracing.</summary>
    protected static AVal F32Scalar => AVal.Scalar(DType.F32);

    /// <summary>A float array type, for tracing.</summary>
    protected static AVal F32(params int[] dims) => AVal.Of(DType.F32, dims);
}

/// <summary>A method's result differs from the oracle: the suite stops rather than time a wrong computation.</summary>
public sealed class BenchmarkCheckFailed(string message) : Exception(message);

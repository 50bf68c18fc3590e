namespace ArrayLang.Bench.Harness;

/// <summary>
/// One row of the results: a method on a workload and backend. Times are for the full batch of
/// BENCH.md; when the method ran fewer examples (<see cref="Batch"/> below the workload's B) the time
/// was scaled linearly and <see cref="Extrapolated"/> is set. A method that threw or computed
/// something else is a row too (<see cref="Failure"/>): its <see cref="Error"/> says what happened,
/// and it has no times.
/// </summary>
public sealed record Measurement
{
    /// <summary>The workload id (W1..W11).</summary>
    public required string Workload { get; init; }
    /// <summary>The backend label (<c>reference</c>, <c>cpu</c>, ...) or <c>baseline</c> for the hand-written ones.</summary>
    public required string Backend { get; init; }
    /// <summary>The method: <c>loop</c>, <c>vmap</c>, <c>jit(vmap)</c>, <c>TensorPrimitives</c>, <c>hand-fused</c>,
    /// <c>chunked-vmap</c>, <c>plain-loop</c>, <c>parallel-for</c>.</summary>
    public required string Method { get; init; }
    /// <summary>The median time of one run over the full batch, in milliseconds (scaled when extrapolated).</summary>
    public required double MedianMs { get; init; }
    /// <summary>The median time of one run as measured, over <see cref="Batch"/> examples.</summary>
    public required double MeasuredMs { get; init; }
    /// <summary>The fastest run as measured.</summary>
    public required double MinMs { get; init; }
    /// <summary>How many examples one run computed.</summary>
    public required int Batch { get; init; }
    /// <summary>The workload's full batch B.</summary>
    public required int FullBatch { get; init; }
    /// <summary>Whether <see cref="MedianMs"/> was scaled from a smaller batch.</summary>
    public bool Extrapolated => Batch < FullBatch;
    /// <summary>Timed runs behind the median.</summary>
    public required int Iterations { get; init; }
    /// <summary>Peak resident memory the method added during one run, native included (Note [peak memory]).</summary>
    public required long PeakBytes { get; init; }
    /// <summary>The process's peak resident size during that run.</summary>
    public required long ProcessPeakBytes { get; init; }
    /// <summary>Managed bytes allocated by one run.</summary>
    public required long AllocatedBytes { get; init; }
    /// <summary>Inputs plus outputs per second, in GB/s (10^9 bytes), over the full batch.</summary>
    public required double Gbps { get; init; }
    /// <summary>GFLOP/s where the workload counts flops (W3), else null.</summary>
    public double? Gflops { get; init; }
    /// <summary>The largest difference from the expected results (W1-W5: the oracle; W6-W11: plain-loop),
    /// |got - expected| / (1 + |expected|).</summary>
    public required double MaxError { get; init; }
    /// <summary>Compile time of the executable (ms), for the methods that compile one.</summary>
    public double? CompileMs { get; init; }
    /// <summary>Time relative to TensorPrimitives on the same workload (&gt; 1 is slower).</summary>
    public double? VsTensorPrimitives { get; init; }
    /// <summary>Time relative to hand-fused on the same workload (&gt; 1 is slower).</summary>
    public double? VsHandFused { get; init; }
    /// <summary>Time relative to plain-loop on the same workload (&lt; 1 is faster; W6-W11).</summary>
    public double? VsPlainLoop { get; init; }
    /// <summary>Time relative to parallel-for on the same workload (&lt; 1 is faster; W6-W11).</summary>
    public double? VsParallelFor { get; init; }
    /// <summary>
    /// Note [cpu time]: the process's CPU time (all threads) of the timed run that used the least, in ms, over the
    /// batch measured (Note [cpu time]). On a machine shared with other jobs wall time stretches with
    /// the load while CPU time mostly does not, so rates per CPU second compare across runs.
    /// </summary>
    public double? CpuMs { get; init; }
    /// <summary>For rows with <see cref="Gflops"/>: GFLOP per CPU second (per core busy), from <see cref="CpuMs"/>.</summary>
    public double? GflopsPerCpuSecond { get; init; }
    /// <summary>For rows with <see cref="Gflops"/>: <see cref="GflopsPerCpuSecond"/> as a fraction of the FMA peak's GFLOP per CPU second (same dtype, all cores), the load-independent form of <see cref="OfFmaPeak"/>.</summary>
    public double? OfFmaPeakPerCpuSecond { get; init; }
    /// <summary>For rows with <see cref="Gflops"/>: that rate as a fraction of the FMA peak of the same dtype on all cores (Note [fma peak]).</summary>
    public double? OfFmaPeak { get; init; }
    /// <summary>For chunked-vmap: examples per chunk.</summary>
    public int? ChunkSize { get; init; }
    /// <summary>For chunked-vmap: the memory budget in bytes.</summary>
    public long? BudgetBytes { get; init; }
    /// <summary>For chunked-vmap: the buffer plan's estimated peak of one chunk.</summary>
    public long? EstimatedPeakBytes { get; init; }
    /// <summary>Anything a reader must know to read the row right.</summary>
    public string? Note { get; init; }
    /// <summary>Why the method has no time: the exception it threw or its disagreement with the expected results.</summary>
    public string? Error { get; init; }
    /// <summary>Whether the method failed (<see cref="Error"/>); its times are NaN.</summary>
    public bool Failed => Error is not null;

    /// <summary>The row of a method that failed with <paramref name="error"/>.</summary>
    public static Measurement Failure(string workload, string backend, string method, int fullBatch, string error) => new()
    {
        Workload = workload, Backend = backend, Method = method, Error = error,
        MedianMs = double.NaN, MeasuredMs = double.NaN, MinMs = double.NaN, Batch = fullBatch, FullBatch = fullBatch,
        Iterations = 0, PeakBytes = 0, ProcessPeakBytes = 0, AllocatedBytes = 0, Gbps = double.NaN, MaxError = double.NaN,
    };
}

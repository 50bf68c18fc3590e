using System.Diagnostics;
using ArrayLang.Bench.Workloads;
using ArrayLang.Compile;

namespace ArrayLang.Bench.Harness;

/// <summary>
/// Times methods. Note [bench protocol]: per method, one untimed run that is also the memory run
/// (after a compacting collection, the peak working set is reset, the run's managed allocations and
/// peak resident growth are read, Note [peak memory]) and whose outputs are checked against the
/// expected results (W1-W5: the oracle; W6-W11: plain-loop), so nothing wrong is ever timed: a method
/// that throws or disagrees becomes a failed row (<see cref="Measurement.Failure"/>) and the run goes
/// on with the next method; then, for a method whose check ran under 0.5 s, untimed
/// warm-up runs for 0.5 s (tiered compilation); then timed runs, each after a full collection (outside
/// the timing) so that one run's garbage is not collected inside the next, until
/// <see cref="RunSettings.TargetIterations"/> runs or <see cref="RunSettings.BudgetSeconds"/> have
/// passed. The reported time is the median. The process keeps freed GC memory committed
/// (RetainVMGarbageCollection in the project): on this VM a first touch of a fresh 4 KiB page costs
/// about 7 us, and without it (or with runs back to back, where the previous results are still
/// alive) a run's 40 MB result was a new 10,000 pages each time: 75-90 ms of page faults for every
/// method of W1 and W2, ten times the work itself. Outputs are allocated by every method on every run (the
/// executables return new arrays; the baselines allocate theirs uninitialized); the baselines'
/// scratch buffers are allocated once and reused, as a careful C# programmer would.
/// </summary>
public static class Runner
{
    /// <summary>Every workload of BENCH.md at its full batch.</summary>
    public static IReadOnlyList<Workload> AllWorkloads() =>
        [new W1Elementwise(), new W2Chain(), new W3Dense(), new W4OuterSum(), new W5Recurrence(),
         new W6LayerNorm(), new W7CosineSimilarity(), new W8CubeRoot(), new W9Garch(), new W10Gradient(), new W11Gbm()];

    /// <summary>The ids of <see cref="AllWorkloads"/>, for messages.</summary>
    public static string KnownIds => string.Join(", ", AllWorkloads().Select(w => w.Id));

    /// <summary>Runs every method of <paramref name="w"/> on every backend; the baselines first, so that each
    /// row can carry its ratios to them.</summary>
    public static List<Measurement> RunWorkload(Workload w, IReadOnlyList<IBackend> backends, RunSettings s)
    {
        var log = s.Log;
        log.WriteLine($"== {w.Id}: {w.Definition}, B = {w.Batch:N0}");
        var sw = Stopwatch.StartNew();
        w.Prepare(s.Seed);
        log.WriteLine($"   inputs and the expected results ({w.ExpectedSource}) ready in {sw.Elapsed.TotalSeconds:F1} s");

        var rows = new List<Measurement>();
        bool Wanted(string method) => s.Methods is null || s.Methods.Contains(method);
        foreach (var method in w.BaselineMethods.Where(Wanted))
            rows.Add(Report(log, TimeOrFailure(w, Methods.BaselineBackend, method, () => Methods.Baseline(w, method), s)));
        foreach (var b in backends)
            foreach (var method in Methods.BackendNamesFor(w, b).Where(Wanted))
                rows.Add(Report(log, TimeOrFailure(w, BenchBackends.Label(b), method, () => Methods.ForBackend(w, b, method, s), s)));

        w.Release();
        double? Baseline(string method) => rows.SingleOrDefault(r => r.Method == method && !r.Failed)?.MedianMs;
        double? tp = Baseline(Methods.TensorPrimitives), hf = Baseline(Methods.HandFused);
        double? plain = Baseline(Methods.PlainLoop), par = Baseline(Methods.ParallelFor);
        rows = rows.Select(r => r.Failed ? r : r with
        {
            VsTensorPrimitives = r.MedianMs / tp, VsHandFused = r.MedianMs / hf,
            VsPlainLoop = r.MedianMs / plain, VsParallelFor = r.MedianMs / par,
        }).Select(r => r.Failed ? r : FmaPeak.WithFractions(r, s.FmaPeakF32)).ToList();
        if (w is RealisticWorkload) ReportTargets(log, rows);
        else ReportWidthTargets(log, rows);
        foreach (var r in rows.Where(r => r.OfFmaPeak is not null && !r.Failed))
            log.WriteLine($"   {r.Backend} {r.Method}: {r.Gflops:F1} GFLOP/s = {r.OfFmaPeak:P0} of the f32 FMA peak of all cores ({s.FmaPeakF32!.Gflops:F1} GFLOP/s), {r.OfFmaPeakPerCpuSecond:P0} per CPU second (target for the product >= 70%)");
        return rows;
    }

    /// <summary>
    /// Issue 11's targets for W6-W11, per backend: jit(vmap) at least 8x faster than plain-loop, at
    /// least 3x faster than parallel-for, and at most 1.3x the time of hand-fused where there is one.
    /// </summary>
    public static readonly (string What, string Target)[] RealisticTargets =
        [("speed-up over plain-loop", ">= 8x"), ("speed-up over parallel-for", ">= 3x"), ("time / hand-fused time", "<= 1.3x")];

    private static void ReportTargets(TextWriter log, List<Measurement> rows)
    {
        foreach (var jit in rows.Where(r => r.Method == Methods.JitVmap && !r.Failed))
            log.WriteLine($"   {jit.Backend} jit(vmap): {Ratio(1 / jit.VsPlainLoop)} over plain-loop (target {RealisticTargets[0].Target}), " +
                $"{Ratio(1 / jit.VsParallelFor)} over parallel-for (target {RealisticTargets[1].Target})" +
                (jit.VsHandFused is { } h ? $", {Ratio(h)} the hand-fused time (target {RealisticTargets[2].Target})" : ""));
    }

    /// <summary>
    /// Issue 11's targets for W1-W5 against the hand-fused baseline of the width the run uses
    /// (Note [baseline widths]): jit(vmap) at most 1.2x its time with <c>DOTNET_EnableAVX512=0</c>
    /// (256 bits), and (item 6) at most 1.1x on W1, W2, W5 and 1.0x on W3.
    /// </summary>
    public static string WidthTarget(string workload) => workload == "W3" ? "<= 1.0x" : workload == "W4" ? "-" : "<= 1.1x";

    private static void ReportWidthTargets(TextWriter log, List<Measurement> rows)
    {
        foreach (var jit in rows.Where(r => r.Method == Methods.JitVmap && !r.Failed && r.VsHandFused is not null))
            log.WriteLine($"   {jit.Backend} jit(vmap): {Ratio(jit.VsHandFused)} the hand-fused {Baselines.SimdWidth.Name} time " +
                $"(targets: {WidthTarget(jit.Workload)} (item 6){(Baselines.SimdWidth.Bits == 256 ? ", <= 1.2x at 256 bits" : "")})");
    }

    /// <summary>A ratio as the reports print it, or <c>-</c> when a side is missing.</summary>
    public static string Ratio(double? r) => r is { } v && double.IsFinite(v) ? $"{v:F2}x" : "-";

    /// <summary>
    /// Builds and times one method (<see cref="Time"/>); a method that throws while compiling or running,
    /// or whose results disagree with the expected ones, becomes a failed row and the run goes on: one
    /// compiler bug should not hide every other figure.
    /// </summary>
    public static Measurement TimeOrFailure(Workload w, string backend, string method, Func<MethodCase> make, RunSettings s)
    {
        try
        {
            return Time(w, make(), s);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            string what = e is BenchmarkCheckFailed ? e.Message : $"{e.GetType().Name}: {e.Message}";
            return Measurement.Failure(w.Id, backend, method, w.Batch, what);
        }
    }

    /// <summary>
    /// Gets the thread pool's workers running before a timed run: after a collection the other cores
    /// sit idle, and on this VM waking an idle core cost about 4 ms, which W4's sub-millisecond
    /// methods paid or not depending on timing (0.2 to 4.2 ms for the same code).
    /// </summary>
    private static void WakeWorkers() =>
        Parallel.For(0, Environment.ProcessorCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            _ => Thread.SpinWait(20_000));

    /// <summary>Checks and times one method (Note [bench protocol]).</summary>
    public static Measurement Time(Workload w, MethodCase c, RunSettings s)
    {
        // The memory run, which is also the check.
        ProcessMemory.Settle();
        long before = ProcessMemory.WorkingSet();
        ProcessMemory.ResetPeak();
        long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        long checkStart = Stopwatch.GetTimestamp();
        var outputs = c.Run();
        double checkSeconds = Stopwatch.GetElapsedTime(checkStart).TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocBefore;
        long processPeak = ProcessMemory.PeakWorkingSet();
        w.Verify($"{c.Method} on {c.Backend}", outputs, c.Examples);
        double maxError = w.LastMaxError;
        outputs = null!;

        // Warm-up for fast methods: tiered compilation promotes hot code after about 30 calls and a
        // short delay, and a method measured first in a workload (TensorPrimitives) was otherwise timed
        // partly at tier 0 (17 to 160 ms for W1 across runs).
        if (checkSeconds < 0.5)
            for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalSeconds < 0.5;)
                if (c.Timed is { } t) t(); else GC.KeepAlive(c.Run());
        var times = new List<double>();
        double cpuMs = double.MaxValue;
        var total = Stopwatch.StartNew();
        while (times.Count < s.TargetIterations && (times.Count == 0 || total.Elapsed.TotalSeconds < s.BudgetSeconds))
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
            WakeWorkers();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            float[][]? o = null;
            if (c.Timed is { } timed) timed(); else o = c.Run();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            cpuMs = Math.Min(cpuMs, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds);
            GC.KeepAlive(o);
        }
        times.Sort();
        double median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        double scale = (double)w.Batch / c.Examples;
        double fullMs = median * scale;
        return new Measurement
        {
            Workload = w.Id, Backend = c.Backend, Method = c.Method,
            MedianMs = fullMs, MeasuredMs = median, MinMs = times[0],
            Batch = c.Examples, FullBatch = w.Batch, Iterations = times.Count,
            PeakBytes = Math.Max(0, processPeak - before), ProcessPeakBytes = processPeak, AllocatedBytes = allocated,
            Gbps = (double)w.BytesPerExample * w.Batch / (fullMs * 1e6),
            Gflops = w.FlopsPerExample > 0 ? w.FlopsPerExample * w.Batch / (fullMs * 1e6) : null,
            MaxError = maxError, CompileMs = c.CompileMs, CpuMs = cpuMs,
            ChunkSize = c.ChunkSize, BudgetBytes = c.BudgetBytes, EstimatedPeakBytes = c.EstimatedPeakBytes,
            Note = c.Note,
        };
    }

    private static Measurement Report(TextWriter log, Measurement m)
    {
        if (m.Failed)
        {
            log.WriteLine($"   {m.Backend,-16} {m.Method,-16} FAILED: {m.Error}");
            return m;
        }
        string extra = m.Extrapolated ? $"  EXTRAPOLATED from {m.Batch:N0} of {m.FullBatch:N0} examples ({m.MeasuredMs:F2} ms measured)" : "";
        string rate = m.Gflops is { } g ? $"{g,8:F2} GFLOP/s" : $"{m.Gbps,8:F3} GB/s";
        log.WriteLine($"   {m.Backend,-16} {m.Method,-16} {m.MedianMs,12:F2} ms  {rate}  peak +{m.PeakBytes / 1048576.0,8:F1} MiB  alloc {m.AllocatedBytes / 1048576.0,8:F1} MiB  err {m.MaxError:E1}  x{m.Iterations}{extra}");
        return m;
    }
}

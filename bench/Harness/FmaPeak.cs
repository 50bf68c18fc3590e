using System.Diagnostics;
using System.Runtime.CompilerServices;
using ArrayLang.Bench.Baselines;

namespace ArrayLang.Bench.Harness;

/// <summary>
/// The FMA-throughput microbenchmark (issue 11, item 4): the GFLOP/s the cores reach on nothing but
/// multiply-adds at the vector width the machine runs, f32 and f64, on one core and on all of them.
/// Note [fma peak]: each thread runs <see cref="Chains"/> independent accumulators <c>c = c * a + b</c>
/// (one fused multiply-add, two flops per lane), enough to cover the FMA latency on every port of
/// current x86 and Arm cores (4 cycles x 2 ports needs 8), and few enough to stay in 16 registers.
/// All threads start together behind a barrier and the wall time until the last one ends is what
/// counts, so the all-core figure is what the cores deliver together (a shared or throttled core
/// shows). The best of several repeats is kept: on a machine shared with other jobs a repeat can only
/// be slowed down, never sped up. Where the hardware has no FMA (x86 with <c>DOTNET_EnableAVX2=0</c>)
/// the chains use a separate multiply and add, which is what any code reaches there, and the rows
/// say so. The matrix products' GFLOP/s are reported as a fraction of the peak of the same dtype on
/// all cores (<see cref="Measurement.OfFmaPeak"/>), and, since the machine the bench runs on is often
/// shared, also per CPU second (Note [cpu time]): GFLOP per second of CPU the process got, against
/// the peak's GFLOP per CPU second, which a time-sliced core leaves unchanged.
/// </summary>
public static class FmaPeak
{
    /// <summary>Independent accumulator chains per thread (Note [fma peak]).</summary>
    public const int Chains = 12;

    /// <summary>The workload id of the peak's rows in the reports.</summary>
    public const string Workload = "fma-peak";

    /// <summary>Whether the hardware fuses multiply-add (<see cref="SimdWidth.HasFma"/>).</summary>
    public static bool HasFma => SimdWidth.HasFma;

    /// <summary>The method name of a peak row, e.g. <c>f32 Vector512 fma, 2 threads</c>.</summary>
    public static string MethodName(string dtype, int threads) =>
        $"{dtype} {SimdWidth.Name} {(HasFma ? "fma" : "mul+add")}, {threads} thread{(threads == 1 ? "" : "s")}";

    /// <summary>Measures f32 and f64 on one thread and on every core; each measurement runs about <paramref name="seconds"/>, best of <paramref name="repeats"/>.</summary>
    public static List<Measurement> Measure(double seconds, int repeats)
    {
        var rows = new List<Measurement>();
        foreach (var dtype in new[] { "f32", "f64" })
            foreach (int threads in Environment.ProcessorCount > 1 ? [1, Environment.ProcessorCount] : new[] { 1 })
                rows.Add(MeasureOne(dtype, threads, seconds, repeats));
        return rows;
    }

    /// <summary>The all-core peak row of <paramref name="dtype"/> (<c>f32</c> or <c>f64</c>) among <paramref name="rows"/>, if measured.</summary>
    public static Measurement? AllCores(IEnumerable<Measurement> rows, string dtype) =>
        rows.Where(r => r.Workload == Workload && !r.Failed && r.Method.StartsWith(dtype + " ", StringComparison.Ordinal))
            .OrderByDescending(r => r.Batch).FirstOrDefault();

    /// <summary>The one-thread peak row of <paramref name="dtype"/> among <paramref name="rows"/>, if measured.</summary>
    public static Measurement? OneCore(IEnumerable<Measurement> rows, string dtype) =>
        rows.FirstOrDefault(r => r.Workload == Workload && !r.Failed && r.Batch == 1 && r.Method.StartsWith(dtype + " ", StringComparison.Ordinal));

    /// <summary><paramref name="row"/> with its fractions of <paramref name="peak"/> (wall and per CPU second) filled in.</summary>
    public static Measurement WithFractions(Measurement row, Measurement? peak) => peak is null || row.Gflops is null ? row : row with
    {
        OfFmaPeak = row.Gflops / peak.Gflops,
        GflopsPerCpuSecond = row.CpuMs is { } cpu && cpu > 0 ? row.Gflops * row.MeasuredMs / cpu : null,
        OfFmaPeakPerCpuSecond = row.CpuMs is { } c && c > 0 ? row.Gflops * row.MeasuredMs / c / peak.GflopsPerCpuSecond : null,
    };

    private static Measurement MeasureOne(string dtype, int threads, double seconds, int repeats)
    {
        // Calibrate the iteration count on one thread so that a measurement takes about `seconds`.
        long iterations = 1 << 16;
        while (true)
        {
            double t = Run(dtype, 1, iterations);
            if (t >= 0.02) { iterations = (long)(iterations * seconds / t); break; }
            iterations *= 4;
        }
        double best = double.MaxValue, bestCpu = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            best = Math.Min(best, Run(dtype, threads, iterations));
            bestCpu = Math.Min(bestCpu, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
        }
        int lanes = SimdWidth.Bits / (dtype == "f32" ? 32 : 64);
        double flops = 2.0 * lanes * Chains * iterations * threads;
        return new Measurement
        {
            Workload = Workload, Backend = Methods.BaselineBackend, Method = MethodName(dtype, threads),
            MedianMs = best * 1e3, MeasuredMs = best * 1e3, MinMs = best * 1e3,
            Batch = threads, FullBatch = threads, Iterations = repeats,
            PeakBytes = 0, ProcessPeakBytes = 0, AllocatedBytes = 0, Gbps = 0, MaxError = 0,
            Gflops = flops / best / 1e9, CpuMs = bestCpu * 1e3, GflopsPerCpuSecond = flops / bestCpu / 1e9,
            Note = $"{Chains} independent {(HasFma ? "fused multiply-add" : "multiply and add")} chains of {SimdWidth.Name}<{(dtype == "f32" ? "float" : "double")}> per thread, " +
                   $"{threads} thread{(threads == 1 ? "" : "s")} started together, best of {repeats} (Note [fma peak])",
        };
    }

    /// <summary>Seconds of wall time for <paramref name="threads"/> threads running the chains <paramref name="iterations"/> times each.</summary>
    private static double Run(string dtype, int threads, long iterations)
    {
        Action body = (dtype, SimdWidth.Bits) switch
        {
            ("f32", 512) => () => Chain<V512<float>, float>(iterations, 0.999f, 1e-3f),
            ("f32", 256) => () => Chain<V256<float>, float>(iterations, 0.999f, 1e-3f),
            ("f32", _) => () => Chain<V128<float>, float>(iterations, 0.999f, 1e-3f),
            (_, 512) => () => Chain<V512<double>, double>(iterations, 0.999, 1e-3),
            (_, 256) => () => Chain<V256<double>, double>(iterations, 0.999, 1e-3),
            _ => () => Chain<V128<double>, double>(iterations, 0.999, 1e-3),
        };
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() => { start.SignalAndWait(); body(); })).ToList();
        foreach (var w in workers) w.Start();
        start.SignalAndWait();
        long t0 = Stopwatch.GetTimestamp();
        foreach (var w in workers) w.Join();
        return Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }

    /// <summary>The sink of the chains' results, so that the JIT cannot drop them.</summary>
    private static double _sink;

    // Fully optimized on first call (Note [baseline kernels]): a tier-0 body would measure the JIT.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Chain<TV, T>(long iterations, T a, T b) where TV : struct, ISimd<TV, T> where T : unmanaged
    {
        var va = TV.Splat(a);
        var vb = TV.Splat(b);
        TV c0 = vb, c1 = vb, c2 = vb, c3 = vb, c4 = vb, c5 = vb, c6 = vb, c7 = vb, c8 = vb, c9 = vb, c10 = vb, c11 = vb;
        if (HasFma)
            for (long i = 0; i < iterations; i++)
            {
                c0 = TV.Fma(c0, va, vb); c1 = TV.Fma(c1, va, vb); c2 = TV.Fma(c2, va, vb); c3 = TV.Fma(c3, va, vb);
                c4 = TV.Fma(c4, va, vb); c5 = TV.Fma(c5, va, vb); c6 = TV.Fma(c6, va, vb); c7 = TV.Fma(c7, va, vb);
                c8 = TV.Fma(c8, va, vb); c9 = TV.Fma(c9, va, vb); c10 = TV.Fma(c10, va, vb); c11 = TV.Fma(c11, va, vb);
            }
        else
            for (long i = 0; i < iterations; i++)
            {
                c0 = c0 * va + vb; c1 = c1 * va + vb; c2 = c2 * va + vb; c3 = c3 * va + vb;
                c4 = c4 * va + vb; c5 = c5 * va + vb; c6 = c6 * va + vb; c7 = c7 * va + vb;
                c8 = c8 * va + vb; c9 = c9 * va + vb; c10 = c10 * va + vb; c11 = c11 * va + vb;
            }
        var sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
        _sink += Convert.ToDouble(TV.Sum(sum));
    }
}

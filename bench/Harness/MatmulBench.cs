using System.Diagnostics;
using ArrayLang.Compile;
using ArrayLang.Ir;
using ArrayLang.Tracing;
using ArrayLang.Values;
using ArrayLang.Backends.Cpu;
using ArrayLang.Bench.Workloads;

namespace ArrayLang.Bench.Harness;

/// <summary>
/// A plain matrix product <c>C = A B</c> of <see cref="Size"/> x <see cref="Size"/> matrices, f32 and
/// f64, compiled with <c>jit</c> on each host backend that compiles (not the scalar interpreters, not a
/// device), reported in GFLOP/s and as a fraction of the FMA peak of the same dtype on all cores
/// (<see cref="FmaPeak"/>; issue 11, item 4 asks for at least 70%). It is checked before it is
/// timed: sampled entries against a double-precision dot product.
/// </summary>
public static class MatmulBench
{
    /// <summary>M = N = K.</summary>
    public const int Size = 1024;

    /// <summary>The workload id of these rows in the reports.</summary>
    public const string Workload = "matmul";

    /// <summary>The method name, e.g. <c>jit(matmul) f32 1024</c>, or <c>jit(matmul) f32 1024, 1 thread</c>.</summary>
    public static string MethodName(string dtype, bool oneThread = false) => $"jit(matmul) {dtype} {Size}{(oneThread ? ", 1 thread" : "")}";

    /// <summary>Whether <paramref name="backend"/> gets these rows.</summary>
    public static bool Applies(IBackend backend) => !BenchBackends.IsScalarInterpreter(backend) && !BenchBackends.IsDevice(backend);

    /// <summary>Times the f32 and f64 products on <paramref name="backend"/>; <paramref name="peaks"/> are the FMA rows the fractions refer to.</summary>
    public static List<Measurement> Measure(IBackend backend, RunSettings s, IReadOnlyList<Measurement> peaks)
    {
        var rows = new List<Measurement>();
        // On the CPU backend also one thread against one core's peak: that figure does not depend on how
        // the work is split or on what the other core is doing.
        bool[] threadings = backend is CpuBackend && Environment.ProcessorCount > 1 ? [false, true] : [false];
        foreach (var dtype in new[] { DType.F32, DType.F64 })
            foreach (bool oneThread in threadings)
            {
                string name = dtype == DType.F32 ? "f32" : "f64";
                var compiled = oneThread ? new CpuBackend(new CpuOptions { MaxThreads = 1 }) : BenchBackends.For(backend, CompileMode.Fusion);
                try
                {
                    var row = MeasureOne(compiled, BenchBackends.Label(backend), MethodName(name, oneThread), dtype, s);
                    rows.Add(FmaPeak.WithFractions(row, oneThread ? FmaPeak.OneCore(peaks, name) : FmaPeak.AllCores(peaks, name)));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    string what = e is BenchmarkCheckFailed ? e.Message : $"{e.GetType().Name}: {e.Message}";
                    rows.Add(Measurement.Failure(Workload, BenchBackends.Label(backend), MethodName(name, oneThread), 1, what));
                }
            }
        return rows;
    }

    private static Measurement MeasureOne(IBackend compiled, string label, string method, DType dtype, RunSettings s)
    {
        var rng = new Random(s.Seed);
        var a = new double[Size * Size];
        var b = new double[Size * Size];
        for (int i = 0; i < a.Length; i++) { a[i] = rng.NextDouble() * 2 - 1; b[i] = rng.NextDouble() * 2 - 1; }
        NDArray Array(double[] d) => dtype == DType.F32
            ? NDArray.Of(d.Select(v => (float)v).ToArray(), Size, Size)
            : NDArray.Of(d, Size, Size);
        NDArray[] args = [Array(a), Array(b)];
        var t = AVal.Of(dtype, Size, Size);
        var f = ArrayLang.Tracing.Trace.Function((x, y) => x.Dot(y), t, t).Function;
        var sw = Stopwatch.StartNew();
        var exe = Jit.Compile(f, compiled);
        double compileMs = sw.Elapsed.TotalMilliseconds;

        var c = exe.Run(args)[0];
        Check(method, dtype, c, args, rng);

        for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalSeconds < 0.3;) exe.Run(args);
        var times = new List<double>();
        double cpuMs = double.MaxValue;
        var total = Stopwatch.StartNew();
        while (times.Count < s.TargetIterations && (times.Count == 0 || total.Elapsed.TotalSeconds < s.BudgetSeconds))
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            GC.KeepAlive(exe.Run(args));
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            cpuMs = Math.Min(cpuMs, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds);
        }
        times.Sort();
        double median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        double flops = 2.0 * Size * Size * Size;
        return new Measurement
        {
            Workload = Workload, Backend = label, Method = method,
            MedianMs = median, MeasuredMs = median, MinMs = times[0], Batch = 1, FullBatch = 1, Iterations = times.Count,
            PeakBytes = 0, ProcessPeakBytes = 0, AllocatedBytes = 0,
            Gbps = 3.0 * Size * Size * dtype.SizeInBytes() / (median * 1e6),
            Gflops = flops / (median * 1e6), MaxError = 0, CompileMs = compileMs, CpuMs = cpuMs,
        };
    }

    /// <summary>Compares 256 sampled entries with a double-precision dot product, within the rounding bound of a sum of <see cref="Size"/> products.</summary>
    private static void Check(string method, DType dtype, NDArray c, NDArray[] args, Random rng)
    {
        double Get(NDArray x, int i) => dtype == DType.F32 ? x.F32[i] : x.F64[i];
        double eps = dtype == DType.F32 ? 6e-8 : 1.2e-16;
        for (int n = 0; n < 256; n++)
        {
            int i = rng.Next(Size), j = rng.Next(Size);
            double exact = 0, magnitude = 0;
            for (int k = 0; k < Size; k++)
            {
                double p = Get(args[0], i * Size + k) * Get(args[1], k * Size + j);
                exact += p;
                magnitude += Math.Abs(p);
            }
            double got = Get(c, i * Size + j);
            if (!(Math.Abs(got - exact) <= 2 * Size * eps * magnitude))
                throw new BenchmarkCheckFailed($"{method}: C[{i}, {j}] is {got}, a double-precision dot product says {exact}");
        }
    }
}

using System.Diagnostics;
using ArrayLang.Bench.Workloads;
using ArrayLang.Compile;
using ArrayLang.Ir;
using ArrayLang.Transforms;
using ArrayLang.Values;

namespace ArrayLang.Bench.Harness;

/// <summary>
/// The methods of BENCH.md as <see cref="MethodCase"/>s. All of them run the workload's one traced
/// per-example function: the loop calls it compiled, once per example; the vmap methods compile its
/// batched form; the baselines are the workload's hand-written code.
/// </summary>
public static class Methods
{
    /// <summary>The JSON method names, exactly as CLARIFICATIONS.md fixes them.</summary>
    public const string Loop = "loop", Vmap = "vmap", JitVmap = "jit(vmap)", TensorPrimitives = "TensorPrimitives",
        HandFused = "hand-fused", ChunkedVmap = "chunked-vmap", PlainLoop = "plain-loop", ParallelFor = "parallel-for";

    /// <summary>Every method name the suite knows (what <c>--methods</c> accepts).</summary>
    public static readonly string[] All = [Loop, Vmap, JitVmap, TensorPrimitives, HandFused, ChunkedVmap, PlainLoop, ParallelFor];

    /// <summary>The backend label of the hand-written baselines, which use no backend.</summary>
    public const string BaselineBackend = "baseline";

    /// <summary>The methods BENCH.md asks for on <paramref name="w"/>: the baselines, then the backend methods in report order.</summary>
    public static IEnumerable<string> Names(Workload w) =>
        [.. w.BaselineMethods, .. BackendNames(w)];

    /// <summary>The methods of <paramref name="w"/> that run on a backend, in report order.</summary>
    public static IEnumerable<string> BackendNames(Workload w) =>
        w is W4OuterSum ? [Loop, Vmap, JitVmap, ChunkedVmap] : [Loop, Vmap, JitVmap];

    /// <summary>The backend method <paramref name="method"/> of <paramref name="w"/> on <paramref name="backend"/>, compiled and ready.</summary>
    public static MethodCase ForBackend(Workload w, IBackend backend, string method, RunSettings s) => method switch
    {
        Loop => PerExampleLoop(w, backend, s),
        Vmap => Batched(w, backend, Vmap, CompileMode.NoFusion, s),
        JitVmap => Batched(w, backend, JitVmap, CompileMode.Fusion, s),
        ChunkedVmap => Chunked.Case(w, backend, s),
        _ => throw new ArgumentException($"{method} is not a backend method of {w.Id}", nameof(method)),
    };

    /// <summary>The hand-written baseline <paramref name="method"/> of a workload, over the whole batch.</summary>
    public static MethodCase Baseline(Workload w, string method) =>
        new(BaselineBackend, method, w.Batch, () => w.RunBaseline(method));

    /// <summary>
    /// <c>loop</c>: the per-example function compiled once (<see cref="Jit.Compile"/>) and called once
    /// per example from a C# loop that builds each example's arguments, as a user's loop would.
    /// Under <c>--quick</c> a compiled backend runs a prefix of at most <see cref="RunSettings.QuickLoopExamples"/>
    /// examples, fewer where a probe says one run would take longer than
    /// <see cref="RunSettings.MaxInterpreterRunSeconds"/> (W9's loop took 84 s per run over its 20,000
    /// examples); CLARIFICATIONS.md allows the subsample: the time is scaled linearly and marked
    /// extrapolated. A scalar interpreter runs a prefix unless the whole batch fits (<see cref="Sized"/>).
    /// </summary>
    public static MethodCase PerExampleLoop(Workload w, IBackend backend, RunSettings s)
    {
        if (BenchBackends.IsScalarInterpreter(backend))
            return Sized(w.InterpreterLoopSample(s.Quick), w.Batch, s, n => PerExampleLoop(w, backend, n));
        if (!s.Quick) return PerExampleLoop(w, backend, w.Batch);
        return SizedByTime(QuickLoopProbe, Math.Min(w.Batch, RunSettings.QuickLoopExamples), s.MaxInterpreterRunSeconds, n => PerExampleLoop(w, backend, n));
    }

    /// <summary>Examples of the probe run that sizes the per-example loop under <c>--quick</c>.</summary>
    private const int QuickLoopProbe = 200;

    /// <summary>
    /// The case for the largest prefix, at most <paramref name="cap"/> examples, whose one run should take
    /// about <paramref name="seconds"/>, judged from the second of two runs of the case for
    /// <paramref name="probe"/> examples (the first pays for first calls: tier-0 code, caches; it made
    /// W1's loop look 50 times slower per example than it is).
    /// </summary>
    public static MethodCase SizedByTime(int probe, int cap, double seconds, Func<int, MethodCase> make)
    {
        var small = make(Math.Min(probe, cap));
        if (small.Examples >= cap) return small;
        small.Run();
        long t0 = Stopwatch.GetTimestamp();
        small.Run();
        double perExample = Stopwatch.GetElapsedTime(t0).TotalSeconds / small.Examples;
        int n = (int)Math.Clamp(seconds / perExample, small.Examples, cap);
        return n == small.Examples ? small : make(n);
    }

    private static MethodCase PerExampleLoop(Workload w, IBackend backend, int n)
    {
        var f = w.PerExample;
        var sw = Stopwatch.StartNew();
        var exe = Jit.Compile(f.Function, BenchBackends.For(backend, CompileMode.Fusion));
        double compileMs = sw.Elapsed.TotalMilliseconds;
        var consts = f.Constants;
        var sizes = w.OutputSizes;
        return new MethodCase(BenchBackends.Label(backend), Loop, n, () =>
        {
            var o = sizes.Select(per => new float[(long)n * per]).ToArray();
            for (int i = 0; i < n; i++)
            {
                var r = Floats(exe.Run([.. consts, .. w.ExampleArguments(i)]));
                for (int k = 0; k < o.Length; k++) r[k].CopyTo(o[k], (long)i * sizes[k]);
            }
            return o;
        }) { CompileMs = compileMs };
    }

    /// <summary>
    /// <c>vmap</c> or <c>jit(vmap)</c>: the per-example function batched by <see cref="Transforms.Vmap.Apply"/>
    /// and compiled for <paramref name="mode"/>; a scalar interpreter may run a prefix (<see cref="Sized"/>).
    /// </summary>
    public static MethodCase Batched(Workload w, IBackend backend, string method, CompileMode mode, RunSettings s) =>
        BenchBackends.IsScalarInterpreter(backend)
            ? Sized(w.InterpreterBatch, w.Batch, s, n => Batched(w, backend, method, mode, n))
            : Batched(w, backend, method, mode, w.Batch);

    private static MethodCase Batched(Workload w, IBackend backend, string method, CompileMode mode, int n)
    {
        var f = w.PerExample;
        var sw = Stopwatch.StartNew();
        var batched = w.BatchedFunction(n);
        var exe = Jit.Compile(batched, BenchBackends.For(backend, mode));
        double compileMs = sw.Elapsed.TotalMilliseconds;
        NDArray[] args = [.. f.Constants, .. w.BatchedArguments(n)];
        return new MethodCase(BenchBackends.Label(backend), method, n, () => Floats(exe.Run(args))) { CompileMs = compileMs };
    }

    /// <summary>
    /// The case a scalar interpreter runs: built for <paramref name="reduced"/> examples and run once
    /// as a probe; when that run, scaled to <paramref name="full"/> examples, fits
    /// <see cref="RunSettings.MaxInterpreterRunSeconds"/>, the case for the whole batch instead (no
    /// extrapolation needed), else the reduced one (its time scaled linearly and marked extrapolated).
    /// The probe includes first-run costs, so it errs towards the reduced batch.
    /// </summary>
    public static MethodCase Sized(int reduced, int full, RunSettings s, Func<int, MethodCase> make)
    {
        var probe = make(Math.Min(reduced, full));
        if (probe.Examples >= full) return probe;
        long t0 = Stopwatch.GetTimestamp();
        probe.Run();
        double estimate = Stopwatch.GetElapsedTime(t0).TotalSeconds * full / probe.Examples;
        return estimate <= s.MaxInterpreterRunSeconds ? make(full) : probe;
    }

    /// <summary>The data of every result, which the workloads keep f32 (BENCH.md: float32 throughout).</summary>
    public static float[][] Floats(NDArray[] results) =>
        results.Select((r, i) => r.DType == DType.F32 ? r.F32
            : throw new InvalidOperationException($"result {i} is {r.Type}; the bench compares f32 results only")).ToArray();

    /// <summary>The in_axes of the traced function: its captured constants (shared) first, then the workload's.</summary>
    public static IReadOnlyList<int?> InAxesWithConsts(Workload w) =>
        [.. w.PerExample.Constants.Select(_ => (int?)null), .. w.InAxes];
}

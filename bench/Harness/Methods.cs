using System.Diagnostics;
using ArrayLang.Bench.Workloads;
using ArrayLang.Compile;
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
    /// <summary>The JSON method names, exactly as CLARIFICATIONS.md "CPU jit" fixes them.</summary>
    public const string Loop = "loop", Vmap = "vmap", JitVmap = "jit(vmap)", TensorPrimitives = "TensorPrimitives",
        HandFused = "hand-fused", ChunkedVmap = "chunked-vmap";

    /// <summary>
    /// For a device backend (<see cref="BenchBackends.IsDevice"/>), <c>jit(vmap)</c> times device-resident
    /// calls (inputs put on the device once, results left there); this method times host calls, which
    /// copy the inputs in and the results out each time.
    /// </summary>
    public const string JitVmapWithTransfers = "jit(vmap)+transfers";

    /// <summary>The backend label of the hand-written baselines, which use no backend.</summary>
    public const string BaselineBackend = "baseline";

    /// <summary>The methods BENCH.md asks for on <paramref name="w"/>: the baselines, then the backend methods in report order.</summary>
    public static IEnumerable<string> Names(Workload w) =>
        w is W4OuterSum ? [TensorPrimitives, HandFused, Loop, Vmap, JitVmap, ChunkedVmap] : [TensorPrimitives, HandFused, Loop, Vmap, JitVmap];

    /// <summary>The methods <paramref name="backend"/> runs on <paramref name="w"/>: <see cref="Names"/>, and for a device backend also <see cref="JitVmapWithTransfers"/>.</summary>
    public static IEnumerable<string> NamesFor(Workload w, IBackend backend) =>
        BenchBackends.IsDevice(backend) ? Names(w).Append(JitVmapWithTransfers) : Names(w);

    /// <summary>The backend method <paramref name="method"/> of <paramref name="w"/> on <paramref name="backend"/>, compiled and ready.</summary>
    public static MethodCase ForBackend(Workload w, IBackend backend, string method, RunSettings s) => method switch
    {
        Loop => PerExampleLoop(w, backend, s),
        Vmap => Batched(w, backend, Vmap, CompileMode.NoFusion, s),
        JitVmap => Batched(w, backend, JitVmap, CompileMode.Fusion, s),
        JitVmapWithTransfers => Batched(w, backend, JitVmapWithTransfers, CompileMode.Fusion, s),
        ChunkedVmap => Chunked.Case(w, backend, s),
        _ => throw new ArgumentException($"{method} is not a backend method of {w.Id}", nameof(method)),
    };

    /// <summary>The two hand-written baselines of a workload.</summary>
    public static IEnumerable<MethodCase> Baselines(Workload w)
    {
        yield return new MethodCase(BaselineBackend, TensorPrimitives, w.Batch, w.RunTensorPrimitives);
        yield return new MethodCase(BaselineBackend, HandFused, w.Batch, w.RunHandFused);
    }

    /// <summary>
    /// <c>loop</c>: the per-example function compiled once (<see cref="Jit.Compile"/>) and called once
    /// per example from a C# loop that builds each example's arguments, as a user's loop would.
    /// Under <c>--quick</c> a compiled backend runs a prefix of <see cref="RunSettings.QuickLoopExamples"/>
    /// examples (CLARIFICATIONS.md allows the subsample; the time is scaled linearly and marked
    /// extrapolated); a scalar interpreter runs a prefix unless the whole batch fits (<see cref="Sized"/>).
    /// </summary>
    public static MethodCase PerExampleLoop(Workload w, IBackend backend, RunSettings s)
    {
        if (BenchBackends.IsScalarInterpreter(backend))
            return Sized(w.InterpreterLoopSample(s.Quick), w.Batch, s, n => PerExampleLoop(w, backend, n));
        return PerExampleLoop(w, backend, s.Quick ? Math.Min(w.Batch, RunSettings.QuickLoopExamples) : w.Batch);
    }

    private static MethodCase PerExampleLoop(Workload w, IBackend backend, int n)
    {
        var f = w.PerExample;
        var sw = Stopwatch.StartNew();
        var exe = Jit.Compile(f.Function, BenchBackends.For(backend, CompileMode.Fusion));
        double compileMs = sw.Elapsed.TotalMilliseconds;
        var consts = f.Constants;
        int per = w.OutputsPerExample;
        return new MethodCase(BenchBackends.Label(backend), Loop, n, () =>
        {
            var o = new float[(long)n * per];
            for (int i = 0; i < n; i++)
            {
                var r = exe.Run([.. consts, .. w.ExampleArguments(i)]);
                r[0].F32.CopyTo(o, (long)i * per);
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
        var inAxes = InAxesWithConsts(w);
        var sw = Stopwatch.StartNew();
        var batched = Transforms.Vmap.Apply(f.Function, n, inAxes);
        var exe = Jit.Compile(batched, BenchBackends.For(backend, mode));
        double compileMs = sw.Elapsed.TotalMilliseconds;
        NDArray[] args = [.. f.Constants, .. w.BatchedArguments(n)];
        if (BenchBackends.IsDevice(backend) && method == JitVmap) return DeviceResident(backend, method, n, exe, args, compileMs);
        return new MethodCase(BenchBackends.Label(backend), method, n, () => exe.Run(args)[0].F32) { CompileMs = compileMs };
    }

    /// <summary>
    /// A device backend's <c>jit(vmap)</c>: the arguments are put on the device once (outside the
    /// timing); each timed call runs on them, waits for the device and frees its results, which never
    /// leave the device. The check reads the first result back.
    /// </summary>
    private static MethodCase DeviceResident(IBackend backend, string method, int n, IExecutable exe, NDArray[] args, double compileMs)
    {
        var onDevice = args.Select(backend.Put).ToArray();
        float[] Check()
        {
            var r = exe.RunOnDevice(onDevice);
            try { return r[0].ToHost().F32; }
            finally { foreach (var a in r) a.Dispose(); }
        }
        void Call()
        {
            var r = exe.RunOnDevice(onDevice);
            r[0].BlockUntilReady();
            foreach (var a in r) a.Dispose();
        }
        return new MethodCase(BenchBackends.Label(backend), method, n, Check)
        {
            CompileMs = compileMs, Timed = Call,
            Note = "device-resident: inputs put on the device once, results left there (jit(vmap)+transfers copies both)",
        };
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

    /// <summary>The in_axes of the traced function: its captured constants (shared) first, then the workload's.</summary>
    public static IReadOnlyList<int?> InAxesWithConsts(Workload w) =>
        [.. w.PerExample.Constants.Select(_ => (int?)null), .. w.InAxes];
}

using ArrayLang.Bench.Harness;
using ArrayLang.Bench.Workloads;
using ArrayLang.Compile;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;

namespace ArrayLang.Bench;

/// <summary>
/// <c>--bdn</c>: the same method cases timed by BenchmarkDotNet, as a cross-check of the suite's
/// own harness. A short in-process job (the cases need the prepared inputs and compiled executables
/// of this process, and rebuilding the project per benchmark would take minutes on 2 cores) with the
/// memory diagnoser. Every case is checked against the oracle in its global setup. BenchmarkDotNet
/// reports raw times: a case on a scalar interpreter runs its reduced batch and is not scaled.
/// </summary>
public static class BdnSuite
{
    /// <summary>Runs BenchmarkDotNet over every case of <paramref name="workloads"/>; 0 on success.</summary>
    public static int Run(IReadOnlyList<Workload> workloads, IReadOnlyList<IBackend> backends, bool quick, int seed)
    {
        CaseBenchmarks.Workloads = workloads;
        CaseBenchmarks.Backends = backends;
        CaseBenchmarks.Settings = quick ? RunSettings.ForQuick(TextWriter.Null, seed) : RunSettings.ForFull(TextWriter.Null, seed);
        var job = (quick ? Job.Dry.WithIterationCount(3) : Job.ShortRun).WithToolchain(InProcessNoEmitToolchain.Instance);
        var config = ManualConfig.CreateMinimumViable().AddJob(job).AddDiagnoser(MemoryDiagnoser.Default)
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(48))
            .WithArtifactsPath(Path.Combine(Cli.RepoRoot(), "bench", "BenchmarkDotNet.Artifacts"));
        var summary = BenchmarkRunner.Run<CaseBenchmarks>(config);
        return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;
    }
}

/// <summary>One BenchmarkDotNet benchmark per method case, named <c>workload|backend|method</c>.</summary>
public class CaseBenchmarks
{
    internal static IReadOnlyList<Workload> Workloads = [];
    internal static IReadOnlyList<IBackend> Backends = [];
    internal static RunSettings Settings = RunSettings.ForQuick(TextWriter.Null);
    private static readonly Dictionary<string, Workload> Prepared = [];
    private Func<float[][]> _run = () => [];

    /// <summary>The case names: every baseline and every backend method of every selected workload.</summary>
    public static IEnumerable<string> Cases() =>
        Workloads.SelectMany(w => w.BaselineMethods.Select(m => $"{w.Id}|{Methods.BaselineBackend}|{m}")
            .Concat(Methods.BackendNames(w).SelectMany(m => Backends.Select(b => $"{w.Id}|{BenchBackends.Label(b)}|{m}"))));

    /// <summary>The case this benchmark instance runs.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    /// <summary>Prepares the workload (once per process), builds the case and checks its outputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var parts = Case.Split('|');
        var w = Workloads.Single(x => x.Id == parts[0]);
        if (!Prepared.ContainsKey(w.Id)) { w.Prepare(Settings.Seed); Prepared[w.Id] = w; }
        var c = parts[1] == Methods.BaselineBackend
            ? Methods.Baseline(w, parts[2])
            : Methods.ForBackend(w, Backends.Single(b => BenchBackends.Label(b) == parts[1]), parts[2], Settings);
        w.Verify($"{c.Method} on {c.Backend}", c.Run(), c.Examples);
        _run = c.Run;
    }

    /// <summary>One run of the case.</summary>
    [Benchmark]
    public float[][] Run() => _run();
}

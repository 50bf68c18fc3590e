using System.Diagnostics;
using ArrayLang.Bench.Harness;
using ArrayLang.Bench.Report;
using ArrayLang.Bench.Workloads;

namespace ArrayLang.Bench;

/// <summary>
/// The command line: <c>dotnet run -c Release --project bench -- [--quick] [--json FILE]
/// [--results DIR] [--render DIR] [--workloads W1,W3] [--methods ...] [--backends ...] [--seed N] [--bdn]</c>.
/// </summary>
public static class Cli
{
    private const string Usage = """
        usage: dotnet run -c Release --project bench -- [options]
          --quick            every workload briefly (a few iterations; the per-example loop on a subsample)
          --json FILE        write the measurements as JSON: [{"workload","backend","method","median_ms","peak_bytes",...}]
          --results DIR      write DIR/results.json, run.json, results.md and chart.svg (default for a full run: bench/results)
          --workloads LIST   only these workloads, e.g. W1,W4
          --backends LIST    these backends (known: BACKENDS; default: DEFAULT)
          --methods LIST     only these methods, e.g. hand-fused,jit(vmap) (known: METHODS; ratios need the baselines)
          --seed N           the inputs' random seed (default 1)
          --render DIR       render DIR/results.md and DIR/chart.svg again from DIR/results.json and DIR/run.json
          --bdn              time the same methods with BenchmarkDotNet (short in-process job) instead
        """;

    private static string UsageText => Usage.Replace("BACKENDS", string.Join(", ", BenchBackends.All.Select(BenchBackends.Label)))
        .Replace("DEFAULT", string.Join(",", BenchBackends.Default.Select(BenchBackends.Label)))
        .Replace("METHODS", string.Join(", ", Methods.All));

    /// <summary>Parses <paramref name="args"/> and runs the suite: 0 when every method ran and agreed with
    /// the expected results, 1 when some failed (they are reported as failed rows and the run goes on),
    /// 2 on bad arguments.</summary>
    public static int Run(string[] args)
    {
        bool quick = false, bdn = false;
        string? json = null, results = null, render = null;
        int seed = 1;
        HashSet<string>? only = null, methods = null, backendNames = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--quick": quick = true; break;
                    case "--bdn": bdn = true; break;
                    case "--json": json = Next(); break;
                    case "--results": results = Next(); break;
                    case "--render": render = Next(); break;
                    case "--seed": seed = int.Parse(Next()); break;
                    case "--workloads": only = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => x.ToUpperInvariant()).ToHashSet(); break;
                    case "--backends": backendNames = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(); break;
                    case "--methods": methods = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(); break;
                    case "-h" or "--help": Console.WriteLine(UsageText); return 0;
                    default: throw new ArgumentException($"unknown option '{args[i]}'");
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                Console.Error.WriteLine($"bench: {e.Message}\n{UsageText}");
                return 2;
            }
        }

        if (render is not null)
        {
            ResultsFolder.Rerender(render);
            Console.WriteLine($"rendered {Path.Combine(render, "results.md")} and chart.svg from {Path.Combine(render, "results.json")}");
            return 0;
        }
        var workloads = Runner.AllWorkloads().Where(w => only is null || only.Contains(w.Id)).ToList();
        if (workloads.Count == 0)
        {
            Console.Error.WriteLine($"bench: no workload matches --workloads {string.Join(",", only!)} (known: {Runner.KnownIds})");
            return 2;
        }
        var backends = backendNames is null ? BenchBackends.Default
            : BenchBackends.All.Where(b => backendNames.Contains(BenchBackends.Label(b))).ToArray();
        if (backendNames?.FirstOrDefault(n => !BenchBackends.All.Any(b => BenchBackends.Label(b) == n)) is { } unknown)
        {
            Console.Error.WriteLine($"bench: unknown backend '{unknown}' in --backends (known: {string.Join(", ", BenchBackends.All.Select(BenchBackends.Label))})");
            return 2;
        }
        if (bdn) return BdnSuite.Run(workloads, backends, quick, seed);

        if (methods?.FirstOrDefault(m => !Methods.All.Contains(m) && m != Methods.JitVmapWithTransfers) is { } bad)
        {
            Console.Error.WriteLine($"bench: unknown method '{bad}' in --methods (known: {string.Join(", ", Methods.All)})");
            return 2;
        }
        var settings = (quick ? RunSettings.ForQuick(Console.Out, seed) : RunSettings.ForFull(Console.Out, seed)) with { Methods = methods };
        var machine = MachineInfo.Describe();
        Console.WriteLine($"ArrayLang bench ({(quick ? "quick" : "full")} run) on {machine}");
        Console.WriteLine($"backends: {string.Join(", ", backends.Select(BenchBackends.Label))}; peak memory: {(ProcessMemory.CanResetPeak ? "per method (peak working set reset per run)" : "process-lifetime peak working set (cannot reset here)")}");
        string loadBefore = MachineInfo.LoadAverage();
        Console.WriteLine($"load average (1 min) at start: {loadBefore}");
        var total = Stopwatch.StartNew();
        var rows = new List<Measurement>();
        var dispatch = new List<DispatchCost>();
        foreach (var b in backends)
        {
            var d = Dispatch.Measure(b, quick ? 2_000 : 20_000);
            dispatch.Add(d);
            Console.WriteLine($"dispatch on {d.Backend}: {d.RunMicroseconds:F2} us per Run of f(x) = x + 1, {d.JitCallMicroseconds:F2} us through Jit.Compile (cache hit) + Run");
        }
        // Note [fma peak]: the cores' multiply-add throughput, and plain matrix products as a fraction of it.
        var peaks = FmaPeak.Measure(quick ? 0.1 : 0.3, quick ? 3 : 5);
        foreach (var p in peaks) Console.WriteLine($"FMA peak {p.Method}: {p.Gflops:F1} GFLOP/s, {p.GflopsPerCpuSecond:F1} GFLOP per CPU second");
        rows.AddRange(peaks);
        settings = settings with { FmaPeakF32 = FmaPeak.AllCores(peaks, "f32") };
        foreach (var b in backends.Where(MatmulBench.Applies))
            foreach (var m in MatmulBench.Measure(b, settings, peaks))
            {
                rows.Add(m);
                Console.WriteLine(m.Failed ? $"{m.Method} on {m.Backend} FAILED: {m.Error}"
                    : $"{m.Method} on {m.Backend}: {m.MedianMs:F2} ms, {m.Gflops:F1} GFLOP/s = {m.OfFmaPeak:P0} of the FMA peak of all cores, {m.OfFmaPeakPerCpuSecond:P0} per CPU second (target >= 70%)");
            }
        try
        {
            foreach (var w in workloads) rows.AddRange(Runner.RunWorkload(w, backends, settings));
        }
        catch (BenchmarkCheckFailed e)
        {
            Console.Error.WriteLine($"bench: CHECK FAILED, nothing more is timed: {e.Message}");
            return 1;
        }
        var failed = rows.Where(r => r.Failed).ToList();
        string loadAfter = MachineInfo.LoadAverage();
        Console.WriteLine($"done in {total.Elapsed.TotalSeconds:F0} s; load average (1 min) at the end: {loadAfter}");
        if (rows.Any(r => r.Extrapolated))
            Console.WriteLine("rows marked EXTRAPOLATED ran a prefix of the batch; their times are scaled linearly to the full batch");

        var run = new RunInfo(quick, machine, DateTime.UtcNow, settings.TargetIterations, settings.BudgetSeconds, loadBefore, loadAfter) { Dispatch = dispatch };
        if (json is not null)
        {
            JsonReport.Write(json, rows);
            Console.WriteLine($"wrote {json}");
        }
        results ??= quick ? null : Path.Combine(RepoRoot(), "bench", "results");
        if (results is not null)
        {
            ResultsFolder.Write(results, rows, run);
            Console.WriteLine($"wrote {results}/results.json, run.json, results.md and chart.svg");
        }
        if (failed.Count > 0)
        {
            Console.Error.WriteLine($"bench: {failed.Count} method(s) FAILED (reported as failed rows, not timed):");
            foreach (var f in failed) Console.Error.WriteLine($"  {f.Workload} {f.Method} on {f.Backend}: {f.Error}");
            return 1;
        }
        return 0;
    }

    /// <summary>The repository root: the nearest folder above the current one holding Array.sln (else the current folder).</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Array.sln"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }
}

using System.Globalization;
using System.Text;
using ArrayLang.Bench.Harness;
using ArrayLang.Bench.Workloads;

namespace ArrayLang.Bench.Report;

/// <summary><c>bench/results/results.md</c>: how the run was made, then one table per workload.</summary>
public static class MarkdownReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The Markdown text for <paramref name="rows"/>.</summary>
    public static string Render(IReadOnlyList<Measurement> rows, IReadOnlyList<Workload> workloads, RunInfo run)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Benchmark results");
        sb.AppendLine();
        sb.AppendLine(Inv, $"- **Run**: {(run.Quick ? "`--quick` (a short run: few iterations, the slow methods on a subsample)" : "full")}, {run.WhenUtc:yyyy-MM-dd HH:mm} UTC, up to {run.TargetIterations} timed runs or {run.BudgetSeconds:F0} s per method, median reported.");
        sb.AppendLine(Inv, $"- **Machine**: {run.Machine}. It is shared with other jobs: the 1-minute load average was {run.LoadBefore} at the start and {run.LoadAfter} at the end (2 cores), so times are noisy.");
        sb.AppendLine(Inv, $"- **Backends**: {string.Join(", ", rows.Select(r => r.Backend).Where(b => b != Methods.BaselineBackend).Distinct().Select(b => $"`{b}`"))}; `baseline` rows are the hand-written C# (TensorPrimitives, hand-fused `Vector512`), both on all cores.");
        if (rows.Any(r => r.Backend == "reference"))
            sb.AppendLine("- **`reference`** is the reference evaluator (scalar, one primitive at a time, no passes): its `vmap` and `jit(vmap)` are the same executable, and its rows are measured on a prefix of the batch and scaled linearly to B (marked *). It stands in until the CPU backend is plugged into `bench/Harness/BenchBackends.cs`.");
        sb.AppendLine("- **Times** are for the full batch B of `shared/BENCH.md`; *batch run* is how many examples one timed run computed (fewer = extrapolated, marked *). **vs TP** and **vs hand-fused** are time ratios (> 1 = slower than that baseline).");
        sb.AppendLine("- **Peak** is the growth of the process's resident memory during one run (Linux `VmHWM` reset through `/proc/self/clear_refs`, so native allocations count); **alloc** is the managed bytes that run allocated. Every method's outputs were checked against a double-precision C# oracle before timing (**max err** = max |got - expected| / (1 + |expected|)).");
        sb.AppendLine();
        sb.AppendLine("![Relative execution time per workload and method, log scale](chart.svg)");
        sb.AppendLine();
        Targets(sb, rows, workloads);
        foreach (var w in workloads)
        {
            var mine = rows.Where(r => r.Workload == w.Id).ToList();
            if (mine.Count == 0) continue;
            bool flops = mine.Any(r => r.Gflops is not null);
            sb.AppendLine(Inv, $"## {w.Id}: `{w.Definition}`, B = {w.Batch:N0}");
            sb.AppendLine();
            sb.AppendLine($"| method | backend | median (ms) | batch run | {(flops ? "GFLOP/s" : "GB/s")} | vs TP | vs hand-fused | peak (MiB) | alloc (MiB) | max err |");
            sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var m in mine)
            {
                string star = m.Extrapolated ? " *" : "";
                string rate = flops ? $"{m.Gflops:F2}" : $"{m.Gbps:F3}";
                sb.AppendLine(Inv, $"| {m.Method} | {m.Backend} | {m.MedianMs:F2}{star} | {m.Batch:N0} | {rate} | {m.VsTensorPrimitives:F2} | {m.VsHandFused:F2} | {m.PeakBytes / 1048576.0:F1} | {m.AllocatedBytes / 1048576.0:F1} | {m.MaxError.ToString("0.0e+0", Inv)} |");
            }
            foreach (var m in mine.Where(m => m.ChunkSize is not null))
                sb.AppendLine().AppendLine(Inv, $"`chunked-vmap` on `{m.Backend}`: chunks of {m.ChunkSize} examples under a {m.BudgetBytes / 1048576.0:F0} MiB budget (estimated peak of one chunk {m.EstimatedPeakBytes / 1048576.0:F1} MiB), simplifier factoring off.");
            foreach (var m in mine.Where(m => m.Note is not null))
                sb.AppendLine().AppendLine(Inv, $"{m.Method} on {m.Backend}: {m.Note}");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    // The ratios of issue 4's target table, per backend: jit(vmap) against hand-fused (its time, x),
    // and how many times faster it is than TensorPrimitives and than the loop.
    private static void Targets(StringBuilder sb, IReadOnlyList<Measurement> rows, IReadOnlyList<Workload> workloads)
    {
        var backends = rows.Select(r => r.Backend).Where(b => b != Methods.BaselineBackend).Distinct().ToList();
        if (backends.Count == 0) return;
        sb.AppendLine("## jit(vmap) against the baselines (issue 4's target table)");
        sb.AppendLine();
        sb.AppendLine("| workload | backend | jit(vmap) time / hand-fused | TensorPrimitives time / jit(vmap) | loop time / jit(vmap) | targets (hand-fused, TP, loop) |");
        sb.AppendLine("|---|---|---:|---:|---:|---|");
        foreach (var w in workloads)
            foreach (var b in backends)
            {
                double? Ms(string backend, string method) => rows.FirstOrDefault(r => r.Workload == w.Id && r.Backend == backend && r.Method == method)?.MedianMs;
                var jit = Ms(b, Methods.JitVmap);
                if (jit is null) continue;
                var hf = Ms(Methods.BaselineBackend, Methods.HandFused);
                var tp = Ms(Methods.BaselineBackend, Methods.TensorPrimitives);
                var loop = Ms(b, Methods.Loop);
                string target = w.Id switch
                {
                    "W1" or "W2" => "<= 1.1x, >= 3x, >= 50x",
                    "W3" => "<= 1.25x, >= 3x, >= 50x",
                    "W4" => "<= 1.1x, >= 4x, >= 50x",
                    _ => "<= 1.1x, >= 1.3x, >= 50x",
                };
                sb.AppendLine(Inv, $"| {w.Id} | {b} | {jit / hf:F2}x | {tp / jit:F2}x | {loop / jit:F1}x | {target} |");
            }
        sb.AppendLine();
    }
}

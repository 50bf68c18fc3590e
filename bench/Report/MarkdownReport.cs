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
        sb.AppendLine(Inv, $"- **Machine**: {run.Machine}. The machine was shared with other jobs, so times are noisy.");
        sb.AppendLine(Inv, $"- **Backends**: {string.Join(", ", rows.Select(r => r.Backend).Where(b => b != Methods.BaselineBackend).Distinct().Select(b => $"`{b}`"))}; `baseline` rows are the hand-written C# (TensorPrimitives, hand-fused `Vector512`), both on all cores.");
        if (rows.Any(r => r.Backend == "reference"))
            sb.AppendLine("- **`reference`** is the reference evaluator (scalar, one primitive at a time, no passes): its `vmap` and `jit(vmap)` are the same executable, and its rows are measured on a prefix of the batch and scaled linearly to B (marked *). It stands in until the CPU backend is plugged into `bench/Harness/BenchBackends.cs`.");
        sb.AppendLine("- **Times** are for the full batch B of `shared/BENCH.md`; *batch run* is how many examples one timed run computed (fewer = extrapolated, marked *). **vs TP** and **vs hand-fused** are time ratios (> 1 = slower than that baseline).");
        sb.AppendLine("- **Peak** is the growth of the process's resident memory during one run (Linux `VmHWM` reset through `/proc/self/clear_refs`, so native allocations count); **alloc** is the managed bytes that run allocated. Every method's outputs were checked against a double-precision C# oracle before timing (**max err** = max |got - expected| / (1 + |expected|)).");
        sb.AppendLine();
        sb.AppendLine("![Relative execution time per workload and method, log scale](chart.svg)");
        sb.AppendLine();
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
                sb.AppendLine(Inv, $"| {m.Method} | {m.Backend} | {m.MedianMs:F2}{star} | {m.Batch:N0} | {rate} | {m.VsTensorPrimitives:F2} | {m.VsHandFused:F2} | {m.PeakBytes / 1048576.0:F1} | {m.AllocatedBytes / 1048576.0:F1} | {m.MaxError:E1} |");
            }
            foreach (var m in mine.Where(m => m.ChunkSize is not null))
                sb.AppendLine().AppendLine(Inv, $"`chunked-vmap` on `{m.Backend}`: chunks of {m.ChunkSize} examples under a {m.BudgetBytes / 1048576.0:F0} MiB budget (estimated peak of one chunk {m.EstimatedPeakBytes / 1048576.0:F1} MiB), simplifier factoring off.");
            foreach (var m in mine.Where(m => m.Note is not null))
                sb.AppendLine().AppendLine(Inv, $"{m.Method} on {m.Backend}: {m.Note}");
            sb.AppendLine();
        }
        return sb.ToString();
    }
}

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
        sb.AppendLine(Inv, $"- **Backends**: {string.Join(", ", rows.Select(r => r.Backend).Where(b => b != Methods.BaselineBackend).Distinct().Select(b => $"`{b}`"))}; `baseline` rows are the hand-written C#: for W1-W5 TensorPrimitives and hand-fused vector code at the widest width the machine accelerates (see **Machine**), both on all cores; for W6-W11 `plain-loop` (scalar C#, one thread), `parallel-for` (the same loop under `Parallel.For`) and, for W6, W8 and W10, hand-fused vector code on all cores.");
        if (rows.Any(r => r.Backend == "cpu"))
            sb.AppendLine("- **`cpu`** is `ArrayLang.Backends.Cpu.CpuBackend`: `jit(vmap)` and `loop` use `CpuBackend.Instance` (standard passes, fusion, all cores); `vmap` uses `CompileOptions { Fuse = false }` (one kernel per equation after the same passes); `chunked-vmap` uses the standard passes with the simplifier's factoring off.");
        if (rows.Any(r => r.Backend == "reference"))
            sb.AppendLine("- **`reference`** is the reference evaluator (scalar, one primitive at a time, no passes): its `vmap` and `jit(vmap)` are the same executable (their difference is noise), and where one run over the full batch would take too long its rows are measured on a prefix of the batch and scaled linearly to B (marked *). It shows what vmap costs without a compiler.");
        if (rows.Any(r => r.Backend == ReferenceWithPasses.Label))
            sb.AppendLine("- **`reference+passes`** (bench-only) runs the standard pass pipeline of `Compile/Passes` (dce, cse, simplify, dce), then the reference evaluator: what the passes alone buy, without fused kernels. For W4 the simplifier factors `x_i * x_j * 0.5` summed over j into `x_i * sum(x) * 0.5`, so `jit(vmap)` never builds the outer products; its `chunked-vmap` runs with that factoring off, as CLARIFICATIONS.md asks.");
        sb.AppendLine("- **Times** are for the full batch B of `shared/BENCH.md`; *batch run* is how many examples one timed run computed (fewer = extrapolated, marked *); *runs* is how many timed runs the median and min are over (on a loaded machine the min is the steadier figure). **vs TP** and **vs hand-fused** are time ratios (> 1 = slower than that baseline).");
        sb.AppendLine("- **Peak** is the growth of the process's resident memory during one run (Linux `VmHWM` reset through `/proc/self/clear_refs`, so native allocations count); **alloc** is the managed bytes that run allocated. Every method's outputs were checked before timing, W1-W5 against a double-precision C# oracle, W6-W11 against `plain-loop` (**max err** / **max diff** = max |got - expected| / (1 + |expected|)); a method that threw or disagreed is listed as FAILED with its error.");
        sb.AppendLine();
        foreach (var d in run.Dispatch)
            sb.AppendLine(Inv, $"- **Dispatch** on `{d.Backend}`: {d.RunMicroseconds:F2} µs per `Run` of a one-add function with the executable held, {d.JitCallMicroseconds:F2} µs through `Jit.Compile` (a cache hit) + `Run` (best of 5 rounds).");
        sb.AppendLine();
        sb.AppendLine("![Relative execution time per workload and method, log scale](chart.svg)");
        sb.AppendLine();
        PeakAndProducts(sb, rows);
        Targets(sb, rows, workloads);
        RealisticTargets(sb, rows, workloads);
        foreach (var w in workloads)
        {
            var mine = rows.Where(r => r.Workload == w.Id).ToList();
            if (mine.Count == 0) continue;
            bool flops = mine.Any(r => r.Gflops is not null);
            bool realistic = w is RealisticWorkload;
            sb.AppendLine(Inv, $"## {w.Id}: `{w.Definition}`, B = {w.Batch:N0}");
            sb.AppendLine();
            sb.AppendLine(realistic
                ? $"| method | backend | median (ms) | min (ms) | batch run | runs | {(flops ? "GFLOP/s" : "GB/s")} | vs plain-loop | vs parallel-for | vs hand-fused | peak (MiB) | alloc (MiB) | max diff vs plain-loop |"
                : $"| method | backend | median (ms) | min (ms) | batch run | runs | {(flops ? "GFLOP/s" : "GB/s")} | vs TP | vs hand-fused | peak (MiB) | alloc (MiB) | max err |");
            sb.AppendLine(realistic ? "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" : "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var m in mine)
            {
                if (m.Failed)
                {
                    sb.AppendLine(Inv, $"| {m.Method} | {m.Backend} | FAILED |{string.Concat(Enumerable.Repeat(" |", realistic ? 10 : 9))}");
                    continue;
                }
                string star = m.Extrapolated ? " *" : "";
                string rate = flops ? $"{m.Gflops:F2}" : $"{m.Gbps:F3}";
                double minFull = m.MinMs * m.FullBatch / m.Batch;
                string ratios = realistic ? $"{m.VsPlainLoop:F3} | {m.VsParallelFor:F3} | {m.VsHandFused:F2}" : $"{m.VsTensorPrimitives:F2} | {m.VsHandFused:F2}";
                sb.AppendLine(Inv, $"| {m.Method} | {m.Backend} | {m.MedianMs:F2}{star} | {minFull:F2}{star} | {m.Batch:N0} | {m.Iterations} | {rate} | {ratios} | {m.PeakBytes / 1048576.0:F1} | {m.AllocatedBytes / 1048576.0:F1} | {m.MaxError.ToString("0.0e+0", Inv)} |");
            }
            foreach (var m in mine.Where(m => m.Failed))
                sb.AppendLine().AppendLine(Inv, $"**{m.Method} on {m.Backend} FAILED**: {m.Error}");
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
        sb.AppendLine("| workload | backend | jit(vmap) time / hand-fused time | speed-up over TensorPrimitives (TP time / jit(vmap) time) | speed-up over the loop (loop time / jit(vmap) time) | targets (same three columns) |");
        sb.AppendLine("|---|---|---:|---:|---:|---|");
        foreach (var w in workloads.Where(w => w is MechanismWorkload))
            foreach (var b in backends)
            {
                double? Ms(string backend, string method) => rows.FirstOrDefault(r => r.Workload == w.Id && r.Backend == backend && r.Method == method && !r.Failed)?.MedianMs;
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

    // The FMA peak (Note [fma peak]) and every row with GFLOP/s as a fraction of it (issue 11, item 4: >= 70%).
    private static void PeakAndProducts(StringBuilder sb, IReadOnlyList<Measurement> rows)
    {
        var peaks = rows.Where(r => r.Workload == FmaPeak.Workload).ToList();
        if (peaks.Count == 0) return;
        sb.AppendLine("## FMA peak and matrix products (issue 11, item 4: the product at >= 70% of the peak)");
        sb.AppendLine();
        sb.AppendLine("| workload | backend | method | median (ms) | GFLOP/s | GFLOP per CPU second | of the FMA peak (all cores; 1 thread rows: one core) | of the peak per CPU second |");
        sb.AppendLine("|---|---|---|---:|---:|---:|---:|---:|");
        foreach (var r in peaks.Concat(rows.Where(r => r.Workload != FmaPeak.Workload && r.Gflops is not null)))
            sb.AppendLine(r.Failed
                ? $"| {r.Workload} | {r.Backend} | {r.Method} | FAILED | | | | |"
                : string.Create(Inv, $"| {r.Workload} | {r.Backend} | {r.Method} | {r.MedianMs:F2} | {r.Gflops:F1} | {r.GflopsPerCpuSecond:F1} | {(r.OfFmaPeak is { } f ? $"{f:P0}" : "-")} | {(r.OfFmaPeakPerCpuSecond is { } c ? $"{c:P0}" : "-")} |"));
        sb.AppendLine();
    }

    // Issue 11's target table for W6-W11, per backend: how many times faster jit(vmap) is than
    // plain-loop and than parallel-for, and its time over hand-fused's where there is one.
    private static void RealisticTargets(StringBuilder sb, IReadOnlyList<Measurement> rows, IReadOnlyList<Workload> workloads)
    {
        var jits = workloads.Where(w => w is RealisticWorkload)
            .SelectMany(w => rows.Where(r => r.Workload == w.Id && r.Method == Methods.JitVmap)).ToList();
        if (jits.Count == 0) return;
        var t = Runner.RealisticTargets;
        sb.AppendLine("## jit(vmap) against plain C# (issue 11's target table)");
        sb.AppendLine();
        sb.AppendLine($"| workload | backend | {t[0].What} (target {t[0].Target}) | {t[1].What} (target {t[1].Target}) | {t[2].What} (target {t[2].Target}) |");
        sb.AppendLine("|---|---|---:|---:|---:|");
        foreach (var j in jits)
            sb.AppendLine(j.Failed
                ? $"| {j.Workload} | {j.Backend} | FAILED | FAILED | FAILED |"
                : $"| {j.Workload} | {j.Backend} | {Runner.Ratio(1 / j.VsPlainLoop)} | {Runner.Ratio(1 / j.VsParallelFor)} | {Runner.Ratio(j.VsHandFused)} |");
        sb.AppendLine();
    }
}

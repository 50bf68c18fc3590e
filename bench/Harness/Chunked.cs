using System.Diagnostics;
using ArrayLang.Bench.Workloads;
using ArrayLang.Compile;
using ArrayLang.Values;

namespace ArrayLang.Bench.Harness;

/// <summary>
/// <c>chunked-vmap</c> (W4): the per-example function batched by <see cref="Transforms.Vmap.Chunked"/>
/// with the chunk size <see cref="Transforms.Vmap.ChunkSizeForBudget"/> picks for a 64 MiB budget,
/// compiled with the simplifier's factoring off (<see cref="CompileMode.FusionWithoutFactoring"/>) so
/// that each chunk really builds its outer products (CLARIFICATIONS.md "CPU jit"). Its peak memory
/// is the figure that matters: the suite measures it with native allocations included (Note [peak memory]).
/// </summary>
public static class Chunked
{
    /// <summary>The memory budget of BENCH.md: 64 MiB.</summary>
    public const long BudgetBytes = 64L << 20;

    /// <summary>The chunked-vmap case of <paramref name="w"/> on <paramref name="backend"/>.</summary>
    public static MethodCase Case(Workload w, IBackend backend, RunSettings s) =>
        BenchBackends.IsScalarInterpreter(backend)
            ? Methods.Sized(w.InterpreterBatch, w.Batch, s, n => Case(w, backend, n))
            : Case(w, backend, w.Batch);

    private static MethodCase Case(Workload w, IBackend backend, int n)
    {
        var f = w.PerExample;
        var inAxes = Methods.InAxesWithConsts(w);
        var sw = Stopwatch.StartNew();
        var plan = Transforms.Vmap.ChunkSizeForBudget(f.Function, n, inAxes, BudgetBytes);
        var chunked = Transforms.Vmap.Chunked(f.Function, n, inAxes, null, plan.ChunkSize);
        var exe = Jit.Compile(chunked, BenchBackends.For(backend, CompileMode.FusionWithoutFactoring));
        double compileMs = sw.Elapsed.TotalMilliseconds;
        NDArray[] args = [.. f.Constants, .. w.BatchedArguments(n)];
        return new MethodCase(BenchBackends.Label(backend), Methods.ChunkedVmap, n, () => Methods.Floats(exe.Run(args)))
        {
            CompileMs = compileMs,
            ChunkSize = plan.ChunkSize,
            BudgetBytes = BudgetBytes,
            EstimatedPeakBytes = plan.PeakBytes,
            Note = BenchBackends.IsScalarInterpreter(backend)
                ? $"{plan}. The reference evaluator allocates every intermediate afresh and the GC returns large arrays lazily, so its resident peak is not held to the plan; a backend with a buffer plan reuses one chunk's buffers."
                : $"{plan}",
        };
    }
}

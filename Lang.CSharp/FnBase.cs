using ArrayLang.Compile;
using ArrayLang.Ir;
using ArrayLang.Staging;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.CSharp;

/// <summary>
/// The fluent transforms shared by <c>Fn1</c> .. <c>Fn6</c>. Each returns a new function; the
/// original is unchanged. Transforms apply in the order written: <c>f.Vmap().Vmap()</c> batches
/// twice (the second call adds the outer batch axis), <c>Chunk</c> and <c>MemoryBudget</c> apply to
/// the last <c>Vmap</c>, and <c>Jit</c> picks where the whole runs.
/// </summary>
/// <typeparam name="TSelf">The concrete function type (<c>Fn2</c> for two arguments).</typeparam>
public abstract class FnBase<TSelf> where TSelf : FnBase<TSelf>
{
    private protected FnBase(FnCore core) => Core = core;

    internal FnCore Core { get; }

    private protected abstract TSelf With(FnCore core);

    /// <summary>
    /// vmap: the function of a batch. <paramref name="inAxes"/>: per argument, its batch axis or null
    /// when every example shares it (default: all 0); <paramref name="outAxes"/>: per result, where its
    /// batch axis goes (default: all 0); <paramref name="axisSize"/>: the batch size when no argument
    /// is batched. The batch size is otherwise taken from the arguments when the function is invoked.
    /// </summary>
    public TSelf Vmap(int?[]? inAxes = null, int?[]? outAxes = null, int? axisSize = null) =>
        With(Core.With(levels: Core.Levels.Add(new VmapSpec { InAxes = inAxes, OutAxes = outAxes, AxisSize = axisSize })));

    /// <summary>Chunked vmap: the last <see cref="Vmap"/> computes <paramref name="examplesPerChunk"/> examples at a
    /// time (a <c>scan</c> over chunks), giving the same result with intermediates for one chunk only.</summary>
    public TSelf Chunk(int examplesPerChunk)
    {
        if (examplesPerChunk < 1) throw Batching.UserError($"Chunk: the chunk size must be at least 1, found {examplesPerChunk}");
        return WithLastLevel(s => s with { ChunkSize = examplesPerChunk, MemoryBudgetBytes = null }, "Chunk");
    }

    /// <summary>Chunked vmap under a memory budget: the last <see cref="Vmap"/> picks the largest chunk whose
    /// estimated intermediates fit in <paramref name="bytes"/>.</summary>
    public TSelf MemoryBudget(long bytes)
    {
        if (bytes <= 0) throw Batching.UserError($"MemoryBudget: the budget must be positive, found {bytes} bytes");
        return WithLastLevel(s => s with { MemoryBudgetBytes = bytes, ChunkSize = null }, "MemoryBudget");
    }

    /// <summary>Compiles for <paramref name="backend"/> (default: <see cref="DefaultBackend.Instance"/>) instead of
    /// running op by op; the compiled function is cached per argument types.</summary>
    public TSelf Jit(IBackend? backend = null) => With(Core.With(backend: backend ?? DefaultBackend.Instance));

    /// <summary>
    /// Compiles for the default backend with <paramref name="options"/>, e.g.
    /// <c>.Jit(new CompileOptions { ContractFloat = true })</c> to allow fused multiply-adds
    /// (faster; results may then differ from the reference in the last bit).
    /// </summary>
    public TSelf Jit(CompileOptions options) => Jit(DefaultBackend.WithOptions(options));

    /// <summary>The IR of this function (transforms applied) for arguments of the given types; its
    /// <c>ToString()</c> is the IR text.</summary>
    public Function Lower(params AVal[] argumentTypes) => Core.Lower(argumentTypes);

    /// <summary>How many times this function was traced for invocations on arrays (once per argument types).</summary>
    public int TraceCount => Core.Staged.TraceCount;

    /// <summary>The backend <c>Jit</c> chose, or null when the function runs op by op.</summary>
    public IBackend? Backend => Core.Backend;

    /// <summary>The only result of <paramref name="results"/>, or an error saying to use InvokeAll.</summary>
    private protected static T Single<T>(IReadOnlyList<T> results) => results.Count == 1 ? results[0]
        : throw Batching.UserError($"the function returns {results.Count} results; call InvokeAll to get them all");

    private TSelf WithLastLevel(Func<VmapSpec, VmapSpec> change, string what)
    {
        if (Core.Levels.IsEmpty) throw Batching.UserError($"{what} applies to a vmap: call Vmap(...) first");
        return With(Core.With(levels: Core.Levels.SetItem(Core.Levels.Count - 1, change(Core.Levels[^1]))));
    }
}

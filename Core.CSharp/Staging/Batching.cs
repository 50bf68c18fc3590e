using ArrayLang.Ir;
using ArrayLang.Tracing;
using ArrayLang.Transforms;

namespace ArrayLang.Staging;

/// <summary>
/// How one level of vmap batches a function of flat tensor arguments (IR.md "What vmap means").
/// Chunking (<see cref="ChunkSize"/> or <see cref="MemoryBudgetBytes"/>) gives the same result
/// while holding intermediates for at most that many examples at a time.
/// </summary>
public sealed record VmapSpec
{
    /// <summary>Per argument, its batch axis (negative counts from the end) or null when it is shared by
    /// every example; null: every argument is batched along axis 0.</summary>
    public IReadOnlyList<int?>? InAxes { get; init; }

    /// <summary>Per result, where its batch axis goes, or null for a result that does not depend on the
    /// batch; null: every result gets its batch axis at 0.</summary>
    public IReadOnlyList<int?>? OutAxes { get; init; }

    /// <summary>The batch size when no argument is batched (otherwise it must agree with the arguments).</summary>
    public int? AxisSize { get; init; }

    /// <summary>Examples per chunk (chunked vmap), or null.</summary>
    public int? ChunkSize { get; init; }

    /// <summary>A bound on the batched intermediates in bytes, from which the chunk size is derived, or null.</summary>
    public long? MemoryBudgetBytes { get; init; }

    /// <summary>Every argument and result batched along axis 0, no chunking.</summary>
    public static readonly VmapSpec Default = new();
}

/// <summary>
/// vmap inside a running trace: the per-example function is traced as a nested sub-function at the
/// per-example types, batched with <see cref="Vmap"/> (or <see cref="Chunk"/>), and its batched
/// equations are recorded into the running trace. Transforms compose this way: <c>vmap(vmap f)</c>
/// traces the outer level, which calls the inner one on tensors, which records its batched form;
/// <c>jit</c> of that compiles the whole. The per-example function may use tensors of the
/// enclosing trace (shared by every example, like weights).
/// </summary>
public static class Batching
{
    /// <summary>
    /// Records the batched form of <paramref name="perExample"/> applied to <paramref name="args"/>
    /// (tensors of the running trace carrying batch axes as <paramref name="spec"/> says) and returns
    /// the batched results. <paramref name="outAxesFor"/>, when given, computes the out axes from the
    /// number of results once the function is traced (a front end whose results are structured values
    /// learns their layout only then); otherwise <see cref="VmapSpec.OutAxes"/> applies.
    /// </summary>
    public static IReadOnlyList<Tensor> Call(Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> perExample, IReadOnlyList<Tensor> args,
        VmapSpec spec, Func<int, IReadOnlyList<int?>>? outAxesFor = null, string name = "f", IReadOnlyList<string>? parameterNames = null)
    {
        var ctx = Trace.Current;
        int n = args.Count;
        var inAxes = spec.InAxes ?? Enumerable.Repeat<int?>(0, n).ToList();
        if (inAxes.Count != n)
            throw UserError($"vmap of {name}: in_axes has {inAxes.Count} entries, but the function takes {n} argument(s)");
        var perExampleTypes = args.Select((a, i) => inAxes[i] is { } ax ? WithoutAxis(name, a.Type, ax, i) : a.Type).ToList();

        var sub = Trace.Nested(perExampleTypes, perExample, name, parameterNames);
        var f = sub.Function;
        var allAxes = Enumerable.Repeat<int?>(null, sub.Captured.Count).Concat(inAxes).ToList();
        var allArgs = sub.Captured.Concat(args).ToList();
        try
        {
            int b = Vmap.InferAxisSize(f, allArgs.Select(a => a.Type).ToList(), allAxes, spec.AxisSize);
            var outAxes = outAxesFor?.Invoke(f.Results.Length) ?? spec.OutAxes;
            var batched = spec.ChunkSize is { } k ? Chunk.Apply(f, b, allAxes, outAxes, k)
                : spec.MemoryBudgetBytes is { } bytes ? Chunk.Apply(f, b, allAxes, outAxes, Chunk.SizeForBudget(f, b, allAxes, bytes).ChunkSize)
                : Vmap.Apply(f, b, allAxes, outAxes);
            return ctx.Inline(batched, allArgs);
        }
        catch (IrException e) when (e is not TraceException)
        {
            throw UserError(e.Message, e);
        }
    }

    private static AVal WithoutAxis(string name, AVal t, int axis, int index)
    {
        int a = axis < 0 ? axis + t.Rank : axis;
        if (a < 0 || a >= t.Rank)
            throw UserError($"vmap of {name}: in_axes[{index}] = {axis} is out of range for argument {index + 1} of type {t} (axes {-t.Rank}..{t.Rank - 1})");
        return t.WithShape(t.Shape.Remove(a));
    }

    /// <summary>An error in the user's use of a transform or combinator, prefixed with the user's source line
    /// (the first stack frame outside ArrayLang) when known; front ends raise it.</summary>
    public static TraceException UserError(string message, Exception? inner = null)
    {
        var where = UserSource.Find();
        return new TraceException($"{(where is null ? "" : where + ": ")}{message}", where, inner ?? new ArgumentException(message));
    }

    /// <summary>
    /// <paramref name="error"/>, raised while tracing the user's function, as a located error: a
    /// <see cref="TraceException"/> is returned as it is; any other <see cref="IrException"/> (such as a
    /// tensor used outside the loop body that computed it) gets the user's line where it was thrown (the
    /// first frame of its stack trace outside ArrayLang), or else the line that called the transform.
    /// </summary>
    public static TraceException Located(IrException error)
    {
        if (error is TraceException located) return located;
        var where = UserSource.FirstUserFrame(new System.Diagnostics.StackTrace(error, fNeedFileInfo: true)) ?? UserSource.Find();
        return new TraceException($"{(where is null ? "" : where + ": ")}{error.Message}", where, error);
    }
}

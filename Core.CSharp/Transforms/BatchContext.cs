using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Transforms;

/// <summary>
/// What a batching rule works with: the builder of the batched function, the batch size, and
/// helpers to move or create batch axes. Helpers emit nothing when nothing needs to move.
/// </summary>
public sealed class BatchContext
{
    internal BatchContext(FunctionBuilder builder, int axisSize, BatchingRules rules)
    {
        Builder = builder;
        AxisSize = axisSize;
        Rules = rules;
    }

    /// <summary>The batched function being built.</summary>
    public FunctionBuilder Builder { get; }

    /// <summary>The batch size B.</summary>
    public int AxisSize { get; }

    /// <summary>The rule table in use (for rules that batch sub-functions).</summary>
    public BatchingRules Rules { get; }

    /// <summary>Emits an equation and returns its outputs.</summary>
    public IReadOnlyList<Var> Emit(Primitive p, PrimParams ps, IReadOnlyList<Atom> inputs, IReadOnlyList<Function>? subs = null) =>
        Builder.Emit(p, ps, inputs, subs);

    /// <summary>Emits an equation with one output.</summary>
    public Var Emit1(Primitive p, PrimParams ps, params Atom[] inputs) => Builder.Emit1(p, ps, inputs);

    /// <summary>The value with its batch axis at <paramref name="to"/>: a transpose when batched
    /// elsewhere, a broadcast when not batched (a literal becomes a full array).</summary>
    public Atom MoveBatchDim(BatchedAtom x, int to)
    {
        if (x.BatchDim is not { } from)
            return Broadcast(x.Atom, to);
        if (from == to) return x.Atom;
        int rank = x.Atom.Type.Rank;
        var perm = Enumerable.Range(0, rank).Where(i => i != from).ToList();
        perm.Insert(to, from);
        return Emit1(ShapeOps.Transpose, new TransposeParams(perm.ToArray()), x.Atom);
    }

    /// <summary>An unbatched value broadcast to have a batch axis of size B at <paramref name="at"/>.</summary>
    public Var Broadcast(Atom x, int at)
    {
        var t = x.Type;
        var dims = Enumerable.Range(0, t.Rank).Select(i => i < at ? i : i + 1).ToArray();
        return Emit1(ShapeOps.BroadcastInDim, new BroadcastInDimParams(t.Shape.Insert(at, AxisSize).ToArray(), dims), x);
    }

    /// <summary>Batches a sub-function: <paramref name="inAxes"/> per parameter (null = not batched).
    /// Returns the batched function and the batch axes of its results, which the caller may force
    /// with <paramref name="outAxes"/> (null entries are left where the rules put them... or
    /// unbatched where the result does not depend on the batch).</summary>
    public (Function Function, IReadOnlyList<int?> OutAxes) VmapSub(Function f, IReadOnlyList<int?> inAxes, IReadOnlyList<int?>? outAxes = null) =>
        Vmap.Batch(f, inAxes, outAxes, AxisSize, Rules);
}

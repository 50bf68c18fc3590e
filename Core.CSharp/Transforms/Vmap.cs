using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Transforms;

/// <summary>
/// The vmap transform (IR.md "What vmap means"): from a per-example function, the function whose
/// result equals stacking the per-example results. It walks the equations once; an equation none
/// of whose operands is batched is copied unchanged (shared weights stay shared), the others go
/// through their primitive's batching rule. The result is an ordinary function: it prints, parses
/// back and can be vmapped again.
/// </summary>
public static class Vmap
{
    /// <summary>
    /// Batches <paramref name="f"/> for a batch of <paramref name="axisSize"/> examples.
    /// <paramref name="inAxes"/>: per parameter, the batch axis of the batched argument (negative
    /// counts from the end) or null when shared; const parameters must be null.
    /// <paramref name="outAxes"/>: per result, where its batch axis goes (default 0), or null for a
    /// result that does not depend on the batch.
    /// </summary>
    public static Function Apply(Function f, int axisSize, IReadOnlyList<int?> inAxes, IReadOnlyList<int?>? outAxes = null,
        BatchingRules? rules = null)
    {
        if (axisSize < 0) throw new IrException($"vmap of {f.Name}: the batch size must be >= 0, found {axisSize}");
        outAxes ??= Enumerable.Repeat<int?>(0, f.Results.Length).ToList();
        if (outAxes.Count != f.Results.Length)
            throw new IrException($"vmap of {f.Name}: out_axes has {outAxes.Count} entries, but the function has {f.Results.Length} result(s)");
        return BatchCore(f, inAxes, axisSize, rules ?? PrimitiveRegistry.Batching, outAxes, forceNone: true).Item1;
    }

    /// <summary>vmap computed <paramref name="chunkSize"/> examples at a time (see <see cref="Chunk.Apply"/>).</summary>
    public static Function Chunked(Function f, int axisSize, IReadOnlyList<int?> inAxes, IReadOnlyList<int?>? outAxes, int chunkSize) =>
        Chunk.Apply(f, axisSize, inAxes, outAxes, chunkSize);

    /// <summary>The chunk size that keeps one chunk's intermediates within <paramref name="budgetBytes"/> (see <see cref="Chunk.SizeForBudget"/>).</summary>
    public static ChunkPlan ChunkSizeForBudget(Function f, int axisSize, IReadOnlyList<int?> inAxes, long budgetBytes) =>
        Chunk.SizeForBudget(f, axisSize, inAxes, budgetBytes);

    /// <summary>
    /// The batch size implied by batched arguments of types <paramref name="batchedArgs"/> under
    /// <paramref name="inAxes"/>: every batched argument must agree, and agree with
    /// <paramref name="axisSize"/> when that is given; with no batched argument, axis_size is required.
    /// </summary>
    public static int InferAxisSize(Function f, IReadOnlyList<AVal> batchedArgs, IReadOnlyList<int?> inAxes, int? axisSize = null)
    {
        string where = $"vmap of {f.Name}";
        if (inAxes.Count != f.Params.Length || batchedArgs.Count != f.Params.Length)
            throw new IrException($"{where}: the function takes {f.Params.Length} argument(s), but {batchedArgs.Count} arguments and {inAxes.Count} in_axes were given");
        int? size = axisSize;
        string sizeFrom = "axis_size";
        for (int i = 0; i < inAxes.Count; i++)
        {
            if (inAxes[i] is not { } a) continue;
            var t = batchedArgs[i];
            int axis = a < 0 ? a + t.Rank : a;
            if (axis < 0 || axis >= t.Rank)
                throw new IrException($"{where}: in_axes[{i}] = {a} is out of range for argument {i + 1} ({f.Params[i].Name}) of type {t}");
            int n = t.Shape[axis];
            string from = $"argument {i + 1} ({f.Params[i].Name}: {t}, axis {axis})";
            if (size is { } s && s != n)
                throw new IrException($"{where}: batch sizes disagree: {sizeFrom} gives {s}, {from} gives {n}");
            size = n;
            sizeFrom = from;
        }
        return size ?? throw new IrException($"{where}: no argument is batched (every in_axes entry is none), so the batch size is unknown; give axis_size");
    }

    /// <summary>
    /// For rules that batch sub-functions: batches <paramref name="f"/> with a known batch size.
    /// A non-null <paramref name="forceAxes"/> entry puts that result's batch axis there
    /// (broadcasting an unbatched result); a null entry leaves the result where the rules put it,
    /// unbatched when it does not depend on the batch. Returns the result axes.
    /// </summary>
    public static (Function Function, IReadOnlyList<int?> OutAxes) Batch(Function f, IReadOnlyList<int?> inAxes,
        IReadOnlyList<int?>? forceAxes, int axisSize, BatchingRules rules)
    {
        forceAxes ??= Enumerable.Repeat<int?>(null, f.Results.Length).ToList();
        return BatchCore(f, inAxes, axisSize, rules, forceAxes, forceNone: false);
    }

    private static (Function, IReadOnlyList<int?>) BatchCore(Function f, IReadOnlyList<int?> inAxesRaw, int b,
        BatchingRules rules, IReadOnlyList<int?> outAxes, bool forceNone)
    {
        string where = $"vmap of {f.Name}";
        Nesting.EnsureStack(where);
        if (inAxesRaw.Count != f.Params.Length)
            throw new IrException($"{where}: in_axes has {inAxesRaw.Count} entries, but the function takes {f.Params.Length} argument(s) ({string.Join(", ", f.Params)})");

        var inAxes = new int?[f.Params.Length];
        for (int i = 0; i < f.Params.Length; i++)
        {
            if (inAxesRaw[i] is not { } a) continue;
            var p = f.Params[i];
            if (f.ConstMask[i])
                throw new IrException($"{where}: argument {i + 1} ({p.Name}) is a captured constant; constants are never batched, so its in_axes entry must be none");
            int rank = p.Type.Rank + 1;
            int axis = a < 0 ? a + rank : a;
            if (axis < 0 || axis >= rank)
                throw new IrException($"{where}: in_axes[{i}] = {a} is out of range for argument {i + 1} ({p.Name}), whose batched form has rank {rank} (axes {-rank}..{rank - 1})");
            inAxes[i] = axis;
        }

        var builder = new FunctionBuilder();
        var env = new Dictionary<Var, BatchedAtom>(ReferenceEqualityComparer.Instance);
        var ctx = new BatchContext(builder, b, rules);
        for (int i = 0; i < f.Params.Length; i++)
        {
            var p = f.Params[i];
            var type = inAxes[i] is { } ax ? p.Type.WithShape(p.Type.Shape.Insert(ax, b)) : p.Type;
            var np = builder.AddParam(type, p.Name, f.ConstMask[i]);
            env[p] = new BatchedAtom(np, inAxes[i]);
        }

        BatchedAtom Read(Atom a) => a switch
        {
            Var v => env.TryGetValue(v, out var x) ? x : throw new IrException($"{where}: variable {v.Name} is used before it is defined"),
            Literal l => BatchedAtom.Unbatched(l),
            _ => throw new ArgumentException("unknown atom"),
        };

        foreach (var e in f.Equations)
        {
            var ins = e.Inputs.Select(Read).ToList();
            IReadOnlyList<BatchedAtom> outs;
            if (ins.All(x => !x.IsBatched))
            {
                outs = builder.Emit(e.Primitive, e.Params, ins.Select(x => x.Atom).ToList(), e.SubFunctions, e.Location)
                    .Select(v => BatchedAtom.Unbatched(v)).ToList();
            }
            else
            {
                outs = rules.Get(e.Primitive)(ctx, e.Params, ins, e.SubFunctions);
                CheckRuleOutputs(e, outs, b);
            }
            for (int i = 0; i < e.Outputs.Length; i++) env[e.Outputs[i]] = outs[i];
        }

        var results = new List<Atom>();
        var resultTypes = new List<AVal>();
        var resultAxes = new List<int?>();
        for (int j = 0; j < f.Results.Length; j++)
        {
            var r = Read(f.Results[j]);
            var declared = f.ResultTypes[j];
            if (outAxes[j] is { } o)
            {
                int rank = declared.Rank + 1;
                int axis = o < 0 ? o + rank : o;
                if (axis < 0 || axis >= rank)
                    throw new IrException($"{where}: out_axes[{j}] = {o} is out of range for result {j + 1}, whose batched form has rank {rank}");
                var atom = r.Atom is Literal lit && !r.IsBatched
                    ? ctx.Broadcast(new Literal(declared.DType, lit.Value), axis)
                    : ctx.MoveBatchDim(r, axis);
                results.Add(atom);
                resultTypes.Add(atom.Type);
                resultAxes.Add(axis);
            }
            else
            {
                if (r.IsBatched && forceNone)
                    throw new IrException($"{where}: out_axes[{j}] is none, but result {j + 1} depends on the batched arguments; give it a batch axis (e.g. 0)");
                results.Add(r.Atom);
                resultTypes.Add(r.IsBatched ? r.Atom.Type : declared);
                resultAxes.Add(r.BatchDim);
            }
        }
        return (builder.Build(f.Name, results, resultTypes), resultAxes);
    }

    // A rule's outputs must be the per-example types with a batch axis of size B inserted: checking
    // here turns a wrong rule into an error naming the primitive instead of a wrong result later.
    private static void CheckRuleOutputs(Equation e, IReadOnlyList<BatchedAtom> outs, int b)
    {
        if (outs.Count != e.Outputs.Length)
            throw new InvalidOperationException($"the batching rule of {e.Primitive.Name} gave {outs.Count} outputs for `{e}`, expected {e.Outputs.Length}");
        for (int i = 0; i < outs.Count; i++)
        {
            var per = e.Outputs[i].Type;
            var want = outs[i].BatchDim is { } d ? per.WithShape(per.Shape.Insert(d, b)) : per;
            if (outs[i].Atom.Type != want)
                throw new InvalidOperationException(
                    $"the batching rule of {e.Primitive.Name} gave output {i + 1} of type {outs[i].Atom.Type} with batch axis {outs[i].BatchDim?.ToString() ?? "none"} for `{e}`; expected {want}");
        }
    }
}

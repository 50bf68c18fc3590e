using ArrayLang.Ir;
using ArrayLang.Reference;
using ArrayLang.Transforms;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>
/// A user's batching rule (JAX's <c>custom_vmap</c>): given the batch size and which operands are
/// batched, a function of built-in primitives that takes the batched operands with their batch
/// axis at 0 (the others as they are) and returns every result batched at axis 0.
/// </summary>
public delegate Function CustomBatchingRule(int axisSize, IReadOnlyList<bool> operandIsBatched);

/// <summary>
/// A primitive declared by a user. Note [user-defined primitives]: its implementation is an IR
/// function of built-in primitives (typically traced), and so is its batching rule, so every
/// backend runs it with no special support: <see cref="CustomPrimitives.Expand"/> inlines it before
/// compilation, and vmap inlines the rule's function. A primitive declared without a batching rule
/// may opt in to the sequential fallback (a <c>scan</c> over the batch); otherwise vmap of it is an
/// error that names it. Nothing falls back silently.
/// </summary>
public sealed class CustomPrimitive : Primitive<NoParams>
{
    internal CustomPrimitive(string name, Function implementation, CustomBatchingRule? batchingRule, bool sequentialFallback)
        : base(name)
    {
        Implementation = implementation;
        BatchingRule = batchingRule;
        SequentialFallback = sequentialFallback;
    }

    /// <summary>The per-example definition: operands are its parameters, results its results.</summary>
    public Function Implementation { get; }

    /// <summary>The user's batching rule, if one was declared.</summary>
    public CustomBatchingRule? BatchingRule { get; }

    /// <summary>True when vmap may batch this primitive by a scan over the examples (opted in by the user).</summary>
    public bool SequentialFallback { get; }

    /// <inheritdoc />
    public override NoParams Read(ParamReader reader) => NoParams.Instance;

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(NoParams p, IReadOnlyList<Operand> operands, IReadOnlyList<Function> subs)
    {
        var want = Implementation.ParamTypes;
        if (operands.Count != want.Count)
            throw Error($"expects {want.Count} operand(s) ({string.Join(", ", want)}), found {operands.Count}");
        for (int i = 0; i < want.Count; i++)
            if (operands[i].Type != want[i])
                throw Error($"operand {i + 1} should be {want[i]}, found {operands[i].Type}");
        if (subs.Count != 0) throw Error($"takes no sub-functions, found {subs.Count}");
        return Implementation.ResultTypes;
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, NoParams p, IReadOnlyList<AVal?> operands, IReadOnlyList<Function> subs) =>
        position < Implementation.Params.Length && Implementation.Params[position].Type.IsScalar
            ? Implementation.Params[position].Type.DType
            : null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(NoParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs) =>
        ReferenceEvaluator.Evaluate(Implementation, inputs);

    /// <summary>The vmap rule: the user's rule inlined, else the opted-in scan over the batch, else an error.</summary>
    internal IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, IReadOnlyList<BatchedAtom> inputs)
    {
        var batched = inputs.Select(x => x.IsBatched).ToList();
        var operands = inputs.Select(x => x.IsBatched ? ctx.MoveBatchDim(x, 0) : x.Atom).ToList();
        if (BatchingRule is { } rule)
        {
            var g = rule(ctx.AxisSize, batched);
            CheckRule(g, ctx.AxisSize, batched);
            return ctx.Builder.Inline(g, operands).Select(a => new BatchedAtom(a, 0)).ToList();
        }
        if (SequentialFallback)
            return SequentialBatch(ctx, operands, batched);
        throw new IrException(
            $"vmap: the user-defined primitive '{Name}' has no batching rule; declare one (CustomPrimitives.Declare(..., batchingRule: ...)) " +
            "or opt in to the sequential fallback (sequentialFallback: true), which runs a scan over the examples");
    }

    // The opted-in fallback: scan over the examples, the shared operands as consts.
    private IReadOnlyList<BatchedAtom> SequentialBatch(BatchContext ctx, IReadOnlyList<Atom> operands, IReadOnlyList<bool> batched)
    {
        var shared = Enumerable.Range(0, operands.Count).Where(i => !batched[i]).ToList();
        var perExample = Enumerable.Range(0, operands.Count).Where(i => batched[i]).ToList();
        var body = new FunctionBuilder();
        var ps = new Atom[operands.Count];
        foreach (var i in shared) ps[i] = body.AddParam(Implementation.Params[i].Type, Implementation.Params[i].Name);
        foreach (var i in perExample) ps[i] = body.AddParam(Implementation.Params[i].Type, Implementation.Params[i].Name);
        var outs = body.Emit(this, NoParams.Instance, ps);
        var bodyFn = body.Build(Name + "_example", outs.Cast<Atom>().ToList());
        var ys = ctx.Emit(ControlFlow.Scan, new ScanParams(ctx.AxisSize, false, shared.Count, 0),
            shared.Select(i => operands[i]).Concat(perExample.Select(i => operands[i])).ToList(), [bodyFn]);
        return ys.Select(y => new BatchedAtom(y, 0)).ToList();
    }

    private void CheckRule(Function g, int b, IReadOnlyList<bool> batched)
    {
        TypeChecker.Check(g);
        var want = Implementation.ParamTypes.Select((t, i) => batched[i] ? t.WithShape(t.Shape.Insert(0, b)) : t).ToList();
        var wantResults = Implementation.ResultTypes.Select(t => t.WithShape(t.Shape.Insert(0, b))).ToList();
        if (!g.ParamTypes.SequenceEqual(want) || !g.ResultTypes.SequenceEqual(wantResults))
            throw new IrException(
                $"the batching rule of '{Name}' for B = {b} and batched operands [{string.Join(", ", batched)}] should take " +
                $"({string.Join(", ", want)}) and return ({string.Join(", ", wantResults)}); it takes " +
                $"({string.Join(", ", g.ParamTypes)}) and returns ({string.Join(", ", g.ResultTypes)})");
    }
}

/// <summary>Declaring user-defined primitives and expanding them into built-in ones.</summary>
public static class CustomPrimitives
{
    private static readonly object Gate = new();

    /// <summary>
    /// Declares a primitive named <paramref name="name"/> computing <paramref name="implementation"/>
    /// (a function of built-in primitives), with an optional batching rule or an opt-in sequential
    /// fallback, and registers it so that the parser, the type checker, vmap and every backend know it.
    /// </summary>
    public static CustomPrimitive Declare(string name, Function implementation,
        CustomBatchingRule? batchingRule = null, bool sequentialFallback = false)
    {
        if (!IrSyntax.IsValidName(name))
            throw new IrException($"'{name}' cannot name a primitive: use letters, digits and '_', not starting with a digit, and no reserved word");
        if (batchingRule is not null && sequentialFallback)
            throw new IrException($"primitive '{name}': give a batching rule or the sequential fallback, not both");
        TypeChecker.Check(implementation);
        var p = new CustomPrimitive(name, implementation, batchingRule, sequentialFallback);
        lock (Gate)
        {
            if (PrimitiveRegistry.Primitives.TryGet(name, out _))
                throw new IrException($"a primitive named '{name}' already exists; choose another name");
            PrimitiveRegistry.Primitives.Add(p);
            PrimitiveRegistry.Batching.Add(p, (ctx, ps, ins, subs) => p.Batch(ctx, ins));
        }
        return p;
    }

    /// <summary>
    /// <paramref name="f"/> with every user-defined primitive replaced by its implementation
    /// (recursively, sub-functions included): what a backend compiles.
    /// </summary>
    public static Function Expand(Function f)
    {
        if (!Uses(f)) return f;
        var b = new FunctionBuilder();
        var env = new Dictionary<Var, Atom>(ReferenceEqualityComparer.Instance);
        foreach (var (p, i) in f.Params.Select((p, i) => (p, i)))
            env[p] = b.AddParam(p.Type, p.Name, f.ConstMask[i]);
        Atom Map(Atom a) => a is Var v ? env[v] : a;
        foreach (var e in f.Equations)
        {
            var ins = e.Inputs.Select(Map).ToList();
            var outs = e.Primitive is CustomPrimitive c
                ? b.Inline(Expand(c.Implementation), ins)
                : b.Emit(e.Primitive, e.Params, ins, e.SubFunctions.Select(Expand).ToList(), e.Location);
            for (int i = 0; i < outs.Count; i++) env[e.Outputs[i]] = outs[i];
        }
        return b.Build(f.Name, f.Results.Select(Map).ToList(), f.ResultTypes);
    }

    private static bool Uses(Function f) =>
        f.Equations.Any(e => e.Primitive is CustomPrimitive || e.SubFunctions.Any(Uses));
}

using ArrayLang.Ir;
using ArrayLang.Transforms;

namespace ArrayLang.Primitives;

/// <summary>
/// The control-flow family: <c>scan</c>, <c>cond</c> and <c>while</c> (IR.md "Control flow"). Each
/// takes sub-functions that see only their own parameters; the reference evaluation runs them with
/// the reference evaluator, and the batching rules batch them with vmap itself.
/// Note [control-flow batching]: no rule loops over the batch. <c>scan</c> and <c>while</c> find
/// which carries are batched by fixpoint (a carry is batched when its initial value is, or when
/// the body makes it so from batched inputs), so an unbatched loop counter stays a scalar.
/// A <c>cond</c> with an unbatched index stays one <c>cond</c> of batched branches; with a batched
/// index every branch runs on every lane and <c>select</c> picks per lane. A <c>while</c> with a
/// batched predicate runs until every lane is done and keeps finished lanes fixed.
/// </summary>
public static partial class ControlFlow
{
    /// <summary><c>scan[length=n, reverse=false, consts=c, carries=k](consts..., carry..., xs...){ body }</c>.</summary>
    public static readonly ScanOp Scan = new();

    /// <summary><c>cond(index, operands...){ branch_0 branch_1 ... }</c>.</summary>
    public static readonly CondOp Cond = new();

    /// <summary><c>while[consts=c](consts..., carry...){ cond_fn body_fn }</c>.</summary>
    public static readonly WhileOp While = new();

    /// <summary>Registers the family's primitives and batching rules.</summary>
    public static void Register(Registrar r)
    {
        r.Add(Scan, (ctx, p, ins, subs) => ScanOp.Batch(ctx, (ScanParams)p, ins, subs));
        r.Add(Cond, (ctx, p, ins, subs) => CondOp.Batch(ctx, ins, subs));
        r.Add(While, (ctx, p, ins, subs) => WhileOp.Batch(ctx, (WhileParams)p, ins, subs));
    }

    /// <summary>A list of types for messages: <c>(f32[3], i32[])</c>.</summary>
    internal static string Signature(IEnumerable<AVal> types) => "(" + string.Join(", ", types) + ")";

    /// <summary>
    /// The dtype a literal operand takes from the sub-function parameter it is passed to (IR.md
    /// "Literals": the declared type, which must be a scalar); null when there is no such
    /// parameter or it is not a scalar.
    /// </summary>
    internal static DType? ScalarParamDType(Function? f, int index) =>
        f is not null && index >= 0 && index < f.Params.Length && f.Params[index].Type.IsScalar
            ? f.Params[index].Type.DType
            : null;

    /// <summary>
    /// <paramref name="f"/> with no parameter marked const: a sub-function's parameters are bound
    /// by its equation's operands, which may be batched (vmap refuses to batch const parameters).
    /// </summary>
    internal static Function WithoutConstParams(Function f) =>
        f.ConstMask.Any(c => c)
            ? new Function(f.Name, f.Params, f.Params.Select(_ => false), f.Equations, f.Results, f.ResultTypes)
            : f;

    /// <summary>
    /// Batches a sub-function with <see cref="BatchContext.VmapSub"/>: <paramref name="force"/>
    /// entries that are not null put that result's batch axis there. Const marks are dropped (see
    /// <see cref="WithoutConstParams"/>), and a literal result that must be batched is first
    /// materialized (see Materialize) so that vmap broadcasts a variable, not a literal.
    /// </summary>
    internal static (Function Function, IReadOnlyList<int?> OutAxes) BatchSub(BatchContext ctx, Function f,
        IReadOnlyList<int?> inAxes, IReadOnlyList<int?>? force = null)
    {
        f = WithoutConstParams(f);
        if (force is not null && f.Results.Where((r, j) => r is Literal && force[j] is not null).Any())
        {
            var equations = f.Equations.ToList();
            var results = new List<Atom>();
            for (int j = 0; j < f.Results.Length; j++)
            {
                if (f.Results[j] is not Literal lit || force[j] is null) { results.Add(f.Results[j]); continue; }
                var v = new Var("lit", lit.Type);
                equations.Add(new Equation([v], Cond, NoParams.Instance, [Literal.Of(0)], [new Function("literal", [], [], [lit])]));
                results.Add(v);
            }
            f = new Function(f.Name, f.Params, f.ConstMask, equations, results, f.ResultTypes);
        }
        return ctx.VmapSub(f, inAxes, force);
    }

    /// <summary>
    /// A variable holding the value of a scalar literal, for positions that do not take literals:
    /// <c>broadcast_in_dim[shape=[], dims=[]](lit)</c>, whose literal takes the declared result's
    /// dtype (docs/ir.md, "Constant arrays").
    /// </summary>
    internal static Var Materialize(FunctionBuilder b, Literal lit) =>
        b.Emit1(ShapeOps.BroadcastInDim, new BroadcastInDimParams([], []), lit);

    /// <summary>
    /// <paramref name="x"/> with its batch axis at <paramref name="axis"/>: moved when batched
    /// elsewhere, broadcast when not batched (a literal is first materialized, see Materialize).
    /// </summary>
    internal static Atom ToBatchAxis(BatchContext ctx, BatchedAtom x, int axis) =>
        x.Atom is Literal lit && !x.IsBatched
            ? ctx.Broadcast(Materialize(ctx.Builder, lit), axis)
            : ctx.MoveBatchDim(x, axis);

    /// <summary>
    /// Emits the equations of <paramref name="f"/> into <paramref name="b"/> with its parameters
    /// bound to <paramref name="args"/> (fresh variables, so names never clash) and returns the
    /// variables of its results. A literal argument or result is materialized (Note [materialized
    /// literals]), since the parameter may be used, or the result passed on, where no literal may stand.
    /// </summary>
    internal static IReadOnlyList<Var> Inline(FunctionBuilder b, Function f, IReadOnlyList<Atom> args) =>
        InlineAtoms(b, f, args).Select(r => r as Var ?? Materialize(b, (Literal)r)).ToList();

    /// <summary>As <see cref="Inline"/>, but a literal result is returned as the literal.</summary>
    internal static IReadOnlyList<Atom> InlineAtoms(FunctionBuilder b, Function f, IReadOnlyList<Atom> args)
    {
        if (args.Count != f.Params.Length)
            throw new ArgumentException($"inlining {f.Name}: {f.Params.Length} parameters, {args.Count} arguments");
        var env = new Dictionary<Var, Atom>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < args.Count; i++)
            env[f.Params[i]] = args[i] is Literal lit ? Materialize(b, lit) : args[i];
        Atom Read(Atom a) => a is Var v ? env[v] : a;
        foreach (var e in f.Equations)
        {
            var outs = b.Emit(e.Primitive, e.Params, e.Inputs.Select(Read).ToList(), e.SubFunctions, e.Location);
            for (int i = 0; i < outs.Count; i++) env[e.Outputs[i]] = outs[i];
        }
        return f.Results.Select(Read).ToList();
    }
}

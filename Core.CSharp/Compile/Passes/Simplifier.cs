using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Compile.Passes;

/// <summary>What the simplifier may do.</summary>
public sealed record SimplifyOptions
{
    /// <summary>Every rewrite on, the defaults below.</summary>
    public static SimplifyOptions Default { get; } = new();

    /// <summary>
    /// Move factors that are constant along a reduced axis out of a <c>reduce_sum</c>
    /// (Note [factoring reductions]). It reassociates the sum, as IR.md allows; the bench turns it
    /// off to measure chunked vmap on W4 with the outer product really built.
    /// </summary>
    public bool FactorReductions { get; init; } = true;

    /// <summary>
    /// The largest array, in elements, that constant folding builds to evaluate a non-elementwise
    /// equation on constant operands (operands and results alike). Elementwise equations fold on
    /// scalars whatever their size, and moving a constant around (transpose, slice, ...) folds
    /// without evaluating anything.
    /// </summary>
    public int FoldElementLimit { get; init; } = 64;

    /// <summary>How many rounds of rewriting at most before the simplifier stops (it stops earlier
    /// when a round changes nothing).</summary>
    public int MaxRounds { get; init; } = 16;
}

/// <summary>
/// The simplifier: identities that hold bit for bit under IR.md's exact semantics, constant
/// folding with the reference evaluator, folding of transposes, reshapes and broadcasts into one
/// another, inlining a <c>cond</c> whose branch is known, and factoring terms out of reductions.
/// It rewrites equation by equation, looking at the already rewritten definitions of the
/// operands, with hash-consing (so a rewrite never duplicates an equation), and repeats until a
/// round changes nothing. It leaves dead equations for <see cref="DeadCodeElimination"/>.
/// Sub-functions are simplified on their own.
/// </summary>
/// <remarks>
/// Note [constants]: the IR has no array literals; a constant array is
/// <c>broadcast_in_dim[shape=S, dims=[]](literal)</c> (JAX's <c>full</c>), and only a uniform array
/// can be written that way. So a variable is a known constant when it is a broadcast of a literal,
/// folding produces only uniform results (an equation whose result is not uniform, such as
/// <c>iota</c> or <c>random_bits</c> of a constant key, stays), and a known constant becomes the
/// literal itself wherever IR.md lets a literal stand: any operand of an elementwise primitive
/// (the literal stands for the full shape), a scalar index or pad value, a scalar operand of
/// control flow, a scalar result. A pass cannot add <c>const</c> parameters (the caller binds
/// those), so a non-uniform constant is never materialized as one.
/// </remarks>
public static class Simplifier
{
    /// <summary>The simplified function.</summary>
    public static Function Run(Function f, SimplifyOptions? options = null)
    {
        options ??= SimplifyOptions.Default;
        var current = f;
        for (int round = 0; round < options.MaxRounds; round++)
        {
            var next = Once(current, options);
            if (next.Equals(current)) return current;
            current = next;
        }
        return current;
    }

    private static Function Once(Function f, SimplifyOptions options)
    {
        var scope = new SimplifyScope(f, options);
        foreach (var e in f.Equations) scope.Rewrite(e);
        return scope.Build(f.Results);
    }
}

/// <summary>One equation as the rules see it: operands already rewritten, sub-functions simplified.</summary>
internal readonly record struct Eqn(Primitive Primitive, PrimParams Params, IReadOnlyList<Atom> Inputs,
    IReadOnlyList<Function> Subs, IReadOnlyList<AVal> OutTypes)
{
    /// <summary>The only result's type.</summary>
    public AVal Out => OutTypes[0];

    /// <summary>Operand <paramref name="i"/>.</summary>
    public Atom this[int i] => Inputs[i];
}

/// <summary>
/// A rewrite rule: the atoms that replace the equation's results (a literal stands for a constant
/// array of the result's type), or null when it does not apply. Rules emit through the scope.
/// </summary>
internal delegate IReadOnlyList<Atom>? Rule(SimplifyScope s, Eqn e);

/// <summary>The state of one round of simplification over one function.</summary>
internal sealed class SimplifyScope
{
    private readonly FunctionRewriter _rw;

    public SimplifyScope(Function source, SimplifyOptions options)
    {
        _rw = new FunctionRewriter(source, hashCons: true);
        Options = options;
    }

    /// <summary>The options of this run.</summary>
    public SimplifyOptions Options { get; }

    /// <summary>The rewritten equation that defines <paramref name="a"/> (null for parameters and literals).</summary>
    public Equation? Def(Atom a) => _rw.Definition(a);

    /// <summary>True when <paramref name="a"/> is defined by <paramref name="p"/>; gives the equation.</summary>
    public bool IsDefinedBy(Atom a, Primitive p, out Equation e)
    {
        e = Def(a)!;
        return e is not null && e.Primitive == p;
    }

    /// <summary>The value of every element of <paramref name="a"/> when it is a literal or a known
    /// constant array (Note [constants]), else null.</summary>
    public Literal? Const(Atom a)
    {
        if (a is Literal l) return l;
        var e = Def(a);
        return e is not null && e.Primitive == ShapeOps.BroadcastInDim ? Const(e.Inputs[0]) : null;
    }

    /// <summary>Emits an equation with one result (hash-consed).</summary>
    public Var Emit1(Primitive p, PrimParams ps, params Atom[] inputs) => _rw.Emit(p, ps, inputs)[0];

    /// <summary>Emits an equation (hash-consed) and returns its results.</summary>
    public IReadOnlyList<Var> Emit(Primitive p, PrimParams ps, IReadOnlyList<Atom> inputs, IReadOnlyList<Function>? subs = null,
        SourceLocation? location = null) => _rw.Emit(p, ps, inputs, subs, location);

    /// <summary>A variable holding the constant array of <paramref name="type"/> whose elements are <paramref name="value"/>.</summary>
    public Var ConstantArray(Literal value, AVal type) =>
        Emit1(ShapeOps.BroadcastInDim, new BroadcastInDimParams(type.Shape.ToArray(), []), value);

    /// <summary>Rewrites one source equation into this scope.</summary>
    public void Rewrite(Equation e)
    {
        var inputs = e.Inputs.Select(_rw.Map).ToList();
        // Dead code goes from sub-functions here, so that branches that became equal are seen to be.
        var subs = e.SubFunctions.Select(sub => DeadCodeElimination.Run(Simplifier.Run(sub, Options))).ToList();
        var eq = new Eqn(e.Primitive, e.Params, inputs, subs, e.Outputs.Select(o => o.Type).ToList());
        var replacement = ConstantFolding.Fold(this, eq) ?? SimplifyRules.Apply(this, eq);
        if (replacement is not null)
        {
            for (int i = 0; i < e.Outputs.Length; i++) Bind(e.Outputs[i], replacement[i]);
            return;
        }
        _rw.Keep(e.Outputs, e.Primitive, e.Params, Literalize(eq), subs, e.Location);
    }

    private void Bind(Var output, Atom with)
    {
        if (with is Literal lit)
        {
            if (lit.DType != output.Type.DType)
                throw new InvalidOperationException($"internal error: constant {lit} ({lit.DType.Name()}) for {output}");
            _rw.Keep([output], ShapeOps.BroadcastInDim, new BroadcastInDimParams(output.Type.Shape.ToArray(), []), [lit], [], null);
        }
        else _rw.Replace(output, with);
    }

    /// <summary>The equation's operands with known constants replaced by literals wherever a literal may stand.</summary>
    private List<Atom> Literalize(Eqn e)
    {
        var inputs = e.Inputs.ToList();
        bool elementwise = IsElementwise(e.Primitive);
        for (int i = 0; i < inputs.Count; i++)
        {
            if (inputs[i] is not Var v || Const(v) is not { } lit) continue;
            if (!elementwise && !v.Type.IsScalar) continue;
            var candidate = inputs.ToList();
            candidate[i] = lit;
            if (WellTyped(e with { Inputs = candidate })) inputs = candidate;
        }
        return inputs;
    }

    /// <summary>True when the equation type-checks as <see cref="TypeChecker"/> would check it.</summary>
    internal static bool WellTyped(Eqn e)
    {
        var varTypes = e.Inputs.Select(a => a is Var v ? v.Type : null).ToList();
        for (int i = 0; i < e.Inputs.Count; i++)
            if (e.Inputs[i] is Literal lit && e.Primitive.LiteralDTypeAt(i, e.Params, varTypes, e.Subs, e.OutTypes) != lit.DType)
                return false;
        try
        {
            return e.Primitive.InferTypes(e.Params, e.Inputs.Select(Operand.Of).ToList(), e.Subs).SequenceEqual(e.OutTypes);
        }
        catch (TypeError)
        {
            return false;
        }
    }

    /// <summary>True for the elementwise family (a literal operand stands for the full shape there).</summary>
    internal static bool IsElementwise(Primitive p) =>
        p is UnaryOp or BinaryOp or CompareOp or PredicateOp or SelectOp or ConvertOp;

    /// <summary>The rewritten function; a scalar result that is a known constant is returned as a literal.</summary>
    public Function Build(IEnumerable<Atom> sourceResults) =>
        _rw.Build(sourceResults.Select(r =>
        {
            var m = _rw.Map(r);
            return m is Var v && v.Type.IsScalar && Const(v) is { } lit ? lit : m;
        }).ToList());
}

using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Tracing;

// Note [nested traces]
// ~~~~~~~~~~~~~~~~~~~~
// A control-flow body (scan, cond, while) or a vmap inside a traced function is traced as a
// sub-function in a nested trace (Trace.Nested), while the enclosing trace is still running. The
// body is an ordinary closure, so it uses tensors of the enclosing traces freely (`a * h` where `a`
// is an argument of the outer function). JAX stages such values into the body and passes them in
// as extra operands; so does ArrayLang:
//  - every operation records into the innermost running trace when its operands belong to that
//    trace or to traces enclosing it (BindTarget), whichever operand comes first;
//  - an operand of an enclosing trace becomes a parameter of the nested function (Lift), once per
//    variable, through every level in between; the nested trace keeps the enclosing tensor
//    (Captured) so that the caller passes it as an operand of the equation it emits;
//  - an array captured inside a nested trace is captured by the outermost trace (a const
//    parameter bound at call time) and lifted down like any other outer value.
// A tensor of a trace that is not running (a tensor kept from a finished trace) is still an error.

public sealed partial class TraceContext
{
    private readonly HashSet<Var> _owned = new(ReferenceEqualityComparer.Instance);
    private int _ownedParams, _ownedEquations;
    private readonly Dictionary<Var, Var> _lifted = new(ReferenceEqualityComparer.Instance);
    private readonly List<Tensor> _captured = [];

    internal TraceContext(TraceContext parent) : this() => Parent = parent;

    /// <summary>The enclosing trace of a nested trace (null for a trace started by <see cref="Trace.Function(IReadOnlyList{AVal}, Func{IReadOnlyList{Tensor}, IReadOnlyList{Tensor}}, string, IReadOnlyList{string}?)"/>).</summary>
    public TraceContext? Parent { get; }

    /// <summary>
    /// For a nested trace: the tensors of enclosing traces that its function uses, in the order of
    /// the parameters they became (the function's first parameters). See Note [nested traces].
    /// </summary>
    public IReadOnlyList<Tensor> Captured => _captured;

    /// <summary>
    /// Records the equations of <paramref name="function"/> into this trace with its parameters bound
    /// to <paramref name="args"/> and returns its results as tensors (how a transformed function is
    /// used inside a traced one).
    /// </summary>
    public IReadOnlyList<Tensor> Inline(Function function, IReadOnlyList<Tensor> args)
    {
        if (args.Count != function.Params.Length)
            throw new IrException($"inlining {function.Name}: it takes {function.Params.Length} argument(s), {args.Count} given");
        var target = BindTarget();
        var atoms = args.Select(a => target.Resolve(a.Operand(target)) switch
        {
            Literal l => target.Bind(ShapeOps.BroadcastInDim, new BroadcastInDimParams([], []), [l])[0].Atom,
            var other => other,
        }).ToList();
        for (int i = 0; i < atoms.Count; i++)
            if (atoms[i].Type != function.Params[i].Type)
                throw new IrException($"inlining {function.Name}: argument {i + 1} ({function.Params[i].Name}) should be {function.Params[i].Type}, found {atoms[i].Type}");
        return target.Builder.Inline(function, atoms).Select(a => new Tensor(target, a)).ToList();
    }

    /// <summary>True when <paramref name="other"/> is this trace, or one encloses the other and both are running.</summary>
    internal bool IsNestedWith(TraceContext other) =>
        other == this || (Trace.IsRunning(this) && Trace.IsRunning(other) && (Encloses(other, this) || Encloses(this, other)));

    private static bool Encloses(TraceContext outer, TraceContext inner)
    {
        for (var c = inner.Parent; c is not null; c = c.Parent)
            if (c == outer) return true;
        return false;
    }

    /// <summary>Where an operation on this trace's tensors records: the innermost running trace when
    /// this trace encloses it, else this trace.</summary>
    internal TraceContext BindTarget()
    {
        var innermost = Trace.Innermost;
        return innermost is not null && innermost != this && Encloses(this, innermost) ? innermost : this;
    }

    /// <summary>The atom standing for <paramref name="a"/> in this trace: itself when it is a literal or this
    /// trace's variable, a lifted parameter when it belongs to an enclosing trace.</summary>
    internal Atom Resolve(Atom a) => a is Var v && !Owns(v) ? LiftVar(v) : a;

    /// <summary>The tensor standing for <paramref name="outer"/> (a tensor of an enclosing trace) in this trace.</summary>
    internal Tensor Lift(Tensor outer) => outer.Context == this ? outer : new Tensor(this, Resolve(outer.Atom));

    private Var LiftVar(Var v)
    {
        if (_lifted.TryGetValue(v, out var p)) return p;
        if (Parent is null)
            throw new IrException($"a {v.Type} tensor from a trace that has finished was used here: {Trace.Escaped}");
        var outer = Parent.Owns(v) ? v : Parent.LiftVar(v);
        p = Builder.AddParam(v.Type, outer.Name, isConst: true);
        _lifted[v] = p;
        _captured.Add(new Tensor(Parent, outer));
        return p;
    }

    // The variables this trace defines (parameters and equation outputs), kept in step with the builder.
    private bool Owns(Var v)
    {
        var ps = Builder.Params;
        for (; _ownedParams < ps.Count; _ownedParams++) _owned.Add(ps[_ownedParams]);
        var es = Builder.Equations;
        for (; _ownedEquations < es.Count; _ownedEquations++)
            foreach (var o in es[_ownedEquations].Outputs) _owned.Add(o);
        return _owned.Contains(v);
    }
}

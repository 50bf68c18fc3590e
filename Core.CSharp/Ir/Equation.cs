using System.Collections.Immutable;
using ArrayLang.Primitives;

namespace ArrayLang.Ir;

/// <summary>
/// One SSA equation: <c>outputs = primitive[params](inputs) { sub-functions }</c>.
/// Immutable; build functions with <see cref="FunctionBuilder"/>.
/// </summary>
public sealed class Equation
{
    /// <summary>Creates an equation. Types are not checked here; <see cref="TypeChecker"/> does that.</summary>
    public Equation(IEnumerable<Var> outputs, Primitive primitive, PrimParams parameters, IEnumerable<Atom> inputs,
        IEnumerable<Function>? subFunctions = null, SourceLocation? location = null)
    {
        Outputs = outputs.ToImmutableArray();
        Primitive = primitive;
        Params = parameters;
        Inputs = inputs.ToImmutableArray();
        SubFunctions = subFunctions?.ToImmutableArray() ?? [];
        Location = location;
    }

    /// <summary>The variables this equation defines.</summary>
    public ImmutableArray<Var> Outputs { get; }

    /// <summary>The primitive applied.</summary>
    public Primitive Primitive { get; }

    /// <summary>The primitive's typed static params.</summary>
    public PrimParams Params { get; }

    /// <summary>The operands.</summary>
    public ImmutableArray<Atom> Inputs { get; }

    /// <summary>Sub-functions of control flow (<c>scan</c>: body; <c>cond</c>: branches; <c>while</c>: cond_fn, body_fn).</summary>
    public ImmutableArray<Function> SubFunctions { get; }

    /// <summary>Where the equation came from (an .ir line or the user's traced code); not part of equality.</summary>
    public SourceLocation? Location { get; }

    /// <summary>The equation's text on one line (sub-functions elided).</summary>
    public override string ToString() => IrPrinter.PrintEquationHead(this);
}

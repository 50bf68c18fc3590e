using ArrayLang.Ir;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>An operand as a shape rule sees it: its type, and whether it is a scalar literal
/// (a literal operand of an elementwise primitive stands for the full shape).</summary>
public readonly record struct Operand(AVal Type, bool IsLiteral)
{
    /// <summary>The operand of an atom.</summary>
    public static Operand Of(Atom a) => new(a.Type, a is Literal);
}

/// <summary>
/// A primitive of the IR: its name, how it reads its params from text, its shape and dtype rule
/// and its reference evaluation. Batching rules live in <see cref="ArrayLang.Transforms.BatchingRules"/>,
/// filled by each family's <c>Register</c> (see <see cref="PrimitiveRegistry"/>).
/// Derive from <see cref="Primitive{TParams}"/>.
/// </summary>
public abstract class Primitive
{
    /// <summary>Creates a primitive with its IR text name.</summary>
    protected Primitive(string name) => Name = name;

    /// <summary>The name in the text form, e.g. <c>dot_general</c>.</summary>
    public string Name { get; }

    /// <summary>Reads typed params from the text form's key/value pairs (applying defaults).</summary>
    public abstract PrimParams ReadParams(ParamReader reader);

    /// <summary>The params every omitted key defaults to; throws for a primitive with required params.</summary>
    public PrimParams DefaultParams() => ReadParams(ParamReader.Empty(Name));

    /// <summary>The result types, or a <see cref="TypeError"/> naming what was expected and found.</summary>
    public abstract IReadOnlyList<AVal> InferTypes(PrimParams p, IReadOnlyList<Operand> operands, IReadOnlyList<Function> subs);

    /// <summary>
    /// The dtype a literal at operand <paramref name="position"/> takes (IR.md "Literals"), given the
    /// types of the variable operands (null at literal positions); null when no literal may stand there.
    /// </summary>
    public abstract DType? LiteralDType(int position, PrimParams p, IReadOnlyList<AVal?> operands, IReadOnlyList<Function> subs);

    /// <summary>
    /// The dtype a literal operand takes from the equation's declared result types, for a primitive
    /// whose result alone fixes it: <c>broadcast_in_dim</c> of a scalar literal (JAX's <c>full</c>).
    /// Consulted only where <see cref="LiteralDType(int, PrimParams, IReadOnlyList{AVal?}, IReadOnlyList{Function})"/> gives null.
    /// </summary>
    public virtual DType? LiteralDTypeFromResults(int position, PrimParams p, IReadOnlyList<AVal> declaredResults) => null;

    /// <summary>The dtype of a literal at <paramref name="position"/>: from the operands where they fix it, else
    /// from the declared results (when known); null when no literal may stand there.</summary>
    public DType? LiteralDTypeAt(int position, PrimParams p, IReadOnlyList<AVal?> operands, IReadOnlyList<Function> subs,
        IReadOnlyList<AVal>? declaredResults) =>
        LiteralDType(position, p, operands, subs)
        ?? (declaredResults is null ? null : LiteralDTypeFromResults(position, p, declaredResults));

    /// <summary>The reference evaluation: scalar, slow and obviously right. Inputs are well typed;
    /// a scalar input stands for a literal operand.</summary>
    public abstract IReadOnlyList<NDArray> Evaluate(PrimParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs);

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}

/// <summary>A primitive with typed params: overrides receive <typeparamref name="TParams"/>.</summary>
public abstract class Primitive<TParams> : Primitive where TParams : PrimParams
{
    /// <summary>Creates a primitive with its IR text name.</summary>
    protected Primitive(string name) : base(name) { }

    private TParams Cast(PrimParams p) => p as TParams
        ?? throw new ArgumentException($"{Name} expects params of type {typeof(TParams).Name}, found {p.GetType().Name}");

    /// <summary>Reads the typed params.</summary>
    public abstract TParams Read(ParamReader reader);

    /// <summary>The typed shape and dtype rule.</summary>
    public abstract IReadOnlyList<AVal> InferTypes(TParams p, IReadOnlyList<Operand> operands, IReadOnlyList<Function> subs);

    /// <summary>The typed literal rule.</summary>
    public abstract DType? LiteralDType(int position, TParams p, IReadOnlyList<AVal?> operands, IReadOnlyList<Function> subs);

    /// <summary>The typed reference evaluation.</summary>
    public abstract IReadOnlyList<NDArray> Evaluate(TParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs);

    /// <inheritdoc />
    public sealed override PrimParams ReadParams(ParamReader reader)
    {
        var p = Read(reader);
        reader.Done();
        return p;
    }

    /// <inheritdoc />
    public sealed override IReadOnlyList<AVal> InferTypes(PrimParams p, IReadOnlyList<Operand> operands, IReadOnlyList<Function> subs) =>
        InferTypes(Cast(p), operands, subs);

    /// <inheritdoc />
    public sealed override DType? LiteralDType(int position, PrimParams p, IReadOnlyList<AVal?> operands, IReadOnlyList<Function> subs) =>
        LiteralDType(position, Cast(p), operands, subs);

    /// <inheritdoc />
    public sealed override IReadOnlyList<NDArray> Evaluate(PrimParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs) =>
        Evaluate(Cast(p), inputs, subs);

    /// <summary>A type error prefixed with this primitive's name.</summary>
    protected TypeError Error(string message) => new($"{Name}: {message}");
}

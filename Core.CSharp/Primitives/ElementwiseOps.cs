using ArrayLang.Ir;
using ArrayLang.Transforms;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>
/// The generic rules shared by every elementwise primitive (DESIGN.md's <c>Unary</c>/<c>Binary</c>
/// helpers): operands share one dtype, equal shapes, except that a scalar literal stands for the
/// full array; at least one operand is a variable.
/// </summary>
public static class ElementwiseRules
{
    /// <summary>The common shape of elementwise operands, or a type error naming the primitive and the types.</summary>
    public static Shape CommonShape(string prim, IReadOnlyList<Operand> operands)
    {
        Shape? shape = null;
        foreach (var o in operands)
        {
            if (o.IsLiteral) continue;
            if (shape is null) shape = o.Type.Shape;
            else if (shape != o.Type.Shape)
                throw new TypeError($"{prim}: operands must have equal shapes (broadcasting is explicit), found {string.Join(", ", operands.Select(Describe))}");
        }
        if (shape is null)
            throw new TypeError($"{prim}: at least one operand must be a variable, found only literals");
        foreach (var o in operands)
            if (o.IsLiteral && !o.Type.IsScalar)
                throw new TypeError($"{prim}: a literal operand must be a scalar, found {o.Type}");
        return shape;
    }

    /// <summary>The dtype shared by the given operands, or a type error listing them.</summary>
    public static DType CommonDType(string prim, IEnumerable<Operand> operands)
    {
        var list = operands.ToList();
        var d = list[0].Type.DType;
        if (list.Any(o => o.Type.DType != d))
            throw new TypeError($"{prim}: operands must share one dtype (there is no implicit promotion), found {string.Join(", ", list.Select(Describe))}");
        return d;
    }

    /// <summary>A type error unless <paramref name="d"/> is one of <paramref name="allowed"/>.</summary>
    public static void RequireDType(string prim, DType d, IReadOnlyCollection<DType> allowed)
    {
        if (!allowed.Contains(d))
            throw new TypeError($"{prim}: expected {string.Join(" or ", allowed.Select(x => x.Name()))} operands, found {d.Name()}");
    }

    /// <summary>The dtypes for which a scalar definition is given (in f32, f64, i32, bool order).</summary>
    public static DType[] DefinedDTypes(Delegate? f32, Delegate? f64, Delegate? i32, Delegate? boolean) =>
        new (DType d, bool ok)[] { (DType.F32, f32 != null), (DType.F64, f64 != null), (DType.I32, i32 != null), (DType.Bool, boolean != null) }
            .Where(x => x.ok).Select(x => x.d).ToArray();

    /// <summary>The dtype of the first variable operand (a literal in an elementwise position takes it).</summary>
    public static DType? FirstVariableDType(IReadOnlyList<AVal?> operands, int skip = -1) =>
        operands.Where((t, i) => i != skip && t is not null).Select(t => t!.DType).Cast<DType?>().FirstOrDefault();

    /// <summary>
    /// The shape of an elementwise result from evaluated inputs: the variable operands share it and
    /// a literal is a scalar, so it is the shape of highest rank (a scalar when every input is one).
    /// Not the largest element count: a literal beside an empty array must not win.
    /// </summary>
    public static Shape ResultShape(IReadOnlyList<NDArray> inputs) =>
        inputs.MaxBy(x => x.Shape.Rank)!.Shape;

    /// <summary><c>x: f32[3]</c> or <c>literal f32</c>, for messages.</summary>
    public static string Describe(Operand o) => o.IsLiteral ? $"a literal {o.Type.DType.Name()}" : o.Type.ToString();

    /// <summary>
    /// Maps <paramref name="op"/> over equal-shaped inputs (a rank-0 input, a literal, is
    /// broadcast), writing a result of <paramref name="result"/>. <paramref name="op"/> receives the
    /// output, the element index, the inputs and the element index to read in each input.
    /// </summary>
    public static NDArray Map(AVal result, IReadOnlyList<NDArray> inputs, Action<NDArray, long, IReadOnlyList<NDArray>, long[]> op)
    {
        var output = NDArray.Zeros(result);
        var idx = new long[inputs.Count];
        for (long i = 0; i < output.Length; i++)
        {
            for (int k = 0; k < inputs.Count; k++) idx[k] = inputs[k].Shape.Rank == 0 ? 0 : i;
            op(output, i, inputs, idx);
        }
        return output;
    }

    /// <summary>
    /// The batching rule of every elementwise primitive: bring every batched operand's batch axis
    /// to one position (the first batched operand's), broadcast unbatched variable operands to it
    /// (scalar literals stay literals), and apply the primitive once.
    /// </summary>
    public static IReadOnlyList<BatchedAtom> Batch(Primitive prim, BatchContext ctx, PrimParams p, IReadOnlyList<BatchedAtom> inputs)
    {
        int dim = inputs.First(x => x.IsBatched).BatchDim!.Value;
        var atoms = inputs.Select(x => x.Atom is Literal ? x.Atom : ctx.MoveBatchDim(x, dim)).ToList();
        return ctx.Emit(prim, p, atoms).Select(v => new BatchedAtom(v, dim)).ToList();
    }
}

/// <summary>
/// An elementwise primitive of one operand whose result has the operand's dtype (or a fixed one,
/// such as <c>is_finite</c>'s bool). The evaluation is given per dtype as scalar functions; a
/// dtype without a function is not accepted by the shape rule.
/// </summary>
public sealed class UnaryOp : Primitive<NoParams>
{
    private readonly Func<float, float>? _f32;
    private readonly Func<double, double>? _f64;
    private readonly Func<int, int>? _i32;
    private readonly Func<bool, bool>? _bool;
    private readonly DType[] _dtypes;

    /// <summary>Creates a unary primitive from its scalar definitions per dtype.</summary>
    public UnaryOp(string name, Func<float, float>? f32 = null, Func<double, double>? f64 = null,
        Func<int, int>? i32 = null, Func<bool, bool>? boolean = null) : base(name)
    {
        (_f32, _f64, _i32, _bool) = (f32, f64, i32, boolean);
        _dtypes = ElementwiseRules.DefinedDTypes(f32, f64, i32, boolean);
    }

    /// <summary>The dtypes this primitive accepts.</summary>
    public IReadOnlyList<DType> DTypes => _dtypes;

    /// <inheritdoc />
    public override NoParams Read(ParamReader reader) => NoParams.Instance;

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(NoParams p, IReadOnlyList<Operand> operands, IReadOnlyList<Function> subs)
    {
        if (operands.Count != 1) throw Error($"expects 1 operand, found {operands.Count}");
        var shape = ElementwiseRules.CommonShape(Name, operands);
        ElementwiseRules.RequireDType(Name, operands[0].Type.DType, _dtypes);
        return [new AVal(operands[0].Type.DType, shape)];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, NoParams p, IReadOnlyList<AVal?> operands, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(NoParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var x = inputs[0];
        var r = NDArray.Zeros(x.Type);
        switch (x.DType)
        {
            case DType.F32: { var a = x.F32; var o = r.F32; for (int i = 0; i < a.Length; i++) o[i] = _f32!(a[i]); break; }
            case DType.F64: { var a = x.F64; var o = r.F64; for (int i = 0; i < a.Length; i++) o[i] = _f64!(a[i]); break; }
            case DType.I32: { var a = x.I32; var o = r.I32; for (int i = 0; i < a.Length; i++) o[i] = _i32!(a[i]); break; }
            case DType.Bool: { var a = x.Bool; var o = r.Bool; for (int i = 0; i < a.Length; i++) o[i] = _bool!(a[i]); break; }
        }
        return [r];
    }
}

/// <summary>
/// An elementwise primitive of two operands of one dtype whose result has that dtype. Either
/// operand may be a scalar literal standing for the full array.
/// </summary>
public sealed class BinaryOp : Primitive<NoParams>
{
    private readonly Func<float, float, float>? _f32;
    private readonly Func<double, double, double>? _f64;
    private readonly Func<int, int, int>? _i32;
    private readonly Func<bool, bool, bool>? _bool;
    private readonly DType[] _dtypes;

    /// <summary>Creates a binary primitive from its scalar definitions per dtype.</summary>
    public BinaryOp(string name, Func<float, float, float>? f32 = null, Func<double, double, double>? f64 = null,
        Func<int, int, int>? i32 = null, Func<bool, bool, bool>? boolean = null) : base(name)
    {
        (_f32, _f64, _i32, _bool) = (f32, f64, i32, boolean);
        _dtypes = ElementwiseRules.DefinedDTypes(f32, f64, i32, boolean);
    }

    /// <summary>The dtypes this primitive accepts.</summary>
    public IReadOnlyList<DType> DTypes => _dtypes;

    /// <inheritdoc />
    public override NoParams Read(ParamReader reader) => NoParams.Instance;

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(NoParams p, IReadOnlyList<Operand> operands, IReadOnlyList<Function> subs)
    {
        if (operands.Count != 2) throw Error($"expects 2 operands, found {operands.Count}");
        var shape = ElementwiseRules.CommonShape(Name, operands);
        var d = ElementwiseRules.CommonDType(Name, operands);
        ElementwiseRules.RequireDType(Name, d, _dtypes);
        return [new AVal(d, shape)];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, NoParams p, IReadOnlyList<AVal?> operands, IReadOnlyList<Function> subs) =>
        ElementwiseRules.FirstVariableDType(operands, skip: position);

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(NoParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var (x, y) = (inputs[0], inputs[1]);
        var shape = ElementwiseRules.ResultShape(inputs);
        var r = NDArray.Zeros(new AVal(x.DType, shape));
        int sx = x.Shape.Rank == 0 ? 0 : 1, sy = y.Shape.Rank == 0 ? 0 : 1;
        switch (x.DType)
        {
            case DType.F32: { var a = x.F32; var b = y.F32; var o = r.F32; for (int i = 0; i < o.Length; i++) o[i] = _f32!(a[i * sx], b[i * sy]); break; }
            case DType.F64: { var a = x.F64; var b = y.F64; var o = r.F64; for (int i = 0; i < o.Length; i++) o[i] = _f64!(a[i * sx], b[i * sy]); break; }
            case DType.I32: { var a = x.I32; var b = y.I32; var o = r.I32; for (int i = 0; i < o.Length; i++) o[i] = _i32!(a[i * sx], b[i * sy]); break; }
            case DType.Bool: { var a = x.Bool; var b = y.Bool; var o = r.Bool; for (int i = 0; i < o.Length; i++) o[i] = _bool!(a[i * sx], b[i * sy]); break; }
        }
        return [r];
    }
}

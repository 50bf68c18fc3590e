using ArrayLang.Ir;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>
/// A comparison <c>eq ne lt le gt ge</c>: two operands of one dtype (any dtype, with
/// <c>false &lt; true</c>), equal shapes, a bool result. Either operand may be a scalar literal,
/// which takes the other operand's dtype. Floats compare as IEEE 754 does: NaN is unordered, so
/// every comparison with it is false except <c>ne</c>, and <c>-0 == +0</c>.
/// </summary>
public sealed class CompareOp : Primitive<NoParams>
{
    private readonly Func<double, double, bool> _compare;

    /// <summary>Creates a comparison from its definition on doubles; every dtype widens to double
    /// exactly (bools to 0 and 1), so one definition serves them all.</summary>
    public CompareOp(string name, Func<double, double, bool> compare) : base(name) => _compare = compare;

    /// <summary>The comparison applied to two values widened to double.</summary>
    public bool Apply(double x, double y) => _compare(x, y);

    /// <inheritdoc />
    public override NoParams Read(ParamReader reader) => NoParams.Instance;

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(NoParams p, IReadOnlyList<Operand> operands, IReadOnlyList<Function> subs)
    {
        if (operands.Count != 2) throw Error($"expects 2 operands, found {operands.Count}");
        var shape = ElementwiseRules.CommonShape(Name, operands);
        ElementwiseRules.CommonDType(Name, operands);
        return [new AVal(DType.Bool, shape)];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, NoParams p, IReadOnlyList<AVal?> operands, IReadOnlyList<Function> subs) =>
        ElementwiseRules.FirstVariableDType(operands, skip: position);

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(NoParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var (x, y) = (inputs[0], inputs[1]);
        var r = NDArray.Zeros(new AVal(DType.Bool, ElementwiseRules.ResultShape(inputs)));
        int sx = x.Shape.Rank == 0 ? 0 : 1, sy = y.Shape.Rank == 0 ? 0 : 1;
        var o = r.Bool;
        for (int i = 0; i < o.Length; i++) o[i] = _compare(x.GetDouble(i * sx), y.GetDouble(i * sy));
        return [r];
    }
}

/// <summary>
/// A predicate on floats such as <c>is_finite(x)</c>: one f32 or f64 operand, a bool result of its shape.
/// </summary>
public sealed class PredicateOp : Primitive<NoParams>
{
    private readonly Func<double, bool> _predicate;

    /// <summary>Creates a predicate from its definition on doubles (f32 widens exactly).</summary>
    public PredicateOp(string name, Func<double, bool> predicate) : base(name) => _predicate = predicate;

    /// <summary>The predicate applied to one value widened to double.</summary>
    public bool Apply(double x) => _predicate(x);

    /// <inheritdoc />
    public override NoParams Read(ParamReader reader) => NoParams.Instance;

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(NoParams p, IReadOnlyList<Operand> operands, IReadOnlyList<Function> subs)
    {
        if (operands.Count != 1) throw Error($"expects 1 operand, found {operands.Count}");
        var shape = ElementwiseRules.CommonShape(Name, operands);
        ElementwiseRules.RequireDType(Name, operands[0].Type.DType, DTypes.Floats);
        return [new AVal(DType.Bool, shape)];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, NoParams p, IReadOnlyList<AVal?> operands, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(NoParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var x = inputs[0];
        var r = NDArray.Zeros(new AVal(DType.Bool, x.Shape));
        var o = r.Bool;
        for (int i = 0; i < o.Length; i++) o[i] = _predicate(x.GetDouble(i));
        return [r];
    }
}

/// <summary>
/// <c>select(pred, on_true, on_false)</c>: elementwise <c>pred ? on_true : on_false</c>. <c>pred</c>
/// is bool with the operands' shape; <c>on_true</c> and <c>on_false</c> share any one dtype, which
/// is the result's. A scalar literal may stand for any one or two operands: a <c>true</c>/<c>false</c>
/// literal for <c>pred</c>, and for a branch a literal of the other branch's dtype (so the two
/// branches are not both literals: nothing would give their dtype).
/// </summary>
public sealed class SelectOp() : Primitive<NoParams>("select")
{
    /// <inheritdoc />
    public override NoParams Read(ParamReader reader) => NoParams.Instance;

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(NoParams p, IReadOnlyList<Operand> operands, IReadOnlyList<Function> subs)
    {
        if (operands.Count != 3) throw Error($"expects 3 operands (pred, on_true, on_false), found {operands.Count}");
        var shape = ElementwiseRules.CommonShape(Name, operands);
        if (operands[0].Type.DType != DType.Bool)
            throw Error($"pred must be bool, found {ElementwiseRules.Describe(operands[0])}");
        if (operands[1].IsLiteral && operands[2].IsLiteral)
            throw Error("on_true and on_false cannot both be literals (a literal takes the other branch's dtype)");
        var d = ElementwiseRules.CommonDType(Name, [operands[1], operands[2]]);
        return [new AVal(d, shape)];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, NoParams p, IReadOnlyList<AVal?> operands, IReadOnlyList<Function> subs) => position switch
    {
        0 => operands[1] is not null || operands[2] is not null ? DType.Bool : null,
        1 => operands[2]?.DType,
        2 => operands[1]?.DType,
        _ => null,
    };

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(NoParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var (pred, a, b) = (inputs[0], inputs[1], inputs[2]);
        var r = NDArray.Zeros(new AVal(a.DType, ElementwiseRules.ResultShape(inputs)));
        int sp = pred.Shape.Rank == 0 ? 0 : 1, sa = a.Shape.Rank == 0 ? 0 : 1, sb = b.Shape.Rank == 0 ? 0 : 1;
        var pv = pred.Bool;
        for (int i = 0; i < r.Length; i++)
            Array.Copy(pv[i * sp] ? a.Data : b.Data, pv[i * sp] ? i * sa : i * sb, r.Data, i, 1);
        return [r];
    }
}

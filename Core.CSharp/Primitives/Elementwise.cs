namespace ArrayLang.Primitives;

/// <summary>
/// The elementwise family: unary and binary arithmetic, float functions, predicates, logic,
/// comparisons, <c>select</c> and <c>convert</c> (IR.md's table and its exact semantics).
/// </summary>
public static class Elementwise
{
    /// <summary><c>neg(x)</c>; i32 wraps (<c>neg(INT_MIN) = INT_MIN</c>).</summary>
    public static readonly UnaryOp Neg = new("neg", f32: x => -x, f64: x => -x, i32: x => unchecked(-x));

    /// <summary><c>add(x, y)</c>; i32 wraps.</summary>
    public static readonly BinaryOp Add = new("add", f32: (x, y) => x + y, f64: (x, y) => x + y, i32: (x, y) => unchecked(x + y));

    /// <summary>Registers the family's primitives and batching rules.</summary>
    public static void Register(Registrar r)
    {
        foreach (var p in new Primitive[] { Neg, Add })
            r.Add(p, (ctx, ps, ins, subs) => ElementwiseRules.Batch(p, ctx, ps, ins));
    }
}

using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Compile.Passes;

/// <summary>
/// The simplifier's rewrite rules, by primitive. Each holds bit for bit under IR.md's exact
/// semantics unless its comment says otherwise (only the factoring of reductions reassociates).
/// Note [float identities]: IEEE arithmetic has fewer identities than the reals.
/// <c>x + (-0.0) = x</c> for every <c>x</c>, but <c>x + 0.0</c> turns <c>-0.0</c> into <c>+0.0</c>;
/// <c>x - 0.0 = x</c>, but <c>x - (-0.0)</c> does not hold for <c>x = -0.0</c>; <c>x * 0</c> is not 0
/// (NaN and infinities give NaN, negative numbers give <c>-0.0</c>); <c>x - x</c> is not 0 (NaN, inf);
/// <c>x == x</c> is false for NaN. <c>x * 1</c>, <c>x / 1</c>, <c>x * -1 = -x</c> and
/// <c>-(-x) = x</c> are exact, for i32 too (wrapping: <c>INT_MIN / -1 = INT_MIN = -INT_MIN</c>).
/// For i32 the ring identities hold (<c>x * 0 = 0</c>, <c>x - x = 0</c>).
/// </summary>
internal static partial class SimplifyRules
{
    private static readonly Dictionary<Primitive, Rule[]> Table = BuildTable();

    /// <summary>The first rule for <paramref name="e"/>'s primitive that applies, or null.</summary>
    public static IReadOnlyList<Atom>? Apply(SimplifyScope s, Eqn e)
    {
        if (!Table.TryGetValue(e.Primitive, out var rules)) return null;
        foreach (var rule in rules)
            if (rule(s, e) is { } replacement) return replacement;
        return null;
    }

    private static Dictionary<Primitive, Rule[]> BuildTable() => new()
    {
        [Elementwise.Add] = [AddIdentity],
        [Elementwise.Sub] = [SubIdentity],
        [Elementwise.Mul] = [MulIdentity],
        [Elementwise.Div] = [DivIdentity],
        [Elementwise.Pow] = [PowIdentity],
        [Elementwise.Neg] = [NegNeg],
        [Elementwise.Abs] = [AbsOfAbsOrNeg],
        [Elementwise.Not] = [NotNot],
        [Elementwise.And] = [AndIdentity],
        [Elementwise.Or] = [OrIdentity],
        [Elementwise.Xor] = [XorIdentity],
        [Elementwise.Max] = [MaxIdentity],
        [Elementwise.Min] = [MinIdentity],
        [Elementwise.Eq] = [CompareSame], [Elementwise.Ne] = [CompareSame],
        [Elementwise.Lt] = [CompareSame], [Elementwise.Le] = [CompareSame],
        [Elementwise.Gt] = [CompareSame], [Elementwise.Ge] = [CompareSame],
        [Elementwise.Select] = [SelectKnown],
        [Elementwise.Convert] = [ConvertIdentity],
        [ShapeOps.Transpose] = [TransposeFold],
        [ShapeOps.BroadcastInDim] = [BroadcastFold],
        [ShapeOps.Reshape] = [ReshapeFold],
        [ShapeOps.Squeeze] = [SqueezeOrExpandFold],
        [ShapeOps.ExpandDims] = [SqueezeOrExpandFold],
        [ShapeOps.Rev] = [RevFold],
        [Slicing.Slice] = [FullSlice],
        [Slicing.Pad] = [ZeroPad],
        [Slicing.Concatenate] = [SingleConcatenate],
        [Slicing.DynamicSlice] = [FullDynamicSlice],
        [Slicing.DynamicUpdateSlice] = [FullUpdate],
        [Reduction.ReduceSum] = [TrivialReduction, Factoring.FactorReduceSum],
        [Reduction.ReduceProd] = [TrivialReduction],
        [Reduction.ReduceMax] = [TrivialReduction],
        [Reduction.ReduceMin] = [TrivialReduction],
        [ControlFlow.Cond] = [CondKnownBranch],
    };

    // ---- helpers ----

    /// <summary>True when <paramref name="l"/> is a literal with exactly the bits of <paramref name="v"/> (so -0.0 is not 0.0).</summary>
    private static bool Is(Literal? l, double v) =>
        l is not null && BitConverter.DoubleToInt64Bits(l.Value) == BitConverter.DoubleToInt64Bits(v);

    private static bool IsFloat(Eqn e) => e.Out.DType.IsFloat();

    private static Literal Lit(AVal t, double v) => new(t.DType, v);

    private static IReadOnlyList<Atom> One(Atom a) => [a];

    /// <summary>For a binary equation with one constant operand: that constant and the other operand.</summary>
    private static bool OneConst(SimplifyScope s, Eqn e, out Literal c, out Atom other, out bool constFirst)
    {
        var (c0, c1) = (s.Const(e[0]), s.Const(e[1]));
        (c, other, constFirst) = c1 is not null ? (c1, e[0], false) : (c0!, e[1], true);
        return (c0 is null) != (c1 is null);
    }

    private static bool Same(Atom a, Atom b) => ReferenceEquals(a, b) || (a is Literal la && b is Literal lb && la.Equals(lb));

    // ---- arithmetic ----

    private static IReadOnlyList<Atom>? AddIdentity(SimplifyScope s, Eqn e)
    {
        if (!OneConst(s, e, out var c, out var x, out _)) return null;
        return Is(c, IsFloat(e) ? -0.0 : 0) ? One(x) : null;   // x + (-0.0) = x; x + 0.0 is not (Note [float identities])
    }

    private static IReadOnlyList<Atom>? SubIdentity(SimplifyScope s, Eqn e)
    {
        if (!IsFloat(e) && Same(e[0], e[1])) return One(Lit(e.Out, 0));
        if (!OneConst(s, e, out var c, out var x, out bool constFirst)) return null;
        if (!constFirst) return Is(c, 0.0) ? One(x) : null;                 // x - 0 = x (also for -0.0)
        return Is(c, IsFloat(e) ? -0.0 : 0)                                  // -0.0 - x = -x (0.0 - 0.0 is +0.0)
            ? One(s.Emit1(Elementwise.Neg, NoParams.Instance, x)) : null;
    }

    private static IReadOnlyList<Atom>? MulIdentity(SimplifyScope s, Eqn e)
    {
        if (!OneConst(s, e, out var c, out var x, out _)) return null;
        if (Is(c, 1)) return One(x);
        if (Is(c, -1)) return One(s.Emit1(Elementwise.Neg, NoParams.Instance, x));
        if (!IsFloat(e) && Is(c, 0)) return One(Lit(e.Out, 0));              // never for floats: NaN * 0, -1 * 0
        return null;
    }

    private static IReadOnlyList<Atom>? DivIdentity(SimplifyScope s, Eqn e)
    {
        var c = s.Const(e[1]);
        if (s.Const(e[0]) is not null || c is null) return null;
        if (Is(c, 1)) return One(e[0]);
        if (Is(c, -1)) return One(s.Emit1(Elementwise.Neg, NoParams.Instance, e[0]));  // i32: INT_MIN / -1 = INT_MIN = -INT_MIN
        return null;
    }

    private static IReadOnlyList<Atom>? PowIdentity(SimplifyScope s, Eqn e)
    {
        var c = s.Const(e[1]);
        if (s.Const(e[0]) is not null || c is null) return null;
        if (Is(c, 1)) return One(e[0]);          // C's pow(x, 1) = x, NaN and -0.0 included
        if (Is(c, 0) || Is(c, -0.0)) return One(Lit(e.Out, 1));   // C's pow(x, ±0) = 1, even for NaN
        return null;
    }

    private static IReadOnlyList<Atom>? NegNeg(SimplifyScope s, Eqn e) =>
        s.IsDefinedBy(e[0], Elementwise.Neg, out var inner) ? One(inner.Inputs[0]) : null;

    private static IReadOnlyList<Atom>? AbsOfAbsOrNeg(SimplifyScope s, Eqn e)
    {
        if (s.IsDefinedBy(e[0], Elementwise.Abs, out _)) return One(e[0]);
        if (s.IsDefinedBy(e[0], Elementwise.Neg, out var neg)) return One(s.Emit1(Elementwise.Abs, NoParams.Instance, neg.Inputs[0]));
        return null;
    }

    private static IReadOnlyList<Atom>? NotNot(SimplifyScope s, Eqn e) =>
        s.IsDefinedBy(e[0], Elementwise.Not, out var inner) ? One(inner.Inputs[0]) : null;

    // ---- logic: bool, and i32 bitwise (all ones is -1) ----

    private static double AllOnes(Eqn e) => e.Out.DType == DType.Bool ? 1 : -1;

    private static IReadOnlyList<Atom>? AndIdentity(SimplifyScope s, Eqn e)
    {
        if (Same(e[0], e[1])) return One(e[0]);
        if (!OneConst(s, e, out var c, out var x, out _)) return null;
        if (Is(c, AllOnes(e))) return One(x);
        if (Is(c, 0)) return One(Lit(e.Out, 0));
        return null;
    }

    private static IReadOnlyList<Atom>? OrIdentity(SimplifyScope s, Eqn e)
    {
        if (Same(e[0], e[1])) return One(e[0]);
        if (!OneConst(s, e, out var c, out var x, out _)) return null;
        if (Is(c, 0)) return One(x);
        if (Is(c, AllOnes(e))) return One(Lit(e.Out, AllOnes(e)));
        return null;
    }

    private static IReadOnlyList<Atom>? XorIdentity(SimplifyScope s, Eqn e)
    {
        if (Same(e[0], e[1])) return One(Lit(e.Out, 0));
        if (!OneConst(s, e, out var c, out var x, out _)) return null;
        if (Is(c, 0)) return One(x);
        if (Is(c, AllOnes(e))) return One(s.Emit1(Elementwise.Not, NoParams.Instance, x));
        return null;
    }

    // ---- max and min: NaN propagates, so only the bottom (top) element is an identity ----

    private static IReadOnlyList<Atom>? MaxIdentity(SimplifyScope s, Eqn e) => MaxMin(s, e,
        identity: IsFloat(e) ? double.NegativeInfinity : int.MinValue,
        absorbing: IsFloat(e) ? null : int.MaxValue);

    private static IReadOnlyList<Atom>? MinIdentity(SimplifyScope s, Eqn e) => MaxMin(s, e,
        identity: IsFloat(e) ? double.PositiveInfinity : int.MaxValue,
        absorbing: IsFloat(e) ? null : int.MinValue);

    private static IReadOnlyList<Atom>? MaxMin(SimplifyScope s, Eqn e, double identity, double? absorbing)
    {
        if (Same(e[0], e[1])) return One(e[0]);   // max(x, x) = x, NaN included
        if (!OneConst(s, e, out var c, out var x, out _)) return null;
        if (Is(c, identity)) return One(x);
        if (absorbing is { } a && Is(c, a)) return One(Lit(e.Out, a));   // i32 only: max(x, INT_MAX) = INT_MAX
        return null;
    }

    /// <summary><c>lt(x, x)</c> and <c>gt(x, x)</c> are false for every dtype (NaN too); the others
    /// fold only for i32 and bool, since <c>x == x</c> is false for NaN.</summary>
    private static IReadOnlyList<Atom>? CompareSame(SimplifyScope s, Eqn e)
    {
        if (!Same(e[0], e[1])) return null;
        var p = e.Primitive;
        if (p == Elementwise.Lt || p == Elementwise.Gt) return One(Lit(e.Out, 0));
        if (e[0].Type.DType.IsFloat()) return null;
        return One(Lit(e.Out, p == Elementwise.Ne ? 0 : 1));
    }

    private static IReadOnlyList<Atom>? SelectKnown(SimplifyScope s, Eqn e)
    {
        if (s.Const(e[0]) is { } pred) return One(pred.Value != 0 ? e[1] : e[2]);
        if (Same(e[1], e[2])) return One(e[1]);
        if (s.IsDefinedBy(e[0], Elementwise.Not, out var not))   // select(not p, a, b) = select(p, b, a)
            return One(s.Emit1(Elementwise.Select, NoParams.Instance, not.Inputs[0], e[2], e[1]));
        return null;
    }

    /// <summary>A conversion to the operand's own dtype is a copy; a conversion through a dtype that
    /// holds every value of the source exactly (f32 to f64, i32 to f64, bool to anything) is one
    /// conversion from the source: the reference converts through double, so the result is the same.</summary>
    private static IReadOnlyList<Atom>? ConvertIdentity(SimplifyScope s, Eqn e)
    {
        var to = ((ConvertParams)e.Params).To;
        if (e[0].Type.DType == to) return One(e[0]);
        if (s.IsDefinedBy(e[0], Elementwise.Convert, out var inner) && inner.Inputs[0] is Var y &&
            HoldsExactly(y.Type.DType, e[0].Type.DType))
            return One(s.Emit1(Elementwise.Convert, new ConvertParams(to), y));
        return null;
    }

    private static bool HoldsExactly(DType from, DType via) =>
        from == via || from == DType.Bool || (via == DType.F64 && from is DType.F32 or DType.I32);
}

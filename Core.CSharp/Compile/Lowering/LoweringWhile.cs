using System.Collections.Immutable;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Compile.Lowering;

internal sealed partial class LoweringContext
{
    /// <summary>
    /// Lowers a <c>while</c> that vmap made per lane (Note [lane-parallel while]) to a
    /// <see cref="WhileKernel"/>; returns false, emitting nothing, for any other while.
    /// </summary>
    private bool TryLowerWhileKernel(Equation e)
    {
        int c = ((WhileParams)e.Params).Consts;
        var (condFn, body) = (e.SubFunctions[0], e.SubFunctions[1]);
        var defs = Definitions(condFn);

        // cond_fn ends with gt(reduce_max[axes=[0]](convert[to=i32](active)), 0).
        if (condFn.Results[0] is not Var any || !defs.TryGetValue(any, out var gt) || gt.Primitive != Elementwise.Gt
            || gt.Inputs[1] is not Literal { Value: 0 } || gt.Inputs[0] is not Var max
            || !defs.TryGetValue(max, out var reduce) || reduce.Primitive != Reduction.ReduceMax
            || ((ReduceParams)reduce.Params).Axes is not [0] || reduce.Inputs[0] is not Var converted
            || !defs.TryGetValue(converted, out var convert) || convert.Primitive != Elementwise.Convert
            || convert.Inputs[0] is not Var active || active.Type.DType != DType.Bool || active.Type.Rank != 1)
            return false;
        var lane = active.Type.Shape;
        var tail = new HashSet<Equation>([gt, reduce, convert]);
        var condEquations = condFn.Equations.Where(q => !tail.Contains(q)).ToList();
        if (condEquations.Any(q => q.Inputs.Any(i => i == any || i == max || i == converted)) ||
            LaneShape(condFn, condEquations, [active.Type]) != lane || LaneShape(body) != lane)
            return false;

        // Every new carry keeps a finished lane: select(active', next, carry) with active' the same
        // expression of the parameters as cond_fn's active.
        var bodyDefs = Definitions(body);
        var activeKey = ExpressionKey(condFn, defs, active, []);
        var keys = new Dictionary<Var, string>(ReferenceEqualityComparer.Instance);
        for (int j = 0; j < body.Results.Length; j++)
        {
            if (body.Results[j] is not Var r || !bodyDefs.TryGetValue(r, out var sel) || sel.Primitive != Elementwise.Select
                || sel.Inputs[2] != body.Params[c + j] || sel.Inputs[0] is not Var mask
                || ExpressionKey(body, bodyDefs, mask, keys) != activeKey)
                return false;
        }

        var (condInstructions, condResults) = LaneInstructions(condFn, condEquations, [active], [active.Type]);
        var (bodyInstructions, bodyResults) = LaneInstructions(body, body.Equations, body.Results, body.ResultTypes);
        var operands = e.Inputs.Select((a, k) =>
        {
            var input = a is Literal l ? new KernelInput(ConstantBuffer(l), IndexMap.RowMajor(Shape.Scalar)) : InputOf((Var)a);
            return new ScanOperand(input.Buffer, input.Map, body.Params[k].Type.IsScalar);
        }).ToImmutableArray();
        var results = new List<ScanOperand>();
        for (int j = 0; j < e.Outputs.Length; j++)
        {
            int b = NewBufferFor(e.Outputs[j]);
            _state[e.Outputs[j]] = new Dense(b);
            results.Add(new ScanOperand(b, IndexMap.RowMajor(e.Outputs[j].Type.Shape), body.ResultTypes[j].IsScalar));
        }
        _kernels.Add(new WhileKernel(lane, c, operands, condInstructions, condResults[0], bodyInstructions, bodyResults,
            results.ToImmutableArray()));
        return true;
    }

    private static Dictionary<Var, Equation> Definitions(Function f)
    {
        var d = new Dictionary<Var, Equation>(ReferenceEqualityComparer.Instance);
        foreach (var q in f.Equations)
            foreach (var o in q.Outputs) d[o] = q;
        return d;
    }

    /// <summary>A text naming the expression <paramref name="a"/> computes from <paramref name="f"/>'s parameters (by position).</summary>
    private static string ExpressionKey(Function f, Dictionary<Var, Equation> defs, Atom a, Dictionary<Var, string> memo)
    {
        if (a is Literal l) return $"{l.DType.Name()}:{l}";
        var v = (Var)a;
        if (memo.TryGetValue(v, out var known)) return known;
        int p = f.Params.IndexOf(v);
        string key;
        if (p >= 0) key = $"p{p}";
        else
        {
            var q = defs[v];
            var args = string.Join(",", q.Inputs.Select(i => ExpressionKey(f, defs, i, memo)));
            key = $"{q.Primitive.Name}[{q.Params.ToText()}]({args}){{{string.Join(";", q.SubFunctions.Select(s => s.StableHash.ToString("x16")))}}}#{q.Outputs.IndexOf(v)}";
        }
        memo[v] = key;
        return key;
    }
}

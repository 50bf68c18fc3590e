using ArrayLang.Ir;
using ArrayLang.Transforms;

namespace ArrayLang.Primitives;

public static partial class ControlFlow
{
#if CONTROLFLOW_PER_LANE
    /// <summary>
    /// <c>cond</c> with a batched index: every branch runs batched on every lane (its equations
    /// are inlined into the batched function), then <c>select</c> picks each lane's result. An
    /// <c>i32</c> index is clamped into <c>[0, branches - 1]</c> and compared with each branch
    /// number; a <c>bool</c> index picks <c>branch_1</c> where true. One branch needs no choice.
    /// </summary>
    internal static IReadOnlyList<BatchedAtom> BatchCondPerLane(BatchContext ctx, IReadOnlyList<BatchedAtom> ins, IReadOnlyList<Function> subs)
    {
        var b = ctx.Builder;
        var operandAxes = ins.Skip(1).Select(x => x.BatchDim).ToList();
        var operands = ins.Skip(1).Select(x => x.Atom).ToList();
        int nb = subs.Count, nout = subs[0].Results.Length;
        if (nb == 1)
        {
            var (only, axes) = ctx.VmapSub(WithoutConstParams(subs[0]), operandAxes);
            return Inline(b, only, operands).Select((v, j) => new BatchedAtom(v, axes[j])).ToList();
        }

        var force = Enumerable.Repeat<int?>(0, nout).ToList();
        var results = subs
            .Select(s => Inline(b, ctx.VmapSub(WithoutConstParams(s), operandAxes, force).Function, operands))
            .ToList();
        var index = (Var)ins[0].Atom; // rank 1: its batch axis is 0
        var outs = new List<BatchedAtom>();
        if (index.Type.DType == DType.Bool)
        {
            var lanes = new LaneMasks(b, index);
            for (int j = 0; j < nout; j++)
                outs.Add(new(b.Emit1(Elementwise.Select, NoParams.Instance, lanes.For(results[1][j].Type), results[1][j], results[0][j]), 0));
            return outs;
        }

        var clamped = b.Emit1(Elementwise.Max, NoParams.Instance,
            b.Emit1(Elementwise.Min, NoParams.Instance, index, Literal.Of(nb - 1)), Literal.Of(0));
        var masks = Enumerable.Range(0, nb - 1)
            .Select(k => new LaneMasks(b, b.Emit1(Elementwise.Eq, NoParams.Instance, clamped, Literal.Of(k))))
            .ToList();
        for (int j = 0; j < nout; j++)
        {
            Var acc = results[nb - 1][j];
            for (int k = nb - 2; k >= 0; k--)
                acc = b.Emit1(Elementwise.Select, NoParams.Instance, masks[k].For(acc.Type), results[k][j], acc);
            outs.Add(new(acc, 0));
        }
        return outs;
    }

    /// <summary>
    /// <c>while</c> with a batched predicate: every carry becomes batched at axis 0, the loop runs
    /// while any lane's predicate holds, and each step computes the lanes' predicates on the current
    /// carries, runs the batched body and keeps the old carries of the lanes whose predicate is
    /// false. A finished lane's carries then never change, so its predicate stays false: the lanes
    /// that are done, and those whose predicate is false from the start, keep their values exactly.
    /// With B = 0 the "any" is <c>reduce_max</c> of nothing, <c>INT_MIN</c>, so the loop never runs.
    /// </summary>
    internal static IReadOnlyList<BatchedAtom> BatchWhilePerLane(BatchContext ctx, WhileParams p, IReadOnlyList<BatchedAtom> ins,
        Function condFn, Function body)
    {
        int c = p.Consts, k = ins.Count - c;
        var inAxes = ins.Take(c).Select(x => x.BatchDim).Concat(Enumerable.Repeat<int?>(0, k)).ToList();
        var batchedCond = ctx.VmapSub(condFn, inAxes, [0]).Function;
        var batchedBody = ctx.VmapSub(body, inAxes, Enumerable.Repeat<int?>(0, k).ToList()).Function;
        var paramTypes = ins.Take(c).Select(x => x.Atom.Type)
            .Concat(body.Params.Skip(c).Select(v => v.Type.WithShape(v.Type.Shape.Insert(0, ctx.AxisSize))))
            .ToList();
        var names = body.Params.Select(v => v.Name).ToList();

        var cb = new FunctionBuilder();
        var cParams = paramTypes.Select((t, i) => (Atom)cb.AddParam(t, names[i])).ToList();
        var lanesActive = Inline(cb, batchedCond, cParams)[0];
        var anyActive = cb.Emit1(Elementwise.Gt, NoParams.Instance,
            cb.Emit1(Reduction.ReduceMax, new ReduceParams([0]),
                cb.Emit1(Elementwise.Convert, new ConvertParams(DType.I32), lanesActive)),
            Literal.Of(0));
        var newCond = cb.Build(condFn.Name, [anyActive]);

        var bb = new FunctionBuilder();
        var bParams = paramTypes.Select((t, i) => (Atom)bb.AddParam(t, names[i])).ToList();
        var active = new LaneMasks(bb, Inline(bb, batchedCond, bParams)[0]);
        var next = Inline(bb, batchedBody, bParams);
        var kept = next.Select((v, j) => (Atom)bb.Emit1(Elementwise.Select, NoParams.Instance, active.For(v.Type), v, bParams[c + j])).ToList();
        var newBody = bb.Build(body.Name, kept);

        var operands = ins.Take(c).Select(x => x.Atom).Concat(ins.Skip(c).Select(x => ToBatchAxis(ctx, x, 0))).ToList();
        return ctx.Emit(While, p, operands, [newCond, newBody]).Select(v => new BatchedAtom(v, 0)).ToList();
    }

    /// <summary>A per-lane mask <c>bool[B]</c> broadcast to the batched shapes it selects between (one broadcast per shape).</summary>
    private sealed class LaneMasks(FunctionBuilder b, Var mask)
    {
        private readonly Dictionary<Shape, Var> _byShape = new() { [mask.Type.Shape] = mask };

        public Var For(AVal target)
        {
            if (_byShape.TryGetValue(target.Shape, out var v)) return v;
            var shaped = b.Emit1(ShapeOps.BroadcastInDim, new BroadcastInDimParams(target.Shape.ToArray(), [0]), mask);
            _byShape[target.Shape] = shaped;
            return shaped;
        }
    }
#else
    internal static IReadOnlyList<BatchedAtom> BatchCondPerLane(BatchContext ctx, IReadOnlyList<BatchedAtom> ins, IReadOnlyList<Function> subs) =>
        throw new NotSupportedException("cond with a batched index needs select/eq/max/min (not merged yet)");

    internal static IReadOnlyList<BatchedAtom> BatchWhilePerLane(BatchContext ctx, WhileParams p, IReadOnlyList<BatchedAtom> ins,
        Function condFn, Function body) =>
        throw new NotSupportedException("while with a batched predicate needs select/convert/reduce_max/gt (not merged yet)");
#endif
}

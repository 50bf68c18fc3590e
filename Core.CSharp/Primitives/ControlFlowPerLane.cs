using ArrayLang.Ir;
using ArrayLang.Transforms;

namespace ArrayLang.Primitives;

public static partial class ControlFlow
{
    /// <summary>
    /// <c>cond</c> with a batched index: every branch runs batched on every lane (its equations
    /// are inlined into the batched function), then <c>select</c> picks each lane's result. An
    /// <c>i32</c> index is clamped into <c>[0, branches - 1]</c> and compared with each branch
    /// number; a <c>bool</c> index picks <c>branch_1</c> where true. One branch needs no choice.
    /// A branch result that is a literal goes into <c>select</c> as a literal; two different
    /// bool literals are the lane mask itself (or its negation), and equal literals need no choice.
    /// </summary>
    internal static IReadOnlyList<BatchedAtom> BatchCondPerLane(BatchContext ctx, IReadOnlyList<BatchedAtom> ins, IReadOnlyList<Function> subs)
    {
        var b = ctx.Builder;
        var operandAxes = ins.Skip(1).Select(x => x.BatchDim).ToList();
        var operands = ins.Skip(1).Select(x => x.Atom).ToList();
        int nb = subs.Count, nout = subs[0].Results.Length;
        var branches = subs.Select(s =>
        {
            var (f, axes) = BatchSub(ctx, s, operandAxes);
            return InlineAtoms(b, f, operands).Select((a, j) => new BatchedAtom(a, axes[j])).ToList();
        }).ToList();

        BatchedAtom Output(Atom a, int? axis) => a is Literal lit ? new(Materialize(b, lit), null) : new(a, axis);
        if (nb == 1) return branches[0].Select(x => Output(x.Atom, x.BatchDim)).ToList();

        // Each output is a default branch's value, then choices (lanes mask, branch) applied in order.
        var index = (Var)ins[0].Atom; // rank 1: its batch axis is 0
        int defaultBranch;
        List<(LaneMasks Lanes, int Branch)> choices;
        if (index.Type.DType == DType.Bool)
        {
            defaultBranch = 0;
            choices = [(new LaneMasks(b, index), 1)];
        }
        else
        {
            var clamped = b.Emit1(Elementwise.Max, NoParams.Instance,
                b.Emit1(Elementwise.Min, NoParams.Instance, index, Literal.Of(nb - 1)), Literal.Of(0));
            defaultBranch = nb - 1;
            choices = Enumerable.Range(0, nb - 1).Reverse()
                .Select(k => (new LaneMasks(b, b.Emit1(Elementwise.Eq, NoParams.Instance, clamped, Literal.Of(k))), k))
                .ToList();
        }

        // A lane value: an unbatched literal stays one (select takes it), anything else is batched at 0.
        Atom Lane(BatchedAtom x) => x.Atom is Literal && !x.IsBatched ? x.Atom : ctx.MoveBatchDim(x, 0);

        var outs = new List<BatchedAtom>();
        for (int j = 0; j < nout; j++)
        {
            var per = subs[0].ResultTypes[j];
            var batchedType = per.WithShape(per.Shape.Insert(0, ctx.AxisSize));
            var acc = Lane(branches[defaultBranch][j]);
            foreach (var (lanes, k) in choices)
            {
                var onTrue = Lane(branches[k][j]);
                if (onTrue is Literal lt && acc is Literal lf)
                {
                    if (lt.Equals(lf)) continue;
                    if (lt.DType == DType.Bool)
                    {
                        var mask = lanes.For(batchedType);
                        acc = lt.Value != 0 ? mask : b.Emit1(Elementwise.Not, NoParams.Instance, mask);
                        continue;
                    }
                    acc = ctx.Broadcast(Materialize(b, lf), 0);
                }
                acc = b.Emit1(Elementwise.Select, NoParams.Instance, lanes.For(batchedType), onTrue, acc);
            }
            outs.Add(Output(acc, 0));
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
        var batchedCond = BatchSub(ctx, condFn, inAxes, [0]).Function;
        var batchedBody = BatchSub(ctx, body, inAxes, Enumerable.Repeat<int?>(0, k).ToList()).Function;
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
}

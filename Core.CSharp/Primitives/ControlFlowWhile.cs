using ArrayLang.Ir;
using ArrayLang.Reference;
using ArrayLang.Transforms;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>Params of <c>while</c>: how many leading operands are loop-invariant constants; the rest are the carries.</summary>
public sealed record WhileParams(int Consts) : PrimParams
{
    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Int("consts", Consts);
}

/// <summary>
/// <c>while[consts=c](consts..., carry...){ cond_fn body_fn }</c>: while
/// <c>cond_fn(consts..., carry...)</c> gives <c>true</c>, the carries become
/// <c>body_fn(consts..., carry...)</c>; the results are the final carries (the initial ones when
/// the predicate is false at once).
/// </summary>
public sealed class WhileOp() : Primitive<WhileParams>("while")
{
    /// <inheritdoc />
    public override WhileParams Read(ParamReader r) => new(r.Int("consts", 0));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(WhileParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (subs.Count != 2) throw Error($"expects two sub-functions (cond_fn, body_fn), found {subs.Count}");
        if (p.Consts < 0 || p.Consts > ops.Count)
            throw Error($"consts={p.Consts} must be between 0 and the number of operands ({ops.Count})");
        var (condFn, body) = (subs[0], subs[1]);
        var operandTypes = ops.Select(o => o.Type).ToList();
        var carryTypes = operandTypes.Skip(p.Consts).ToList();

        if (!condFn.ParamTypes.SequenceEqual(operandTypes))
            throw Error($"cond_fn ({condFn.Name}) takes {ControlFlow.Signature(condFn.ParamTypes)}, but the operands (consts, carries) are {ControlFlow.Signature(operandTypes)}");
        if (condFn.ResultTypes.Length != 1 || condFn.ResultTypes[0] != AVal.Scalar(DType.Bool))
            throw Error($"cond_fn ({condFn.Name}) must return (bool[]), found {ControlFlow.Signature(condFn.ResultTypes)}");
        if (!body.ParamTypes.SequenceEqual(operandTypes))
            throw Error($"body_fn ({body.Name}) takes {ControlFlow.Signature(body.ParamTypes)}, but the operands (consts, carries) are {ControlFlow.Signature(operandTypes)}");
        if (!body.ResultTypes.SequenceEqual(carryTypes))
            throw Error($"body_fn ({body.Name}) returns {ControlFlow.Signature(body.ResultTypes)}, but the carries are {ControlFlow.Signature(carryTypes)}; a carry keeps its type exactly");
        return carryTypes;
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, WhileParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) =>
        ControlFlow.ScalarParamDType(subs.Count == 2 ? subs[1] : subs.FirstOrDefault(), position);

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(WhileParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var (condFn, body) = (subs[0], subs[1]);
        var consts = inputs.Take(p.Consts).ToList();
        var carry = inputs.Skip(p.Consts).ToList();
        while (ReferenceEvaluator.Evaluate(condFn, consts.Concat(carry).ToList())[0].Bool[0])
            carry = ReferenceEvaluator.Evaluate(body, consts.Concat(carry).ToList()).ToList();
        return carry;
    }

    /// <summary>
    /// Batching (Note [control-flow batching]): batched consts keep their batch axis, batched
    /// carries get axis 0, and the batched carries are found by fixpoint over <c>body_fn</c>.
    /// When the predicate then does not depend on the batch, the result is one <c>while</c> of the
    /// batched functions; otherwise every lane runs until all are done (see
    /// <see cref="ControlFlow.BatchWhilePerLane"/>).
    /// </summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, WhileParams p, IReadOnlyList<BatchedAtom> ins, IReadOnlyList<Function> subs)
    {
        var condFn = subs[0];
        var body = subs[1];
        int c = p.Consts;
        var constAxes = ins.Take(c).Select(x => x.BatchDim).ToList();
        var carryBatched = ins.Skip(c).Select(x => x.IsBatched).ToArray();

        List<int?> InAxes() => constAxes.Concat(carryBatched.Select(b => b ? 0 : (int?)null)).ToList();
        List<int?> CarryForce() => carryBatched.Select(b => b ? 0 : (int?)null).ToList();

        Function batchedBody;
        while (true)
        {
            IReadOnlyList<int?> outAxes;
            (batchedBody, outAxes) = ControlFlow.BatchSub(ctx, body, InAxes(), CarryForce());
            bool changed = false;
            for (int j = 0; j < carryBatched.Length; j++)
                if (!carryBatched[j] && outAxes[j] is not null) { carryBatched[j] = true; changed = true; }
            if (!changed) break;
        }

        var (batchedCond, predAxes) = ControlFlow.BatchSub(ctx, condFn, InAxes());
        if (predAxes[0] is not null)
            return ControlFlow.BatchWhilePerLane(ctx, p, ins, condFn, body);

        var operands = ins.Take(c).Select(x => x.Atom)
            .Concat(carryBatched.Select((b, j) => b ? ControlFlow.ToBatchAxis(ctx, ins[c + j], 0) : ins[c + j].Atom))
            .ToList();
        var outs = ctx.Emit(ControlFlow.While, p, operands, [batchedCond, batchedBody]);
        return outs.Select((v, j) => new BatchedAtom(v, carryBatched[j] ? 0 : null)).ToList();
    }
}

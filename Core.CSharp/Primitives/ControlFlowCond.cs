using ArrayLang.Ir;
using ArrayLang.Reference;
using ArrayLang.Transforms;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>
/// <c>cond(index, operands...){ branch_0 branch_1 ... }</c>: runs one branch on the operands and
/// returns its results. An <c>i32[]</c> index is clamped into <c>[0, branches - 1]</c>; a
/// <c>bool[]</c> index needs exactly two branches, and <c>false</c> selects <c>branch_0</c>.
/// Every branch takes the operands' types and returns the same types.
/// </summary>
public sealed class CondOp() : Primitive<NoParams>("cond")
{
    /// <inheritdoc />
    public override NoParams Read(ParamReader r) => NoParams.Instance;

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(NoParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count < 1) throw Error("expects an index operand (i32[] or bool[]) before the operands, found no operands");
        var index = ops[0].Type;
        if (index != AVal.Scalar(DType.I32) && index != AVal.Scalar(DType.Bool))
            throw Error($"the index (operand 1) must be i32[] or bool[], found {index}");
        if (subs.Count < 1) throw Error("expects at least one branch, found none");
        if (index.DType == DType.Bool && subs.Count != 2)
            throw Error($"a bool[] index selects between exactly 2 branches (false: branch_0, true: branch_1), found {subs.Count} branches");

        var operandTypes = ops.Skip(1).Select(o => o.Type).ToList();
        var results = subs[0].ResultTypes;
        for (int b = 0; b < subs.Count; b++)
        {
            var branch = subs[b];
            if (!branch.ParamTypes.SequenceEqual(operandTypes))
                throw Error($"branch_{b} ({branch.Name}) takes {ControlFlow.Signature(branch.ParamTypes)}, but the operands are {ControlFlow.Signature(operandTypes)}");
            if (!branch.ResultTypes.SequenceEqual(results))
                throw Error($"branch_{b} ({branch.Name}) returns {ControlFlow.Signature(branch.ResultTypes)}, but branch_0 ({subs[0].Name}) returns {ControlFlow.Signature(results)}; every branch must return the same types");
        }
        return results;
    }

    /// <summary>
    /// The index may be a literal, read as <c>i32</c> (clamped) since the position alone cannot
    /// tell i32 from bool; an operand may be a literal when the branches' parameter is a scalar.
    /// </summary>
    public override DType? LiteralDType(int position, NoParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) =>
        position == 0 ? DType.I32 : ControlFlow.ScalarParamDType(subs.FirstOrDefault(), position - 1);

    /// <summary>The branch an index value selects: <c>i32</c> clamped, <c>bool</c> false = 0, true = 1.</summary>
    public static int BranchIndex(NDArray index, int branches) => index.DType == DType.Bool
        ? (index.Bool[0] ? 1 : 0)
        : Math.Clamp(index.I32[0], 0, branches - 1);

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(NoParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs) =>
        ReferenceEvaluator.Evaluate(subs[BranchIndex(inputs[0], subs.Count)], inputs.Skip(1).ToList());

    /// <summary>
    /// Batching (Note [control-flow batching]). With an unbatched index the result is one
    /// <c>cond</c> whose branches are batched: operands keep their batch axes, and a result is
    /// batched when any branch makes it so (then every branch gives it batch axis 0). With a
    /// batched index, every branch runs on every lane and <c>select</c> picks per lane.
    /// </summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, IReadOnlyList<BatchedAtom> ins, IReadOnlyList<Function> subs)
    {
        if (ins[0].IsBatched) return ControlFlow.BatchCondPerLane(ctx, ins, subs);

        var operandAxes = ins.Skip(1).Select(x => x.BatchDim).ToList();
        var branches = subs;
        var batched = branches.Select(b => ControlFlow.BatchSub(ctx, b, operandAxes)).ToList();
        int nout = subs[0].Results.Length;
        bool agree = Enumerable.Range(0, nout).All(j => batched.All(b => b.OutAxes[j] == batched[0].OutAxes[j]));
        if (!agree)
        {
            var force = Enumerable.Range(0, nout)
                .Select(j => batched.Any(b => b.OutAxes[j] is not null) ? 0 : (int?)null).ToList();
            batched = branches.Select(b => ControlFlow.BatchSub(ctx, b, operandAxes, force)).ToList();
        }
        var outs = ctx.Emit(ControlFlow.Cond, NoParams.Instance, ins.Select(x => x.Atom).ToList(),
            batched.Select(b => b.Function).ToList());
        return outs.Select((v, j) => new BatchedAtom(v, batched[0].OutAxes[j])).ToList();
    }
}

using ArrayLang.Ir;
using ArrayLang.Reference;
using ArrayLang.Transforms;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>
/// Params of <c>scan</c>: the number of steps <c>Length</c>, whether the steps run from the last
/// to the first (<c>Reverse</c>), and how many leading operands are loop-invariant constants
/// (<c>Consts</c>) and loop-carried values (<c>Carries</c>); the remaining operands are the
/// sequences scanned over.
/// </summary>
public sealed record ScanParams(int Length, bool Reverse, int Consts, int Carries) : PrimParams
{
    /// <inheritdoc />
    public override void Write(ParamWriter w) =>
        w.Int("length", Length).Bool("reverse", Reverse).Int("consts", Consts).Int("carries", Carries);
}

/// <summary>
/// <c>scan[length=n, reverse=false, consts=c, carries=k](consts..., carry..., xs...){ body }</c>:
/// <c>body(consts..., carry..., x_t...) -> (carry'..., y_t...)</c> runs for <c>t = 0..n-1</c>
/// (or <c>n-1..0</c> with <c>reverse</c>); each <c>xs</c> has leading dimension <c>n</c> and
/// <c>x_t</c> is its row <c>t</c>. The results are the final carries, then the <c>ys</c> stacked
/// along a new leading dimension <c>n</c>, where <c>ys[t]</c> is the output of the step that read
/// <c>xs[t]</c> in either direction. <c>n = 0</c> returns the initial carries and empty <c>ys</c>.
/// </summary>
public sealed class ScanOp() : Primitive<ScanParams>("scan")
{
    /// <inheritdoc />
    public override ScanParams Read(ParamReader r) =>
        new(r.Int("length"), r.Bool("reverse", false), r.Int("consts", 0), r.Int("carries"));

    private static string Role(ScanParams p, int i) =>
        i < p.Consts ? $"const {i + 1}" : i < p.Consts + p.Carries ? $"carry {i - p.Consts + 1}" : $"xs {i - p.Consts - p.Carries + 1}";

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(ScanParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (subs.Count != 1) throw Error($"expects one sub-function (the body), found {subs.Count}");
        var body = subs[0];
        if (p.Length < 0) throw Error($"length must be >= 0, found length={p.Length}");
        if (p.Consts < 0 || p.Carries < 0) throw Error($"consts and carries must be >= 0, found consts={p.Consts}, carries={p.Carries}");
        if (p.Consts + p.Carries > ops.Count)
            throw Error($"consts={p.Consts} and carries={p.Carries} need at least {p.Consts + p.Carries} operands, found {ops.Count}");
        int cx = p.Consts + p.Carries;

        var stepTypes = new List<AVal>();
        for (int i = 0; i < ops.Count; i++)
        {
            var t = ops[i].Type;
            if (i < cx) { stepTypes.Add(t); continue; }
            if (ops[i].IsLiteral || t.Rank == 0 || t.Shape[0] != p.Length)
                throw Error($"operand {i + 1} ({Role(p, i)}) must have leading dimension length={p.Length}, found {(ops[i].IsLiteral ? "a literal " : "")}{t}");
            stepTypes.Add(t.WithShape(t.Shape.Remove(0)));
        }

        if (body.Params.Length != ops.Count)
            throw Error($"the body takes {body.Params.Length} parameter(s) {ControlFlow.Signature(body.ParamTypes)}, but the scan passes {ops.Count} per step (consts, carries, x_t) {ControlFlow.Signature(stepTypes)}");
        for (int i = 0; i < ops.Count; i++)
            if (body.Params[i].Type != stepTypes[i])
                throw Error($"body parameter {i + 1} ({body.Params[i].Name}, {Role(p, i)}) is {body.Params[i].Type}, but the scan passes {stepTypes[i]}"
                    + (i >= cx ? $" (a row of operand {i + 1}: {ops[i].Type})" : ""));

        if (body.ResultTypes.Length < p.Carries)
            throw Error($"the body must return the {p.Carries} carries first, but it returns only {body.ResultTypes.Length} value(s) {ControlFlow.Signature(body.ResultTypes)}");
        for (int j = 0; j < p.Carries; j++)
            if (body.ResultTypes[j] != ops[p.Consts + j].Type)
                throw Error($"the body's result {j + 1} (the new carry {j + 1}) is {body.ResultTypes[j]}, but carry {j + 1} is {ops[p.Consts + j].Type}; a carry keeps its type exactly");

        var results = new List<AVal>();
        for (int j = 0; j < p.Carries; j++) results.Add(ops[p.Consts + j].Type);
        foreach (var y in body.ResultTypes.Skip(p.Carries)) results.Add(y.WithShape(y.Shape.Insert(0, p.Length)));
        return results;
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, ScanParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) =>
        position < p.Consts + p.Carries ? ControlFlow.ScalarParamDType(subs.FirstOrDefault(), position) : null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(ScanParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var body = subs[0];
        int c = p.Consts, k = p.Carries, n = p.Length;
        var consts = inputs.Take(c).ToList();
        var carry = inputs.Skip(c).Take(k).ToList();
        var xs = inputs.Skip(c + k).ToList();
        int ny = body.Results.Length - k;
        var ys = Enumerable.Range(0, ny).Select(_ => new NDArray[n]).ToArray();
        for (int step = 0; step < n; step++)
        {
            int t = p.Reverse ? n - 1 - step : step;
            var args = consts.Concat(carry).Concat(xs.Select(x => ArrayOps.Index(x, 0, t))).ToList();
            var outs = ReferenceEvaluator.Evaluate(body, args);
            carry = outs.Take(k).ToList();
            for (int j = 0; j < ny; j++) ys[j][t] = outs[k + j];
        }
        return carry.Concat(ys.Select((y, j) => ArrayOps.Stack(y, 0, body.ResultTypes[k + j]))).ToList();
    }

    /// <summary>
    /// Batching (Note [control-flow batching]): batched consts keep their batch axis; batched
    /// carries get batch axis 0; a batched <c>xs</c> keeps its batch axis unless it is the leading
    /// (time) axis, in which case it moves to axis 1, so each step's row is batched at axis - 1.
    /// The carries that must be batched are found by fixpoint: start with those whose initial value
    /// is batched, batch the body, and add any carry the body makes batched, until none changes.
    /// Unbatched consts and carries stay unbatched (shared weights, a scalar loop counter). Each
    /// <c>y</c> keeps the batch axis the body gives it, shifted by one for the time axis.
    /// </summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, ScanParams p, IReadOnlyList<BatchedAtom> ins, IReadOnlyList<Function> subs)
    {
        var body = subs[0];
        int c = p.Consts, k = p.Carries;
        var carryBatched = ins.Skip(c).Take(k).Select(x => x.IsBatched).ToArray();
        // Batch axis of each xs operand in the batched scan: anywhere but the time axis 0.
        var xsAxis = ins.Skip(c + k).Select(x => x.BatchDim is { } d ? Math.Max(d, 1) : (int?)null).ToArray();

        Function batchedBody;
        IReadOnlyList<int?> outAxes;
        while (true)
        {
            var inAxes = ins.Take(c).Select(x => x.BatchDim)
                .Concat(carryBatched.Select(b => b ? 0 : (int?)null))
                .Concat(xsAxis.Select(a => a - 1))
                .ToList();
            var force = carryBatched.Select(b => b ? 0 : (int?)null)
                .Concat(Enumerable.Repeat<int?>(null, body.Results.Length - k))
                .ToList();
            (batchedBody, outAxes) = ControlFlow.BatchSub(ctx, body, inAxes, force);
            bool changed = false;
            for (int j = 0; j < k; j++)
                if (!carryBatched[j] && outAxes[j] is not null) { carryBatched[j] = true; changed = true; }
            if (!changed) break;
        }

        var operands = new List<Atom>();
        for (int i = 0; i < c; i++) operands.Add(ins[i].Atom);
        for (int j = 0; j < k; j++)
            operands.Add(carryBatched[j] ? ControlFlow.ToBatchAxis(ctx, ins[c + j], 0) : ins[c + j].Atom);
        for (int i = 0; i < xsAxis.Length; i++)
            operands.Add(xsAxis[i] is { } a ? ctx.MoveBatchDim(ins[c + k + i], a) : ins[c + k + i].Atom);

        var outs = ctx.Emit(ControlFlow.Scan, p, operands, [batchedBody]);
        var result = new List<BatchedAtom>();
        for (int j = 0; j < k; j++) result.Add(new(outs[j], carryBatched[j] ? 0 : null));
        for (int j = k; j < outs.Count; j++) result.Add(new(outs[j], outAxes[j] is { } a ? a + 1 : null));
        return result;
    }
}

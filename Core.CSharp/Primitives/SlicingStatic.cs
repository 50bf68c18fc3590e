using ArrayLang.Ir;
using ArrayLang.Transforms;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>Params of <c>slice</c>: per axis, the first index, the end (exclusive) and the step (default 1).</summary>
public sealed record SliceParams(int[] Start, int[] Limit, int[] Stride) : PrimParams
{
    // The synthesized record equality would compare the arrays by reference; compare the written form.
    /// <summary>Structural equality through the written form (arrays compare by content).</summary>
    public bool Equals(SliceParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();

    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Ints("start", Start).Ints("limit", Limit).Ints("stride", Stride);
}

/// <summary>Params of <c>concatenate</c>: the axis along which the operands are joined.</summary>
public sealed record ConcatenateParams(int Axis) : PrimParams
{
    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Int("axis", Axis);
}

/// <summary>Params of <c>pad</c>: per axis, how many value elements go before (<c>Low</c>) and after (<c>High</c>) the operand; both &gt;= 0.</summary>
public sealed record PadParams(int[] Low, int[] High) : PrimParams
{
    // The synthesized record equality would compare the arrays by reference; compare the written form.
    /// <summary>Structural equality through the written form (arrays compare by content).</summary>
    public bool Equals(PadParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();

    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Ints("low", Low).Ints("high", High);
}

/// <summary>
/// <c>slice[start=[..], limit=[..], stride=[..]](x)</c>: along axis <c>j</c>, the elements
/// <c>start_j, start_j + stride_j, ...</c> below <c>limit_j</c>. Needs
/// <c>0 &lt;= start &lt;= limit &lt;= dim</c> and <c>stride &gt;= 1</c>.
/// </summary>
public sealed class SliceOp() : Primitive<SliceParams>("slice")
{
    /// <inheritdoc />
    public override SliceParams Read(ParamReader r)
    {
        var start = r.Ints("start");
        var limit = r.Ints("limit");
        var stride = r.Ints("stride", () => Enumerable.Repeat(1, start.Length).ToArray());
        return new(start, limit, stride);
    }

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(SliceParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 1) throw Error($"expects 1 operand, found {ops.Count}");
        var t = ops[0].Type;
        string what = $"start={ShapeOps.Show(p.Start)}, limit={ShapeOps.Show(p.Limit)}, stride={ShapeOps.Show(p.Stride)} with operand {t}";
        if (p.Start.Length != t.Rank || p.Limit.Length != t.Rank || p.Stride.Length != t.Rank)
            throw Error($"start, limit and stride need one entry per operand axis ({t.Rank}): {what}");
        var dims = new int[t.Rank];
        for (int j = 0; j < t.Rank; j++)
        {
            if (p.Stride[j] <= 0) throw Error($"stride[{j}] = {p.Stride[j]} must be >= 1: {what}");
            if (p.Start[j] < 0 || p.Start[j] > p.Limit[j] || p.Limit[j] > t.Shape[j])
                throw Error($"axis {j} of size {t.Shape[j]} cannot be sliced from {p.Start[j]} to {p.Limit[j]} (needs 0 <= start <= limit <= size): {what}");
            dims[j] = ResultSize(p.Start[j], p.Limit[j], p.Stride[j]);
        }
        return [t.WithShape(new Shape(dims))];
    }

    private static int ResultSize(int start, int limit, int stride) => (int)(((long)limit - start + stride - 1) / stride);

    /// <inheritdoc />
    public override DType? LiteralDType(int position, SliceParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(SliceParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var x = inputs[0];
        var outShape = new Shape(Enumerable.Range(0, x.Shape.Rank).Select(j => ResultSize(p.Start[j], p.Limit[j], p.Stride[j])));
        var r = NDArray.Zeros(new AVal(x.DType, outShape));
        var strides = x.Shape.Strides();
        var idx = new int[outShape.Rank];
        for (int o = 0; o < r.Length; o++)
        {
            int src = 0;
            for (int j = 0; j < idx.Length; j++) src += (p.Start[j] + idx[j] * p.Stride[j]) * strides[j];
            Array.Copy(x.Data, src, r.Data, o, 1);
            TransposeOp.Increment(idx, outShape);
        }
        return [r];
    }

    /// <summary>Batching: the batch axis stays where it is and is taken whole (start 0, limit B, stride 1).</summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, SliceParams p, BatchedAtom x)
    {
        int d = x.BatchDim!.Value;
        var ps = new SliceParams(Slicing.InsertAt(p.Start, d, 0), Slicing.InsertAt(p.Limit, d, ctx.AxisSize), Slicing.InsertAt(p.Stride, d, 1));
        return [new(ctx.Emit1(Slicing.Slice, ps, x.Atom), d)];
    }
}

/// <summary>
/// <c>concatenate[axis=k](x_1, .., x_n)</c>: one or more operands of one dtype and rank whose
/// shapes agree except along axis <c>k</c>, joined in order along it.
/// </summary>
public sealed class ConcatenateOp() : Primitive<ConcatenateParams>("concatenate")
{
    /// <inheritdoc />
    public override ConcatenateParams Read(ParamReader r) => new(r.Int("axis"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(ConcatenateParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count == 0) throw Error("expects at least 1 operand, found none");
        var first = ops[0].Type;
        string What() => $"axis={p.Axis} with operands {string.Join(", ", ops.Select(o => o.Type))}";
        if (p.Axis < 0 || p.Axis >= first.Rank)
            throw Error($"axis = {p.Axis} is out of range for operands of rank {first.Rank}: {What()}");
        long total = 0;
        for (int i = 0; i < ops.Count; i++)
        {
            var t = ops[i].Type;
            if (t.DType != first.DType)
                throw Error($"operands must share one dtype (there is no implicit promotion), but operand {i + 1} is {t} and operand 1 is {first}: {What()}");
            if (t.Rank != first.Rank)
                throw Error($"operands must share one rank, but operand {i + 1} is {t} and operand 1 is {first}: {What()}");
            for (int j = 0; j < t.Rank; j++)
                if (j != p.Axis && t.Shape[j] != first.Shape[j])
                    throw Error($"operand {i + 1} ({t}) differs from operand 1 ({first}) in axis {j}, which is not the concatenated axis: {What()}");
            total += t.Shape[p.Axis];
        }
        if (total > int.MaxValue) throw Error($"the result axis would hold {total} elements: {What()}");
        return [first.WithShape(first.Shape.With(p.Axis, (int)total))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, ConcatenateParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(ConcatenateParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var first = inputs[0];
        int total = inputs.Sum(x => x.Shape[p.Axis]);
        var outShape = first.Shape.With(p.Axis, total);
        var r = NDArray.Zeros(new AVal(first.DType, outShape));
        var outStrides = outShape.Strides();
        int offset = 0;
        foreach (var x in inputs)
        {
            var idx = new int[x.Shape.Rank];
            for (int i = 0; i < x.Length; i++)
            {
                int dst = 0;
                for (int j = 0; j < idx.Length; j++) dst += (j == p.Axis ? idx[j] + offset : idx[j]) * outStrides[j];
                Array.Copy(x.Data, i, r.Data, dst, 1);
                TransposeOp.Increment(idx, x.Shape);
            }
            offset += x.Shape[p.Axis];
        }
        return [r];
    }

    /// <summary>
    /// Batching: every operand's batch axis goes where the first batched operand has it
    /// (unbatched operands are broadcast there), and the concatenated axis is renumbered.
    /// </summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, ConcatenateParams p, IReadOnlyList<BatchedAtom> xs)
    {
        int d = xs.First(x => x.IsBatched).BatchDim!.Value;
        var atoms = xs.Select(x => ctx.MoveBatchDim(x, d)).ToList();
        return [new(ctx.Emit(Slicing.Concatenate, new ConcatenateParams(ShapeOps.Shift(p.Axis, d)), atoms)[0], d)];
    }
}

/// <summary>
/// <c>pad[low=[..], high=[..]](x, value)</c>: along axis <c>j</c>, <c>low_j</c> copies of the
/// scalar <c>value</c>, then the operand, then <c>high_j</c> copies. <c>value</c> has the operand's
/// dtype and may be a literal.
/// </summary>
public sealed class PadOp() : Primitive<PadParams>("pad")
{
    /// <inheritdoc />
    public override PadParams Read(ParamReader r) => new(r.Ints("low"), r.Ints("high"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(PadParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 2) throw Error($"expects 2 operands (x, value), found {ops.Count}");
        var t = ops[0].Type;
        var v = ops[1].Type;
        string what = $"low={ShapeOps.Show(p.Low)}, high={ShapeOps.Show(p.High)} with operand {t}";
        if (!v.IsScalar || v.DType != t.DType)
            throw Error($"the padding value must be a scalar of the operand's dtype {t.DType.Name()}[], found {v}: {what}");
        if (p.Low.Length != t.Rank || p.High.Length != t.Rank)
            throw Error($"low and high need one entry per operand axis ({t.Rank}): {what}");
        var dims = new int[t.Rank];
        for (int j = 0; j < t.Rank; j++)
        {
            if (p.Low[j] < 0 || p.High[j] < 0)
                throw Error($"low[{j}] = {p.Low[j]} and high[{j}] = {p.High[j]} must be >= 0: {what}");
            long n = (long)p.Low[j] + t.Shape[j] + p.High[j];
            if (n > int.MaxValue) throw Error($"axis {j} would have {n} elements: {what}");
            dims[j] = (int)n;
        }
        return [t.WithShape(new Shape(dims))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, PadParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) =>
        position == 1 ? ops[0]?.DType : null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(PadParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var (x, value) = (inputs[0], inputs[1]);
        var outShape = new Shape(Enumerable.Range(0, x.Shape.Rank).Select(j => p.Low[j] + x.Shape[j] + p.High[j]));
        var r = NDArray.Zeros(new AVal(x.DType, outShape));
        var strides = x.Shape.Strides();
        var idx = new int[outShape.Rank];
        for (int o = 0; o < r.Length; o++)
        {
            int src = 0;
            bool inside = true;
            for (int j = 0; j < idx.Length; j++)
            {
                int i = idx[j] - p.Low[j];
                if (i < 0 || i >= x.Shape[j]) { inside = false; break; }
                src += i * strides[j];
            }
            if (inside) Array.Copy(x.Data, src, r.Data, o, 1);
            else Array.Copy(value.Data, 0, r.Data, o, 1);
            TransposeOp.Increment(idx, outShape);
        }
        return [r];
    }

    /// <summary>
    /// Batching. A shared value: one pad, the batch axis stays where it is and is not padded. A
    /// per-example value: along each padded axis, concatenate the value broadcast to the low and
    /// high blocks around the (broadcast) operand; this needs no arithmetic.
    /// </summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, PadParams p, BatchedAtom x, BatchedAtom value)
    {
        if (!value.IsBatched)
        {
            int d = x.BatchDim!.Value;
            var ps = new PadParams(Slicing.InsertAt(p.Low, d, 0), Slicing.InsertAt(p.High, d, 0));
            return [new(ctx.Emit1(Slicing.Pad, ps, x.Atom, value.Atom), d)];
        }
        // With nothing to pad the result is x itself, shared or not.
        if (p.Low.All(n => n == 0) && p.High.All(n => n == 0)) return [x];
        int bd = x.BatchDim ?? 0;
        Atom cur = ctx.MoveBatchDim(x, bd);
        for (int j = 0; j < p.Low.Length; j++)
        {
            if (p.Low[j] == 0 && p.High[j] == 0) continue;
            int axis = ShapeOps.Shift(j, bd);
            var parts = new List<Atom>();
            Atom Fill(int size) => ctx.Emit1(ShapeOps.BroadcastInDim,
                new BroadcastInDimParams(cur.Type.Shape.With(axis, size).ToArray(), [bd]), value.Atom);
            if (p.Low[j] > 0) parts.Add(Fill(p.Low[j]));
            parts.Add(cur);
            if (p.High[j] > 0) parts.Add(Fill(p.High[j]));
            cur = ctx.Emit(Slicing.Concatenate, new ConcatenateParams(axis), parts)[0];
        }
        return [new(cur, bd)];
    }
}

using ArrayLang.Ir;
using ArrayLang.Transforms;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>Params of <c>reshape</c>: the result shape (same element count, row-major order).</summary>
public sealed record ReshapeParams(int[] Shape) : PrimParams
{
    // The synthesized record equality would compare the arrays by reference; compare the written form.
    /// <summary>Structural equality through the written form (arrays compare by content).</summary>
    public bool Equals(ReshapeParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();

    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Ints("shape", Shape);
}

/// <summary>Params of <c>squeeze</c>: the operand axes to remove (each of size 1).</summary>
public sealed record SqueezeParams(int[] Dims) : PrimParams
{
    // The synthesized record equality would compare the arrays by reference; compare the written form.
    /// <summary>Structural equality through the written form (arrays compare by content).</summary>
    public bool Equals(SqueezeParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();

    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Ints("dims", Dims);
}

/// <summary>Params of <c>expand_dims</c>: the positions in the result of the new size-1 axes.</summary>
public sealed record ExpandDimsParams(int[] Dims) : PrimParams
{
    // The synthesized record equality would compare the arrays by reference; compare the written form.
    /// <summary>Structural equality through the written form (arrays compare by content).</summary>
    public bool Equals(ExpandDimsParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();

    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Ints("dims", Dims);
}

/// <summary><c>reshape[shape=[..]](x)</c>: the operand's elements in row-major order, with a new shape.</summary>
public sealed class ReshapeOp() : Primitive<ReshapeParams>("reshape")
{
    /// <inheritdoc />
    public override ReshapeParams Read(ParamReader r) => new(r.Ints("shape"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(ReshapeParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 1) throw Error($"expects 1 operand, found {ops.Count}");
        var t = ops[0].Type;
        if (p.Shape.Any(d => d < 0)) throw Error($"shape={ShapeOps.Show(p.Shape)} has a negative size (operand {t})");
        long n = 1;
        foreach (var d in p.Shape) n *= d;
        if (n != t.Shape.ElementCount)
            throw Error($"shape={ShapeOps.Show(p.Shape)} holds {n} elements, but the operand {t} holds {t.Shape.ElementCount}");
        return [t.WithShape(new Shape(p.Shape))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, ReshapeParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(ReshapeParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs) =>
        [inputs[0].Clone().Reshape(new Shape(p.Shape))];

    /// <summary>Batching: row-major order needs the batch axis first; the batch becomes result axis 0.</summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, ReshapeParams p, BatchedAtom x)
    {
        var moved = ctx.MoveBatchDim(x, 0);
        var shape = new[] { ctx.AxisSize }.Concat(p.Shape).ToArray();
        return [new(ctx.Emit1(ShapeOps.Reshape, new ReshapeParams(shape), moved), 0)];
    }
}

/// <summary><c>squeeze[dims=[..]](x)</c>: removes the listed operand axes, each of which has size 1.</summary>
public sealed class SqueezeOp() : Primitive<SqueezeParams>("squeeze")
{
    /// <inheritdoc />
    public override SqueezeParams Read(ParamReader r) => new(r.Ints("dims"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(SqueezeParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 1) throw Error($"expects 1 operand, found {ops.Count}");
        var t = ops[0].Type;
        string what = $"dims={ShapeOps.Show(p.Dims)} with operand {t}";
        ShapeOps.RequireDistinctAxes(Error, "dims", p.Dims, t.Rank, what);
        foreach (var d in p.Dims)
            if (t.Shape[d] != 1) throw Error($"axis {d} has size {t.Shape[d]}, but only axes of size 1 can be squeezed: {what}");
        return [t.WithShape(new Shape(Enumerable.Range(0, t.Rank).Where(i => !p.Dims.Contains(i)).Select(i => t.Shape[i])))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, SqueezeParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(SqueezeParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var x = inputs[0];
        var shape = Enumerable.Range(0, x.Shape.Rank).Where(i => !p.Dims.Contains(i)).Select(i => x.Shape[i]);
        return [x.Clone().Reshape(new Shape(shape))];
    }

    /// <summary>Batching: the batch axis stays where it is; the squeezed axes are renumbered around it.</summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, SqueezeParams p, BatchedAtom x)
    {
        int d = x.BatchDim!.Value;
        var dims = p.Dims.Select(i => ShapeOps.Shift(i, d)).ToArray();
        int outDim = d - p.Dims.Count(i => i < d);
        return [new(ctx.Emit1(ShapeOps.Squeeze, new SqueezeParams(dims), x.Atom), outDim)];
    }
}

/// <summary>
/// <c>expand_dims[dims=[..]](x)</c>: a result of rank <c>rank(x) + len(dims)</c> whose axes at the
/// positions <c>dims</c> have size 1 and whose other axes are the operand's, in order.
/// </summary>
public sealed class ExpandDimsOp() : Primitive<ExpandDimsParams>("expand_dims")
{
    /// <inheritdoc />
    public override ExpandDimsParams Read(ParamReader r) => new(r.Ints("dims"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(ExpandDimsParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 1) throw Error($"expects 1 operand, found {ops.Count}");
        var t = ops[0].Type;
        int rank = t.Rank + p.Dims.Length;
        ShapeOps.RequireDistinctAxes(Error, "dims", p.Dims, rank,
            $"dims={ShapeOps.Show(p.Dims)} with operand {t} (result rank {rank})");
        return [t.WithShape(ResultShape(p.Dims, t.Shape))];
    }

    private static Shape ResultShape(int[] dims, Shape x)
    {
        var result = new int[x.Rank + dims.Length];
        int next = 0;
        for (int i = 0; i < result.Length; i++)
            result[i] = dims.Contains(i) ? 1 : x[next++];
        return new Shape(result);
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, ExpandDimsParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(ExpandDimsParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs) =>
        [inputs[0].Clone().Reshape(ResultShape(p.Dims, inputs[0].Shape))];

    /// <summary>
    /// Batching without moving the batch axis: it goes right after the result position of the
    /// operand axis before it (position 0 when it is the first axis), and the new axes at or after
    /// that position shift by one.
    /// </summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, ExpandDimsParams p, BatchedAtom x)
    {
        int d = x.BatchDim!.Value;
        int q = 0;
        if (d > 0)
        {
            // q = 1 + the per-example result position of operand axis d-1.
            int seen = 0;
            for (int pos = 0; ; pos++)
            {
                if (p.Dims.Contains(pos)) continue;
                if (++seen == d) { q = pos + 1; break; }
            }
        }
        var dims = p.Dims.Select(k => k >= q ? k + 1 : k).ToArray();
        return [new(ctx.Emit1(ShapeOps.ExpandDims, new ExpandDimsParams(dims), x.Atom), q)];
    }
}

using ArrayLang.Ir;
using ArrayLang.Transforms;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>Params of <c>transpose</c>: result dim <c>i</c> is operand dim <c>Perm[i]</c>.</summary>
public sealed record TransposeParams(int[] Perm) : PrimParams
{
    // The synthesized record equality would compare the arrays by reference; compare the written form.
    /// <summary>Structural equality through the written form (arrays compare by content).</summary>
    public bool Equals(TransposeParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();

    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Ints("perm", Perm);
}

/// <summary>Params of <c>broadcast_in_dim</c>: operand dim <c>i</c> becomes result dim <c>Dims[i]</c> of <c>Shape</c>.</summary>
public sealed record BroadcastInDimParams(int[] Shape, int[] Dims) : PrimParams
{
    // The synthesized record equality would compare the arrays by reference; compare the written form.
    /// <summary>Structural equality through the written form (arrays compare by content).</summary>
    public bool Equals(BroadcastInDimParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();

    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Ints("shape", Shape).Ints("dims", Dims);
}

/// <summary><c>transpose[perm=[..]](x)</c>.</summary>
public sealed class TransposeOp() : Primitive<TransposeParams>("transpose")
{
    /// <inheritdoc />
    public override TransposeParams Read(ParamReader r) => new(r.Ints("perm"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(TransposeParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 1) throw Error($"expects 1 operand, found {ops.Count}");
        var t = ops[0].Type;
        if (p.Perm.Length != t.Rank || p.Perm.Order().Where((v, i) => v != i).Any())
            throw Error($"perm=[{string.Join(",", p.Perm)}] is not a permutation of the {t.Rank} axes of {t}");
        return [t.WithShape(new Shape(p.Perm.Select(i => t.Shape[i])))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, TransposeParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(TransposeParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var x = inputs[0];
        var outShape = new Shape(p.Perm.Select(i => x.Shape[i]));
        var r = NDArray.Zeros(new AVal(x.DType, outShape));
        var inStrides = x.Shape.Strides();
        var idx = new int[outShape.Rank];
        for (int o = 0; o < r.Length; o++)
        {
            int src = 0;
            for (int k = 0; k < idx.Length; k++) src += idx[k] * inStrides[p.Perm[k]];
            Array.Copy(x.Data, src, r.Data, o, 1);
            Increment(idx, outShape);
        }
        return [r];
    }

    /// <summary>Batching: the batch axis goes first and the permutation applies to the rest.</summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, TransposeParams p, BatchedAtom x)
    {
        int d = x.BatchDim!.Value;
        var perm = new[] { d }.Concat(p.Perm.Select(i => i < d ? i : i + 1)).ToArray();
        return [new(ctx.Emit1(ShapeOps.Transpose, new TransposeParams(perm), x.Atom), 0)];
    }

    /// <summary>Advances a row-major multi-index over <paramref name="shape"/>.</summary>
    public static void Increment(int[] idx, Shape shape)
    {
        for (int k = idx.Length - 1; k >= 0; k--)
        {
            if (++idx[k] < shape[k]) return;
            idx[k] = 0;
        }
    }
}

/// <summary><c>broadcast_in_dim[shape=[..], dims=[..]](x)</c>.</summary>
public sealed class BroadcastInDimOp() : Primitive<BroadcastInDimParams>("broadcast_in_dim")
{
    /// <inheritdoc />
    public override BroadcastInDimParams Read(ParamReader r) => new(r.Ints("shape"), r.Ints("dims"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(BroadcastInDimParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 1) throw Error($"expects 1 operand, found {ops.Count}");
        var t = ops[0].Type;
        string Show() => $"shape=[{string.Join(",", p.Shape)}], dims=[{string.Join(",", p.Dims)}] with operand {t}";
        if (p.Shape.Any(d => d < 0)) throw Error($"negative size in {Show()}");
        if (p.Dims.Length != t.Rank) throw Error($"dims needs one entry per operand axis ({t.Rank}): {Show()}");
        for (int i = 0; i < p.Dims.Length; i++)
        {
            if (p.Dims[i] < 0 || p.Dims[i] >= p.Shape.Length) throw Error($"dims[{i}] = {p.Dims[i]} is out of range: {Show()}");
            if (i > 0 && p.Dims[i] <= p.Dims[i - 1]) throw Error($"dims must be strictly increasing: {Show()}");
            if (t.Shape[i] != 1 && t.Shape[i] != p.Shape[p.Dims[i]])
                throw Error($"operand dim {i} has size {t.Shape[i]}, which is neither 1 nor result dim {p.Dims[i]}'s size {p.Shape[p.Dims[i]]}: {Show()}");
        }
        return [t.WithShape(new Shape(p.Shape))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, BroadcastInDimParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <summary>A scalar literal operand takes the declared result's dtype: <c>r: f32[2,3] =
    /// broadcast_in_dim[shape=[2,3], dims=[]](0.5)</c> is a constant array (JAX's <c>full</c>).</summary>
    public override DType? LiteralDTypeFromResults(int position, PrimParams p, IReadOnlyList<AVal> declaredResults) =>
        position == 0 && declaredResults.Count == 1 ? declaredResults[0].DType : null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(BroadcastInDimParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var x = inputs[0];
        var outShape = new Shape(p.Shape);
        var r = NDArray.Zeros(new AVal(x.DType, outShape));
        var inStrides = x.Shape.Strides();
        var idx = new int[outShape.Rank];
        for (int o = 0; o < r.Length; o++)
        {
            int src = 0;
            for (int i = 0; i < p.Dims.Length; i++)
                if (x.Shape[i] != 1) src += idx[p.Dims[i]] * inStrides[i];
            Array.Copy(x.Data, src, r.Data, o, 1);
            TransposeOp.Increment(idx, outShape);
        }
        return [r];
    }

    /// <summary>Batching: the batch axis becomes result axis 0 and every mapped dim shifts by one.</summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, BroadcastInDimParams p, BatchedAtom x)
    {
        var moved = ctx.MoveBatchDim(x, 0);
        var shape = new[] { ctx.AxisSize }.Concat(p.Shape).ToArray();
        var dims = new[] { 0 }.Concat(p.Dims.Select(d => d + 1)).ToArray();
        return [new(ctx.Emit1(ShapeOps.BroadcastInDim, new BroadcastInDimParams(shape, dims), moved), 0)];
    }
}


/// <summary>
/// The shape family: <c>broadcast_in_dim reshape transpose squeeze expand_dims rev</c> and
/// <c>iota</c>. They move data without computing on it.
/// </summary>
public static class ShapeOps
{
    /// <summary><c>transpose[perm=[..]](x)</c>.</summary>
    public static readonly TransposeOp Transpose = new();

    /// <summary><c>broadcast_in_dim[shape=[..], dims=[..]](x)</c>.</summary>
    public static readonly BroadcastInDimOp BroadcastInDim = new();

    /// <summary><c>reshape[shape=[..]](x)</c>: the same elements in row-major order with a new shape.</summary>
    public static readonly ReshapeOp Reshape = new();

    /// <summary><c>squeeze[dims=[..]](x)</c>: removes the listed operand axes, each of size 1.</summary>
    public static readonly SqueezeOp Squeeze = new();

    /// <summary><c>expand_dims[dims=[..]](x)</c>: inserts axes of size 1 at the listed result positions.</summary>
    public static readonly ExpandDimsOp ExpandDims = new();

    /// <summary><c>rev[dims=[..]](x)</c>: reverses the order of elements along the listed axes.</summary>
    public static readonly RevOp Rev = new();

    /// <summary><c>iota[shape=[..], dim=k, dtype=i32]()</c>: each element is its index along axis <c>k</c>.</summary>
    public static readonly IotaOp Iota = new();

    /// <summary>Registers the family's primitives and batching rules.</summary>
    public static void Register(Registrar r)
    {
        r.Add(Transpose, (ctx, p, ins, subs) => TransposeOp.Batch(ctx, (TransposeParams)p, ins[0]));
        r.Add(BroadcastInDim, (ctx, p, ins, subs) => BroadcastInDimOp.Batch(ctx, (BroadcastInDimParams)p, ins[0]));
        r.Add(Reshape, (ctx, p, ins, subs) => ReshapeOp.Batch(ctx, (ReshapeParams)p, ins[0]));
        r.Add(Squeeze, (ctx, p, ins, subs) => SqueezeOp.Batch(ctx, (SqueezeParams)p, ins[0]));
        r.Add(ExpandDims, (ctx, p, ins, subs) => ExpandDimsOp.Batch(ctx, (ExpandDimsParams)p, ins[0]));
        r.Add(Rev, (ctx, p, ins, subs) => RevOp.Batch(ctx, (RevParams)p, ins[0]));
        r.Add(Iota, (ctx, p, ins, subs) => IotaOp.Batch());
    }

    /// <summary>An integer list in the text form, <c>[1,0]</c>, for messages.</summary>
    internal static string Show(IEnumerable<int> values) => "[" + string.Join(",", values) + "]";

    /// <summary>
    /// A type error unless <paramref name="dims"/> lists distinct axes in <c>[0, rank)</c>;
    /// <paramref name="what"/> describes the params and operand for the message.
    /// </summary>
    internal static void RequireDistinctAxes(Func<string, TypeError> error, string key, int[] dims, int rank, string what)
    {
        var seen = new HashSet<int>();
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0 || dims[i] >= rank)
                throw error($"{key}[{i}] = {dims[i]} is out of range (axes 0..{rank - 1}): {what}");
            if (!seen.Add(dims[i]))
                throw error($"{key} lists axis {dims[i]} twice: {what}");
        }
    }

    /// <summary>The batched form of a per-example axis when the batch axis sits at <paramref name="batchDim"/>.</summary>
    internal static int Shift(int axis, int batchDim) => axis < batchDim ? axis : axis + 1;
}

using ArrayLang.Ir;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>Params of <c>dynamic_slice</c>: the size of the slice along each axis (static; the starts are operands).</summary>
public sealed record DynamicSliceParams(int[] Sizes) : PrimParams
{
    // The synthesized record equality would compare the arrays by reference; compare the written form.
    /// <summary>Structural equality through the written form (arrays compare by content).</summary>
    public bool Equals(DynamicSliceParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();

    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Ints("sizes", Sizes);
}

/// <summary>Params of <c>take</c>: the axis of the operand that the indices select along.</summary>
public sealed record TakeParams(int Axis) : PrimParams
{
    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Int("axis", Axis);
}

/// <summary>
/// <c>dynamic_slice[sizes=[..]](x, i_0, .., i_r-1)</c>: the block of shape <c>sizes</c> starting at
/// the run-time indices (i32 scalars, literals allowed); start <c>j</c> is clamped into
/// <c>[0, dim_j - size_j]</c>, so the block always lies inside <c>x</c>.
/// </summary>
public sealed class DynamicSliceOp() : Primitive<DynamicSliceParams>("dynamic_slice")
{
    /// <inheritdoc />
    public override DynamicSliceParams Read(ParamReader r) => new(r.Ints("sizes"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(DynamicSliceParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count == 0) throw Error("expects an operand and one start index per axis, found no operands");
        var t = ops[0].Type;
        if (ops.Count != 1 + t.Rank)
            throw Error($"expects the operand and one start index per axis ({1 + t.Rank} operands for {t}), found {ops.Count}");
        Slicing.RequireIndices(Error, ops, 1);
        string what = $"sizes={ShapeOps.Show(p.Sizes)} with operand {t}";
        if (p.Sizes.Length != t.Rank) throw Error($"sizes needs one entry per operand axis ({t.Rank}): {what}");
        for (int j = 0; j < t.Rank; j++)
            if (p.Sizes[j] < 0 || p.Sizes[j] > t.Shape[j])
                throw Error($"sizes[{j}] = {p.Sizes[j]} must be between 0 and the axis size {t.Shape[j]}: {what}");
        return [t.WithShape(new Shape(p.Sizes))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, DynamicSliceParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) =>
        position >= 1 ? DType.I32 : null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(DynamicSliceParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var x = inputs[0];
        int rank = x.Shape.Rank;
        var start = Enumerable.Range(0, rank).Select(j => Math.Clamp(inputs[1 + j].I32[0], 0, x.Shape[j] - p.Sizes[j])).ToArray();
        var outShape = new Shape(p.Sizes);
        var r = NDArray.Zeros(new AVal(x.DType, outShape));
        var strides = x.Shape.Strides();
        var idx = new int[rank];
        for (int o = 0; o < r.Length; o++)
        {
            int src = 0;
            for (int j = 0; j < rank; j++) src += (start[j] + idx[j]) * strides[j];
            Array.Copy(x.Data, src, r.Data, o, 1);
            TransposeOp.Increment(idx, outShape);
        }
        return [r];
    }
}

/// <summary>
/// <c>dynamic_update_slice(x, update, i_0, .., i_r-1)</c>: <c>x</c> with the block <c>update</c>
/// (same dtype and rank, no larger along any axis) written at the run-time indices (i32 scalars,
/// literals allowed); start <c>j</c> is clamped into <c>[0, dim_j - update_j]</c>.
/// </summary>
public sealed class DynamicUpdateSliceOp() : Primitive<NoParams>("dynamic_update_slice")
{
    /// <inheritdoc />
    public override NoParams Read(ParamReader r) => NoParams.Instance;

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(NoParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count < 2) throw Error($"expects the operand, the update and one start index per axis, found {ops.Count} operand(s)");
        var (t, u) = (ops[0].Type, ops[1].Type);
        if (ops.Count != 2 + t.Rank)
            throw Error($"expects the operand, the update and one start index per axis ({2 + t.Rank} operands for {t}), found {ops.Count}");
        if (u.DType != t.DType || u.Rank != t.Rank)
            throw Error($"the update must have the operand's dtype and rank: operand {t}, update {u}");
        for (int j = 0; j < t.Rank; j++)
            if (u.Shape[j] > t.Shape[j])
                throw Error($"the update {u} is larger than the operand {t} along axis {j}");
        Slicing.RequireIndices(Error, ops, 2);
        return [t];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, NoParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) =>
        position >= 2 ? DType.I32 : null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(NoParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var (x, u) = (inputs[0], inputs[1]);
        int rank = x.Shape.Rank;
        var start = Enumerable.Range(0, rank).Select(j => Math.Clamp(inputs[2 + j].I32[0], 0, x.Shape[j] - u.Shape[j])).ToArray();
        var r = x.Clone();
        var strides = x.Shape.Strides();
        var idx = new int[rank];
        for (int i = 0; i < u.Length; i++)
        {
            int dst = 0;
            for (int j = 0; j < rank; j++) dst += (start[j] + idx[j]) * strides[j];
            Array.Copy(u.Data, i, r.Data, dst, 1);
            TransposeOp.Increment(idx, u.Shape);
        }
        return [r];
    }
}

/// <summary>
/// <c>take[axis=k](x, idx)</c>: gathers along axis <c>k</c> of <c>x</c> at the run-time indices
/// <c>idx</c> (i32, any shape; a scalar may be a literal), each clamped into <c>[0, n - 1]</c>; the
/// result has shape <c>x.shape[:k] + idx.shape + x.shape[k+1:]</c>. Taking a non-empty set of
/// indices from an axis of size 0 is a type error (there is nothing to clamp to).
/// </summary>
public sealed class TakeOp() : Primitive<TakeParams>("take")
{
    /// <inheritdoc />
    public override TakeParams Read(ParamReader r) => new(r.Int("axis"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(TakeParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 2) throw Error($"expects 2 operands (x, idx), found {ops.Count}");
        var (t, ix) = (ops[0].Type, ops[1].Type);
        if (ix.DType != DType.I32) throw Error($"the indices must be i32, found {ix} (operand {t}, axis={p.Axis})");
        if (p.Axis < 0 || p.Axis >= t.Rank)
            throw Error($"axis = {p.Axis} is out of range for the operand {t} (axes 0..{t.Rank - 1})");
        if (t.Shape[p.Axis] == 0 && ix.Shape.ElementCount > 0)
            throw Error($"cannot take {ix.Shape.ElementCount} element(s) along axis {p.Axis} of {t}, which is empty");
        var dims = t.Shape.Take(p.Axis).Concat(ix.Shape).Concat(t.Shape.Skip(p.Axis + 1));
        return [t.WithShape(new Shape(dims))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, TakeParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) =>
        position == 1 ? DType.I32 : null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(TakeParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var (x, ix) = (inputs[0], inputs[1]);
        var s = x.Shape;
        int n = s[p.Axis];
        long outer = 1, inner = 1;
        for (int j = 0; j < p.Axis; j++) outer *= s[j];
        for (int j = p.Axis + 1; j < s.Rank; j++) inner *= s[j];
        var dims = s.Take(p.Axis).Concat(ix.Shape).Concat(s.Skip(p.Axis + 1));
        var r = NDArray.Zeros(new AVal(x.DType, new Shape(dims)));
        var indices = ix.I32;
        int m = indices.Length;
        for (long o = 0; o < outer; o++)
            for (int t = 0; t < m; t++)
            {
                int i = Math.Clamp(indices[t], 0, n - 1);
                Array.Copy(x.Data, (o * n + i) * inner, r.Data, (o * m + t) * inner, inner);
            }
        return [r];
    }
}

using ArrayLang.Ir;
using ArrayLang.Transforms;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>Params of <c>rev</c>: the axes along which the order of elements is reversed.</summary>
public sealed record RevParams(int[] Dims) : PrimParams
{
    // The synthesized record equality would compare the arrays by reference; compare the written form.
    /// <summary>Structural equality through the written form (arrays compare by content).</summary>
    public bool Equals(RevParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();

    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Ints("dims", Dims);
}

/// <summary>Params of <c>iota</c>: the result shape, the axis whose index each element holds, and the result dtype (default i32).</summary>
public sealed record IotaParams(int[] Shape, int Dim, DType DType) : PrimParams
{
    // The synthesized record equality would compare the arrays by reference; compare the written form.
    /// <summary>Structural equality through the written form (arrays compare by content).</summary>
    public bool Equals(IotaParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();

    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Ints("shape", Shape).Int("dim", Dim).DType("dtype", DType);
}

/// <summary><c>rev[dims=[..]](x)</c>: element <c>i</c> along each listed axis of size <c>n</c> comes from <c>n - 1 - i</c>.</summary>
public sealed class RevOp() : Primitive<RevParams>("rev")
{
    /// <inheritdoc />
    public override RevParams Read(ParamReader r) => new(r.Ints("dims"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(RevParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 1) throw Error($"expects 1 operand, found {ops.Count}");
        var t = ops[0].Type;
        ShapeOps.RequireDistinctAxes(Error, "dims", p.Dims, t.Rank, $"dims={ShapeOps.Show(p.Dims)} with operand {t}");
        return [t];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, RevParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(RevParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var x = inputs[0];
        var r = NDArray.Zeros(x.Type);
        var strides = x.Shape.Strides();
        var idx = new int[x.Shape.Rank];
        for (int o = 0; o < r.Length; o++)
        {
            int src = 0;
            for (int k = 0; k < idx.Length; k++)
                src += (p.Dims.Contains(k) ? x.Shape[k] - 1 - idx[k] : idx[k]) * strides[k];
            Array.Copy(x.Data, src, r.Data, o, 1);
            TransposeOp.Increment(idx, x.Shape);
        }
        return [r];
    }

    /// <summary>Batching: the batch axis stays where it is; the reversed axes are renumbered around it.</summary>
    public static IReadOnlyList<BatchedAtom> Batch(BatchContext ctx, RevParams p, BatchedAtom x)
    {
        int d = x.BatchDim!.Value;
        var dims = p.Dims.Select(i => ShapeOps.Shift(i, d)).ToArray();
        return [new(ctx.Emit1(ShapeOps.Rev, new RevParams(dims), x.Atom), d)];
    }
}

/// <summary><c>iota[shape=[..], dim=k, dtype=i32]()</c>: takes no operands; element <c>idx</c> is <c>idx[k]</c> (f32, f64 or i32).</summary>
public sealed class IotaOp() : Primitive<IotaParams>("iota")
{
    /// <inheritdoc />
    public override IotaParams Read(ParamReader r) => new(r.Ints("shape"), r.Int("dim"), r.DType("dtype", DType.I32));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(IotaParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        if (ops.Count != 0) throw Error($"takes no operands, found {ops.Count}");
        string what = $"shape={ShapeOps.Show(p.Shape)}, dim={p.Dim}, dtype={p.DType.Name()}";
        if (p.Shape.Any(d => d < 0)) throw Error($"negative size in {what}");
        if (p.Dim < 0 || p.Dim >= p.Shape.Length)
            throw Error($"dim = {p.Dim} is out of range for a result of rank {p.Shape.Length}: {what}");
        if (!p.DType.IsNumeric())
            throw Error($"expected dtype f32, f64 or i32, found {p.DType.Name()}: {what}");
        return [new AVal(p.DType, new Shape(p.Shape))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, IotaParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(IotaParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var shape = new Shape(p.Shape);
        var r = NDArray.Zeros(new AVal(p.DType, shape));
        var idx = new int[shape.Rank];
        for (int o = 0; o < r.Length; o++)
        {
            r.SetDouble(o, idx[p.Dim]);
            TransposeOp.Increment(idx, shape);
        }
        return [r];
    }

    /// <summary>
    /// There is nothing to batch: <c>iota</c> has no operands, so vmap copies it unchanged and a
    /// batching rule is never asked for; asking is a bug in the caller.
    /// </summary>
    public static IReadOnlyList<BatchedAtom> Batch() =>
        throw new InvalidOperationException(
            "iota takes no operands, so it is never batched: vmap copies an equation without batched operands unchanged");
}

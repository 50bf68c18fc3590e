using ArrayLang.Ir;
using ArrayLang.Transforms;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>Params of <c>random_bits[shape=[..]](key)</c>: the shape drawn per key.</summary>
public sealed record RandomBitsParams(int[] Shape) : PrimParams
{
    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Ints("shape", Shape);

    /// <summary>Equal when the written params are (the array compares by content, not by reference).</summary>
    public bool Equals(RandomBitsParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();
}

/// <summary>Params of <c>random_split[count=n](key)</c>: how many new keys each key gives.</summary>
public sealed record RandomSplitParams(int Count) : PrimParams
{
    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Int("count", Count);
}

/// <summary>Params of <c>random_uniform[shape=[..], dtype=f32](key)</c>: the shape drawn per key and
/// the float dtype (default <c>f32</c>).</summary>
public sealed record RandomUniformParams(int[] Shape, DType DType) : PrimParams
{
    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.Ints("shape", Shape).DType("dtype", DType);

    /// <summary>Equal when the written params are (the array compares by content, not by reference).</summary>
    public bool Equals(RandomUniformParams? other) => base.Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => base.GetHashCode();
}

/// <summary>
/// The randomness family: <c>random_bits</c>, <c>random_split</c> and <c>random_uniform</c>, counter
/// based with <see cref="Threefry"/> (IR.md "Randomness"). A key <c>i32[2]</c> holds two 32-bit
/// words; result element <c>i</c> (row-major) encrypts the counter <c>(hi32(i), lo32(i))</c>.
/// <para>Note [batched keys]: this extends IR.md. A key may have leading "key batch" dimensions,
/// <c>i32[k1..kn, 2]</c>, each row being an independent key: the result is
/// <c>[k1..kn] + shape</c> (<c>random_split</c>: <c>[k1..kn, count, 2]</c>), and the counters are
/// still the row-major index within one key's result, so row <c>k</c> equals the primitive applied to
/// key <c>k</c> alone. That is what lets vmap batch a key without looping over the batch: the
/// batching rule keeps the key's batch axis where it is when it is among the leading axes (moving
/// it to 0 only when it follows the words axis) and emits the same primitive. A key that is not
/// batched gives every example the same numbers (vmap copies the equation).</para>
/// </summary>
public static class Randomness
{
    /// <summary><c>random_bits[shape=[..]](key)</c>: 32 random bits per element, as i32.</summary>
    public static readonly RandomBitsOp RandomBits = new();

    /// <summary><c>random_split[count=n](key)</c>: <c>n</c> new keys, <c>i32[n,2]</c>.</summary>
    public static readonly RandomSplitOp RandomSplit = new();

    /// <summary><c>random_uniform[shape=[..], dtype=f32](key)</c>: floats in <c>[0, 1)</c>.</summary>
    public static readonly RandomUniformOp RandomUniform = new();

    /// <summary>Every primitive of the family.</summary>
    public static readonly IReadOnlyList<Primitive> All = [RandomBits, RandomSplit, RandomUniform];

    /// <summary>Registers the family's primitives, each with <see cref="BatchKey"/>.</summary>
    public static void Register(Registrar r)
    {
        foreach (var p in All)
            r.Add(p, (ctx, ps, ins, subs) => BatchKey(p, ctx, ps, ins[0]));
    }

    /// <summary>
    /// The batching rule of every randomness primitive (Note [batched keys]): a batched key is a
    /// key with one more key-batch axis. The batch axis stays where it is when it precedes the
    /// words axis, and the result has it at the same position; a batch axis after the words axis
    /// moves to 0.
    /// </summary>
    public static IReadOnlyList<BatchedAtom> BatchKey(Primitive prim, BatchContext ctx, PrimParams p, BatchedAtom key)
    {
        int d = key.BatchDim!.Value;
        var atom = key.Atom;
        if (d == atom.Type.Rank - 1)
        {
            atom = ctx.MoveBatchDim(key, 0);
            d = 0;
        }
        return [new BatchedAtom(ctx.Emit1(prim, p, atom), d)];
    }

    /// <summary>The key-batch dimensions of a key operand <c>i32[k1..kn, 2]</c>, or a type error
    /// naming the primitive and the operand found.</summary>
    public static int[] KeyBatchDims(string prim, IReadOnlyList<Operand> operands)
    {
        if (operands.Count != 1) throw new TypeError($"{prim}: expects 1 operand (the key), found {operands.Count}");
        var k = operands[0];
        if (k.IsLiteral) throw new TypeError($"{prim}: the key must be a variable i32[2], found a literal");
        var t = k.Type;
        if (t.DType != DType.I32 || t.Rank < 1 || t.Shape[t.Rank - 1] != 2)
            throw new TypeError($"{prim}: the key must be i32[2] (or i32[k1..kn, 2], a batch of keys), found {t}");
        return t.Shape.Take(t.Rank - 1).ToArray();
    }

    /// <summary>A type error unless every size in <paramref name="shape"/> is non-negative and the
    /// element count fits one array (<see cref="TypeChecker.MaxElements"/>).</summary>
    public static void CheckShape(string prim, int[] shape, int[] keyBatch)
    {
        if (shape.Any(d => d < 0)) throw new TypeError($"{prim}: shape=[{string.Join(",", shape)}] has a negative size");
        // The one size rule of every value (TypeChecker.MaxElements), checked here before the draw is typed.
        var all = new Shape(keyBatch.Concat(shape));
        if (TypeChecker.SizeProblem(all, $"{prim}: the result, of shape [{string.Join(",", all)}],") is { } tooLarge) throw new TypeError(tooLarge);
    }

    /// <summary>Calls <paramref name="each"/> for every key row of <paramref name="key"/> with its
    /// two words and the row's index.</summary>
    internal static void ForEachKey(NDArray key, Action<uint, uint, int> each)
    {
        var k = key.I32;
        for (int row = 0; row < k.Length / 2; row++)
            each(unchecked((uint)k[2 * row]), unchecked((uint)k[2 * row + 1]), row);
    }
}

/// <summary><c>random_bits[shape=[..]](key)</c>: element <c>i</c> is <c>b1 ^ b2</c> of
/// <c>threefry(key, (hi32(i), lo32(i)))</c>, as i32 bits. With key <c>i32[k.., 2]</c> the result is
/// <c>i32[k.., shape..]</c> (Note [batched keys] on <see cref="Randomness"/>).</summary>
public sealed class RandomBitsOp() : Primitive<RandomBitsParams>("random_bits")
{
    /// <inheritdoc />
    public override RandomBitsParams Read(ParamReader r) => new(r.Ints("shape"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(RandomBitsParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        var kb = Randomness.KeyBatchDims(Name, ops);
        Randomness.CheckShape(Name, p.Shape, kb);
        return [new AVal(DType.I32, new Shape(kb.Concat(p.Shape)))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, RandomBitsParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(RandomBitsParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var key = inputs[0];
        var r = NDArray.Zeros(InferTypes(p, [new Operand(key.Type, false)], subs)[0]);
        int n = new Shape(p.Shape).Size;
        var o = r.I32;
        Randomness.ForEachKey(key, (k0, k1, row) =>
        {
            for (int i = 0; i < n; i++) o[row * n + i] = unchecked((int)Threefry.Bits32(k0, k1, i));
        });
        return [r];
    }
}

/// <summary><c>random_split[count=n](key)</c>: row <c>j</c> of the <c>i32[n,2]</c> result is
/// <c>(b1, b2)</c> of <c>threefry(key, (hi32(j), lo32(j)))</c>. With key <c>i32[k.., 2]</c> the result
/// is <c>i32[k.., n, 2]</c> (Note [batched keys] on <see cref="Randomness"/>).</summary>
public sealed class RandomSplitOp() : Primitive<RandomSplitParams>("random_split")
{
    /// <inheritdoc />
    public override RandomSplitParams Read(ParamReader r) => new(r.Int("count"));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(RandomSplitParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        var kb = Randomness.KeyBatchDims(Name, ops);
        if (p.Count < 0) throw Error($"count={p.Count} must be >= 0");
        Randomness.CheckShape(Name, [p.Count, 2], kb);
        return [new AVal(DType.I32, new Shape(kb.Append(p.Count).Append(2)))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, RandomSplitParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(RandomSplitParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var key = inputs[0];
        var r = NDArray.Zeros(InferTypes(p, [new Operand(key.Type, false)], subs)[0]);
        var o = r.I32;
        Randomness.ForEachKey(key, (k0, k1, row) =>
        {
            for (int j = 0; j < p.Count; j++)
            {
                var (b1, b2) = Threefry.Block(k0, k1, j);
                o[(row * p.Count + j) * 2] = unchecked((int)b1);
                o[(row * p.Count + j) * 2 + 1] = unchecked((int)b2);
            }
        });
        return [r];
    }
}

/// <summary><c>random_uniform[shape=[..], dtype=f32](key)</c>: floats in <c>[0, 1)</c>. Element <c>i</c>
/// takes <c>(b1, b2) = threefry(key, (hi32(i), lo32(i)))</c>; f32 is
/// <c>bitcast(((b1 ^ b2) &gt;&gt;&gt; 9) | 0x3F800000) - 1</c>, f64 is
/// <c>bitcast((((b1 &lt;&lt; 32) | b2) &gt;&gt;&gt; 12) | 0x3FF0000000000000) - 1</c>. With key
/// <c>i32[k.., 2]</c> the result is <c>[k.., shape..]</c> (Note [batched keys] on <see cref="Randomness"/>).</summary>
public sealed class RandomUniformOp() : Primitive<RandomUniformParams>("random_uniform")
{
    /// <inheritdoc />
    public override RandomUniformParams Read(ParamReader r) => new(r.Ints("shape"), r.DType("dtype", DType.F32));

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(RandomUniformParams p, IReadOnlyList<Operand> ops, IReadOnlyList<Function> subs)
    {
        var kb = Randomness.KeyBatchDims(Name, ops);
        if (!p.DType.IsFloat()) throw Error($"dtype must be f32 or f64, found {(Enum.IsDefined(p.DType) ? p.DType.Name() : p.DType.ToString())}");
        Randomness.CheckShape(Name, p.Shape, kb);
        return [new AVal(p.DType, new Shape(kb.Concat(p.Shape)))];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, RandomUniformParams p, IReadOnlyList<AVal?> ops, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(RandomUniformParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var key = inputs[0];
        var r = NDArray.Zeros(InferTypes(p, [new Operand(key.Type, false)], subs)[0]);
        int n = new Shape(p.Shape).Size;
        Randomness.ForEachKey(key, (k0, k1, row) =>
        {
            for (int i = 0; i < n; i++)
            {
                var (b1, b2) = Threefry.Block(k0, k1, i);
                if (p.DType == DType.F32) r.F32[row * n + i] = Threefry.UniformF32(b1 ^ b2);
                else r.F64[row * n + i] = Threefry.UniformF64(b1, b2);
            }
        });
        return [r];
    }
}

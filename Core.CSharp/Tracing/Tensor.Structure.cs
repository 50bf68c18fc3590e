using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Tracing;

// Shape, slicing, indexing, reductions and contraction on tensors.
public sealed partial class Tensor
{
    private Tensor Op(Primitive p, PrimParams ps, params Atom[] more) => Context.Bind(p, ps, [Atom, .. more])[0];

    private int Axis(int axis, int rank, string what)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
        {
            var where = UserSource.Find();
            throw new TraceException($"{(where is null ? "" : where + ": ")}{what}: axis {axis} is out of range for a {Type} tensor", where,
                new ArgumentOutOfRangeException(nameof(axis)));
        }
        return a;
    }

    private int[] Axes(int[] axes, string what) => axes.Length == 0
        ? Enumerable.Range(0, Rank).ToArray()
        : axes.Select(a => Axis(a, Rank, what)).ToArray();

    /// <summary>The same elements in another shape (row-major).</summary>
    public Tensor Reshape(params int[] shape) => Op(ShapeOps.Reshape, new ReshapeParams(shape));

    /// <summary>Permutes the axes (result axis i is axis perm[i]); no argument reverses them.</summary>
    public Tensor Transpose(params int[] perm) =>
        Op(ShapeOps.Transpose, new TransposeParams(perm.Length == 0 ? Enumerable.Range(0, Rank).Reverse().ToArray() : perm));

    /// <summary>Removes size-1 axes.</summary>
    public Tensor Squeeze(params int[] dims) => Op(ShapeOps.Squeeze, new SqueezeParams(dims));

    /// <summary>Inserts size-1 axes at the given positions of the result.</summary>
    public Tensor ExpandDims(params int[] dims) => Op(ShapeOps.ExpandDims, new ExpandDimsParams(dims));

    /// <summary>Reverses the order of elements along the given axes.</summary>
    public Tensor Rev(params int[] dims) => Op(ShapeOps.Rev, new RevParams(dims));

    /// <summary>Broadcasts to <paramref name="shape"/>: axis i becomes result axis <paramref name="dims"/>[i]
    /// (default: the trailing axes, as NumPy aligns them).</summary>
    public Tensor BroadcastTo(int[] shape, int[]? dims = null) =>
        Op(ShapeOps.BroadcastInDim, new BroadcastInDimParams(shape, dims ?? Enumerable.Range(shape.Length - Rank, Rank).ToArray()));

    /// <summary>A static slice <c>[start, limit)</c> with optional strides per axis.</summary>
    public Tensor Slice(int[] start, int[] limit, int[]? stride = null) =>
        Op(Slicing.Slice, new SliceParams(start, limit, stride ?? Enumerable.Repeat(1, Rank).ToArray()));

    /// <summary>A slice of <paramref name="sizes"/> at run-time starts (clamped so it stays in bounds).</summary>
    public Tensor DynamicSlice(Tensor[] starts, int[] sizes) =>
        Op(Slicing.DynamicSlice, new DynamicSliceParams(sizes), starts.Select(s => s.Operand(Context)).ToArray());

    /// <summary>This array with <paramref name="update"/> written at run-time starts (clamped).</summary>
    public Tensor DynamicUpdateSlice(Tensor update, params Tensor[] starts) =>
        Op(Slicing.DynamicUpdateSlice, NoParams.Instance, [update.Operand(Context), .. starts.Select(s => s.Operand(Context))]);

    /// <summary>Gathers along <paramref name="axis"/> at the (clamped) indices.</summary>
    public Tensor Take(Tensor indices, int axis = 0) => Op(Slicing.Take, new TakeParams(Axis(axis, Rank, "take")), indices.Operand(Context));

    /// <summary>Joins tensors along an existing axis.</summary>
    public static Tensor Concatenate(int axis, params Tensor[] parts) =>
        parts[0].Context.Bind(Slicing.Concatenate, new ConcatenateParams(axis), parts.Select(p => p.Operand(parts[0].Context)).ToList())[0];

    /// <summary>Pads with <paramref name="value"/>: <paramref name="low"/> before and <paramref name="high"/> after each axis.</summary>
    public Tensor Pad(int[] low, int[] high, double value = 0) =>
        Op(Slicing.Pad, new PadParams(low, high), MakeLiteral(Context, DType, value));

    /// <summary>Sum over the given axes (all when none are given).</summary>
    public Tensor Sum(params int[] axes) => Op(Reduction.ReduceSum, new ReduceParams(Axes(axes, "sum")));
    /// <summary>Product over the given axes (all when none are given).</summary>
    public Tensor Prod(params int[] axes) => Op(Reduction.ReduceProd, new ReduceParams(Axes(axes, "prod")));
    /// <summary>Maximum over the given axes (all when none are given).</summary>
    public Tensor MaxOver(params int[] axes) => Op(Reduction.ReduceMax, new ReduceParams(Axes(axes, "max")));
    /// <summary>Minimum over the given axes (all when none are given).</summary>
    public Tensor MinOver(params int[] axes) => Op(Reduction.ReduceMin, new ReduceParams(Axes(axes, "min")));
    /// <summary>Mean over the given axes (all when none are given); floats only.</summary>
    public Tensor Mean(params int[] axes)
    {
        var ax = Axes(axes, "mean");
        long n = ax.Aggregate(1L, (acc, a) => acc * Shape[a]);
        return Sum(ax) / n;
    }
    /// <summary>Index of the first maximum along <paramref name="axis"/> (i32).</summary>
    public Tensor ArgMax(int axis = 0) => Op(Reduction.ArgMax, new ArgParams(Axis(axis, Rank, "argmax")));
    /// <summary>Index of the first minimum along <paramref name="axis"/> (i32).</summary>
    public Tensor ArgMin(int axis = 0) => Op(Reduction.ArgMin, new ArgParams(Axis(axis, Rank, "argmin")));
    /// <summary>Running sum along <paramref name="axis"/>.</summary>
    public Tensor CumSum(int axis = 0, bool reverse = false) => Op(Reduction.CumSum, new CumulativeParams(Axis(axis, Rank, "cumsum"), reverse));
    /// <summary>Running maximum along <paramref name="axis"/>.</summary>
    public Tensor CumMax(int axis = 0, bool reverse = false) => Op(Reduction.CumMax, new CumulativeParams(Axis(axis, Rank, "cummax"), reverse));

    /// <summary>
    /// NumPy's <c>dot</c> for ranks up to 2: vector·vector (a scalar), matrix·vector, vector·matrix,
    /// matrix·matrix. It contracts the last axis of this tensor with the first axis of <paramref name="other"/> (for a
    /// matrix on the right, its axis 0).
    /// </summary>
    public Tensor Dot(Tensor other)
    {
        if (Rank is < 1 or > 2 || other.Rank is < 1 or > 2)
        {
            var where = UserSource.Find();
            throw new TraceException($"{(where is null ? "" : where + ": ")}dot: expects vectors or matrices, found {Type} and {other.Type}; use DotGeneral for higher ranks", where,
                new ArgumentException("rank"));
        }
        return DotGeneral(other, [Rank - 1], [0]);
    }

    /// <summary>XLA's general contraction (see IR.md's dot_general).</summary>
    public Tensor DotGeneral(Tensor other, int[] contractThis, int[] contractOther, int[]? batchThis = null, int[]? batchOther = null) =>
        Op(Contraction.DotGeneral, new DotGeneralParams(contractThis, contractOther, batchThis ?? [], batchOther ?? []), other.Operand(Context));

    /// <summary>Random 32-bit words of <paramref name="shape"/> from this key (i32[2]).</summary>
    public Tensor RandomBits(params int[] shape) => Op(Randomness.RandomBits, new RandomBitsParams(shape));
    /// <summary>Splits this key (i32[2]) into <paramref name="count"/> new keys (i32[count,2]).</summary>
    public Tensor RandomSplit(int count) => Op(Randomness.RandomSplit, new RandomSplitParams(count));
    /// <summary>Uniform values in [0, 1) of <paramref name="shape"/> from this key (i32[2]).</summary>
    public Tensor RandomUniform(int[] shape, DType dtype = DType.F32) => Op(Randomness.RandomUniform, new RandomUniformParams(shape, dtype));
}

using ArrayLang.Compile;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Transforms;

/// <summary>How a memory budget was turned into a chunk size (shown to users, e.g. by the CLI).</summary>
/// <param name="ChunkSize">Examples per chunk, between 1 and the batch size.</param>
/// <param name="FixedBytes">Peak bytes that do not grow with the chunk (shared intermediates).</param>
/// <param name="BytesPerExample">Peak bytes each example of a chunk adds.</param>
/// <param name="BudgetBytes">The budget asked for.</param>
public sealed record ChunkPlan(int ChunkSize, long FixedBytes, long BytesPerExample, long BudgetBytes)
{
    /// <summary>The estimated peak of one chunk's intermediates.</summary>
    public long PeakBytes => FixedBytes + BytesPerExample * ChunkSize;

    /// <summary>A one-line explanation.</summary>
    public override string ToString() =>
        $"chunk size {ChunkSize}: {BytesPerExample} bytes per example + {FixedBytes} shared bytes = {PeakBytes} bytes peak, budget {BudgetBytes}";
}

/// <summary>
/// Chunked vmap (JAX's <c>lax.map</c> with <c>batch_size</c>): the same result as
/// <see cref="Vmap.Apply"/>, computed as a <c>scan</c> over chunks of <c>k</c> examples plus a
/// remainder, so that only <c>k</c> examples' intermediates exist at once. Note [chunked vmap]:
/// batched arguments are moved to axis 0, split into <c>[n, k, ...]</c> for the scan (consts are
/// the shared arguments) and a remainder of <c>B - n*k</c> examples batched directly; each
/// result's parts are joined and its batch axis moved to its out axis. A result that does not
/// depend on the batch is computed from a zero-example batch, which costs nothing per example.
/// </summary>
public static class Chunk
{
    /// <summary>
    /// vmap of <paramref name="f"/> over <paramref name="axisSize"/> examples, <paramref name="chunkSize"/>
    /// at a time. Axes as in <see cref="Vmap.Apply"/>.
    /// </summary>
    public static Function Apply(Function f, int axisSize, IReadOnlyList<int?> inAxes, IReadOnlyList<int?>? outAxes, int chunkSize)
    {
        string where = $"chunked vmap of {f.Name}";
        if (chunkSize < 1) throw new IrException($"{where}: the chunk size must be at least 1, found {chunkSize}");
        outAxes ??= Enumerable.Repeat<int?>(0, f.Results.Length).ToList();
        // The plain batched function validates every axis and names the problem; it also gives the parameter types.
        var plain = Vmap.Apply(f, axisSize, inAxes, outAxes);
        if (chunkSize >= axisSize) return plain;

        var b = new FunctionBuilder();
        var args = plain.Params.Select((p, i) => (Atom)b.AddParam(p.Type, p.Name, plain.ConstMask[i])).ToList();
        var axes = f.Params.Select((p, i) => inAxes[i] is { } a ? (a < 0 ? a + p.Type.Rank + 1 : a) : (int?)null).ToList();
        var batched = Enumerable.Range(0, args.Count).Where(i => axes[i] is not null).ToList();
        var shared = Enumerable.Range(0, args.Count).Where(i => axes[i] is null).ToList();
        var front = args.Select((a, i) => axes[i] is { } ax ? MoveToFront(b, a, ax) : a).ToList();
        var zeroAxes = axes.Select(a => a is null ? (int?)null : 0).ToList();
        var resultAxes = outAxes.Select(o => o is null ? (int?)null : 0).ToList();

        int n = axisSize / chunkSize, rem = axisSize % chunkSize;
        var parts = new List<IReadOnlyList<Atom>>();

        if (n > 0)
        {
            var body = ChunkBody(f, chunkSize, axes, zeroAxes, resultAxes, batched, shared);
            var xs = batched.Select(i => (Atom)Reshape(b, SliceFront(b, front[i], 0, n * chunkSize), [n, chunkSize])).ToList();
            var ys = b.Emit(ControlFlow.Scan, new ScanParams(n, false, shared.Count, 0),
                shared.Select(i => front[i]).Concat(xs).ToList(), [body]);
            parts.Add(ys.Select(y => (Atom)MergeFront(b, y)).ToList());
        }
        if (rem > 0)
        {
            var g = Vmap.Apply(f, rem, zeroAxes, BatchedOnly(resultAxes));
            var sliced = front.Select((a, i) => axes[i] is null ? a : SliceFront(b, a, n * chunkSize, axisSize)).ToList();
            parts.Add(b.Inline(g, sliced).Where((_, j) => resultAxes[j] is not null).ToList());
        }

        // Results that do not depend on the batch: computed once, from a batch of zero examples.
        var unbatchedResults = resultAxes.Select((o, j) => o is null ? j : -1).Where(j => j >= 0).ToList();
        IReadOnlyList<Atom>? shared0 = null;
        if (unbatchedResults.Count > 0)
        {
            var g0 = Vmap.Apply(f, 0, zeroAxes, resultAxes);
            var empty = front.Select((a, i) => axes[i] is null ? a : SliceFront(b, a, 0, 0)).ToList();
            shared0 = b.Inline(g0, empty);
        }

        var results = new List<Atom>();
        int k = 0;
        for (int j = 0; j < f.Results.Length; j++)
        {
            if (outAxes[j] is not { } o) { results.Add(shared0![j]); continue; }
            var pieces = parts.Select(p => p[k]).ToList();
            k++;
            Atom joined = pieces.Count == 1 ? pieces[0] : b.Emit1(Slicing.Concatenate, new ConcatenateParams(0), [.. pieces]);
            int rank = joined.Type.Rank;
            int axis = o < 0 ? o + rank : o;
            results.Add(MoveFrom0(b, joined, axis));
        }
        var built = b.Build(f.Name, results, plain.ResultTypes);
        TypeChecker.Check(built);
        return built;
    }

    /// <summary>
    /// The chunk size for a memory budget: the largest <c>k</c> whose estimated peak of one chunk's
    /// intermediates (<see cref="MemoryEstimate.PeakBytes"/> of the batched function for <c>k</c>
    /// examples, which grows linearly in <c>k</c>) fits <paramref name="budgetBytes"/>; at least 1.
    /// </summary>
    public static ChunkPlan SizeForBudget(Function f, int axisSize, IReadOnlyList<int?> inAxes, long budgetBytes)
    {
        if (budgetBytes <= 0) throw new IrException($"chunked vmap of {f.Name}: the memory budget must be positive, found {budgetBytes} bytes");
        long p1 = MemoryEstimate.PeakBytes(Vmap.Apply(f, 1, inAxes));
        long p2 = MemoryEstimate.PeakBytes(Vmap.Apply(f, 2, inAxes));
        long perExample = Math.Max(0, p2 - p1);
        long fixedBytes = Math.Max(0, p1 - perExample);
        long k = perExample == 0 ? axisSize : (budgetBytes - fixedBytes) / perExample;
        int size = (int)Math.Clamp(k, 1, Math.Max(1, axisSize));
        return new ChunkPlan(size, fixedBytes, perExample, budgetBytes);
    }

    // The scan body: (shared..., chunk of each batched argument) -> (batched results of the chunk).
    private static Function ChunkBody(Function f, int chunkSize, IReadOnlyList<int?> axes, IReadOnlyList<int?> zeroAxes,
        IReadOnlyList<int?> resultAxes, IReadOnlyList<int> batched, IReadOnlyList<int> shared)
    {
        var g = Vmap.Apply(f, chunkSize, zeroAxes, BatchedOnly(resultAxes));
        var b = new FunctionBuilder();
        var ps = new Atom[f.Params.Length];
        foreach (var i in shared) ps[i] = b.AddParam(g.Params[i].Type, g.Params[i].Name);
        foreach (var i in batched) ps[i] = b.AddParam(g.Params[i].Type, g.Params[i].Name);
        var outs = b.Inline(g, ps);
        var ys = outs.Where((_, j) => resultAxes[j] is not null).ToList();
        return b.Build("chunk", ys, ys.Select((y, idx) => y.Type).ToList());
    }

    // out_axes for the chunk functions: batched results at 0; unbatched ones are computed separately,
    // so give them axis 0 too (they are dropped) to keep every result well defined.
    private static IReadOnlyList<int?> BatchedOnly(IReadOnlyList<int?> resultAxes) =>
        resultAxes.Select(o => (int?)0).ToList();

    private static Atom MoveToFront(FunctionBuilder b, Atom a, int axis)
    {
        if (axis == 0) return a;
        int rank = a.Type.Rank;
        var perm = new[] { axis }.Concat(Enumerable.Range(0, rank).Where(d => d != axis)).ToArray();
        return b.Emit1(ShapeOps.Transpose, new TransposeParams(perm), a);
    }

    private static Atom MoveFrom0(FunctionBuilder b, Atom a, int axis)
    {
        if (axis == 0) return a;
        int rank = a.Type.Rank;
        var perm = Enumerable.Range(1, rank - 1).ToList();
        perm.Insert(axis, 0);
        return b.Emit1(ShapeOps.Transpose, new TransposeParams([.. perm]), a);
    }

    private static Atom SliceFront(FunctionBuilder b, Atom a, int start, int limit)
    {
        var s = a.Type.Shape;
        if (start == 0 && limit == s[0]) return a;
        var st = new int[s.Rank]; st[0] = start;
        var li = s.ToArray(); li[0] = limit;
        return b.Emit1(Slicing.Slice, new SliceParams(st, li, Enumerable.Repeat(1, s.Rank).ToArray()), a);
    }

    private static Atom Reshape(FunctionBuilder b, Atom a, int[] lead) =>
        b.Emit1(ShapeOps.Reshape, new ReshapeParams([.. lead, .. a.Type.Shape.Skip(1)]), a);

    private static Atom MergeFront(FunctionBuilder b, Atom a)
    {
        var s = a.Type.Shape;
        return b.Emit1(ShapeOps.Reshape, new ReshapeParams([s[0] * s[1], .. s.Skip(2)]), a);
    }
}

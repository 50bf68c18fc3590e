using ArrayLang.Ir;
using ArrayLang.Transforms;

namespace ArrayLang.Primitives;

// Note [batching run-time indices]
// A shared (unbatched) start index stays a scalar: dynamic_slice and dynamic_update_slice on the
// batched array take the batch axis whole (start 0, size B), so the fori-loop pattern
// `dynamic_slice(xs, i)` with a shared counter `i` stays one dynamic_slice (JAX issue #1190 is the
// failure this avoids). A per-example start cannot be a scalar operand, so it becomes a gather:
// each start is clamped per example exactly as the primitive clamps it, then
// `start + iota(size)` indexes the axis with `take`. When both the array and the indices of a
// `take` are batched, the batch axis is merged into the gathered axis (a reshape) and each
// example's indices, clamped into [0, n-1], are offset by b*n, so one take serves every example.
// An axis whose slice or update covers it entirely is skipped: its start always clamps to 0.
// Nothing loops over the batch.
public static partial class Slicing
{
    /// <summary>
    /// The batching rule of <c>take</c> (also used to gather along one axis inside the rules of
    /// <c>dynamic_slice</c> and <c>dynamic_update_slice</c>, whose indices are already in range,
    /// <paramref name="indicesInRange"/>). Neither operand's batch axis moves unless both are batched.
    /// </summary>
    internal static BatchedAtom BatchTake(BatchContext ctx, int axis, BatchedAtom x, BatchedAtom idx, bool indicesInRange)
    {
        var ps = new TakeParams(axis);
        if (!x.IsBatched && !idx.IsBatched)
            return new(ctx.Emit1(Take, ps, x.Atom, idx.Atom), null);
        if (!idx.IsBatched)
        {
            int d = x.BatchDim!.Value;
            if (d <= axis)
                return new(ctx.Emit1(Take, new TakeParams(axis + 1), x.Atom, idx.Atom), d);
            return new(ctx.Emit1(Take, ps, x.Atom, idx.Atom), d - 1 + idx.Atom.Type.Rank);
        }
        int e = idx.BatchDim!.Value;
        if (!x.IsBatched)
            return new(ctx.Emit1(Take, ps, x.Atom, idx.Atom), axis + e);

        // Both batched: merge the batch axis into the gathered one and offset each example's indices.
        int b = ctx.AxisSize;
        var moved = ctx.MoveBatchDim(x, axis);
        var shape = moved.Type.Shape;
        int n = shape[axis + 1];
        var merged = shape.Remove(axis).With(axis, checked(b * n));
        var flat = ctx.Emit1(ShapeOps.Reshape, new ReshapeParams(merged.ToArray()), moved);
        Atom ix = idx.Atom;
        if (!indicesInRange && n > 0) ix = Clamp(ctx, ix, 0, n - 1);
        if (n > 0)
        {
            Atom offset = ctx.Emit1(ShapeOps.Iota, new IotaParams(ix.Type.Shape.ToArray(), e, DType.I32));
            if (n != 1) offset = Binary(ctx, Elementwise.Mul, offset, Literal.Of(n));
            ix = Binary(ctx, Elementwise.Add, ix, offset);
        }
        return new(ctx.Emit1(Take, ps, flat, ix), axis + e);
    }

    /// <summary>
    /// The batching rule of <c>dynamic_slice</c>: shared starts stay scalar operands of one
    /// <c>dynamic_slice</c>; each per-example start becomes a gather along its axis
    /// (Note [batching run-time indices]).
    /// </summary>
    internal static IReadOnlyList<BatchedAtom> BatchDynamicSlice(BatchContext ctx, DynamicSliceParams p, IReadOnlyList<BatchedAtom> ins)
    {
        var x = ins[0];
        var idx = ins.Skip(1).ToList();
        var per = PerExample(x);
        int rank = per.Rank;
        var gathered = Enumerable.Range(0, rank).Where(j => idx[j].IsBatched && p.Sizes[j] < per[j]).ToList();

        // One dynamic_slice for the shared starts; the gathered axes (and the batch axis) are taken whole.
        var sizes = Enumerable.Range(0, rank).Select(j => gathered.Contains(j) ? per[j] : p.Sizes[j]).ToArray();
        var starts = Enumerable.Range(0, rank).Select(j => idx[j].IsBatched ? Literal.Of(0) : idx[j].Atom).ToList();
        var cur = x;
        if (!sizes.SequenceEqual(per))
        {
            if (x.BatchDim is { } d)
            {
                var v = ctx.Emit1(DynamicSlice, new DynamicSliceParams(InsertAt(sizes, d, ctx.AxisSize)),
                    [x.Atom, .. InsertAt<Atom>(starts, d, Literal.Of(0))]);
                cur = new(v, d);
            }
            else
                cur = new(ctx.Emit1(DynamicSlice, new DynamicSliceParams(sizes), [x.Atom, .. starts]), null);
        }

        int b = ctx.AxisSize;
        foreach (int j in gathered)
        {
            int m = p.Sizes[j];
            var start = Clamp(ctx, idx[j].Atom, 0, per[j] - m);
            var startB = ctx.Emit1(ShapeOps.BroadcastInDim, new BroadcastInDimParams([b, m], [0]), start);
            var iota = ctx.Emit1(ShapeOps.Iota, new IotaParams([b, m], 1, DType.I32));
            var positions = Binary(ctx, Elementwise.Add, startB, iota);
            cur = BatchTake(ctx, j, cur, new(positions, 0), indicesInRange: true);
        }
        return [cur];
    }

    /// <summary>
    /// The batching rule of <c>dynamic_update_slice</c>. With shared starts: one
    /// <c>dynamic_update_slice</c> on the batched array (start 0 along the batch axis). With a
    /// per-example start: the update is gathered to the operand's shape (each position reads the
    /// update element it would receive, clamped), a mask marks the window per example (iota and
    /// comparisons), and <c>select</c> picks between the two (Note [batching run-time indices]).
    /// </summary>
    internal static IReadOnlyList<BatchedAtom> BatchDynamicUpdateSlice(BatchContext ctx, IReadOnlyList<BatchedAtom> ins)
    {
        var (x, u) = (ins[0], ins[1]);
        var idx = ins.Skip(2).ToList();
        var per = PerExample(x);
        var perU = PerExample(u);
        int rank = per.Rank;
        if (perU.ElementCount == 0) return [x];
        var windows = Enumerable.Range(0, rank).Where(j => perU[j] < per[j]).ToList();

        if (!windows.Any(j => idx[j].IsBatched))
        {
            var starts = Enumerable.Range(0, rank).Select(j => idx[j].IsBatched ? Literal.Of(0) : idx[j].Atom).ToList();
            if (!x.IsBatched && !u.IsBatched)
                return [new(ctx.Emit1(DynamicUpdateSlice, NoParams.Instance, [x.Atom, u.Atom, .. starts]), null)];
            int d = x.BatchDim ?? u.BatchDim!.Value;
            var xm = ctx.MoveBatchDim(x, d);
            var um = ctx.MoveBatchDim(u, d);
            return [new(ctx.Emit1(DynamicUpdateSlice, NoParams.Instance, [xm, um, .. InsertAt<Atom>(starts, d, Literal.Of(0))]), d)];
        }

        int b = ctx.AxisSize;
        var full = new[] { b }.Concat(per).ToArray();
        var values = u;
        Atom? mask = null;
        foreach (int j in windows)
        {
            int n = per[j], w = perU[j];
            var start = Clamp(ctx, idx[j].Atom, 0, n - w);
            // rel[.., p] = p - start: the update element that position p of axis j receives.
            Atom rel;
            int[] maskDims;
            if (idx[j].IsBatched)
            {
                var iota = ctx.Emit1(ShapeOps.Iota, new IotaParams([b, n], 1, DType.I32));
                var startB = ctx.Emit1(ShapeOps.BroadcastInDim, new BroadcastInDimParams([b, n], [0]), start);
                rel = Binary(ctx, Elementwise.Sub, iota, startB);
                maskDims = [0, j + 1];
            }
            else
            {
                var iota = ctx.Emit1(ShapeOps.Iota, new IotaParams([n], 0, DType.I32));
                Atom startN = start is Literal ? start : ctx.Emit1(ShapeOps.BroadcastInDim, new BroadcastInDimParams([n], []), start);
                rel = start is Literal { Value: 0 } ? iota : Binary(ctx, Elementwise.Sub, iota, startN);
                maskDims = [j + 1];
            }
            var inWindow = Binary(ctx, Elementwise.And,
                Binary(ctx, Elementwise.Ge, rel, Literal.Of(0)),
                Binary(ctx, Elementwise.Lt, rel, Literal.Of(w)));
            var axisMask = ctx.Emit1(ShapeOps.BroadcastInDim, new BroadcastInDimParams(full, maskDims), inWindow);
            mask = mask is null ? axisMask : Binary(ctx, Elementwise.And, mask, axisMask);
            var source = Clamp(ctx, rel, 0, w - 1);
            values = BatchTake(ctx, j, values, new(source, idx[j].IsBatched ? 0 : null), indicesInRange: true);
        }
        var selected = ctx.Emit1(Elementwise.Select, NoParams.Instance, mask!, ctx.MoveBatchDim(values, 0), ctx.MoveBatchDim(x, 0));
        return [new(selected, 0)];
    }

    /// <summary>The per-example shape of a possibly batched atom.</summary>
    private static Shape PerExample(BatchedAtom x) =>
        x.BatchDim is { } d ? x.Atom.Type.Shape.Remove(d) : x.Atom.Type.Shape;

    private static Var Binary(BatchContext ctx, Primitive op, Atom a, Atom b) => ctx.Emit1(op, NoParams.Instance, a, b);

    /// <summary>An i32 atom clamped into <c>[lo, hi]</c> (folded for a literal).</summary>
    private static Atom Clamp(BatchContext ctx, Atom a, int lo, int hi)
    {
        if (a is Literal l) return Literal.Of(Math.Clamp((int)l.Value, lo, hi));
        return Binary(ctx, Elementwise.Min, Binary(ctx, Elementwise.Max, a, Literal.Of(lo)), Literal.Of(hi));
    }
}

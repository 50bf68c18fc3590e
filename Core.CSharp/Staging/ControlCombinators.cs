using ArrayLang.Ir;
using ArrayLang.Primitives;
using ArrayLang.Tracing;

namespace ArrayLang.Staging;

/// <summary>
/// The control-flow combinators both front ends record through, over flat lists of tensors: each
/// body is traced once as a sub-function and one <c>scan</c>, <c>cond</c> or <c>while</c> equation is
/// recorded into the running trace. C#'s <c>Control</c> adds caller information and one-tensor
/// overloads; F#'s <c>scan</c>, <c>cond</c>, ... add structured carries. Errors are raised with
/// <see cref="Batching.UserError"/>, at the line of the innermost <see cref="UserSource.Calling"/> scope
/// when the user's code has no symbols.
/// </summary>
public static class ControlCombinators
{
    /// <summary>
    /// <c>scan</c>: runs <paramref name="step"/> for each row of <paramref name="xs"/> (all with the same
    /// leading dimension, the number of steps), threading the carry; returns the final carry and the
    /// per-step outputs stacked along a new leading axis. With no <paramref name="xs"/>,
    /// <paramref name="length"/> gives the number of steps.
    /// </summary>
    public static (IReadOnlyList<Tensor> Carry, IReadOnlyList<Tensor> Ys) Scan(
        Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>, (IReadOnlyList<Tensor> Carry, IReadOnlyList<Tensor> Y)> step,
        IReadOnlyList<Tensor> init, IReadOnlyList<Tensor> xs, int? length = null, bool reverse = false)
    {
        if (xs.Any(x => x.Rank == 0))
            throw Batching.UserError($"scan: every sequence needs a leading axis of steps, found {Types(xs)}");
        int n = length ?? (xs.Count > 0 ? xs[0].Shape[0] : throw Batching.UserError("scan: with no sequences to scan over, give the number of steps (length)"));
        foreach (var x in xs)
            if (x.Shape[0] != n)
                throw Batching.UserError($"scan: every sequence must have {n} rows (the number of steps), found {Types(xs)}");
        int k = init.Count;
        var carryTypes = init.Select(t => t.Type).ToList();
        var body = Trace.Nested([.. carryTypes, .. xs.Select(x => x.Type.WithShape(x.Shape.Remove(0)))], args =>
        {
            var (carry, ys) = step(args.Take(k).ToList(), args.Skip(k).ToList());
            CheckTypes("scan: the step must return a carry of the initial carry's types", carryTypes, carry);
            return [.. carry, .. ys];
        }, "step");
        var outs = Trace.Bind(ControlFlow.Scan, new ScanParams(n, reverse, body.Captured.Count, k),
            [.. body.Captured, .. init, .. xs], [body.Function]);
        return (outs.Take(k).ToList(), outs.Skip(k).ToList());
    }

    /// <summary>
    /// A loop over <c>i = start, start + step, ...</c> (<paramref name="count"/> values) carrying
    /// <paramref name="init"/>: JAX's <c>fori_loop</c>, recorded as a <c>scan</c> whose step counter
    /// stays a scalar under vmap. <paramref name="body"/> gets <c>i</c> as an i32 scalar tensor.
    /// </summary>
    public static IReadOnlyList<Tensor> ForLoop(int count, Func<Tensor, IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> body,
        IReadOnlyList<Tensor> init, int start = 0, int step = 1)
    {
        if (count < 0) throw Batching.UserError($"for loop: the number of steps must be >= 0, found {count}");
        var counter = Tensor.Scalar(0, DType.I32);
        var (carry, _) = Scan((c, _) =>
        {
            var t = c[0];
            var i = step == 1 ? t : t * step;
            if (start != 0) i += start;
            return ([t + 1, .. body(i, c.Skip(1).ToList())], []);
        }, [counter, .. init], [], length: count);
        return carry.Skip(1).ToList();
    }

    /// <summary>
    /// <c>cond</c>: the results of <paramref name="onTrue"/> where <paramref name="predicate"/> (a bool
    /// scalar) holds, else of <paramref name="onFalse"/>. Both branches must return the same types.
    /// </summary>
    public static IReadOnlyList<Tensor> Cond(Tensor predicate, Func<IReadOnlyList<Tensor>> onTrue, Func<IReadOnlyList<Tensor>> onFalse)
    {
        if (predicate.DType != DType.Bool || predicate.Rank != 0)
            throw Batching.UserError($"cond: the predicate must be a bool scalar (per example), found {predicate.Type}");
        // IR.md: with a bool index, false selects branch 0.
        return Branches("cond", predicate, [onFalse, onTrue], ["false branch", "true branch"]);
    }

    /// <summary>
    /// <c>cond</c> with an i32 scalar index: the results of <c>branches[index]</c> (the index is clamped
    /// into range, IR.md). Every branch must return the same types.
    /// </summary>
    public static IReadOnlyList<Tensor> Switch(Tensor index, IReadOnlyList<Func<IReadOnlyList<Tensor>>> branches)
    {
        if (index.DType != DType.I32 || index.Rank != 0)
            throw Batching.UserError($"switch: the index must be an i32 scalar, found {index.Type}");
        if (branches.Count == 0) throw Batching.UserError("switch: give at least one branch");
        return Branches("switch", index, branches, branches.Select((_, i) => $"branch {i}").ToList());
    }

    /// <summary>
    /// <c>while</c>: runs <paramref name="body"/> on the carry while <paramref name="condition"/> (a
    /// bool scalar of the carry) holds, and returns the final carry.
    /// </summary>
    public static IReadOnlyList<Tensor> While(Func<IReadOnlyList<Tensor>, Tensor> condition,
        Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> body, IReadOnlyList<Tensor> init)
    {
        var types = init.Select(t => t.Type).ToList();
        var cond = Trace.Nested(types, c =>
        {
            var p = condition(c);
            if (p.DType != DType.Bool || p.Rank != 0)
                throw Batching.UserError($"while: the condition must return a bool scalar (per example), found {p.Type}");
            return [p];
        }, "cond_fn");
        var step = Trace.Nested(types, c =>
        {
            var next = body(c);
            CheckTypes("while: the body must return a carry of the initial carry's types", types, next);
            return next;
        }, "body_fn");
        var (captured, functions) = SubFunctions.Align([cond, step], types.Count);
        return Trace.Bind(ControlFlow.While, new WhileParams(captured.Count), [.. captured, .. init], functions);
    }

    private static IReadOnlyList<Tensor> Branches(string what, Tensor index, IReadOnlyList<Func<IReadOnlyList<Tensor>>> branches, IReadOnlyList<string> names)
    {
        var traced = branches.Select((b, i) => Trace.Nested([], _ => b(), names[i].Replace(' ', '_'))).ToList();
        var first = traced[0].Function.ResultTypes;
        for (int i = 1; i < traced.Count; i++)
            if (!traced[i].Function.ResultTypes.SequenceEqual(first))
                throw Batching.UserError($"{what}: every branch must return the same types, found {names[0]} {Signature(first)} and {names[i]} {Signature(traced[i].Function.ResultTypes)}");
        var (captured, functions) = SubFunctions.Align(traced);
        return Trace.Bind(ControlFlow.Cond, NoParams.Instance, [index, .. captured], functions);
    }

    private static void CheckTypes(string what, IReadOnlyList<AVal> expected, IReadOnlyList<Tensor> found)
    {
        if (found.Count != expected.Count || found.Where((t, i) => t.Type != expected[i]).Any())
            throw Batching.UserError($"{what}: expected {Signature(expected)}, found {Types(found)}");
    }

    private static string Signature(IEnumerable<AVal> types) => "(" + string.Join(", ", types) + ")";
    private static string Types(IEnumerable<Tensor> ts) => Signature(ts.Select(t => t.Type));
}

using System.Runtime.CompilerServices;
using ArrayLang.Staging;
using ArrayLang.Tracing;

namespace ArrayLang.CSharp;

/// <summary>
/// Control flow inside a traced function, as JAX's <c>lax.scan</c>, <c>lax.cond</c> and
/// <c>lax.while_loop</c>: each body is traced once as a sub-function and one <c>scan</c>,
/// <c>cond</c> or <c>while</c> equation is recorded, so a loop of a million steps is one equation
/// and a branch on a traced value is decided per example at run time (per lane under vmap). Bodies
/// are ordinary closures: the tensors of the enclosing function that they use are passed in
/// automatically (Note [nested traces] in the core). State carried from one step to the next is
/// explicit: the carry.
/// </summary>
public static class Control
{
    /// <summary>
    /// <c>scan</c>: runs <paramref name="step"/> for each row of <paramref name="xs"/> (all with
    /// the same leading dimension, the number of steps), threading the carry; returns the final
    /// carry and the per-step outputs stacked along a new leading axis. With no <paramref name="xs"/>,
    /// <paramref name="length"/> gives the number of steps.
    /// </summary>
    /// <example><code>
    /// // h_{t+1} = tanh(a * h_t + x_t), keeping every h: the final carry and hs = [h_1, ..., h_n]
    /// var (carry, ys) = Control.Scan((c, x) => { Tensor h = Tensor.Tanh(a * c[0] + x[0]); return ([h], [h]); }, [h0], [xs]);
    /// </code></example>
    public static (IReadOnlyList<Tensor> Carry, IReadOnlyList<Tensor> Ys) Scan(
        Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>, (IReadOnlyList<Tensor> Carry, IReadOnlyList<Tensor> Y)> step,
        IReadOnlyList<Tensor> init, IReadOnlyList<Tensor> xs, int? length = null, bool reverse = false, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        using var _ = UserSource.Calling(file, line);
        return ControlCombinators.Scan(step, init, xs, length, reverse);
    }

    /// <summary><c>scan</c> with one carry and one sequence: returns the final carry and the stacked outputs.</summary>
    public static (Tensor Carry, Tensor Ys) Scan(Func<Tensor, Tensor, (Tensor Carry, Tensor Y)> step, Tensor init, Tensor xs, bool reverse = false, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        var (c, ys) = Scan((cs, x) => { var (c1, y) = step(cs[0], x[0]); return ([c1], [y]); }, [init], [xs], reverse: reverse, file: file, line: line);
        return (c[0], ys[0]);
    }

    /// <summary>
    /// A loop over <c>i = start, start + step, ...</c> (<paramref name="count"/> values) carrying
    /// <paramref name="init"/>: JAX's <c>fori_loop</c>, recorded as a <c>scan</c> whose step counter
    /// stays a scalar under vmap. <paramref name="body"/> gets <c>i</c> as an i32 scalar tensor.
    /// </summary>
    public static IReadOnlyList<Tensor> ForLoop(int count, Func<Tensor, IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> body,
        IReadOnlyList<Tensor> init, int start = 0, int step = 1, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        using var _ = UserSource.Calling(file, line);
        return ControlCombinators.ForLoop(count, body, init, start, step);
    }

    /// <summary>A loop over <c>i = 0 .. count-1</c> carrying one tensor (see the list form).</summary>
    public static Tensor ForLoop(int count, Func<Tensor, Tensor, Tensor> body, Tensor init, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        ForLoop(count, (i, c) => [body(i, c[0])], [init], file: file, line: line)[0];

    /// <summary>
    /// <c>cond</c>: the results of <paramref name="onTrue"/> where <paramref name="predicate"/> (a bool
    /// scalar) holds, else of <paramref name="onFalse"/>. Both branches must return the same types.
    /// Under vmap with a per-example predicate both branches run and each example takes its own.
    /// </summary>
    public static IReadOnlyList<Tensor> Cond(Tensor predicate, Func<IReadOnlyList<Tensor>> onTrue, Func<IReadOnlyList<Tensor>> onFalse, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        using var _ = UserSource.Calling(file, line);
        return ControlCombinators.Cond(predicate, onTrue, onFalse);
    }

    /// <summary><c>cond</c> with one result.</summary>
    public static Tensor Cond(Tensor predicate, Func<Tensor> onTrue, Func<Tensor> onFalse, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        Cond(predicate, () => [onTrue()], () => [onFalse()], file, line)[0];

    /// <summary>
    /// <c>cond</c> with an i32 scalar index: the results of <c>branches[index]</c> (the index is clamped
    /// into range, IR.md). Every branch must return the same types.
    /// </summary>
    public static IReadOnlyList<Tensor> Switch(Tensor index, params Func<IReadOnlyList<Tensor>>[] branches) =>
        ControlCombinators.Switch(index, branches);

    /// <summary>
    /// <c>while</c>: runs <paramref name="body"/> on the carry while <paramref name="condition"/> (a
    /// bool scalar of the carry) holds, and returns the final carry. Under vmap with a per-example
    /// condition the loop runs until every example is done, and finished examples keep their values.
    /// </summary>
    public static IReadOnlyList<Tensor> While(Func<IReadOnlyList<Tensor>, Tensor> condition,
        Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> body, IReadOnlyList<Tensor> init, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        using var _ = UserSource.Calling(file, line);
        return ControlCombinators.While(condition, body, init);
    }

    /// <summary><c>while</c> with one carried tensor.</summary>
    public static Tensor While(Func<Tensor, Tensor> condition, Func<Tensor, Tensor> body, Tensor init, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        While(c => condition(c[0]), c => [body(c[0])], [init], file, line)[0];
}

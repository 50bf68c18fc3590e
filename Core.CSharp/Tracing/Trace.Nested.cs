using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Tracing;

/// <summary>
/// A function traced inside a running trace by <see cref="Trace.Nested"/>: its first
/// <c>Captured.Count</c> parameters stand for tensors of the enclosing traces that the body used
/// (Note [nested traces]); the remaining parameters are the body's own inputs. No parameter is
/// marked const, so the function can be a sub-function of <c>scan</c>, <c>cond</c> or <c>while</c>.
/// </summary>
/// <param name="Function">The traced function: captured parameters first, then the inputs.</param>
/// <param name="Captured">The enclosing tensors to pass for the captured parameters, in order.</param>
public sealed record NestedFunction(Function Function, IReadOnlyList<Tensor> Captured)
{
    /// <summary>The function's IR text.</summary>
    public override string ToString() => Function.ToString();
}

public static partial class Trace
{
    /// <summary>The innermost trace running on this thread, or null when none is.</summary>
    public static TraceContext? Innermost => _active is { Count: > 0 } s ? s.Peek() : null;

    /// <summary>True while a trace is running on this thread (inside a function being traced).</summary>
    public static bool IsActive => Innermost is not null;

    // Why a tensor of another trace shows up, and what to do (used by the errors that report it).
    internal const string Escaped = "a value computed inside a loop or branch body, or inside another traced function, exists only there: carry it out (a scan or while carry, a cond result, a vectorize state) instead of keeping it in a variable the body writes, or pass it in as an argument";

    internal static bool IsRunning(TraceContext ctx) => _active is not null && _active.Contains(ctx);

    /// <summary>
    /// Traces <paramref name="body"/> as a sub-function of the running trace, on parameters of the
    /// given types. The body may use tensors of the enclosing traces: they become the function's
    /// first parameters and are listed in <see cref="NestedFunction.Captured"/> (Note [nested traces]).
    /// A result may also be an enclosing tensor, or one of the inputs.
    /// </summary>
    /// <example>
    /// <code>
    /// // inside a traced function with a tensor `a`: the body of a scan step
    /// var step = Trace.Nested([h.Type], hs => [Tensor.Tanh(a * hs[0])], "step");
    /// // step.Function is func step(a: f32[], x: f32[]) -> (f32[]) ..., step.Captured is [a]
    /// </code>
    /// </example>
    public static NestedFunction Nested(IReadOnlyList<AVal> inputs, Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> body,
        string name = "body", IReadOnlyList<string>? parameterNames = null)
    {
        var parent = Current;
        var ctx = new TraceContext(parent);
        _active!.Push(ctx);
        try
        {
            var args = inputs.Select((t, i) => ctx.Parameter(t, parameterNames?[i])).ToList();
            var results = body(args).Select(r => ctx.Resolve(r.Operand(ctx))).ToList();
            var built = ctx.Builder.Build(name, results, constsFirst: true);
            var f = new Function(built.Name, built.Params, built.Params.Select(_ => false), built.Equations, built.Results, built.ResultTypes);
            TypeChecker.Check(f);
            return new NestedFunction(f, ctx.Captured.ToList());
        }
        finally
        {
            _active.Pop();
        }
    }

    /// <summary>
    /// Records <c>primitive[params](operands){subFunctions}</c> in the running trace and returns its
    /// results: how a front end emits an equation with sub-functions (a control-flow combinator).
    /// A shape or dtype error names the operation, the operand types and the user's source line.
    /// </summary>
    public static IReadOnlyList<Tensor> Bind(Primitive primitive, PrimParams parameters, IReadOnlyList<Tensor> operands,
        IReadOnlyList<Function>? subFunctions = null)
    {
        var ctx = Current;
        return ctx.Bind(primitive, parameters, operands.Select(t => t.Operand(ctx)).ToList(), subFunctions);
    }
}

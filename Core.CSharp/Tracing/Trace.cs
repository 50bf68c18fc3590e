using ArrayLang.Ir;
using ArrayLang.Reference;
using ArrayLang.Values;

namespace ArrayLang.Tracing;

/// <summary>A traced function together with the constant arrays it captured (bound to its const parameters).</summary>
public sealed record TracedFunction(Function Function, IReadOnlyList<NDArray> Constants)
{
    /// <summary>Evaluates the function with the reference evaluator on the non-const arguments.</summary>
    public NDArray[] Evaluate(params NDArray[] args) => ReferenceEvaluator.Evaluate(Function, [.. Constants, .. args]);

    /// <summary>The function's IR text.</summary>
    public override string ToString() => Function.ToString();
}

/// <summary>
/// Turns a per-example C# function over <see cref="Tensor"/> values into an IR
/// <see cref="Ir.Function"/>: the function runs once on abstract values of the given types, and
/// every tensor operation records an equation. Arrays it captures become const parameters.
/// </summary>
/// <example>
/// <code>
/// var f = Trace.Function((x, y) => x * y + Tensor.Sin(x), AVal.Scalar(DType.F32), AVal.Scalar(DType.F32));
/// Console.WriteLine(f);   // func f(x: f32[], y: f32[]) -> (f32[]) { ... }
/// </code>
/// </example>
public static partial class Trace
{
    [ThreadStatic] private static Stack<TraceContext>? _active;

    /// <summary>The innermost trace running on this thread, or an error saying a trace is needed.</summary>
    public static TraceContext Current =>
        _active is { Count: > 0 } s ? s.Peek()
        : throw new IrException("this operation needs a trace in progress: call it inside a function given to Trace.Function (or vmap/jit)");

    /// <summary>Traces <paramref name="body"/> on parameters of the given types.</summary>
    public static TracedFunction Function(IReadOnlyList<AVal> inputs, Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> body,
        string name = "f", IReadOnlyList<string>? parameterNames = null)
    {
        var ctx = new TraceContext();
        (_active ??= new()).Push(ctx);
        try
        {
            var args = inputs.Select((t, i) => ctx.Parameter(t, parameterNames?[i] ?? DefaultName(i, inputs.Count))).ToList();
            var results = body(args);
            foreach (var r in results)
                if (r.Context != ctx)
                    throw new IrException($"function {name} returns a {r.Type} tensor from another trace: {Escaped}");
            var f = ctx.Builder.Build(name, results.Select(r => r.Atom).ToList(), constsFirst: true);
            TypeChecker.Check(f);
            return new TracedFunction(f, ctx.Constants);
        }
        finally
        {
            _active.Pop();
        }
    }

    /// <summary>Traces a function of one tensor.</summary>
    public static TracedFunction Function(Func<Tensor, Tensor> f, AVal x) =>
        Function([x], a => [f(a[0])]);

    /// <summary>Traces a function of two tensors.</summary>
    public static TracedFunction Function(Func<Tensor, Tensor, Tensor> f, AVal x, AVal y) =>
        Function([x, y], a => [f(a[0], a[1])]);

    /// <summary>Traces a function of three tensors.</summary>
    public static TracedFunction Function(Func<Tensor, Tensor, Tensor, Tensor> f, AVal x, AVal y, AVal z) =>
        Function([x, y, z], a => [f(a[0], a[1], a[2])]);

    // x, y, z for small arities (as users write them), then x0, x1, ...
    private static string DefaultName(int i, int n) => n <= 3 ? "xyz"[i].ToString() : $"x{i}";
}

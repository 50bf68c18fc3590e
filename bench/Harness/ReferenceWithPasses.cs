using ArrayLang.Compile;
using ArrayLang.Compile.Passes;
using ArrayLang.Ir;
using ArrayLang.Values;

namespace ArrayLang.Bench.Harness;

/// <summary>
/// The reference evaluator run on the function after a pass pipeline: what the compile passes on
/// main (dce, cse, simplify) buy before any fused kernel exists. Its interesting row is W4: with
/// every pass, <c>reduce_sum(outer(x, x) * 0.5)</c> is factored into <c>x * sum(x) * 0.5</c>, so
/// <c>jit(vmap)</c> never builds the outer products; <c>chunked-vmap</c> runs with the factoring off
/// and does. A bench-only backend: it lives here, not in <c>Compile/</c>.
/// </summary>
public sealed class ReferenceWithPasses : IBackend
{
    /// <summary>The standard pipeline, factoring included.</summary>
    public static readonly ReferenceWithPasses Standard = new("reference+passes", Pipeline.Standard);

    /// <summary>The standard pipeline with the simplifier's factoring of reductions off.</summary>
    public static readonly ReferenceWithPasses NoFactoring = new("reference+passes(no-factoring)",
        Pipeline.StandardWith(SimplifyOptions.Default with { FactorReductions = false }));

    /// <summary>The label the results use for every variant.</summary>
    public const string Label = "reference+passes";

    private readonly Pipeline _pipeline;

    private ReferenceWithPasses(string name, Pipeline pipeline)
    {
        Name = name;
        _pipeline = pipeline;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IExecutable Compile(Function function)
    {
        var optimized = _pipeline.Run(function, typeCheck: true);
        return new Executable(optimized, this, ReferenceBackend.Instance.Compile(optimized));
    }

    private sealed record Executable(Function Function, IBackend Backend, IExecutable Inner) : IExecutable
    {
        public NDArray[] Run(IReadOnlyList<NDArray> args) => Inner.Run(args);
    }
}

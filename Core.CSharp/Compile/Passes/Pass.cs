using System.Collections.Immutable;
using ArrayLang.Ir;

namespace ArrayLang.Compile.Passes;

/// <summary>
/// A compiler pass as a value (Futhark's <c>Pass</c>): a name, what it does, and the rewrite
/// itself, a function from IR to IR. A pass never changes a function's signature (parameters and
/// result types) and never changes its results beyond what IR.md allows a backend (reassociating
/// reductions).
/// </summary>
/// <param name="Name">A short name, used in pipelines' text and in error messages (<c>dce</c>).</param>
/// <param name="Description">One sentence on what the pass does.</param>
/// <param name="Rewrite">The rewrite.</param>
public sealed record Pass(string Name, string Description, Func<Function, Function> Rewrite)
{
    /// <summary>Applies the pass to <paramref name="f"/>.</summary>
    public Function Apply(Function f) => Rewrite(f);

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}

/// <summary>
/// An ordered list of passes run one after the other. With type checking on (debug builds and
/// tests), each pass's output is type-checked, and an ill-typed output is reported with the
/// pass's name and the function before and after it.
/// </summary>
public sealed class Pipeline
{
    /// <summary>Creates a pipeline of <paramref name="passes"/>, run in order.</summary>
    public Pipeline(IEnumerable<Pass> passes) => Passes = passes.ToImmutableArray();

    /// <summary>The passes, in the order they run.</summary>
    public ImmutableArray<Pass> Passes { get; }

    /// <summary>
    /// The standard pipeline before lowering: <c>[dce, cse, simplify, dce]</c>. DCE first so the
    /// later passes do not work on dead code, CSE so the simplifier sees shared values as one,
    /// and DCE last to drop what simplification made dead (the simplifier hash-conses what it emits,
    /// so no second CSE is needed).
    /// </summary>
    public static Pipeline Standard { get; } = StandardWith(SimplifyOptions.Default);

    /// <summary>The standard pipeline with the given simplifier options (the bench turns factoring off for W4's chunked vmap).</summary>
    public static Pipeline StandardWith(SimplifyOptions options) =>
        new([CorePasses.Dce, CorePasses.Cse, CorePasses.SimplifyWith(options), CorePasses.Dce]);

    /// <summary>Whether <see cref="Run(Function)"/> type-checks each pass's output: on in debug builds.</summary>
    public static bool CheckByDefault =>
#if DEBUG
        true;
#else
        false;
#endif

    /// <summary>This pipeline followed by <paramref name="more"/> (e.g. fusion after the standard passes).</summary>
    public Pipeline Then(params Pass[] more) => new(Passes.Concat(more));

    /// <summary>Runs every pass in order, type-checking each output in debug builds.</summary>
    public Function Run(Function f) => Run(f, CheckByDefault);

    /// <summary>Runs every pass in order; with <paramref name="typeCheck"/>, each output is type-checked.</summary>
    public Function Run(Function f, bool typeCheck) => Stages(f, typeCheck).LastOrDefault().Result ?? f;

    /// <summary>Runs every pass in order and returns each pass with its output, so every stage can be printed.</summary>
    public IReadOnlyList<(Pass Pass, Function Result)> Stages(Function f, bool typeCheck)
    {
        var stages = new List<(Pass, Function)>();
        var current = f;
        foreach (var pass in Passes)
        {
            var next = pass.Apply(current);
            if (typeCheck) CheckOutput(pass, current, next);
            stages.Add((pass, next));
            current = next;
        }
        return stages;
    }

    private static void CheckOutput(Pass pass, Function before, Function after)
    {
        try
        {
            TypeChecker.Check(after);
            if (!after.ParamTypes.SequenceEqual(before.ParamTypes) || !after.ResultTypes.SequenceEqual(before.ResultTypes))
                throw new TypeError($"the signature changed from ({string.Join(", ", before.ParamTypes)}) -> ({string.Join(", ", before.ResultTypes)}) " +
                    $"to ({string.Join(", ", after.ParamTypes)}) -> ({string.Join(", ", after.ResultTypes)})");
        }
        catch (TypeError error)
        {
            throw new IrException($"pass {pass.Name} produced an ill-typed function: {error.Message}\nbefore {pass.Name}:\n{before}\nafter {pass.Name}:\n{after}", error);
        }
    }

    /// <summary>The pass names as a list: <c>[dce, cse, simplify, dce]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", Passes.Select(p => p.Name)) + "]";
}

/// <summary>The passes that work on any function, before lowering.</summary>
public static class CorePasses
{
    /// <summary>Dead-code elimination, control flow narrowed to its used parts (<see cref="DeadCodeElimination"/>).</summary>
    public static Pass Dce { get; } = new("dce",
        "drops equations whose results are unused, and unused results, carries and operands of scan, while and cond",
        DeadCodeElimination.Run);

    /// <summary>Common-subexpression elimination (<see cref="CommonSubexpressionElimination"/>).</summary>
    public static Pass Cse { get; } = new("cse",
        "merges equal equations (same primitive, params, operands and sub-functions) into the first",
        CommonSubexpressionElimination.Run);

    /// <summary>The simplifier with default options (<see cref="Simplifier"/>).</summary>
    public static Pass Simplify { get; } = SimplifyWith(SimplifyOptions.Default);

    /// <summary>The simplifier with <paramref name="options"/>.</summary>
    public static Pass SimplifyWith(SimplifyOptions options) => new(
        options.FactorReductions ? "simplify" : "simplify(no-factoring)",
        "exact identities, constant folding, transpose/reshape/broadcast folding, known cond branches" +
        (options.FactorReductions ? ", and factoring constant terms out of reduce_sum" : ""),
        f => Simplifier.Run(f, options));
}

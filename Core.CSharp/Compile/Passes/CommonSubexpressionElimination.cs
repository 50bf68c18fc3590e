using ArrayLang.Ir;

namespace ArrayLang.Compile.Passes;

/// <summary>
/// Common-subexpression elimination: an equation equal to an earlier one (same primitive, equal
/// params, the same operands, alpha-equivalent sub-functions; <see cref="EquationKey"/>) is
/// dropped and its results read the earlier one's. Applies inside sub-functions too, each on its
/// own (a sub-function sees only its own parameters, so nothing is shared across the boundary).
/// </summary>
/// <remarks>
/// Random primitives are merged like any other: IR.md defines <c>random_bits</c>,
/// <c>random_split</c> and <c>random_uniform</c> as pure functions of the key (Threefry on the
/// element index), so two draws from one key with one shape are the same numbers, merged or not.
/// A program that wants different numbers splits the key, and CSE cannot merge draws from
/// different keys. Control flow is merged when its operands and bodies are equal: its result is a
/// function of them alone.
/// </remarks>
public static class CommonSubexpressionElimination
{
    /// <summary>The function with every repeated equation merged into its first occurrence.</summary>
    public static Function Run(Function f)
    {
        var rw = new FunctionRewriter(f, hashCons: true);
        bool subsChanged = false;
        foreach (var e in f.Equations)
        {
            var subs = e.SubFunctions.Select(Run).ToList();
            subsChanged |= !subs.SequenceEqual(e.SubFunctions, ReferenceEqualityComparer.Instance);
            rw.Keep(e.Outputs, e.Primitive, e.Params, e.Inputs.Select(rw.Map).ToList(), subs, e.Location);
        }
        // Nothing merged and no sub-function changed: the rebuilt function is the same one
        // (Note [linear structural identity]: no comparison of whole texts at every level).
        if (!rw.Merged && !subsChanged) return f;
        return rw.Build(f.Results.Select(rw.Map));
    }
}

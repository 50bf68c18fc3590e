using ArrayLang.Ir;
using ArrayLang.Tracing;

namespace ArrayLang.Staging;

/// <summary>
/// Sub-functions of one equation must share a signature (the branches of <c>cond</c>; <c>cond_fn</c>
/// and <c>body_fn</c> of <c>while</c>), but each traced body captured only the enclosing tensors it
/// uses. Align gives them all the union of the captured tensors as leading parameters, in one order,
/// unused ones included.
/// </summary>
internal static class SubFunctions
{
    /// <summary>The union of the captured tensors, and each function with those as its leading parameters
    /// followed by its own <paramref name="ownInputs"/> inputs.</summary>
    public static (IReadOnlyList<Tensor> Captured, IReadOnlyList<Function> Functions) Align(IReadOnlyList<NestedFunction> parts, int ownInputs = 0)
    {
        var union = new List<Tensor>();
        var index = new Dictionary<Atom, int>(ReferenceEqualityComparer.Instance);
        foreach (var part in parts)
            foreach (var t in part.Captured)
                if (index.TryAdd(t.Atom, union.Count)) union.Add(t);

        var functions = parts.Select(part =>
        {
            var f = part.Function;
            int own = f.Params.Length - part.Captured.Count;
            if (own != ownInputs) throw new InvalidOperationException($"{f.Name} has {own} inputs, expected {ownInputs}");
            var taken = new HashSet<string>(f.Params.Select(p => p.Name).Concat(f.Equations.SelectMany(e => e.Outputs).Select(v => v.Name)));
            var leading = new Var[union.Count];
            for (int j = 0; j < part.Captured.Count; j++) leading[index[part.Captured[j].Atom]] = f.Params[j];
            for (int u = 0; u < union.Count; u++)
                leading[u] ??= new Var(FreshName(taken, union[u].Atom is Var v ? v.Name : "unused"), union[u].Type);
            var ps = leading.Concat(f.Params.Skip(part.Captured.Count)).ToList();
            return new Function(f.Name, ps, ps.Select(_ => false), f.Equations, f.Results, f.ResultTypes);
        }).ToList();
        return (union, functions);
    }

    private static string FreshName(HashSet<string> taken, string wanted)
    {
        var name = wanted;
        for (int i = 1; !IrSyntax.IsValidName(name) || !taken.Add(name); i++) name = $"{wanted}_{i}";
        return name;
    }
}

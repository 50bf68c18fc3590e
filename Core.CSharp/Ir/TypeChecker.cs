using ArrayLang.Primitives;

namespace ArrayLang.Ir;

/// <summary>
/// Checks that a function is well typed: SSA (each variable defined once, used after its
/// definition, sub-functions see only their own parameters), literals of the dtype their position
/// gives, every equation's declared output types equal to its primitive's shape rule, and results
/// of the declared types, and no value larger than an array holds (<see cref="MaxElements"/>, one
/// rule for every primitive). Errors name the location, the equation, and the expected and found types.
/// </summary>
public static class TypeChecker
{
    /// <summary>The most elements a value may have: the most one .NET array holds
    /// (<see cref="Array.MaxLength"/>), since every value is stored in one.</summary>
    public static long MaxElements => Array.MaxLength;

    /// <summary>The error for a value of <paramref name="shape"/> with more elements than
    /// <see cref="MaxElements"/>, or null; <paramref name="what"/> names the value.</summary>
    public static string? SizeProblem(Shape shape, string what) =>
        shape.ElementCount <= MaxElements ? null
        : $"{what} has {ElementCountText(shape)} elements, more than one array holds ({Count(MaxElements)}); " +
          "a batch of examples can be computed in chunks (Vmap.Chunked, or arraylang run --chunk K / --memory-budget BYTES)";

    private static string ElementCountText(Shape s) => s.ElementCount == long.MaxValue ? "more than 9.2e18" : Count(s.ElementCount);

    private static string Count(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Throws a <see cref="TypeError"/> describing the first problem found.</summary>
    public static void Check(Function f)
    {
        Nesting.EnsureStack($"type-checking function {f.Name}");
        var defined = new HashSet<Var>(ReferenceEqualityComparer.Instance);
        foreach (var p in f.Params)
        {
            if (!defined.Add(p)) throw new TypeError($"function {f.Name}: parameter {p.Name} appears twice");
            if (SizeProblem(p.Type.Shape, $"function {f.Name}: parameter {p.Name} ({p.Type})") is { } tooLarge) throw new TypeError(tooLarge);
        }

        foreach (var e in f.Equations)
        {
            string Where() => (e.Location is { } loc ? $"{loc}: " : "") + $"in function {f.Name}, equation `{e}`";

            for (int i = 0; i < e.Inputs.Length; i++)
                if (e.Inputs[i] is Var v && !defined.Contains(v))
                    throw new TypeError($"{Where()}: operand {i + 1} ({v.Name}) is not defined before this equation");

            var varTypes = e.Inputs.Select(a => a is Var v ? v.Type : null).ToList();
            for (int i = 0; i < e.Inputs.Length; i++)
            {
                if (e.Inputs[i] is not Literal lit) continue;
                var want = e.Primitive.LiteralDTypeAt(i, e.Params, varTypes, e.SubFunctions, e.Outputs.Select(o => o.Type).ToList());
                if (want is null)
                    throw new TypeError($"{Where()}: operand {i + 1} may not be a literal here (found {lit})");
                if (want != lit.DType)
                    throw new TypeError($"{Where()}: literal operand {i + 1} should be {want.Value.Name()}, found {lit.DType.Name()} {lit}");
            }

            foreach (var sub in e.SubFunctions)
            {
                try { Check(sub); }
                catch (TypeError inner) { throw new TypeError($"{Where()}: in its sub-function {sub.Name}: {inner.Message}"); }
            }

            IReadOnlyList<AVal> types;
            try { types = e.Primitive.InferTypes(e.Params, e.Inputs.Select(Operand.Of).ToList(), e.SubFunctions); }
            catch (TypeError inner) { throw new TypeError($"{Where()}: {inner.Message}"); }

            if (types.Count != e.Outputs.Length)
                throw new TypeError($"{Where()}: {e.Primitive.Name} gives {types.Count} result(s), but {e.Outputs.Length} are declared");
            for (int i = 0; i < types.Count; i++)
            {
                if (types[i] != e.Outputs[i].Type)
                    throw new TypeError($"{Where()}: result {i + 1} ({e.Outputs[i].Name}) is declared {e.Outputs[i].Type}, but {e.Primitive.Name} gives {types[i]}");
                if (!defined.Add(e.Outputs[i]))
                    throw new TypeError($"{Where()}: variable {e.Outputs[i].Name} is assigned more than once");
                if (SizeProblem(types[i].Shape, $"{Where()}: result {i + 1} ({e.Outputs[i].Name}: {types[i]})") is { } tooLarge)
                    throw new TypeError(tooLarge);
            }
        }

        for (int i = 0; i < f.Results.Length; i++)
        {
            var r = f.Results[i];
            if (r is Var v && !defined.Contains(v))
                throw new TypeError($"function {f.Name}: returned value {i + 1} ({v.Name}) is not defined");
            if (r.Type != f.ResultTypes[i])
                throw new TypeError($"function {f.Name}: result {i + 1} is declared {f.ResultTypes[i]}, found {r.Type}");
        }
    }
}

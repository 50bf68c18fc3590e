using ArrayLang.Ir;
using ArrayLang.Values;

namespace ArrayLang.Reference;

/// <summary>
/// The executable specification: evaluates a function equation by equation with each
/// primitive's scalar reference evaluation. Slow and obviously right; every backend is tested
/// against it.
/// </summary>
public static class ReferenceEvaluator
{
    /// <summary>Evaluates <paramref name="f"/> on <paramref name="args"/> (one per parameter, const ones included).</summary>
    public static NDArray[] Evaluate(Function f, IReadOnlyList<NDArray> args)
    {
        Nesting.EnsureStack($"evaluating function {f.Name}");
        CheckArguments(f, args);
        var env = new Dictionary<Var, NDArray>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < args.Count; i++) env[f.Params[i]] = args[i];

        NDArray Read(Atom a) => a switch
        {
            Var v => env[v],
            Literal l => NDArray.FromLiteral(l),
            _ => throw new ArgumentException("unknown atom"),
        };

        foreach (var e in f.Equations)
        {
            var outs = e.Primitive.Evaluate(e.Params, e.Inputs.Select(Read).ToList(), e.SubFunctions);
            for (int i = 0; i < e.Outputs.Length; i++) env[e.Outputs[i]] = outs[i];
        }
        return f.Results.Select((r, i) => r is Literal l ? NDArray.Scalar(f.ResultTypes[i].DType, l.Value) : Read(r)).ToArray();
    }

    /// <summary>Throws an <see cref="IrException"/> naming the first argument whose count or type does not match.</summary>
    public static void CheckArguments(Function f, IReadOnlyList<NDArray> args)
    {
        if (args.Count != f.Params.Length)
            throw new IrException($"function {f.Name} takes {f.Params.Length} argument(s) ({string.Join(", ", f.Params)}), but {args.Count} were given");
        for (int i = 0; i < args.Count; i++)
            if (args[i].Type != f.Params[i].Type)
                throw new IrException($"function {f.Name}: argument {i + 1} ({f.Params[i].Name}) should be {f.Params[i].Type}, found {args[i].Type}");
    }
}

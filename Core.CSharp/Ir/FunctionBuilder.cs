using ArrayLang.Primitives;

namespace ArrayLang.Ir;

/// <summary>
/// Builds a function equation by equation, inferring each equation's output types from its
/// primitive's shape rule. Tracing, vmap's batching rules and the passes all emit through it.
/// </summary>
public sealed class FunctionBuilder
{
    private readonly List<Var> _params = [];
    private readonly List<bool> _constMask = [];
    private readonly List<Equation> _equations = [];
    private readonly HashSet<string> _usedNames = [];
    private int _nextName;

    /// <summary>The equations emitted so far.</summary>
    public IReadOnlyList<Equation> Equations => _equations;

    /// <summary>The parameters added so far.</summary>
    public IReadOnlyList<Var> Params => _params;

    /// <summary>Adds a parameter. Const parameters (captured constants) are placed before the others when built.</summary>
    public Var AddParam(AVal type, string? name = null, bool isConst = false)
    {
        var v = new Var(ClaimName(name), type);
        _params.Add(v);
        _constMask.Add(isConst);
        return v;
    }

    /// <summary>A fresh variable of the given type with a unique short name (not yet defined by any equation).</summary>
    public Var FreshVar(AVal type, string? name = null) => new(ClaimName(name), type);

    /// <summary>Appends an already built equation (its outputs' names are reserved).</summary>
    public void Add(Equation e)
    {
        foreach (var v in e.Outputs) _usedNames.Add(v.Name);
        _equations.Add(e);
    }

    /// <summary>
    /// Emits <c>primitive[params](inputs){subs}</c> and returns its output variables. Throws the
    /// primitive's <see cref="TypeError"/> when the operands do not fit its shape rule.
    /// </summary>
    public IReadOnlyList<Var> Emit(Primitive primitive, PrimParams parameters, IReadOnlyList<Atom> inputs,
        IReadOnlyList<Function>? subs = null, SourceLocation? location = null)
    {
        subs ??= [];
        var types = primitive.InferTypes(parameters, inputs.Select(Operand.Of).ToList(), subs);
        var outs = types.Select(t => FreshVar(t)).ToList();
        _equations.Add(new Equation(outs, primitive, parameters, inputs, subs, location));
        return outs;
    }

    /// <summary>Emits an equation with exactly one result and returns it.</summary>
    public Var Emit1(Primitive primitive, PrimParams parameters, params Atom[] inputs)
    {
        var outs = Emit(primitive, parameters, inputs);
        return outs.Count == 1 ? outs[0] : throw new InvalidOperationException($"{primitive.Name} has {outs.Count} results, not 1");
    }

    /// <summary>
    /// Emits the equations of <paramref name="f"/> with its parameters bound to <paramref name="args"/>
    /// (fresh variables, the same primitives and sub-functions) and returns the atoms of its results.
    /// </summary>
    public IReadOnlyList<Atom> Inline(Function f, IReadOnlyList<Atom> args)
    {
        if (args.Count != f.Params.Length)
            throw new ArgumentException($"inlining {f.Name}: it takes {f.Params.Length} argument(s), {args.Count} given");
        var env = new Dictionary<Var, Atom>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i].Type != f.Params[i].Type)
                throw new ArgumentException($"inlining {f.Name}: argument {i + 1} should be {f.Params[i].Type}, found {args[i].Type}");
            env[f.Params[i]] = args[i];
        }
        Atom Map(Atom a) => a is Var v ? env[v] : a;
        foreach (var e in f.Equations)
        {
            var outs = Emit(e.Primitive, e.Params, e.Inputs.Select(Map).ToList(), e.SubFunctions, e.Location);
            for (int i = 0; i < outs.Count; i++) env[e.Outputs[i]] = outs[i];
        }
        return f.Results.Select(Map).ToList();
    }

    /// <summary>Builds the function with the parameters in the order they were added, or with the const
    /// parameters first when <paramref name="constsFirst"/> (tracing captures constants as it goes,
    /// and puts them before the arguments).</summary>
    public Function Build(string name, IReadOnlyList<Atom> results, IReadOnlyList<AVal>? resultTypes = null, bool constsFirst = false)
    {
        var order = Enumerable.Range(0, _params.Count).OrderBy(i => constsFirst && !_constMask[i] ? 1 : 0).ThenBy(i => i).ToList();
        return new Function(name, order.Select(i => _params[i]), order.Select(i => _constMask[i]), _equations,
            results, resultTypes ?? results.Select(r => r.Type).ToList());
    }

    private string ClaimName(string? wanted)
    {
        if (wanted is not null && IrSyntax.IsValidName(wanted) && _usedNames.Add(wanted)) return wanted;
        string name;
        do name = ShortName(_nextName++);
        while (!IrSyntax.IsValidName(name) || !_usedNames.Add(name));
        return name;
    }

    // a, b, ..., z, ba, bb, ... (JAX's style): short, readable in printed IR.
    private static string ShortName(int i)
    {
        var s = "";
        do { s = (char)('a' + i % 26) + s; i /= 26; } while (i > 0);
        return s;
    }
}

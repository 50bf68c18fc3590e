using System.Text;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Compile.Passes;

/// <summary>
/// Builds the rewritten form of one function (one scope: sub-functions get their own rewriter).
/// It maps the source's variables to their replacements, emits equations with fresh names that
/// collide with no name of the source (so the printed result parses back), remembers each new
/// variable's defining equation, and can hash-cons equations: emitting an equation equal to one
/// already emitted (same primitive, params, operands and sub-functions; see <see cref="EquationKey"/>)
/// gives back the earlier outputs. That is CSE, and the simplifier gets it for every rewrite it makes.
/// </summary>
internal sealed class FunctionRewriter
{
    private readonly Function _source;
    private readonly HashSet<string> _names = [];
    private readonly Dictionary<Var, Atom> _subst = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Var, Equation> _definitions = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, Equation> _byKey = [];
    private readonly EquationKey _keys = new();
    private readonly List<Equation> _equations = [];
    private readonly bool _hashCons;
    private int _nextName;

    /// <summary>Starts rewriting <paramref name="source"/>; with <paramref name="hashCons"/>, equal equations are emitted once.</summary>
    public FunctionRewriter(Function source, bool hashCons)
    {
        _source = source;
        _hashCons = hashCons;
        foreach (var p in source.Params) _names.Add(p.Name);
        foreach (var e in source.Equations)
            foreach (var o in e.Outputs) _names.Add(o.Name);
    }

    /// <summary>The equations emitted so far.</summary>
    public IReadOnlyList<Equation> Equations => _equations;

    /// <summary>The replacement of a source atom (itself when it has none).</summary>
    public Atom Map(Atom a) => a is Var v && _subst.TryGetValue(v, out var r) ? r : a;

    /// <summary>Makes every later use of <paramref name="old"/> read <paramref name="with"/> (of the same type).</summary>
    public void Replace(Var old, Atom with)
    {
        if (with is Var w && w.Type != old.Type)
            throw new InvalidOperationException($"internal error: replacing {old} by {w} changes its type");
        _subst[old] = with;
    }

    /// <summary>The equation of the rewritten function that defines <paramref name="a"/>, or null
    /// for a parameter or a literal.</summary>
    public Equation? Definition(Atom a) => a is Var v && _definitions.TryGetValue(v, out var e) ? e : null;

    /// <summary>A new variable of type <paramref name="type"/> whose name is used nowhere in this scope.</summary>
    public Var Fresh(AVal type)
    {
        string name;
        do name = ShortName(_nextName++);
        while (!IrSyntax.IsValidName(name) || !_names.Add(name));
        return new Var(name, type);
    }

    /// <summary>
    /// Emits <c>primitive[params](inputs){subs}</c> with fresh outputs typed by the primitive's
    /// shape rule (or returns the outputs of an equal equation already emitted, when hash-consing).
    /// </summary>
    public IReadOnlyList<Var> Emit(Primitive primitive, PrimParams parameters, IReadOnlyList<Atom> inputs,
        IReadOnlyList<Function>? subs = null, SourceLocation? location = null)
    {
        subs ??= [];
        var types = primitive.InferTypes(parameters, inputs.Select(Operand.Of).ToList(), subs);
        string? key = null;
        if (_hashCons)
        {
            key = _keys.Of(primitive, parameters, inputs, subs, types);
            if (_byKey.TryGetValue(key, out var earlier) && SameSubFunctions(earlier, subs))
            {
                Merged = true;
                return earlier.Outputs;
            }
        }
        var e = new Equation(types.Select(Fresh), primitive, parameters, inputs, subs, location);
        Add(e, key);
        return e.Outputs;
    }

    /// <summary>Emits an equation with one result and returns it.</summary>
    public Var Emit1(Primitive primitive, PrimParams parameters, params Atom[] inputs) => Emit(primitive, parameters, inputs)[0];

    /// <summary>
    /// Emits <c>outputs = primitive[params](inputs){subs}</c> keeping the given output variables
    /// (names and identity), unless hash-consing finds an equal equation: then the outputs are
    /// replaced by the earlier ones. The outputs must be the source's variables of this scope.
    /// </summary>
    public void Keep(IReadOnlyList<Var> outputs, Primitive primitive, PrimParams parameters, IReadOnlyList<Atom> inputs,
        IReadOnlyList<Function> subs, SourceLocation? location)
    {
        string? key = null;
        if (_hashCons)
        {
            key = _keys.Of(primitive, parameters, inputs, subs, outputs.Select(o => o.Type).ToList());
            if (_byKey.TryGetValue(key, out var earlier) && SameSubFunctions(earlier, subs))
            {
                Merged = true;
                for (int i = 0; i < outputs.Count; i++) Replace(outputs[i], earlier.Outputs[i]);
                return;
            }
        }
        Add(new Equation(outputs, primitive, parameters, inputs, subs, location), key);
    }

    /// <summary>Whether hash-consing merged an equation into an earlier one.</summary>
    public bool Merged { get; private set; }

    private static bool SameSubFunctions(Equation earlier, IReadOnlyList<Function> subs) =>
        earlier.SubFunctions.Length == subs.Count && earlier.SubFunctions.Zip(subs).All(p => p.First.Equals(p.Second));

    private void Add(Equation e, string? key)
    {
        _equations.Add(e);
        foreach (var o in e.Outputs) _definitions[o] = e;
        if (key is not null) _byKey[key] = e;
    }

    /// <summary>The rewritten function: the source's name, parameters and result types, the emitted
    /// equations, and <paramref name="results"/> (already mapped).</summary>
    public Function Build(IEnumerable<Atom> results) =>
        new(_source.Name, _source.Params, _source.ConstMask, _equations, results, _source.ResultTypes);

    // a, b, ..., z, ba, bb, ... as the builder names variables; fresh ones skip every name in use.
    private static string ShortName(int i)
    {
        var s = "";
        do { s = (char)('a' + i % 26) + s; i /= 26; } while (i > 0);
        return s;
    }
}

/// <summary>
/// The identity of an equation for common-subexpression elimination: its primitive, params,
/// operands (variables by identity, literals by dtype and bits), sub-functions (by their stable
/// hash; a hit is confirmed with <see cref="Function.Equals(Function)"/>, Note [linear structural identity]) and result types (<c>broadcast_in_dim(0.5)</c> to f32 and to f64
/// differ only there). Operands of commutative primitives are sorted, so <c>add(x, y)</c> and
/// <c>add(y, x)</c> share a key: IEEE addition and multiplication are commutative bit for bit, and
/// so are IR.md's <c>max</c>/<c>min</c> (NaN propagates either way; <c>max(-0, +0) = +0</c> either way).
/// </summary>
internal sealed class EquationKey
{
    private readonly Dictionary<Var, int> _ids = new(ReferenceEqualityComparer.Instance);

    private static readonly HashSet<Primitive> Commutative =
    [
        Elementwise.Add, Elementwise.Mul, Elementwise.Max, Elementwise.Min,
        Elementwise.And, Elementwise.Or, Elementwise.Xor, Elementwise.Eq, Elementwise.Ne,
    ];

    /// <summary>The key of an equation.</summary>
    public string Of(Primitive primitive, PrimParams parameters, IReadOnlyList<Atom> inputs,
        IReadOnlyList<Function> subs, IReadOnlyList<AVal> resultTypes)
    {
        var operands = inputs.Select(Atom).ToList();
        if (Commutative.Contains(primitive)) operands.Sort(StringComparer.Ordinal);
        var sb = new StringBuilder();
        sb.Append(primitive.Name).Append('[').Append(parameters.ToText()).Append("](").AppendJoin(',', operands).Append(')');
        foreach (var s in subs) sb.Append("{#").Append(s.StableHash.ToString("x16")).Append('}');
        sb.Append("->").AppendJoin(',', resultTypes);
        return sb.ToString();
    }

    private string Atom(Atom a) => a switch
    {
        Var v => "%" + (_ids.TryGetValue(v, out var id) ? id : _ids[v] = _ids.Count),
        Literal l => $"{l.DType.Name()}:{BitConverter.DoubleToInt64Bits(l.Value):x}",
        _ => throw new ArgumentException("unknown atom"),
    };
}

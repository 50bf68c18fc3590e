using System.Text;

namespace ArrayLang.Ir;

/// <summary>
/// Writes functions in IR.md's text form. Every param is written (defaults included), literals in
/// the shortest form that round-trips in their dtype. In canonical mode variables are renamed by
/// order of definition and function names dropped, which makes alpha-equivalent functions print
/// the same text (<see cref="Function.CanonicalText"/>).
/// </summary>
public static class IrPrinter
{
    /// <summary>The text of a function and its sub-functions.</summary>
    public static string Print(Function f, bool canonical = false)
    {
        var sb = new StringBuilder();
        PrintFunction(sb, f, 0, canonical);
        return sb.ToString();
    }

    /// <summary>The text of several functions (a file), the entry point first.</summary>
    public static string Print(IEnumerable<Function> functions) =>
        string.Join("\n", functions.Select(f => Print(f)));

    /// <summary>One equation's first line: outputs, primitive, params and operands.</summary>
    public static string PrintEquationHead(Equation e)
    {
        var names = new Names(false);
        foreach (var v in e.Outputs) names.Define(v);
        return EquationHead(e, names);
    }

    private static void PrintFunction(StringBuilder sb, Function f, int indent, bool canonical)
    {
        var names = new Names(canonical);
        var pad = new string(' ', indent);
        // A name a front end chose may not be a valid IR name; print one that parses back.
        sb.Append(pad).Append("func ").Append(canonical || !IrSyntax.IsValidName(f.Name) ? "f" : f.Name).Append('(');
        for (int i = 0; i < f.Params.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            if (f.ConstMask[i]) sb.Append("const ");
            sb.Append(names.Define(f.Params[i])).Append(": ").Append(f.Params[i].Type);
        }
        sb.Append(") -> (").Append(string.Join(", ", f.ResultTypes)).Append(") {\n");
        foreach (var e in f.Equations)
        {
            foreach (var v in e.Outputs) names.Define(v);
            sb.Append(pad).Append("  ").Append(EquationHead(e, names));
            if (e.SubFunctions.Length > 0)
            {
                sb.Append(" {\n");
                foreach (var sub in e.SubFunctions) PrintFunction(sb, sub, indent + 4, canonical);
                sb.Append(pad).Append("  }");
            }
            sb.Append('\n');
        }
        sb.Append(pad).Append("  return (").Append(string.Join(", ", f.Results.Select(names.Use))).Append(")\n");
        sb.Append(pad).Append("}\n");
    }

    /// <summary>
    /// The canonical text of <paramref name="f"/> alone: as <see cref="Print(Function, bool)"/> in canonical mode
    /// writes it, but each sub-function written as <c>#</c> and its <see cref="Function.StableHash"/>
    /// (already computed) instead of its text. The same as the canonical text for a function without
    /// sub-functions. Note [linear structural identity] in <see cref="Function"/>.
    /// </summary>
    internal static string PrintShallowCanonical(Function f)
    {
        var sb = new StringBuilder();
        var names = new Names(true);
        sb.Append("func f(");
        for (int i = 0; i < f.Params.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            if (f.ConstMask[i]) sb.Append("const ");
            sb.Append(names.Define(f.Params[i])).Append(": ").Append(f.Params[i].Type);
        }
        sb.Append(") -> (").Append(string.Join(", ", f.ResultTypes)).Append(") {\n");
        foreach (var e in f.Equations)
        {
            foreach (var v in e.Outputs) names.Define(v);
            sb.Append("  ").Append(EquationHead(e, names));
            if (e.SubFunctions.Length > 0)
                sb.Append(" {").AppendJoin(' ', e.SubFunctions.Select(sub => "#" + sub.StableHash.ToString("x16"))).Append('}');
            sb.Append('\n');
        }
        sb.Append("  return (").Append(string.Join(", ", f.Results.Select(names.Use))).Append(")\n}\n");
        return sb.ToString();
    }

    private static string EquationHead(Equation e, Names names)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(", ", e.Outputs.Select(v => $"{names.Use(v)}: {v.Type}")));
        sb.Append(" = ").Append(e.Primitive.Name);
        var ps = e.Params.ToText();
        if (ps.Length > 0) sb.Append('[').Append(ps).Append(']');
        sb.Append('(').Append(string.Join(", ", e.Inputs.Select(names.Use))).Append(')');
        return sb.ToString();
    }

    /// <summary>Gives each variable of one function scope a unique printable name.</summary>
    private sealed class Names(bool canonical)
    {
        private readonly Dictionary<Var, string> _names = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<string> _used = [];

        public string Define(Var v)
        {
            if (_names.TryGetValue(v, out var existing)) return existing;
            string name = canonical ? "v" + _names.Count : v.Name;
            if (!canonical && (!IrSyntax.IsValidName(name) || _used.Contains(name)))
            {
                var stem = IrSyntax.IsValidName(v.Name) ? v.Name : "v";
                int k = 1;
                while (_used.Contains(name = $"{stem}_{k}")) k++;
            }
            _used.Add(name);
            _names[v] = name;
            return name;
        }

        public string Use(Atom a) => a switch
        {
            Literal l => l.ToString(),
            // A variable used but never defined in this scope is an IR error the type checker
            // reports; print it under its own name so that error messages still read well.
            Var v => _names.TryGetValue(v, out var n) ? n : v.Name,
            _ => throw new ArgumentException("unknown atom"),
        };
    }
}

/// <summary>Lexical rules of the text form shared by the printer, the parser and the builder.</summary>
public static class IrSyntax
{
    /// <summary>Words that cannot be names.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>
        { "func", "return", "const", "true", "false", "inf", "nan", "f32", "f64", "i32", "bool" };

    /// <summary>True when <paramref name="name"/> matches <c>[A-Za-z_][A-Za-z0-9_]*</c> and is not reserved.</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !Reserved.Contains(name);
}

using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using ArrayLang.Primitives;

namespace ArrayLang.Ir;

/// <summary>
/// Parses IR.md's text form ("Text form", "Literals") into type-checked <see cref="Function"/>s.
/// A file holds one or more functions; the first is the entry point unless one is named.
/// Syntax errors, undefined or twice-defined names, unknown primitives, ill-formed params and
/// literals that do not fit their position are <see cref="ParseException"/>s with a 1-based line
/// and column and what was expected; an ill-typed equation is the type checker's
/// <see cref="TypeError"/>, which names the file, line and column (each equation records its
/// <see cref="SourceLocation"/>).
/// </summary>
public static class IrParser
{
    /// <summary>
    /// Parses every function of a file, in order, and type-checks each. Primitives are looked up in
    /// <paramref name="primitives"/> (default: <see cref="PrimitiveRegistry.Primitives"/>).
    /// </summary>
    public static IReadOnlyList<Function> ParseFile(string text, string fileName = "<input>", PrimitiveTable? primitives = null)
    {
        var parser = new Parser(IrLexer.Tokenize(text), fileName, primitives ?? PrimitiveRegistry.Primitives);
        var functions = parser.ParseFile();
        foreach (var f in functions) TypeChecker.Check(f);
        return functions;
    }

    /// <summary>
    /// Parses a file and returns its entry point: the function named <paramref name="entry"/>, or
    /// the first function when no name is given.
    /// </summary>
    public static Function ParseFunction(string text, string fileName = "<input>", string? entry = null, PrimitiveTable? primitives = null) =>
        SelectEntry(ParseFile(text, fileName, primitives), entry, fileName);

    /// <summary>
    /// The function named <paramref name="entry"/> among <paramref name="functions"/> (the first
    /// one when <paramref name="entry"/> is null), or an <see cref="IrException"/> listing the names.
    /// </summary>
    public static Function SelectEntry(IReadOnlyList<Function> functions, string? entry, string fileName = "<input>")
    {
        if (functions.Count == 0) throw new IrException($"{fileName}: the file defines no function");
        if (entry is null) return functions[0];
        return functions.FirstOrDefault(f => f.Name == entry)
            ?? throw new IrException($"{fileName}: no function named '{entry}'; the file defines: {string.Join(", ", functions.Select(f => f.Name))}");
    }

    /// <summary>Names among <paramref name="candidates"/> within a small edit distance of <paramref name="name"/>, closest first.</summary>
    public static IReadOnlyList<string> CloseNames(string name, IEnumerable<string> candidates, int max = 5) =>
        candidates.Distinct()
            .Select(c => (c, d: EditDistance(name, c)))
            .Where(x => x.d <= (name.Length <= 3 ? 1 : 2) ||
                        (name.Length >= 3 && (x.c.Contains(name, StringComparison.Ordinal) || name.Contains(x.c, StringComparison.Ordinal))))
            .OrderBy(x => x.d).ThenBy(x => x.c, StringComparer.Ordinal)
            .Take(max).Select(x => x.c).ToList();

    private static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>The variables visible in one function: its parameters and the outputs defined so far.</summary>
    private sealed class Scope(string function, Scope? enclosing)
    {
        private readonly Dictionary<string, (Var Var, Token At)> _vars = new(StringComparer.Ordinal);

        public string Function { get; } = function;

        private Scope? Enclosing { get; } = enclosing;

        /// <summary>1 for a top-level function, one more per enclosing function.</summary>
        public int Depth { get; } = enclosing is null ? 1 : enclosing.Depth + 1;

        public void Define(Token at, Var v)
        {
            if (_vars.TryGetValue(v.Name, out var earlier))
                throw new ParseException(at.Line, at.Column,
                    $"'{v.Name}' is already defined in function {Function} (at line {earlier.At.Line}, column {earlier.At.Column}); each variable is assigned once");
            _vars[v.Name] = (v, at);
        }

        public Var Resolve(Token at)
        {
            if (_vars.TryGetValue(at.Text, out var found)) return found.Var;
            var msg = $"undefined variable '{at.Text}' in function {Function}";
            var close = CloseNames(at.Text, _vars.Keys, 3);
            if (close.Count > 0) msg += $"; did you mean {string.Join(" or ", close.Select(c => $"'{c}'"))}?";
            for (var s = Enclosing; s is not null; s = s.Enclosing)
                if (s._vars.ContainsKey(at.Text))
                {
                    msg += $" ('{at.Text}' belongs to the enclosing function {s.Function}: a sub-function sees only its own parameters; pass it as an operand)";
                    break;
                }
            throw new ParseException(at.Line, at.Column, msg);
        }
    }

    /// <summary>An operand as written: a resolved variable or a literal token still to be typed.</summary>
    private readonly record struct RawAtom(Token Token, Var? Var);

    private sealed class Parser(List<Token> tokens, string fileName, PrimitiveTable primitives)
    {
        private int _pos;

        private Token Peek => tokens[_pos];

        private Token Next() => tokens[_pos < tokens.Count - 1 ? _pos++ : _pos];

        private static ParseException Error(Token at, string message) => new(at.Line, at.Column, message);

        private static ParseException Expected(Token at, string what) => Error(at, $"expected {what}, found {at.Describe()}");

        private bool Accept(string text)
        {
            if (!Peek.Is(text)) return false;
            _pos++;
            return true;
        }

        private Token Expect(string text, string context)
        {
            if (!Peek.Is(text)) throw Expected(Peek, $"'{text}' {context}");
            return Next();
        }

        private Token ExpectName(string what)
        {
            var t = Peek;
            if (t.Kind == TokenKind.Word && IrSyntax.IsValidName(t.Text)) return Next();
            if ((t.Kind is TokenKind.Word or TokenKind.Float) && IrSyntax.Reserved.Contains(t.Text))
                throw Error(t, $"expected {what}, found the reserved word '{t.Text}', which cannot be used as a name");
            throw Expected(t, what);
        }

        /// <summary>Parses <c>item (',' item)*</c> up to <paramref name="close"/> (consumed); empty when <paramref name="allowEmpty"/>.</summary>
        private List<T> CommaList<T>(string close, Func<T> item, string itemWhat, bool allowEmpty = true)
        {
            var items = new List<T>();
            if (allowEmpty && Accept(close)) return items;
            while (true)
            {
                items.Add(item());
                if (Accept(",")) continue;
                if (Accept(close)) return items;
                throw Expected(Peek, $"',' or '{close}' after {itemWhat}");
            }
        }

        public List<Function> ParseFile()
        {
            var functions = new List<Function>();
            var seen = new Dictionary<string, Token>(StringComparer.Ordinal);
            do
            {
                var (f, nameTok) = ParseFunc(null);
                if (seen.TryGetValue(f.Name, out var earlier))
                    throw Error(nameTok, $"function '{f.Name}' is already defined at line {earlier.Line}, column {earlier.Column}");
                seen[f.Name] = nameTok;
                functions.Add(f);
            } while (Peek.Kind != TokenKind.End);
            return functions;
        }

        private (Function, Token) ParseFunc(Scope? enclosing)
        {
            if (!Peek.Is("func")) throw Expected(Peek, "'func' to start a function");
            var funcTok = Next();
            var nameTok = ExpectName("a function name");
            var scope = new Scope(nameTok.Text, enclosing);
            // Note [nesting depth]: refuse before recursing further, with the line.
            if (scope.Depth > Nesting.MaxFunctionDepth)
                throw Error(funcTok, $"sub-functions nest more than {Nesting.MaxFunctionDepth} levels deep here (the limit); flatten the nesting");
            if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
                throw Error(funcTok, Nesting.StackExhausted($"parsing function {nameTok.Text} (nesting level {scope.Depth})").Message);
            Expect("(", $"after the function name '{nameTok.Text}'");
            var constMask = new List<bool>();
            var ps = CommaList(")", () =>
            {
                bool isConst = Accept("const");
                var pTok = ExpectName(isConst ? "a parameter name after 'const'" : "a parameter name (or 'const')");
                Expect(":", $"after the parameter name '{pTok.Text}'");
                var v = new Var(pTok.Text, ParseType());
                scope.Define(pTok, v);
                constMask.Add(isConst);
                return v;
            }, "a parameter");
            Expect("->", "after the parameters");
            Expect("(", "to open the result types after '->'");
            var resultTypes = CommaList(")", ParseType, "a result type");
            Expect("{", $"to open the body of function {nameTok.Text}");

            var equations = new List<Equation>();
            while (!Peek.Is("return"))
            {
                bool reservedFloat = Peek.Kind == TokenKind.Float && IrSyntax.Reserved.Contains(Peek.Text);
                if ((Peek.Kind != TokenKind.Word && !reservedFloat) || Peek.Is("func"))
                    throw Expected(Peek, $"an equation or 'return' in function {nameTok.Text}");
                equations.Add(ParseEquation(scope));
            }
            var retTok = Next();
            Expect("(", "after 'return'");
            var raw = CommaList(")", () => ParseAtom(scope), "a returned value");
            Expect("}", $"to close function {nameTok.Text} after its return");

            if (raw.Count != resultTypes.Count)
                throw Error(retTok, $"function {nameTok.Text} declares {resultTypes.Count} result type(s) ({string.Join(", ", resultTypes)}) but returns {raw.Count} value(s)");
            var results = new List<Atom>();
            for (int i = 0; i < raw.Count; i++)
            {
                if (raw[i].Var is { } v) { results.Add(v); continue; }
                var declared = resultTypes[i];
                if (!declared.IsScalar)
                    throw Error(raw[i].Token, $"the returned literal {raw[i].Token.Text} is a scalar, but result {i + 1} of function {nameTok.Text} is declared {declared}");
                results.Add(MakeLiteral(raw[i].Token, declared.DType, $"result {i + 1} of function {nameTok.Text}"));
            }
            return (new Function(nameTok.Text, ps, constMask, equations, results, resultTypes), nameTok);
        }

        private AVal ParseType()
        {
            var t = Peek;
            if (t.Kind != TokenKind.Word || !DTypes.TryParse(t.Text, out var dtype))
                throw Expected(t, "a type such as f32[3] (dtypes: f32, f64, i32, bool)");
            Next();
            Expect("[", $"after the dtype {t.Text} (a scalar is {t.Text}[])");
            var dims = CommaList("]", () =>
            {
                var d = Next();
                if (d.Kind != TokenKind.Int) throw Expected(d, "a dimension (a non-negative integer)");
                if (!int.TryParse(d.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) || n < 0)
                    throw Error(d, $"a dimension must be an integer from 0 to {int.MaxValue}, found {d.Text}");
                return n;
            }, "a dimension");
            return new AVal(dtype, new Shape(dims));
        }

        private RawAtom ParseAtom(Scope scope)
        {
            var t = Peek;
            switch (t.Kind)
            {
                case TokenKind.Int:
                case TokenKind.Float:
                case TokenKind.Word when t.Text is "true" or "false":
                    Next();
                    return new RawAtom(t, null);
                case TokenKind.Word when IrSyntax.IsValidName(t.Text):
                    Next();
                    return new RawAtom(t, scope.Resolve(t));
                default:
                    throw Expected(t, "an operand (a variable name or a literal such as 1, 2.5, true)");
            }
        }

        private Equation ParseEquation(Scope scope)
        {
            var start = Peek;
            var outs = new List<(Token, AVal)>();
            do
            {
                var nameTok = ExpectName("a variable name to start an equation");
                Expect(":", $"after the variable name '{nameTok.Text}'");
                outs.Add((nameTok, ParseType()));
            } while (Accept(","));
            Expect("=", "after the equation's result variables");

            var primTok = Peek;
            if (primTok.Kind != TokenKind.Word) throw Expected(primTok, "a primitive name after '='");
            Next();
            if (!primitives.TryGet(primTok.Text, out var prim))
            {
                var close = CloseNames(primTok.Text, primitives.All.Select(p => p.Name));
                var hint = close.Count > 0
                    ? $"did you mean {string.Join(", ", close)}?"
                    : $"known primitives: {string.Join(", ", primitives.All.Select(p => p.Name).Order(StringComparer.Ordinal))}";
                throw Error(primTok, $"unknown primitive '{primTok.Text}'; {hint}");
            }

            var paramsTok = primTok;
            var kvs = new List<KeyValuePair<string, ParamValue>>();
            if (Peek.Is("["))
            {
                paramsTok = Next();
                kvs = CommaList("]", () =>
                {
                    var key = ExpectName($"a parameter name of {prim.Name}");
                    Expect("=", $"after the parameter name '{key.Text}'");
                    return new KeyValuePair<string, ParamValue>(key.Text, ParseValue(0));
                }, "a parameter", allowEmpty: false);
            }
            if (!Peek.Is("("))
                throw Expected(Peek, paramsTok == primTok
                    ? $"'(' (or '[' for params) after the primitive {prim.Name}"
                    : $"'(' after the parameters of {prim.Name}");
            Next();
            var raw = CommaList(")", () => ParseAtom(scope), "an operand");

            var subs = new List<Function>();
            if (Accept("{"))
            {
                if (!Peek.Is("func")) throw Expected(Peek, $"'func' to start a sub-function of {prim.Name}");
                while (Peek.Is("func")) subs.Add(ParseFunc(scope).Item1);
                Expect("}", $"or another 'func' after the sub-functions of {prim.Name}");
            }

            PrimParams ps;
            try { ps = prim.ReadParams(new ParamReader(prim.Name, kvs)); }
            catch (ParamException e) { throw Error(paramsTok, e.Message); }

            var varTypes = raw.Select(a => a.Var?.Type).ToList();
            var inputs = new List<Atom>();
            for (int i = 0; i < raw.Count; i++)
            {
                if (raw[i].Var is { } v) { inputs.Add(v); continue; }
                DType? want;
                try { want = prim.LiteralDTypeAt(i, ps, varTypes, subs, outs.Select(o => o.Item2).ToList()); }
                catch (Exception e) when (e is IrException or ArgumentException or IndexOutOfRangeException)
                {
                    throw Error(raw[i].Token, $"a literal is not allowed as operand {i + 1} of {prim.Name}: {e.Message}");
                }
                if (want is not { } dt)
                {
                    var why = varTypes.All(t => t is null) ? " (every operand is a literal, so none gives it a type; at least one must be a variable)" : "";
                    throw Error(raw[i].Token, $"a literal is not allowed as operand {i + 1} of {prim.Name}{why}");
                }
                inputs.Add(MakeLiteral(raw[i].Token, dt, $"operand {i + 1} of {prim.Name}"));
            }

            var outVars = new List<Var>();
            foreach (var (tok, type) in outs)
            {
                var v = new Var(tok.Text, type);
                scope.Define(tok, v);
                outVars.Add(v);
            }
            return new Equation(outVars, prim, ps, inputs, subs, new SourceLocation(fileName, start.Line, start.Column));
        }

        /// <summary>Parses a parameter value nested <paramref name="depth"/> lists or tuples deep.</summary>
        private ParamValue ParseValue(int depth)
        {
            var t = Next();
            if (t.Kind == TokenKind.Punct && t.Text is "[" or "(" && depth >= Nesting.MaxParamDepth)
                throw Error(t, $"a parameter value nests lists and tuples more than {Nesting.MaxParamDepth} levels deep here (the limit)");
            ParamValue Item() => ParseValue(depth + 1);
            switch (t.Kind)
            {
                case TokenKind.Int:
                    return long.TryParse(t.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                        ? new IntParam(n)
                        : throw Error(t, $"the integer {t.Text} is too large for a parameter");
                case TokenKind.Float:
                    return new FloatParam(ParseF64(t));
                case TokenKind.Word when t.Text is "true" or "false":
                    return new BoolParam(t.Text == "true");
                case TokenKind.Word when DTypes.TryParse(t.Text, out var d):
                    return new DTypeParam(d);
                case TokenKind.Punct when t.Text == "[":
                    return new ListParam(CommaList("]", Item, "a list item").ToImmutableArray());
                case TokenKind.Punct when t.Text == "(":
                    if (Peek.Is(")")) throw Expected(Peek, "a value (a tuple has at least one item)");
                    return new TupleParam(CommaList(")", Item, "a tuple item", allowEmpty: false).ToImmutableArray());
                default:
                    throw Expected(t, "a parameter value (an integer, a float, true, false, a dtype, [..] or (..))");
            }
        }

        private static double ParseF64(Token t)
        {
            switch (t.Text)
            {
                case "inf": return double.PositiveInfinity;
                case "-inf": return double.NegativeInfinity;
                case "nan": return double.NaN;
            }
            var d = double.Parse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (double.IsInfinity(d)) throw Error(t, $"the float {t.Text} is out of range for f64 (write inf for infinity)");
            return d;
        }

        private static float ParseF32(Token t)
        {
            switch (t.Text)
            {
                case "inf": return float.PositiveInfinity;
                case "-inf": return float.NegativeInfinity;
                case "nan": return float.NaN;
            }
            // Parsed straight to float: rounded once, as IR.md asks (not via double).
            var f = float.Parse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (float.IsInfinity(f)) throw Error(t, $"the float {t.Text} is out of range for f32 (write inf for infinity)");
            return f;
        }

        /// <summary>Types a literal token for a position that takes <paramref name="dtype"/> (IR.md "Literals").</summary>
        private static Literal MakeLiteral(Token t, DType dtype, string where)
        {
            string takes = $"{where} takes {dtype.Name()}";
            switch (t.Kind)
            {
                case TokenKind.Word:
                    if (dtype != DType.Bool) throw Error(t, $"'{t.Text}' is a bool literal, but {takes}");
                    return Literal.Of(t.Text == "true");
                case TokenKind.Float:
                    return dtype switch
                    {
                        DType.F32 => new Literal(DType.F32, ParseF32(t)),
                        DType.F64 => new Literal(DType.F64, ParseF64(t)),
                        _ => throw Error(t, $"the float literal {t.Text} fits only f32 or f64, but {takes}" +
                            (dtype == DType.I32 ? "; write an integer" : "; write true or false")),
                    };
                case TokenKind.Int:
                {
                    var n = BigInteger.Parse(t.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                    switch (dtype)
                    {
                        case DType.Bool:
                            throw Error(t, $"the integer literal {t.Text} cannot be bool ({takes}); write true or false");
                        case DType.I32:
                            if (n < int.MinValue || n > int.MaxValue)
                                throw Error(t, $"the integer literal {t.Text} is out of range for i32 ({takes}; i32 holds {int.MinValue} to {int.MaxValue})");
                            return Literal.Of((int)n);
                        case DType.F32:
                        {
                            var f = (float)n;
                            if (float.IsInfinity(f) || new BigInteger(f) != n)
                                throw Error(t, $"the integer literal {t.Text} is not exactly representable in f32 ({takes}); write a float literal to round it");
                            return new Literal(DType.F32, f);
                        }
                        default:
                        {
                            var d = (double)n;
                            if (double.IsInfinity(d) || new BigInteger(d) != n)
                                throw Error(t, $"the integer literal {t.Text} is not exactly representable in f64 ({takes}); write a float literal to round it");
                            return new Literal(DType.F64, d);
                        }
                    }
                }
                default:
                    throw Error(t, $"expected a literal, found {t.Describe()}");
            }
        }
    }
}

using System.Collections.Immutable;
using System.Text;

namespace ArrayLang.Ir;

/// <summary>
/// A typed IR function: parameters (some marked <c>const</c>, the captured constants), SSA
/// equations, and a tuple of results. Immutable. Two functions are equal when they differ only in
/// variable and function names (alpha-equivalence); <see cref="StableHash"/> is the same across
/// processes and machines, so it can key a compile cache.
/// </summary>
public sealed class Function : IEquatable<Function>
{
    private string? _canonical;

    /// <summary>Creates a function. Use <see cref="TypeChecker.Check"/> to validate it.</summary>
    public Function(string name, IEnumerable<Var> parameters, IEnumerable<bool> constMask,
        IEnumerable<Equation> equations, IEnumerable<Atom> results, IEnumerable<AVal> resultTypes)
    {
        Name = name;
        Params = parameters.ToImmutableArray();
        ConstMask = constMask.ToImmutableArray();
        Equations = equations.ToImmutableArray();
        Results = results.ToImmutableArray();
        ResultTypes = resultTypes.ToImmutableArray();
        if (ConstMask.Length != Params.Length)
            throw new ArgumentException($"function {name}: {Params.Length} params but {ConstMask.Length} const flags");
        if (ResultTypes.Length != Results.Length)
            throw new ArgumentException($"function {name}: {Results.Length} results but {ResultTypes.Length} result types");
        // Sub-functions are built first, so their depth is already known: no recursion here.
        int deepest = 0;
        foreach (var e in Equations)
            foreach (var sub in e.SubFunctions)
                deepest = Math.Max(deepest, sub.Depth);
        Depth = deepest + 1;
        if (Depth > Nesting.MaxFunctionDepth)
            throw new NestingException(
                $"function {name} nests sub-functions {Depth} levels deep; the limit is {Nesting.MaxFunctionDepth}");
    }

    /// <summary>Creates a function whose parameters are all non-const and whose result types are the results' types.</summary>
    public Function(string name, IEnumerable<Var> parameters, IEnumerable<Equation> equations, IEnumerable<Atom> results)
        : this(name, parameters.ToList(), Enumerable.Repeat(false, parameters.Count()), equations,
            results.ToList(), results.Select(r => r.Type)) { }

    /// <summary>The function's name (free; not part of equality).</summary>
    public string Name { get; }

    /// <summary>How deeply sub-functions nest: 1 without sub-functions, one more per level; at most <see cref="Nesting.MaxFunctionDepth"/>.</summary>
    public int Depth { get; }

    /// <summary>The parameters in order.</summary>
    public ImmutableArray<Var> Params { get; }

    /// <summary>For each parameter, whether it is a captured constant (<c>const</c>): vmap never batches those.</summary>
    public ImmutableArray<bool> ConstMask { get; }

    /// <summary>The equations in order.</summary>
    public ImmutableArray<Equation> Equations { get; }

    /// <summary>The returned atoms.</summary>
    public ImmutableArray<Atom> Results { get; }

    /// <summary>The declared result types (a returned literal takes its declared scalar type).</summary>
    public ImmutableArray<AVal> ResultTypes { get; }

    /// <summary>The parameters' types.</summary>
    public IReadOnlyList<AVal> ParamTypes => Params.Select(p => p.Type).ToList();

    /// <summary>The canonical text with variables renamed by position; the basis of equality and hashing.</summary>
    public string CanonicalText => _canonical ??= IrPrinter.Print(this, canonical: true);

    /// <summary>A 64-bit FNV-1a hash of <see cref="CanonicalText"/>: stable across processes and machines.</summary>
    public ulong StableHash => Fnv1a64(CanonicalText);

    /// <inheritdoc />
    public bool Equals(Function? other) =>
        other is not null && (ReferenceEquals(this, other) || other.CanonicalText == CanonicalText);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Function);

    /// <inheritdoc />
    public override int GetHashCode() => (int)StableHash;

    /// <summary>The IR text form of this function.</summary>
    public override string ToString() => IrPrinter.Print(this);

    /// <summary>64-bit FNV-1a over the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Fnv1a64(string text)
    {
        ulong h = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return h;
    }
}

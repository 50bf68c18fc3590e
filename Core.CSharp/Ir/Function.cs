using System.Collections.Immutable;
using System.Text;

namespace ArrayLang.Ir;

/// <summary>
/// A typed IR function: parameters (some marked <c>const</c>, the captured constants), SSA
/// equations, and a tuple of results. Immutable. Two functions are equal when they differ only in
/// variable and function names (alpha-equivalence); <see cref="StableHash"/> is the same across
/// processes and machines, so it can key a compile cache.
/// </summary>
/// <remarks>
/// Note [linear structural identity]: equality and the stable hash must cost time and memory linear
/// in a function's size however deeply its control flow nests (passes compare and hash-cons
/// sub-functions at every level; a 1,000-deep scan nest took minutes and gigabytes when each level
/// printed its whole subtree). So each function caches its own shallow canonical text, where a
/// sub-function appears only by its hash, and its hash is FNV-1a of that text: computed once per
/// function, bottom-up without recursion. Equality compares hashes, then shallow texts level by
/// level (so a hash collision can never make two different functions equal).
/// </remarks>
public sealed class Function : IEquatable<Function>
{
    private string? _canonical;
    private string? _shallow;
    private ulong _hash;
    private volatile bool _hashed;

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
    }

    /// <summary>Creates a function whose parameters are all non-const and whose result types are the results' types.</summary>
    public Function(string name, IEnumerable<Var> parameters, IEnumerable<Equation> equations, IEnumerable<Atom> results)
        : this(name, parameters.ToList(), Enumerable.Repeat(false, parameters.Count()), equations,
            results.ToList(), results.Select(r => r.Type)) { }

    /// <summary>The function's name (free; not part of equality).</summary>
    public string Name { get; }

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

    /// <summary>
    /// A 64-bit FNV-1a hash of the canonical text with each sub-function replaced by its own hash
    /// (Note [linear structural identity]): equal for alpha-equivalent functions, and stable across
    /// processes and machines.
    /// </summary>
    public ulong StableHash
    {
        get
        {
            if (!_hashed) ComputeHashes(this);
            return _hash;
        }
    }

    private string ShallowCanonicalText => _shallow ??= IrPrinter.PrintShallowCanonical(this);

    /// <summary>Computes the hashes of <paramref name="root"/> and its sub-functions, innermost first, with an explicit stack.</summary>
    private static void ComputeHashes(Function root)
    {
        var stack = new Stack<(Function F, bool SubsDone)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (f, subsDone) = stack.Pop();
            if (f._hashed) continue;
            if (!subsDone)
            {
                stack.Push((f, true));
                foreach (var e in f.Equations)
                    foreach (var sub in e.SubFunctions)
                        if (!sub._hashed) stack.Push((sub, false));
                continue;
            }
            f._hash = Fnv1a64(f.ShallowCanonicalText);
            f._hashed = true;
        }
    }

    /// <inheritdoc />
    public bool Equals(Function? other)
    {
        if (other is null) return false;
        var pending = new Stack<(Function A, Function B)>();
        pending.Push((this, other));
        while (pending.Count > 0)
        {
            var (a, b) = pending.Pop();
            if (ReferenceEquals(a, b)) continue;
            if (a.StableHash != b.StableHash || a.ShallowCanonicalText != b.ShallowCanonicalText) return false;
            var subsA = a.Equations.SelectMany(e => e.SubFunctions).ToList();
            var subsB = b.Equations.SelectMany(e => e.SubFunctions).ToList();
            for (int i = 0; i < subsA.Count; i++) pending.Push((subsA[i], subsB[i]));
        }
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Function);

    /// <inheritdoc />
    public override int GetHashCode() => (int)StableHash;

    /// <summary>This function and its sub-functions as a Graphviz DOT graph (<see cref="FunctionGraph"/>).</summary>
    public string ToDot() => FunctionGraph.ToDot(this);

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

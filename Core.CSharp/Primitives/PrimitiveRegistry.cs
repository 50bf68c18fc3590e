using ArrayLang.Transforms;

namespace ArrayLang.Primitives;

/// <summary>Primitives by name.</summary>
public sealed class PrimitiveTable
{
    // Readers never lock: user-defined primitives may be declared while other threads parse or trace.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Primitive> _byName = new();
    private System.Collections.Immutable.ImmutableList<Primitive> _ordered = [];

    /// <summary>Adds a primitive; its name must be new.</summary>
    public void Add(Primitive p)
    {
        if (!_byName.TryAdd(p.Name, p))
            throw new InvalidOperationException($"primitive '{p.Name}' is registered twice");
        System.Collections.Immutable.ImmutableInterlocked.Update(ref _ordered, l => l.Add(p));
    }

    /// <summary>Every primitive, in registration order.</summary>
    public IReadOnlyCollection<Primitive> All => _ordered;

    /// <summary>Looks a primitive up by its text name.</summary>
    public bool TryGet(string name, out Primitive primitive) => _byName.TryGetValue(name, out primitive!);

    /// <summary>The primitive with this name, or an error listing the known ones.</summary>
    public Primitive Get(string name) => TryGet(name, out var p) ? p
        : throw new Ir.IrException($"unknown primitive '{name}'; known primitives: {string.Join(", ", _byName.Keys.Order())}");
}

/// <summary>What a primitive family's <c>Register</c> fills: the primitives and their batching rules.</summary>
public sealed class Registrar(PrimitiveTable primitives, BatchingRules batching)
{
    /// <summary>The primitive table being filled.</summary>
    public PrimitiveTable Primitives { get; } = primitives;

    /// <summary>The batching-rule table being filled.</summary>
    public BatchingRules Batching { get; } = batching;

    /// <summary>Registers a primitive together with its batching rule.</summary>
    public void Add(Primitive p, BatchingRule rule)
    {
        Primitives.Add(p);
        Batching.Add(p, rule);
    }
}

/// <summary>
/// The built-in primitives and their rule tables. Note [explicit registration]: every family is
/// named in <see cref="Families"/> and registers its primitives and rules when the tables are
/// first used. Nothing registers itself from a static initializer, which .NET runs lazily, so a
/// rule could otherwise be silently missing. A coverage test checks that every primitive has
/// every rule.
/// </summary>
public static class PrimitiveRegistry
{
    /// <summary>Every family's registration method; adding a family means adding it here.</summary>
    public static readonly IReadOnlyList<Action<Registrar>> Families =
    [
        Elementwise.Register,
        ShapeOps.Register,
        Slicing.Register,
        Reduction.Register,
        Contraction.Register,
        ControlFlow.Register,
        Randomness.Register,
    ];

    private static readonly Lazy<(PrimitiveTable, BatchingRules)> Tables = new(() =>
    {
        var prims = new PrimitiveTable();
        var batching = new BatchingRules();
        var registrar = new Registrar(prims, batching);
        foreach (var register in Families) register(registrar);
        return (prims, batching);
    });

    /// <summary>Every built-in primitive by name.</summary>
    public static PrimitiveTable Primitives => Tables.Value.Item1;

    /// <summary>vmap's batching rule for every built-in primitive.</summary>
    public static BatchingRules Batching => Tables.Value.Item2;
}

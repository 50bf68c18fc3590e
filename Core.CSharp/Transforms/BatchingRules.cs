using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Transforms;

/// <summary>An atom of the batched function with the position of its batch axis, or null when it
/// is the same for every example (not batched).</summary>
public readonly record struct BatchedAtom(Atom Atom, int? BatchDim)
{
    /// <summary>True when the value differs per example.</summary>
    public bool IsBatched => BatchDim is not null;

    /// <summary>An unbatched atom.</summary>
    public static BatchedAtom Unbatched(Atom a) => new(a, null);

    /// <summary>Text for messages: <c>x: f32[8,3] (batch axis 0)</c>.</summary>
    public override string ToString() => $"{Atom} ({(BatchDim is { } d ? $"batch axis {d}" : "not batched")})";
}

/// <summary>
/// A batching rule: given operands with their batch axes (at least one batched), emit the
/// equations of the batched computation into <see cref="BatchContext.Builder"/> and return the
/// outputs with their batch axes. Rules never loop over the batch.
/// </summary>
public delegate IReadOnlyList<BatchedAtom> BatchingRule(BatchContext ctx, PrimParams p, IReadOnlyList<BatchedAtom> inputs, IReadOnlyList<Function> subs);

/// <summary>vmap's rule table: the batching rule of each primitive (JAX's <c>primitive_batchers</c>).</summary>
public sealed class BatchingRules
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Primitive, BatchingRule> _rules = new(ReferenceEqualityComparer.Instance);

    /// <summary>Adds the rule of a primitive; each primitive has one.</summary>
    public void Add(Primitive p, BatchingRule rule)
    {
        if (!_rules.TryAdd(p, rule))
            throw new InvalidOperationException($"primitive '{p.Name}' has two batching rules");
    }

    /// <summary>True when <paramref name="p"/> has a rule.</summary>
    public bool Contains(Primitive p) => _rules.ContainsKey(p);

    /// <summary>The rule of <paramref name="p"/>, or an error naming it.</summary>
    public BatchingRule Get(Primitive p) => _rules.TryGetValue(p, out var r) ? r
        : throw new IrException($"vmap: primitive '{p.Name}' has no batching rule");
}

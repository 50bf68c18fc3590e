namespace ArrayLang.Ir;

/// <summary>
/// The typed static parameters of one equation (e.g. <c>TransposeParams(int[] Perm)</c>).
/// Each primitive defines its own record deriving from this. Two params are equal when they
/// write the same key/value list, so records holding arrays still compare structurally.
/// </summary>
public abstract record PrimParams
{
    /// <summary>Writes every parameter, defaults included, in the canonical order.</summary>
    public abstract void Write(ParamWriter writer);

    /// <summary>The params as an ordered key/value list.</summary>
    public IReadOnlyList<KeyValuePair<string, ParamValue>> ToKeyValues()
    {
        var w = new ParamWriter();
        Write(w);
        return w.Items;
    }

    /// <summary>The text form inside the brackets: <c>perm=[1,0]</c>, or empty for no params.</summary>
    public string ToText() => string.Join(", ", ToKeyValues().Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>Structural equality through the written form.</summary>
    public virtual bool Equals(PrimParams? other) =>
        other is not null && other.GetType() == GetType() && other.ToText() == ToText();

    /// <inheritdoc />
    public override int GetHashCode() => ToText().GetHashCode();
}

/// <summary>The params of a primitive that takes none.</summary>
public sealed record NoParams : PrimParams
{
    /// <summary>The one instance.</summary>
    public static readonly NoParams Instance = new();
    private NoParams() { }
    /// <inheritdoc />
    public override void Write(ParamWriter writer) { }
}

using System.Collections.Immutable;
using System.Globalization;

namespace ArrayLang.Ir;

/// <summary>
/// A static parameter value as it appears in the text form (<c>[1,0]</c>, <c>([1],[0])</c>,
/// <c>f32</c>, <c>true</c>, <c>3</c>). Primitives convert between these and their typed params
/// with <see cref="ParamReader"/> and <see cref="ParamWriter"/>.
/// </summary>
public abstract record ParamValue
{
    /// <summary>The value's text form.</summary>
    public abstract override string ToString();
}

/// <summary>An integer parameter value.</summary>
public sealed record IntParam(long Value) : ParamValue
{
    /// <inheritdoc />
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A float parameter value.</summary>
public sealed record FloatParam(double Value) : ParamValue
{
    /// <inheritdoc />
    public override string ToString() => new Literal(DType.F64, Value).ToString();
}

/// <summary>A bool parameter value.</summary>
public sealed record BoolParam(bool Value) : ParamValue
{
    /// <inheritdoc />
    public override string ToString() => Value ? "true" : "false";
}

/// <summary>A dtype parameter value.</summary>
public sealed record DTypeParam(DType Value) : ParamValue
{
    /// <inheritdoc />
    public override string ToString() => Value.Name();
}

/// <summary>A list <c>[a, b, ...]</c> (may be empty).</summary>
public sealed record ListParam(ImmutableArray<ParamValue> Items) : ParamValue
{
    /// <inheritdoc />
    public override string ToString() => "[" + string.Join(",", Items) + "]";
    /// <inheritdoc />
    public bool Equals(ListParam? other) => other is not null && Items.SequenceEqual(other.Items);
    /// <inheritdoc />
    public override int GetHashCode() => Items.Aggregate(0, (h, x) => h * 31 + x.GetHashCode());
}

/// <summary>A tuple <c>(a, b, ...)</c> (at least one item).</summary>
public sealed record TupleParam(ImmutableArray<ParamValue> Items) : ParamValue
{
    /// <inheritdoc />
    public override string ToString() => "(" + string.Join(",", Items) + ")";
    /// <inheritdoc />
    public bool Equals(TupleParam? other) => other is not null && Items.SequenceEqual(other.Items);
    /// <inheritdoc />
    public override int GetHashCode() => Items.Aggregate(1, (h, x) => h * 31 + x.GetHashCode());
}

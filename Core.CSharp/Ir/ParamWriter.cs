using System.Collections.Immutable;

namespace ArrayLang.Ir;

/// <summary>Collects a primitive's params as an ordered key/value list (for printing and equality).</summary>
public sealed class ParamWriter
{
    private readonly List<KeyValuePair<string, ParamValue>> _items = [];

    /// <summary>The pairs written so far, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, ParamValue>> Items => _items;

    /// <summary>Writes any value.</summary>
    public ParamWriter Value(string key, ParamValue value) { _items.Add(new(key, value)); return this; }

    /// <summary>Writes an integer.</summary>
    public ParamWriter Int(string key, long value) => Value(key, new IntParam(value));

    /// <summary>Writes a bool.</summary>
    public ParamWriter Bool(string key, bool value) => Value(key, new BoolParam(value));

    /// <summary>Writes a dtype.</summary>
    public ParamWriter DType(string key, DType value) => Value(key, new DTypeParam(value));

    /// <summary>Writes an integer list <c>[a,b]</c>.</summary>
    public ParamWriter Ints(string key, IEnumerable<int> values) => Value(key, IntList(values));

    /// <summary>Writes a pair of integer lists <c>([a],[b])</c>.</summary>
    public ParamWriter IntsPair(string key, IEnumerable<int> left, IEnumerable<int> right) =>
        Value(key, new TupleParam([IntList(left), IntList(right)]));

    private static ListParam IntList(IEnumerable<int> values) =>
        new(values.Select(v => (ParamValue)new IntParam(v)).ToImmutableArray());
}

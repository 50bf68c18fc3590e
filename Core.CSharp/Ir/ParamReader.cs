namespace ArrayLang.Ir;

/// <summary>
/// Reads a primitive's params from the key/value pairs of the text form, applying defaults and
/// rejecting missing, unknown, duplicate and ill-formed keys with a message naming the primitive
/// and the key. A primitive's <c>ReadParams</c> reads each key once, then calls <see cref="Done"/>.
/// </summary>
public sealed class ParamReader
{
    private readonly string _primitive;
    private readonly Dictionary<string, ParamValue> _values = new();
    private readonly HashSet<string> _read = [];

    /// <summary>Creates a reader over the given pairs for primitive <paramref name="primitive"/>.</summary>
    public ParamReader(string primitive, IEnumerable<KeyValuePair<string, ParamValue>> pairs)
    {
        _primitive = primitive;
        foreach (var kv in pairs)
            if (!_values.TryAdd(kv.Key, kv.Value))
                throw Error($"parameter '{kv.Key}' is given twice");
    }

    /// <summary>A reader with no pairs (every param takes its default).</summary>
    public static ParamReader Empty(string primitive) => new(primitive, []);

    private IrException Error(string message) => new ParamException($"{_primitive}: {message}");

    private ParamValue? Take(string key)
    {
        _read.Add(key);
        return _values.TryGetValue(key, out var v) ? v : null;
    }

    private ParamValue Required(string key) =>
        Take(key) ?? throw Error($"missing parameter '{key}'");

    /// <summary>An integer param, required.</summary>
    public int Int(string key) => AsInt(key, Required(key));

    /// <summary>An integer param with a default.</summary>
    public int Int(string key, int defaultValue) => Take(key) is { } v ? AsInt(key, v) : defaultValue;

    /// <summary>A bool param with a default.</summary>
    public bool Bool(string key, bool defaultValue) => Take(key) switch
    {
        null => defaultValue,
        BoolParam b => b.Value,
        var v => throw Error($"parameter '{key}' expects true or false, found {v}"),
    };

    /// <summary>A dtype param with a default.</summary>
    public DType DType(string key, DType defaultValue) => Take(key) switch
    {
        null => defaultValue,
        DTypeParam d => d.Value,
        var v => throw Error($"parameter '{key}' expects a dtype (f32, f64, i32, bool), found {v}"),
    };

    /// <summary>An integer list param, required.</summary>
    public int[] Ints(string key) => AsInts(key, Required(key));

    /// <summary>An integer list param with a default (computed only when absent).</summary>
    public int[] Ints(string key, Func<int[]> defaultValue) => Take(key) is { } v ? AsInts(key, v) : defaultValue();

    /// <summary>A pair of integer lists <c>([..],[..])</c> with a default.</summary>
    public (int[] Left, int[] Right) IntsPair(string key, (int[], int[])? defaultValue = null)
    {
        var v = Take(key);
        if (v is null)
            return defaultValue ?? throw Error($"missing parameter '{key}'");
        if (v is TupleParam { Items.Length: 2 } t)
            return (AsInts(key, t.Items[0]), AsInts(key, t.Items[1]));
        throw Error($"parameter '{key}' expects a pair of lists like ([1],[0]), found {v}");
    }

    /// <summary>Fails if a key was given that the primitive does not take.</summary>
    public void Done()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            var known = _read.Count == 0 ? "none" : string.Join(", ", _read);
            throw Error($"unknown parameter '{unknown[0]}' (this primitive takes: {known})");
        }
    }

    private int AsInt(string key, ParamValue v) => v is IntParam i && i.Value is >= int.MinValue and <= int.MaxValue
        ? (int)i.Value
        : throw Error($"parameter '{key}' expects an integer, found {v}");

    private int[] AsInts(string key, ParamValue v) => v is ListParam l
        ? l.Items.Select(x => AsInt(key, x)).ToArray()
        : throw Error($"parameter '{key}' expects a list of integers like [0,1], found {v}");
}

using ArrayLang.Ir;

namespace ArrayLang.Tracing;

/// <summary>
/// What one axis of an indexing expression takes: a position (an <c>int</c> or a
/// <see cref="System.Index"/> such as <c>^1</c>, which removes the axis), a <see cref="System.Range"/>
/// such as <c>1..^1</c> or <c>..</c> (which keeps it), or a run-time index (an i32 scalar
/// <see cref="Tensor"/>, clamped into range, which removes the axis). Each converts implicitly, so
/// C# writes <c>x[1..^1]</c>, <c>x[^1]</c>, <c>x[.., 0]</c> or <c>x[i, ..]</c>.
/// </summary>
public readonly struct AxisIndex
{
    private AxisIndex(Index? position, Range? range, Tensor? dynamic)
    {
        Position = position;
        Range = range;
        Dynamic = dynamic;
    }

    /// <summary>The static position, when this axis is indexed by one.</summary>
    public Index? Position { get; }
    /// <summary>The range of positions kept, when this axis is sliced.</summary>
    public Range? Range { get; }
    /// <summary>The run-time index, when this axis is indexed by a traced value.</summary>
    public Tensor? Dynamic { get; }

    /// <summary>Every position of the axis (<c>..</c>).</summary>
    public static AxisIndex All => new(null, System.Range.All, null);

    /// <summary>The positions <c>[start, stop)</c>; null means the start (the end) of the axis, and a
    /// negative position counts from the end.</summary>
    public static AxisIndex Between(int? start, int? stop) =>
        new(null, new Range(start is int s ? FromSigned(s) : System.Index.Start, stop is int e ? FromSigned(e) : System.Index.End), null);

    private static Index FromSigned(int p) => p < 0 ? System.Index.FromEnd(-p) : System.Index.FromStart(p);

    /// <summary>A position; negative counts from the end (<c>-1</c> is the last).</summary>
    public static implicit operator AxisIndex(int position) => new(FromSigned(position), null, null);
    /// <summary>A position, possibly from the end (<c>^1</c> is the last).</summary>
    public static implicit operator AxisIndex(Index position) => new(position, null, null);
    /// <summary>A range of positions, kept as an axis.</summary>
    public static implicit operator AxisIndex(Range range) => new(null, range, null);
    /// <summary>A run-time index: an i32 scalar tensor, clamped into range.</summary>
    public static implicit operator AxisIndex(Tensor index) => new(null, null, index);
}

// Indexing and slicing, NumPy's basic indexing: one entry per leading axis (the axes after them are
// kept whole). Static positions and ranges become one `slice`, run-time indices one `dynamic_slice`,
// and the indexed axes are removed with one `squeeze`; the IR stays explicit.
public sealed partial class Tensor
{
    /// <summary>Element <paramref name="i"/> along axis 0 (static index; negative counts from the end).</summary>
    public Tensor this[int i] => Index([i]);

    /// <summary>Element <paramref name="i"/> along axis 0 at a run-time index (clamped into range).</summary>
    public Tensor this[Tensor i] => Index([i]);

    /// <summary>
    /// NumPy's basic indexing with C#'s indices and ranges: <c>x[1..^1]</c>, <c>x[^1]</c>,
    /// <c>x[.., 0]</c>, <c>x[i, ..]</c> with a traced <c>i</c>. Axes not given are kept whole.
    /// </summary>
    public Tensor this[params AxisIndex[] axes] => Index(axes);

    /// <summary>Indexes and slices the leading axes, one entry per axis (see <see cref="AxisIndex"/>).</summary>
    public Tensor Index(params AxisIndex[] axes)
    {
        if (axes.Length > Rank)
            throw Located($"indexing: {axes.Length} indices were given for a {Type} tensor of rank {Rank}", new ArgumentException(nameof(axes)));
        var start = new int[Rank];
        var limit = Shape.ToArray();
        var removed = new List<int>();
        var dynamic = new Tensor?[Rank];
        for (int a = 0; a < axes.Length; a++)
        {
            int n = Shape[a];
            var ix = axes[a];
            if (ix.Dynamic is { } t)
            {
                dynamic[a] = t;
                removed.Add(a);
            }
            else if (ix.Position is { } p)
            {
                int k = p.IsFromEnd ? n - p.Value : p.Value;
                if (k < 0 || k >= n)
                    throw Located($"index {(p.IsFromEnd ? "^" + p.Value : p.Value.ToString())} is out of range for axis {a} of a {Type} tensor", new ArgumentOutOfRangeException(nameof(axes)));
                (start[a], limit[a]) = (k, k + 1);
                removed.Add(a);
            }
            else
            {
                var r = ix.Range!.Value;
                int s = r.Start.IsFromEnd ? n - r.Start.Value : r.Start.Value;
                int e = r.End.IsFromEnd ? n - r.End.Value : r.End.Value;
                if (s < 0 || e > n || s > e)
                    throw Located($"the range {r} (positions {s} to {e}) is out of range for axis {a} of a {Type} tensor (size {n})", new ArgumentOutOfRangeException(nameof(axes)));
                (start[a], limit[a]) = (s, e);
            }
        }
        var result = start.All(s => s == 0) && limit.SequenceEqual(Shape) ? this : Slice(start, limit);
        if (dynamic.Any(d => d is not null))
        {
            var zero = new Tensor(Context, new Literal(DType.I32, 0));
            var sizes = result.Shape.ToArray();
            for (int a = 0; a < Rank; a++) if (dynamic[a] is not null) sizes[a] = 1;
            result = result.DynamicSlice(dynamic.Select(d => d ?? zero).ToArray(), sizes);
        }
        return removed.Count == 0 ? result : result.Squeeze([.. removed]);
    }

    private static TraceException Located(string message, Exception inner)
    {
        var where = UserSource.Find();
        return new TraceException($"{(where is null ? "" : where + ": ")}{message}", where, inner);
    }
}

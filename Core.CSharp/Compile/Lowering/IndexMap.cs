using System.Collections.Immutable;
using ArrayLang.Ir;

namespace ArrayLang.Compile.Lowering;

/// <summary>
/// How a kernel reads a buffer over its iteration domain: the element at domain index
/// <c>(i_0, ..., i_r-1)</c> is <c>buffer[Offset + sum_d i_d * Strides[d]]</c>. One map folds
/// every static data movement of IR.md into the read (Note [views fold into index maps]):
/// <c>broadcast_in_dim</c> and <c>expand_dims</c> give stride 0, <c>transpose</c> permutes
/// strides, <c>rev</c> negates a stride and moves the offset, <c>slice</c> moves the offset and
/// multiplies strides, and <c>reshape</c>/<c>squeeze</c> restride where the layout allows it.
/// </summary>
/// <remarks>
/// Note [views fold into index maps]: a shape operation computes nothing, so a fused kernel
/// never materializes one. Lowering keeps such a variable as a view (a buffer and a map) and the
/// kernel that reads it applies the map; only a consumer that needs a dense row-major buffer (a
/// primitive kernel, a function result) makes a copy. A <c>reshape</c> that no strides can
/// express (merging axes that are not contiguous in memory) is the one view that forces a copy.
/// </remarks>
public sealed class IndexMap : IEquatable<IndexMap>
{
    /// <summary>Creates a map from an element offset and one stride per domain dimension.</summary>
    public IndexMap(long offset, IEnumerable<long> strides)
    {
        Offset = offset;
        Strides = strides.ToImmutableArray();
    }

    /// <summary>The element offset of domain index zero.</summary>
    public long Offset { get; }

    /// <summary>The element stride of each domain dimension (0 broadcasts, negative reverses).</summary>
    public ImmutableArray<long> Strides { get; }

    /// <summary>The number of domain dimensions.</summary>
    public int Rank => Strides.Length;

    /// <summary>The dense row-major layout of <paramref name="shape"/>.</summary>
    public static IndexMap RowMajor(Shape shape)
    {
        var s = new long[shape.Rank];
        long acc = 1;
        for (int i = shape.Rank - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return new IndexMap(0, s);
    }

    /// <summary>
    /// True when reading <paramref name="shape"/> through this map visits the buffer densely in
    /// row-major order from element 0 (strides of size-1 dimensions do not matter).
    /// </summary>
    public bool IsRowMajor(Shape shape)
    {
        if (shape.ElementCount == 0) return true;
        if (Offset != 0) return false;
        var rm = RowMajor(shape);
        for (int i = 0; i < Rank; i++)
            if (shape[i] != 1 && Strides[i] != rm.Strides[i]) return false;
        return true;
    }

    /// <summary>The map after <c>transpose[perm]</c>: result dim <c>i</c> reads operand dim <c>perm[i]</c>.</summary>
    public IndexMap Transpose(IReadOnlyList<int> perm) => new(Offset, perm.Select(p => Strides[p]));

    /// <summary>The map after <c>broadcast_in_dim</c> of an operand of shape <paramref name="operand"/>.</summary>
    public IndexMap BroadcastInDim(Shape operand, IReadOnlyList<int> resultShape, IReadOnlyList<int> dims)
    {
        var s = new long[resultShape.Count];
        for (int i = 0; i < dims.Count; i++)
            s[dims[i]] = operand[i] == 1 ? 0 : Strides[i];
        return new IndexMap(Offset, s);
    }

    /// <summary>The map after <c>rev[dims]</c> over a domain of shape <paramref name="shape"/>.</summary>
    public IndexMap Rev(Shape shape, IReadOnlyList<int> dims)
    {
        var s = Strides.ToArray();
        long offset = Offset;
        foreach (var d in dims)
        {
            if (shape[d] == 0) continue;
            offset += (shape[d] - 1) * s[d];
            s[d] = -s[d];
        }
        return new IndexMap(offset, s);
    }

    /// <summary>The map after a static <c>slice</c> with the given starts and strides.</summary>
    public IndexMap Slice(IReadOnlyList<int> start, IReadOnlyList<int> stride)
    {
        long offset = Offset;
        var s = new long[Rank];
        for (int d = 0; d < Rank; d++)
        {
            offset += start[d] * Strides[d];
            s[d] = Strides[d] * stride[d];
        }
        return new IndexMap(offset, s);
    }

    /// <summary>The map after <c>squeeze[dims]</c> (the listed size-1 dimensions removed).</summary>
    public IndexMap Squeeze(IReadOnlyCollection<int> dims) =>
        new(Offset, Strides.Where((_, i) => !dims.Contains(i)));

    /// <summary>The map after <c>expand_dims[dims]</c> (size-1 dimensions at the listed result positions).</summary>
    public IndexMap ExpandDims(IReadOnlyCollection<int> dims)
    {
        var s = new List<long>();
        int src = 0;
        for (int i = 0; i < Rank + dims.Count; i++)
            s.Add(dims.Contains(i) ? 0 : Strides[src++]);
        return new IndexMap(Offset, s);
    }

    /// <summary>
    /// The map after <c>reshape</c> from <paramref name="from"/> to <paramref name="to"/> when strides can
    /// express it (NumPy's no-copy reshape: each group of merged or split dimensions must be
    /// contiguous), else null.
    /// </summary>
    public IndexMap? Reshape(Shape from, Shape to)
    {
        if (from.ElementCount == 0) return new IndexMap(0, new long[to.Rank]);
        // Drop size-1 dimensions: their strides never matter.
        var oldDims = new List<long>();
        var oldStrides = new List<long>();
        for (int i = 0; i < from.Rank; i++)
            if (from[i] != 1) { oldDims.Add(from[i]); oldStrides.Add(Strides[i]); }
        var result = new long[to.Rank];
        int oi = 0, ni = 0;
        while (ni < to.Rank)
        {
            if (to[ni] == 1) { result[ni++] = 0; continue; }
            // Grow a group of old dims [oi, oj) and new dims [ni, nj) until their products match.
            int oj = oi + 1, nj = ni + 1;
            long op = oldDims[oi], np = to[ni];
            while (op != np)
            {
                if (op < np) op *= oldDims[oj++];
                else np *= to[nj++];
            }
            for (int k = oi; k < oj - 1; k++)
                if (oldStrides[k] != oldStrides[k + 1] * oldDims[k + 1]) return null;
            long stride = oldStrides[oj - 1];
            for (int k = nj - 1; k >= ni; k--)
            {
                result[k] = to[k] == 1 ? 0 : stride;
                stride *= to[k];
            }
            oi = oj;
            ni = nj;
        }
        return new IndexMap(Offset, result);
    }

    /// <summary>The map with its domain dimensions reordered: new dim <c>i</c> is old dim <c>order[i]</c>.</summary>
    public IndexMap Permute(IReadOnlyList<int> order) => new(Offset, order.Select(o => Strides[o]));

    /// <inheritdoc />
    public bool Equals(IndexMap? other) => other is not null && other.Offset == Offset && other.Strides.SequenceEqual(Strides);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as IndexMap);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Offset);
        foreach (var s in Strides) h.Add(s);
        return h.ToHashCode();
    }

    /// <summary><c>+offset (s0,s1,...)</c>.</summary>
    public override string ToString() => $"+{Offset} ({string.Join(",", Strides)})";
}

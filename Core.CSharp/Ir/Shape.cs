using System.Collections;

namespace ArrayLang.Ir;

/// <summary>An immutable array shape (row-major). <c>Shape.Scalar</c> has rank 0.</summary>
public sealed class Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[] _dims;

    /// <summary>The shape of a scalar.</summary>
    public static readonly Shape Scalar = new([]);

    /// <summary>Creates a shape; every dimension must be non-negative.</summary>
    public Shape(params int[] dims)
    {
        foreach (var d in dims)
            if (d < 0) throw new ArgumentException($"a shape's dimensions must be >= 0, found [{string.Join(",", dims)}]");
        _dims = (int[])dims.Clone();
    }

    /// <summary>Creates a shape from a sequence of dimensions.</summary>
    public Shape(IEnumerable<int> dims) : this(dims.ToArray()) { }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims.Length;

    /// <summary>Number of dimensions (same as <see cref="Rank"/>).</summary>
    public int Count => _dims.Length;

    /// <summary>The size of dimension <paramref name="axis"/>.</summary>
    public int this[int axis] => _dims[axis];

    /// <summary>The product of the dimensions (1 for a scalar), as a long so large batches don't
    /// overflow; a product beyond <see cref="long.MaxValue"/> (many huge dimensions) gives <see cref="long.MaxValue"/>.</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in _dims)
            {
                if (d == 0) return 0;
                n = n > long.MaxValue / d ? long.MaxValue : n * d;
            }
            return n;
        }
    }

    /// <summary>The product of the dimensions as an int; throws if it does not fit.</summary>
    public int Size => checked((int)ElementCount);

    /// <summary>A copy of the dimensions.</summary>
    public int[] ToArray() => (int[])_dims.Clone();

    /// <summary>Row-major strides in elements.</summary>
    public int[] Strides()
    {
        var s = new int[_dims.Length];
        int acc = 1;
        for (int i = _dims.Length - 1; i >= 0; i--) { s[i] = acc; acc *= _dims[i]; }
        return s;
    }

    /// <summary>This shape with <paramref name="size"/> inserted at <paramref name="axis"/>.</summary>
    public Shape Insert(int axis, int size)
    {
        var l = _dims.ToList(); l.Insert(axis, size); return new Shape(l);
    }

    /// <summary>This shape without dimension <paramref name="axis"/>.</summary>
    public Shape Remove(int axis)
    {
        var l = _dims.ToList(); l.RemoveAt(axis); return new Shape(l);
    }

    /// <summary>This shape with dimension <paramref name="axis"/> replaced by <paramref name="size"/>.</summary>
    public Shape With(int axis, int size)
    {
        var a = ToArray(); a[axis] = size; return new Shape(a);
    }

    /// <inheritdoc />
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)_dims).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _dims.GetEnumerator();

    /// <inheritdoc />
    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);
    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Shape);
    /// <inheritdoc />
    public override int GetHashCode()
    {
        int h = 17;
        foreach (var d in _dims) h = h * 31 + d;
        return h;
    }
    /// <summary>Structural equality.</summary>
    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);
    /// <summary>Structural inequality.</summary>
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);

    /// <summary>The text form, <c>[3,4]</c>.</summary>
    public override string ToString() => "[" + string.Join(",", _dims) + "]";
}

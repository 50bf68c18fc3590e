using ArrayLang.Ir;

namespace ArrayLang.Values;

/// <summary>Whole-array helpers over <see cref="NDArray"/>: slicing out and stacking along an axis
/// (what "vmap equals a loop" is stated with), and tolerant comparison.</summary>
public static class ArrayOps
{
    /// <summary>Example <paramref name="index"/> of <paramref name="x"/> along <paramref name="axis"/> (the axis is removed).</summary>
    public static NDArray Index(NDArray x, int axis, int index)
    {
        var s = x.Shape;
        if (axis < 0 || axis >= s.Rank) throw new ArgumentException($"axis {axis} is out of range for {x.Type}");
        if (index < 0 || index >= s[axis]) throw new ArgumentException($"index {index} is out of range for axis {axis} of {x.Type}");
        var outShape = s.Remove(axis);
        var r = NDArray.Zeros(new AVal(x.DType, outShape));
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= s[i];
        for (int i = axis + 1; i < s.Rank; i++) inner *= s[i];
        for (long o = 0; o < outer; o++)
            Array.Copy(x.Data, (o * s[axis] + index) * inner, r.Data, o * inner, inner);
        return r;
    }

    /// <summary>Stacks equal-typed arrays along a new axis <paramref name="axis"/>; <paramref name="elementType"/>
    /// gives the type when the list is empty.</summary>
    public static NDArray Stack(IReadOnlyList<NDArray> items, int axis, AVal elementType)
    {
        foreach (var it in items)
            if (it.Type != elementType) throw new ArgumentException($"cannot stack {it.Type} with {elementType}");
        var s = elementType.Shape;
        if (axis < 0 || axis > s.Rank) throw new ArgumentException($"axis {axis} is out of range to stack {elementType}");
        var outShape = s.Insert(axis, items.Count);
        var r = NDArray.Zeros(new AVal(elementType.DType, outShape));
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= s[i];
        for (int i = axis; i < s.Rank; i++) inner *= s[i];
        for (int b = 0; b < items.Count; b++)
            for (long o = 0; o < outer; o++)
                Array.Copy(items[b].Data, o * inner, r.Data, (o * items.Count + b) * inner, inner);
        return r;
    }

    /// <summary>
    /// True when the arrays have one type and every element agrees: exactly for i32 and bool, and for
    /// floats within <c>|a-b| &lt;= atol + rtol*|b|</c> (NaN matches NaN, infinities must be equal).
    /// </summary>
    public static bool AllClose(NDArray a, NDArray b, double rtol, double atol)
    {
        if (a.Type != b.Type) return false;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a.GetDouble(i), y = b.GetDouble(i);
            if (!a.DType.IsFloat()) { if (x != y) return false; continue; }
            if (double.IsNaN(x) || double.IsNaN(y)) { if (double.IsNaN(x) != double.IsNaN(y)) return false; continue; }
            if (double.IsInfinity(x) || double.IsInfinity(y)) { if (x != y) return false; continue; }
            if (Math.Abs(x - y) > atol + rtol * Math.Abs(y)) return false;
        }
        return true;
    }
}

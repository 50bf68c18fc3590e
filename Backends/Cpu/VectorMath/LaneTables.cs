using System.Runtime.Intrinsics;

namespace ArrayLang.Backends.Cpu;

/// <summary>
/// Table lookups for machines without AVX-512's 16-entry permute: lane by lane, slower but with
/// the same results (a lookup only copies a table entry).
/// </summary>
internal static class LaneTables
{
    /// <summary>Per lane, <c>table[index &amp; 15]</c>.</summary>
    public static Vector512<float> Lookup(Vector512<float> table, Vector512<int> index)
    {
        var result = Vector512<float>.Zero;
        for (int i = 0; i < Vector512<float>.Count; i++) result = result.WithElement(i, table.GetElement(index.GetElement(i) & 15));
        return result;
    }

    /// <summary>Per lane, <c>table[index &amp; 15]</c>.</summary>
    public static Vector256<float> Lookup(Vector512<float> table, Vector256<int> index)
    {
        var result = Vector256<float>.Zero;
        for (int i = 0; i < Vector256<float>.Count; i++) result = result.WithElement(i, table.GetElement(index.GetElement(i) & 15));
        return result;
    }

    /// <summary>Per lane, <c>table[index &amp; 15]</c>.</summary>
    public static Vector128<float> Lookup(Vector512<float> table, Vector128<int> index)
    {
        var result = Vector128<float>.Zero;
        for (int i = 0; i < Vector128<float>.Count; i++) result = result.WithElement(i, table.GetElement(index.GetElement(i) & 15));
        return result;
    }

    /// <summary>A 16-entry table as one vector (its values must be exactly 16).</summary>
    public static Vector512<float> Of(ReadOnlySpan<float> values)
    {
        if (values.Length != 16) throw new ArgumentException($"a lane table needs exactly 16 values, found {values.Length}", nameof(values));
        return Vector512.Create(values);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ArrayLang.Backends.Cpu;

/// <summary>
/// Table lookups for machines without AVX-512's 16-entry permute: AVX2 permutes, SSSE3 or NEON byte
/// shuffles, or lane by lane, each with the same results (a lookup only copies a table entry).
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

    /// <summary>Per lane, <c>table[index &amp; 15]</c> with AVX2: two 8-entry permutes and a select on bit 3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Lookup(Vector512<float> table, Vector256<int> index)
    {
        var lower = Avx2.PermuteVar8x32(table.GetLower(), index);
        var upper = Avx2.PermuteVar8x32(table.GetUpper(), index);
        var eight = Vector256.Create(8);
        return Vector256.ConditionalSelect(Vector256.Equals(index & eight, eight).AsSingle(), upper, lower);
    }

    /// <summary>
    /// Per lane, <c>table[index &amp; 15]</c> with byte shuffles: NEON looks up the four table
    /// registers at once; SSSE3 shuffles each quarter of the table and selects by bits 2-3.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Lookup(Vector512<float> table, Vector128<int> index)
    {
        var i = index & Vector128.Create(15);
        // Each lane's four byte indices 4i .. 4i+3: 4i replicated into every byte, plus 0, 1, 2, 3.
        var bytes = ((i << 2) * Vector128.Create(0x01010101) + Vector128.Create(0x03020100)).AsByte();
        var q0 = table.GetLower().GetLower().AsByte();
        var q1 = table.GetLower().GetUpper().AsByte();
        var q2 = table.GetUpper().GetLower().AsByte();
        var q3 = table.GetUpper().GetUpper().AsByte();
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.VectorTableLookup((q0, q1, q2, q3), bytes).AsSingle();
        var quarter = i >>> 2;
        var r0 = Ssse3.Shuffle(q0, bytes).AsSingle();
        var r1 = Ssse3.Shuffle(q1, bytes).AsSingle();
        var r2 = Ssse3.Shuffle(q2, bytes).AsSingle();
        var r3 = Ssse3.Shuffle(q3, bytes).AsSingle();
        var low = Vector128.ConditionalSelect(Vector128.Equals(quarter, Vector128.Create(1)).AsSingle(), r1, r0);
        var high = Vector128.ConditionalSelect(Vector128.Equals(quarter, Vector128.Create(3)).AsSingle(), r3, r2);
        return Vector128.ConditionalSelect(Vector128.GreaterThan(quarter, Vector128.Create(1)).AsSingle(), high, low);
    }

    /// <summary>Per lane, <c>table[index &amp; 15]</c>, one lane at a time (no permute instructions).</summary>
    public static Vector256<float> LookupByLane(Vector512<float> table, Vector256<int> index)
    {
        var result = Vector256<float>.Zero;
        for (int i = 0; i < Vector256<float>.Count; i++) result = result.WithElement(i, table.GetElement(index.GetElement(i) & 15));
        return result;
    }

    /// <summary>Per lane, <c>table[index &amp; 15]</c>, one lane at a time (no shuffle instructions).</summary>
    public static Vector128<float> LookupByLane(Vector512<float> table, Vector128<int> index)
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

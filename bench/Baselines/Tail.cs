using System.Runtime.Intrinsics;

namespace ArrayLang.Bench.Baselines;

/// <summary>
/// The last partial vector of a hand-fused loop: fewer than 16 floats are copied into a zero-padded
/// vector, computed with the same vector code as the rest, and copied back, so the tail gets exactly
/// the same arithmetic as the body.
/// </summary>
public static class Tail
{
    /// <summary>Loads <c>span[start..start+count)</c> (count &lt; 16) into a vector padded with zeros.</summary>
    public static Vector512<float> Load(ReadOnlySpan<float> span, int start, int count)
    {
        Span<float> buf = stackalloc float[Vector512<float>.Count];
        buf.Clear();
        span.Slice(start, count).CopyTo(buf);
        return Vector512.Create<float>(buf);
    }

    /// <summary>Stores the first <paramref name="count"/> lanes of <paramref name="v"/> at <c>span[start..]</c>.</summary>
    public static void Store(Vector512<float> v, Span<float> span, int start, int count)
    {
        Span<float> buf = stackalloc float[Vector512<float>.Count];
        v.CopyTo(buf);
        buf[..count].CopyTo(span.Slice(start, count));
    }
}

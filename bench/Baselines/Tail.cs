using System.Runtime.InteropServices;

namespace ArrayLang.Bench.Baselines;

/// <summary>
/// The last partial vector of a hand-fused loop: fewer than a vector's lanes are copied into a
/// zero-padded vector, computed with the same vector code as the rest, and copied back, so the tail
/// gets exactly the same arithmetic as the body.
/// </summary>
public static class Tail
{
    /// <summary>Loads <c>span[start..start+count)</c> (count below <c>TV.Count</c>) into a vector padded with zeros.</summary>
    public static TV Load<TV>(ReadOnlySpan<float> span, int start, int count) where TV : struct, ISimd<TV, float>
    {
        Span<float> buf = stackalloc float[TV.Count];
        buf.Clear();
        span.Slice(start, count).CopyTo(buf);
        return TV.Load(ref MemoryMarshal.GetReference(buf), 0);
    }

    /// <summary>Stores the first <paramref name="count"/> lanes of <paramref name="v"/> at <c>span[start..]</c>.</summary>
    public static void Store<TV>(TV v, Span<float> span, int start, int count) where TV : struct, ISimd<TV, float>
    {
        Span<float> buf = stackalloc float[TV.Count];
        TV.Store(v, ref MemoryMarshal.GetReference(buf), 0);
        buf[..count].CopyTo(span.Slice(start, count));
    }
}

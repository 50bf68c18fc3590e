namespace ArrayLang.Bench.Baselines;

/// <summary>
/// Splits work over the machine's cores the way a C# programmer would: one contiguous part per
/// core (two halves on a 2-core machine), run with <see cref="Parallel.For(int, int, Action{int})"/>.
/// </summary>
public static class Cores
{
    /// <summary>How many parts the work is split into: the logical processor count.</summary>
    public static int Count => Environment.ProcessorCount;

    /// <summary>
    /// Runs <paramref name="body"/>(start, end) on at most <see cref="Count"/> contiguous parts of
    /// [0, n), each part's start a multiple of <paramref name="align"/> (so vector loops stay aligned
    /// to a lane block); empty parts are skipped.
    /// </summary>
    public static void For(int n, Action<int, int> body, int align = 1) => For(n, (_, s, e) => body(s, e), align);

    /// <summary>As <see cref="For(int, Action{int, int}, int)"/>, also passing the part's index
    /// (below <see cref="Count"/>), so a part can use its own scratch buffer.</summary>
    public static void For(int n, Action<int, int, int> body, int align = 1)
    {
        int parts = Math.Max(1, Math.Min(Count, n / Math.Max(1, align)));
        if (parts == 1) { body(0, 0, n); return; }
        Parallel.For(0, parts, p =>
        {
            int start = Boundary(n, p, parts, align), end = Boundary(n, p + 1, parts, align);
            if (end > start) body(p, start, end);
        });
    }

    private static int Boundary(int n, int p, int parts, int align) =>
        p == parts ? n : (int)((long)n * p / parts / align * align);
}

namespace ArrayLang.Backends.Cpu.Runtime;

/// <summary>
/// Runs the items of a kernel (tiles, row blocks, lane tiles) on all cores. Note [fixed
/// partition]: a kernel splits its work into items whose boundaries depend only on the shapes
/// (never on the thread count), each item writes its own part of the outputs, and partial results
/// of a split reduction are combined afterwards in item order. So results are the same bits for
/// any number of threads, and which thread runs an item does not matter.
/// </summary>
internal static class CpuParallel
{
    /// <summary>Below this many elements of work a kernel runs on the calling thread.</summary>
    public const long ParallelThreshold = 1 << 15;

    /// <summary>
    /// Runs <paramref name="body"/> for every item in <c>[0, count)</c> with a per-thread state from
    /// <paramref name="init"/> (released by <paramref name="finish"/>); in parallel when
    /// <paramref name="parallel"/> and there is more than one item and more than one thread.
    /// </summary>
    public static void For<TState>(int count, bool parallel, int maxThreads, Func<TState> init, Action<int, TState> body,
        Action<TState> finish)
    {
        if (count <= 0) return;
        if (!parallel || count == 1 || maxThreads == 1)
        {
            var s = init();
            try
            {
                for (int i = 0; i < count; i++) body(i, s);
            }
            finally { finish(s); }
            return;
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxThreads };
        Parallel.For(0, count, options, init, (i, _, s) => { body(i, s); return s; }, finish);
    }
}

/// <summary>
/// Per-thread scratch memory for tiles: a thread takes the array it cached (or a new one) and
/// gives it back when its item is done, so nested use on one thread (a sub-program run from
/// inside a kernel) gets a second array instead of sharing the first.
/// </summary>
internal static class ScratchPool
{
    [ThreadStatic] private static byte[]? _cached;

    /// <summary>An array of at least <paramref name="bytes"/> bytes (contents undefined).</summary>
    public static byte[] Rent(int bytes)
    {
        var a = _cached;
        _cached = null;
        if (a is null || a.Length < bytes) a = GC.AllocateUninitializedArray<byte>(Math.Max(bytes, 64 * 1024));
        return a;
    }

    /// <summary>Returns an array to this thread's cache.</summary>
    public static void Return(byte[] array)
    {
        if (_cached is null || _cached.Length < array.Length) _cached = array;
    }
}

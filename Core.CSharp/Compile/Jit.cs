using System.Collections.Concurrent;
using ArrayLang.Ir;

namespace ArrayLang.Compile;

/// <summary>
/// Compiles functions once per backend and caches the executables by the function's structure:
/// two alpha-equivalent functions (equal, with the same <see cref="Function.StableHash"/>) share one
/// executable. The parameter types are part of the function, so they are part of the key. The cache
/// is bounded in entries (<see cref="MaxEntries"/>) and in the bytes its executables keep
/// (<see cref="MaxBytes"/>); the least recently used executables are evicted first
/// (Note [bounded jit cache]).
/// </summary>
public static class Jit
{
    // Note [bounded jit cache]: a program that compiles many distinct functions (eager calls on
    // ever new shapes, generated programs) must not keep every executable for good: 5,000 distinct
    // functions once held 113 MB. The cache keeps at most MaxEntries executables and about MaxBytes
    // of what they keep between calls (IExecutable.RetainedBytes: pooled arenas, constants, code).
    //
    // - A hit takes no lock: a lock-free dictionary read, then the entry's last-use stamp is set
    //   from one atomic counter (the stamps order the uses exactly, which is what LRU needs).
    // - A miss compiles outside any lock (Lazy: one compile per key even when threads race), then
    //   admits the entry under Gate, which evicts least recently used entries until both bounds
    //   hold again. Eviction scans the entries (linear in MaxEntries), which is small next to the
    //   compile that caused it. The entry just admitted is never evicted by its own admission, so
    //   one executable larger than MaxBytes is still cached and not recompiled on every call.
    // - Evicting only drops the cache's reference: a caller that holds the executable keeps a
    //   working one. The cache asks it to let go of idle memory (IExecutable.ReleaseIdle: the CPU's
    //   pooled arenas); the rest is the garbage collector's once no caller refers to it.
    // - A compile that throws is not cached: the next call compiles again.

    /// <summary>The environment variable that sets <see cref="MaxEntries"/> at start-up.</summary>
    public const string EntriesVariable = "ARRAYLANG_JIT_CACHE_ENTRIES";

    /// <summary>The environment variable that sets <see cref="MaxBytes"/> at start-up.</summary>
    public const string BytesVariable = "ARRAYLANG_JIT_CACHE_BYTES";

    /// <summary>The default of <see cref="MaxEntries"/>.</summary>
    public const int DefaultMaxEntries = 1024;

    /// <summary>The default of <see cref="MaxBytes"/>: 1 GiB.</summary>
    public const long DefaultMaxBytes = 1L << 30;

    private sealed class Entry(Lazy<IExecutable> executable)
    {
        public readonly Lazy<IExecutable> Executable = executable;

        /// <summary>A stamp of <see cref="useClock"/>, written on every use without a lock.</summary>
        public long LastUse;

        /// <summary>Counted in the bounds (set once, under <see cref="Gate"/>).</summary>
        public bool Admitted;

        /// <summary>What it was counted for in <see cref="admittedBytes"/>.</summary>
        public long Bytes;
    }

    private static readonly ConcurrentDictionary<(string Backend, Function Function), Entry> Cache = new();

    /// <summary>Taken to admit and evict, never on a hit.</summary>
    private static readonly object Gate = new();

    private static long useClock;
    private static int admittedCount;
    private static long admittedBytes;
    private static long evictions;
    private static int maxEntries = DefaultMaxEntries;
    private static long maxBytes = DefaultMaxBytes;

    /// <summary>What is wrong with the environment variables, or null; reported by every compile.</summary>
    private static readonly string? EnvironmentError = ReadEnvironment();

    /// <summary>
    /// The most executables the cache keeps (default 1,024, or <c>ARRAYLANG_JIT_CACHE_ENTRIES</c>).
    /// Lowering it evicts at once.
    /// </summary>
    public static int MaxEntries
    {
        get => Volatile.Read(ref maxEntries);
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "Jit.MaxEntries must be at least 1");
            lock (Gate)
            {
                maxEntries = value;
                EvictOverBounds(keep: null);
            }
        }
    }

    /// <summary>
    /// About how many bytes the cached executables may keep between calls, summed over the cache
    /// (<see cref="IExecutable.RetainedBytes"/>; default 1 GiB, or <c>ARRAYLANG_JIT_CACHE_BYTES</c>).
    /// Lowering it evicts at once. The most recently compiled executable stays even when it alone
    /// is larger.
    /// </summary>
    public static long MaxBytes
    {
        get => Volatile.Read(ref maxBytes);
        set
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "Jit.MaxBytes must not be negative");
            lock (Gate)
            {
                maxBytes = value;
                EvictOverBounds(keep: null);
            }
        }
    }

    /// <summary>The executable of <paramref name="function"/> on <paramref name="backend"/>, compiled on first use.</summary>
    public static IExecutable Compile(Function function, IBackend backend)
    {
        if (EnvironmentError is not null) throw new ArgumentException(EnvironmentError);
        var key = (backend.Name, function);
        if (!Cache.TryGetValue(key, out var entry))
            entry = Cache.GetOrAdd(key, _ => new Entry(new Lazy<IExecutable>(() => backend.Compile(function))));
        Volatile.Write(ref entry.LastUse, Interlocked.Increment(ref useClock));
        IExecutable executable;
        try
        {
            executable = entry.Executable.Value;
        }
        catch
        {
            Cache.TryRemove(KeyValuePair.Create(key, entry));
            throw;
        }
        if (!Volatile.Read(ref entry.Admitted)) Admit(key, entry, executable);
        return executable;
    }

    /// <summary>How many executables are cached (for tests and diagnostics).</summary>
    public static int CachedCount => Cache.Count;

    /// <summary>The bytes the cached executables report keeping (<see cref="IExecutable.RetainedBytes"/>), summed.</summary>
    public static long CachedBytes
    {
        get { lock (Gate) return admittedBytes; }
    }

    /// <summary>How many executables the cache has evicted to keep its bounds since the process started (<see cref="Clear"/> not counted).</summary>
    public static long Evictions => Interlocked.Read(ref evictions);

    /// <summary>
    /// Whether <paramref name="function"/> has an executable for <paramref name="backend"/> in the
    /// cache now (compiled or being compiled); does not count as a use.
    /// </summary>
    public static bool IsCached(Function function, IBackend backend) => Cache.ContainsKey((backend.Name, function));

    /// <summary>Drops every cached executable (callers holding one keep a working executable).</summary>
    public static void Clear()
    {
        lock (Gate)
        {
            foreach (var (key, entry) in Cache)
                if (Cache.TryRemove(KeyValuePair.Create(key, entry)) && entry.Admitted) Forget(entry);
        }
    }

    private static void Admit((string, Function) key, Entry entry, IExecutable executable)
    {
        long bytes = Math.Max(0, executable.RetainedBytes);
        lock (Gate)
        {
            if (entry.Admitted) return;
            // Cleared while it compiled: the caller has it; the cache does not keep it.
            if (!Cache.TryGetValue(key, out var current) || current != entry) return;
            entry.Bytes = bytes;
            admittedCount++;
            admittedBytes += bytes;
            Volatile.Write(ref entry.Admitted, true);
            EvictOverBounds(keep: entry);
        }
    }

    /// <summary>Evicts least recently used entries until both bounds hold (under <see cref="Gate"/>).</summary>
    private static void EvictOverBounds(Entry? keep)
    {
        while (admittedCount > maxEntries || admittedBytes > maxBytes)
        {
            (string, Function) oldestKey = default;
            Entry? oldest = null;
            long oldestUse = long.MaxValue;
            foreach (var (key, entry) in Cache)
            {
                if (!entry.Admitted || entry == keep) continue;
                long use = Volatile.Read(ref entry.LastUse);
                if (use < oldestUse) (oldestKey, oldest, oldestUse) = (key, entry, use);
            }
            if (oldest is null) return;
            if (!Cache.TryRemove(KeyValuePair.Create(oldestKey, oldest))) continue;
            Forget(oldest);
            Interlocked.Increment(ref evictions);
        }
    }

    /// <summary>Takes a removed entry out of the bounds and lets its executable release idle memory.</summary>
    private static void Forget(Entry entry)
    {
        admittedCount--;
        admittedBytes -= entry.Bytes;
        entry.Executable.Value.ReleaseIdle();
    }

    private static string? ReadEnvironment()
    {
        var entries = Environment.GetEnvironmentVariable(EntriesVariable);
        if (!string.IsNullOrWhiteSpace(entries))
        {
            if (!int.TryParse(entries.Trim(), out int n) || n < 1)
                return $"{EntriesVariable}={entries}: expected a whole number of executables, at least 1 (default {DefaultMaxEntries})";
            maxEntries = n;
        }
        var bytes = Environment.GetEnvironmentVariable(BytesVariable);
        if (!string.IsNullOrWhiteSpace(bytes))
        {
            if (!long.TryParse(bytes.Trim(), out long b) || b < 0)
                return $"{BytesVariable}={bytes}: expected a whole number of bytes, 0 or more (default {DefaultMaxBytes}, 1 GiB)";
            maxBytes = b;
        }
        return null;
    }
}

namespace ArrayLang.Backends.Cpu.Runtime;

/// <summary>
/// The arenas of one compiled program, reused across calls. Note [bounded arenas]: every concurrent
/// call needs its own arena, but a program must not keep one per thread that ever called it (16
/// threads on a 64 MB arena once left 1 GB held for good). The pool keeps at most
/// <see cref="Capacity"/> arenas; a call that finds the pool empty allocates, and an arena
/// returned to a full pool is left to the garbage collector. Arenas idle for
/// <see cref="IdleTrim"/> are dropped by a shared trimmer that runs every 5 s, so a program that is
/// no longer called returns its memory.
/// </summary>
internal sealed class ArenaPool
{
    /// <summary>How many idle arenas a program keeps at most.</summary>
    public static int Capacity { get; set; } = 2;

    /// <summary>How long an idle arena is kept.</summary>
    public static TimeSpan IdleTrim { get; set; } = TimeSpan.FromSeconds(10);

    private static readonly List<WeakReference<ArenaPool>> Pools = [];
    private static readonly Timer Trimmer = new(_ => TrimAll(IdleTrim), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));

    private static long heldBytes;

    private readonly Stack<(byte[] Arena, long ReturnedAt)> _idle = new();
    private readonly int _bytes;

    /// <summary>The bytes of the idle arenas every pool holds now.</summary>
    public static long HeldBytes => Interlocked.Read(ref heldBytes);

    /// <summary>The arena size of this pool's program.</summary>
    public int ArenaBytes => _bytes;

    public ArenaPool(int bytes)
    {
        _bytes = bytes;
        lock (Pools) Pools.Add(new WeakReference<ArenaPool>(this));
    }

    /// <summary>A pool collected with its program takes its idle arenas out of <see cref="HeldBytes"/>.</summary>
    ~ArenaPool() => Interlocked.Add(ref heldBytes, -(long)_bytes * _idle.Count);

    /// <summary>How many idle arenas the pool holds now (for tests).</summary>
    public int IdleCount
    {
        get { lock (_idle) return _idle.Count; }
    }

    /// <summary>An arena of the program's size: a pooled one, or a new one.</summary>
    public byte[] Rent()
    {
        lock (_idle)
            if (_idle.TryPop(out var a))
            {
                Interlocked.Add(ref heldBytes, -_bytes);
                return a.Arena;
            }
        return GC.AllocateUninitializedArray<byte>(_bytes);
    }

    /// <summary>Gives an arena back; it is dropped when the pool is full.</summary>
    public void Return(byte[] arena)
    {
        lock (_idle)
            if (_idle.Count < Capacity)
            {
                _idle.Push((arena, Environment.TickCount64));
                Interlocked.Add(ref heldBytes, _bytes);
            }
    }

    /// <summary>Drops the arenas idle for longer than <paramref name="idleFor"/> (all of them for zero).</summary>
    public void Trim(TimeSpan idleFor)
    {
        long cutoff = Environment.TickCount64 - (long)idleFor.TotalMilliseconds;
        // Zero drops every idle arena, even one returned within the current millisecond.
        bool Kept((byte[] Arena, long ReturnedAt) a) => idleFor > TimeSpan.Zero && a.ReturnedAt >= cutoff;
        lock (_idle)
        {
            if (_idle.All(Kept)) return;
            var kept = _idle.Where(Kept).Reverse().ToList();
            Interlocked.Add(ref heldBytes, -(long)_bytes * (_idle.Count - kept.Count));
            _idle.Clear();
            foreach (var a in kept) _idle.Push(a);
        }
    }

    /// <summary>Trims every live pool of the arenas idle for longer than <paramref name="idleFor"/>, and forgets pools whose program was collected.</summary>
    public static void TrimAll(TimeSpan idleFor)
    {
        List<ArenaPool> live = [];
        lock (Pools)
        {
            Pools.RemoveAll(w => !w.TryGetTarget(out _));
            foreach (var w in Pools)
                if (w.TryGetTarget(out var p)) live.Add(p);
        }
        foreach (var p in live) p.Trim(idleFor);
    }
}

using ArrayLang.Backends.Cpu.Contraction;
using ArrayLang.Backends.Cpu.Primitives;
using ArrayLang.Backends.Cpu.Tiles;
using ArrayLang.Compile.Lowering;

namespace ArrayLang.Backends.Cpu.Runtime;

/// <summary>
/// A <see cref="LoweredProgram"/> compiled for the CPU: an executor per kernel, the constants
/// filled once, and a bounded pool of arenas for the intermediates (Note [bounded arenas]). Running it
/// binds the caller's input and output buffers and the arena's slices to buffer ids and runs the
/// kernels in order. Thread-safe: a call owns its arena and its buffer table.
/// </summary>
internal sealed class CpuProgram
{
    private readonly KernelExecutor[] _kernels;
    private readonly BufferRef[] _template;
    private readonly ArenaPool? _arenas;
    private readonly int[] _intermediates;
    private readonly List<CpuProgram> _nested = [];
    private readonly long _constantBytes;

    /// <summary>
    /// What one compiled kernel keeps besides its buffers (executor objects, delegates, the machine
    /// code of a register loop), for <see cref="RetainedBytes"/>. Compiling 1,800 small programs
    /// (2,400 kernels) kept 5.7 KB of managed memory per kernel and grew the process by about 30 KB
    /// per kernel, machine code and heap growth included; 16 KB lies between the two.
    /// </summary>
    internal const long KernelBytes = 16 * 1024;

    public CpuProgram(LoweredProgram lowered, CpuOptions options)
    {
        Lowered = lowered;
        options = options with { ContractFloat = lowered.Options.ContractFloat };
        var buffers = lowered.Buffers;
        _template = new BufferRef[buffers.Length];
        foreach (var b in lowered.Constants)
        {
            var array = BufferRef.Allocate(b.Type);
            var r = BufferRef.Of(array);
            TileProgram.Fill(r, b.Type.DType, b.Value!.Value, 1);
            _template[b.Id] = r;
            _constantBytes += b.Bytes;
        }
        _intermediates = lowered.Intermediates.Select(b => b.Id).ToArray();
        long arenaBytes = lowered.Plan.ArenaBytes;
        _arenas = arenaBytes is > 0 and <= int.MaxValue ? new ArenaPool((int)arenaBytes) : null;
        _kernels = lowered.Kernels.Select(k => Compile(k, lowered, options)).ToArray();
    }

    /// <summary>
    /// About what the program keeps between calls (Note [bounded jit cache] in Core's Jit.cs): the
    /// arenas its pool may hold, its constants, its kernels and its nested programs'.
    /// </summary>
    public long RetainedBytes =>
        (_arenas is null ? 0 : (long)_arenas.ArenaBytes * ArenaPool.Capacity) + _constantBytes +
        _kernels.Length * KernelBytes + _nested.Sum(p => p.RetainedBytes);

    /// <summary>Drops the idle arenas of the program and its nested programs; it stays usable.</summary>
    public void ReleaseIdle()
    {
        _arenas?.Trim(TimeSpan.Zero);
        foreach (var p in _nested) p.ReleaseIdle();
    }

    private CpuProgram CompileNested(LoweredProgram sub, CpuOptions options)
    {
        var p = new CpuProgram(sub, options);
        _nested.Add(p);
        return p;
    }

    /// <summary>How many kernel bodies run as compiled register loops (Note [register kernels]).</summary>
    public int RegisterLoops => _kernels.Sum(k => k.RegisterLoops);

    /// <summary>How many idle arenas this program holds (Note [bounded arenas]).</summary>
    public int IdleArenas => _arenas?.IdleCount ?? 0;

    /// <summary>The lowered program this runs.</summary>
    public LoweredProgram Lowered { get; }

    private KernelExecutor Compile(Kernel k, LoweredProgram p, CpuOptions options) => k switch
    {
        ElementwiseKernel e => new ElementwiseExecutor(e, p.Buffers, options),
        ContractionKernel c => new ContractionExecutor(c, p.Buffers, options),
        ScanKernel s => new ScanExecutor(s, p.Buffers, options),
        WhileKernel w => new WhileExecutor(w, p.Buffers, options),
        PrimitiveKernel pk => PrimitiveExecutors.Create(new PrimitiveSite(pk, p.Buffers, options, sub => CompileNested(sub, options))),
        _ => throw new NotSupportedException($"the CPU backend cannot run a {k.KindName} kernel"),
    };

    /// <summary>Runs the program: <paramref name="inputs"/> per parameter, <paramref name="outputs"/> per result (written completely).</summary>
    public void Execute(ReadOnlySpan<BufferRef> inputs, ReadOnlySpan<BufferRef> outputs)
    {
        var buffers = (BufferRef[])_template.Clone();
        var lowered = Lowered;
        for (int i = 0; i < inputs.Length; i++) buffers[lowered.Inputs[i]] = inputs[i];
        for (int j = 0; j < outputs.Length; j++) buffers[lowered.Outputs[j]] = outputs[j];
        long arenaBytes = lowered.Plan.ArenaBytes;
        byte[]? arena = null;
        if (arenaBytes > Array.MaxLength)
            throw new ArrayLang.Ir.ResourceLimitException(
                $"function {lowered.Source.Name}: its intermediates need {arenaBytes:N0} bytes at once, more than one array holds " +
                $"({Array.MaxLength:N0}); run it in chunks (Vmap.Chunked, or arraylang run --chunk K / --memory-budget BYTES)");
        if (arenaBytes > 0) arena = _arenas!.Rent();
        var offsets = lowered.Plan.Offsets;
        foreach (int id in _intermediates)
            buffers[id] = new BufferRef(arena ?? [], offsets[id], lowered.Buffers[id].Type.Shape.Size);
        try
        {
            foreach (var k in _kernels) k.Run(buffers);
        }
        finally
        {
            if (arena is not null) _arenas!.Return(arena);
        }
    }
}

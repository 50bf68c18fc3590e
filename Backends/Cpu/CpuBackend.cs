using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Compile;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Primitives;
using ArrayLang.Reference;
using ArrayLang.Values;

namespace ArrayLang.Backends.Cpu;

/// <summary>Options of the CPU backend itself; how functions are lowered is <see cref="CompileOptions"/>.</summary>
public sealed record CpuOptions
{
    /// <summary>The most threads a kernel uses (default: every core). Results do not depend on it (Note [fixed partition]).</summary>
    public int MaxThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Compile each kernel body whose instructions share one element type and all have a vector form
    /// into one register loop (machine code through the .NET JIT) instead of running it instruction by
    /// instruction over scratch tiles; the results are the same bits either way (Note [register kernels]).
    /// </summary>
    public bool RegisterKernels { get; init; } = true;

    /// <summary>Taken from the lowered program being compiled (<see cref="LoweringOptions.ContractFloat"/>), not set by users.</summary>
    internal bool ContractFloat { get; init; }
}

/// <summary>
/// The CPU backend: runs the <see cref="LoweredProgram"/> that <see cref="Compiler.Lower"/> makes over
/// SIMD tiles on all cores. <see cref="Instance"/> compiles with the default options;
/// <c>new CpuBackend(new CompileOptions { Fuse = false })</c> runs op by op.
/// </summary>
public sealed class CpuBackend : IBackend
{
    /// <summary>The default CPU backend: standard passes, fusion on, every core.</summary>
    public static readonly CpuBackend Instance = new(CompileOptions.Default, new CpuOptions());

    /// <summary>Creates a CPU backend that compiles with <paramref name="compile"/> and runs with <paramref name="cpu"/>.</summary>
    public CpuBackend(CompileOptions compile, CpuOptions cpu)
    {
        CompileOptions = compile;
        Options = cpu;
        Name = "cpu" + compile.NameSuffix +
            (cpu.MaxThreads == Environment.ProcessorCount ? "" : $"/threads={cpu.MaxThreads}") +
            (cpu.RegisterKernels ? "" : "/tiles");
    }

    /// <summary>Creates a CPU backend with the given compile options and the default CPU options.</summary>
    public CpuBackend(CompileOptions compile) : this(compile, new CpuOptions()) { }

    /// <summary>Creates a CPU backend with the default compile options and the given CPU options.</summary>
    public CpuBackend(CpuOptions cpu) : this(CompileOptions.Default, cpu) { }

    /// <summary>How this backend lowers functions.</summary>
    public CompileOptions CompileOptions { get; }

    /// <summary>This backend's own options.</summary>
    public CpuOptions Options { get; }

    /// <summary>
    /// <c>cpu</c> for the default configuration; otherwise the configuration follows, e.g.
    /// <c>cpu/nofusion</c>, <c>cpu/contract</c> or <c>cpu/[dce, cse, simplify(no-factoring), dce]</c>, so that
    /// the jit cache (keyed by backend name) never shares an executable between configurations.
    /// </summary>
    public string Name { get; }

    /// <summary>The lowered program this backend would run for <paramref name="function"/> (after its passes).</summary>
    public LoweredProgram Lower(Function function) => Compiler.Lower(function, CompileOptions);

    /// <summary>Whether the op table has a routine for <paramref name="primitive"/> on <paramref name="operand"/> giving <paramref name="result"/>.</summary>
    public static bool HasRoutine(Primitive primitive, DType operand, DType result) =>
        Ops.CpuOpTable.Find(primitive.Name, operand, result) is not null;

    /// <summary>Whether <paramref name="primitive"/> has a routine as a whole-buffer <see cref="PrimitiveKernel"/>.</summary>
    public static bool HasPrimitiveKernel(Primitive primitive) => Primitives.PrimitiveExecutors.Table.ContainsKey(primitive.Name);

    /// <inheritdoc />
    public IExecutable Compile(Function function) => Compile(Lower(function));

    /// <summary>
    /// Returns now the scratch memory that compiled CPU programs keep between calls (their idle
    /// arenas); it is returned anyway after 10 s without calls (Note [bounded arenas]).
    /// </summary>
    public static void ReleaseIdleMemory() => Runtime.ArenaPool.TrimAll(TimeSpan.Zero);

    /// <summary>The bytes of the idle arenas that compiled CPU programs hold now (Note [bounded arenas]).</summary>
    public static long IdleArenaBytes => Runtime.ArenaPool.HeldBytes;

    /// <summary>Compiles an already lowered program.</summary>
    public CpuExecutable Compile(LoweredProgram program) => new(this, new CpuProgram(program, Options));
}

/// <summary>The CPU backend in the catalog: always available.</summary>
public sealed class CpuBackendProvider : IBackendProvider
{
    /// <summary>The one instance.</summary>
    public static readonly CpuBackendProvider Instance = new();
    private CpuBackendProvider() { }

    /// <inheritdoc />
    public string Name => "cpu";

    /// <inheritdoc />
    public string? Unavailable => null;

    /// <inheritdoc />
    public IBackend Create(CompileOptions options) => options == CompileOptions.Default ? CpuBackend.Instance : new CpuBackend(options);
}

/// <summary>A function compiled for the CPU. Thread-safe: each call has its own buffers and arena.</summary>
public sealed class CpuExecutable : IExecutable
{
    private readonly CpuProgram _program;
    private readonly AVal[] _outputTypes;

    internal CpuExecutable(CpuBackend backend, CpuProgram program)
    {
        Backend = backend;
        _program = program;
        _outputTypes = program.Lowered.Outputs.Select(o => program.Lowered.Buffers[o].Type).ToArray();
    }

    /// <inheritdoc />
    public Function Function => _program.Lowered.Source;

    /// <inheritdoc />
    public IBackend Backend { get; }

    /// <summary>The lowered program: buffers, plan and the fused kernels it runs.</summary>
    public LoweredProgram Lowered => _program.Lowered;

    /// <summary>
    /// How many kernel bodies run as one compiled loop over registers rather than instruction by
    /// instruction over scratch tiles (<see cref="CpuOptions.RegisterKernels"/>); nested programs
    /// (cond branches, sequential loops) are not counted.
    /// </summary>
    public int RegisterLoops => _program.RegisterLoops;

    /// <summary>How many idle arenas this executable keeps for later calls (at most two; dropped after 10 s idle: Note [bounded arenas]).</summary>
    public int IdleArenas => _program.IdleArenas;

    /// <inheritdoc />
    public long RetainedBytes => _program.RetainedBytes;

    /// <summary>Drops the arenas this executable keeps idle; it stays usable (the jit cache calls it on eviction).</summary>
    public void ReleaseIdle() => _program.ReleaseIdle();

    /// <summary>The bytes a call allocates at its peak (intermediates after reuse, results, control-flow state), known before running.</summary>
    public long PeakBytes => _program.Lowered.Plan.PeakBytes;

    /// <inheritdoc />
    public NDArray[] Run(IReadOnlyList<NDArray> args)
    {
        ReferenceEvaluator.CheckArguments(Function, args);
        var inputRefs = new BufferRef[args.Count];
        for (int i = 0; i < args.Count; i++) inputRefs[i] = BufferRef.Of(args[i].Data);
        var results = new NDArray[_outputTypes.Length];
        var outputRefs = new BufferRef[_outputTypes.Length];
        for (int j = 0; j < results.Length; j++)
        {
            var t = _outputTypes[j];
            var data = BufferRef.Allocate(t);
            results[j] = new NDArray(t.DType, t.Shape, data);
            outputRefs[j] = BufferRef.Of(data);
        }
        _program.Execute(inputRefs, outputRefs);
        return results;
    }
}

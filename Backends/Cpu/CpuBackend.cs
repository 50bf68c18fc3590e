using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Compile;
using ArrayLang.Compile.Passes;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Primitives;
using ArrayLang.Reference;
using ArrayLang.Values;

namespace ArrayLang.Backends.Cpu;

/// <summary>Options of the CPU backend.</summary>
public sealed record CpuOptions
{
    /// <summary>
    /// Fuse kernels (elementwise chains with their views and reductions, contraction epilogues,
    /// in-kernel scan loops). False runs one kernel per equation: BENCH.md's op-by-op "vmap" method.
    /// </summary>
    public bool Fuse { get; init; } = true;

    /// <summary>The most threads a kernel uses (default: every core). Results do not depend on it (Note [fixed partition]).</summary>
    public int MaxThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Compile each kernel body whose instructions share one element type and all have a vector form
    /// into one register loop (machine code through the .NET JIT) instead of running it instruction by
    /// instruction over scratch tiles; the results are the same bits either way (Note [register kernels]).
    /// </summary>
    public bool RegisterKernels { get; init; } = true;

    /// <summary>
    /// The passes run on a function before lowering: the standard pipeline (DCE, CSE, simplify,
    /// DCE) unless another is given, e.g. <c>Pipeline.StandardWith(new SimplifyOptions { FactorReductions = false })</c>
    /// for W4's chunked vmap, or an empty pipeline to lower a function exactly as written.
    /// </summary>
    public Pipeline Passes { get; init; } = Pipeline.Standard;
}

/// <summary>
/// The CPU backend: lowers a function to fused kernels (<see cref="Lowering"/>) and runs them
/// over SIMD tiles on all cores. <see cref="Instance"/> fuses; <c>new CpuBackend(new CpuOptions { Fuse = false })</c>
/// runs op by op.
/// </summary>
public sealed class CpuBackend : IBackend
{
    /// <summary>The default CPU backend: fusion on, every core.</summary>
    public static readonly CpuBackend Instance = new(new CpuOptions());

    /// <summary>Creates a CPU backend with the given options.</summary>
    public CpuBackend(CpuOptions options)
    {
        Options = options;
        Name = "cpu" + (options.Fuse ? "" : "/nofusion") +
            (options.Passes.ToString() == Pipeline.Standard.ToString() ? "" : "/" + options.Passes) +
            (options.MaxThreads == Environment.ProcessorCount ? "" : $"/threads={options.MaxThreads}") +
            (options.RegisterKernels ? "" : "/tiles");
    }

    /// <summary>This backend's options.</summary>
    public CpuOptions Options { get; }

    /// <summary>
    /// <c>cpu</c> for the default configuration; otherwise the configuration follows, e.g.
    /// <c>cpu/nofusion</c> or <c>cpu/[dce, cse, simplify(no-factoring), dce]</c>, so that the jit cache
    /// (keyed by backend name) never shares an executable between configurations.
    /// </summary>
    public string Name { get; }

    /// <summary>The lowered program this backend would run for <paramref name="function"/> (after its passes).</summary>
    public LoweredProgram Lower(Function function)
    {
        TypeChecker.Check(function);
        var optimized = Options.Passes.Run(function);
        return Lowering.Lower(optimized, new LoweringOptions { Fuse = Options.Fuse });
    }

    /// <summary>Whether the op table has a routine for <paramref name="primitive"/> on <paramref name="operand"/> giving <paramref name="result"/>.</summary>
    public static bool HasRoutine(Primitive primitive, DType operand, DType result) =>
        Ops.CpuOpTable.Find(primitive.Name, operand, result) is not null;

    /// <summary>Whether <paramref name="primitive"/> has a routine as a whole-buffer <see cref="PrimitiveKernel"/>.</summary>
    public static bool HasPrimitiveKernel(Primitive primitive) => Primitives.PrimitiveExecutors.Table.ContainsKey(primitive.Name);

    /// <inheritdoc />
    public IExecutable Compile(Function function) => new CpuExecutable(this, new CpuProgram(Lower(function), Options));
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

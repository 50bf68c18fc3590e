using ArrayLang.Backends.Cpu;
using ArrayLang.Backends.Cuda;
using ArrayLang.Backends.OpenCL;
using ArrayLang.Compile;
using ArrayLang.Compile.Passes;

namespace ArrayLang.Bench.Harness;

/// <summary>How a method asks its backend to compile the function it runs.</summary>
public enum CompileMode
{
    /// <summary><c>vmap</c>: the batched function run op by op, no fusion.</summary>
    NoFusion,
    /// <summary><c>loop</c> and <c>jit(vmap)</c>: every pass, fusion included.</summary>
    Fusion,
    /// <summary><c>chunked-vmap</c> (W4): fusion, but the simplifier's factoring out of a reduction
    /// turned off, so that the outer product really exists per chunk (CLARIFICATIONS "CPU jit").</summary>
    FusionWithoutFactoring,
}

/// <summary>
/// The backends the suite measures, and the one place that knows how to ask each for a
/// <see cref="CompileMode"/>. Note [bench backends]: adding a backend means adding it to
/// <see cref="All"/> (and <see cref="Default"/> if a plain run should measure it) and a case to
/// <see cref="For"/> that returns the backend configured for the mode. The jit cache keys
/// executables by <see cref="IBackend.Name"/>, so each configured variant needs its own name
/// (the CPU backend's are <c>cpu</c>, <c>cpu/nofusion</c> and <c>cpu/[dce, cse, simplify(no-factoring), dce]</c>)
/// or two modes would share one executable.
/// </summary>
public static class BenchBackends
{
    private static readonly CpuBackend CpuNoFusion = new(new CompileOptions { Fuse = false });
    private static readonly CpuBackend CpuNoFactoring = new(new CompileOptions
    {
        Passes = Pipeline.StandardWith(SimplifyOptions.Default with { FactorReductions = false }),
    });

    private static readonly Lazy<IBackend[]> OpenCl = new(() => OpenClBackend.Unavailable is null
        ? [OpenClBackend.Instance,
           new OpenClBackend(new CompileOptions { Fuse = false }),
           new OpenClBackend(new CompileOptions { Passes = Pipeline.StandardWith(SimplifyOptions.Default with { FactorReductions = false }) })]
        : []);

    // On a machine without an NVIDIA GPU, ILGPU's CPU accelerator (an emulator: correct, far too
    // slow for BENCH.md's sizes); CudaBackend.Name says which (cuda or cuda/cpu-emulator).
    private static readonly Lazy<IBackend[]> Cuda = new(() => CudaBackendProvider.Instance.Unavailable is null
        ? [CudaBackend.Default,
           new CudaBackend(new CompileOptions { Fuse = false }),
           new CudaBackend(new CompileOptions { Passes = Pipeline.StandardWith(SimplifyOptions.Default with { FactorReductions = false }) })]
        : []);

    /// <summary>Every backend the suite knows, in the order reported (<c>--backends</c> picks among them); <c>opencl</c> and <c>cuda</c> where a device is present.</summary>
    public static IBackend[] All => [CpuBackend.Instance, ReferenceBackend.Instance, ReferenceWithPasses.Standard, .. OpenCl.Value.Take(1), .. Cuda.Value.Take(1)];

    /// <summary>Whether <paramref name="backend"/> computes on a device with memory of its own (its <c>jit(vmap)</c> is timed device-resident).</summary>
    public static bool IsDevice(IBackend backend) => backend is OpenClBackend or CudaBackend;

    /// <summary>The backends a run measures when <c>--backends</c> is not given: the CPU backend, and the
    /// reference evaluator as the cost of vmap without a compiler.</summary>
    public static IBackend[] Default => [CpuBackend.Instance, ReferenceBackend.Instance];

    /// <summary>The name the results use for <paramref name="backend"/>, whatever mode it is configured for.</summary>
    public static string Label(IBackend backend) => backend switch
    {
        CpuBackend => "cpu",
        OpenClBackend => "opencl",
        CudaBackend => "cuda",
        ReferenceWithPasses => ReferenceWithPasses.Label,
        _ => backend.Name,
    };

    /// <summary>
    /// <paramref name="backend"/> configured for <paramref name="mode"/>. The CPU backend: <c>Fuse = false</c>
    /// for <see cref="CompileMode.NoFusion"/> (one kernel per equation, after the standard passes), the
    /// default backend for <see cref="CompileMode.Fusion"/>, and the standard passes with factoring off
    /// for <see cref="CompileMode.FusionWithoutFactoring"/>. The reference evaluator has
    /// no passes, so every mode is the evaluator itself (and its <c>vmap</c> and <c>jit(vmap)</c>
    /// times agree up to noise); the results say <c>reference</c>, never <c>cpu</c>.
    /// <see cref="ReferenceWithPasses"/> runs the standard passes first (factoring off for
    /// <see cref="CompileMode.FusionWithoutFactoring"/>).
    /// </summary>
    public static IBackend For(IBackend backend, CompileMode mode) => backend switch
    {
        CpuBackend => mode switch
        {
            CompileMode.NoFusion => CpuNoFusion,
            CompileMode.FusionWithoutFactoring => CpuNoFactoring,
            _ => CpuBackend.Instance,
        },
        OpenClBackend => OpenCl.Value[mode switch { CompileMode.NoFusion => 1, CompileMode.FusionWithoutFactoring => 2, _ => 0 }],
        CudaBackend => Cuda.Value[mode switch { CompileMode.NoFusion => 1, CompileMode.FusionWithoutFactoring => 2, _ => 0 }],
        ReferenceBackend => backend,
        // No fused kernels exist yet: both modes run the standard passes; only the factoring differs.
        ReferenceWithPasses => mode == CompileMode.FusionWithoutFactoring ? ReferenceWithPasses.NoFactoring : ReferenceWithPasses.Standard,
        _ => throw new NotSupportedException(
            $"the bench does not know how to ask backend '{backend.Name}' for {mode}: add a case to BenchBackends.For (Note [bench backends])"),
    };

    /// <summary>
    /// Whether <paramref name="backend"/> evaluates element by element (the reference evaluator):
    /// its methods run on a reduced batch, and their times are scaled linearly to the full batch
    /// and marked <c>extrapolated</c>.
    /// </summary>
    public static bool IsScalarInterpreter(IBackend backend) => backend is ReferenceBackend or ReferenceWithPasses;
}

using ArrayLang.Backends.Cpu;
using ArrayLang.Compile;

namespace ArrayLang.CSharp;

/// <summary>
/// Where functions run unless the program names a backend: the one place both front ends (C#'s
/// <c>Fn</c> and F#'s <c>jit</c>) read it. Note [default backend]: a jitted function compiles for
/// <see cref="Instance"/>, the CPU backend with fusion; a transformed function called without
/// <c>jit</c> runs op by op on <see cref="Eager"/> (the CPU backend without fusion, one kernel per
/// equation: BENCH.md's "vmap"), as JAX runs un-jitted code op by op.
/// </summary>
public static class DefaultBackend
{
    private static readonly CpuBackend OpByOp = new(new CompileOptions { Fuse = false });

    /// <summary>The backend <c>jit</c> compiles for when none is given.</summary>
    public static IBackend Instance => CpuBackend.Instance;

    /// <summary>The default backend compiling with <paramref name="options"/> (e.g. <c>new CompileOptions { ContractFloat = true }</c>).</summary>
    public static IBackend WithOptions(CompileOptions options) => CpuBackendProvider.Instance.Create(options);

    /// <summary>The backend that runs transformed functions called without <c>jit</c> (op by op).</summary>
    public static IBackend Eager => OpByOp;
}

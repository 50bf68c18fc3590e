using ArrayLang.Compile;

namespace ArrayLang.CSharp;

/// <summary>
/// Where functions run unless the program names a backend: the one place both front ends (C#'s
/// <c>Fn</c> and F#'s <c>jit</c>) read it. Note [default backend]: a jitted function compiles for
/// <see cref="Instance"/>; a transformed function called without <c>jit</c> runs op by op on
/// <see cref="Eager"/>, as JAX runs un-jitted code. Both are the reference evaluator until the CPU
/// backend lands, when <see cref="Instance"/> becomes <c>ArrayLang.Backends.Cpu.CpuBackend.Instance</c>.
/// </summary>
public static class DefaultBackend
{
    /// <summary>The backend <c>jit</c> compiles for when none is given.</summary>
    public static IBackend Instance => ReferenceBackend.Instance;

    /// <summary>The backend that runs transformed functions called without <c>jit</c> (op by op).</summary>
    public static IBackend Eager => ReferenceBackend.Instance;
}

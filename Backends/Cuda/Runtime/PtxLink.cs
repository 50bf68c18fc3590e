using System.Reflection;
using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.CPU;

namespace ArrayLang.Backends.Cuda.Runtime;

/// <summary>
/// Compiles a kernel method to PTX with ILGPU and repairs the PTX before it is loaded
/// (Note [ptx link]); also compiles offline, for sm_90, without a GPU.
/// </summary>
/// <remarks>
/// Note [ptx link]: ILGPU 1.5.3 has no PTX for <c>Math.FusedMultiplyAdd</c> (nor for
/// <c>Math.Truncate</c>): it emits a call of an external function that nothing defines, which
/// the CUDA driver would refuse. And it writes <c>mul.f32</c>, <c>add.f64</c>... without a
/// rounding modifier, which PTX allows the JIT to contract into fused multiply-adds, so a kernel
/// would not give the reference evaluator's bits (SEAM: no FMA contraction unless opted in). So
/// every kernel's PTX is rewritten: each call of the external fused multiply-add becomes the one
/// instruction <c>fma.rn.f64</c> (or <c>.f32</c>) it stands for, every float <c>mul</c>, <c>add</c>
/// and <c>sub</c> gets <c>.rn</c> (correctly rounded and never contracted), and a kernel whose PTX
/// still declares an external function is refused with its name. Device code avoids
/// <c>Math.Truncate</c> (DeviceOps.TruncateF64). The rewritten text replaces the compiled
/// kernel's PTX (a private field of ILGPU's <see cref="PTXCompiledKernel"/>, checked once).
/// </remarks>
public static partial class PtxLink
{
    [GeneratedRegex(@"\{\s*\.param \.(f64|f32) callParam0;\s*st\.param\.\1\s*\[callParam0\], (\S+);\s*\.param \.\1 callParam1;\s*st\.param\.\1\s*\[callParam1\], (\S+);\s*\.param \.\1 callParam2;\s*st\.param\.\1\s*\[callParam2\], (\S+);\s*\.param \.\1 callRetVal;\s*call\.uni \(callRetVal\), FusedMultiplyAdd\w*, \(\s*callParam0,\s*callParam1,\s*callParam2\s*\);\s*ld\.param\.\1\s*(\S+), \[callRetVal\];\s*\}")]
    private static partial Regex FusedCall();

    [GeneratedRegex(@"\.extern \.func \(\.param \.f(64|32) \w+\) FusedMultiplyAdd\w*\([^)]*\)\s*;")]
    private static partial Regex FusedDeclaration();

    [GeneratedRegex(@"\b(mul|add|sub)\.(f32|f64)\b")]
    private static partial Regex Unrounded();

    [GeneratedRegex(@"\.extern\s+\.func\s+(?:\([^)]*\)\s*)?(\w+)")]
    private static partial Regex External();

    /// <summary>The rewritten PTX (Note [ptx link]); throws when an external function remains.</summary>
    public static string Rewrite(string ptx)
    {
        var linked = FusedCall().Replace(ptx, m => $"fma.rn.{m.Groups[1].Value}\t{m.Groups[5].Value}, {m.Groups[2].Value}, {m.Groups[3].Value}, {m.Groups[4].Value};");
        linked = FusedDeclaration().Replace(linked, "");
        linked = Unrounded().Replace(linked, "$1.rn.$2");
        var external = External().Match(linked);
        if (external.Success)
            throw new NotSupportedException(
                $"the CUDA backend's kernel calls {external.Groups[1].Value}, which ILGPU leaves undefined in PTX (a BCL method it cannot compile); " +
                "device code must use DeviceOps/DeviceMath instead");
        return linked;
    }

    private static readonly Lazy<FieldInfo> PtxField = new(() =>
        typeof(PTXCompiledKernel).GetField("<PTXAssembly>k__BackingField", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new InvalidOperationException(
            $"ILGPU {typeof(Context).Assembly.GetName().Version}: PTXCompiledKernel has no PTXAssembly backing field to rewrite (Note [ptx link] was written for ILGPU 1.5.3)"));

    /// <summary>
    /// Whether <paramref name="method"/> is an explicitly grouped kernel (it takes no index: it reads
    /// its place from <c>Grid</c> and <c>Group</c>, and is launched with a <see cref="KernelConfig"/>).
    /// </summary>
    public static bool IsExplicitlyGrouped(MethodInfo method) =>
        method.GetParameters() is not [{ ParameterType: var first }, ..] || first != typeof(Index1D);

    /// <summary>Compiles <paramref name="method"/> with <paramref name="backend"/> and rewrites its PTX in place.</summary>
    public static PTXCompiledKernel Compile(PTXBackend backend, MethodInfo method)
    {
        var entry = IsExplicitlyGrouped(method)
            ? EntryPointDescription.FromExplicitlyGroupedKernel(method)
            : EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        PtxField.Value.SetValue(compiled, Rewrite(compiled.PTXAssembly));
        return compiled;
    }

    /// <summary>Loads <paramref name="method"/> on a CUDA accelerator through the rewrite.</summary>
    public static Kernel Load(CudaAccelerator accelerator, MethodInfo method)
    {
        var compiled = Compile((PTXBackend)accelerator.Backend, method);
        return IsExplicitlyGrouped(method) ? accelerator.LoadKernel(compiled) : accelerator.LoadAutoGroupedKernel(compiled);
    }

    private static readonly Lazy<(Context Context, PTXBackend Backend)> Offline = new(() =>
    {
        var context = Context.Create(b => b.CPU().Optimize(OptimizationLevel.O1));
        var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90,
            CudaInstructionSet.ISA_80, null);
        return (context, backend);
    });

    /// <summary>
    /// The linked PTX of <paramref name="method"/> for sm_90, produced without a GPU (the offline
    /// check of the test suite and <c>arraylang kernels --backend cuda</c>).
    /// </summary>
    public static string OfflinePtx(MethodInfo method)
    {
        var (_, backend) = Offline.Value;
        lock (backend) return Compile(backend, method).PTXAssembly;
    }
}

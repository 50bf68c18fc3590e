using ArrayLang.Backends.Cuda.Runtime;
using ArrayLang.Compile;
using ArrayLang.Compile.Lowering;
using ArrayLang.Compile.Passes;
using ArrayLang.Ir;
using ArrayLang.Reference;
using ArrayLang.Values;
using ILGPU;

namespace ArrayLang.Backends.Cuda;

/// <summary>Options of the CUDA backend.</summary>
public sealed record CudaOptions
{
    /// <summary>Fuse kernels (false: one kernel per equation, BENCH.md's op-by-op method).</summary>
    public bool Fuse { get; init; } = true;

    /// <summary>The passes run before lowering (the standard pipeline unless another is given).</summary>
    public Pipeline Passes { get; init; } = Pipeline.Standard;
}

/// <summary>
/// The CUDA backend: lowers a function to fused kernels and compiles each one, through IL emitted
/// at run time, with ILGPU: to PTX for an NVIDIA GPU, or for ILGPU's CPU accelerator where there
/// is none (Note [cuda device choice], Note [cuda kernels]). Its name says which device runs the
/// kernels: <c>cuda</c> on a GPU, <c>cuda/cpu-emulator</c> on the CPU accelerator.
/// </summary>
public sealed class CudaBackend : IBackend
{
    /// <summary>Creates a CUDA backend on the process's device (created on first use).</summary>
    public CudaBackend(CudaOptions options)
    {
        Options = options;
        Device = DeviceContext.Default;
        Name = "cuda" + (Device.Kind == CudaDeviceKind.Gpu ? "" : "/cpu-emulator") + (options.Fuse ? "" : "/nofusion") +
            (options.Passes.ToString() == Pipeline.Standard.ToString() ? "" : "/" + options.Passes);
    }

    /// <summary>The backend with default options.</summary>
    public static CudaBackend Default => _default.Value;

    private static readonly Lazy<CudaBackend> _default = new(() => new CudaBackend(new CudaOptions()));

    /// <summary>This backend's options.</summary>
    public CudaOptions Options { get; }

    /// <summary>The device kernels run on.</summary>
    public DeviceContext Device { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The lowered program this backend runs for <paramref name="function"/>.</summary>
    public LoweredProgram Lower(Function function)
    {
        TypeChecker.Check(function);
        return Lowering.Lower(Options.Passes.Run(function), new LoweringOptions { Fuse = Options.Fuse });
    }

    /// <inheritdoc />
    public IExecutable Compile(Function function) => new CudaExecutable(this, new CudaProgram(Device, Lower(function)));
}

/// <summary>A function compiled for the CUDA backend. Calls are serialized on the device's stream.</summary>
public sealed class CudaExecutable : IExecutable
{
    private readonly CudaProgram _program;

    internal CudaExecutable(CudaBackend backend, CudaProgram program)
    {
        Backend = backend;
        _program = program;
    }

    /// <inheritdoc />
    public Function Function => _program.Lowered.Source;

    /// <inheritdoc />
    public IBackend Backend { get; }

    /// <summary>The lowered program.</summary>
    public LoweredProgram Lowered => _program.Lowered;

    /// <summary>The device code of every kernel: the cache key (the kernel's text) and the kernel method ILGPU compiles.</summary>
    public IReadOnlyList<(string Key, System.Reflection.MethodInfo Method)> Kernels =>
        _program.Kernels.Select(k => (k.Key, k.Method)).ToArray();

    /// <inheritdoc />
    public NDArray[] Run(IReadOnlyList<NDArray> args)
    {
        ReferenceEvaluator.CheckArguments(Function, args);
        var device = _program.Device;
        var lowered = _program.Lowered;
        var owned = new List<ILGPU.Runtime.MemoryBuffer1D<byte, Stride1D.Dense>>();
        try
        {
            lock (device.Gate)
            {
                var inputs = new ArrayView<byte>[args.Count];
                for (int i = 0; i < args.Count; i++)
                {
                    var b = device.Allocate(args[i].Type.Shape.ElementCount * args[i].DType.SizeInBytes());
                    owned.Add(b);
                    HostCopies.Upload(device, b.View, args[i].Type, args[i].Data);
                    inputs[i] = b.View;
                }
                var outputs = new ArrayView<byte>[lowered.Outputs.Length];
                for (int j = 0; j < outputs.Length; j++)
                {
                    var b = device.Allocate(lowered.Buffers[lowered.Outputs[j]].Bytes);
                    owned.Add(b);
                    outputs[j] = b.View;
                }
                _program.Run(inputs, outputs);
                var results = new NDArray[outputs.Length];
                for (int j = 0; j < outputs.Length; j++)
                {
                    var t = lowered.Buffers[lowered.Outputs[j]].Type;
                    results[j] = new NDArray(t.DType, t.Shape, HostCopies.Download(device, outputs[j], t));
                }
                return results;
            }
        }
        finally
        {
            foreach (var b in owned) device.Free(b);
        }
    }
}

/// <summary>
/// The CUDA backend in the backend catalog: available wherever ILGPU runs (on a GPU, or on its
/// CPU accelerator), unless <c>ARRAYLANG_CUDA_DEVICE=gpu</c> demands a GPU that is not there.
/// </summary>
public sealed class CudaBackendProvider
{
    /// <summary>The one instance.</summary>
    public static readonly CudaBackendProvider Instance = new();

    private CudaBackendProvider() { }

    /// <summary><c>cuda</c>.</summary>
    public string Name => "cuda";

    /// <summary>Null when the backend can run here, else why not (Note [cuda device choice]).</summary>
    public string? Unavailable => DeviceContext.Unavailable;

    /// <summary>A CUDA backend with the given options.</summary>
    public IBackend Create(CudaOptions options) => new CudaBackend(options);
}

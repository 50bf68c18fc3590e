using ArrayLang.Backends.Cuda.Runtime;
using ArrayLang.Compile;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Reference;
using ArrayLang.Values;
using ILGPU;

namespace ArrayLang.Backends.Cuda;

/// <summary>
/// The CUDA backend: lowers a function to fused kernels (<see cref="Compiler.Lower"/>) and compiles
/// each one, through IL emitted at run time, with ILGPU: to PTX for an NVIDIA GPU, or for ILGPU's
/// CPU accelerator where there is none (Note [cuda device choice], Note [cuda kernels]). Its name
/// says which device runs the kernels: <c>cuda</c> on a GPU, <c>cuda/cpu-emulator</c> on the CPU
/// accelerator, followed by the options' <see cref="CompileOptions.NameSuffix"/>. Arrays can stay on
/// the device between calls (<see cref="Put"/>, <see cref="CudaExecutable.RunOnDevice"/>).
/// </summary>
public sealed class CudaBackend : IBackend, IKernelSource
{
    private static readonly Lazy<CudaBackend> _default = new(() => new CudaBackend(CompileOptions.Default));

    /// <summary>Creates a CUDA backend on the process's device (created on first use).</summary>
    public CudaBackend(CompileOptions options)
    {
        Options = options;
        Device = DeviceContext.Default;
        Name = "cuda" + (Device.Kind == CudaDeviceKind.Gpu ? "" : "/cpu-emulator") + options.NameSuffix;
    }

    /// <summary>The backend with default options.</summary>
    public static CudaBackend Default => _default.Value;

    /// <summary>This backend's compile options.</summary>
    public CompileOptions Options { get; }

    /// <summary>The device kernels run on.</summary>
    public DeviceContext Device { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The lowered program this backend runs for <paramref name="function"/>.</summary>
    public LoweredProgram Lower(Function function) => Compiler.Lower(function, Options);

    /// <inheritdoc />
    public IExecutable Compile(Function function) => new CudaExecutable(this, new CudaProgram(Device, Lower(function)));

    /// <summary>
    /// The PTX of every kernel of <paramref name="function"/> for sm_90, linked (Note [ptx link]),
    /// each after a comment with the kernel's text: what <c>arraylang kernels --backend cuda</c> prints.
    /// Compiled offline, so it needs no GPU; kernels whose group sizes depend on the device are
    /// emitted as a GPU runs them.
    /// </summary>
    public string KernelSource(Function function)
    {
        var exe = (CudaExecutable)Compile(function);
        var sb = new System.Text.StringBuilder();
        foreach (var kernel in exe.StepKernels)
        {
            foreach (var line in kernel.Key.Split('\n')) sb.Append("// ").Append(line).Append('\n');
            sb.Append(Runtime.PtxLink.OfflinePtx(kernel.GpuMethod)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Copies <paramref name="array"/> to the device once; the result stays there until disposed.</summary>
    public DeviceArray Put(NDArray array)
    {
        lock (Device.Gate)
        {
            var buffer = Device.Allocate(array.Type.Shape.ElementCount * array.DType.SizeInBytes());
            HostCopies.Upload(Device, buffer.View, array.Type, array.Data);
            return new CudaArray(this, array.Type, buffer);
        }
    }
}

/// <summary>
/// The CUDA backend in the backend catalog: available wherever ILGPU runs (on a GPU, or on its CPU
/// accelerator), unless <c>ARRAYLANG_CUDA_DEVICE=gpu</c> demands a GPU that is not there.
/// </summary>
public sealed class CudaBackendProvider : IBackendProvider
{
    /// <summary>The one instance.</summary>
    public static readonly CudaBackendProvider Instance = new();

    private CudaBackendProvider() { }

    /// <summary><c>cuda</c>.</summary>
    public string Name => "cuda";

    /// <summary>Null when the backend can run here, else why not (Note [cuda device choice]).</summary>
    public string? Unavailable => DeviceContext.Unavailable;

    /// <inheritdoc />
    public IBackend Create(CompileOptions options) => options == CompileOptions.Default ? CudaBackend.Default : new CudaBackend(options);
}

/// <summary>An array in device memory (JAX's device_put model): results of <see cref="CudaExecutable.RunOnDevice"/> may still be being computed; <see cref="DeviceArray.ToHost"/> waits.</summary>
public sealed class CudaArray : DeviceArray
{
    private readonly CudaBackend _backend;
    private ILGPU.Runtime.MemoryBuffer1D<byte, Stride1D.Dense>? _buffer;

    internal CudaArray(CudaBackend backend, AVal type, ILGPU.Runtime.MemoryBuffer1D<byte, Stride1D.Dense> buffer) : base(backend, type)
    {
        _backend = backend;
        _buffer = buffer;
    }

    /// <summary>The device bytes.</summary>
    internal ArrayView<byte> View
    {
        get
        {
            ThrowIfDisposed();
            return _buffer!.View;
        }
    }

    /// <summary>The device this array lives on.</summary>
    internal DeviceContext Device => _backend.Device;

    /// <inheritdoc />
    protected override NDArray CopyToHost()
    {
        lock (Device.Gate) return new NDArray(Type.DType, Type.Shape, HostCopies.Download(Device, _buffer!.View, Type));
    }

    /// <summary>Waits until every queued kernel that writes this array has finished.</summary>
    public override void BlockUntilReady()
    {
        ThrowIfDisposed();
        lock (Device.Gate) Device.Stream.Synchronize();
    }

    /// <inheritdoc />
    protected override void Release()
    {
        // Work queued on the stream may still read or write the buffer: the stream orders its
        // reuse after that work, so giving it back does not wait (Note [stream-ordered memory]).
        lock (Device.Gate)
        {
            Device.Free(_buffer!);
            _buffer = null;
        }
    }

    /// <summary>Frees the device memory if the array was never disposed.</summary>
    ~CudaArray()
    {
        if (_buffer is not null && !IsDisposed) Dispose();
    }
}

/// <summary>A function compiled for the CUDA backend. Calls are serialized on the device's one stream.</summary>
public sealed class CudaExecutable : IExecutable, IDisposable
{
    private readonly CudaProgram _program;
    private readonly CudaBackend _backend;

    internal CudaExecutable(CudaBackend backend, CudaProgram program)
    {
        _backend = backend;
        _program = program;
    }

    /// <inheritdoc />
    public Function Function => _program.Lowered.Source;

    /// <inheritdoc />
    public IBackend Backend => _backend;

    /// <summary>The lowered program.</summary>
    public LoweredProgram Lowered => _program.Lowered;

    /// <summary>The device code of every kernel: the cache key (the kernel's text) and the kernel method ILGPU compiles.</summary>
    public IReadOnlyList<(string Key, System.Reflection.MethodInfo Method)> Kernels =>
        _program.Kernels.Select(k => (k.Key, k.Method)).ToArray();

    internal IEnumerable<StepKernel> StepKernels => _program.Kernels;

    /// <inheritdoc />
    public long RetainedBytes
    {
        get { lock (_program.Device.Gate) return _program.RetainedBytes; }
    }

    /// <inheritdoc />
    public void ReleaseIdle()
    {
        lock (_program.Device.Gate) _program.ReleaseIdle();
    }

    /// <summary>Gives the device memory this executable holds (constants, arena) back to the device's pool.</summary>
    public void Dispose()
    {
        lock (_program.Device.Gate) _program.Dispose();
    }

    /// <inheritdoc />
    public NDArray[] Run(IReadOnlyList<NDArray> args)
    {
        ReferenceEvaluator.CheckArguments(Function, args);
        var inputs = args.Select(a => (CudaArray)_backend.Put(a)).ToArray();
        try
        {
            var outputs = RunOnDevice(inputs);
            try
            {
                return outputs.Select(o => o.ToHost()).ToArray();
            }
            finally
            {
                foreach (var o in outputs) o.Dispose();
            }
        }
        finally
        {
            foreach (var i in inputs) i.Dispose();
        }
    }

    /// <summary>
    /// Queues the function on the device: the arguments must be this backend's device arrays; the
    /// results are new device arrays, being computed when this returns (their ToHost waits).
    /// </summary>
    public DeviceArray[] RunOnDevice(IReadOnlyList<DeviceArray> args)
    {
        var lowered = _program.Lowered;
        if (args.Count != lowered.Inputs.Length)
            throw new ArgumentException($"{Function.Name} takes {lowered.Inputs.Length} argument(s), found {args.Count}");
        var device = _program.Device;
        var inputs = new ArrayView<byte>[args.Count];
        for (int i = 0; i < args.Count; i++)
        {
            var expected = lowered.Buffers[lowered.Inputs[i]].Type;
            if (args[i] is not CudaArray c || c.Device != device)
                throw new ArgumentException($"argument {i} ({args[i].Type}) is on backend {args[i].Backend.Name}, but {Function.Name} was compiled for {Backend.Name}; Put it on {Backend.Name} first");
            if (!c.Type.Equals(expected))
                throw new ArgumentException($"argument {i} of {Function.Name} is {c.Type}, expected {expected}");
            inputs[i] = c.View;
        }
        lock (device.Gate)
        {
            var results = new CudaArray[lowered.Outputs.Length];
            var outputs = new ArrayView<byte>[results.Length];
            for (int j = 0; j < results.Length; j++)
            {
                var info = lowered.Buffers[lowered.Outputs[j]];
                results[j] = new CudaArray(_backend, info.Type, device.Allocate(info.Bytes));
                outputs[j] = results[j].View;
            }
            _program.Run(inputs, outputs);
            return results;
        }
    }
}

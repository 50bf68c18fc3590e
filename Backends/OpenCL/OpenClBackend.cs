using ArrayLang.Backends.OpenCL.Codegen;
using ArrayLang.Backends.OpenCL.Runtime;
using ArrayLang.Compile;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Reference;
using ArrayLang.Values;

namespace ArrayLang.Backends.OpenCL;

/// <summary>Options of the OpenCL backend beyond the <see cref="CompileOptions"/> every backend takes.</summary>
public sealed record OpenClOptions
{
    /// <summary>
    /// The device: an index into <see cref="OpenClBackend.Devices"/> or a substring of "platform /
    /// device name". Null takes <c>ARRAYLANG_OPENCL_DEVICE</c> when set, else the first GPU, else the
    /// first device.
    /// </summary>
    public string? Device { get; init; }
}

/// <summary>The OpenCL backend in the catalog (<c>opencl</c>).</summary>
public sealed class OpenClBackendProvider : IBackendProvider
{
    /// <summary>The one instance.</summary>
    public static readonly OpenClBackendProvider Instance = new();
    private OpenClBackendProvider() { }

    /// <inheritdoc />
    public string Name => "opencl";

    /// <inheritdoc />
    public string? Unavailable => OpenClBackend.Unavailable;

    /// <inheritdoc />
    public IBackend Create(CompileOptions options) => options == CompileOptions.Default ? OpenClBackend.Instance : new OpenClBackend(options);
}

/// <summary>
/// The OpenCL backend: lowers a function (Core's lowering, the same kernels as every backend),
/// renders the kernels as one OpenCL C 1.2 program (Codegen/) and runs it on one device through
/// Silk.NET. Host calls copy arguments in and results out; <see cref="OpenClExecutable.RunOnDevice"/>
/// keeps arrays on the device.
/// </summary>
public sealed class OpenClBackend : IBackend, IKernelSource
{
    private static readonly Lazy<OpenClBackend> DefaultInstance = new(() => new OpenClBackend(CompileOptions.Default));

    /// <summary>The default backend (fusion on, the default device). Throws on first use when OpenCL is unavailable.</summary>
    public static OpenClBackend Instance => DefaultInstance.Value;

    /// <summary>Creates a backend compiling with <paramref name="options"/> on the device <paramref name="device"/> names (default: see <see cref="OpenClOptions.Device"/>).</summary>
    public OpenClBackend(CompileOptions options, OpenClOptions? device = null)
    {
        Options = options;
        var selector = device?.Device;
        Device = selector is null ? ClDevice.Default() : ClDevice.Open(ClDevice.Select(ClDevice.List(), selector).Index);
        Name = "opencl" + options.NameSuffix + (selector is null ? "" : $"/device={Device.Info.Index}");
    }

    /// <summary>Why OpenCL cannot run here (no library, platform or device), or null when it can.</summary>
    public static string? Unavailable => ClDevice.Unavailable;

    /// <summary>Every OpenCL device of every platform.</summary>
    public static IReadOnlyList<ClDeviceInfo> Devices => ClDevice.List();

    /// <summary>How it compiles.</summary>
    public CompileOptions Options { get; }

    /// <summary>The device it runs on.</summary>
    public ClDevice Device { get; }

    /// <summary><c>opencl</c>, then <see cref="CompileOptions.NameSuffix"/> and the device when one was named.</summary>
    public string Name { get; }

    /// <summary>The lowered program this backend runs for <paramref name="function"/>.</summary>
    public LoweredProgram Lower(Function function) => Compiler.Lower(function, Options);

    /// <summary>The OpenCL C source this backend generates for <paramref name="function"/> (what <c>arraylang kernels</c> prints).</summary>
    public string KernelSource(Function function) => ClProgramCompiler.Compile(Lower(function), Device.Info).Source;

    /// <inheritdoc />
    public IExecutable Compile(Function function) => new OpenClExecutable(this, Lower(function));

    /// <summary>Copies <paramref name="array"/> to this backend's device once.</summary>
    public DeviceArray Put(NDArray array) => new OpenClArray(this, ClProgramRunner.Upload(Device, array), array.Type);
}

/// <summary>
/// A function compiled for an OpenCL device. Thread-safe (calls are serialized on the device's
/// in-order queue); dispose it to release its constants, arena and kernels.
/// </summary>
public sealed class OpenClExecutable : IExecutable, IDisposable
{
    private readonly ClProgramRunner _runner;
    private readonly OpenClBackend _backend;

    internal OpenClExecutable(OpenClBackend backend, LoweredProgram lowered)
    {
        _backend = backend;
        _runner = new ClProgramRunner(backend.Device, ClProgramCompiler.Compile(lowered, backend.Device.Info));
    }

    /// <inheritdoc />
    public Function Function => Lowered.Source;

    /// <inheritdoc />
    public IBackend Backend => _backend;

    /// <summary>The lowered program it runs.</summary>
    public LoweredProgram Lowered => _runner.Compiled.Lowered;

    /// <summary>The generated OpenCL C program.</summary>
    public string Source => _runner.Compiled.Source;

    /// <summary>
    /// How many steps the host drives: one per general <c>scan</c>, <c>cond</c> or <c>while</c> (their
    /// sub-programs run on the device); every other kernel is a device kernel (Note [opencl host steps]).
    /// </summary>
    public int HostSteps => _runner.Compiled.Steps.Count(s => s is ClControlFlowStep);

    /// <inheritdoc />
    public long RetainedBytes => _runner.RetainedBytes;

    /// <inheritdoc />
    public void ReleaseIdle() => _runner.ReleaseIdle();

    /// <inheritdoc />
    public NDArray[] Run(IReadOnlyList<NDArray> args)
    {
        ReferenceEvaluator.CheckArguments(Function, args);
        var device = _backend.Device;
        var inputs = args.Select(a => ClProgramRunner.Upload(device, a)).ToArray();
        var types = Lowered.Outputs.Select(o => Lowered.Buffers[o].Type).ToArray();
        var outputs = new nint[types.Length];
        try
        {
            for (int j = 0; j < outputs.Length; j++) outputs[j] = device.Allocate(ClProgramRunner.Bytes(types[j]));
            _runner.Run(inputs.Select(i => new ClBuffer(i, 0)).ToArray(), outputs.Select(o => new ClBuffer(o, 0)).ToArray());
            return outputs.Select((o, j) => ClProgramRunner.Download(device, o, types[j])).ToArray();
        }
        finally
        {
            foreach (var i in inputs) device.Release(i);
            foreach (var o in outputs) if (o != 0) device.Release(o);
        }
    }

    /// <summary>
    /// Runs on arrays already on this executable's device and keeps the results there: nothing is
    /// copied; the call returns once the work is enqueued (<see cref="DeviceArray.ToHost"/> waits).
    /// </summary>
    public DeviceArray[] RunOnDevice(IReadOnlyList<DeviceArray> args)
    {
        var ps = Function.Params;
        if (args.Count != ps.Length)
            throw new ArgumentException($"{Function.Name} takes {ps.Length} argument(s), got {args.Count}");
        var memories = new ClBuffer[args.Count];
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] is not OpenClArray a || a.Device != _backend.Device)
                throw new ArgumentException($"{Function.Name}: argument {i} ({args[i]}) is not on this OpenCL device ({_backend.Device.Info.Name}); Put it on {_backend.Name} first");
            if (a.Type != ps[i].Type)
                throw new ArgumentException($"{Function.Name}: argument {i} ({ps[i].Name}) should be {ps[i].Type}, got {a.Type}");
            memories[i] = new ClBuffer(a.Memory, 0);
        }
        var types = Lowered.Outputs.Select(o => Lowered.Buffers[o].Type).ToArray();
        var results = new OpenClArray[types.Length];
        try
        {
            for (int j = 0; j < types.Length; j++)
                results[j] = new OpenClArray(_backend, _backend.Device.Allocate(ClProgramRunner.Bytes(types[j])), types[j]);
            _runner.Run(memories, results.Select(r => new ClBuffer(r.Memory, 0)).ToArray());
        }
        catch
        {
            foreach (var r in results) r?.Dispose();
            throw;
        }
        return results;
    }

    /// <summary>Releases the device resources this executable holds.</summary>
    public void Dispose()
    {
        _runner.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Gives the device memory back when the executable was never disposed, e.g. one the jit cache
    /// evicted that no caller holds (the contexts live as long as the process; OpenCL frees a
    /// released object only after the commands queued on it have run).
    /// </summary>
    ~OpenClExecutable() => _runner.Dispose();
}

/// <summary>
/// An array held on an OpenCL device (JAX's device_put model): made by <see cref="OpenClBackend.Put"/>
/// or returned by <see cref="OpenClExecutable.RunOnDevice"/>; <see cref="DeviceArray.ToHost"/> copies
/// it back. Dispose it to free the device memory.
/// </summary>
public sealed class OpenClArray : DeviceArray
{
    internal OpenClArray(OpenClBackend backend, nint memory, AVal type) : base(backend, type)
    {
        Device = backend.Device;
        Memory = memory;
    }

    /// <summary>Releases the device memory if the owner forgot to (a safety net; dispose instead).</summary>
    ~OpenClArray() => Dispose();

    internal ClDevice Device { get; }

    internal nint Memory { get; }

    /// <inheritdoc />
    protected override NDArray CopyToHost() => ClProgramRunner.Download(Device, Memory, Type);

    /// <summary>Waits until everything enqueued on its device has finished.</summary>
    public override void BlockUntilReady()
    {
        ThrowIfDisposed();
        Device.Finish();
    }

    /// <inheritdoc />
    protected override void Release() => Device.Release(Memory);
}

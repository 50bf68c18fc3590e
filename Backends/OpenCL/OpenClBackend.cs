using ArrayLang.Backends.OpenCL.Codegen;
using ArrayLang.Backends.OpenCL.Runtime;
using ArrayLang.Compile;
using ArrayLang.Compile.Lowering;
using ArrayLang.Compile.Passes;
using ArrayLang.Ir;
using ArrayLang.Reference;
using ArrayLang.Values;

namespace ArrayLang.Backends.OpenCL;

/// <summary>Options of the OpenCL backend.</summary>
public sealed record OpenClOptions
{
    /// <summary>Fuse kernels (as the CPU backend does); false runs one kernel per equation.</summary>
    public bool Fuse { get; init; } = true;

    /// <summary>The passes run before lowering (the standard pipeline by default).</summary>
    public Pipeline Passes { get; init; } = Pipeline.Standard;

    /// <summary>
    /// The device: an index into <see cref="OpenClBackend.Devices"/> or a substring of "platform /
    /// device name". Null takes <c>ARRAYLANG_OPENCL_DEVICE</c> when set, else the first GPU, else the
    /// first device.
    /// </summary>
    public string? Device { get; init; }
}

/// <summary>
/// The OpenCL backend: lowers a function (Core's lowering, the same kernels as every backend),
/// renders the kernels as one OpenCL C 1.2 program (Codegen/) and runs it on one device through
/// Silk.NET. Host calls copy arguments in and results out; <see cref="OpenClExecutable.RunOnDevice"/>
/// keeps arrays on the device.
/// </summary>
public sealed class OpenClBackend : IBackend
{
    private static readonly Lazy<OpenClBackend> DefaultInstance = new(() => new OpenClBackend(new OpenClOptions()));

    /// <summary>The default backend (fusion on, the default device). Throws on first use when OpenCL is unavailable.</summary>
    public static OpenClBackend Instance => DefaultInstance.Value;

    /// <summary>Creates a backend on the device the options name.</summary>
    public OpenClBackend(OpenClOptions options)
    {
        Options = options;
        Device = options.Device is null ? ClDevice.Default() : ClDevice.Open(ClDevice.Select(ClDevice.List(), options.Device).Index);
        Name = "opencl" + (options.Fuse ? "" : "/nofusion") +
            (options.Passes.ToString() == Pipeline.Standard.ToString() ? "" : "/" + options.Passes);
    }

    /// <summary>Why OpenCL cannot run here (no library, platform or device), or null when it can.</summary>
    public static string? Unavailable => ClDevice.Unavailable;

    /// <summary>Every OpenCL device of every platform.</summary>
    public static IReadOnlyList<ClDeviceInfo> Devices => ClDevice.List();

    /// <summary>This backend's options.</summary>
    public OpenClOptions Options { get; }

    /// <summary>The device it runs on.</summary>
    public ClDevice Device { get; }

    /// <summary><c>opencl</c>, or <c>opencl/nofusion</c> and the passes when they differ from the defaults.</summary>
    public string Name { get; }

    /// <summary>The lowered program this backend runs for <paramref name="function"/>.</summary>
    public LoweredProgram Lower(Function function)
    {
        TypeChecker.Check(function);
        var optimized = Options.Passes.Run(function);
        return Lowering.Lower(optimized, new LoweringOptions { Fuse = Options.Fuse });
    }

    /// <summary>The OpenCL C source this backend generates for <paramref name="function"/> (what <c>arraylang kernels</c> prints).</summary>
    public string KernelSource(Function function) => ClProgramCompiler.Compile(Lower(function), Device.Info).Source;

    /// <inheritdoc />
    public IExecutable Compile(Function function) => new OpenClExecutable(this, Lower(function));

    /// <summary>Copies <paramref name="array"/> to this backend's device once.</summary>
    public OpenClArray Put(NDArray array) => new(this, ClProgramRunner.Upload(Device, array), array.Type);
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

    /// <summary>How many primitive kernels run on the host by copying (Note [opencl host steps]).</summary>
    public int HostSteps => _runner.Compiled.Steps.Count(s => s is ClHostStep);

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
            _runner.Run(inputs, outputs);
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
    /// copied; the call returns once the work is enqueued (<see cref="OpenClArray.ToHost"/> waits).
    /// </summary>
    public OpenClArray[] RunOnDevice(IReadOnlyList<OpenClArray> args)
    {
        var ps = Function.Params;
        if (args.Count != ps.Length)
            throw new ArgumentException($"{Function.Name} takes {ps.Length} argument(s), got {args.Count}");
        for (int i = 0; i < args.Count; i++)
        {
            ObjectDisposedException.ThrowIf(args[i].IsDisposed, args[i]);
            if (args[i].Device != _backend.Device)
                throw new ArgumentException($"{Function.Name}: argument {i} lives on {args[i].Device.Info.Name}, not on {_backend.Device.Info.Name}");
            if (args[i].Type != ps[i].Type)
                throw new ArgumentException($"{Function.Name}: argument {i} ({ps[i].Name}) should be {ps[i].Type}, got {args[i].Type}");
        }
        var types = Lowered.Outputs.Select(o => Lowered.Buffers[o].Type).ToArray();
        var results = types.Select(t => new OpenClArray(_backend, _backend.Device.Allocate(ClProgramRunner.Bytes(t)), t)).ToArray();
        try
        {
            _runner.Run(args.Select(a => a.Memory).ToArray(), results.Select(r => r.Memory).ToArray());
        }
        catch
        {
            foreach (var r in results) r.Dispose();
            throw;
        }
        return results;
    }

    /// <summary>Releases the device resources this executable holds.</summary>
    public void Dispose() => _runner.Dispose();
}

/// <summary>
/// An array held on an OpenCL device (JAX's device_put model): made by <see cref="OpenClBackend.Put"/>
/// or returned by <see cref="OpenClExecutable.RunOnDevice"/>; <see cref="ToHost"/> copies it back.
/// Dispose it to free the device memory.
/// </summary>
public sealed class OpenClArray : IDisposable
{
    internal OpenClArray(OpenClBackend backend, nint memory, AVal type)
    {
        Backend = backend;
        Memory = memory;
        Type = type;
    }

    /// <summary>The backend whose device holds it.</summary>
    public OpenClBackend Backend { get; }

    internal ClDevice Device => Backend.Device;

    internal nint Memory { get; private set; }

    /// <summary>Its dtype and shape.</summary>
    public AVal Type { get; }

    /// <summary>Whether it was disposed.</summary>
    public bool IsDisposed => Memory == 0;

    /// <summary>Waits for the work that writes it, then copies it to a host array.</summary>
    public NDArray ToHost()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return ClProgramRunner.Download(Device, Memory, Type);
    }

    /// <summary>Waits until everything enqueued on its device has finished.</summary>
    public void BlockUntilReady() => Device.Finish();

    /// <summary>Releases the device memory.</summary>
    public void Dispose()
    {
        if (Memory == 0) return;
        Device.Release(Memory);
        Memory = 0;
    }
}

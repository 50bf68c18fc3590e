using ArrayLang.Ir;
using ArrayLang.Values;

namespace ArrayLang.Compile;

/// <summary>
/// A place functions run: the reference evaluator, the CPU, an OpenCL device or a CUDA GPU.
/// A backend is a folder implementing this interface. A program names the one it wants (e.g.
/// <c>CpuBackend.Instance</c>), picks one from the catalog of <see cref="IBackendProvider"/>s, or
/// takes <see cref="DefaultBackend"/>, the one thing found by reflection (among the backends the
/// application references, Note [default backend discovery]). Compiling backends lower with
/// <see cref="Compiler.Lower"/> and run the <see cref="Lowering.LoweredProgram"/>.
/// </summary>
public interface IBackend
{
    /// <summary>The name used on the command line (<c>--backend NAME</c>) and in messages.</summary>
    string Name { get; }

    /// <summary>Compiles a well-typed function into an executable for this backend.</summary>
    IExecutable Compile(Function function);

    /// <summary>
    /// Puts <paramref name="array"/> on this backend's device (a copy for a GPU; host backends wrap it),
    /// for <see cref="IExecutable.RunOnDevice"/>. The caller disposes the result.
    /// </summary>
    DeviceArray Put(NDArray array) => new HostDeviceArray(this, array);
}

/// <summary>
/// A backend as the catalog lists it: its name, whether it can run on this machine, and how to make
/// it with given compile options. Each backend project exposes one; the CLI, the tests and the bench
/// take the list from <c>ArrayLang.Backends.Catalog</c>.
/// </summary>
public interface IBackendProvider
{
    /// <summary>The backend's name (<c>cpu</c>, <c>opencl</c>, <c>cuda</c>).</summary>
    string Name { get; }

    /// <summary>Null when the backend can run here; otherwise why not (no OpenCL platform, no CUDA device), for messages and skipped tests.</summary>
    string? Unavailable { get; }

    /// <summary>The backend compiling with <paramref name="options"/>; its name carries <see cref="CompileOptions.NameSuffix"/>.</summary>
    IBackend Create(CompileOptions options);
}

/// <summary>A compiled function. Thread-safe: many threads may run one executable at once.</summary>
public interface IExecutable
{
    /// <summary>The function this executable computes (after the backend's passes).</summary>
    Function Function { get; }

    /// <summary>The backend that compiled it.</summary>
    IBackend Backend { get; }

    /// <summary>Runs the function on arguments matching its parameters (const ones included).</summary>
    NDArray[] Run(IReadOnlyList<NDArray> args);

    /// <summary>
    /// Runs the function on arrays already on this backend's device (<see cref="IBackend.Put"/>, or
    /// results of earlier calls) and leaves the results there; on a GPU the call returns before the
    /// work is done (<see cref="DeviceArray.BlockUntilReady"/>, <see cref="DeviceArray.ToHost"/> wait).
    /// The caller disposes the results. The default runs on the host.
    /// </summary>
    DeviceArray[] RunOnDevice(IReadOnlyList<DeviceArray> args)
    {
        var hostArgs = new NDArray[args.Count];
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i].Backend.Name != Backend.Name)
                throw new ArgumentException($"argument {i} ({args[i].Type}) is on backend {args[i].Backend.Name}, but {Function.Name} was compiled for {Backend.Name}; Put it on {Backend.Name} first");
            hostArgs[i] = args[i].ToHost();
        }
        return Run(hostArgs).Select(r => (DeviceArray)new HostDeviceArray(Backend, r)).ToArray();
    }
}

/// <summary>The reference evaluator as a backend: slow, scalar and obviously right.</summary>
public sealed class ReferenceBackend : IBackend
{
    /// <summary>The one instance.</summary>
    public static readonly ReferenceBackend Instance = new();
    private ReferenceBackend() { }

    /// <inheritdoc />
    public string Name => "reference";

    /// <inheritdoc />
    public IExecutable Compile(Function function)
    {
        TypeChecker.Check(function);
        return new Executable(function, this);
    }

    private sealed record Executable(Function Function, IBackend Backend) : IExecutable
    {
        public NDArray[] Run(IReadOnlyList<NDArray> args) => Reference.ReferenceEvaluator.Evaluate(Function, args);
    }
}

/// <summary>The reference evaluator in the backend catalog: always available; it runs functions as written (no passes).</summary>
public sealed class ReferenceBackendProvider : IBackendProvider
{
    /// <summary>The one instance.</summary>
    public static readonly ReferenceBackendProvider Instance = new();
    private ReferenceBackendProvider() { }

    /// <inheritdoc />
    public string Name => "reference";

    /// <inheritdoc />
    public string? Unavailable => null;

    /// <inheritdoc />
    public IBackend Create(CompileOptions options) => ReferenceBackend.Instance;
}

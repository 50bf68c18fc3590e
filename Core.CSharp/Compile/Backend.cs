using ArrayLang.Ir;
using ArrayLang.Values;

namespace ArrayLang.Compile;

/// <summary>
/// A place functions run: the reference evaluator, the CPU, an OpenCL device or a CUDA GPU.
/// A backend is a folder implementing this interface; nothing finds backends by reflection, a
/// program names the one it wants (e.g. <c>CpuBackend.Instance</c>).
/// </summary>
public interface IBackend
{
    /// <summary>The name used on the command line (<c>--backend NAME</c>) and in messages.</summary>
    string Name { get; }

    /// <summary>Compiles a well-typed function into an executable for this backend.</summary>
    IExecutable Compile(Function function);
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

namespace ArrayLang.Bench.Harness;

/// <summary>
/// A method ready to time: <see cref="Run"/> computes the outputs of the first
/// <see cref="Examples"/> examples of the workload, one array per result of the per-example function
/// (each example-major), everything it needs (compiled executable, arguments) made beforehand.
/// </summary>
public sealed record MethodCase(string Backend, string Method, int Examples, Func<float[][]> Run)
{
    /// <summary>Compile time of the executable in milliseconds, when the method compiles one.</summary>
    public double? CompileMs { get; init; }
    /// <summary>For chunked-vmap: examples per chunk.</summary>
    public int? ChunkSize { get; init; }
    /// <summary>For chunked-vmap: the memory budget.</summary>
    public long? BudgetBytes { get; init; }
    /// <summary>For chunked-vmap: the estimated peak bytes of one chunk.</summary>
    public long? EstimatedPeakBytes { get; init; }
    /// <summary>What a reader must know about this row.</summary>
    public string? Note { get; init; }
}

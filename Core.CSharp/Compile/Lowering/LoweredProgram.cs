using System.Collections.Immutable;
using System.Text;
using ArrayLang.Ir;

namespace ArrayLang.Compile.Lowering;

/// <summary>The role of a buffer in a <see cref="LoweredProgram"/>.</summary>
public enum BufferKind
{
    /// <summary>A parameter of the function, supplied by the caller and never written.</summary>
    Input,
    /// <summary>A result of the function, allocated per call and handed to the caller.</summary>
    Output,
    /// <summary>A temporary between kernels; placed in the arena by the <see cref="BufferPlan"/>.</summary>
    Intermediate,
    /// <summary>A scalar literal given to a kernel that reads buffers (filled once at compile time).</summary>
    Constant,
}

/// <summary>A buffer of a lowered program: dense, row-major, of one aval.</summary>
/// <param name="Id">Its index in <see cref="LoweredProgram.Buffers"/>.</param>
/// <param name="Kind">Its role.</param>
/// <param name="Type">Its dtype and shape.</param>
/// <param name="Name">The IR variable it holds, for printing.</param>
/// <param name="Index">For an input the parameter position, for an output the result position, else -1.</param>
/// <param name="Value">For a constant, its value.</param>
public sealed record BufferInfo(int Id, BufferKind Kind, AVal Type, string Name, int Index, Literal? Value)
{
    /// <summary>The size in bytes (a bool is one byte).</summary>
    public long Bytes => Type.Shape.ElementCount * Type.DType.SizeInBytes();

    /// <summary><c>b3: f32[10] intermediate (t)</c>.</summary>
    public override string ToString() =>
        $"b{Id}: {Type} {Kind.ToString().ToLowerInvariant()}" +
        (Kind == BufferKind.Constant ? $" = {Value}" : $" ({Name}{(Index >= 0 ? $" #{Index}" : "")})");
}

/// <summary>Options of <see cref="Lowering.Lower"/>.</summary>
public sealed record LoweringOptions
{
    /// <summary>The default: fusion on.</summary>
    public static readonly LoweringOptions Default = new();

    /// <summary>
    /// Fuse elementwise chains with the views feeding them and the reductions they feed, give
    /// <c>dot_general</c> an epilogue, and run lane-parallel scans with the time loop inside. When
    /// false, every equation becomes its own kernel (the op-by-op "vmap" method of BENCH.md).
    /// </summary>
    public bool Fuse { get; init; } = true;

    /// <summary>
    /// Whether a backend may contract a float <c>mul</c> whose only use is an <c>add</c> into one fused
    /// multiply-add (one rounding instead of two). Off by default: elementwise code then gives the
    /// reference evaluator's bits (Note [float contraction] in <see cref="CompileOptions"/>).
    /// </summary>
    public bool ContractFloat { get; init; }

    /// <summary>The byte alignment of every buffer placed in the arena (a power of two, at least 16).</summary>
    public int Alignment { get; init; } = 64;
}

/// <summary>
/// A function lowered for execution: its buffers, a plan that places the intermediates in one
/// arena, and an ordered list of kernels. A core data structure, not a CPU one: every backend
/// consumes the same description (CLARIFICATIONS.md "CPU jit"). Printing it shows the fused kernels.
/// </summary>
/// <param name="Source">The function that was lowered (after passes).</param>
/// <param name="Buffers">Every buffer, by id.</param>
/// <param name="Inputs">The buffer of each parameter, in parameter order.</param>
/// <param name="Outputs">The buffer of each result, in result order (each distinct).</param>
/// <param name="Kernels">The kernels in execution order.</param>
/// <param name="Plan">Where the intermediates live in the arena, and the peak memory.</param>
public sealed record LoweredProgram(Function Source, ImmutableArray<BufferInfo> Buffers, ImmutableArray<int> Inputs,
    ImmutableArray<int> Outputs, ImmutableArray<Kernel> Kernels, BufferPlan Plan)
{
    /// <summary>How the program was lowered (fusion, float contraction, alignment); its sub-programs share them.</summary>
    public LoweringOptions Options { get; init; } = LoweringOptions.Default;

    /// <summary>The intermediate buffers.</summary>
    public IEnumerable<BufferInfo> Intermediates => Buffers.Where(b => b.Kind == BufferKind.Intermediate);

    /// <summary>The constant buffers.</summary>
    public IEnumerable<BufferInfo> Constants => Buffers.Where(b => b.Kind == BufferKind.Constant);

    /// <summary>How many kernels of each kind, e.g. <c>elementwise 2, contraction 1</c>.</summary>
    public string KernelSummary => string.Join(", ",
        Kernels.GroupBy(k => k.KindName).Select(g => $"{g.Key} {g.Count()}"));

    /// <summary>The kernels and buffers as a Graphviz DOT graph (<see cref="LoweredGraph"/>).</summary>
    public string ToDot() => LoweredGraph.ToDot(this);

    /// <summary>Buffers, plan and kernels in a readable form.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"lowered {Source.Name}: {Kernels.Length} kernel(s), arena {Plan.ArenaBytes} bytes, peak {Plan.PeakBytes} bytes\n");
        foreach (var b in Buffers)
        {
            sb.Append("  ").Append(b);
            if (b.Kind == BufferKind.Intermediate) sb.Append($" at {Plan.Offsets[b.Id]}");
            sb.Append('\n');
        }
        for (int i = 0; i < Kernels.Length; i++)
        {
            var lines = Kernels[i].ToString()!.Split('\n');
            sb.Append($"  k{i}: ").Append(lines[0]).Append('\n');
            foreach (var l in lines.Skip(1)) sb.Append("  ").Append(l).Append('\n');
        }
        return sb.ToString().TrimEnd('\n');
    }
}

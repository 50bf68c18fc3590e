using ArrayLang.Compile.Lowering;
using ArrayLang.Compile.Passes;

namespace ArrayLang.Compile;

/// <summary>
/// How <see cref="Compiler.Lower"/> turns a function into a <see cref="LoweredProgram"/>: the
/// passes, fusion, float contraction and buffer alignment. Every backend compiles with these; a
/// backend's name carries <see cref="NameSuffix"/> so that the jit cache never shares an
/// executable between two configurations.
/// </summary>
/// <remarks>
/// Note [float contraction]: a fused multiply-add rounds <c>a*b+c</c> once where the reference
/// evaluator rounds twice. In a chaotic iteration (an escape-time loop) the difference of one ulp
/// grows until whole results differ (205 of 160,000 pixel counts flipped, by up to 99). So by
/// default no backend contracts elementwise code: <c>+ - * /</c>, comparisons, selects and
/// conversions give the reference's bits. <see cref="ContractFloat"/> opts in, for speed where the
/// user accepts the rounding difference. Matrix products (<c>dot_general</c>) and reductions may
/// use FMA and reassociate regardless (IR.md "Exact semantics").
/// </remarks>
public sealed record CompileOptions
{
    /// <summary>The standard passes, fusion on, no float contraction, 64-byte alignment.</summary>
    public static readonly CompileOptions Default = new();

    /// <summary>
    /// The passes run before lowering: <see cref="Pipeline.Standard"/> unless another is given, e.g.
    /// <c>Pipeline.StandardWith(SimplifyOptions.Default with { FactorReductions = false })</c>, or an
    /// empty pipeline to lower a function exactly as written.
    /// </summary>
    public Pipeline Passes { get; init; } = Pipeline.Standard;

    /// <summary>
    /// Fuse kernels (elementwise chains with their views and reductions, contraction epilogues,
    /// in-kernel scan and while loops). False runs one kernel per equation: BENCH.md's op-by-op "vmap".
    /// </summary>
    public bool Fuse { get; init; } = true;

    /// <summary>Contract a float multiply feeding only an add into one fused multiply-add (Note [float contraction]; off by default).</summary>
    public bool ContractFloat { get; init; }

    /// <summary>The byte alignment of intermediate buffers in the arena (a power of two; 64 by default).</summary>
    public int Alignment { get; init; } = 64;

    /// <summary>The options lowering takes from these.</summary>
    public LoweringOptions Lowering => new() { Fuse = Fuse, ContractFloat = ContractFloat, Alignment = Alignment };

    /// <summary>
    /// Empty for the defaults; otherwise what differs, e.g. <c>/nofusion</c>, <c>/contract</c> or
    /// <c>/[dce, cse, simplify(no-factoring), dce]</c>, appended to a backend's name.
    /// </summary>
    public string NameSuffix =>
        (Fuse ? "" : "/nofusion") +
        (Passes.ToString() == Pipeline.Standard.ToString() ? "" : "/" + Passes) +
        (ContractFloat ? "/contract" : "") +
        (Alignment == 64 ? "" : $"/align={Alignment}");
}

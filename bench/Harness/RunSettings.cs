namespace ArrayLang.Bench.Harness;

/// <summary>How long and how often the suite measures.</summary>
/// <param name="Quick">The short run of <c>--quick</c>: few iterations, the per-example loop on a subsample.</param>
/// <param name="TargetIterations">Timed runs per method when they fit the budget.</param>
/// <param name="BudgetSeconds">Timed runs stop after this many seconds (at least one run is always timed).</param>
/// <param name="Seed">The inputs' random seed.</param>
/// <param name="Log">Where progress and each result line go.</param>
public sealed record RunSettings(bool Quick, int TargetIterations, double BudgetSeconds, int Seed, TextWriter Log)
{
    /// <summary>Only these methods (JSON names), or null for all.</summary>
    public IReadOnlySet<string>? Methods { get; init; }

    /// <summary>The f32 FMA peak of all cores (Note [fma peak]), when measured: rows with GFLOP/s report their fraction of it.</summary>
    public Measurement? FmaPeakF32 { get; init; }

    /// <summary>Examples the per-example loop runs on a compiled backend under <c>--quick</c> (scaled linearly to B).</summary>
    public const int QuickLoopExamples = 100_000;

    /// <summary>The longest one run on a scalar interpreter may take for it to run the whole batch
    /// rather than a prefix (<see cref="Harness.Methods.Sized"/>).</summary>
    public double MaxInterpreterRunSeconds { get; init; }

    /// <summary>The settings of <c>--quick</c>: minutes in total on a 2-core machine.</summary>
    public static RunSettings ForQuick(TextWriter log, int seed = 1) => new(true, 5, 2.0, seed, log) { MaxInterpreterRunSeconds = 1.0 };

    /// <summary>The settings of the full run.</summary>
    public static RunSettings ForFull(TextWriter log, int seed = 1) => new(false, 10, 10.0, seed, log) { MaxInterpreterRunSeconds = 8.0 };
}

using ArrayLang.Bench.Harness;
using ArrayLang.Ir;
using ArrayLang.Tracing;

namespace ArrayLang.Bench.Workloads;

/// <summary>
/// W6-W11 of <c>shared/BENCH.md</c>: per-example programs as users write them, with the public C#
/// API (<c>Fn.Of</c>, <c>Control</c>). Note [realistic baselines]: their baselines are what a .NET
/// programmer writes without ArrayLang: <c>plain-loop</c>, scalar C# over the arrays on one thread;
/// <c>parallel-for</c>, the very same per-example code under <see cref="Parallel.For(int, int, Action{int})"/>
/// (each workload writes its example once and both drivers call it); and for W6, W8 and W10
/// <c>hand-fused</c>, the best vector code (at the machine's width, Note [baseline widths]) on all cores the suite's authors could write.
/// Every method is checked against <c>plain-loop</c> (run once by <see cref="Workload.Prepare"/>), and
/// its largest difference from it is reported.
/// </summary>
public abstract class RealisticWorkload : Workload
{
    /// <inheritdoc />
    public override string ExpectedSource => Methods.PlainLoop;

    /// <summary>Whether BENCH.md asks for a <c>hand-fused</c> baseline (W6, W8, W10).</summary>
    public virtual bool HasHandFused => false;

    /// <inheritdoc />
    public override IReadOnlyList<string> BaselineMethods =>
        HasHandFused ? [Methods.PlainLoop, Methods.ParallelFor, Methods.HandFused] : [Methods.PlainLoop, Methods.ParallelFor];

    /// <inheritdoc />
    public override float[][] RunBaseline(string method) => method switch
    {
        Methods.PlainLoop => RunPlainLoop(),
        Methods.ParallelFor => RunParallelFor(),
        Methods.HandFused when HasHandFused => RunHandFused(),
        _ => throw new ArgumentException($"{Id} has no baseline '{method}'", nameof(method)),
    };

    /// <summary>A plain single-threaded scalar C# loop over the examples; returns the results.</summary>
    public abstract float[][] RunPlainLoop();

    /// <summary>The same loop under <see cref="Parallel.For(int, int, Action{int})"/> over examples.</summary>
    public abstract float[][] RunParallelFor();

    /// <summary>The hand-written vector version on all cores, at the machine's width (only where <see cref="HasHandFused"/>).</summary>
    public virtual float[][] RunHandFused() => throw new NotSupportedException($"{Id} has no hand-fused baseline");

    /// <inheritdoc />
    protected override float[][] ComputeExpected() => RunPlainLoop();

    /// <summary>A function lowered by the C# front end (<c>Fn.Lower</c>) as the traced per-example function:
    /// the workloads pass shared arrays as arguments, so it captures nothing.</summary>
    protected static TracedFunction Lowered(Function f) =>
        f.ConstMask.Any(c => c)
            ? throw new InvalidOperationException($"{f.Name}: the bench's per-example functions take their shared arrays as arguments, but this one captured some")
            : new TracedFunction(f, []);
}

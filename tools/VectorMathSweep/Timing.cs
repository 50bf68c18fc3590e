using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using ArrayLang.Backends.Cpu;
using ArrayLang.Reference;

namespace ArrayLang.Tools.VectorMathSweep;

/// <summary>
/// A quick single-thread timing of each float function over 10M elements: VectorMath's span
/// function, a per-element loop over the reference evaluator's scalar math (Math.* or ScalarMath,
/// in double), and TensorPrimitives where it has the function. Best of five runs after a warm-up.
/// </summary>
internal static class Timing
{
    private const int N = 10_000_000;

    private sealed record Case(
        string Name, Func<Random, float> DrawX, Func<Random, float>? DrawY,
        Action<float[], float[], float[]> Vector, Action<float[], float[], float[]> Scalar,
        Action<float[], float[], float[]>? Tensor);

    private static float Uniform(Random r, double lo, double hi) => (float)(lo + (hi - lo) * r.NextDouble());

    private static Case Unary(string name, double lo, double hi, SpanAction vector, Func<double, double> scalar,
                              Action<ReadOnlySpan<float>, Span<float>>? tensor) =>
        new(name, r => Uniform(r, lo, hi), null,
            (x, _, res) => vector(x, res),
            (x, _, res) => { for (int i = 0; i < x.Length; i++) res[i] = (float)scalar(x[i]); },
            tensor is null ? null : (x, _, res) => tensor(x, res));

    private static readonly Case[] Cases =
    [
        Unary("exp", -10, 10, VectorMath.Exp, Math.Exp, (x, r) => TensorPrimitives.Exp(x, r)),
        Unary("log", 1e-3, 1e3, VectorMath.Log, Math.Log, (x, r) => TensorPrimitives.Log(x, r)),
        Unary("log1p", -0.9, 100, VectorMath.Log1p, ScalarMath.Log1p, (x, r) => TensorPrimitives.LogP1(x, r)),
        Unary("expm1", -10, 10, VectorMath.Expm1, ScalarMath.Expm1, (x, r) => TensorPrimitives.ExpM1(x, r)),
        Unary("sin", -10, 10, VectorMath.Sin, Math.Sin, (x, r) => TensorPrimitives.Sin(x, r)),
        Unary("cos", -10, 10, VectorMath.Cos, Math.Cos, (x, r) => TensorPrimitives.Cos(x, r)),
        Unary("tan", -10, 10, VectorMath.Tan, Math.Tan, (x, r) => TensorPrimitives.Tan(x, r)),
        Unary("tanh", -5, 5, VectorMath.Tanh, Math.Tanh, (x, r) => TensorPrimitives.Tanh(x, r)),
        Unary("logistic", -10, 10, VectorMath.Logistic, ScalarMath.Logistic, (x, r) => TensorPrimitives.Sigmoid(x, r)),
        Unary("erf", -4, 4, VectorMath.Erf, ScalarMath.Erf, null),
        new("pow", r => Uniform(r, 1e-3, 10), r => Uniform(r, -5, 5),
            (x, y, res) => VectorMath.Pow(x, y, res),
            (x, y, res) => { for (int i = 0; i < x.Length; i++) res[i] = (float)ScalarMath.Pow(x[i], y[i]); },
            (x, y, res) => TensorPrimitives.Pow<float>(x, y, res)),
        new("atan2", r => Uniform(r, -10, 10), r => Uniform(r, -10, 10),
            (y, x, res) => VectorMath.Atan2(y, x, res),
            (y, x, res) => { for (int i = 0; i < x.Length; i++) res[i] = (float)Math.Atan2(y[i], x[i]); },
            (y, x, res) => TensorPrimitives.Atan2<float>(y, x, res)),
    ];

    public static void Run(string[]? only)
    {
        var x = new float[N];
        var y = new float[N];
        var result = new float[N];
        Console.WriteLine($"ns per element, {N:N0} floats, one thread, best of 5 (Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated})");
        Console.WriteLine("| function | VectorMath | Math.*/ScalarMath per element | TensorPrimitives |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var c in Cases.Where(c => only is null || only.Contains(c.Name)))
        {
            var rng = new Random(12345);
            for (int i = 0; i < N; i++) x[i] = c.DrawX(rng);
            if (c.DrawY is not null) for (int i = 0; i < N; i++) y[i] = c.DrawY(rng);
            string vector = Time(() => c.Vector(x, y, result));
            // The scalar reference loop is slow (erf in double-double most of all): time a tenth.
            string scalar = Time(() => c.Scalar(x[..(N / 10)], y[..(N / 10)], result), scale: 10);
            string tensor = c.Tensor is null ? "n/a" : Time(() => c.Tensor(x, y, result));
            Console.WriteLine($"| {c.Name} | {vector} | {scalar} | {tensor} |");
        }
    }

    private static string Time(Action run, int scale = 1)
    {
        run();
        double best = double.MaxValue;
        for (int rep = 0; rep < 5; rep++)
        {
            var watch = Stopwatch.StartNew();
            run();
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
        }
        return (best * 1e6 * scale / N).ToString("F3", CultureInfo.InvariantCulture);
    }
}

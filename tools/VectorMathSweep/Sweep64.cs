using System.Globalization;
using ArrayLang.Backends.Cpu;
using ArrayLang.Reference;

namespace ArrayLang.Tools.VectorMathSweep;

/// <summary>
/// The double functions on a sample: half random bit patterns (every magnitude, specials included),
/// half uniform over the range where the function is interesting; compared in double ulps with the
/// reference evaluator's double functions (Math.*, themselves within about half an ulp, or
/// ScalarMath in double-double).
/// </summary>
internal static class Sweep64
{
    private sealed record Function(string Name, Action<double[], double[], double[]> Vector, Func<double, double, double> Reference,
                                   double Lo, double Hi, bool Binary = false);

    private static readonly Function[] Functions =
    [
        new("exp", (x, _, r) => VectorMath.Exp(x, r), (x, _) => Math.Exp(x), -745, 710),
        new("log", (x, _, r) => VectorMath.Log(x, r), (x, _) => Math.Log(x), 0, 10),
        new("log1p", (x, _, r) => VectorMath.Log1p(x, r), (x, _) => ScalarMath.Log1p(x), -1, 10),
        new("expm1", (x, _, r) => VectorMath.Expm1(x, r), (x, _) => ScalarMath.Expm1(x), -40, 710),
        new("sin", (x, _, r) => VectorMath.Sin(x, r), (x, _) => Math.Sin(x), -1e4, 1e4),
        new("cos", (x, _, r) => VectorMath.Cos(x, r), (x, _) => Math.Cos(x), -1e4, 1e4),
        new("tan", (x, _, r) => VectorMath.Tan(x, r), (x, _) => Math.Tan(x), -1e4, 1e4),
        new("tanh", (x, _, r) => VectorMath.Tanh(x, r), (x, _) => Math.Tanh(x), -25, 25),
        new("logistic", (x, _, r) => VectorMath.Logistic(x, r), (x, _) => ScalarMath.Logistic(x), -750, 50),
        new("erf", (x, _, r) => VectorMath.Erf(x, r), (x, _) => ScalarMath.Erf(x), -6, 6),
        new("pow", (x, y, r) => VectorMath.Pow(x, y, r), ScalarMath.Pow, 0, 10, Binary: true),
        new("atan2", (y, x, r) => VectorMath.Atan2(y, x, r), Math.Atan2, -10, 10, Binary: true),
    ];

    private static long Ordered(double v)
    {
        long bits = BitConverter.DoubleToInt64Bits(v);
        return bits >= 0 ? bits : -(bits & long.MaxValue);
    }

    public static void Run(string[]? only, long samples)
    {
        Console.WriteLine($"VectorMath double functions on {samples:N0} samples each (half any bits, half uniform in a range)");
        foreach (var f in Functions.Where(f => only is null || only.Contains(f.Name)))
        {
            var rng = new Random(2024);
            int n = (int)samples;
            var x = new double[n];
            var y = new double[n];
            var result = new double[n];
            for (int i = 0; i < n; i++)
            {
                bool anyBits = i % 2 == 0;
                x[i] = anyBits ? BitConverter.Int64BitsToDouble(rng.NextInt64(long.MinValue, long.MaxValue)) : f.Lo + (f.Hi - f.Lo) * rng.NextDouble();
                y[i] = anyBits ? BitConverter.Int64BitsToDouble(rng.NextInt64(long.MinValue, long.MaxValue)) : -5 + 10 * rng.NextDouble();
            }
            f.Vector(x, y, result);
            long maxUlp = 0, specials = 0;
            double worstX = 0, worstY = 0;
            for (int i = 0; i < n; i++)
            {
                double reference = f.Reference(x[i], y[i]);
                if (double.IsNaN(reference) || double.IsNaN(result[i]))
                {
                    if (double.IsNaN(reference) != double.IsNaN(result[i])) specials++;
                    continue;
                }
                if (reference == 0 && result[i] == 0 && BitConverter.DoubleToInt64Bits(reference) != BitConverter.DoubleToInt64Bits(result[i])) specials++;
                long d = Math.Abs(Ordered(reference) - Ordered(result[i]));
                if (d > maxUlp) { maxUlp = d; worstX = x[i]; worstY = y[i]; }
            }
            string at = f.Binary ? $"({worstX.ToString("R", CultureInfo.InvariantCulture)}, {worstY.ToString("R", CultureInfo.InvariantCulture)})" : worstX.ToString("R", CultureInfo.InvariantCulture);
            Console.WriteLine($"{f.Name} (double): max error {maxUlp} ulp at {at}; special mismatches {specials}");
        }
    }
}

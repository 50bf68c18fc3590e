using System.Diagnostics;

namespace ArrayLang.Tools.VectorMathSweep;

/// <summary>
/// Establishes the error bounds of <c>VectorMath</c>'s float functions: every one of the 2^32 float
/// inputs for each unary function, and a dense sample of pairs (plus a grid of edge values) for
/// <c>pow</c> and <c>atan2</c>, compared with the reference evaluator's definitions rounded to float.
/// Not part of CI (it takes minutes per function); its figures are recorded in docs/backends.md.
/// <code>
/// dotnet run -c Release --project tools/VectorMathSweep -- [--only exp,sin] [--threads N] [--sample N] [--pairs N] [--max-abs V] [--f64 N] [--time]
/// </code>
/// <c>--sample N</c> draws N random inputs instead of all 2^32 (a quick check while developing), with
/// <c>|x| &lt;= V</c> if <c>--max-abs V</c> is given;
/// <c>--time</c> times each function over 10M elements instead (Timing); <c>--f64 N</c> checks the double
/// functions on N samples each (Sweep64).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        string[]? only = null;
        int threads = Environment.ProcessorCount;
        long sample = 0, pairs = 1L << 28;
        bool time = false;
        long f64 = 0;
        float maxAbs = float.PositiveInfinity;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--only": only = args[++i].Split(','); break;
                case "--threads": threads = int.Parse(args[++i]); break;
                case "--sample": sample = long.Parse(args[++i]); break;
                case "--pairs": pairs = long.Parse(args[++i]); break;
                case "--time": time = true; break;
                case "--f64": f64 = long.Parse(args[++i]); break;
                case "--max-abs": maxAbs = float.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"unknown option '{args[i]}'; expected --only LIST, --threads N, --sample N, --pairs N, --max-abs V, --f64 N or --time");
                    return 2;
            }
        }
        if (f64 > 0)
        {
            Sweep64.Run(only, f64);
            return 0;
        }
        if (time)
        {
            Timing.Run(only);
            return 0;
        }
        Console.WriteLine($"VectorMath sweep: {(sample > 0 ? $"{sample:N0} random inputs" : "all 2^32 inputs")} per unary function, " +
                          $"{pairs:N0} pairs per binary function, {threads} threads, Vector512 accelerated: " +
                          $"{System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
        bool Selected(string name) => only is null || only.Contains(name);
        foreach (var f in Functions.Unary.Where(f => Selected(f.Name)))
        {
            var watch = Stopwatch.StartNew();
            var stats = UnarySweep.Run(f, threads, sample, maxAbs);
            Console.WriteLine(stats.Report(f.Name, binary: false, watch.Elapsed));
        }
        foreach (var f in Functions.Binary.Where(f => Selected(f.Name)))
        {
            var watch = Stopwatch.StartNew();
            var stats = BinarySweep.Run(f, threads, pairs);
            Console.WriteLine(stats.Report(f.Name, binary: true, watch.Elapsed));
        }
        return 0;
    }
}

using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ArrayLang.Bench.Report;

/// <summary>What a report says about the run that produced it.</summary>
/// <param name="Quick">Whether it was the short <c>--quick</c> run.</param>
/// <param name="Machine">The machine, in words (<see cref="MachineInfo.Describe"/>).</param>
/// <param name="WhenUtc">When it finished.</param>
/// <param name="TargetIterations">Timed runs per method when they fit the budget.</param>
/// <param name="BudgetSeconds">The per-method time budget.</param>
/// <param name="LoadBefore">The 1-minute load average when the run started (other jobs share the machine).</param>
/// <param name="LoadAfter">The 1-minute load average when it ended.</param>
public sealed record RunInfo(bool Quick, string Machine, DateTime WhenUtc, int TargetIterations, double BudgetSeconds,
    string LoadBefore, string LoadAfter)
{
    /// <summary>The cost of one call of a cached executable, per backend (empty when not measured).</summary>
    public IReadOnlyList<Harness.DispatchCost> Dispatch { get; init; } = [];
}

/// <summary>Describes the machine a run measured.</summary>
public static class MachineInfo
{
    /// <summary>The 1-minute load average (Linux <c>/proc/loadavg</c>), or "unknown".</summary>
    public static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }

    /// <summary>Cores, CPU model, vector width and runtime, e.g. <c>2 cores, AMD EPYC, AVX-512, .NET 10.0.0</c>.</summary>
    public static string Describe()
    {
        string cpu = "unknown CPU";
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) cpu = line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        string simd = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2 (no AVX-512)" : "no wide SIMD";
        return $"{Environment.ProcessorCount} cores, {cpu}, {simd}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}";
    }
}

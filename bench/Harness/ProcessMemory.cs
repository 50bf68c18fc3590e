using System.Diagnostics;

namespace ArrayLang.Bench.Harness;

/// <summary>
/// The process's resident memory, native allocations included. Note [peak memory]: the managed
/// figure (<see cref="GC.GetTotalAllocatedBytes(bool)"/> before and after a run) misses what a backend
/// allocates natively, so the suite also reads the process's peak working set
/// (<see cref="Process.PeakWorkingSet64"/>, Linux's <c>VmHWM</c>), which counts every resident
/// page. That peak is a high-water mark for the whole process; on Linux writing <c>5</c> to
/// <c>/proc/self/clear_refs</c> resets it to the current resident size, so a method's peak is measured
/// as (peak after the run) - (resident size before it), after a compacting collection has returned
/// the previous method's memory. Where the reset is not possible the process-lifetime peak is
/// reported instead, and <see cref="CanResetPeak"/> says so.
/// </summary>
public static class ProcessMemory
{
    private static readonly Lazy<bool> Resettable = new(() => TryResetPeak());

    /// <summary>Whether the peak working set can be reset (Linux with a writable <c>/proc/self/clear_refs</c>).</summary>
    public static bool CanResetPeak => Resettable.Value;

    /// <summary>Collects everything collectable and returns free memory to the OS, so the next reading starts clean.</summary>
    public static void Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    /// <summary>The current resident size in bytes.</summary>
    public static long WorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }

    /// <summary>The peak resident size in bytes since the last <see cref="ResetPeak"/> (or the process start).</summary>
    public static long PeakWorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64;
    }

    /// <summary>Resets the peak to the current resident size when possible.</summary>
    public static void ResetPeak()
    {
        if (CanResetPeak) TryResetPeak();
    }

    private static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }
}

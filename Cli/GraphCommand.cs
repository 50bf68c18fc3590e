using System.Diagnostics;
using ArrayLang.Compile;
using ArrayLang.Ir;

namespace ArrayLang.Cli;

public static partial class CliMain
{
    /// <summary>
    /// <c>graph FILE.ir [--vmap AXES]... [--lowered] -o OUT.svg</c>: draws the entry function (batched
    /// when --vmap is given), or with --lowered its fused kernels and buffers, as Graphviz DOT, and
    /// renders it with Graphviz's <c>dot</c> when it is installed. Without <c>dot</c> (or when OUT ends
    /// in <c>.dot</c>) it writes the DOT text and says how to render it. An existing OUT is replaced
    /// only once the new file is complete.
    /// </summary>
    private static int GraphCommand(CliOptions o, TextWriter stdout)
    {
        if (o.Outputs is not { Count: 1 } outs) throw new UsageException("graph needs one output file: -o OUT.svg (or OUT.dot)");
        var output = Path.GetFullPath(outs[0]);
        var dir = Path.GetDirectoryName(output)!;
        if (!Directory.Exists(dir)) throw new UsageException($"the output directory does not exist: {dir}");
        if (Directory.Exists(output)) throw new UsageException($"the output is a directory: {outs[0]}");

        var f = Entry(o, Load(o));
        int b = o.BatchSize ?? DefaultBatchSize;
        var levels = ParseLevels(o, f);
        var g = levels.Count == 0 ? f : ApplyVmaps(f, levels, Enumerable.Repeat(b, levels.Count).ToList(), ParseOutAxes(o, f));
        var dot = o.Lowered ? Compiler.Lower(g).ToDot() : g.ToDot();

        var dotFile = Path.ChangeExtension(output, ".dot");
        bool wantsSvg = !output.EndsWith(".dot", StringComparison.OrdinalIgnoreCase);
        if (wantsSvg && FindOnPath("dot") is { } graphviz)
        {
            var temp = Path.Combine(dir, $".{Path.GetFileName(output)}.{Environment.ProcessId}.tmp");
            var dotTemp = temp + ".dot";
            try
            {
                File.WriteAllText(dotTemp, dot);
                var psi = new ProcessStartInfo(graphviz, ["-Tsvg", "-o", temp, dotTemp]) { RedirectStandardError = true, UseShellExecute = false };
                using var process = Process.Start(psi)!;
                var err = process.StandardError.ReadToEnd();
                if (!process.WaitForExit(60_000)) { process.Kill(); throw new IOException("graphviz's dot took over 60 s"); }
                if (process.ExitCode != 0) throw new IOException($"graphviz's dot failed (exit {process.ExitCode}): {err.Trim()}");
                File.Move(temp, output, overwrite: true);
            }
            finally
            {
                File.Delete(dotTemp);
                File.Delete(temp);
            }
            stdout.WriteLine($"wrote {outs[0]} ({(o.Lowered ? "lowered kernels" : "IR")} of {g.Name}, rendered with {graphviz})");
            return 0;
        }
        var dotOut = wantsSvg ? dotFile : output;
        var tempDot = dotOut + $".{Environment.ProcessId}.tmp";
        File.WriteAllText(tempDot, dot);
        File.Move(tempDot, dotOut, overwrite: true);
        stdout.WriteLine(wantsSvg
            ? $"graphviz's 'dot' is not installed: wrote {dotOut}; render it with: dot -Tsvg {dotOut} -o {outs[0]} (Debian: apt-get install graphviz)"
            : $"wrote {dotOut}");
        return 0;
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}

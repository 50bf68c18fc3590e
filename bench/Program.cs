using ArrayLang.Bench.Harness;

namespace ArrayLang.Bench;

/// <summary>The <c>bench</c> command (see <see cref="Cli"/>).</summary>
public static class Program
{
    /// <summary>Runs the suite; exit code 0 on success, 1 when a method disagrees with the oracle, 2 on bad arguments.</summary>
    public static int Main(string[] args) => Cli.Run(args);
}

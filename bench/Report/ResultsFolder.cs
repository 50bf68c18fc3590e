using System.Text.Encodings.Web;
using System.Text.Json;
using ArrayLang.Bench.Harness;
using ArrayLang.Bench.Workloads;

namespace ArrayLang.Bench.Report;

/// <summary>
/// A results folder (<c>bench/results/</c>): <c>results.json</c> (the rows, as <c>--json</c> writes
/// them), <c>run.json</c> (how the run was made), and what is rendered from those two:
/// <c>results.md</c> and <c>chart.svg</c>. <c>--render DIR</c> renders them again without rerunning
/// anything (after a change to the report code, say).
/// </summary>
public static class ResultsFolder
{
    private static readonly JsonSerializerOptions RunOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes all four files into <paramref name="dir"/>.</summary>
    public static void Write(string dir, IReadOnlyList<Measurement> rows, RunInfo run)
    {
        Directory.CreateDirectory(dir);
        JsonReport.Write(Path.Combine(dir, "results.json"), rows);
        File.WriteAllText(Path.Combine(dir, "run.json"), JsonSerializer.Serialize(run, RunOptions) + "\n");
        Render(dir, rows, run);
    }

    /// <summary>Renders <c>results.md</c> and <c>chart.svg</c> again from the folder's JSON files.</summary>
    public static void Rerender(string dir)
    {
        var rows = JsonReport.Read(Path.Combine(dir, "results.json"));
        var run = JsonSerializer.Deserialize<RunInfo>(File.ReadAllText(Path.Combine(dir, "run.json")), RunOptions)
            ?? throw new InvalidDataException($"{Path.Combine(dir, "run.json")} holds no run description");
        Render(dir, rows, run);
    }

    private static void Render(string dir, IReadOnlyList<Measurement> rows, RunInfo run)
    {
        var workloads = Runner.AllWorkloads().Where(w => rows.Any(r => r.Workload == w.Id)).ToList<Workload>();
        File.WriteAllText(Path.Combine(dir, "results.md"), MarkdownReport.Render(rows, workloads, run));
        File.WriteAllText(Path.Combine(dir, "chart.svg"), SvgChart.Render(rows, run));
    }
}

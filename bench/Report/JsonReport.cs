using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ArrayLang.Bench.Harness;

namespace ArrayLang.Bench.Report;

/// <summary>
/// The <c>--json FILE</c> output: an array of objects with the fields the issue fixes
/// (<c>workload</c>, <c>backend</c>, <c>method</c>, <c>median_ms</c>, <c>peak_bytes</c>) first, then
/// the rest of <see cref="Measurement"/> in snake case (<c>batch</c>, <c>extrapolated</c>, <c>gbps</c>,
/// <c>gflops</c>, ...). Null fields are left out. A failed method's row has <c>"failed": true</c> and
/// its <c>error</c> instead of times.
/// </summary>
public static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Plain '+' and '<' in notes: the file is read by people and scripts, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The JSON text of <paramref name="rows"/>.</summary>
    public static string Render(IEnumerable<Measurement> rows) => JsonSerializer.Serialize(rows.Select(Row).ToList(), Options);

    /// <summary>Reads rows written by <see cref="Write"/> (unknown fields are ignored; <c>extrapolated</c> is derived).</summary>
    public static List<Measurement> Read(string path)
    {
        var array = JsonNode.Parse(File.ReadAllText(path)) as JsonArray ?? throw new InvalidDataException($"{path} holds no measurements");
        return array.Select(node => node is JsonObject o && o["error"] is { } error
                ? Measurement.Failure((string)o["workload"]!, (string)o["backend"]!, (string)o["method"]!, (int?)o["full_batch"] ?? 0, (string)error!)
                : node.Deserialize<Measurement>(Options) ?? throw new InvalidDataException($"{path}: a row is null"))
            .ToList();
    }

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<Measurement> rows)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, Render(rows) + "\n");
    }

    // An ordered dictionary keeps the five fields first whatever the record's declaration order.
    private static OrderedDictionary<string, object?> Row(Measurement m)
    {
        if (m.Failed)
            return new()
            {
                ["workload"] = m.Workload, ["backend"] = m.Backend, ["method"] = m.Method,
                ["failed"] = true, ["full_batch"] = m.FullBatch, ["error"] = m.Error,
            };
        var all = new OrderedDictionary<string, object?>
        {
            ["workload"] = m.Workload,
            ["backend"] = m.Backend,
            ["method"] = m.Method,
            ["median_ms"] = Math.Round(m.MedianMs, 4),
            ["peak_bytes"] = m.PeakBytes,
            ["batch"] = m.Batch,
            ["full_batch"] = m.FullBatch,
            ["extrapolated"] = m.Extrapolated,
            ["measured_ms"] = Math.Round(m.MeasuredMs, 4),
            ["min_ms"] = Math.Round(m.MinMs, 4),
            ["iterations"] = m.Iterations,
            ["gbps"] = Math.Round(m.Gbps, 4),
            ["gflops"] = m.Gflops is { } g ? Math.Round(g, 3) : null,
            ["of_fma_peak"] = m.OfFmaPeak is { } f ? Math.Round(f, 4) : null,
            ["cpu_ms"] = m.CpuMs is { } cpu ? Math.Round(cpu, 3) : null,
            ["gflops_per_cpu_second"] = m.GflopsPerCpuSecond is { } gc ? Math.Round(gc, 3) : null,
            ["of_fma_peak_per_cpu_second"] = m.OfFmaPeakPerCpuSecond is { } fc ? Math.Round(fc, 4) : null,
            ["vs_tensor_primitives"] = m.VsTensorPrimitives is { } t ? Math.Round(t, 4) : null,
            ["vs_hand_fused"] = m.VsHandFused is { } h ? Math.Round(h, 4) : null,
            ["vs_plain_loop"] = m.VsPlainLoop is { } p ? Math.Round(p, 5) : null,
            ["vs_parallel_for"] = m.VsParallelFor is { } q ? Math.Round(q, 5) : null,
            ["allocated_bytes"] = m.AllocatedBytes,
            ["process_peak_bytes"] = m.ProcessPeakBytes,
            ["max_error"] = m.MaxError,
            ["compile_ms"] = m.CompileMs is { } c ? Math.Round(c, 3) : null,
            ["chunk_size"] = m.ChunkSize,
            ["budget_bytes"] = m.BudgetBytes,
            ["estimated_peak_bytes"] = m.EstimatedPeakBytes,
            ["note"] = m.Note,
        };
        foreach (var key in all.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList()) all.Remove(key);
        return all;
    }
}

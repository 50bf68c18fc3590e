using System.Globalization;
using System.Text;
using ArrayLang.Bench.Harness;

namespace ArrayLang.Bench.Report;

/// <summary>
/// <c>bench/results/chart.svg</c>, written by hand: per workload a group of bars, one per method and
/// backend, whose height is the method's time relative to the hand-fused baseline (= 1) on a log
/// scale, like the seed's figure of manual vectorization / vmap / loop / jit(vmap). Extrapolated
/// times are drawn hatched.
/// </summary>
public static class SvgChart
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // Method order and colours; a second backend's bars of the same method get a darker shade.
    private static readonly (string Method, string Colour)[] Series =
    [
        (Methods.HandFused, "#4c72b0"), (Methods.TensorPrimitives, "#55a868"), (Methods.Vmap, "#c44e52"),
        (Methods.JitVmap, "#8172b2"), (Methods.ChunkedVmap, "#64b5cd"), (Methods.Loop, "#ccb974"),
        (Methods.PlainLoop, "#8c8c8c"), (Methods.ParallelFor, "#dd8452"),
    ];

    /// <summary>The SVG text for <paramref name="rows"/>.</summary>
    public static string Render(IReadOnlyList<Measurement> rows, RunInfo run)
    {
        // Times are relative to hand-fused: a workload without it (W7, W9, W11, or --methods) is left out,
        // and so is a failed method (it has no time; results.md lists it).
        rows = rows.Where(r => !r.Failed && rows.Any(h => h.Workload == r.Workload && h.Method == Methods.HandFused && !h.Failed)).ToList();
        if (rows.Count == 0)
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"40\"><text x=\"10\" y=\"25\">no hand-fused baseline was run: nothing to chart</text></svg>\n";
        var workloads = rows.Select(r => r.Workload).Distinct().ToList();
        // One series per (backend, method) present, in a fixed order: baselines, then each backend's methods.
        var keys = rows.Select(r => (r.Backend, r.Method)).Distinct()
            .OrderBy(k => k.Backend == Methods.BaselineBackend ? 0 : 1).ThenBy(k => k.Backend)
            .ThenBy(k => Array.FindIndex(Series, s => s.Method == k.Method)).ToList();
        var rel = rows.ToDictionary(r => (r.Workload, r.Backend, r.Method),
            r => r.MedianMs / rows.Single(h => h.Workload == r.Workload && h.Method == Methods.HandFused && h.Backend == Methods.BaselineBackend).MedianMs);

        // One decade below the fastest bar, so that the hand-fused bars (= 1) have a height too.
        double lo = Math.Floor(Math.Log10(Math.Min(1, rel.Values.Min()))) - 1;
        double hi = Math.Ceiling(Math.Log10(Math.Max(10, rel.Values.Max())));
        const int left = 70, top = 66, plotH = 340, barW = 16, gap = 28, legendColumn = 280;
        int groupW = keys.Count * barW + gap;
        int plotW = workloads.Count * groupW;
        int legendH = 20 * ((keys.Count + 2) / 3);
        int width = Math.Max(left + plotW + 20, left + 3 * legendColumn), height = top + plotH + 40 + legendH + 20;
        double Y(double v) => top + plotH * (hi - Math.Log10(v)) / (hi - lo);

        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">""");
        sb.AppendLine("""<defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2" height="4" fill="white" fill-opacity="0.55"/></pattern></defs>""");
        sb.AppendLine("""<rect width="100%" height="100%" fill="white"/>""");
        sb.AppendLine(Inv, $"""<text x="{left}" y="20" font-size="14" font-weight="bold">Relative execution time (hand-fused = 1, log scale, lower is better)</text>""");
        sb.AppendLine(Inv, $"""<text x="{left}" y="36" fill="#555">{Escape((run.Quick ? "--quick run" : "full run") + $", {run.WhenUtc:yyyy-MM-dd}, " + run.Machine)}</text>""");
        sb.AppendLine(Inv, $"""<text x="{left}" y="51" fill="#555">{Escape($"load average {run.LoadBefore} -> {run.LoadAfter} (shared machine); hatched = extrapolated from a subsample; label = time / hand-fused time")}</text>""");
        for (double e = lo; e <= hi; e++)
        {
            double y = Y(Math.Pow(10, e));
            sb.AppendLine(Inv, $"""<line x1="{left}" x2="{left + plotW}" y1="{y:F1}" y2="{y:F1}" stroke="{(e == 0 ? "#888" : "#ddd")}"/>""");
            sb.AppendLine(Inv, $"""<text x="{left - 6}" y="{y + 4:F1}" text-anchor="end">{(e >= 0 ? Math.Pow(10, e).ToString("0", Inv) : Math.Pow(10, e).ToString("0.###", Inv))}x</text>""");
        }
        sb.AppendLine(Inv, $"""<text transform="translate(18,{top + plotH / 2}) rotate(-90)" text-anchor="middle">time / hand-fused time</text>""");
        for (int g = 0; g < workloads.Count; g++)
        {
            double x0 = left + g * groupW + gap / 2.0;
            for (int k = 0; k < keys.Count; k++)
            {
                if (!rel.TryGetValue((workloads[g], keys[k].Backend, keys[k].Method), out double v)) continue;
                var m = rows.First(r => r.Workload == workloads[g] && r.Backend == keys[k].Backend && r.Method == keys[k].Method);
                double x = x0 + k * barW, y = Y(v), yBase = Y(Math.Pow(10, lo));
                string colour = Colour(keys[k], keys);
                string title = Escape($"{m.Workload} {m.Method} ({m.Backend}): {m.MedianMs:F2} ms, {v:F2}x hand-fused{(m.Extrapolated ? ", extrapolated" : "")}");
                sb.AppendLine(Inv, $"""<rect x="{x:F1}" y="{y:F1}" width="{barW - 2}" height="{Math.Max(0.5, yBase - y):F1}" fill="{colour}"><title>{title}</title></rect>""");
                if (m.Extrapolated)
                    sb.AppendLine(Inv, $"""<rect x="{x:F1}" y="{y:F1}" width="{barW - 2}" height="{Math.Max(0.5, yBase - y):F1}" fill="url(#hatch)"/>""");
                string label = v >= 10 ? v.ToString("0", Inv) : v.ToString("0.#", Inv);
                sb.AppendLine(Inv, $"""<text x="{x + (barW - 2) / 2.0:F1}" y="{y - 3:F1}" text-anchor="middle" font-size="8" fill="#333">{label}</text>""");
            }
            sb.AppendLine(Inv, $"""<text x="{x0 + keys.Count * barW / 2.0:F1}" y="{top + plotH + 18}" text-anchor="middle" font-size="13">{workloads[g]}</text>""");
        }
        sb.AppendLine(Inv, $"""<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plotH}" stroke="#444"/>""");
        for (int k = 0; k < keys.Count; k++)
        {
            int lx = left + (k % 3) * legendColumn, ly = top + plotH + 40 + (k / 3) * 20;
            sb.AppendLine(Inv, $"""<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{Colour(keys[k], keys)}"/>""");
            string label = keys[k].Backend == Methods.BaselineBackend ? keys[k].Method : $"{keys[k].Method} ({keys[k].Backend})";
            sb.AppendLine(Inv, $"""<text x="{lx + 18}" y="{ly}">{Escape(label)}</text>""");
        }
        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    private static string Colour((string Backend, string Method) key, List<(string Backend, string Method)> keys)
    {
        string baseColour = Series.FirstOrDefault(s => s.Method == key.Method).Colour ?? "#999999";
        // The n-th backend with this method is darkened n steps, so backends stay apart.
        int nth = keys.Where(k => k.Method == key.Method).ToList().IndexOf(key);
        if (nth <= 0) return baseColour;
        int rgb = Convert.ToInt32(baseColour[1..], 16);
        double f = Math.Pow(0.7, nth);
        int r = (int)(((rgb >> 16) & 255) * f), g = (int)(((rgb >> 8) & 255) * f), b = (int)((rgb & 255) * f);
        return $"#{r:x2}{g:x2}{b:x2}";
    }

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}

using System.Text;
using ArrayLang.Ir;

namespace ArrayLang.Compile.Lowering;

/// <summary>
/// Draws a lowered program as a Graphviz DOT graph (<see cref="LoweredProgram.ToDot"/>): the fused
/// kernels as boxes (their kind, domain and instructions), the buffers as ellipses (role, type and,
/// for intermediates, their offset in the arena), an edge from each buffer a kernel reads and to
/// each buffer it writes. It shows what fusion did: which equations became one kernel and which
/// values never reach memory.
/// </summary>
public static class LoweredGraph
{
    /// <summary>The DOT text of <paramref name="p"/> (sub-programs of control flow are named, not drawn).</summary>
    public static string ToDot(LoweredProgram p)
    {
        var sb = new StringBuilder();
        sb.Append("digraph \"lowered ").Append(FunctionGraph.Escape(p.Source.Name)).Append("\" {\n");
        sb.Append("  rankdir=TB;\n  node [fontname=\"monospace\", fontsize=10];\n");
        var used = p.Kernels.SelectMany(k => k.Reads.Concat(k.Writes)).ToHashSet();
        foreach (var b in p.Buffers.Where(b => used.Contains(b.Id) || b.Kind is BufferKind.Input or BufferKind.Output))
        {
            var (color, what) = b.Kind switch
            {
                BufferKind.Input => ("lightblue", $"input #{b.Index} {b.Name}"),
                BufferKind.Output => ("palegreen", $"output #{b.Index} {b.Name}"),
                BufferKind.Constant => ("lightyellow", $"constant {b.Value}"),
                _ => ("white", $"{b.Name} @ {p.Plan.Offsets[b.Id]}"),
            };
            sb.Append($"  b{b.Id} [shape=ellipse, style=filled, fillcolor={color}, label=\"b{b.Id}: {b.Type}\\n{FunctionGraph.Escape(what)}\"];\n");
        }
        for (int i = 0; i < p.Kernels.Length; i++)
        {
            var k = p.Kernels[i];
            var lines = k.ToString()!.Split('\n');
            var label = string.Join("\\l", lines.Take(40).Select(FunctionGraph.Escape)) + (lines.Length > 40 ? $"\\l... ({lines.Length - 40} more lines)" : "") + "\\l";
            sb.Append($"  k{i} [shape=box, style=\"rounded,filled\", fillcolor=gray95, label=\"k{i}: {label}\"];\n");
            foreach (var r in k.Reads.Distinct()) sb.Append($"  b{r} -> k{i};\n");
            foreach (var w in k.Writes.Distinct()) sb.Append($"  k{i} -> b{w};\n");
        }
        sb.Append($"  summary [shape=note, label=\"{p.Kernels.Length} kernel(s): {FunctionGraph.Escape(p.KernelSummary)}\\narena {p.Plan.ArenaBytes:N0} bytes, peak {p.Plan.PeakBytes:N0} bytes\"];\n");
        sb.Append("}\n");
        return sb.ToString();
    }
}

using System.Globalization;
using System.Text;

namespace ArrayLang.Ir;

/// <summary>
/// Draws a function as a Graphviz DOT graph (<see cref="Function.ToDot"/>): a node per parameter,
/// equation and result, an edge per use of a variable labelled with its type. Each sub-function
/// (a scan body, cond branches, a while's two functions) is a cluster of its own, joined to its
/// equation by a dashed edge. Clusters are laid out one after another rather than nested, so deep
/// nests of control flow cost no recursion.
/// </summary>
public static class FunctionGraph
{
    /// <summary>The DOT text of <paramref name="f"/> and its sub-functions.</summary>
    public static string ToDot(Function f)
    {
        var sb = new StringBuilder();
        sb.Append("digraph \"").Append(Escape(f.Name)).Append("\" {\n");
        sb.Append("  rankdir=TB;\n  node [fontname=\"monospace\", fontsize=10];\n  edge [fontname=\"monospace\", fontsize=9];\n");
        var pending = new Queue<(Function F, string Prefix, string? Parent)>();
        pending.Enqueue((f, "f0", null));
        int clusters = 0;
        while (pending.Count > 0)
        {
            var (fn, prefix, parent) = pending.Dequeue();
            bool top = parent is null;
            if (!top) sb.Append("  subgraph cluster_").Append(prefix).Append(" {\n    label=\"").Append(Escape(fn.Name)).Append("\"; style=rounded; color=gray60;\n");
            var node = new Dictionary<Var, string>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < fn.Params.Length; i++)
            {
                var p = fn.Params[i];
                string id = $"{prefix}_p{i}";
                node[p] = id;
                sb.Append("    ").Append(id).Append(" [shape=ellipse, label=\"")
                    .Append(fn.ConstMask[i] ? "const " : "").Append(Escape(p.Name)).Append(": ").Append(p.Type).Append("\"];\n");
            }
            if (parent is not null && fn.Params.Length > 0)
                sb.Append("    ").Append(parent).Append(" -> ").Append(prefix).Append("_p0 [style=dashed, arrowhead=none, color=gray50];\n");
            for (int k = 0; k < fn.Equations.Length; k++)
            {
                var e = fn.Equations[k];
                string id = $"{prefix}_e{k}";
                var ps = e.Params.ToText();
                sb.Append("    ").Append(id).Append(" [shape=box, style=rounded, label=\"").Append(Escape(e.Primitive.Name));
                if (ps.Length > 0) sb.Append("\\n[").Append(Escape(ps)).Append(']');
                sb.Append("\"];\n");
                foreach (var (a, pos) in e.Inputs.Select((a, pos) => (a, pos)))
                    Edge(sb, a, id, node, pos);
                foreach (var o in e.Outputs) node[o] = id;
                for (int s = 0; s < e.SubFunctions.Length; s++)
                    pending.Enqueue((e.SubFunctions[s], $"c{++clusters}", id));
            }
            for (int j = 0; j < fn.Results.Length; j++)
            {
                string id = $"{prefix}_r{j}";
                sb.Append("    ").Append(id).Append(" [shape=plaintext, label=\"result ").Append(j).Append(": ").Append(fn.ResultTypes[j]).Append("\"];\n");
                Edge(sb, fn.Results[j], id, node, -1);
            }
            if (!top) sb.Append("  }\n");
        }
        sb.Append("}\n");
        return sb.ToString();
    }

    private static void Edge(StringBuilder sb, Atom a, string to, Dictionary<Var, string> node, int position)
    {
        if (a is Var v && node.TryGetValue(v, out var from))
            sb.Append("    ").Append(from).Append(" -> ").Append(to).Append(" [label=\"").Append(Escape(v.Name)).Append(": ").Append(v.Type).Append("\"];\n");
        else if (a is Literal l)
        {
            string lit = $"{to}_l{(position < 0 ? "r" : position.ToString(CultureInfo.InvariantCulture))}";
            sb.Append("    ").Append(lit).Append(" [shape=plaintext, label=\"").Append(Escape(l.ToString())).Append("\"];\n");
            sb.Append("    ").Append(lit).Append(" -> ").Append(to).Append(";\n");
        }
    }

    /// <summary><paramref name="s"/> escaped for a DOT string.</summary>
    public static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}

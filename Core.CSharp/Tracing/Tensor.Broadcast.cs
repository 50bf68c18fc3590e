using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Tracing;

// Note [broadcasting while tracing]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// The elementwise primitives of the IR take operands of one shape (IR.md keeps every shape change
// explicit). The front ends follow NumPy: two shapes are aligned at their trailing axes, and each
// pair of axes must be equal or one of them 1; a missing leading axis counts as 1. So `x - maxAll x`
// (f32[n] and f32[]) and `m / sum(m, [1]) |> expandDims 1` work as in NumPy. Tracing inserts one
// `broadcast_in_dim` per operand whose shape differs from the common one, right before the
// elementwise equation; an operand already of that shape is used as it is, so programs that need no
// broadcasting trace to exactly the IR they did before. Literals are not broadcast: a literal is
// typed by its position (IR.md). Under vmap the per-example function is traced with per-example
// shapes, so the broadcast is per example and the batching rule of broadcast_in_dim carries it.

public sealed partial class Tensor
{
    /// <summary>NumPy's broadcast shape of <paramref name="shapes"/>, or null when they do not broadcast.</summary>
    public static int[]? BroadcastShape(params Shape[] shapes)
    {
        int rank = shapes.Max(s => s.Rank);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int d = 1;
            foreach (var s in shapes)
            {
                int k = i - (rank - s.Rank);
                if (k < 0) continue;
                int e = s[k];
                if (e == d || e == 1) continue;
                if (d != 1) return null;
                d = e;
            }
            result[i] = d;
        }
        return result;
    }

    /// <summary>The operands broadcast to their common shape (Note [broadcasting while tracing]), or a
    /// located error that names the operation and the shapes.</summary>
    internal static Tensor[] Broadcast(string operation, params Tensor[] operands)
    {
        var variables = operands.Where(t => t.Atom is not Literal).ToArray();
        if (variables.Length < 2 || variables.All(t => t.Shape == variables[0].Shape)) return operands;
        var shape = BroadcastShape(variables.Select(t => t.Shape).ToArray());
        if (shape is null)
        {
            var where = UserSource.Find();
            var types = string.Join(", ", variables.Select(t => t.Type.ToString()));
            throw new TraceException(
                $"{(where is null ? "" : where + ": ")}{operation}: the shapes of {types} do not broadcast: aligned at their last axes, " +
                $"each pair of axes must be equal or one of them 1 (operation {operation}, operands {types})",
                where, new ArgumentException("shapes do not broadcast"));
        }
        return operands.Select(t => t.Atom is Literal || t.Shape.SequenceEqual(shape) ? t : t.BroadcastTo(shape)).ToArray();
    }
}

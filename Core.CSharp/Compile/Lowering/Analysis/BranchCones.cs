using ArrayLang.Compile.Lowering;

namespace ArrayLang.Compile.Lowering.Analysis;

/// <summary>
/// Which instructions of a lowered body belong to one side of a select only, and an order that
/// runs each select's predicate before its branches, so that a backend can skip a branch no lane
/// takes (Note [skipped branches]). Shared by every backend's code generator.
/// </summary>
/// <remarks>
/// Note [skipped branches]: vmap turns a <c>cond</c> on a per-lane predicate into both branches
/// and a <c>select</c>. For each select, its branches are the instructions whose values reach
/// nothing but one side of it (its on_true or on_false operand, directly or through each other).
/// A register loop runs a side's instructions only when some lane of the 64-byte vector takes that
/// side; the tile routines run them only when some lane of the tile does. Results are unchanged:
/// a skipped branch's values are read only by lanes the select does not take from that side.
/// A GPU backend can do the same per warp or work-group.
/// </remarks>
public static class BranchCones
{
    /// <summary>An instruction as the analysis sees it: the value it defines, its primitive and its operands.</summary>
    public readonly record struct Node(int Value, string Primitive, IReadOnlyList<OperandRef> Operands);

    /// <summary>A test before a guarded instruction: skip it when no lane (or every lane) of <c>Pred</c> is true.</summary>
    public readonly record struct Guard(OperandRef Pred, bool SkipWhenNone);

    /// <summary>For each select with a branch worth skipping: the values of its on_true side and of its on_false side.</summary>
    private static Dictionary<int, (HashSet<int> OnTrue, HashSet<int> OnFalse)> Find(IReadOnlyList<Node> nodes, Dictionary<int, Node> byValue,
        IEnumerable<OperandRef> results)
    {
        var users = new Dictionary<int, List<(int User, int Position)>>();
        foreach (var n in nodes)
            for (int k = 0; k < n.Operands.Count; k++)
                if (n.Operands[k].Kind == OperandKind.Value)
                    (users.TryGetValue(n.Operands[k].Index, out var l) ? l : users[n.Operands[k].Index] = []).Add((n.Value, k));
        var kept = results.Where(r => r.Kind == OperandKind.Value).Select(r => r.Index).ToHashSet();
        var cones = new Dictionary<int, (HashSet<int>, HashSet<int>)>();
        foreach (var select in nodes.Where(n => n.Primitive == "select"))
        {
            HashSet<int> Cone(int position)
            {
                var cone = new HashSet<int>();
                if (select.Operands[position] is not { Kind: OperandKind.Value } root || select.Operands[0] == select.Operands[position])
                    return cone;
                // Grow from the side's operand towards the inputs; a value joins once all its uses are the side or the cone.
                var pending = new Stack<int>([root.Index]);
                while (pending.Count > 0)
                {
                    int v = pending.Pop();
                    if (cone.Contains(v) || kept.Contains(v) || !byValue.ContainsKey(v)) continue;
                    if (!users[v].All(u => (u.User == select.Value && u.Position == position) || cone.Contains(u.User))) continue;
                    cone.Add(v);
                    foreach (var o in byValue[v].Operands)
                        if (o.Kind == OperandKind.Value) pending.Push(o.Index);
                }
                return cone;
            }
            var (onTrue, onFalse) = (Cone(1), Cone(2));
            if (onTrue.Count + onFalse.Count > 0) cones[select.Value] = (onTrue, onFalse);
        }
        return cones;
    }

    /// <summary>
    /// The instructions the results need, each after its operands, with the guards it runs under: a
    /// select's predicate and everything its branches read from outside come before the branches.
    /// </summary>
    public static List<(int Value, Guard[] Guards)> Order(IReadOnlyList<Node> nodes, IEnumerable<OperandRef> results)
    {
        var resultList = results.ToList();
        var byValue = nodes.ToDictionary(n => n.Value);
        var cones = Find(nodes, byValue, resultList);
        var order = new List<(int, Guard[])>();
        var done = new HashSet<int>();

        void Demand(OperandRef o, Guard[] guards)
        {
            if (o.Kind != OperandKind.Value || done.Contains(o.Index) || !byValue.TryGetValue(o.Index, out var n)) return;
            if (cones.TryGetValue(n.Value, out var cone))
            {
                Demand(n.Operands[0], guards);
                Side(n.Operands[1], cone.OnTrue, new Guard(n.Operands[0], SkipWhenNone: true));
                Side(n.Operands[2], cone.OnFalse, new Guard(n.Operands[0], SkipWhenNone: false));
            }
            foreach (var operand in n.Operands) Demand(operand, guards);
            done.Add(n.Value);
            order.Add((n.Value, guards));

            void Side(OperandRef side, HashSet<int> members, Guard guard)
            {
                if (members.Count == 0) return;
                foreach (int v in members.Order())
                    foreach (var operand in byValue[v].Operands)
                        if (operand.Kind != OperandKind.Value || !members.Contains(operand.Index)) Demand(operand, guards);
                Demand(side, [.. guards, guard]);
            }
        }

        foreach (var r in resultList) Demand(r, []);
        return order;
    }
}

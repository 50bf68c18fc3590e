using System.Runtime.CompilerServices;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Compile.Passes;

/// <summary>
/// Dead-code elimination: drops every equation none of whose results is used, inside
/// sub-functions too, and narrows control flow to what is used (Note [dead code in control flow]).
/// Every primitive is pure and total (IR.md: nothing throws at run time; random primitives are
/// functions of their key), so an unused equation can always go. The one observable difference
/// is a <c>while</c> that would never end and whose results are unused: it is dropped too, as JAX
/// and XLA drop it.
/// </summary>
/// <remarks>
/// Note [dead code in control flow]: the primitives' signatures are per equation (a scan's
/// <c>consts</c> and <c>carries</c> are params), so narrowing an equation keeps the primitive and
/// its semantics; we do it as JAX's <c>dce_jaxpr</c> rules for scan and while do.
/// <list type="bullet">
/// <item><c>scan</c>: an unused <c>ys</c> result goes (the body stops returning it). A carry goes when
/// its final value is unused and no kept result of the body reads it, found by fixpoint (a carry
/// the kept ones read is kept, and then what it reads). A const or <c>xs</c> operand goes when the
/// narrowed body does not read its parameter.</item>
/// <item><c>while</c>: the carries kept are those whose final value is used, those <c>cond_fn</c>
/// reads, and by fixpoint those <c>body_fn</c> reads to compute a kept carry; consts go when
/// neither function reads them.</item>
/// <item><c>cond</c>: unused results go from every branch; an operand goes when no branch reads it.</item>
/// </list>
/// The index of a <c>cond</c>, a scan's <c>length</c> and the loop structure always stay.
/// </remarks>
public static class DeadCodeElimination
{
    // Functions a run found free of dead code. The simplifier runs DCE on the sub-functions of
    // every level, and DCE walks a sub-function's whole subtree, so without this memo a deep nest of
    // scans cost the square of its depth (Note [linear structural identity] in Function).
    private static readonly ConditionalWeakTable<Function, object> Clean = new();
    private static readonly object Marker = new();

    /// <summary>The function without dead equations, control flow narrowed to its used parts.</summary>
    public static Function Run(Function f)
    {
        if (Clean.TryGetValue(f, out _)) return f;
        var live = new HashSet<Var>(ReferenceEqualityComparer.Instance);
        foreach (var r in f.Results)
            if (r is Var v) live.Add(v);

        var kept = new List<Equation>();
        bool changed = false;
        for (int i = f.Equations.Length - 1; i >= 0; i--)
        {
            var e = f.Equations[i];
            var liveOutputs = e.Outputs.Select(live.Contains).ToArray();
            if (!liveOutputs.Any(b => b)) { changed = true; continue; }
            var narrowed = Narrow(e, liveOutputs);
            if (!ReferenceEquals(narrowed, e)) changed = true;
            kept.Add(narrowed);
            foreach (var a in narrowed.Inputs)
                if (a is Var v) live.Add(v);
        }
        if (!changed)
        {
            Clean.AddOrUpdate(f, Marker);
            return f;
        }
        kept.Reverse();
        return new Function(f.Name, f.Params, f.ConstMask, kept, f.Results, f.ResultTypes);
    }

    /// <summary>The parameters of <paramref name="f"/> that any equation or result reads.</summary>
    internal static bool[] UsedParams(Function f)
    {
        var used = new HashSet<Var>(ReferenceEqualityComparer.Instance);
        foreach (var e in f.Equations)
            foreach (var a in e.Inputs)
                if (a is Var v) used.Add(v);
        foreach (var r in f.Results)
            if (r is Var v) used.Add(v);
        return f.Params.Select(used.Contains).ToArray();
    }

    /// <summary><paramref name="f"/> keeping only the results in <paramref name="keepResults"/>, and dead code eliminated.</summary>
    internal static Function KeepResults(Function f, IReadOnlyList<bool> keepResults)
    {
        if (keepResults.All(k => k)) return Run(f);
        var idx = Enumerable.Range(0, f.Results.Length).Where(j => keepResults[j]).ToList();
        return Run(new Function(f.Name, f.Params, f.ConstMask, f.Equations,
            idx.Select(j => f.Results[j]), idx.Select(j => f.ResultTypes[j])));
    }

    /// <summary><paramref name="f"/> keeping only the parameters in <paramref name="keepParams"/>
    /// (the others must be unused).</summary>
    internal static Function KeepParams(Function f, IReadOnlyList<bool> keepParams)
    {
        if (keepParams.All(k => k)) return f;
        var idx = Enumerable.Range(0, f.Params.Length).Where(i => keepParams[i]).ToList();
        return new Function(f.Name, idx.Select(i => f.Params[i]), idx.Select(i => f.ConstMask[i]),
            f.Equations, f.Results, f.ResultTypes);
    }

    private static Equation Narrow(Equation e, bool[] liveOutputs)
    {
        if (e.SubFunctions.Length == 0) return e;
        if (e.Primitive == ControlFlow.Scan) return NarrowScan(e, (ScanParams)e.Params, liveOutputs);
        if (e.Primitive == ControlFlow.While) return NarrowWhile(e, (WhileParams)e.Params, liveOutputs);
        if (e.Primitive == ControlFlow.Cond) return NarrowCond(e, liveOutputs);
        // A primitive with sub-functions we do not know how to narrow: clean its bodies only.
        var subs = e.SubFunctions.Select(Run).ToList();
        return subs.SequenceEqual(e.SubFunctions) ? e : With(e, e.Outputs, e.Params, e.Inputs, subs);
    }

    private static Equation NarrowScan(Equation e, ScanParams p, bool[] liveOutputs)
    {
        var body = e.SubFunctions[0];
        int c = p.Consts, k = p.Carries, ny = body.Results.Length - k;
        var keepCarry = liveOutputs.Take(k).ToArray();
        var keepY = liveOutputs.Skip(k).ToArray();
        Function narrowed;
        while (true)
        {
            narrowed = KeepResults(body, keepCarry.Concat(keepY).ToList());
            var used = UsedParams(narrowed);
            bool grew = false;
            for (int j = 0; j < k; j++)
                if (!keepCarry[j] && used[c + j]) { keepCarry[j] = true; grew = true; }
            if (!grew) break;
        }
        var usedParams = UsedParams(narrowed);
        var keepOperand = new bool[e.Inputs.Length];
        for (int i = 0; i < e.Inputs.Length; i++)
            keepOperand[i] = i >= c && i < c + k ? keepCarry[i - c] : usedParams[i];
        var newBody = KeepParams(narrowed, keepOperand);
        var keepOutput = keepCarry.Concat(keepY).ToArray();
        if (keepOperand.All(b => b) && keepOutput.All(b => b) && ReferenceEquals(newBody, body))
            return e;
        var newParams = new ScanParams(p.Length, p.Reverse, keepOperand.Take(c).Count(b => b), keepCarry.Count(b => b));
        return With(e, Pick(e.Outputs, keepOutput), newParams, Pick(e.Inputs, keepOperand), [newBody]);
    }

    private static Equation NarrowWhile(Equation e, WhileParams p, bool[] liveOutputs)
    {
        var (condFn, body) = (e.SubFunctions[0], e.SubFunctions[1]);
        int c = p.Consts, k = e.Inputs.Length - c;
        var newCond = Run(condFn);
        var condUses = UsedParams(newCond);
        var keepCarry = Enumerable.Range(0, k).Select(j => liveOutputs[j] || condUses[c + j]).ToArray();
        Function narrowed;
        while (true)
        {
            narrowed = KeepResults(body, keepCarry);
            var used = UsedParams(narrowed);
            bool grew = false;
            for (int j = 0; j < k; j++)
                if (!keepCarry[j] && used[c + j]) { keepCarry[j] = true; grew = true; }
            if (!grew) break;
        }
        var bodyUses = UsedParams(narrowed);
        var keepOperand = Enumerable.Range(0, e.Inputs.Length)
            .Select(i => i < c ? condUses[i] || bodyUses[i] : keepCarry[i - c]).ToArray();
        var newBody = KeepParams(narrowed, keepOperand);
        newCond = KeepParams(newCond, keepOperand);
        if (keepOperand.All(b => b) && ReferenceEquals(newBody, body) && ReferenceEquals(newCond, condFn)) return e;
        var newParams = new WhileParams(keepOperand.Take(c).Count(b => b));
        return With(e, Pick(e.Outputs, keepCarry), newParams, Pick(e.Inputs, keepOperand), [newCond, newBody]);
    }

    private static Equation NarrowCond(Equation e, bool[] liveOutputs)
    {
        var branches = e.SubFunctions.Select(b => KeepResults(b, liveOutputs)).ToList();
        int n = e.Inputs.Length - 1;
        var uses = branches.Select(UsedParams).ToList();
        var keepOperand = Enumerable.Range(0, n).Select(i => uses.Any(u => u[i])).ToArray();
        branches = branches.Select(b => KeepParams(b, keepOperand)).ToList();
        if (keepOperand.All(b => b) && branches.Zip(e.SubFunctions).All(x => ReferenceEquals(x.First, x.Second))) return e;
        var inputs = new[] { e.Inputs[0] }.Concat(Pick(e.Inputs.Skip(1).ToList(), keepOperand)).ToList();
        return With(e, Pick(e.Outputs, liveOutputs), e.Params, inputs, branches);
    }

    private static List<T> Pick<T>(IReadOnlyList<T> items, IReadOnlyList<bool> keep) =>
        items.Where((_, i) => keep[i]).ToList();

    private static Equation With(Equation e, IEnumerable<Var> outputs, PrimParams p, IEnumerable<Atom> inputs, IEnumerable<Function> subs) =>
        new(outputs, e.Primitive, p, inputs, subs, e.Location);
}

using ArrayLang.Ir;

namespace ArrayLang.Compile;

/// <summary>
/// The peak bytes a function's values occupy when each intermediate lives from the equation that
/// defines it to its last use (results live to the end; parameters are not counted: they belong
/// to the caller). A control-flow equation adds its sub-function's own peak while it runs. This is
/// the IR-level estimate from which chunked vmap derives its chunk size; a backend's buffer plan
/// may do better (reuse in place) but not worse.
/// </summary>
public static class MemoryEstimate
{
    /// <summary>Peak bytes of the intermediates and results of <paramref name="f"/>.</summary>
    public static long PeakBytes(Function f)
    {
        var lastUse = new Dictionary<Var, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < f.Equations.Length; i++)
            foreach (var a in f.Equations[i].Inputs)
                if (a is Var v) lastUse[v] = i;
        foreach (var r in f.Results)
            if (r is Var v) lastUse[v] = int.MaxValue;
        var parameters = new HashSet<Var>(f.Params, ReferenceEqualityComparer.Instance);

        long live = 0, peak = 0;
        for (int i = 0; i < f.Equations.Length; i++)
        {
            var e = f.Equations[i];
            long outs = e.Outputs.Sum(o => Bytes(o.Type));
            long inner = e.SubFunctions.Length == 0 ? 0 : e.SubFunctions.Max(PeakBytes);
            peak = Math.Max(peak, live + outs + inner);
            live += outs;
            // Values whose last use is this equation (or that are never used) are freed after it.
            foreach (var v in e.Inputs.OfType<Var>().Distinct().Concat(e.Outputs))
                if (!parameters.Contains(v) && lastUse.GetValueOrDefault(v, i) == i) live -= Bytes(v.Type);
        }
        return peak;
    }

    /// <summary>Bytes of one value of type <paramref name="t"/>.</summary>
    public static long Bytes(AVal t) => t.Shape.ElementCount * t.DType.SizeInBytes();
}

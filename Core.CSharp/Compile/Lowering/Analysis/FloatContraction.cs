using ArrayLang.Ir;

namespace ArrayLang.Compile.Lowering.Analysis;

/// <summary>
/// Which float multiplies of a lowered body may be contracted into the add that uses them, when
/// the program was lowered with <see cref="LoweringOptions.ContractFloat"/> (Note [float contraction]
/// in <see cref="CompileOptions"/>): every backend that contracts uses these pairs, so all contract alike.
/// </summary>
public static class FloatContraction
{
    /// <summary>
    /// For each float <c>add</c> fed by a <c>mul</c> of the same dtype that nothing else uses (not a
    /// result either): the add's index mapped to the mul's. Each mul joins at most one add.
    /// </summary>
    public static Dictionary<int, int> Pairs(IReadOnlyList<ScalarInstruction> instructions, IEnumerable<OperandRef> results)
    {
        var uses = new int[instructions.Count];
        foreach (var ins in instructions)
            foreach (var o in ins.Operands)
                if (o.Kind == OperandKind.Value) uses[o.Index]++;
        foreach (var r in results)
            if (r.Kind == OperandKind.Value) uses[r.Index] += 2;
        var fused = new Dictionary<int, int>();
        var taken = new HashSet<int>();
        for (int j = 0; j < instructions.Count; j++)
        {
            var add = instructions[j];
            if (add.Primitive != Primitives.Elementwise.Add || !add.DType.IsFloat() || add.Operands[0] == add.Operands[1]) continue;
            foreach (var o in add.Operands)
            {
                if (o.Kind != OperandKind.Value || uses[o.Index] != 1) continue;
                var mul = instructions[o.Index];
                if (mul.Primitive != Primitives.Elementwise.Mul || mul.DType != add.DType || !taken.Add(o.Index)) continue;
                fused[j] = o.Index;
                break;
            }
        }
        return fused;
    }

    /// <summary>The pairs when <paramref name="options"/> allow contraction, else none.</summary>
    public static Dictionary<int, int> PairsIfAllowed(LoweringOptions options, IReadOnlyList<ScalarInstruction> instructions,
        IEnumerable<OperandRef> results) => options.ContractFloat ? Pairs(instructions, results) : [];
}

using System.Collections.Immutable;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Compile.Lowering;

internal sealed partial class LoweringContext
{
    /// <summary>
    /// Lowers a scan whose body is elementwise per lane (Note [scan lanes]) to a <see cref="ScanKernel"/>;
    /// returns false, emitting nothing, for any other scan.
    /// </summary>
    private bool TryLowerScanKernel(Equation e)
    {
        var p = (ScanParams)e.Params;
        var body = e.SubFunctions[0];
        var lane = LaneShape(body);
        if (lane is null) return false;

        var (instructions, bodyResults) = LaneInstructions(body, body.Equations, body.Results, body.ResultTypes);

        // Operands are read through their views: vmap moves xs' batch axis behind the time axis
        // with a transpose, which the kernel reads strided instead of copying.
        var operands = e.Inputs.Select((a, k) =>
        {
            var input = a is Literal l ? new KernelInput(ConstantBuffer(l), IndexMap.RowMajor(Shape.Scalar)) : InputOf((Var)a);
            return new ScanOperand(input.Buffer, input.Map, body.Params[k].Type.IsScalar);
        }).ToImmutableArray();
        var results = new List<ScanOperand>();
        for (int j = 0; j < e.Outputs.Length; j++)
        {
            int b = NewBufferFor(e.Outputs[j]);
            _state[e.Outputs[j]] = new Dense(b);
            results.Add(new ScanOperand(b, IndexMap.RowMajor(e.Outputs[j].Type.Shape), body.ResultTypes[j].IsScalar));
        }
        _kernels.Add(new ScanKernel(p, lane, operands, instructions, bodyResults, results.ToImmutableArray()));
        return true;
    }

    /// <summary>
    /// The scalar instructions of lane-elementwise equations of <paramref name="f"/> (parameter
    /// <c>k</c> is input <c>k</c>; a scalar broadcast to the lane shape is the scalar itself), and
    /// the operand refs of <paramref name="results"/>.
    /// </summary>
    private static (ImmutableArray<ScalarInstruction> Instructions, ImmutableArray<OperandRef> Results) LaneInstructions(
        Function f, IEnumerable<Equation> equations, IReadOnlyList<Atom> results, IReadOnlyList<AVal> resultTypes)
    {
        var refs = new Dictionary<Var, OperandRef>(ReferenceEqualityComparer.Instance);
        for (int k = 0; k < f.Params.Length; k++) refs[f.Params[k]] = OperandRef.Input(k);
        OperandRef Ref(Atom a) => a is Literal l ? OperandRef.Of(l) : refs[(Var)a];

        var instructions = new List<ScalarInstruction>();
        foreach (var eq in equations)
        {
            var outVar = eq.Outputs[0];
            if (eq.Primitive == ShapeOps.BroadcastInDim)
            {
                // A scalar broadcast to the lane shape: every lane reads the same scalar.
                refs[outVar] = eq.Inputs[0] is Literal l ? OperandRef.Of(new Literal(outVar.Type.DType, l.Value)) : Ref(eq.Inputs[0]);
                continue;
            }
            var operandDType = eq.Primitive == Elementwise.Select ? eq.Inputs[1].Type.DType : eq.Inputs[0].Type.DType;
            instructions.Add(new ScalarInstruction(eq.Primitive, eq.Params, eq.Inputs.Select(Ref).ToImmutableArray(),
                operandDType, outVar.Type.DType));
            refs[outVar] = OperandRef.Value(instructions.Count - 1);
        }
        var refsOut = results
            .Select((r, j) => r is Literal l ? OperandRef.Of(new Literal(resultTypes[j].DType, l.Value)) : refs[(Var)r])
            .ToImmutableArray();
        return (instructions.ToImmutableArray(), refsOut);
    }

    /// <summary>
    /// The lane shape of a body that is elementwise per lane: every variable has that shape or is a
    /// scalar, and every equation is elementwise or broadcasts a scalar to the lane shape. Null for
    /// any other body.
    /// </summary>
    private static Shape? LaneShape(Function body) => LaneShape(body, body.Equations, body.ResultTypes);

    private static Shape? LaneShape(Function body, IEnumerable<Equation> equations, IEnumerable<AVal> resultTypes)
    {
        Shape? lane = null;
        bool Fits(AVal t)
        {
            if (t.IsScalar) return true;
            lane ??= t.Shape;
            return t.Shape == lane;
        }
        if (!body.Params.All(v => Fits(v.Type)) || !resultTypes.All(Fits)) return null;
        foreach (var eq in equations)
        {
            if (eq.Outputs.Length != 1 || !Fits(eq.Outputs[0].Type)) return null;
            bool ok = Lowering.ElementwisePrimitives.Contains(eq.Primitive)
                || (eq.Primitive == ShapeOps.BroadcastInDim && eq.Inputs[0].Type.IsScalar);
            if (!ok) return null;
        }
        // With no lanes there would be nowhere to compute the uniform (scalar) values.
        return lane is { ElementCount: 0 } ? null : lane ?? Shape.Scalar;
    }
}

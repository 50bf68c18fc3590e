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
            var v = e.Outputs[j];
            var (buffer, map) = ResultThroughViews(v) ?? (NewBufferFor(v), IndexMap.RowMajor(v.Type.Shape));
            _state[v] = map.IsRowMajor(v.Type.Shape) ? new Dense(buffer) : new Viewed(buffer, map);
            results.Add(new ScanOperand(buffer, map, body.ResultTypes[j].IsScalar));
        }
        _kernels.Add(new ScanKernel(p, lane, operands, instructions, bodyResults, results.ToImmutableArray()));
        return true;
    }

    /// <summary>
    /// Where a kernel can write <paramref name="v"/> so that no copy follows (Note [scan results
    /// through views]): when <paramref name="v"/>'s one use is a chain of one-to-one views (transpose,
    /// reshape, squeeze, expand_dims, rev, each value used once) ending at a function result, the
    /// result's buffer and the map under which the chain reads that buffer densely; else null.
    /// </summary>
    /// <remarks>
    /// Note [scan results through views]: vmap gives a scan's stacked ys time first, <c>[T, B]</c>,
    /// and moves the batch axis back to the front with a transpose, so a result <c>[B, T]</c> was a
    /// copy of the whole ys after the scan (W11: 96 MiB written twice, 193 MiB at the peak). Since the
    /// scan kernel writes its results through index maps, it can write ys straight into the result
    /// buffer under the inverse of the views: the views then fold into the identity map and the
    /// result needs no copy. The inverse is built view by view from the result's row-major map and
    /// checked by applying the views forward again; any chain that does not come back to the dense
    /// result keeps the plain layout.
    /// </remarks>
    private (int Buffer, IndexMap Map)? ResultThroughViews(Var v)
    {
        var chain = new List<Equation>();
        var u = v;
        while (!_resultPosition.ContainsKey(u) && _uses.GetValueOrDefault(u) == 1 && SoleConsumer(u) is { } c
               && OneToOneViews.Contains(c.Primitive) && c.Inputs[0] == u)
        {
            chain.Add(c);
            u = c.Outputs[0];
        }
        if (chain.Count == 0 || !_resultPosition.TryGetValue(u, out int position) || _claimedOutputs.Contains(position))
            return null;
        IndexMap? map = IndexMap.RowMajor(u.Type.Shape);
        for (int i = chain.Count - 1; i >= 0 && map is not null; i--)
        {
            var q = chain[i];
            map = InverseView(q, q.Inputs[0].Type.Shape, q.Outputs[0].Type.Shape, map);
        }
        if (map is null) return null;
        IndexMap? forward = map;
        foreach (var q in chain)
            forward = forward is null ? null : ApplyView(q, q.Inputs[0].Type.Shape, q.Outputs[0].Type.Shape, forward);
        if (forward is null || !forward.IsRowMajor(u.Type.Shape)) return null;
        return (NewBufferFor(u), map);
    }

    private static readonly HashSet<Primitive> OneToOneViews =
        [ShapeOps.Transpose, ShapeOps.Reshape, ShapeOps.Squeeze, ShapeOps.ExpandDims, ShapeOps.Rev];

    /// <summary>The map of a view's operand, given the map <paramref name="m"/> of its result (<paramref name="to"/>), for one-to-one views.</summary>
    private static IndexMap? InverseView(Equation e, Shape from, Shape to, IndexMap m) => e.Params switch
    {
        TransposeParams t => m.Transpose(Inverse(t.Perm)),
        ReshapeParams => m.Reshape(to, from),
        SqueezeParams s => m.ExpandDims(s.Dims),
        ExpandDimsParams x => m.Squeeze(x.Dims),
        RevParams r => m.Rev(to, r.Dims),
        _ => null,
    };

    private static int[] Inverse(IReadOnlyList<int> perm)
    {
        var inv = new int[perm.Count];
        for (int i = 0; i < perm.Count; i++) inv[perm[i]] = i;
        return inv;
    }

    /// <summary>The one later equation that reads <paramref name="v"/>, or null.</summary>
    private Equation? SoleConsumer(Var v)
    {
        _consumers ??= BuildConsumers();
        return _consumers.TryGetValue(v, out var list) && list.Count == 1 ? list[0] : null;
    }

    private Dictionary<Var, List<Equation>>? _consumers;

    private Dictionary<Var, List<Equation>> BuildConsumers()
    {
        var d = new Dictionary<Var, List<Equation>>(ReferenceEqualityComparer.Instance);
        foreach (var e in _f.Equations)
            foreach (var a in e.Inputs.OfType<Var>().Distinct(ReferenceEqualityComparer.Instance).Cast<Var>())
            {
                if (!d.TryGetValue(a, out var list)) d[a] = list = [];
                list.Add(e);
            }
        return d;
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

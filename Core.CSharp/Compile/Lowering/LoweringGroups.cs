using System.Collections.Immutable;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Compile.Lowering;

internal sealed partial class LoweringContext
{
    private sealed record ContractionSpec(KernelInput Lhs, Shape LhsShape, KernelInput Rhs, Shape RhsShape,
        DotGeneralParams Dims, DType DType);

    /// <summary>A kernel under construction over one domain (Note [fusion by open groups]).</summary>
    private sealed class Group(Shape domain, ContractionSpec? contraction = null)
    {
        public Shape Domain { get; } = domain;
        public ContractionSpec? Contraction { get; } = contraction;
        public List<KernelInput> Inputs { get; } = [];
        public List<ScalarInstruction> Instructions { get; } = [];
        public List<Var> Members { get; } = [];
        public int[]? ReduceAxes { get; set; }
        public List<(Var Var, ReduceKind Kind, OperandRef Source)> Reductions { get; } = [];
        public bool Closed { get; set; }

        public int InputIndex(KernelInput input)
        {
            int k = Inputs.IndexOf(input);
            if (k >= 0) return k;
            Inputs.Add(input);
            return Inputs.Count - 1;
        }
    }

    private Group OpenGroup(Shape domain, ContractionSpec? contraction = null)
    {
        var g = new Group(domain, contraction);
        _open.Add(g);
        return g;
    }

    /// <summary>The operand ref of <paramref name="a"/> inside group <paramref name="g"/>.</summary>
    private OperandRef OperandIn(Group g, Atom a)
    {
        if (a is Literal l) return OperandRef.Of(l);
        var v = (Var)a;
        switch (_state[v])
        {
            case Filled f:
                return OperandRef.Of(f.Value);
            case Member m when m.Group == g:
                return m.Ref;
            default:
                return OperandRef.Input(g.InputIndex(InputOf(v)));
        }
    }

    private static bool SameAxes(int[]? a, int[]? b) => a is null || b is null || a.SequenceEqual(b);

    /// <summary>Whether <paramref name="src"/> can be merged into <paramref name="dst"/> (same domain, one kernel can run both).</summary>
    private static bool CanMerge(Group dst, Group src) =>
        dst != src && dst.Domain == src.Domain && src.Contraction is null &&
        SameAxes(dst.ReduceAxes, src.ReduceAxes) &&
        !(dst.Contraction is not null && src.ReduceAxes is not null);

    private void Merge(Group dst, Group src)
    {
        var inputMap = src.Inputs.Select(dst.InputIndex).ToArray();
        int offset = dst.Instructions.Count;
        OperandRef Remap(OperandRef r) => r.Kind switch
        {
            OperandKind.Input => OperandRef.Input(inputMap[r.Index]),
            OperandKind.Value => OperandRef.Value(r.Index + offset),
            _ => r,
        };
        foreach (var ins in src.Instructions)
            dst.Instructions.Add(ins with { Operands = ins.Operands.Select(Remap).ToImmutableArray() });
        foreach (var m in src.Members)
        {
            if (_state[m] is Member old && old.Group == src) _state[m] = new Member(dst, Remap(old.Ref));
            dst.Members.Add(m);
        }
        if (src.ReduceAxes is not null) dst.ReduceAxes = src.ReduceAxes;
        foreach (var (v, kind, source) in src.Reductions)
        {
            dst.Reductions.Add((v, kind, Remap(source)));
            _state[v] = new ReducedBy(dst, dst.Reductions.Count - 1);
        }
        src.Closed = true;
        _open.Remove(src);
    }

    private void LowerElementwise(Equation e)
    {
        var outVar = e.Outputs[0];
        // A reduction's result is never a member: materialize it first, so that closing its group
        // cannot close the group this equation joins.
        foreach (var v in e.Inputs.OfType<Var>())
            if (_state[v] is ReducedBy) Demand(v);
        var groups = e.Inputs.OfType<Var>().Select(v => _state[v]).OfType<Member>()
            .Select(m => m.Group).Distinct().ToList();
        // Prefer the contraction group: elementwise work after a product is its epilogue.
        var target = groups.FirstOrDefault(g => g.Contraction is not null) ?? groups.FirstOrDefault();
        if (target is null || target.Domain != outVar.Type.Shape) target = OpenGroup(outVar.Type.Shape);
        foreach (var g in groups)
            if (g != target && CanMerge(target, g)) Merge(target, g);

        var operands = e.Inputs.Select(a => OperandIn(target, a)).ToImmutableArray();
        var operandDType = e.Primitive == Elementwise.Select ? e.Inputs[1].Type.DType : e.Inputs[0].Type.DType;
        target.Instructions.Add(new ScalarInstruction(e.Primitive, e.Params, operands, operandDType, outVar.Type.DType));
        target.Members.Add(outVar);
        _state[outVar] = new Member(target, OperandRef.Value(target.Instructions.Count - 1));
    }

    private void LowerReduction(Equation e)
    {
        var x = (Var)e.Inputs[0];
        var axes = ((ReduceParams)e.Params).Axes.Order().ToArray();
        var kind = ((ReduceOp)e.Primitive).Kind;
        if (axes.Length == 0)
        {
            // A reduction over no axis is the identity.
            _state[e.Outputs[0]] = _state[x] is Member or ReducedBy ? RenameMember(x, e.Outputs[0]) : _state[x];
            return;
        }
        Group target;
        OperandRef source;
        if (_state[x] is Member m && m.Group.Contraction is null && SameAxes(m.Group.ReduceAxes, axes))
        {
            target = m.Group;
            source = m.Ref;
        }
        else
        {
            target = OpenGroup(x.Type.Shape);
            source = OperandIn(target, x);
        }
        target.ReduceAxes = axes;
        target.Reductions.Add((e.Outputs[0], kind, source));
        _state[e.Outputs[0]] = new ReducedBy(target, target.Reductions.Count - 1);
    }

    /// <summary>The state of <paramref name="alias"/>, which equals <paramref name="x"/>: the same operand of the same group.</summary>
    private State RenameMember(Var x, Var alias)
    {
        if (_state[x] is ReducedBy) Demand(x);
        if (_state[x] is not Member m) return _state[x];
        m.Group.Members.Add(alias);
        return m;
    }

    private void LowerContraction(Equation e)
    {
        var (lhs, rhs) = ((Var)e.Inputs[0], (Var)e.Inputs[1]);
        var spec = new ContractionSpec(InputOf(lhs), lhs.Type.Shape, InputOf(rhs), rhs.Type.Shape,
            (DotGeneralParams)e.Params, lhs.Type.DType);
        var outVar = e.Outputs[0];
        var g = OpenGroup(outVar.Type.Shape, spec);
        g.Members.Add(outVar);
        _state[outVar] = new Member(g, OperandRef.Product);
    }

    private void CloseAll()
    {
        while (_open.Count > 0) CloseGroup(_open[0]);
    }

    /// <summary>Emits the group's kernel, writing every member and reduction still needed.</summary>
    private void CloseGroup(Group g)
    {
        if (g.Closed) return;
        g.Closed = true;
        _open.Remove(g);

        var outputs = new List<KernelOutput>();
        foreach (var m in g.Members)
        {
            if (_state[m] is not Member mm || mm.Group != g) continue;
            if (!Needed(m)) { _state[m] = new Gone(); continue; }
            int b = NewBufferFor(m);
            outputs.Add(new KernelOutput(b, mm.Ref));
            _state[m] = new Dense(b);
        }
        var reductions = new List<ReductionOutput>();
        foreach (var (v, kind, source) in g.Reductions)
        {
            if (!Needed(v)) { _state[v] = new Gone(); continue; }
            int b = NewBufferFor(v);
            reductions.Add(new ReductionOutput(b, kind, source));
            _state[v] = new Dense(b);
        }
        if (outputs.Count == 0 && reductions.Count == 0) return;

        // Keep only the instructions and inputs the outputs depend on.
        var live = new bool[g.Instructions.Count];
        void Mark(OperandRef r)
        {
            if (r.Kind != OperandKind.Value || live[r.Index]) return;
            live[r.Index] = true;
            foreach (var o in g.Instructions[r.Index].Operands) Mark(o);
        }
        foreach (var o in outputs) Mark(o.Source);
        foreach (var r in reductions) Mark(r.Source);
        var usedInputs = new SortedSet<int>();
        void MarkInput(OperandRef r) { if (r.Kind == OperandKind.Input) usedInputs.Add(r.Index); }
        for (int j = 0; j < live.Length; j++)
            if (live[j]) foreach (var o in g.Instructions[j].Operands) MarkInput(o);
        foreach (var o in outputs) MarkInput(o.Source);
        foreach (var r in reductions) MarkInput(r.Source);

        var inputIndex = usedInputs.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i);
        var valueIndex = new int[live.Length];
        var instructions = new List<ScalarInstruction>();
        OperandRef Renumber(OperandRef r) => r.Kind switch
        {
            OperandKind.Input => OperandRef.Input(inputIndex[r.Index]),
            OperandKind.Value => OperandRef.Value(valueIndex[r.Index]),
            _ => r,
        };
        for (int j = 0; j < live.Length; j++)
        {
            if (!live[j]) continue;
            var ins = g.Instructions[j];
            valueIndex[j] = instructions.Count;
            instructions.Add(ins with { Operands = ins.Operands.Select(Renumber).ToImmutableArray() });
        }
        var inputs = usedInputs.Select(k => g.Inputs[k]).ToImmutableArray();
        var outs = outputs.Select(o => o with { Source = Renumber(o.Source) }).ToImmutableArray();

        if (g.Contraction is { } c)
        {
            _kernels.Add(new ContractionKernel(c.Lhs, c.LhsShape, c.Rhs, c.RhsShape, c.Dims, c.DType, g.Domain,
                inputs, instructions.ToImmutableArray(), outs));
            return;
        }
        var reds = reductions.Select(r => r with { Source = Renumber(r.Source) }).ToImmutableArray();
        _kernels.Add(new ElementwiseKernel(g.Domain, inputs, instructions.ToImmutableArray(), outs,
            reds.Length > 0 ? g.ReduceAxes!.ToImmutableArray() : [], reds));
    }
}

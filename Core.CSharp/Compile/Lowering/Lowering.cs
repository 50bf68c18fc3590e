using System.Collections.Immutable;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Compile.Lowering;

/// <summary>
/// Turns a function into a <see cref="LoweredProgram"/>: buffers, kernels and a buffer plan
/// (Note [fusion by open groups]).
/// </summary>
public static class Lowering
{
    /// <summary>Lowers a well-typed function; <paramref name="options"/> defaults to fusion on.</summary>
    public static LoweredProgram Lower(Function function, LoweringOptions? options = null) =>
        new LoweringContext(function, options ?? LoweringOptions.Default).Run();

    /// <summary>The shape primitives whose results lowering keeps as views (Note [views fold into index maps]).</summary>
    public static readonly IReadOnlySet<Primitive> ViewPrimitives = new HashSet<Primitive>
    {
        ShapeOps.Transpose, ShapeOps.BroadcastInDim, ShapeOps.Reshape, ShapeOps.Squeeze,
        ShapeOps.ExpandDims, ShapeOps.Rev, Slicing.Slice,
    };

    /// <summary>The primitives that become scalar instructions of an elementwise kernel.</summary>
    public static readonly IReadOnlySet<Primitive> ElementwisePrimitives = Elementwise.All.ToHashSet();

    /// <summary>
    /// The primitives that reach a backend as a <see cref="PrimitiveKernel"/> over whole buffers:
    /// every backend runs each of them (a coverage test checks this for every backend), and
    /// lowering refuses any other primitive that is not elementwise, a view, a reduction or a
    /// contraction (a user-defined primitive, say, must be expanded first: <see cref="Compiler.Lower"/> does).
    /// </summary>
    public static readonly IReadOnlySet<Primitive> PrimitiveKernelPrimitives = new HashSet<Primitive>
    {
        ShapeOps.Iota, Slicing.Take, Slicing.DynamicSlice, Slicing.DynamicUpdateSlice, Slicing.Concatenate, Slicing.Pad,
        Reduction.ArgMax, Reduction.ArgMin, Reduction.CumSum, Reduction.CumMax,
        Randomness.RandomBits, Randomness.RandomSplit, Randomness.RandomUniform,
        ControlFlow.Scan, ControlFlow.Cond, ControlFlow.While,
    };

    /// <summary>The reductions a fused kernel can end with.</summary>
    public static readonly IReadOnlySet<Primitive> ReducePrimitives = new HashSet<Primitive>
    {
        Reduction.ReduceSum, Reduction.ReduceMax, Reduction.ReduceMin, Reduction.ReduceProd,
    };
}

/// <summary>
/// The state of one lowering. Note [fusion by open groups]: equations are visited in order and
/// each variable is in one state: a dense buffer, a view of a buffer (an index map), a constant
/// fill, a member of an open group (a kernel under construction over one domain), or the
/// reduction of an open group. An elementwise equation joins the open group of its operands
/// (merging groups of the same domain), a reduction becomes the group's trailing reduction and a
/// <c>dot_general</c> opens a group whose later elementwise members form its epilogue. A group is
/// closed, and its kernel emitted, when something needs one of its values as a dense buffer (a
/// primitive kernel, a view, a reduction over other axes) or at the end; it then writes every
/// member that a later equation or a result still uses. Kernels are emitted in closing order, which
/// respects dependencies: a group's inputs are buffers written before it closes, and anything that
/// reads a group's value closes the group first. With <see cref="LoweringOptions.Fuse"/> off, every
/// group closes after its equation, giving one kernel per equation.
/// </summary>
internal sealed partial class LoweringContext
{
    private abstract record State;
    private sealed record Dense(int Buffer) : State;
    private sealed record Viewed(int Buffer, IndexMap Map) : State;
    private sealed record Filled(Literal Value) : State;
    private sealed record Member(Group Group, OperandRef Ref) : State;
    private sealed record ReducedBy(Group Group, int Reduction) : State;
    private sealed record Gone : State;

    private readonly Function _f;
    private readonly LoweringOptions _options;
    private readonly List<BufferInfo> _buffers = [];
    private readonly List<Kernel> _kernels = [];
    private readonly Dictionary<Var, State> _state = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Var, int> _uses = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Var, int> _resultPosition = new(ReferenceEqualityComparer.Instance);
    private readonly List<int> _inputBuffers = [];
    private readonly List<int> _outputBuffers = [];
    private readonly HashSet<int> _claimedOutputs = [];
    private readonly List<Group> _open = [];

    public LoweringContext(Function f, LoweringOptions options)
    {
        _f = f;
        _options = options;
    }

    private bool Fuse => _options.Fuse;

    public LoweredProgram Run()
    {
        for (int i = 0; i < _f.Params.Length; i++)
        {
            var p = _f.Params[i];
            int b = AddBuffer(BufferKind.Input, p.Type, p.Name, i);
            _inputBuffers.Add(b);
            _state[p] = new Dense(b);
        }
        var defined = new HashSet<Var>(_f.Equations.SelectMany(e => e.Outputs), ReferenceEqualityComparer.Instance);
        for (int j = 0; j < _f.Results.Length; j++)
        {
            var name = _f.Results[j] is Var rv ? rv.Name : "literal";
            _outputBuffers.Add(AddBuffer(BufferKind.Output, _f.ResultTypes[j], name, j));
            if (_f.Results[j] is Var v && defined.Contains(v)) _resultPosition.TryAdd(v, j);
        }
        foreach (var e in _f.Equations)
            foreach (var a in e.Inputs)
                if (a is Var v) _uses[v] = _uses.GetValueOrDefault(v) + 1;

        foreach (var e in _f.Equations)
        {
            LowerEquation(e);
            foreach (var a in e.Inputs)
                if (a is Var v) _uses[v]--;
            if (!Fuse)
            {
                CloseAll();
                foreach (var o in e.Outputs)
                    if (_state[o] is Viewed or Filled && Needed(o)) Demand(o);
            }
        }
        CloseAll();
        for (int j = 0; j < _f.Results.Length; j++) WriteResult(j);

        var buffers = _buffers.ToImmutableArray();
        var kernels = _kernels.ToImmutableArray();
        return new LoweredProgram(_f, buffers, _inputBuffers.ToImmutableArray(), _outputBuffers.ToImmutableArray(),
            kernels, BufferPlan.Build(buffers, kernels, _options.Alignment)) { Options = _options };
    }

    private void LowerEquation(Equation e)
    {
        var p = e.Primitive;
        if (Lowering.ElementwisePrimitives.Contains(p)) LowerElementwise(e);
        else if (Lowering.ViewPrimitives.Contains(p)) LowerView(e);
        else if (Lowering.ReducePrimitives.Contains(p)) LowerReduction(e);
        else if (p == Contraction.DotGeneral) LowerContraction(e);
        else if (p == ControlFlow.Scan && Fuse && TryLowerScanKernel(e)) { }
        else if (p == ControlFlow.While && Fuse && TryLowerWhileKernel(e)) { }
        else LowerPrimitive(e);
    }

    // ---- buffers ----

    private int AddBuffer(BufferKind kind, AVal type, string name, int index = -1, Literal? value = null)
    {
        int id = _buffers.Count;
        _buffers.Add(new BufferInfo(id, kind, type, name, index, value));
        return id;
    }

    /// <summary>The buffer a variable is materialized into: the output buffer of the first result
    /// position it is returned at, else a new intermediate.</summary>
    private int NewBufferFor(Var v)
    {
        if (_resultPosition.TryGetValue(v, out int j) && _claimedOutputs.Add(j)) return _outputBuffers[j];
        return AddBuffer(BufferKind.Intermediate, v.Type, v.Name);
    }

    private int ConstantBuffer(Literal l) => AddBuffer(BufferKind.Constant, l.Type, "literal", -1, l);

    /// <summary>True when a later equation or a result still reads the variable.</summary>
    private bool Needed(Var v) => _uses.GetValueOrDefault(v) > 0 || _resultPosition.ContainsKey(v);

    // ---- states ----

    /// <summary>A dense row-major buffer holding <paramref name="v"/>, emitting what it takes.</summary>
    private int Demand(Var v)
    {
        switch (_state[v])
        {
            case Dense d:
                return d.Buffer;
            case Viewed w when w.Map.IsRowMajor(v.Type.Shape):
                return w.Buffer;
            case Viewed or Filled:
            {
                int b = NewBufferFor(v);
                EmitCopy(v, b);
                _state[v] = new Dense(b);
                return b;
            }
            case Member { Group.Closed: false } m:
                CloseGroup(m.Group);
                return Demand(v);
            case ReducedBy { Group.Closed: false } r:
                CloseGroup(r.Group);
                return Demand(v);
            default:
                throw new InvalidOperationException($"lowering {_f.Name}: {v.Name} is read after its last use ({_state[v]})");
        }
    }

    /// <summary>A kernel input reading <paramref name="v"/> densely or through its view.</summary>
    private KernelInput InputOf(Var v) => _state[v] switch
    {
        Viewed w => new KernelInput(w.Buffer, w.Map),
        _ => new KernelInput(Demand(v), IndexMap.RowMajor(v.Type.Shape)),
    };

    /// <summary>Writes <paramref name="v"/> densely into <paramref name="buffer"/> with a copy (or fill) kernel.</summary>
    private void EmitCopy(Var v, int buffer)
    {
        var shape = v.Type.Shape;
        if (_state[v] is Filled f)
        {
            _kernels.Add(new ElementwiseKernel(shape, [], [], [new KernelOutput(buffer, OperandRef.Of(f.Value))], [], []));
            return;
        }
        var input = InputOf(v);
        _kernels.Add(new ElementwiseKernel(shape, [input], [], [new KernelOutput(buffer, OperandRef.Input(0))], [], []));
    }

    private void WriteResult(int j)
    {
        int target = _outputBuffers[j];
        var type = _f.ResultTypes[j];
        switch (_f.Results[j])
        {
            case Literal l:
                _kernels.Add(new ElementwiseKernel(type.Shape, [], [],
                    [new KernelOutput(target, OperandRef.Of(new Literal(type.DType, l.Value)))], [], []));
                break;
            case Var v when _state[v] is Dense d && d.Buffer == target:
                break;
            case Var v:
                EmitCopy(v, target);
                break;
        }
    }

    // ---- views ----

    private void LowerView(Equation e)
    {
        var outVar = e.Outputs[0];
        var x = e.Inputs[0];
        if (x is Literal lit)
        {
            _state[outVar] = new Filled(new Literal(outVar.Type.DType, lit.Value));
            return;
        }
        var xv = (Var)x;
        if (_state[xv] is Filled f)
        {
            _state[outVar] = f;
            return;
        }
        var from = _state[xv] switch
        {
            Viewed w => w,
            _ => new Viewed(Demand(xv), IndexMap.RowMajor(xv.Type.Shape)),
        };
        var map = ApplyView(e, xv.Type.Shape, outVar.Type.Shape, from.Map);
        if (map is null)
        {
            // A reshape strides cannot express: materialize the operand, then reshape its dense layout.
            from = new Viewed(Demand(xv), IndexMap.RowMajor(xv.Type.Shape));
            map = ApplyView(e, xv.Type.Shape, outVar.Type.Shape, from.Map)!;
        }
        _state[outVar] = map.IsRowMajor(outVar.Type.Shape) ? new Dense(from.Buffer) : new Viewed(from.Buffer, map);
    }

    private static IndexMap? ApplyView(Equation e, Shape from, Shape to, IndexMap m) => e.Params switch
    {
        TransposeParams t => m.Transpose(t.Perm),
        BroadcastInDimParams b => m.BroadcastInDim(from, b.Shape, b.Dims),
        ReshapeParams => m.Reshape(from, to),
        SqueezeParams s => m.Squeeze(s.Dims),
        ExpandDimsParams x => m.ExpandDims(x.Dims),
        RevParams r => m.Rev(from, r.Dims),
        SliceParams s => m.Slice(s.Start, s.Stride),
        _ => throw new InvalidOperationException($"{e.Primitive.Name} is not a view"),
    };

    // ---- primitive kernels ----

    private void LowerPrimitive(Equation e)
    {
        if (!Lowering.PrimitiveKernelPrimitives.Contains(e.Primitive))
            throw new IrException($"lowering {_f.Name}: primitive {e.Primitive.Name} has no lowering " +
                $"(expected an elementwise, view, reduction, contraction or primitive-kernel primitive; " +
                "a user-defined primitive must be expanded first, as Compiler.Lower does)");
        var inputs = e.Inputs.Select(a => a is Literal l ? ConstantBuffer(l) : Demand((Var)a)).ToImmutableArray();
        var subs = e.SubFunctions.Select(s => Lowering.Lower(s, _options)).ToImmutableArray();
        var outputs = e.Outputs.Select(NewBufferFor).ToImmutableArray();
        for (int i = 0; i < e.Outputs.Length; i++) _state[e.Outputs[i]] = new Dense(outputs[i]);
        _kernels.Add(new PrimitiveKernel(e.Primitive, e.Params, inputs, e.Inputs.Select(a => a.Type).ToImmutableArray(),
            outputs, e.Outputs.Select(o => o.Type).ToImmutableArray(), subs));
    }
}

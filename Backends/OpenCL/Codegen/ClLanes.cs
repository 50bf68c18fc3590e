using System.Collections.Immutable;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;

namespace ArrayLang.Backends.OpenCL.Codegen;

// Note [opencl lane kernels]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~
// A ScanKernel or WhileKernel runs one work-item per lane with the whole time loop inside it
// (Note [scan lanes], Note [lane-parallel while]): the carries stay in registers, each step reads
// the lane's xs through their index maps and writes its ys in place, so the loop costs no launch
// per step. A while lane stops as soon as its own predicate fails (per-lane exit), which gives the
// values of the batched loop because further iterations leave a finished lane unchanged. Uniform
// (scalar) operands are read by every lane; uniform results are written by lane 0 only (every lane
// computes the same value).

internal sealed partial class ClProgramCompiler
{
    private void Scan(ScanKernel s)
    {
        long lanes = s.LaneShape.ElementCount;
        var p = s.Params;
        var f = NewFrame("scan");
        f.Line($"{_idx} lane = get_global_id(0);");
        f.Line($"if (lane >= {lanes}) return;");
        Digits(f, s.LaneShape, "lane", "l");
        var types = new string[s.Operands.Length];
        for (int k = 0; k < s.Operands.Length; k++)
        {
            var o = s.Operands[k];
            types[k] = ClTypes.Of(_p.Buffers[o.Buffer].Type.DType);
            bool xs = k >= p.Consts + p.Carries;
            if (xs)
            {
                f.Line($"{_idx} base{k} = {LaneOffset(o, s.LaneShape, 1)};");
                continue;
            }
            f.Line($"{types[k]} in{k} = {f.Buf(o.Buffer)}[{LaneOffset(o, s.LaneShape, 0)}];");
        }
        f.Line($"for ({_idx} step = 0; step < {p.Length}; step++) {{");
        f.Line($"{_idx} t = {(p.Reverse ? $"{p.Length - 1} - step" : "step")};", 2);
        for (int k = p.Consts + p.Carries; k < s.Operands.Length; k++)
        {
            var o = s.Operands[k];
            f.Line($"{types[k]} in{k} = {f.Buf(o.Buffer)}[base{k} + t * {o.Map.Strides[0]}];", 2);
        }
        Instructions(f, s.Instructions, o => $"in{o.Index}", "v", 2, s.BodyResults);
        string Spell(OperandRef o) => Operand(o, r => $"in{r.Index}");
        for (int j = p.Carries; j < s.BodyResults.Length; j++)
        {
            var r = s.Results[j];
            var write = $"{f.Buf(r.Buffer)}[t * {r.Map.Strides[0]} + {LaneOffset(r, s.LaneShape, 1)}] = {Spell(s.BodyResults[j])};";
            f.Line(r.Uniform ? $"if (lane == 0) {write}" : write, 2);
        }
        // New carries: all read before any is assigned.
        for (int j = 0; j < p.Carries; j++)
            f.Line($"{types[p.Consts + j]} next{j} = {Spell(s.BodyResults[j])};", 2);
        for (int j = 0; j < p.Carries; j++) f.Line($"in{p.Consts + j} = next{j};", 2);
        f.Line("}");
        for (int j = 0; j < p.Carries; j++)
        {
            var r = s.Results[j];
            var write = $"{f.Buf(r.Buffer)}[{LaneOffset(r, s.LaneShape, 0)}] = in{p.Consts + j};";
            f.Line(r.Uniform ? $"if (lane == 0) {write}" : write);
        }
        Finish(f, RoundUp(lanes, LocalSize), LocalSize);
    }

    private void While(WhileKernel w)
    {
        long lanes = w.LaneShape.ElementCount;
        var f = NewFrame("while");
        f.Line($"{_idx} lane = get_global_id(0);");
        f.Line($"if (lane >= {lanes}) return;");
        Digits(f, w.LaneShape, "lane", "l");
        var types = new string[w.Operands.Length];
        for (int k = 0; k < w.Operands.Length; k++)
        {
            var o = w.Operands[k];
            types[k] = ClTypes.Of(_p.Buffers[o.Buffer].Type.DType);
            f.Line($"{types[k]} in{k} = {f.Buf(o.Buffer)}[{LaneOffset(o, w.LaneShape, 0)}];");
        }
        string Spell(OperandRef o, string prefix) => Operand(o, r => $"in{r.Index}", prefix);
        f.Line("for (;;) {");
        Instructions(f, w.CondInstructions, o => $"in{o.Index}", "c", 2, [w.Active]);
        f.Line($"if (!({Spell(w.Active, "c")})) break;", 2);
        Instructions(f, w.BodyInstructions, o => $"in{o.Index}", "v", 2, w.BodyResults);
        int carries = w.Operands.Length - w.Consts;
        for (int j = 0; j < carries; j++) f.Line($"{types[w.Consts + j]} next{j} = {Spell(w.BodyResults[j], "v")};", 2);
        for (int j = 0; j < carries; j++) f.Line($"in{w.Consts + j} = next{j};", 2);
        f.Line("}");
        for (int j = 0; j < carries; j++)
        {
            var r = w.Results[j];
            var write = $"{f.Buf(r.Buffer)}[{LaneOffset(r, w.LaneShape, 0)}] = in{w.Consts + j};";
            f.Line(r.Uniform ? $"if (lane == 0) {write}" : write);
        }
        Finish(f, RoundUp(lanes, LocalSize), LocalSize);
    }

    /// <summary>
    /// The offset of the lane's element of <paramref name="o"/>, skipping <paramref name="leading"/>
    /// leading (time) dims of its map; a uniform operand's is its map's offset.
    /// </summary>
    private static string LaneOffset(ScanOperand o, Shape lane, int leading)
    {
        if (o.Uniform) return o.Map.Offset.ToString();
        var terms = new List<string>();
        if (o.Map.Offset != 0) terms.Add(o.Map.Offset.ToString());
        for (int d = 0; d < lane.Rank; d++)
        {
            long stride = o.Map.Strides[leading + d];
            if (lane[d] == 1 || stride == 0) continue;
            terms.Add(stride == 1 ? $"l{d}" : $"l{d} * {stride}");
        }
        return terms.Count == 0 ? "0" : string.Join(" + ", terms);
    }
}

internal sealed partial class ClProgramCompiler
{
    // Note [opencl host steps]: every primitive kernel of Lowering.PrimitiveKernelPrimitives has a
    // device form (ClPrimitives, ClRandom) except general scan, cond and while: their steps run on
    // the host through Core's ControlFlowDriver, which reads a predicate or trip count back and
    // launches their sub-programs, compiled like any program, on the device buffers (rows of xs
    // and ys are bound by offset, not copied). No step copies a primitive's operands to the host.
    private void Primitive(PrimitiveKernel k)
    {
        if (k.SubPrograms.Length > 0)
        {
            _steps.Add(new ClControlFlowStep(k, k.SubPrograms.Select(sub => Compile(sub, _device)).ToImmutableArray()));
            return;
        }
        if (!TryDevicePrimitive(k))
            throw new NotSupportedException($"OpenCL backend: no device kernel for the primitive kernel {k.Primitive.Name} (Lowering.PrimitiveKernelPrimitives names it)");
    }
}

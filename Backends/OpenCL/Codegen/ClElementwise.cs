using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.OpenCL.Codegen;

// Note [opencl reduction order]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// A fused reduction combines the L elements of each kept index in an order that depends only on L,
// never on the device or its work-group limits, so every OpenCL device gives the same bits:
// - L <= 32: one work-item per kept index adds the elements in index order (a serial loop).
// - L > 32: one work-group of exactly 64 work-items per kept index; work-item l accumulates the
//   elements l, l + 64, l + 128, ... in order, then the 64 partial results are combined by a fixed
//   binary tree in local memory (partial l with partial l + 32, then l + 16, ... down to 1).
// Float sums start from -0 (IEEE's additive identity, so a one-term sum keeps a -0 term's sign);
// an empty sum is +0. This order differs from the CPU's and the reference's (which rounds once),
// so sums agree within the conformance tolerance, not bit for bit; max and min are exact.

internal sealed partial class ClProgramCompiler
{
    /// <summary>Reductions longer than this use a 64-wide work-group per kept index (Note [opencl reduction order]).</summary>
    private const int SerialReductionLimit = 32;

    private const int ReductionGroup = 64;

    private void Elementwise(ElementwiseKernel k)
    {
        if (k.ReduceAxes.Length == 0)
        {
            long n = k.Domain.ElementCount;
            if (n == 0) return;
            var f = NewFrame("map");
            f.Line($"{_idx} gid = get_global_id(0);");
            f.Line($"if (gid >= {n}) return;");
            Digits(f, k.Domain, "gid", "d");
            Body(f, k, d => $"d{d}", "gid", 1);
            Finish(f, RoundUp(n, LocalSize), LocalSize);
            return;
        }
        Reduce(k);
    }

    /// <summary>Reads the inputs, runs the instructions and writes the full-domain outputs at linear index <paramref name="linear"/>.</summary>
    private void Body(Frame f, ElementwiseKernel k, Func<int, string> digit, string linear, int indent)
    {
        for (int i = 0; i < k.Inputs.Length; i++)
        {
            var input = k.Inputs[i];
            var t = ClTypes.Of(_p.Buffers[input.Buffer].Type.DType);
            string at = input.Map.IsRowMajor(k.Domain) && k.ReduceAxes.Length == 0 ? linear : OffsetOf(input.Map, k.Domain, digit);
            f.Line($"{t} in{i} = {f.Buf(input.Buffer)}[{at}];", indent);
        }
        Instructions(f, k.Instructions, o => $"in{o.Index}", "v", indent,
            k.Outputs.Select(o => o.Source).Concat(k.Reductions.Select(r => r.Source)));
        foreach (var o in k.Outputs)
            f.Line($"{f.Buf(o.Buffer)}[{linear}] = {Operand(o.Source, r => $"in{r.Index}")};", indent);
    }

    private DType SourceType(ElementwiseKernel k, OperandRef o) => o.Kind switch
    {
        OperandKind.Input => _p.Buffers[k.Inputs[o.Index].Buffer].Type.DType,
        OperandKind.Value => k.Instructions[o.Index].DType,
        _ => o.Literal!.DType,
    };

    private void Reduce(ElementwiseKernel k)
    {
        var reduced = k.ReduceAxes.ToHashSet();
        var keptAxes = Enumerable.Range(0, k.Domain.Rank).Where(a => !reduced.Contains(a)).ToArray();
        var redAxes = k.ReduceAxes.ToArray();
        var keptShape = new Shape(keptAxes.Select(a => k.Domain[a]));
        var redShape = new Shape(redAxes.Select(a => k.Domain[a]));
        long m = keptShape.ElementCount, l = redShape.ElementCount;
        if (m == 0) return;
        var domainStrides = IndexMap.RowMajor(k.Domain).Strides;
        var types = k.Reductions.Select(r => SourceType(k, r.Source)).ToArray();

        if (l == 0)
        {
            // Nothing to combine: every result is the empty reduction (+0 for sums).
            var f0 = NewFrame("reduce_empty");
            f0.Line($"{_idx} gid = get_global_id(0);");
            f0.Line($"if (gid >= {m}) return;");
            for (int j = 0; j < k.Reductions.Length; j++)
            {
                var r = k.Reductions[j];
                f0.Line($"{f0.Buf(r.Buffer)}[gid] = {(r.Kind == ReduceKind.Sum ? ClTypes.Literal(types[j], 0) : Identity(r.Kind, types[j]))};");
            }
            Finish(f0, RoundUp(m, LocalSize), LocalSize);
            return;
        }

        bool tree = l > SerialReductionLimit && _device.MaxWorkGroupSize >= ReductionGroup;
        var f = NewFrame(tree ? "reduce_tree" : "reduce");
        // Kept digits are named by domain axis, reduced digits too: d{axis}.
        string Digit(int axis) => $"d{axis}";
        if (tree)
        {
            f.Line($"{_idx} kk = get_group_id(0);");
            f.Line("int lid = get_local_id(0);");
        }
        else
        {
            f.Line($"{_idx} kk = get_global_id(0);");
            f.Line($"if (kk >= {m}) return;");
        }
        DigitsByAxis(f, keptShape, keptAxes, "kk", "q", 1);
        for (int j = 0; j < k.Reductions.Length; j++)
            f.Line($"{ClTypes.Of(types[j])} acc{j} = {Identity(k.Reductions[j].Kind, types[j])};");
        f.Line(tree ? $"for ({_idx} rr = lid; rr < {l}; rr += {ReductionGroup}) {{" : $"for ({_idx} rr = 0; rr < {l}; rr++) {{");
        DigitsByAxis(f, redShape, redAxes, "rr", "p", 2);
        string linear = string.Join(" + ", Enumerable.Range(0, k.Domain.Rank)
            .Where(a => k.Domain[a] != 1).Select(a => $"{Digit(a)} * {domainStrides[a]}").DefaultIfEmpty("0"));
        f.Line($"{_idx} lin = {linear};", 2);
        Body(f, k, Digit, "lin", 2);
        for (int j = 0; j < k.Reductions.Length; j++)
        {
            var r = k.Reductions[j];
            f.Line($"acc{j} = {Combine(r.Kind, types[j], $"acc{j}", Operand(r.Source, o => $"in{o.Index}"))};", 2);
        }
        f.Line("}");
        if (tree)
        {
            for (int j = 0; j < k.Reductions.Length; j++)
            {
                f.Line($"__local {ClTypes.Of(types[j])} part{j}[{ReductionGroup}];");
                f.Line($"part{j}[lid] = acc{j};");
            }
            f.Line("barrier(CLK_LOCAL_MEM_FENCE);");
            f.Line($"for (int h = {ReductionGroup / 2}; h > 0; h >>= 1) {{");
            f.Line("if (lid < h) {", 2);
            for (int j = 0; j < k.Reductions.Length; j++)
                f.Line($"part{j}[lid] = {Combine(k.Reductions[j].Kind, types[j], $"part{j}[lid]", $"part{j}[lid + h]")};", 3);
            f.Line("}", 2);
            f.Line("barrier(CLK_LOCAL_MEM_FENCE);", 2);
            f.Line("}");
            f.Line("if (lid == 0) {");
            for (int j = 0; j < k.Reductions.Length; j++) f.Line($"{f.Buf(k.Reductions[j].Buffer)}[kk] = part{j}[0];", 2);
            f.Line("}");
            Finish(f, m * ReductionGroup, ReductionGroup);
        }
        else
        {
            for (int j = 0; j < k.Reductions.Length; j++) f.Line($"{f.Buf(k.Reductions[j].Buffer)}[kk] = acc{j};");
            Finish(f, RoundUp(m, LocalSize), LocalSize);
        }
    }

    /// <summary>Declares <c>d{axes[i]}</c> for each dimension of <paramref name="shape"/> from <paramref name="linear"/>.</summary>
    private void DigitsByAxis(Frame f, Shape shape, int[] axes, string linear, string scratch, int indent)
    {
        Digits(f, shape, linear, scratch, indent);
        for (int i = 0; i < axes.Length; i++) f.Line($"{_idx} d{axes[i]} = {scratch}{i};", indent);
    }

    private string Identity(ReduceKind kind, DType t) => (kind, t) switch
    {
        (ReduceKind.Sum, DType.I32) => "0",
        (ReduceKind.Sum, _) => t == DType.F32 ? "-0.0f" : "-0.0",
        (ReduceKind.Prod, DType.I32) => "1",
        (ReduceKind.Prod, _) => ClTypes.Literal(t, 1),
        (ReduceKind.Max, DType.I32) => "(-2147483647-1)",
        (ReduceKind.Max, _) => $"(({ClTypes.Of(t)})-INFINITY)",
        (ReduceKind.Min, DType.I32) => "2147483647",
        _ => $"(({ClTypes.Of(t)})INFINITY)",
    };

    private string Combine(ReduceKind kind, DType t, string a, string b)
    {
        if (t == DType.I32)
            return kind switch
            {
                ReduceKind.Sum => $"(int)((uint)({a}) + (uint)({b}))",
                ReduceKind.Prod => $"(int)((uint)({a}) * (uint)({b}))",
                ReduceKind.Max => $"max({a}, {b})",
                _ => $"min({a}, {b})",
            };
        var s = ClTypes.Suffix(t);
        switch (kind)
        {
            case ReduceKind.Sum: return $"({a} + {b})";
            case ReduceKind.Prod: return $"({a} * {b})";
            case ReduceKind.Max: _src.Use($"al_max_{s}"); return $"al_max_{s}({a}, {b})";
            default: _src.Use($"al_min_{s}"); return $"al_min_{s}({a}, {b})";
        }
    }
}

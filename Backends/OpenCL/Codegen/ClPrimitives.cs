using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.OpenCL.Codegen;

// Note [opencl primitive kernels]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// The data-movement primitives run as gathers: one work-item per output element computes which
// input element (or fill value) it takes, with IR.md's clamping of run-time indices (take clamps
// each index into [0, n - 1], dynamic_slice and dynamic_update_slice clamp each start so the
// window fits). argmax/argmin and cumsum/cummax run one work-item per line along the axis, in the
// reference's order (argmax: the first maximum, the first NaN wins; cumulative sums add in order,
// starting from -0). The random primitives are one work-item per Threefry block (Note [opencl
// random kernels]).

internal sealed partial class ClProgramCompiler
{
    private bool TryDevicePrimitive(PrimitiveKernel k)
    {
        switch (k.Params)
        {
            case IotaParams p: Iota(k, p); return true;
            case TakeParams p: Take(k, p); return true;
            case DynamicSliceParams: DynamicSlice(k); return true;
            case PadParams p: Pad(k, p); return true;
            case ConcatenateParams p: Concatenate(k, p); return true;
            case ArgParams p: Arg(k, p); return true;
            case CumulativeParams p: Cumulative(k, p); return true;
        }
        if (k.Primitive == Slicing.DynamicUpdateSlice)
        {
            DynamicUpdateSlice(k);
            return true;
        }
        return TryRandom(k);
    }

    /// <summary>A gather kernel over the output's elements: <paramref name="body"/> writes <c>out</c> from digits <c>d{j}</c>.</summary>
    private void Gather(PrimitiveKernel k, string kind, Action<Frame, string> body)
    {
        var shape = k.OutputTypes[0].Shape;
        long n = shape.ElementCount;
        if (n == 0) return;
        var f = NewFrame(kind);
        f.Line($"{_idx} gid = get_global_id(0);");
        f.Line($"if (gid >= {n}) return;");
        Digits(f, shape, "gid", "d");
        body(f, $"{f.Buf(k.Outputs[0])}[gid]");
        Finish(f, RoundUp(n, LocalSize), LocalSize);
    }

    private static long[] Strides(Shape s) => IndexMap.RowMajor(s).Strides.ToArray();

    private void Iota(PrimitiveKernel k, IotaParams p)
    {
        var t = k.OutputTypes[0].DType;
        Gather(k, "iota", (f, o) => f.Line($"{o} = {ClOps.Convert(DType.I32, t, $"(int)d{p.Dim}")};"));
    }

    private void Take(PrimitiveKernel k, TakeParams p)
    {
        var x = k.InputTypes[0].Shape;
        var idx = k.InputTypes[1].Shape;
        int n = x[p.Axis];
        var xs = Strides(x);
        var isd = Strides(idx);
        Gather(k, "take", (f, o) =>
        {
            // Output dims: x's before the axis, idx's, x's after the axis.
            var idxAt = string.Join(" + ", Enumerable.Range(0, idx.Rank).Select(j => $"d{p.Axis + j} * {isd[j]}").DefaultIfEmpty("0"));
            f.Line($"int at = clamp({f.Buf(k.Inputs[1])}[{idxAt}], 0, {n - 1});");
            var terms = new List<string>();
            for (int j = 0; j < x.Rank; j++)
            {
                if (j < p.Axis) terms.Add($"d{j} * {xs[j]}");
                else if (j == p.Axis) terms.Add($"at * {xs[j]}");
                else terms.Add($"d{j - 1 + idx.Rank} * {xs[j]}");
            }
            f.Line($"{o} = {f.Buf(k.Inputs[0])}[{string.Join(" + ", terms)}];");
        });
    }

    private void DynamicSlice(PrimitiveKernel k)
    {
        var x = k.InputTypes[0].Shape;
        var sizes = k.OutputTypes[0].Shape;
        var xs = Strides(x);
        Gather(k, "dynamic_slice", (f, o) =>
        {
            var terms = new List<string>();
            for (int j = 0; j < x.Rank; j++)
            {
                f.Line($"int s{j} = clamp({f.Buf(k.Inputs[1 + j])}[0], 0, {x[j] - sizes[j]});");
                terms.Add($"(s{j} + d{j}) * {xs[j]}");
            }
            f.Line($"{o} = {f.Buf(k.Inputs[0])}[{string.Join(" + ", terms.DefaultIfEmpty("0"))}];");
        });
    }

    private void DynamicUpdateSlice(PrimitiveKernel k)
    {
        var x = k.InputTypes[0].Shape;
        var u = k.InputTypes[1].Shape;
        var us = Strides(u);
        Gather(k, "dynamic_update_slice", (f, o) =>
        {
            var inside = new List<string>();
            var terms = new List<string>();
            for (int j = 0; j < x.Rank; j++)
            {
                f.Line($"int s{j} = clamp({f.Buf(k.Inputs[2 + j])}[0], 0, {x[j] - u[j]});");
                inside.Add($"d{j} >= s{j} && d{j} < s{j} + {u[j]}");
                terms.Add($"(d{j} - s{j}) * {us[j]}");
            }
            string cond = string.Join(" && ", inside.DefaultIfEmpty("1"));
            f.Line($"{o} = ({cond}) ? {f.Buf(k.Inputs[1])}[{string.Join(" + ", terms.DefaultIfEmpty("0"))}] : {f.Buf(k.Inputs[0])}[gid];");
        });
    }

    private void Pad(PrimitiveKernel k, PadParams p)
    {
        var x = k.InputTypes[0].Shape;
        var xs = Strides(x);
        Gather(k, "pad", (f, o) =>
        {
            var inside = new List<string>();
            var terms = new List<string>();
            for (int j = 0; j < x.Rank; j++)
            {
                f.Line($"{_idx} e{j} = d{j} - {p.Low[j]};");
                inside.Add($"e{j} >= 0 && e{j} < {x[j]}");
                terms.Add($"e{j} * {xs[j]}");
            }
            string cond = string.Join(" && ", inside.DefaultIfEmpty("1"));
            f.Line($"{o} = ({cond}) ? {f.Buf(k.Inputs[0])}[{string.Join(" + ", terms.DefaultIfEmpty("0"))}] : {f.Buf(k.Inputs[1])}[0];");
        });
    }

    private void Concatenate(PrimitiveKernel k, ConcatenateParams p)
    {
        Gather(k, "concatenate", (f, o) =>
        {
            long at = 0;
            for (int i = 0; i < k.Inputs.Length; i++)
            {
                var s = k.InputTypes[i].Shape;
                if (s[p.Axis] == 0) continue;
                var st = Strides(s);
                var terms = Enumerable.Range(0, s.Rank).Select(j => j == p.Axis ? $"(d{j} - {at}) * {st[j]}" : $"d{j} * {st[j]}");
                f.Line($"if (d{p.Axis} >= {at} && d{p.Axis} < {at + s[p.Axis]}) {o} = {f.Buf(k.Inputs[i])}[{string.Join(" + ", terms)}];");
                at += s[p.Axis];
            }
        });
    }

    /// <summary>One work-item per line along <paramref name="axis"/> of <paramref name="shape"/>: declares <c>base</c> and <c>stride</c>.</summary>
    private Frame Lines(string kind, Shape shape, int axis, out long lines)
    {
        long inner = 1;
        for (int j = axis + 1; j < shape.Rank; j++) inner *= shape[j];
        lines = shape.ElementCount / Math.Max(1, shape[axis]);
        if (shape[axis] == 0) lines = 0;
        var f = NewFrame(kind);
        f.Line($"{_idx} gid = get_global_id(0);");
        f.Line($"if (gid >= {lines}) return;");
        f.Line($"{_idx} base = (gid / {inner}) * {inner * shape[axis]} + gid % {inner};");
        f.Line($"{_idx} stride = {inner};");
        return f;
    }

    private void Arg(PrimitiveKernel k, ArgParams p)
    {
        var shape = k.InputTypes[0].Shape;
        var t = k.InputTypes[0].DType;
        var f = Lines(k.Primitive.Name, shape, p.Axis, out long lines);
        if (lines == 0) return;
        bool isMax = k.Primitive.Name == "argmax";
        string x = f.Buf(k.Inputs[0]);
        bool isFloat = t is DType.F32 or DType.F64;
        f.Line("int best = 0;");
        f.Line($"{ClTypes.Of(t)} bestValue = {x}[base];");
        f.Line($"for (int i = 1; i < {shape[p.Axis]}{(isFloat ? " && !isnan(bestValue)" : "")}; i++) {{");
        f.Line($"{ClTypes.Of(t)} v = {x}[base + i * stride];", 2);
        f.Line($"if ({(isFloat ? "isnan(v) || " : "")}v {(isMax ? ">" : "<")} bestValue) {{ best = i; bestValue = v; }}", 2);
        f.Line("}");
        f.Line($"{f.Buf(k.Outputs[0])}[gid] = best;");
        Finish(f, RoundUp(lines, LocalSize), LocalSize);
    }

    private void Cumulative(PrimitiveKernel k, CumulativeParams p)
    {
        var shape = k.InputTypes[0].Shape;
        var t = k.InputTypes[0].DType;
        var f = Lines(k.Primitive.Name, shape, p.Axis, out long lines);
        if (lines == 0) return;
        var kind = k.Primitive.Name == "cumsum" ? ReduceKind.Sum : ReduceKind.Max;
        int n = shape[p.Axis];
        string x = f.Buf(k.Inputs[0]), r = f.Buf(k.Outputs[0]);
        f.Line($"{ClTypes.Of(t)} acc = {Identity(kind, t)};");
        f.Line($"for (int step = 0; step < {n}; step++) {{");
        f.Line($"{_idx} at = base + {(p.Reverse ? $"({n - 1} - step)" : "step")} * stride;", 2);
        f.Line($"acc = {Combine(kind, t, "acc", $"{x}[at]")};", 2);
        f.Line($"{r}[at] = acc;", 2);
        f.Line("}");
        Finish(f, RoundUp(lines, LocalSize), LocalSize);
    }
}

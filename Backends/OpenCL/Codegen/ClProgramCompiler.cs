using System.Collections.Immutable;
using System.Text;
using ArrayLang.Backends.OpenCL.Runtime;
using ArrayLang.Compile.Lowering;
using ArrayLang.Compile.Lowering.Analysis;
using ArrayLang.Ir;

namespace ArrayLang.Backends.OpenCL.Codegen;

/// <summary>One step of a compiled program, run in order.</summary>
internal abstract record ClStep;

/// <summary>
/// A kernel launch: the kernel's name in the program, the buffers it binds in argument order (a
/// buffer id, bound as a memory object and an element offset, or <see cref="ClCompiledProgram.Arena"/>
/// for the intermediates' arena) and the range.
/// </summary>
internal sealed record ClLaunch(string Kernel, ImmutableArray<int> Args, long Global, long Local) : ClStep;

/// <summary>A general scan, cond or while: Core's ControlFlowDriver runs its compiled sub-programs on the device buffers (Note [opencl host steps]).</summary>
internal sealed record ClControlFlowStep(PrimitiveKernel Kernel, ImmutableArray<ClCompiledProgram> SubPrograms) : ClStep;

/// <summary>A lowered program rendered as one OpenCL C program and the steps that run it.</summary>
internal sealed record ClCompiledProgram(LoweredProgram Lowered, string Source, ImmutableArray<ClStep> Steps)
{
    /// <summary>The argument value that stands for the arena of intermediates.</summary>
    public const int Arena = -1;
}

/// <summary>
/// Renders a <see cref="LoweredProgram"/> as OpenCL C 1.2: one kernel per elementwise, contraction,
/// scan and while kernel, and one per primitive kernel but general control flow (ClPrimitives, ClRandom); the
/// helpers they call come first. Every kernel reads and writes the program's buffers by id: inputs,
/// outputs and constants are kernel arguments, intermediates are pointers into the one arena
/// argument at the buffer plan's offsets.
/// </summary>
internal sealed partial class ClProgramCompiler
{
    private readonly LoweredProgram _p;
    private readonly ClDeviceInfo _device;
    private readonly ClSourceBuilder _src;
    private readonly List<ClStep> _steps = [];
    private readonly string _idx;
    private int _next;

    private ClProgramCompiler(LoweredProgram p, ClDeviceInfo device)
    {
        _p = p;
        _device = device;
        _src = new ClSourceBuilder(device.Name, device.HasFp64);
        long largest = p.Buffers.Select(b => b.Type.Shape.ElementCount).Append(p.Plan.ArenaBytes)
            .Concat(p.Kernels.OfType<ElementwiseKernel>().Select(k => k.Domain.ElementCount))
            .Concat(p.Kernels.OfType<ContractionKernel>().Select(k => k.Domain.ElementCount)).DefaultIfEmpty(0).Max();
        _idx = largest < int.MaxValue / 2 ? "int" : "long";
    }

    /// <summary>Compiles <paramref name="p"/> for <paramref name="device"/>.</summary>
    public static ClCompiledProgram Compile(LoweredProgram p, ClDeviceInfo device) => new ClProgramCompiler(p, device).Run();

    /// <summary>The work-group size of 1-D kernels: 256, or the device's limit when smaller.</summary>
    private long LocalSize => Math.Min(256, _device.MaxWorkGroupSize);

    private static long RoundUp(long n, long m) => (n + m - 1) / m * m;

    private ClCompiledProgram Run()
    {
        foreach (var k in _p.Kernels)
        {
            switch (k)
            {
                case ElementwiseKernel e: Elementwise(e); break;
                case ContractionKernel c: Contraction(c); break;
                case ScanKernel s: Scan(s); break;
                case WhileKernel w: While(w); break;
                case PrimitiveKernel pk: Primitive(pk); break;
                default: throw new NotSupportedException($"OpenCL backend: cannot run a {k.KindName} kernel");
            }
        }
        return new ClCompiledProgram(_p, _src.Build(), _steps.ToImmutableArray());
    }

    // ---- kernel frame ----

    /// <summary>A kernel under construction: its name, the buffers it binds, and its body.</summary>
    private sealed class Frame(string name)
    {
        public readonly string Name = name;
        public readonly List<int> Buffers = [];
        public readonly StringBuilder Body = new();

        public string Buf(int id)
        {
            if (!Buffers.Contains(id)) Buffers.Add(id);
            return $"b{id}";
        }

        public void Line(string text, int indent = 1) => Body.Append(' ', indent * 2).Append(text).Append('\n');
    }

    private Frame NewFrame(string kind) => new($"k{_next++}_{kind}");

    /// <summary>Writes the kernel's text and returns its launch.</summary>
    private ClLaunch Finish(Frame f, long global, long local)
    {
        var args = new List<string>();
        var bind = new List<int>();
        var decls = new StringBuilder();
        bool arena = false;
        foreach (var id in f.Buffers)
        {
            var b = _p.Buffers[id];
            var t = ClTypes.Of(b.Type.DType);
            if (b.Type.DType == DType.F64) _src.NeedsFp64($"buffer b{id} ({b.Type})");
            if (b.Kind == BufferKind.Intermediate)
            {
                arena = true;
                decls.Append($"  __global {t}* b{id} = (__global {t}*)(arena + {_p.Plan.Offsets[id]});\n");
            }
            else
            {
                // A base pointer and an element offset: control flow binds rows of larger buffers.
                args.Add($"__global {t}* b{id}_p, ulong b{id}_o");
                decls.Append($"  __global {t}* b{id} = b{id}_p + b{id}_o;\n");
                bind.Add(id);
            }
        }
        if (arena)
        {
            args.Add("__global uchar* arena");
            bind.Add(ClCompiledProgram.Arena);
        }
        _src.AddKernel($"__kernel void {f.Name}({string.Join(", ", args)}) {{\n{decls}{f.Body}}}\n");
        var launch = new ClLaunch(f.Name, bind.ToImmutableArray(), global, local);
        _steps.Add(launch);
        return launch;
    }

    // ---- shared pieces ----

    /// <summary>Declares <c>{prefix}{d}</c> for each dimension of <paramref name="shape"/> from the linear index <paramref name="linear"/>.</summary>
    private void Digits(Frame f, Shape shape, string linear, string prefix, int indent = 1)
    {
        if (shape.Rank == 0) return;
        if (shape.Rank == 1)
        {
            f.Line($"{_idx} {prefix}0 = {linear};", indent);
            return;
        }
        f.Line($"{_idx} {prefix}r = {linear};", indent);
        for (int d = shape.Rank - 1; d >= 1; d--)
        {
            f.Line($"{_idx} {prefix}{d} = {prefix}r % {shape[d]}; {prefix}r /= {shape[d]};", indent);
        }
        f.Line($"{_idx} {prefix}0 = {prefix}r;", indent);
    }

    /// <summary>The element offset <c>Offset + sum_d digit_d * stride_d</c> of a map over <paramref name="shape"/>.</summary>
    private static string OffsetOf(IndexMap map, Shape shape, Func<int, string> digit, int firstDim = 0)
    {
        var terms = new List<string>();
        if (map.Offset != 0) terms.Add(map.Offset.ToString());
        for (int d = firstDim; d < map.Rank; d++)
        {
            if (shape[d] == 1 || map.Strides[d] == 0) continue;
            terms.Add(map.Strides[d] == 1 ? digit(d) : $"{digit(d)} * {map.Strides[d]}");
        }
        return terms.Count == 0 ? "0" : string.Join(" + ", terms);
    }

    /// <summary>Declares <c>v{j}</c> for each instruction; <paramref name="operand"/> spells inputs and the product.</summary>
    /// <remarks>
    /// With <see cref="LoweringOptions.ContractFloat"/>, each add that <see cref="FloatContraction"/>
    /// pairs with a multiply becomes one fma (Note [float contraction]); otherwise none does
    /// (Note [opencl exactness]).
    /// </remarks>
    private void Instructions(Frame f, IReadOnlyList<ScalarInstruction> instructions, Func<OperandRef, string> operand,
        string prefix, int indent, IEnumerable<OperandRef> results)
    {
        var pairs = FloatContraction.PairsIfAllowed(_p.Options, instructions, results);
        for (int j = 0; j < instructions.Count; j++)
        {
            var ins = instructions[j];
            var args = ins.Operands.Select(o => Operand(o, operand, prefix)).ToArray();
            string expr;
            if (pairs.TryGetValue(j, out int m))
            {
                var mul = instructions[m];
                var other = ins.Operands[0].Kind == OperandKind.Value && ins.Operands[0].Index == m ? args[1] : args[0];
                expr = $"fma({Operand(mul.Operands[0], operand, prefix)}, {Operand(mul.Operands[1], operand, prefix)}, {other})";
            }
            else expr = ClOps.Expression(ins, args, _src);
            f.Line($"{ClTypes.Of(ins.DType)} {prefix}{j} = {expr};", indent);
        }
    }

    private static string Operand(OperandRef o, Func<OperandRef, string> operand, string prefix = "v") => o.Kind switch
    {
        OperandKind.Value => $"{prefix}{o.Index}",
        OperandKind.Literal => ClTypes.Literal(o.Literal!),
        _ => operand(o),
    };
}

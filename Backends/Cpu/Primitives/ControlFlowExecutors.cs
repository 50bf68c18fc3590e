using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Backends.Cpu.Tiles;
using ArrayLang.Compile.Runtime;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.Cpu.Primitives;

/// <summary>The CPU's side of <see cref="ControlFlowDriver"/>: buffers are views of managed arrays, rows are views in place.</summary>
internal sealed class CpuControlFlowHost : IControlFlowHost<BufferRef, CpuProgram>
{
    public static readonly CpuControlFlowHost Instance = new();

    public BufferRef Allocate(AVal type) => BufferRef.Of(BufferRef.Allocate(type));

    public void Free(BufferRef buffer) { }

    public void Copy(BufferRef source, BufferRef destination, AVal type)
    {
        int size = type.DType.SizeInBytes();
        source.Bytes(0, type.Shape.Size, size).CopyTo(destination.Bytes(0, type.Shape.Size, size));
    }

    public BufferRef Row(BufferRef stacked, AVal stackedType, int t)
    {
        int rows = stackedType.Shape[0];
        int elements = rows == 0 ? 0 : stackedType.Shape.Size / rows;
        return stacked.Slice((long)t * elements, elements, stackedType.DType.SizeInBytes());
    }

    public int ReadScalar(BufferRef scalar, DType dtype) => dtype == DType.Bool ? scalar.At<byte>(0) : scalar.At<int>(0);

    public void Run(CpuProgram program, BufferRef[] inputs, BufferRef[] outputs) => program.Execute(inputs, outputs);
}

internal static partial class PrimitiveExecutors
{
    /// <summary>A general <c>scan</c>: the body's sub-program runs once per step (<see cref="ControlFlowDriver.Scan"/>).</summary>
    private static KernelExecutor Scan(PrimitiveSite s)
    {
        var p = (ScanParams)s.Kernel.Params;
        var body = s.CompileSub(s.Kernel.SubPrograms[0]);
        var (ins, outs) = (s.Kernel.Inputs, s.Kernel.Outputs);
        return new DelegateExecutor(bs => ControlFlowDriver.Scan(CpuControlFlowHost.Instance, p, body,
            ins.Select(i => bs[i]).ToArray(), s.Kernel.InputTypes, outs.Select(o => bs[o]).ToArray(), s.Kernel.OutputTypes));
    }

    /// <summary><c>cond</c>: the index selects the branch sub-program to run (<see cref="ControlFlowDriver.Cond"/>).</summary>
    private static KernelExecutor Cond(PrimitiveSite s)
    {
        var branches = s.Kernel.SubPrograms.Select(s.CompileSub).ToArray();
        var (ins, outs) = (s.Kernel.Inputs, s.Kernel.Outputs);
        return new DelegateExecutor(bs => ControlFlowDriver.Cond(CpuControlFlowHost.Instance, branches,
            ins.Select(i => bs[i]).ToArray(), s.Kernel.InputTypes, outs.Select(o => bs[o]).ToArray()));
    }

    /// <summary><c>while</c>: the body sub-program runs while the cond sub-program gives true (<see cref="ControlFlowDriver.While"/>).</summary>
    private static KernelExecutor While(PrimitiveSite s)
    {
        var p = (WhileParams)s.Kernel.Params;
        var condFn = s.CompileSub(s.Kernel.SubPrograms[0]);
        var body = s.CompileSub(s.Kernel.SubPrograms[1]);
        var (ins, outs) = (s.Kernel.Inputs, s.Kernel.Outputs);
        return new DelegateExecutor(bs => ControlFlowDriver.While(CpuControlFlowHost.Instance, p, condFn, body,
            ins.Select(i => bs[i]).ToArray(), s.Kernel.InputTypes, outs.Select(o => bs[o]).ToArray()));
    }
}

using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Backends.Cpu.Tiles;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.Cpu.Primitives;

internal static partial class PrimitiveExecutors
{
    /// <summary>Two sets of carry buffers, swapped after each step (a step reads one and writes the other).</summary>
    private sealed class CarryPair
    {
        public BufferRef[] Current;
        public BufferRef[] Next;

        public CarryPair(IReadOnlyList<AVal> types)
        {
            Current = types.Select(t => BufferRef.Of(BufferRef.Allocate(t))).ToArray();
            Next = types.Select(t => BufferRef.Of(BufferRef.Allocate(t))).ToArray();
        }

        public void Swap() => (Current, Next) = (Next, Current);
    }

    private static void CopyInto(BufferRef src, BufferRef dst, AVal t)
    {
        int size = t.DType.SizeInBytes();
        src.Bytes(0, t.Shape.Size, size).CopyTo(dst.Bytes(0, t.Shape.Size, size));
    }

    /// <summary>A general <c>scan</c>: the body's sub-program runs once per step, reading a row of each xs and writing a row of each ys in place.</summary>
    private static KernelExecutor Scan(PrimitiveSite s)
    {
        var p = (ScanParams)s.Kernel.Params;
        var body = s.CompileSub(s.Kernel.SubPrograms[0]);
        int c = p.Consts, k = p.Carries;
        var ins = s.Kernel.Inputs;
        var outs = s.Kernel.Outputs;
        var carryTypes = Enumerable.Range(0, k).Select(j => s.In(c + j)).ToList();
        var xsRows = Enumerable.Range(c + k, ins.Length - c - k)
            .Select(i => (Elements: s.In(i).Shape.Size / Math.Max(1, p.Length), Size: s.In(i).DType.SizeInBytes())).ToArray();
        var ysRows = Enumerable.Range(k, outs.Length - k)
            .Select(j => (Elements: s.Out(j).Shape.Size / Math.Max(1, p.Length), Size: s.Out(j).DType.SizeInBytes())).ToArray();
        return new DelegateExecutor(bs =>
        {
            var carries = new CarryPair(carryTypes);
            for (int j = 0; j < k; j++) CopyInto(bs[ins[c + j]], carries.Current[j], carryTypes[j]);
            var stepIn = new BufferRef[ins.Length];
            var stepOut = new BufferRef[outs.Length];
            for (int i = 0; i < c; i++) stepIn[i] = bs[ins[i]];
            for (int step = 0; step < p.Length; step++)
            {
                int t = p.Reverse ? p.Length - 1 - step : step;
                for (int j = 0; j < k; j++) { stepIn[c + j] = carries.Current[j]; stepOut[j] = carries.Next[j]; }
                for (int i = 0; i < xsRows.Length; i++)
                    stepIn[c + k + i] = bs[ins[c + k + i]].Slice((long)t * xsRows[i].Elements, xsRows[i].Elements, xsRows[i].Size);
                for (int j = 0; j < ysRows.Length; j++)
                    stepOut[k + j] = bs[outs[k + j]].Slice((long)t * ysRows[j].Elements, ysRows[j].Elements, ysRows[j].Size);
                body.Execute(stepIn, stepOut);
                carries.Swap();
            }
            for (int j = 0; j < k; j++) CopyInto(carries.Current[j], bs[outs[j]], carryTypes[j]);
        });
    }

    /// <summary><c>cond</c>: the index (clamped; a bool picks branch 1 when true) selects the branch sub-program to run.</summary>
    private static KernelExecutor Cond(PrimitiveSite s)
    {
        var branches = s.Kernel.SubPrograms.Select(s.CompileSub).ToArray();
        var ins = s.Kernel.Inputs;
        var outs = s.Kernel.Outputs;
        bool isBool = s.In(0).DType == DType.Bool;
        return new DelegateExecutor(bs =>
        {
            int b = isBool ? (bs[ins[0]].At<byte>(0) != 0 ? 1 : 0) : Math.Clamp(bs[ins[0]].At<int>(0), 0, branches.Length - 1);
            branches[b].Execute(ins.Skip(1).Select(i => bs[i]).ToArray(), outs.Select(o => bs[o]).ToArray());
        });
    }

    /// <summary><c>while</c>: runs the body sub-program while the cond sub-program gives true.</summary>
    private static KernelExecutor While(PrimitiveSite s)
    {
        int c = ((WhileParams)s.Kernel.Params).Consts;
        var condFn = s.CompileSub(s.Kernel.SubPrograms[0]);
        var body = s.CompileSub(s.Kernel.SubPrograms[1]);
        var ins = s.Kernel.Inputs;
        var outs = s.Kernel.Outputs;
        var carryTypes = Enumerable.Range(c, ins.Length - c).Select(s.In).ToList();
        return new DelegateExecutor(bs =>
        {
            var carries = new CarryPair(carryTypes);
            for (int j = 0; j < carryTypes.Count; j++) CopyInto(bs[ins[c + j]], carries.Current[j], carryTypes[j]);
            var pred = BufferRef.Of(new bool[1]);
            var stepIn = new BufferRef[ins.Length];
            for (int i = 0; i < c; i++) stepIn[i] = bs[ins[i]];
            while (true)
            {
                for (int j = 0; j < carryTypes.Count; j++) stepIn[c + j] = carries.Current[j];
                condFn.Execute(stepIn, [pred]);
                if (pred.At<byte>(0) == 0) break;
                body.Execute(stepIn, carries.Next);
                carries.Swap();
            }
            for (int j = 0; j < carryTypes.Count; j++) CopyInto(carries.Current[j], bs[outs[j]], carryTypes[j]);
        });
    }
}

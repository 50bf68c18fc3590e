using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Compile.Runtime;

/// <summary>
/// What a backend provides so that <see cref="ControlFlowDriver"/> can run general <c>scan</c>,
/// <c>cond</c> and <c>while</c> kernels (those whose bodies are not elementwise per lane, lowered as
/// <see cref="Lowering.PrimitiveKernel"/>s with sub-programs) on its buffers.
/// </summary>
/// <typeparam name="TBuffer">The backend's handle to a dense row-major buffer (or a view of part of one).</typeparam>
/// <typeparam name="TProgram">The backend's compiled sub-program.</typeparam>
public interface IControlFlowHost<TBuffer, TProgram>
{
    /// <summary>A new buffer for a value of <paramref name="type"/> (its contents undefined).</summary>
    TBuffer Allocate(AVal type);

    /// <summary>Releases a buffer made by <see cref="Allocate"/>.</summary>
    void Free(TBuffer buffer);

    /// <summary>Copies a whole value of <paramref name="type"/> from <paramref name="source"/> to <paramref name="destination"/>.</summary>
    void Copy(TBuffer source, TBuffer destination, AVal type);

    /// <summary>Row <paramref name="t"/> along the leading axis of a buffer of <paramref name="stackedType"/>, readable and writable in place.</summary>
    TBuffer Row(TBuffer stacked, AVal stackedType, int t);

    /// <summary>The value of a scalar: a <c>bool[]</c> as 0 or 1, an <c>i32[]</c> as it is (waits for pending work).</summary>
    int ReadScalar(TBuffer scalar, DType dtype);

    /// <summary>Runs a compiled sub-program: its inputs in parameter order, its outputs in result order (written completely).</summary>
    void Run(TProgram program, TBuffer[] inputs, TBuffer[] outputs);
}

/// <summary>
/// The host side of general control flow, written once for every backend: a scan runs its body
/// sub-program once per step on row views of its xs and ys, with two sets of carry buffers
/// swapped after each step; a cond reads its index and runs one branch; a while alternates its
/// predicate and body sub-programs. Lane-parallel scans and whiles never come here: they are
/// <see cref="Lowering.ScanKernel"/>s and <see cref="Lowering.WhileKernel"/>s with the loop inside.
/// </summary>
public static class ControlFlowDriver
{
    /// <summary>
    /// Runs <c>scan</c>: <paramref name="inputs"/> are consts, initial carries and xs;
    /// <paramref name="outputs"/> are final carries and stacked ys.
    /// </summary>
    public static void Scan<TBuffer, TProgram>(IControlFlowHost<TBuffer, TProgram> host, ScanParams p, TProgram body,
        IReadOnlyList<TBuffer> inputs, IReadOnlyList<AVal> inputTypes, IReadOnlyList<TBuffer> outputs, IReadOnlyList<AVal> outputTypes)
    {
        int c = p.Consts, k = p.Carries;
        var carryTypes = inputTypes.Skip(c).Take(k).ToArray();
        var (current, next) = (AllocateAll(host, carryTypes), AllocateAll(host, carryTypes));
        try
        {
            for (int j = 0; j < k; j++) host.Copy(inputs[c + j], current[j], carryTypes[j]);
            var stepIn = new TBuffer[inputs.Count];
            var stepOut = new TBuffer[outputs.Count];
            for (int i = 0; i < c; i++) stepIn[i] = inputs[i];
            for (int step = 0; step < p.Length; step++)
            {
                int t = p.Reverse ? p.Length - 1 - step : step;
                for (int j = 0; j < k; j++) { stepIn[c + j] = current[j]; stepOut[j] = next[j]; }
                for (int i = c + k; i < inputs.Count; i++) stepIn[i] = host.Row(inputs[i], inputTypes[i], t);
                for (int j = k; j < outputs.Count; j++) stepOut[j] = host.Row(outputs[j], outputTypes[j], t);
                host.Run(body, stepIn, stepOut);
                (current, next) = (next, current);
            }
            for (int j = 0; j < k; j++) host.Copy(current[j], outputs[j], carryTypes[j]);
        }
        finally
        {
            FreeAll(host, current);
            FreeAll(host, next);
        }
    }

    /// <summary>Runs <c>cond</c>: <paramref name="inputs"/> are the index (clamped; a bool picks branch 1 when true) then the operands.</summary>
    public static void Cond<TBuffer, TProgram>(IControlFlowHost<TBuffer, TProgram> host, IReadOnlyList<TProgram> branches,
        IReadOnlyList<TBuffer> inputs, IReadOnlyList<AVal> inputTypes, IReadOnlyList<TBuffer> outputs)
    {
        int index = host.ReadScalar(inputs[0], inputTypes[0].DType);
        int b = inputTypes[0].DType == DType.Bool ? (index != 0 ? 1 : 0) : Math.Clamp(index, 0, branches.Count - 1);
        host.Run(branches[b], inputs.Skip(1).ToArray(), outputs.ToArray());
    }

    /// <summary>Runs <c>while</c>: <paramref name="inputs"/> are consts then initial carries; <paramref name="outputs"/> the final carries.</summary>
    public static void While<TBuffer, TProgram>(IControlFlowHost<TBuffer, TProgram> host, WhileParams p, TProgram condFn, TProgram body,
        IReadOnlyList<TBuffer> inputs, IReadOnlyList<AVal> inputTypes, IReadOnlyList<TBuffer> outputs)
    {
        int c = p.Consts;
        var carryTypes = inputTypes.Skip(c).ToArray();
        var (current, next) = (AllocateAll(host, carryTypes), AllocateAll(host, carryTypes));
        var predType = new AVal(DType.Bool, Shape.Scalar);
        var pred = host.Allocate(predType);
        try
        {
            for (int j = 0; j < carryTypes.Length; j++) host.Copy(inputs[c + j], current[j], carryTypes[j]);
            var stepIn = new TBuffer[inputs.Count];
            for (int i = 0; i < c; i++) stepIn[i] = inputs[i];
            while (true)
            {
                for (int j = 0; j < carryTypes.Length; j++) stepIn[c + j] = current[j];
                host.Run(condFn, stepIn, [pred]);
                if (host.ReadScalar(pred, DType.Bool) == 0) break;
                host.Run(body, stepIn, next);
                (current, next) = (next, current);
            }
            for (int j = 0; j < carryTypes.Length; j++) host.Copy(current[j], outputs[j], carryTypes[j]);
        }
        finally
        {
            host.Free(pred);
            FreeAll(host, current);
            FreeAll(host, next);
        }
    }

    private static TBuffer[] AllocateAll<TBuffer, TProgram>(IControlFlowHost<TBuffer, TProgram> host, AVal[] types) =>
        types.Select(host.Allocate).ToArray();

    private static void FreeAll<TBuffer, TProgram>(IControlFlowHost<TBuffer, TProgram> host, TBuffer[] buffers)
    {
        foreach (var b in buffers) host.Free(b);
    }
}

using System.Reflection.Emit;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;

namespace ArrayLang.Backends.Cuda.Emit;

internal static partial class KernelEmitter
{
    /// <summary>
    /// A lane-parallel scan: one thread per lane, the time loop inside, consts and carries in
    /// locals (Note [cuda kernels], Note [scan lanes]).
    /// </summary>
    public static EmittedKernel Scan(ScanKernel s, IReadOnlyList<BufferInfo> buffers)
    {
        var k = new KernelIl("Scan", Params(s.Reads.Concat(s.Writes), buffers));
        var il = k.Il;
        int consts = s.Params.Consts, carries = s.Params.Carries, firstX = consts + carries;
        long lanes = s.LaneShape.ElementCount;
        var lane = k.IntLocal();
        k.LoadThreadIndex();
        il.Emit(OpCodes.Stloc, lane);
        var laneCoords = k.Coordinates(lane, s.LaneShape.ToArray());
        var state = LoadLaneOperands(k, s.Operands, buffers, laneCoords, firstX);

        // xs: per step, at laneBase + t * timeStride.
        var xsBase = new LocalBuilder?[s.Operands.Length];
        for (int i = firstX; i < s.Operands.Length; i++)
        {
            var o = s.Operands[i];
            xsBase[i] = o.Uniform ? k.Offset(o.Map.Offset, [], []) : k.Offset(o.Map.Offset, laneCoords, o.Map.Strides.Skip(1).ToArray());
        }
        var step = k.IntLocal();
        var t = k.IntLocal();
        var head = il.DefineLabel();
        var exit = il.DefineLabel();
        k.Int(0);
        il.Emit(OpCodes.Stloc, step);
        il.MarkLabel(head);
        il.Emit(OpCodes.Ldloc, step);
        k.Int(s.Params.Length);
        il.Emit(OpCodes.Bge, exit);
        if (s.Params.Reverse)
        {
            k.Int(s.Params.Length - 1);
            il.Emit(OpCodes.Ldloc, step);
            il.Emit(OpCodes.Sub);
        }
        else il.Emit(OpCodes.Ldloc, step);
        il.Emit(OpCodes.Stloc, t);
        for (int i = firstX; i < s.Operands.Length; i++)
        {
            var o = s.Operands[i];
            var d = buffers[o.Buffer].Type.DType;
            var at = k.IntLocal();
            il.Emit(OpCodes.Ldloc, xsBase[i]!);
            il.Emit(OpCodes.Stloc, at);
            k.AddScaled(at, t, o.Map.Rank == 0 ? 0 : o.Map.Strides[0]);
            state[i] = k.Local(d);
            k.LoadElement(o.Buffer, d, at);
            il.Emit(OpCodes.Stloc, state[i]!);
        }
        var values = ScalarCode.EmitAll(k, s.Instructions, state, null);
        // ys[t, lane] (or ys[t] for a uniform one), through the result's index map: lowering may
        // write the stacked ys straight into a transposed result (Note [scan results through views]).
        for (int j = carries; j < s.BodyResults.Length; j++)
        {
            var r = s.Results[j];
            var d = buffers[r.Buffer].Type.DType;
            var at = r.Uniform ? k.Offset(r.Map.Offset, [], []) : k.Offset(r.Map.Offset, laneCoords, r.Map.Strides.Skip(1).ToArray());
            k.AddScaled(at, t, r.Map.Rank == 0 ? 0 : r.Map.Strides[0]);
            Store(k, r.Buffer, d, at, s.BodyResults[j], state, values, null);
        }
        UpdateCarries(k, s.BodyResults.Take(carries).ToArray(), state, values, consts, buffers, s.Operands);
        il.Emit(OpCodes.Ldloc, step);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, step);
        il.Emit(OpCodes.Br, head);
        il.MarkLabel(exit);
        StoreCarries(k, s.Results.Take(carries).ToArray(), state, consts, laneCoords, buffers);
        return Done(k, lanes, s);
    }

    /// <summary>
    /// A lane-parallel while: one thread per lane, looping while its own predicate holds
    /// (Note [lane-parallel while]): a lane stops as soon as it is done.
    /// </summary>
    public static EmittedKernel While(WhileKernel w, IReadOnlyList<BufferInfo> buffers)
    {
        var k = new KernelIl("While", Params(w.Reads.Concat(w.Writes), buffers));
        var il = k.Il;
        long lanes = w.LaneShape.ElementCount;
        var lane = k.IntLocal();
        k.LoadThreadIndex();
        il.Emit(OpCodes.Stloc, lane);
        var laneCoords = k.Coordinates(lane, w.LaneShape.ToArray());
        var state = LoadLaneOperands(k, w.Operands, buffers, laneCoords, w.Operands.Length);
        var head = il.DefineLabel();
        var exit = il.DefineLabel();
        il.MarkLabel(head);
        var condValues = ScalarCode.EmitAll(k, w.CondInstructions, state, null);
        ScalarCode.Load(k, w.Active, state, condValues, null);
        il.Emit(OpCodes.Brfalse, exit);
        var values = ScalarCode.EmitAll(k, w.BodyInstructions, state, null);
        UpdateCarries(k, w.BodyResults.ToArray(), state, values, w.Consts, buffers, w.Operands);
        il.Emit(OpCodes.Br, head);
        il.MarkLabel(exit);
        StoreCarries(k, w.Results.ToArray(), state, w.Consts, laneCoords, buffers);
        return Done(k, lanes, w);
    }

    /// <summary>Loads operands [0, <paramref name="count"/>) for this lane into new locals.</summary>
    private static LocalBuilder?[] LoadLaneOperands(KernelIl k, IReadOnlyList<ScanOperand> operands, IReadOnlyList<BufferInfo> buffers,
        LocalBuilder[] laneCoords, int count)
    {
        var state = new LocalBuilder?[operands.Count];
        for (int i = 0; i < count; i++)
        {
            var o = operands[i];
            var d = buffers[o.Buffer].Type.DType;
            var at = o.Uniform ? k.Offset(o.Map.Offset, [], []) : k.Offset(o.Map.Offset, laneCoords, o.Map.Strides);
            state[i] = k.Local(d);
            k.LoadElement(o.Buffer, d, at);
            k.Il.Emit(OpCodes.Stloc, state[i]!);
        }
        return state;
    }

    /// <summary>Sets every carry to its new value, all read before any is written.</summary>
    private static void UpdateCarries(KernelIl k, OperandRef[] next, LocalBuilder?[] state, LocalBuilder[] values, int consts,
        IReadOnlyList<BufferInfo> buffers, IReadOnlyList<ScanOperand> operands)
    {
        var temps = new LocalBuilder[next.Length];
        for (int j = 0; j < next.Length; j++)
        {
            temps[j] = k.Local(buffers[operands[consts + j].Buffer].Type.DType);
            ScalarCode.Load(k, next[j], state, values, null);
            k.Il.Emit(OpCodes.Stloc, temps[j]);
        }
        for (int j = 0; j < next.Length; j++)
        {
            k.Il.Emit(OpCodes.Ldloc, temps[j]);
            k.Il.Emit(OpCodes.Stloc, state[consts + j]!);
        }
    }

    /// <summary>Writes the final carries at the lane's place through each result's index map (its offset for a uniform one).</summary>
    private static void StoreCarries(KernelIl k, ScanOperand[] results, LocalBuilder?[] state, int consts, IReadOnlyList<LocalBuilder> laneCoords,
        IReadOnlyList<BufferInfo> buffers)
    {
        for (int j = 0; j < results.Length; j++)
        {
            var r = results[j];
            var at = r.Uniform ? k.Offset(r.Map.Offset, [], []) : k.Offset(r.Map.Offset, laneCoords, r.Map.Strides);
            k.StoreElement(r.Buffer, buffers[r.Buffer].Type.DType, at, state[consts + j]!);
        }
    }
}

using System.Reflection;
using System.Reflection.Emit;
using ArrayLang.Backends.Cuda.Device;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.Cuda.Emit;

/// <summary>
/// An emitted kernel: its method, the buffers it takes in parameter order, how many threads it
/// runs, and for an explicitly grouped kernel (shared memory, barriers) the threads per group
/// (0: ILGPU groups the threads).
/// </summary>
internal sealed record EmittedKernel(MethodInfo Method, IReadOnlyList<int> Buffers, long Threads, string Text, int GroupSize = 0);

/// <summary>
/// Emits one kernel method per fused kernel of a lowered program (Note [cuda kernels]).
/// </summary>
/// <remarks>
/// Note [cuda kernels]: an elementwise kernel runs one thread per kept element (per domain element
/// when nothing is reduced), looping over the reduced axes in row-major order, or a group of
/// threads per kept element when the reduction is long (Note [block reductions]); float sums
/// accumulate in a compensated double sum and round once, so they land within an ulp of the
/// reference's exactly rounded sum whatever the order. A contraction is a tiled matrix product in
/// shared memory with the epilogue on each element in registers (Note [tiled contraction]); scan
/// and while kernels run one thread per lane with the time loop (or the per-lane while loop)
/// inside, the carries in registers. Shapes, strides and offsets are constants in the IL, so the
/// kernel text (which holds them) is the cache key.
///
/// Note [block reductions]: a kernel that reduces at least 256 elements per kept element
/// (<see cref="ReductionPartials"/>) gives each kept element a group of threads (256 on a GPU,
/// 16 on ILGPU's CPU accelerator). The order of combination is fixed by the sizes alone, never by
/// the launch: partial q of 256 combines terms q, q + 256, q + 512, ... in that order (the group's
/// thread q mod G computes it), the 256 partials then combine pairwise in shared memory, q with
/// q + 128, then q with q + 64, ... down to one, with a group barrier between the levels. So a
/// result is the same bits on any device and group size. Float sums keep their compensated double
/// partials (merged with their error terms), products, max and min a double each, i32 an int.
/// Shorter reductions, and kernels with more than four, loop in one thread as before.
/// </remarks>
internal static partial class KernelEmitter
{
    /// <summary>The distinct buffers of a kernel in order of first appearance, with their dtypes.</summary>
    private static List<(int, DType)> Params(IEnumerable<int> ids, IReadOnlyList<BufferInfo> buffers)
    {
        var list = new List<(int, DType)>();
        foreach (var id in ids)
            if (!list.Exists(p => p.Item1 == id)) list.Add((id, buffers[id].Type.DType));
        return list;
    }

    private static EmittedKernel Done(KernelIl k, long threads, Kernel kernel) =>
        new(k.Finish(), k.Buffers.Select(b => b.Buffer).ToArray(), threads, kernel.ToString()!);

    /// <summary>Partial results of a block reduction (Note [block reductions]).</summary>
    public const int ReductionPartials = 256;

    /// <summary>
    /// An elementwise kernel and the reductions it feeds: one thread per kept element looping over
    /// the reduced elements, or, when it reduces at least <see cref="ReductionPartials"/> elements
    /// and <paramref name="blockThreads"/> is not 0, one group of that many threads per kept
    /// element (Note [block reductions]).
    /// </summary>
    public static EmittedKernel Elementwise(ElementwiseKernel e, IReadOnlyList<BufferInfo> buffers, int blockThreads)
    {
        var reduced = e.ReduceAxes.ToHashSet();
        var keptAxes = Enumerable.Range(0, e.Domain.Rank).Where(a => !reduced.Contains(a)).ToArray();
        var reduceAxes = e.ReduceAxes.ToArray();
        long keptCount = keptAxes.Aggregate(1L, (p, a) => p * e.Domain[a]);
        long reducedCount = reduceAxes.Aggregate(1L, (p, a) => p * e.Domain[a]);
        bool block = blockThreads > 0 && reducedCount >= ReductionPartials && e.Reductions.Length is > 0 and <= 4;
        var k = new KernelIl("Elementwise", Params(e.Inputs.Select(i => i.Buffer).Concat(e.Writes), buffers), grouped: block);
        var il = k.Il;
        var domainStrides = IndexMap.RowMajor(e.Domain).Strides;
        DType InDType(int i) => buffers[e.Inputs[i].Buffer].Type.DType;

        // t: the kept element (the thread's, or its group's).
        var t = k.IntLocal();
        if (block) k.LoadGroupIndex(); else k.LoadThreadIndex();
        il.Emit(OpCodes.Stloc, t);
        var kept = k.Coordinates(t, keptAxes.Select(a => e.Domain[a]).ToArray());
        var bases = e.Inputs.Select(i => k.Offset(i.Map.Offset, kept, keptAxes.Select(a => i.Map.Strides[a]).ToArray())).ToArray();
        var fullBase = reduceAxes.Length == 0 ? t : k.Offset(0, kept, keptAxes.Select(a => domainStrides[a]).ToArray());
        var reductions = e.Reductions.Select(r => (r.Kind, buffers[r.Buffer].Type.DType)).ToArray();

        if (!block)
        {
            var accs = reductions.Select(r => Accumulator.Start(k, r.Kind, r.DType)).ToArray();
            if (reduceAxes.Length == 0) Term(null, accs);
            else
            {
                var r = k.IntLocal();
                k.Int(0);
                il.Emit(OpCodes.Stloc, r);
                Loop(k, r, reducedCount, 1, () => Term(r, accs));
            }
            for (int j = 0; j < accs.Length; j++)
                k.StoreElement(e.Reductions[j].Buffer, reductions[j].DType, t, accs[j].Finish(k));
            return Done(k, keptCount, e);
        }

        // Partial q (of ReductionPartials) combines terms q, q + P, q + 2P, ...; thread lt of the
        // group computes partials lt, lt + G, ...; then the partials are combined pairwise.
        var lt = k.IntLocal();
        k.LoadIndexInGroup();
        il.Emit(OpCodes.Stloc, lt);
        var partials = reductions.Select(r => k.SharedArray(Accumulator.StateType(r.Kind, r.DType), ReductionPartials)).ToArray();
        var q = k.IntLocal();
        il.Emit(OpCodes.Ldloc, lt);
        il.Emit(OpCodes.Stloc, q);
        Loop(k, q, ReductionPartials, blockThreads, () =>
        {
            var accs = reductions.Select(r => Accumulator.Start(k, r.Kind, r.DType)).ToArray();
            var r = k.IntLocal();
            il.Emit(OpCodes.Ldloc, q);
            il.Emit(OpCodes.Stloc, r);
            Loop(k, r, reducedCount, ReductionPartials, () => Term(r, accs));
            for (int j = 0; j < accs.Length; j++) accs[j].StoreState(k, partials[j], q);
        });
        k.GroupBarrier();
        for (int stride = ReductionPartials / 2; stride >= 1; stride /= 2)
        {
            il.Emit(OpCodes.Ldloc, lt);
            il.Emit(OpCodes.Stloc, q);
            int half = stride;
            Loop(k, q, half, blockThreads, () =>
            {
                for (int j = 0; j < reductions.Length; j++) Accumulator.CombineShared(k, reductions[j].Kind, reductions[j].DType, partials[j], q, half);
            });
            k.GroupBarrier();
        }
        var notFirst = il.DefineLabel();
        il.Emit(OpCodes.Ldloc, lt);
        il.Emit(OpCodes.Brtrue, notFirst);
        for (int j = 0; j < reductions.Length; j++)
        {
            var acc = Accumulator.FromShared(k, reductions[j].Kind, reductions[j].DType, partials[j]);
            k.StoreElement(e.Reductions[j].Buffer, reductions[j].DType, t, acc.Finish(k));
        }
        il.MarkLabel(notFirst);
        return new EmittedKernel(k.Finish(), k.Buffers.Select(b => b.Buffer).ToArray(), keptCount * blockThreads, e.ToString()!, blockThreads);

        // One element of the domain: the kept element's, at reduced index r (none when nothing is
        // reduced): its inputs, instructions, outputs and reduction terms.
        void Term(LocalBuilder? r, Accumulator[] accs)
        {
            var red = r is null ? [] : k.Coordinates(r, reduceAxes.Select(a => e.Domain[a]).ToArray());
            var inputs = new LocalBuilder?[e.Inputs.Length];
            for (int i = 0; i < e.Inputs.Length; i++)
            {
                var at = bases[i];
                if (r is not null)
                {
                    at = k.IntLocal();
                    il.Emit(OpCodes.Ldloc, bases[i]);
                    il.Emit(OpCodes.Stloc, at);
                    for (int j = 0; j < reduceAxes.Length; j++) k.AddScaled(at, red[j], e.Inputs[i].Map.Strides[reduceAxes[j]]);
                }
                inputs[i] = k.Local(InDType(i));
                k.LoadElement(e.Inputs[i].Buffer, InDType(i), at);
                il.Emit(OpCodes.Stloc, inputs[i]!);
            }
            var values = ScalarCode.EmitAll(k, e.Instructions, inputs, null);
            if (e.Outputs.Length > 0)
            {
                var full = fullBase;
                if (r is not null)
                {
                    full = k.IntLocal();
                    il.Emit(OpCodes.Ldloc, fullBase);
                    il.Emit(OpCodes.Stloc, full);
                    for (int j = 0; j < reduceAxes.Length; j++) k.AddScaled(full, red[j], domainStrides[reduceAxes[j]]);
                }
                foreach (var o in e.Outputs) Store(k, o.Buffer, buffers[o.Buffer].Type.DType, full, o.Source, inputs, values, null);
            }
            for (int j = 0; j < accs.Length; j++)
                accs[j].Add(k, () => ScalarCode.Load(k, e.Reductions[j].Source, inputs, values, null));
        }
    }

    /// <summary>Emits <c>while (counter &lt; limit) { body; counter += step; }</c> (the counter set beforehand).</summary>
    private static void Loop(KernelIl k, LocalBuilder counter, long limit, int step, Action body)
    {
        var il = k.Il;
        var head = il.DefineLabel();
        var exit = il.DefineLabel();
        il.MarkLabel(head);
        il.Emit(OpCodes.Ldloc, counter);
        k.Int(limit);
        il.Emit(OpCodes.Bge, exit);
        body();
        il.Emit(OpCodes.Ldloc, counter);
        k.Int(step);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, counter);
        il.Emit(OpCodes.Br, head);
        il.MarkLabel(exit);
    }

    /// <summary>Stores the value of <paramref name="source"/> at <paramref name="index"/> of <paramref name="buffer"/>.</summary>
    internal static void Store(KernelIl k, int buffer, DType d, LocalBuilder index, OperandRef source,
        IReadOnlyList<LocalBuilder?> inputs, LocalBuilder[] values, LocalBuilder? product)
    {
        var v = k.Local(d);
        ScalarCode.Load(k, source, inputs, values, product);
        k.Il.Emit(OpCodes.Stloc, v);
        k.StoreElement(buffer, d, index, v);
    }
}

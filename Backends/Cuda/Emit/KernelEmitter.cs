using System.Reflection;
using System.Reflection.Emit;
using ArrayLang.Backends.Cuda.Device;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.Cuda.Emit;

/// <summary>An emitted kernel: its method, the buffers it takes in parameter order, and how many threads it runs.</summary>
internal sealed record EmittedKernel(MethodInfo Method, IReadOnlyList<int> Buffers, long Threads, string Text);

/// <summary>
/// Emits one kernel method per fused kernel of a lowered program (Note [cuda kernels]).
/// </summary>
/// <remarks>
/// Note [cuda kernels]: every kind runs one thread per independent output: an elementwise kernel
/// one thread per kept element (per domain element when nothing is reduced), looping over the
/// reduced axes in row-major order, so a reduction combines its terms in the reference's order and
/// rounds once (floats in a compensated double sum); a contraction one thread per product element,
/// the contracting axes in a loop with a compensated double accumulator, then the epilogue; scan
/// and while kernels one thread per lane with the time loop (or the per-lane while loop) inside,
/// the carries in registers. Shapes, strides and offsets are constants in the IL, so the kernel
/// text (which holds them) is the cache key.
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

    /// <summary>An elementwise kernel and the reductions it feeds.</summary>
    public static EmittedKernel Elementwise(ElementwiseKernel e, IReadOnlyList<BufferInfo> buffers)
    {
        var k = new KernelIl("Elementwise", Params(e.Inputs.Select(i => i.Buffer).Concat(e.Writes), buffers));
        var il = k.Il;
        int rank = e.Domain.Rank;
        var reduced = e.ReduceAxes.ToHashSet();
        var keptAxes = Enumerable.Range(0, rank).Where(a => !reduced.Contains(a)).ToArray();
        var reduceAxes = e.ReduceAxes.ToArray();
        long keptCount = keptAxes.Aggregate(1L, (p, a) => p * e.Domain[a]);
        long reducedCount = reduceAxes.Aggregate(1L, (p, a) => p * e.Domain[a]);
        var domainStrides = IndexMap.RowMajor(e.Domain).Strides;
        DType InDType(int i) => buffers[e.Inputs[i].Buffer].Type.DType;

        var t = k.IntLocal();
        k.LoadThreadIndex();
        il.Emit(OpCodes.Stloc, t);
        var kept = k.Coordinates(t, keptAxes.Select(a => e.Domain[a]).ToArray());
        var bases = e.Inputs.Select(i => k.Offset(i.Map.Offset, kept, keptAxes.Select(a => i.Map.Strides[a]).ToArray())).ToArray();
        var fullBase = reduceAxes.Length == 0 ? t : k.Offset(0, kept, keptAxes.Select(a => domainStrides[a]).ToArray());

        var accs = e.Reductions.Select(r => Accumulator.Start(k, r.Kind, buffers[r.Buffer].Type.DType)).ToArray();

        // for (r = 0; r < reducedCount; r++) { ... }  (once when nothing is reduced)
        var r = k.IntLocal();
        var head = il.DefineLabel();
        var exit = il.DefineLabel();
        bool loop = reduceAxes.Length > 0;
        if (loop)
        {
            k.Int(0);
            il.Emit(OpCodes.Stloc, r);
            il.MarkLabel(head);
            il.Emit(OpCodes.Ldloc, r);
            k.Int(reducedCount);
            il.Emit(OpCodes.Bge, exit);
        }
        var red = loop ? k.Coordinates(r, reduceAxes.Select(a => e.Domain[a]).ToArray()) : [];
        var inputs = new LocalBuilder?[e.Inputs.Length];
        for (int i = 0; i < e.Inputs.Length; i++)
        {
            var at = bases[i];
            if (loop)
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
            if (loop)
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
        if (loop)
        {
            il.Emit(OpCodes.Ldloc, r);
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Stloc, r);
            il.Emit(OpCodes.Br, head);
            il.MarkLabel(exit);
        }
        for (int j = 0; j < accs.Length; j++)
        {
            var result = accs[j].Finish(k);
            k.StoreElement(e.Reductions[j].Buffer, buffers[e.Reductions[j].Buffer].Type.DType, t, result);
        }
        return Done(k, keptCount, e);
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

    /// <summary>A <c>dot_general</c> with its epilogue: one thread per product element (Note [cuda kernels]).</summary>
    public static EmittedKernel Contraction(ContractionKernel c, IReadOnlyList<BufferInfo> buffers)
    {
        var k = new KernelIl("Contraction", Params(new[] { c.Lhs.Buffer, c.Rhs.Buffer }.Concat(c.Inputs.Select(i => i.Buffer)).Concat(c.Writes), buffers));
        var il = k.Il;
        var dims = c.Dims;
        int nb = dims.LhsBatch.Length;
        var lhsFree = Enumerable.Range(0, c.LhsShape.Rank).Where(a => !dims.LhsBatch.Contains(a) && !dims.LhsContract.Contains(a)).ToArray();
        var rhsFree = Enumerable.Range(0, c.RhsShape.Rank).Where(a => !dims.RhsBatch.Contains(a) && !dims.RhsContract.Contains(a)).ToArray();
        var lhsStrides = new long[c.Domain.Rank];
        var rhsStrides = new long[c.Domain.Rank];
        for (int i = 0; i < nb; i++)
        {
            lhsStrides[i] = c.Lhs.Map.Strides[dims.LhsBatch[i]];
            rhsStrides[i] = c.Rhs.Map.Strides[dims.RhsBatch[i]];
        }
        for (int j = 0; j < lhsFree.Length; j++) lhsStrides[nb + j] = c.Lhs.Map.Strides[lhsFree[j]];
        for (int j = 0; j < rhsFree.Length; j++) rhsStrides[nb + lhsFree.Length + j] = c.Rhs.Map.Strides[rhsFree[j]];
        var contractDims = dims.LhsContract.Select(a => c.LhsShape[a]).ToArray();
        long terms = contractDims.Aggregate(1L, (p, x) => p * x);

        var t = k.IntLocal();
        k.LoadThreadIndex();
        il.Emit(OpCodes.Stloc, t);
        var coords = k.Coordinates(t, c.Domain.ToArray());
        var lhsBase = k.Offset(c.Lhs.Map.Offset, coords, lhsStrides);
        var rhsBase = k.Offset(c.Rhs.Map.Offset, coords, rhsStrides);
        var acc = Accumulator.Start(k, ReduceKind.Sum, c.DType, products: true);
        var q = k.IntLocal();
        var head = il.DefineLabel();
        var exit = il.DefineLabel();
        k.Int(0);
        il.Emit(OpCodes.Stloc, q);
        il.MarkLabel(head);
        il.Emit(OpCodes.Ldloc, q);
        k.Int(terms);
        il.Emit(OpCodes.Bge, exit);
        var cc = k.Coordinates(q, contractDims);
        var li = k.IntLocal();
        var ri = k.IntLocal();
        il.Emit(OpCodes.Ldloc, lhsBase); il.Emit(OpCodes.Stloc, li);
        il.Emit(OpCodes.Ldloc, rhsBase); il.Emit(OpCodes.Stloc, ri);
        for (int j = 0; j < contractDims.Length; j++)
        {
            k.AddScaled(li, cc[j], c.Lhs.Map.Strides[dims.LhsContract[j]]);
            k.AddScaled(ri, cc[j], c.Rhs.Map.Strides[dims.RhsContract[j]]);
        }
        acc.AddProduct(k, () => k.LoadElement(c.Lhs.Buffer, c.DType, li), () => k.LoadElement(c.Rhs.Buffer, c.DType, ri));
        il.Emit(OpCodes.Ldloc, q);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, q);
        il.Emit(OpCodes.Br, head);
        il.MarkLabel(exit);
        var product = acc.Finish(k);

        var inputs = new LocalBuilder?[c.Inputs.Length];
        for (int i = 0; i < c.Inputs.Length; i++)
        {
            var d = buffers[c.Inputs[i].Buffer].Type.DType;
            var at = k.Offset(c.Inputs[i].Map.Offset, coords, c.Inputs[i].Map.Strides);
            inputs[i] = k.Local(d);
            k.LoadElement(c.Inputs[i].Buffer, d, at);
            il.Emit(OpCodes.Stloc, inputs[i]!);
        }
        var values = ScalarCode.EmitAll(k, c.Instructions, inputs, product);
        foreach (var o in c.Outputs) Store(k, o.Buffer, buffers[o.Buffer].Type.DType, t, o.Source, inputs, values, product);
        return Done(k, c.Domain.ElementCount, c);
    }
}

/// <summary>The running value of one reduction in a kernel (Note [cuda kernels]).</summary>
internal sealed class Accumulator
{
    private readonly ReduceKind _kind;
    private readonly DType _dtype;
    private readonly LocalBuilder _acc;

    private Accumulator(ReduceKind kind, DType dtype, LocalBuilder acc)
    {
        _kind = kind;
        _dtype = dtype;
        _acc = acc;
    }

    private bool IsFloat => _dtype is DType.F32 or DType.F64;

    private bool Compensated => IsFloat && _kind == ReduceKind.Sum;

    /// <summary>Declares and initializes the accumulator with the reduction's identity.</summary>
    public static Accumulator Start(KernelIl k, ReduceKind kind, DType dtype, bool products = false)
    {
        if (dtype == DType.Bool) throw new NotSupportedException($"the CUDA backend cannot reduce bools ({kind})");
        bool isFloat = dtype is DType.F32 or DType.F64;
        var il = k.Il;
        LocalBuilder acc;
        if (isFloat && kind == ReduceKind.Sum)
        {
            acc = il.DeclareLocal(typeof(DeviceOps.Sum));
            il.Emit(OpCodes.Call, ScalarCode.Op(nameof(DeviceOps.SumZero)));
        }
        else if (isFloat)
        {
            acc = il.DeclareLocal(typeof(double));
            il.Emit(OpCodes.Ldc_R8, kind switch { ReduceKind.Prod => 1.0, ReduceKind.Max => double.NegativeInfinity, _ => double.PositiveInfinity });
        }
        else
        {
            acc = il.DeclareLocal(typeof(int));
            il.Emit(OpCodes.Ldc_I4, kind switch { ReduceKind.Sum => 0, ReduceKind.Prod => 1, ReduceKind.Max => int.MinValue, _ => int.MaxValue });
        }
        il.Emit(OpCodes.Stloc, acc);
        return new Accumulator(kind, dtype, acc);
    }

    /// <summary>Combines the value <paramref name="push"/> pushes into the accumulator.</summary>
    public void Add(KernelIl k, Action push)
    {
        var il = k.Il;
        il.Emit(OpCodes.Ldloc, _acc);
        push();
        if (IsFloat && _dtype == DType.F32) il.Emit(OpCodes.Conv_R8);
        switch (_kind)
        {
            case ReduceKind.Sum when Compensated: il.Emit(OpCodes.Call, ScalarCode.Op(nameof(DeviceOps.SumAdd))); break;
            case ReduceKind.Sum: il.Emit(OpCodes.Add); break;
            case ReduceKind.Prod: il.Emit(OpCodes.Mul); break;
            case ReduceKind.Max: il.Emit(OpCodes.Call, ScalarCode.Op(IsFloat ? nameof(DeviceOps.ReduceMax) : nameof(DeviceOps.MaxI32))); break;
            default: il.Emit(OpCodes.Call, ScalarCode.Op(IsFloat ? nameof(DeviceOps.ReduceMin) : nameof(DeviceOps.MinI32))); break;
        }
        il.Emit(OpCodes.Stloc, _acc);
    }

    /// <summary>Adds the product of the two pushed values (a contraction's term).</summary>
    public void AddProduct(KernelIl k, Action pushA, Action pushB)
    {
        var il = k.Il;
        il.Emit(OpCodes.Ldloc, _acc);
        pushA();
        if (_dtype == DType.F32) il.Emit(OpCodes.Conv_R8);
        pushB();
        if (_dtype == DType.F32) il.Emit(OpCodes.Conv_R8);
        if (Compensated) il.Emit(OpCodes.Call, ScalarCode.Op(nameof(DeviceOps.SumAddProduct)));
        else { il.Emit(OpCodes.Mul); il.Emit(OpCodes.Add); }
        il.Emit(OpCodes.Stloc, _acc);
    }

    /// <summary>A new local with the reduction's result in its dtype.</summary>
    public LocalBuilder Finish(KernelIl k)
    {
        var il = k.Il;
        var result = k.Local(_dtype);
        il.Emit(OpCodes.Ldloc, _acc);
        if (Compensated) il.Emit(OpCodes.Call, ScalarCode.Op(nameof(DeviceOps.SumResult)));
        if (_dtype == DType.F32) il.Emit(OpCodes.Call, ScalarCode.Op(nameof(DeviceOps.F64ToF32)));
        il.Emit(OpCodes.Stloc, result);
        return result;
    }
}

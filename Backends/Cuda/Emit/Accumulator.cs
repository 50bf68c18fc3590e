using System.Reflection.Emit;
using ArrayLang.Backends.Cuda.Device;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.Cuda.Emit;

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

    /// <summary>The type of the running value: a compensated <see cref="DeviceOps.Sum"/> for float sums, a double for other float reductions, an int for i32.</summary>
    public static Type StateType(ReduceKind kind, DType dtype)
    {
        if (dtype == DType.Bool) throw new NotSupportedException($"the CUDA backend cannot reduce bools ({kind})");
        bool isFloat = dtype is DType.F32 or DType.F64;
        return isFloat && kind == ReduceKind.Sum ? typeof(DeviceOps.Sum) : isFloat ? typeof(double) : typeof(int);
    }

    /// <summary>Declares and initializes the accumulator with the reduction's identity.</summary>
    public static Accumulator Start(KernelIl k, ReduceKind kind, DType dtype)
    {
        var type = StateType(kind, dtype);
        var il = k.Il;
        var acc = il.DeclareLocal(type);
        if (type == typeof(DeviceOps.Sum))
            il.Emit(OpCodes.Call, ScalarCode.Op(nameof(DeviceOps.SumZero)));
        else if (type == typeof(double))
            il.Emit(OpCodes.Ldc_R8, kind switch { ReduceKind.Prod => 1.0, ReduceKind.Max => double.NegativeInfinity, _ => double.PositiveInfinity });
        else
            il.Emit(OpCodes.Ldc_I4, kind switch { ReduceKind.Sum => 0, ReduceKind.Prod => 1, ReduceKind.Max => int.MinValue, _ => int.MaxValue });
        il.Emit(OpCodes.Stloc, acc);
        return new Accumulator(kind, dtype, acc);
    }

    /// <summary>An accumulator holding element 0 of the partial results in shared memory (Note [block reductions]).</summary>
    public static Accumulator FromShared(KernelIl k, ReduceKind kind, DType dtype, LocalBuilder partials)
    {
        var type = StateType(kind, dtype);
        var acc = k.Il.DeclareLocal(type);
        var zero = k.IntLocal();
        k.Int(0);
        k.Il.Emit(OpCodes.Stloc, zero);
        k.PushViewAddress(partials, type, zero);
        k.Il.Emit(OpCodes.Ldobj, type);
        k.Il.Emit(OpCodes.Stloc, acc);
        return new Accumulator(kind, dtype, acc);
    }

    /// <summary>Stores the running value at element <paramref name="at"/> of the partial results.</summary>
    public void StoreState(KernelIl k, LocalBuilder partials, LocalBuilder at)
    {
        var type = _acc.LocalType;
        k.PushViewAddress(partials, type, at);
        k.Il.Emit(OpCodes.Ldloc, _acc);
        k.Il.Emit(OpCodes.Stobj, type);
    }

    /// <summary>partials[at] = partials[at] combined with partials[at + stride] (Note [block reductions]).</summary>
    public static void CombineShared(KernelIl k, ReduceKind kind, DType dtype, LocalBuilder partials, LocalBuilder at, int stride)
    {
        var type = StateType(kind, dtype);
        var il = k.Il;
        var other = k.IntLocal();
        il.Emit(OpCodes.Ldloc, at);
        k.Int(stride);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, other);
        k.PushViewAddress(partials, type, at);
        k.PushViewAddress(partials, type, at);
        il.Emit(OpCodes.Ldobj, type);
        k.PushViewAddress(partials, type, other);
        il.Emit(OpCodes.Ldobj, type);
        if (type == typeof(DeviceOps.Sum)) il.Emit(OpCodes.Call, ScalarCode.Op(nameof(DeviceOps.SumMerge)));
        else Combine(il, kind, type == typeof(double));
        il.Emit(OpCodes.Stobj, type);
    }

    /// <summary>Combines the two values on the stack (not a compensated sum).</summary>
    private static void Combine(ILGenerator il, ReduceKind kind, bool isFloat)
    {
        switch (kind)
        {
            case ReduceKind.Sum: il.Emit(OpCodes.Add); break;
            case ReduceKind.Prod: il.Emit(OpCodes.Mul); break;
            case ReduceKind.Max: il.Emit(OpCodes.Call, ScalarCode.Op(isFloat ? nameof(DeviceOps.ReduceMax) : nameof(DeviceOps.MaxI32))); break;
            default: il.Emit(OpCodes.Call, ScalarCode.Op(isFloat ? nameof(DeviceOps.ReduceMin) : nameof(DeviceOps.MinI32))); break;
        }
    }

    /// <summary>Combines the value <paramref name="push"/> pushes into the accumulator.</summary>
    public void Add(KernelIl k, Action push)
    {
        var il = k.Il;
        il.Emit(OpCodes.Ldloc, _acc);
        push();
        if (IsFloat && _dtype == DType.F32) il.Emit(OpCodes.Conv_R8);
        if (Compensated) il.Emit(OpCodes.Call, ScalarCode.Op(nameof(DeviceOps.SumAdd)));
        else Combine(il, _kind, IsFloat);
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

using ArrayLang.Ir;
using ArrayLang.Transforms;

namespace ArrayLang.Primitives;

/// <summary>
/// The slicing family: static <c>slice concatenate pad</c>, run-time indexed
/// <c>dynamic_slice dynamic_update_slice take</c>. Only run-time indices are clamped (IR.md); static
/// params that do not fit are type errors.
/// </summary>
public static partial class Slicing
{
    /// <summary><c>slice[start=[..], limit=[..], stride=[..]](x)</c>.</summary>
    public static readonly SliceOp Slice = new();

    /// <summary><c>dynamic_slice[sizes=[..]](x, i_0, .., i_r-1)</c>.</summary>
    public static readonly DynamicSliceOp DynamicSlice = new();

    /// <summary><c>dynamic_update_slice(x, update, i_0, .., i_r-1)</c>.</summary>
    public static readonly DynamicUpdateSliceOp DynamicUpdateSlice = new();

    /// <summary><c>concatenate[axis=k](x_1, .., x_n)</c>.</summary>
    public static readonly ConcatenateOp Concatenate = new();

    /// <summary><c>pad[low=[..], high=[..]](x, value)</c>.</summary>
    public static readonly PadOp Pad = new();

    /// <summary><c>take[axis=k](x, idx)</c>.</summary>
    public static readonly TakeOp Take = new();

    /// <summary>Registers the family's primitives and batching rules.</summary>
    public static void Register(Registrar r)
    {
        r.Add(Slice, (ctx, p, ins, subs) => SliceOp.Batch(ctx, (SliceParams)p, ins[0]));
        r.Add(Concatenate, (ctx, p, ins, subs) => ConcatenateOp.Batch(ctx, (ConcatenateParams)p, ins));
        r.Add(Pad, (ctx, p, ins, subs) => PadOp.Batch(ctx, (PadParams)p, ins[0], ins[1]));
        r.Add(DynamicSlice, (ctx, p, ins, subs) => BatchDynamicSlice(ctx, (DynamicSliceParams)p, ins));
        r.Add(DynamicUpdateSlice, (ctx, p, ins, subs) => BatchDynamicUpdateSlice(ctx, ins));
        r.Add(Take, (ctx, p, ins, subs) => [BatchTake(ctx, ((TakeParams)p).Axis, ins[0], ins[1], indicesInRange: false)]);
    }

    /// <summary>A type error unless every operand from <paramref name="from"/> on is an i32 scalar.</summary>
    internal static void RequireIndices(Func<string, TypeError> error, IReadOnlyList<Operand> ops, int from)
    {
        for (int i = from; i < ops.Count; i++)
            if (ops[i].Type != AVal.Scalar(DType.I32))
                throw error($"start index operand {i + 1} must be an i32 scalar (i32[]), found {ops[i].Type}");
    }

    /// <summary>A copy of <paramref name="values"/> with <paramref name="value"/> inserted at <paramref name="at"/>.</summary>
    internal static T[] InsertAt<T>(IReadOnlyList<T> values, int at, T value)
    {
        var l = values.ToList();
        l.Insert(at, value);
        return l.ToArray();
    }
}

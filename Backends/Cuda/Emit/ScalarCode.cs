using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using ArrayLang.Backends.Cuda.Device;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.Cuda.Emit;

/// <summary>
/// Emits the IL of a kernel body's scalar instructions: each instruction's value goes to a local,
/// operands come from the kernel's inputs (already loaded into locals), earlier values, literals or
/// the contraction's product. The op-to-code mapping is the table in <see cref="Emit(KernelIl, ScalarInstruction, Func{OperandRef, DType, bool})"/>:
/// IL opcodes for what IL computes exactly as IR.md says (+ - * / on floats, wrapping i32 + - *,
/// comparisons, bitwise logic, widening conversions), calls into <see cref="DeviceOps"/> and
/// <see cref="DeviceMath"/> for the rest. Every instruction rounds to its dtype when stored, and
/// no multiply and add are fused (Note [float contraction] in SEAM: no FMA unless opted in).
/// </summary>
internal static class ScalarCode
{
    /// <summary>
    /// Emits <paramref name="instructions"/>; <paramref name="inputs"/> holds the locals of the
    /// kernel's inputs (Input k), <paramref name="product"/> the contraction's product if any.
    /// Returns the local of every instruction's value.
    /// </summary>
    public static LocalBuilder[] EmitAll(KernelIl k, ImmutableArray<ScalarInstruction> instructions,
        IReadOnlyList<LocalBuilder?> inputs, LocalBuilder? product)
    {
        var values = new LocalBuilder[instructions.Length];
        for (int j = 0; j < instructions.Length; j++)
        {
            var ins = instructions[j];
            bool Push(OperandRef o, DType d)
            {
                switch (o.Kind)
                {
                    case OperandKind.Input: k.Il.Emit(OpCodes.Ldloc, inputs[o.Index] ?? throw new InvalidOperationException($"input {o.Index} is not loaded")); break;
                    case OperandKind.Value: k.Il.Emit(OpCodes.Ldloc, values[o.Index]); break;
                    case OperandKind.Literal: k.Constant(o.Literal!.DType, o.Literal.Value); break;
                    default: k.Il.Emit(OpCodes.Ldloc, product ?? throw new InvalidOperationException("no product outside a contraction")); break;
                }
                return true;
            }
            Emit(k, ins, Push);
            values[j] = k.Local(ins.DType);
            k.Il.Emit(OpCodes.Stloc, values[j]);
        }
        return values;
    }

    /// <summary>Pushes the value an operand refers to.</summary>
    public static void Load(KernelIl k, OperandRef o, IReadOnlyList<LocalBuilder?> inputs, LocalBuilder[] values, LocalBuilder? product)
    {
        switch (o.Kind)
        {
            case OperandKind.Input: k.Il.Emit(OpCodes.Ldloc, inputs[o.Index]!); break;
            case OperandKind.Value: k.Il.Emit(OpCodes.Ldloc, values[o.Index]); break;
            case OperandKind.Literal: k.Constant(o.Literal!.DType, o.Literal.Value); break;
            default: k.Il.Emit(OpCodes.Ldloc, product!); break;
        }
    }

    private static void Emit(KernelIl k, ScalarInstruction ins, Func<OperandRef, DType, bool> push)
    {
        var il = k.Il;
        var d = ins.OperandDType;
        string name = ins.Primitive.Name;
        var ops = ins.Operands;
        if (name == "select")
        {
            var onFalse = il.DefineLabel();
            var done = il.DefineLabel();
            push(ops[0], DType.Bool);
            il.Emit(OpCodes.Brfalse, onFalse);
            push(ops[1], d);
            il.Emit(OpCodes.Br, done);
            il.MarkLabel(onFalse);
            push(ops[2], d);
            il.MarkLabel(done);
            return;
        }
        foreach (var o in ops) push(o, d);
        if (name == "convert") { Convert(il, d, ins.DType); return; }
        bool isFloat = d is DType.F32 or DType.F64;
        switch (name)
        {
            case "add": il.Emit(OpCodes.Add); return;
            case "sub": il.Emit(OpCodes.Sub); return;
            case "mul": il.Emit(OpCodes.Mul); return;
            case "div" when isFloat: il.Emit(OpCodes.Div); return;
            case "neg": il.Emit(OpCodes.Neg); return;
            case "and": il.Emit(OpCodes.And); return;
            case "or": il.Emit(OpCodes.Or); return;
            case "xor": il.Emit(OpCodes.Xor); return;
            case "not" when d == DType.Bool: il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Xor); return;
            case "not": il.Emit(OpCodes.Not); return;
            case "eq": il.Emit(OpCodes.Ceq); return;
            case "ne": il.Emit(OpCodes.Ceq); Invert(il); return;
            case "lt": il.Emit(d == DType.Bool ? OpCodes.Clt_Un : OpCodes.Clt); return;
            case "gt": il.Emit(d == DType.Bool ? OpCodes.Cgt_Un : OpCodes.Cgt); return;
            // a <= b is !(a > b or unordered); for integers cgt.un would compare unsigned.
            case "le": il.Emit(isFloat ? OpCodes.Cgt_Un : d == DType.Bool ? OpCodes.Cgt_Un : OpCodes.Cgt); Invert(il); return;
            case "ge": il.Emit(isFloat ? OpCodes.Clt_Un : d == DType.Bool ? OpCodes.Clt_Un : OpCodes.Clt); Invert(il); return;
        }
        il.Emit(OpCodes.Call, Routine(name, d));
    }

    private static void Invert(ILGenerator il)
    {
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ceq);
    }

    private static void Convert(ILGenerator il, DType from, DType to)
    {
        if (from == to) return;
        switch (to)
        {
            case DType.F32:
                if (from == DType.F64) il.Emit(OpCodes.Call, Op(nameof(DeviceOps.F64ToF32)));
                else il.Emit(OpCodes.Conv_R4);
                return;
            case DType.F64:
                il.Emit(OpCodes.Conv_R8);
                return;
            case DType.I32:
                if (from == DType.F32) il.Emit(OpCodes.Call, Op(nameof(DeviceOps.F32ToI32)));
                else if (from == DType.F64) il.Emit(OpCodes.Call, Op(nameof(DeviceOps.F64ToI32)));
                return; // bool is already 0/1
            default: // to bool: x != 0 (NaN is true)
                if (from == DType.F32) il.Emit(OpCodes.Ldc_R4, 0f);
                else if (from == DType.F64) il.Emit(OpCodes.Ldc_R8, 0.0);
                else il.Emit(OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Ceq);
                Invert(il);
                return;
        }
    }

    /// <summary>The static method computing <paramref name="primitive"/> on <paramref name="d"/>.</summary>
    public static MethodInfo Routine(string primitive, DType d)
    {
        string suffix = d switch { DType.F32 => "F32", DType.F64 => "F64", DType.I32 => "I32", _ => "Bool" };
        string method = primitive switch
        {
            "is_finite" => "IsFinite",
            "log1p" => "Log1p",
            "expm1" => "Expm1",
            "atan2" => "Atan2",
            _ => char.ToUpperInvariant(primitive[0]) + primitive[1..],
        } + suffix;
        var m = typeof(DeviceOps).GetMethod(method, BindingFlags.Public | BindingFlags.Static)
            ?? typeof(DeviceMath).GetMethod(method, BindingFlags.Public | BindingFlags.Static);
        return m ?? throw new NotSupportedException($"the CUDA backend has no device routine for {primitive} on {d.Name()} (looked for {method})");
    }

    /// <summary>A public static method of <see cref="DeviceOps"/>.</summary>
    public static MethodInfo Op(string name) =>
        typeof(DeviceOps).GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new MissingMethodException(nameof(DeviceOps), name);
}

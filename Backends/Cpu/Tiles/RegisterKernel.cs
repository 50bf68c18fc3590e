using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ArrayLang.Backends.Cpu.Ops;
using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;

namespace ArrayLang.Backends.Cpu.Tiles;

/// <summary>A tile program compiled to machine code: computes <c>n</c> elements of its result slots from its input slots.</summary>
internal delegate void RegisterTile(BufferRef[] slots, int n);

/// <summary>
/// Note [register kernels]: a tile program runs each instruction over the whole tile in turn, so
/// every intermediate makes a round trip through a scratch lane (in L1, but one load and one store
/// per element per instruction) and each instruction costs a dispatch per tile. When every
/// instruction has a Vector512 form on one element type, this compiles the program instead into
/// one loop (a <see cref="DynamicMethod"/>, compiled by the .NET JIT) that loads the inputs of 64
/// bytes of elements into registers, applies the instructions' own <c>Vector</c> routines (the
/// same <see cref="IUnaryOp{T}"/>/<see cref="IBinaryOp{T}"/> structs the tile routines use, so the
/// per-element results are the same bits) and stores only the results; the tail runs the same
/// instructions' <c>Scalar</c> routines, which give the same bits as their vector lanes. This is
/// what a hand-fused loop does; the tile path stays for everything else (conversions, bools,
/// mixed element sizes, routines without a vector form).
/// </summary>
internal static class RegisterKernel
{
    /// <summary>One instruction to compile: the value it defines, its tile routine (which names its operation struct) and its operands.</summary>
    public readonly record struct Op(int Value, SpanOp Code, IReadOnlyList<OperandRef> Operands);

    /// <summary>
    /// The program compiled to one register loop, or null when some instruction cannot take part
    /// (Note [register kernels]); <paramref name="dtype"/> is the element type of every operand and result.
    /// </summary>
    public static RegisterTile? TryCompile(IReadOnlyList<Op> ops, DType dtype, IReadOnlyList<OperandRef> results, Func<OperandRef, int> slotOf)
    {
        if (!Vector512.IsHardwareAccelerated || ops.Count == 0) return null;
        Type? t = dtype switch { DType.F32 => typeof(float), DType.F64 => typeof(double), DType.I32 => typeof(int), _ => null };
        if (t is null) return null;
        var forms = new (MethodInfo Vector, MethodInfo Scalar)[ops.Count];
        for (int j = 0; j < ops.Count; j++)
        {
            var form = FormOf(ops[j], t);
            if (form is null) return null;
            forms[j] = form.Value;
        }
        return new Emitter(t, ops, forms, results, slotOf).Compile();
    }

    /// <summary>The operation struct's Vector and Scalar methods behind a Unary/Binary/Ternary tile routine on <paramref name="t"/>.</summary>
    private static (MethodInfo, MethodInfo)? FormOf(Op op, Type t)
    {
        var m = op.Code.Method;
        int arity = m.Name switch { nameof(SpanDrivers.Unary) => 1, nameof(SpanDrivers.Binary) => 2, nameof(SpanDrivers.Ternary) => 3, _ => 0 };
        if (arity == 0 || arity != op.Operands.Count || !m.IsGenericMethod || m.DeclaringType != typeof(SpanDrivers)) return null;
        var args = m.GetGenericArguments();
        if (args.Length != 2 || args[0] != t) return null;
        var opType = args[1];
        if (opType.GetProperty("Vectorized", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is false) return null;
        var vector = opType.GetMethod("Vector", BindingFlags.Public | BindingFlags.Static);
        var scalar = opType.GetMethod("Scalar", BindingFlags.Public | BindingFlags.Static);
        return vector is null || scalar is null ? null : (vector, scalar);
    }

    /// <summary>A reference to the first element of slot <paramref name="slot"/> (called once per tile by the compiled code).</summary>
    public static ref byte SlotRef(BufferRef[] slots, int slot) => ref slots[slot].At<byte>(0);

    private sealed class Emitter(Type t, IReadOnlyList<Op> ops, (MethodInfo Vector, MethodInfo Scalar)[] forms,
        IReadOnlyList<OperandRef> results, Func<OperandRef, int> slotOf)
    {
        private readonly Type _vector = typeof(Vector512<>).MakeGenericType(t);
        private readonly int _count = 64 / System.Runtime.InteropServices.Marshal.SizeOf(t);
        private readonly Dictionary<int, LocalBuilder> _slotRef = [];
        private readonly Dictionary<Literal, (LocalBuilder Scalar, LocalBuilder Vector)> _literal = [];
        private ILGenerator _il = null!;

        private static readonly MethodInfo SlotRefMethod = typeof(RegisterKernel).GetMethod(nameof(SlotRef))!;

        public RegisterTile Compile()
        {
            var dm = new DynamicMethod("register_tile", typeof(void), [typeof(BufferRef[]), typeof(int)], typeof(RegisterKernel).Module,
                skipVisibility: true);
            _il = dm.GetILGenerator();
            var il = _il;

            // Prologue: a ref per slot the loop touches, each literal as a scalar and a broadcast vector.
            foreach (var op in ops)
                foreach (var o in op.Operands)
                {
                    if (o.Kind is OperandKind.Input or OperandKind.Product) SlotLocal(slotOf(o));
                    else if (o.Kind == OperandKind.Literal) LiteralLocals(o.Literal!);
                }
            var stored = StoredResults();
            foreach (var (_, slot) in stored) SlotLocal(slot);

            var i = il.DeclareLocal(typeof(nuint));
            var vectorEnd = il.DeclareLocal(typeof(nuint));
            var end = il.DeclareLocal(typeof(nuint));
            il.Emit(OpCodes.Ldc_I4_0); il.Emit(OpCodes.Conv_U); il.Emit(OpCodes.Stloc, i);
            il.Emit(OpCodes.Ldarg_1); il.Emit(OpCodes.Ldc_I4, ~(_count - 1)); il.Emit(OpCodes.And); il.Emit(OpCodes.Conv_U); il.Emit(OpCodes.Stloc, vectorEnd);
            il.Emit(OpCodes.Ldarg_1); il.Emit(OpCodes.Conv_U); il.Emit(OpCodes.Stloc, end);

            var vectorTest = il.DefineLabel();
            var scalarTest = il.DefineLabel();
            var done = il.DefineLabel();
            il.MarkLabel(vectorTest);
            il.Emit(OpCodes.Ldloc, i); il.Emit(OpCodes.Ldloc, vectorEnd); il.Emit(OpCodes.Bge_Un, scalarTest);
            EmitBody(vector: true, i, stored);
            il.Emit(OpCodes.Ldloc, i); il.Emit(OpCodes.Ldc_I4, _count); il.Emit(OpCodes.Conv_U); il.Emit(OpCodes.Add); il.Emit(OpCodes.Stloc, i);
            il.Emit(OpCodes.Br, vectorTest);

            il.MarkLabel(scalarTest);
            il.Emit(OpCodes.Ldloc, i); il.Emit(OpCodes.Ldloc, end); il.Emit(OpCodes.Bge_Un, done);
            EmitBody(vector: false, i, stored);
            il.Emit(OpCodes.Ldloc, i); il.Emit(OpCodes.Ldc_I4_1); il.Emit(OpCodes.Conv_U); il.Emit(OpCodes.Add); il.Emit(OpCodes.Stloc, i);
            il.Emit(OpCodes.Br, scalarTest);

            il.MarkLabel(done);
            il.Emit(OpCodes.Ret);
            return dm.CreateDelegate<RegisterTile>();
        }

        /// <summary>The values the loop stores: each result that is an instruction's value, with its slot, once per slot.</summary>
        private List<(int Value, int Slot)> StoredResults()
        {
            var stored = new List<(int, int)>();
            var seen = new HashSet<int>();
            foreach (var r in results)
                if (r.Kind == OperandKind.Value && seen.Add(slotOf(r))) stored.Add((r.Index, slotOf(r)));
            return stored;
        }

        private LocalBuilder SlotLocal(int slot)
        {
            if (_slotRef.TryGetValue(slot, out var l)) return l;
            l = _il.DeclareLocal(typeof(byte).MakeByRefType());
            _il.Emit(OpCodes.Ldarg_0); _il.Emit(OpCodes.Ldc_I4, slot); _il.Emit(OpCodes.Call, SlotRefMethod); _il.Emit(OpCodes.Stloc, l);
            return _slotRef[slot] = l;
        }

        private void LiteralLocals(Literal lit)
        {
            if (_literal.ContainsKey(lit)) return;
            var s = _il.DeclareLocal(t);
            var v = _il.DeclareLocal(_vector);
            if (t == typeof(float)) _il.Emit(OpCodes.Ldc_R4, (float)lit.Value);
            else if (t == typeof(double)) _il.Emit(OpCodes.Ldc_R8, lit.Value);
            else _il.Emit(OpCodes.Ldc_I4, (int)lit.Value);
            _il.Emit(OpCodes.Stloc, s);
            _il.Emit(OpCodes.Ldloc, s);
            _il.Emit(OpCodes.Call, typeof(Vector512).GetMethod(nameof(Vector512.Create), [t])!);
            _il.Emit(OpCodes.Stloc, v);
            _literal[lit] = (s, v);
        }

        /// <summary>One iteration: <paramref name="vector"/> elements at <c>i</c> (64 bytes) or one element.</summary>
        private void EmitBody(bool vector, LocalBuilder i, List<(int Value, int Slot)> stored)
        {
            var il = _il;
            var type = vector ? _vector : t;
            var loaded = new Dictionary<int, LocalBuilder>();
            var values = new Dictionary<int, LocalBuilder>();
            for (int j = 0; j < ops.Count; j++)
            {
                foreach (var o in ops[j].Operands)
                {
                    switch (o.Kind)
                    {
                        case OperandKind.Input or OperandKind.Product:
                            int slot = slotOf(o);
                            if (!loaded.TryGetValue(slot, out var l))
                            {
                                l = il.DeclareLocal(type);
                                EmitAddress(slot, i, vector);
                                if (vector) il.Emit(OpCodes.Call, LoadUnsafe);
                                else il.Emit(OpCodes.Ldobj, t);
                                il.Emit(OpCodes.Stloc, l);
                                loaded[slot] = l;
                            }
                            il.Emit(OpCodes.Ldloc, l);
                            break;
                        case OperandKind.Literal:
                            var (s, v) = _literal[o.Literal!];
                            il.Emit(OpCodes.Ldloc, vector ? v : s);
                            break;
                        default:
                            il.Emit(OpCodes.Ldloc, values[o.Index]);
                            break;
                    }
                }
                il.Emit(OpCodes.Call, vector ? forms[j].Vector : forms[j].Scalar);
                var result = il.DeclareLocal(type);
                il.Emit(OpCodes.Stloc, result);
                values[ops[j].Value] = result;
            }
            foreach (var (value, slot) in stored)
            {
                if (vector)
                {
                    il.Emit(OpCodes.Ldloc, values[value]);
                    EmitAddress(slot, i, vector: true);
                    il.Emit(OpCodes.Call, StoreUnsafe);
                }
                else
                {
                    EmitAddress(slot, i, vector: false);
                    il.Emit(OpCodes.Ldloc, values[value]);
                    il.Emit(OpCodes.Stobj, t);
                }
            }
        }

        /// <summary>Pushes <c>ref T</c> of the slot and, for vectors, the element offset <c>i</c>; for scalars the element's own address.</summary>
        private void EmitAddress(int slot, LocalBuilder i, bool vector)
        {
            _il.Emit(OpCodes.Ldloc, _slotRef[slot]);
            _il.Emit(OpCodes.Call, AsT);
            _il.Emit(OpCodes.Ldloc, i);
            if (!vector) _il.Emit(OpCodes.Call, AddT);
        }

        private MethodInfo AsT => typeof(Unsafe).GetMethods()
            .Single(m => m.Name == nameof(Unsafe.As) && m.GetGenericArguments().Length == 2)
            .MakeGenericMethod(typeof(byte), t);

        private MethodInfo AddT => typeof(Unsafe).GetMethods()
            .Single(m => m.Name == nameof(Unsafe.Add) && m.GetParameters() is [{ ParameterType.IsByRef: true }, var p] && p.ParameterType == typeof(nuint))
            .MakeGenericMethod(t);

        private MethodInfo LoadUnsafe => typeof(Vector512).GetMethods()
            .Single(m => m.Name == nameof(Vector512.LoadUnsafe) && m.GetParameters().Length == 2)
            .MakeGenericMethod(t);

        private MethodInfo StoreUnsafe => typeof(Vector512).GetMethods()
            .Single(m => m.Name == nameof(Vector512.StoreUnsafe) && m.GetParameters().Length == 3)
            .MakeGenericMethod(t);
    }
}

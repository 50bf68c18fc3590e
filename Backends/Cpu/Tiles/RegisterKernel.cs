using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ArrayLang.Backends.Cpu.Ops;
using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Compile.Lowering;
using ArrayLang.Compile.Lowering.Analysis;
using ArrayLang.Ir;

namespace ArrayLang.Backends.Cpu.Tiles;

/// <summary>A tile program compiled to machine code: computes <c>n</c> elements of its result slots from its input slots.</summary>
internal delegate void RegisterTile(BufferRef[] slots, int n);

/// <summary>
/// Note [register kernels]: a tile program runs each instruction over the whole tile in turn, so
/// every intermediate makes a round trip through a scratch lane (in L1, but one load and one store
/// per element per instruction) and each instruction costs a dispatch per tile. When every
/// instruction has a vector form on one element type, this compiles the program instead into
/// one loop (a <see cref="DynamicMethod"/>, compiled by the .NET JIT) that loads the inputs of one
/// vector of the chosen width (Note [vector widths]) into registers, applies the instructions' own
/// <c>Vector</c> routines instantiated at that width (the
/// same <see cref="IUnaryOp{T}"/>/<see cref="IBinaryOp{T}"/> structs the tile routines use, so the
/// per-element results are the same bits) and stores only the results; the tail runs the same
/// instructions' <c>Scalar</c> routines, which give the same bits as their vector lanes. This is
/// what a hand-fused loop does; the tile path stays for everything else (conversions, bools,
/// mixed element sizes, routines without a vector form).
/// </summary>
internal static class RegisterKernel
{
    /// <summary>
    /// One instruction to compile: the value it defines, its primitive and result dtype, its tile
    /// routine (which names its operation struct) and its operands.
    /// </summary>
    public readonly record struct Op(int Value, string Primitive, DType DType, SpanOp Code, IReadOnlyList<OperandRef> Operands);

    /// <summary>
    /// The program compiled to one register loop, or null when some instruction cannot take part
    /// (Note [register kernels]); <paramref name="dtype"/> is the element type of every operand and
    /// result. The loop runs vectors of <paramref name="bits"/> (512, 256 or 128; by default
    /// <see cref="VectorWidth.Bits"/>, and none when the hardware accelerates no vectors).
    /// </summary>
    public static RegisterTile? TryCompile(IReadOnlyList<Op> ops, DType dtype, IReadOnlyList<OperandRef> results, Func<OperandRef, int> slotOf,
        int bits = 0)
    {
        if (bits == 0)
        {
            if (!Vector128.IsHardwareAccelerated) return null;
            bits = VectorWidth.Bits;
        }
        if (ops.Count == 0) return null;
        Type? t = dtype switch { DType.F32 => typeof(float), DType.F64 => typeof(double), DType.I32 => typeof(int), _ => null };
        if (t is null) return null;
        var lanes = VectorWidth.LanesType(bits, t);
        var byValue = ops.ToDictionary(o => o.Value);
        foreach (var r in results)
            if (r.Kind == OperandKind.Value && byValue[r.Index].DType == DType.Bool) return null; // bools stay masks, never stored
        var forms = new Form[ops.Count];
        for (int j = 0; j < ops.Count; j++)
        {
            var form = FormOf(ops[j], t, lanes);
            if (form is null) return null;
            forms[j] = form;
        }
        if (forms.Count(f => f.VectorMath) > MaxVectorMathCalls) return null;
        return new Emitter(t, lanes, ops, forms, results, slotOf).Compile();
    }

    /// <summary>How an instruction runs in registers: its vector and scalar methods, and whether its one operand is passed twice.</summary>
    private sealed record Form(MethodInfo Vector, MethodInfo Scalar, bool Twice = false, bool VectorMath = false);

    /// <summary>
    /// The most VectorMath calls (exp, sin, tanh, ...) one register loop takes. The kernels are
    /// inlined into the loop, and past this the JIT's inlining budget runs out: the rest become
    /// calls of unoptimized code. Measured on a chain of k functions over 10M f32 (2 threads): the
    /// register loop took 0.46x, 0.71x, 0.90x and 1.2x the tile routines' time for k = 1 to 4, and
    /// 5x for k = 5 and 6. A body with more runs on the tile routines.
    /// </summary>
    public const int MaxVectorMathCalls = 3;

    /// <summary>
    /// The form of an instruction on <paramref name="lanes"/> of <paramref name="t"/>: the operation
    /// struct behind a Unary/Binary/Ternary/Compare/Predicate tile routine, or a
    /// <see cref="MaskLanes{TV, T}"/> method for select and the logic of bools (which live in
    /// registers as lane masks of <paramref name="t"/>).
    /// </summary>
    private static Form? FormOf(Op op, Type t, Type lanes)
    {
        var masks = typeof(MaskLanes<,>).MakeGenericType(lanes, t);
        Form? Mask(string name) => new(Method(masks, name, vector: true), Method(masks, name, vector: false));
        if (op.DType == DType.Bool && op.Primitive is "and" or "or" or "xor" or "not")
            return op.Code.Method.GetGenericArguments() is [var b, ..] && b == typeof(byte) ? Mask(Capitalized(op.Primitive)) : null;
        if (op.Primitive == "select") return op.DType == DTypeOf(t) ? Mask("Select") : null;

        var m = op.Code.Method;
        if (!m.IsGenericMethod || m.DeclaringType != typeof(SpanDrivers)) return null;
        var args = m.GetGenericArguments();
        if (args.Length != 2 || args[0] != t) return null;
        var opType = args[1];
        (int arity, bool twice) = m.Name switch
        {
            nameof(SpanDrivers.Unary) => (1, false),
            nameof(SpanDrivers.Binary) or nameof(SpanDrivers.Compare) => (2, false),
            nameof(SpanDrivers.Ternary) => (3, false),
            nameof(SpanDrivers.Predicate) => (1, true),
            _ => (0, false),
        };
        if (arity == 0 || arity != op.Operands.Count) return null;
        if (opType.GetProperty("Vectorized", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is false) return null;
        var vector = opType.GetMethod("Vector", BindingFlags.Public | BindingFlags.Static)?.MakeGenericMethod(lanes);
        var scalar = opType.GetMethod("Scalar", BindingFlags.Public | BindingFlags.Static);
        return vector is null || scalar is null ? null : new Form(vector, scalar, twice, typeof(IVectorMathOp).IsAssignableFrom(opType));
    }

    private static string Capitalized(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    private static DType DTypeOf(Type t) => t == typeof(float) ? DType.F32 : t == typeof(double) ? DType.F64 : DType.I32;

    private static MethodInfo Method(Type owner, string name, bool vector) => owner.GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Single(m => m.Name == name && (m.ReturnType.IsGenericType || m.GetParameters()[0].ParameterType.IsGenericType) == vector);

    /// <summary>A reference to the first element of slot <paramref name="slot"/> (called once per tile by the compiled code).</summary>
    public static ref byte SlotRef(BufferRef[] slots, int slot) => ref slots[slot].At<byte>(0);

    private sealed class Emitter(Type t, Type lanes, IReadOnlyList<Op> ops, Form[] forms, IReadOnlyList<OperandRef> results, Func<OperandRef, int> slotOf)
    {
        private readonly Type _vector = lanes;
        private readonly Type _masks = typeof(MaskLanes<,>).MakeGenericType(lanes, t);
        private readonly int _count = (int)lanes.GetProperty("Count")!.GetValue(null)!;
        private readonly Dictionary<int, LocalBuilder> _slotRef = [];
        private readonly Dictionary<Literal, (LocalBuilder Scalar, LocalBuilder Vector)> _literal = [];
        private readonly Dictionary<int, int> _opOf = Enumerable.Range(0, ops.Count).ToDictionary(j => ops[j].Value);
        private ILGenerator _il = null!;

        private static readonly MethodInfo SlotRefMethod = typeof(RegisterKernel).GetMethod(nameof(SlotRef))!;

        public RegisterTile Compile()
        {
            var dm = new DynamicMethod("register_tile", typeof(void), [typeof(BufferRef[]), typeof(int)], typeof(RegisterKernel).Module,
                skipVisibility: true);
            _il = dm.GetILGenerator();
            var il = _il;
            var order = BranchCones.Order(ops.Select(o => new BranchCones.Node(o.Value, o.Primitive, o.Operands)).ToList(), results);

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
            new Body(this, vector: true, i).Emit(order, stored);
            il.Emit(OpCodes.Ldloc, i); il.Emit(OpCodes.Ldc_I4, _count); il.Emit(OpCodes.Conv_U); il.Emit(OpCodes.Add); il.Emit(OpCodes.Stloc, i);
            il.Emit(OpCodes.Br, vectorTest);

            il.MarkLabel(scalarTest);
            il.Emit(OpCodes.Ldloc, i); il.Emit(OpCodes.Ldloc, end); il.Emit(OpCodes.Bge_Un, done);
            new Body(this, vector: false, i).Emit(order, stored);
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
            bool isBool = lit.DType == DType.Bool;
            var s = _il.DeclareLocal(isBool ? typeof(bool) : t);
            var v = _il.DeclareLocal(_vector);
            if (isBool) _il.Emit(lit.Value != 0 ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
            else if (t == typeof(float)) _il.Emit(OpCodes.Ldc_R4, (float)lit.Value);
            else if (t == typeof(double)) _il.Emit(OpCodes.Ldc_R8, lit.Value);
            else _il.Emit(OpCodes.Ldc_I4, (int)lit.Value);
            _il.Emit(OpCodes.Stloc, s);
            _il.Emit(OpCodes.Ldloc, s);
            _il.Emit(OpCodes.Call, isBool ? _masks.GetMethod("Broadcast")! : _vector.GetMethod("Splat")!);
            _il.Emit(OpCodes.Stloc, v);
            _literal[lit] = (s, v);
        }

        /// <summary>
        /// One iteration's code: one vector of elements at <c>i</c>, or one element. The instructions
        /// run in <see cref="BranchCones.Order"/>'s order; a run of instructions under a guard is one
        /// block the loop jumps over when no lane (or every lane) of the guard's predicate is true
        /// (Note [skipped branches]).
        /// </summary>
        private sealed class Body(Emitter e, bool vector, LocalBuilder i)
        {
            private readonly ILGenerator _il = e._il;
            private readonly Dictionary<int, LocalBuilder> _loaded = [];
            private readonly Dictionary<int, LocalBuilder> _values = [];

            private Type Lane(DType d) => vector ? e._vector : d == DType.Bool ? typeof(bool) : e.T;

            public void Emit(List<(int Value, BranchCones.Guard[] Guards)> order, List<(int Value, int Slot)> stored)
            {
                // Inputs first, outside every guard: a skipped block must not be the only place one is loaded.
                foreach (var (value, _) in order)
                    foreach (var o in e.Ops[e._opOf[value]].Operands)
                        if (o.Kind is OperandKind.Input or OperandKind.Product) Load(e.SlotOf(o));

                var open = new List<(BranchCones.Guard Guard, Label End)>();
                foreach (var (value, guards) in order)
                {
                    int common = 0;
                    while (common < open.Count && common < guards.Length && open[common].Guard == guards[common]) common++;
                    for (int k = open.Count - 1; k >= common; k--) _il.MarkLabel(open[k].End);
                    open.RemoveRange(common, open.Count - common);
                    foreach (var g in guards.Skip(common))
                    {
                        var end = _il.DefineLabel();
                        Push(g.Pred);
                        _il.Emit(OpCodes.Call, Method(e._masks, g.SkipWhenNone ? "None" : "All", vector));
                        _il.Emit(OpCodes.Brtrue, end);
                        open.Add((g, end));
                    }
                    EmitInstruction(value);
                }
                for (int k = open.Count - 1; k >= 0; k--) _il.MarkLabel(open[k].End);

                foreach (var (value, slot) in stored)
                {
                    if (vector)
                    {
                        _il.Emit(OpCodes.Ldloc, _values[value]);
                        EmitAddress(slot);
                        _il.Emit(OpCodes.Call, e.StoreUnsafe);
                    }
                    else
                    {
                        EmitAddress(slot);
                        _il.Emit(OpCodes.Ldloc, _values[value]);
                        _il.Emit(OpCodes.Stobj, e.T);
                    }
                }
            }

            /// <summary>Emits the instruction defining <paramref name="value"/>; its operands are already in locals.</summary>
            private void EmitInstruction(int value)
            {
                int j = e._opOf[value];
                var op = e.Ops[j];
                foreach (var o in op.Operands) Push(o);
                if (e.Forms[j].Twice) Push(op.Operands[0]);
                _il.Emit(OpCodes.Call, vector ? e.Forms[j].Vector : e.Forms[j].Scalar);
                var result = _il.DeclareLocal(Lane(op.DType));
                _il.Emit(OpCodes.Stloc, result);
                _values[value] = result;
            }

            private void Push(OperandRef o)
            {
                switch (o.Kind)
                {
                    case OperandKind.Input or OperandKind.Product: _il.Emit(OpCodes.Ldloc, Load(e.SlotOf(o))); break;
                    case OperandKind.Literal:
                        var (s, v) = e._literal[o.Literal!];
                        _il.Emit(OpCodes.Ldloc, vector ? v : s);
                        break;
                    default: _il.Emit(OpCodes.Ldloc, _values[o.Index]); break;
                }
            }

            /// <summary>The input's elements in a local, loaded once per iteration.</summary>
            private LocalBuilder Load(int slot)
            {
                if (_loaded.TryGetValue(slot, out var l)) return l;
                l = _il.DeclareLocal(vector ? e._vector : e.T);
                EmitAddress(slot);
                if (vector) _il.Emit(OpCodes.Call, e.LoadUnsafe);
                else _il.Emit(OpCodes.Ldobj, e.T);
                _il.Emit(OpCodes.Stloc, l);
                return _loaded[slot] = l;
            }

            /// <summary>Pushes <c>ref T</c> of the slot and, for vectors, the element offset <c>i</c>; for scalars the element's own address.</summary>
            private void EmitAddress(int slot)
            {
                _il.Emit(OpCodes.Ldloc, e._slotRef[slot]);
                _il.Emit(OpCodes.Call, e.AsT);
                _il.Emit(OpCodes.Ldloc, i);
                if (!vector) _il.Emit(OpCodes.Call, e.AddT);
            }
        }

        private int SlotOf(OperandRef o) => slotOf(o);
        private Type T => t;
        private IReadOnlyList<Op> Ops => ops;
        private Form[] Forms => forms;

        private MethodInfo AsT => typeof(Unsafe).GetMethods()
            .Single(m => m.Name == nameof(Unsafe.As) && m.GetGenericArguments().Length == 2)
            .MakeGenericMethod(typeof(byte), t);

        private MethodInfo AddT => typeof(Unsafe).GetMethods()
            .Single(m => m.Name == nameof(Unsafe.Add) && m.GetParameters() is [{ ParameterType.IsByRef: true }, var p] && p.ParameterType == typeof(nuint))
            .MakeGenericMethod(t);

        private MethodInfo LoadUnsafe => _vector.GetMethod("Load")!;

        private MethodInfo StoreUnsafe => _vector.GetMethod("Store")!;
    }
}

/// <summary>
/// Bools inside a register loop: lanes of <typeparamref name="TV"/> (a vector of
/// <typeparamref name="T"/>) with every bit set (true) or clear (false), the form vector
/// comparisons produce; a scalar bool in the tail.
/// </summary>
internal static class MaskLanes<TV, T> where TV : struct, IVectorLanes<TV, T> where T : unmanaged
{
    public static TV Select(TV pred, TV onTrue, TV onFalse) => TV.ConditionalSelect(pred, onTrue, onFalse);
    public static T Select(bool pred, T onTrue, T onFalse) => pred ? onTrue : onFalse;
    public static TV And(TV x, TV y) => x & y;
    public static bool And(bool x, bool y) => x & y;
    public static TV Or(TV x, TV y) => x | y;
    public static bool Or(bool x, bool y) => x | y;
    public static TV Xor(TV x, TV y) => x ^ y;
    public static bool Xor(bool x, bool y) => x ^ y;
    public static TV Not(TV x) => ~x;
    public static bool Not(bool x) => !x;
    public static TV Broadcast(bool x) => x ? TV.AllBitsSet : TV.Zero;
    /// <summary>No lane is true.</summary>
    public static bool None(TV pred) => TV.None(pred);
    public static bool None(bool pred) => !pred;
    /// <summary>Every lane is true.</summary>
    public static bool All(TV pred) => TV.All(pred);
    public static bool All(bool pred) => pred;
}

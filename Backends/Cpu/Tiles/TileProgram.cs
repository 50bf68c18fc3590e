using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArrayLang.Backends.Cpu.Ops;
using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Compile.Lowering;
using ArrayLang.Compile.Lowering.Analysis;
using ArrayLang.Ir;

namespace ArrayLang.Backends.Cpu.Tiles;

/// <summary>
/// Scalar instructions compiled for tiles (Note [tile slots]): each operand is a slot, each slot a
/// run of up to <see cref="LaneElements"/> elements; running the program applies every
/// instruction's routine from <see cref="CpuOpTable"/> to a tile of <c>n</c> elements.
/// </summary>
/// <remarks>
/// Note [tile slots]: slots <c>0 .. inputs-1</c> are the kernel's inputs, pointed each tile at the
/// input's elements (dense inputs are read in place) or at a lane of scratch the executor gathers
/// into; then the product slot of a contraction, then one slot per distinct literal (a scratch
/// lane filled once per thread), then one slot per instruction result. Result slots share scratch
/// lanes by liveness (an instruction's destination never shares a lane with its own operands, so
/// a routine converting between sizes cannot overwrite what it has yet to read), and a result
/// that is a dense kernel output is pointed straight at the output buffer.
///
/// Note [fused multiply-add]: when the program was compiled with float contraction
/// (<c>CompileOptions.ContractFloat</c>, off by default: Note [float contraction]), a float <c>mul</c>
/// whose only use is an <c>add</c> runs as one fused multiply-add at the add (one rounding instead
/// of two), saving a pass over the tile; liveness counts the mul's operands as used at the add. Scratch lanes hold
/// <see cref="LaneElements"/> elements of 8 bytes, so a tile's working set stays in L1/L2.
/// </remarks>
internal sealed class TileProgram
{
    /// <summary>Elements per elementwise tile: a tile's inputs, outputs and live values stay in L1/L2
    /// and each instruction's dispatch is amortized over 128 vectors (1024 measured the same on W1).</summary>
    public const int TileElements = 2048;

    /// <summary>Elements a scratch lane holds: the largest run a program is given (scan and while lane
    /// tiles, contraction row blocks).</summary>
    public const int LaneElements = 8192;

    /// <summary>Bytes per scratch lane.</summary>
    public const int LaneBytes = LaneElements * 8;

    private readonly record struct Step(SpanOp Op, int Dst, int A, int B, int C, int DstSize, int ASize, int BSize, int CSize,
        (int PredSlot, bool SkipWhenNone)[]? Guards);

    private readonly Step[] _steps;
    private readonly (int Slot, Literal Value, DType DType)[] _constants;
    private readonly int[] _valueLane;
    private readonly int _firstLane;

    /// <summary>Compiles <paramref name="instructions"/> over inputs of the given dtypes.</summary>
    /// <param name="inputDTypes">The dtype of each kernel input.</param>
    /// <param name="productDType">The product's dtype in a contraction epilogue, else null.</param>
    /// <param name="instructions">The instructions.</param>
    /// <param name="results">Operands that must stay valid until the tile is done (the outputs' sources).</param>
    /// <param name="reservedLanes">Scratch lanes <c>0 .. reservedLanes-1</c> left to the executor (for gathered inputs).</param>
    /// <param name="registerKernels">Whether to compile the program into one register loop where it can (Note [register kernels]).</param>
    /// <param name="contractFloat">Whether a float mul feeding only an add runs as a fused multiply-add (Note [float contraction]).</param>
    public TileProgram(IReadOnlyList<DType> inputDTypes, DType? productDType, IReadOnlyList<ScalarInstruction> instructions,
        IEnumerable<OperandRef> results, int reservedLanes, bool registerKernels, bool contractFloat)
    {
        var resultRefs = results.ToList();
        InputCount = inputDTypes.Count;
        ProductSlot = productDType is null ? -1 : InputCount;
        _firstLane = reservedLanes;
        int next = InputCount + (productDType is null ? 0 : 1);
        var slotSize = new List<int>();
        slotSize.AddRange(inputDTypes.Select(SizeOf));
        if (productDType is { } pd) slotSize.Add(SizeOf(pd));

        // Literal slots, one per distinct (dtype, value).
        var constants = new List<(int Slot, Literal Value, DType DType)>();
        var constantSlot = new Dictionary<Literal, int>();
        foreach (var ins in instructions)
            foreach (var o in ins.Operands)
                if (o.Kind == OperandKind.Literal) AddConstant(o.Literal!);
        foreach (var r in resultRefs)
            if (r.Kind == OperandKind.Literal) AddConstant(r.Literal!);
        void AddConstant(Literal l)
        {
            if (constantSlot.ContainsKey(l)) return;
            constantSlot[l] = next;
            constants.Add((next++, l, l.DType));
            slotSize.Add(SizeOf(l.DType));
        }
        _constants = constants.ToArray();
        FirstValueSlot = next;
        slotSize.AddRange(instructions.Select(i => SizeOf(i.DType)));
        _slotSize = slotSize.ToArray();
        SlotCount = slotSize.Count;

        int Slot(OperandRef r) => r.Kind switch
        {
            OperandKind.Input => r.Index,
            OperandKind.Product => ProductSlot,
            OperandKind.Literal => constantSlot[r.Literal!],
            _ => FirstValueSlot + r.Index,
        };
        _slotOf = Slot;

        // Note [fused multiply-add]: with float contraction on, a float mul whose only use is an add
        // becomes one fused multiply-add at the add; the mul itself does not run.
        var fmaOf = contractFloat ? FloatContraction.Pairs(instructions, resultRefs) : [];
        var skipped = new HashSet<int>(fmaOf.Values);
        IReadOnlyList<OperandRef> Effective(int j)
        {
            if (skipped.Contains(j)) return [];
            if (!fmaOf.TryGetValue(j, out int m)) return instructions[j].Operands;
            var add = instructions[j].Operands;
            var other = add[0] == OperandRef.Value(m) ? add[1] : add[0];
            return [instructions[m].Operands[0], instructions[m].Operands[1], other];
        }

        // The order the steps run in (Note [skipped branches]: a select's predicate before its
        // branches, each branch step with the guards it runs under); values no result needs are dropped.
        var order = BranchCones.Order(
            Enumerable.Range(0, instructions.Count).Where(j => !skipped.Contains(j))
                .Select(j => new BranchCones.Node(j, instructions[j].Primitive.Name, Effective(j))).ToList(),
            resultRefs);

        // Last use of each value by position in that order (results live to the end), then lanes by a linear scan.
        var position = new Dictionary<int, int>();
        for (int p = 0; p < order.Count; p++) position[order[p].Value] = p;
        var lastUse = new Dictionary<int, int>(position);
        for (int p = 0; p < order.Count; p++)
            foreach (var o in Effective(order[p].Value))
                if (o.Kind == OperandKind.Value) lastUse[o.Index] = Math.Max(lastUse[o.Index], p);
        foreach (var r in resultRefs)
            if (r.Kind == OperandKind.Value) lastUse[r.Index] = int.MaxValue;
        _valueLane = new int[instructions.Count];
        var free = new SortedSet<int>();
        int lanes = 0;
        for (int p = 0; p < order.Count; p++)
        {
            int j = order[p].Value;
            if (free.Count > 0) { _valueLane[j] = free.Min; free.Remove(free.Min); }
            else _valueLane[j] = lanes++;
            foreach (var o in Effective(j).Distinct())
                if (o.Kind == OperandKind.Value && lastUse[o.Index] == p) free.Add(_valueLane[o.Index]);
            if (lastUse[j] == p) free.Add(_valueLane[j]); // a dead result: its lane is free at once
        }
        LaneCount = reservedLanes + constants.Count + lanes;

        _steps = order.Select(entry =>
        {
            int j = entry.Value;
            var ins = instructions[j];
            var code = fmaOf.ContainsKey(j)
                ? CpuOpTable.FusedMultiplyAdd(ins.DType)
                : CpuOpTable.Find(ins.Primitive.Name, ins.OperandDType, ins.DType)
                    ?? throw new NotSupportedException(
                        $"the CPU backend has no routine for {ins.Primitive.Name} on {ins.OperandDType.Name()} giving {ins.DType.Name()}");
            var ops = Effective(j);
            int a = ops.Count > 0 ? Slot(ops[0]) : -1;
            int b = ops.Count > 1 ? Slot(ops[1]) : -1;
            int c = ops.Count > 2 ? Slot(ops[2]) : -1;
            int dst = FirstValueSlot + j;
            var guards = entry.Guards.Select(g => (Slot(g.Pred), g.SkipWhenNone)).ToArray();
            return new Step(code, dst, a, b, c, _slotSize[dst], a < 0 ? 0 : _slotSize[a], b < 0 ? 0 : _slotSize[b], c < 0 ? 0 : _slotSize[c],
                guards.Length == 0 ? null : guards);
        }).ToArray();

        if (registerKernels && SingleElementType(inputDTypes, productDType, instructions) is { } dtype)
            _register = RegisterKernel.TryCompile(
                Enumerable.Range(0, instructions.Count).Where(j => !skipped.Contains(j))
                    .Select(j => new RegisterKernel.Op(j, instructions[j].Primitive.Name, instructions[j].DType, fmaOf.ContainsKey(j) ? CpuOpTable.FusedMultiplyAdd(instructions[j].DType)
                        : CpuOpTable.Find(instructions[j].Primitive.Name, instructions[j].OperandDType, instructions[j].DType)!, Effective(j)))
                    .ToList(),
                dtype, resultRefs, Slot);
    }

    /// <summary>
    /// The one element type of every instruction, operand and literal, bools aside (inside a
    /// register loop they are lane masks, Note [register kernels]), or null when there are several.
    /// </summary>
    private static DType? SingleElementType(IReadOnlyList<DType> inputDTypes, DType? productDType, IReadOnlyList<ScalarInstruction> instructions)
    {
        var types = instructions.SelectMany(ins => new[] { ins.DType, ins.OperandDType })
            .Concat(instructions.SelectMany(ins => ins.Operands).Select(o => o.Kind switch
            {
                OperandKind.Input => inputDTypes[o.Index],
                OperandKind.Product => productDType ?? DType.Bool,
                OperandKind.Literal => o.Literal!.DType,
                _ => DType.Bool,
            }))
            .Where(d => d != DType.Bool).Distinct().ToList();
        bool boolInput = instructions.SelectMany(ins => ins.Operands).Any(o => o.Kind == OperandKind.Input && inputDTypes[o.Index] == DType.Bool);
        return types.Count == 1 && !boolInput ? types[0] : null;
    }

    private readonly RegisterTile? _register;

    /// <summary>Whether the program runs as one compiled register loop (Note [register kernels]) rather than instruction by instruction.</summary>
    public bool IsRegisterKernel => _register is not null;

    private readonly int[] _slotSize;
    private readonly Func<OperandRef, int> _slotOf;

    /// <summary>The number of kernel inputs (slots <c>0 .. InputCount-1</c>).</summary>
    public int InputCount { get; }

    /// <summary>The product's slot, or -1.</summary>
    public int ProductSlot { get; }

    /// <summary>The slot of instruction 0's result.</summary>
    public int FirstValueSlot { get; }

    /// <summary>Slots in all.</summary>
    public int SlotCount { get; }

    /// <summary>Scratch lanes in all, the reserved ones included.</summary>
    public int LaneCount { get; }

    /// <summary>Scratch bytes a worker needs.</summary>
    public int ScratchBytes => LaneCount * LaneBytes;

    /// <summary>The slot an operand reads.</summary>
    public int SlotOf(OperandRef r) => _slotOf(r);

    /// <summary>Bytes per element of a slot.</summary>
    public int SlotSize(int slot) => _slotSize[slot];

    /// <summary>The scratch lane <paramref name="lane"/> as a buffer of the worker's scratch.</summary>
    public static BufferRef Lane(byte[] scratch, int lane) => new(scratch, (long)lane * LaneBytes, LaneBytes);

    /// <summary>
    /// Prepares a worker: fills the literal lanes and points literal and result slots at their
    /// lanes. Input, product and direct-output slots are set by the executor per tile.
    /// </summary>
    /// <param name="scratch">The worker's scratch.</param>
    /// <param name="slots">The worker's slots.</param>
    /// <param name="maxElements">The most elements a run will be given (literal lanes are filled that far).</param>
    public void InitWorker(byte[] scratch, BufferRef[] slots, int maxElements)
    {
        for (int i = 0; i < _constants.Length; i++)
        {
            var (slot, value, dtype) = _constants[i];
            var lane = Lane(scratch, _firstLane + i);
            Fill(lane, dtype, value.Value, maxElements);
            slots[slot] = lane;
        }
        for (int j = 0; j < _valueLane.Length; j++)
            slots[FirstValueSlot + j] = Lane(scratch, _firstLane + _constants.Length + _valueLane[j]);
    }

    /// <summary>Points result slot <paramref name="value"/> at its scratch lane again (after a direct output used it).</summary>
    public BufferRef ValueLane(byte[] scratch, int value) => Lane(scratch, _firstLane + _constants.Length + _valueLane[value]);

    /// <summary>Runs every instruction on <paramref name="n"/> elements of the slots.</summary>
    public void Run(BufferRef[] slots, int n)
    {
        if (_register is not null)
        {
            _register(slots, n);
            return;
        }
        foreach (var s in _steps)
        {
            if (s.Guards is { } guards && Skipped(guards, slots, n)) continue;
            s.Op(slots[s.Dst].Bytes(0, n, s.DstSize),
                s.A < 0 ? default : slots[s.A].Bytes(0, n, s.ASize),
                s.B < 0 ? default : slots[s.B].Bytes(0, n, s.BSize),
                s.C < 0 ? default : slots[s.C].Bytes(0, n, s.CSize),
                n);
        }
    }

    /// <summary>Whether a guarded step sits out this tile: no lane (or every lane) of a guard's predicate is true (Note [skipped branches]).</summary>
    private static bool Skipped((int PredSlot, bool SkipWhenNone)[] guards, BufferRef[] slots, int n)
    {
        foreach (var (pred, skipWhenNone) in guards)
        {
            var lanes = slots[pred].Bytes(0, n, 1);
            if (skipWhenNone ? !lanes.ContainsAnyExcept((byte)0) : !lanes.Contains((byte)0)) return true;
        }
        return false;
    }

    /// <summary>Element size of a dtype in a tile (bool is one byte).</summary>
    public static int SizeOf(DType d) => d.SizeInBytes();

    /// <summary>Fills <paramref name="count"/> elements of <paramref name="target"/> with a literal's value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Note [optimized from the first call] (VectorMath.cs)
    public static void Fill(BufferRef target, DType dtype, double value, int count)
    {
        switch (dtype)
        {
            case DType.F32: MemoryMarshal.Cast<byte, float>(target.Bytes(0, count, 4)).Fill((float)value); break;
            case DType.F64: MemoryMarshal.Cast<byte, double>(target.Bytes(0, count, 8)).Fill(value); break;
            case DType.I32: MemoryMarshal.Cast<byte, int>(target.Bytes(0, count, 4)).Fill((int)value); break;
            default: target.Bytes(0, count, 1).Fill(value != 0 ? (byte)1 : (byte)0); break;
        }
    }
}

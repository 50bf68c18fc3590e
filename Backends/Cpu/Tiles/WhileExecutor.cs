using System.Runtime.CompilerServices;
using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;

namespace ArrayLang.Backends.Cpu.Tiles;

/// <summary>
/// Runs a <see cref="WhileKernel"/> (Note [lane-parallel while]) over a working set of lanes that
/// retires finished lanes and refills their places (Note [retiring lanes]); no step dispatches a
/// kernel per operation.
/// </summary>
/// <remarks>
/// Note [retiring lanes]: lanes of a batched while finish after very different counts (W8: 2 to 60
/// Newton steps), and a tile that runs until its slowest lane is done spends most of its steps on
/// finished lanes (issue 11: 32M lane-steps for 8.6M real ones). So the lanes are split into fixed
/// chunks (Note [fixed partition]); a chunk runs a working set of at most <see cref="WorkingLanes"/>
/// positions, each holding one lane's consts and carries. After each evaluation of the predicate,
/// once at least <see cref="RetireAtLeast"/> positions hold finished lanes (or none is active), those
/// lanes are retired: their carries are written to the results, and their positions take the
/// chunk's next lanes, or, when the chunk has none left, the working set's last lanes (so the
/// active lanes stay packed at the front). A refilled lane goes straight into the body without a
/// new predicate evaluation: the body keeps a lane whose predicate fails unchanged
/// (<c>select(active, next, carry)</c>), so a lane that is done at its start is retired at the next
/// check. Each lane runs exactly the steps it would alone, whatever position holds it, so the
/// results are the same bits as a loop over the whole batch. The positions between retirements
/// that hold finished lanes waste at most <see cref="RetireAtLeast"/> of <see cref="WorkingLanes"/>
/// lanes' work per step.
/// </remarks>
internal sealed class WhileExecutor : KernelExecutor
{
    /// <summary>Positions in a chunk's working set: its lanes stay in L1/L2 across steps.</summary>
    public const int WorkingLanes = 1024;

    /// <summary>Finished lanes a working set accumulates before they are retired (Note [retiring lanes]).</summary>
    public const int RetireAtLeast = WorkingLanes / 16;

    /// <summary>Chunks the lanes are split into at most (Note [fixed partition]): enough to balance the cores.</summary>
    private const int MaxChunks = 64;

    private readonly WhileKernel _k;
    private readonly TileProgram _cond, _body;
    private readonly int _activeSlot, _consts, _carries, _maxThreads, _workingLanes, _retireAtLeast;
    private readonly long _chunkLanes;
    private readonly int[] _resultSlot, _size;
    private readonly DType[] _dtype;
    private readonly Strided[] _maps;
    private readonly long _lanes;

    /// <inheritdoc />
    public override int RegisterLoops => (_cond.IsRegisterKernel ? 1 : 0) + (_body.IsRegisterKernel ? 1 : 0);

    public WhileExecutor(WhileKernel k, IReadOnlyList<BufferInfo> buffers, CpuOptions options)
    {
        _k = k;
        _maxThreads = options.MaxThreads;
        _lanes = k.LaneShape.ElementCount;
        _consts = k.Consts;
        _carries = k.Operands.Length - k.Consts;
        _dtype = k.Operands.Select(o => buffers[o.Buffer].Type.DType).ToArray();
        _size = _dtype.Select(d => d.SizeInBytes()).ToArray();
        _workingLanes = (int)Math.Clamp(_lanes, 1, WorkingLanes);
        _retireAtLeast = Math.Max(1, Math.Min(RetireAtLeast, _workingLanes / 16));
        _chunkLanes = Math.Max(_workingLanes, (_lanes + MaxChunks - 1) / MaxChunks);
        // Body scratch: one lane per operand, then the next carries; the predicate reads the same slots.
        _body = new TileProgram(_dtype, null, k.BodyInstructions, k.BodyResults, k.Operands.Length + _carries, options.RegisterKernels, options.ContractFloat);
        _cond = new TileProgram(_dtype, null, k.CondInstructions, [k.Active], 0, options.RegisterKernels, options.ContractFloat);
        _activeSlot = _cond.SlotOf(k.Active);
        _resultSlot = k.BodyResults.Select(_body.SlotOf).ToArray();
        var laneDims = k.LaneShape.Select(d => (long)d).ToArray();
        _maps = k.Operands.Select((o, i) => o.Uniform
            ? new Strided(o.Map.Offset, [], [], _size[i])
            : new Strided(o.Map.Offset, o.Map.Strides, laneDims, _size[i])).ToArray();
    }

    private sealed class Worker
    {
        public required byte[] BodyScratch, CondScratch;
        public required BufferRef[] BodySlots, CondSlots;
        /// <summary>The lane each position of the working set holds.</summary>
        public required long[] LaneOf;
        /// <summary>The positions of finished lanes found at a retirement, ascending.</summary>
        public required int[] Holes;
        /// <summary>Element offsets of refilled lanes in one operand.</summary>
        public required long[] Offsets;
    }

    public override void Run(BufferRef[] buffers)
    {
        int chunks = (int)Math.Max(1, (_lanes + _chunkLanes - 1) / _chunkLanes);
        CpuParallel.For(chunks, _lanes >= CpuParallel.ParallelThreshold / 8, _maxThreads,
            () =>
            {
                var w = new Worker
                {
                    BodyScratch = ScratchPool.Rent(_body.ScratchBytes),
                    CondScratch = new byte[_cond.ScratchBytes],
                    BodySlots = new BufferRef[_body.SlotCount],
                    CondSlots = new BufferRef[_cond.SlotCount],
                    LaneOf = new long[_workingLanes],
                    Holes = new int[_workingLanes],
                    Offsets = new long[_workingLanes],
                };
                _body.InitWorker(w.BodyScratch, w.BodySlots, _workingLanes);
                _cond.InitWorker(w.CondScratch, w.CondSlots, _workingLanes);
                return w;
            },
            (c, w) => RunChunk(buffers, w, c),
            w => ScratchPool.Return(w.BodyScratch));
    }

    // Fully optimized on first call: a quick run calls it once, and tier-0 code for this loop ran W8 at half speed.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunChunk(BufferRef[] buffers, Worker w, int chunk)
    {
        long next = chunk * _chunkLanes, end = Math.Min(_lanes, next + _chunkLanes);
        var ops = _k.Operands;
        var slots = w.BodySlots;
        var cur = new BufferRef[_carries];
        var nextCarry = new BufferRef[_carries];
        // Every operand gets its own scratch lane (a retirement moves lanes between positions).
        for (int i = 0; i < ops.Length; i++)
        {
            slots[i] = TileProgram.Lane(w.BodyScratch, i);
            if (ops[i].Uniform)
                TileProgram.Fill(slots[i], _dtype[i], Primitives.PrimitiveExecutors.ValueAt(buffers[ops[i].Buffer], _dtype[i], _maps[i].DenseStart(0)), _workingLanes);
            if (i >= _consts)
            {
                cur[i - _consts] = slots[i];
                nextCarry[i - _consts] = TileProgram.Lane(w.BodyScratch, ops.Length + i - _consts);
            }
        }
        int m = (int)Math.Min(_workingLanes, end - next);
        for (int i = 0; i < ops.Length; i++)
            if (!ops[i].Uniform) _maps[i].Gather(buffers[ops[i].Buffer], next, m, slots[i]);
        for (int p = 0; p < m; p++) w.LaneOf[p] = next + p;
        next += m;

        while (m > 0)
        {
            for (int i = 0; i < ops.Length; i++) w.CondSlots[i] = slots[i];
            _cond.Run(w.CondSlots, m);
            var active = w.CondSlots[_activeSlot].Bytes(0, m, 1);
            int finished = active.Count((byte)0);
            if (finished == m || finished >= _retireAtLeast)
            {
                m = Retire(buffers, w, slots, active, finished, m, ref next, end);
                if (m == 0) break;
            }
            _body.Run(slots, m);
            for (int j = 0; j < _carries; j++)
            {
                int size = _size[_consts + j];
                slots[_resultSlot[j]].Bytes(0, m, size).CopyTo(nextCarry[j].Bytes(0, m, size));
            }
            (cur, nextCarry) = (nextCarry, cur);
            for (int j = 0; j < _carries; j++) slots[_consts + j] = cur[j];
        }
        if (chunk == 0) WriteUniformResults(buffers, cur);
    }

    /// <summary>
    /// Writes the finished lanes' carries to the results and fills their positions with the chunk's
    /// next lanes, else with the working set's last lanes (Note [retiring lanes]); returns the new
    /// number of positions.
    /// </summary>
    // Fully optimized on first call: a quick run calls it once, and tier-0 code for this loop ran W8 at half speed.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Retire(BufferRef[] buffers, Worker w, BufferRef[] slots, Span<byte> active, int finished, int m, ref long next, long end)
    {
        var holes = w.Holes;
        int h = 0;
        for (int p = active.IndexOf((byte)0); p >= 0 && h < finished; )
        {
            holes[h++] = p;
            int q = active[(p + 1)..].IndexOf((byte)0);
            p = q < 0 ? -1 : p + 1 + q;
        }
        var laneOf = w.LaneOf;
        for (int j = 0; j < _carries; j++)
        {
            if (_k.Results[j].Uniform) continue;
            // Results are dense: lowering writes a while's results row-major.
            var lane = slots[_consts + j];
            var result = buffers[_k.Results[j].Buffer];
            switch (_size[_consts + j])
            {
                case 4: ToLanes(ref lane.At<int>(0), ref result.At<int>(0), holes, laneOf, h); break;
                case 8: ToLanes(ref lane.At<long>(0), ref result.At<long>(0), holes, laneOf, h); break;
                default: ToLanes(ref lane.At<byte>(0), ref result.At<byte>(0), holes, laneOf, h); break;
            }
        }

        // Refill from the chunk's next lanes.
        int refill = (int)Math.Min(h, end - next);
        if (refill > 0)
        {
            var offsets = w.Offsets.AsSpan(0, refill);
            for (int i = 0; i < _k.Operands.Length; i++)
            {
                if (_k.Operands[i].Uniform) continue;
                if (_maps[i].IsDense) for (int q = 0; q < refill; q++) offsets[q] = _maps[i].DenseStart(next + q);
                else _maps[i].Offsets(next, offsets);
                var src = buffers[_k.Operands[i].Buffer];
                switch (_size[i])
                {
                    case 4: FromOffsets(ref src.At<int>(0), ref slots[i].At<int>(0), offsets, holes); break;
                    case 8: FromOffsets(ref src.At<long>(0), ref slots[i].At<long>(0), offsets, holes); break;
                    default: FromOffsets(ref src.At<byte>(0), ref slots[i].At<byte>(0), offsets, holes); break;
                }
            }
            for (int q = 0; q < refill; q++) laneOf[holes[q]] = next + q;
            next += refill;
        }
        if (refill == h) return m;

        // Fill the remaining holes (ascending) with the last positions, dropping holes at the end:
        // moves[q] = (from, to).
        int last = h - 1, moves = 0;
        var from = w.Offsets;
        for (int q = refill; q <= last; q++)
        {
            while (last >= q && holes[last] == m - 1) { last--; m--; }
            if (last < q) break;
            from[moves] = m - 1;
            holes[refill + moves] = holes[q];
            laneOf[holes[q]] = laneOf[m - 1];
            moves++;
            m--;
        }
        var moveFrom = from.AsSpan(0, moves);
        var moveTo = holes.AsSpan(refill, moves);
        for (int i = 0; i < _k.Operands.Length; i++)
        {
            if (_k.Operands[i].Uniform) continue;
            switch (_size[i])
            {
                case 4: Move(ref slots[i].At<int>(0), moveFrom, moveTo); break;
                case 8: Move(ref slots[i].At<long>(0), moveFrom, moveTo); break;
                default: Move(ref slots[i].At<byte>(0), moveFrom, moveTo); break;
            }
        }
        return m;
    }

    /// <summary><c>result[laneOf[p]] = lane[p]</c> for the first <paramref name="count"/> positions <c>p</c> of <paramref name="positions"/>.</summary>
    // Fully optimized on first call: a quick run calls it once, and tier-0 code for this loop ran W8 at half speed.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ToLanes<T>(ref T lane, ref T result, int[] positions, long[] laneOf, int count) where T : unmanaged
    {
        for (int q = 0; q < count; q++)
        {
            int p = positions[q];
            Unsafe.Add(ref result, (nint)laneOf[p]) = Unsafe.Add(ref lane, p);
        }
    }

    /// <summary><c>lane[positions[q]] = src[offsets[q]]</c>.</summary>
    // Fully optimized on first call: a quick run calls it once, and tier-0 code for this loop ran W8 at half speed.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FromOffsets<T>(ref T src, ref T lane, Span<long> offsets, int[] positions) where T : unmanaged
    {
        for (int q = 0; q < offsets.Length; q++) Unsafe.Add(ref lane, positions[q]) = Unsafe.Add(ref src, (nint)offsets[q]);
    }

    /// <summary><c>lane[to[q]] = lane[from[q]]</c>.</summary>
    // Fully optimized on first call: a quick run calls it once, and tier-0 code for this loop ran W8 at half speed.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Move<T>(ref T lane, Span<long> from, Span<int> to) where T : unmanaged
    {
        for (int q = 0; q < from.Length; q++) Unsafe.Add(ref lane, to[q]) = Unsafe.Add(ref lane, (nint)from[q]);
    }

    /// <summary>
    /// A uniform carry is the same in every position (retirements never move it); chunk 0 writes
    /// it once its loop is over. (Lowering's per-lane form makes every carry a per-lane select, so
    /// this is defensive.)
    /// </summary>
    private void WriteUniformResults(BufferRef[] buffers, BufferRef[] cur)
    {
        for (int j = 0; j < _carries; j++)
            if (_k.Results[j].Uniform)
            {
                int size = _size[_consts + j];
                cur[j].Bytes(0, 1, size).CopyTo(buffers[_k.Results[j].Buffer].Bytes(0, 1, size));
            }
    }
}

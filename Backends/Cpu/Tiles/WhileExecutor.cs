using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;

namespace ArrayLang.Backends.Cpu.Tiles;

/// <summary>
/// Runs a <see cref="WhileKernel"/> (Note [lane-parallel while]): each tile of lanes keeps its
/// carries in scratch and iterates until none of its own lanes is active, so a tile whose lanes
/// finish early stops early, and no step dispatches a kernel per operation.
/// </summary>
internal sealed class WhileExecutor : KernelExecutor
{
    private readonly WhileKernel _k;
    private readonly TileProgram _cond, _body;
    private readonly int _activeSlot, _consts, _carries, _maxThreads;
    private int TileLanes => ScanExecutor.LanesPerTile(_lanes, TileProgram.LaneElements);
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
    }

    public override void Run(BufferRef[] buffers)
    {
        int tiles = (int)Math.Max(1, (_lanes + TileLanes - 1) / TileLanes);
        CpuParallel.For(tiles, _lanes >= CpuParallel.ParallelThreshold / 8, _maxThreads,
            () =>
            {
                var w = new Worker
                {
                    BodyScratch = ScratchPool.Rent(_body.ScratchBytes),
                    CondScratch = new byte[_cond.ScratchBytes],
                    BodySlots = new BufferRef[_body.SlotCount],
                    CondSlots = new BufferRef[_cond.SlotCount],
                };
                _body.InitWorker(w.BodyScratch, w.BodySlots, TileLanes);
                _cond.InitWorker(w.CondScratch, w.CondSlots, TileLanes);
                return w;
            },
            (t, w) => RunTile(buffers, w, t),
            w => ScratchPool.Return(w.BodyScratch));
    }

    private void RunTile(BufferRef[] buffers, Worker w, int tile)
    {
        long lane0 = (long)tile * TileLanes;
        int n = (int)Math.Min(TileLanes, _lanes - lane0);
        var ops = _k.Operands;
        var slots = w.BodySlots;
        var cur = new BufferRef[_carries];
        var next = new BufferRef[_carries];
        for (int i = 0; i < ops.Length; i++)
        {
            var lane = TileProgram.Lane(w.BodyScratch, i);
            var src = buffers[ops[i].Buffer];
            if (ops[i].Uniform)
                TileProgram.Fill(lane, _dtype[i], Primitives.PrimitiveExecutors.ValueAt(src, _dtype[i], _maps[i].DenseStart(0)), Math.Max(n, 1));
            else if (i < _consts && _maps[i].IsDense) lane = src.Slice(_maps[i].DenseStart(lane0), n, _size[i]);
            else _maps[i].Gather(src, lane0, n, lane);
            slots[i] = lane;
            if (i >= _consts)
            {
                cur[i - _consts] = lane;
                next[i - _consts] = TileProgram.Lane(w.BodyScratch, ops.Length + i - _consts);
            }
        }

        while (true)
        {
            for (int i = 0; i < ops.Length; i++) w.CondSlots[i] = slots[i];
            _cond.Run(w.CondSlots, n);
            if (!w.CondSlots[_activeSlot].Bytes(0, n, 1).ContainsAnyExcept((byte)0)) break;
            _body.Run(slots, n);
            for (int j = 0; j < _carries; j++)
            {
                int size = _size[_consts + j];
                slots[_resultSlot[j]].Bytes(0, n, size).CopyTo(next[j].Bytes(0, n, size));
            }
            (cur, next) = (next, cur);
            for (int j = 0; j < _carries; j++) slots[_consts + j] = cur[j];
        }

        for (int j = 0; j < _carries; j++)
        {
            var r = _k.Results[j];
            int size = _size[_consts + j];
            if (r.Uniform)
            {
                if (tile == 0) cur[j].Bytes(0, 1, size).CopyTo(buffers[r.Buffer].Bytes(0, 1, size));
            }
            else cur[j].Bytes(0, n, size).CopyTo(buffers[r.Buffer].Bytes(lane0, n, size));
        }
    }
}

using System.Runtime.InteropServices;
using ArrayLang.Backends.OpenCL.Codegen;
using ArrayLang.Compile.Lowering;
using ArrayLang.Compile.Runtime;
using ArrayLang.Ir;
using ArrayLang.Primitives;
using ArrayLang.Values;

namespace ArrayLang.Backends.OpenCL.Runtime;

/// <summary>A dense buffer on the device: a memory object and the byte offset where the buffer starts in it.</summary>
internal readonly record struct ClBuffer(nint Mem, long ByteOffset);

/// <summary>
/// A compiled program bound to a device: the built OpenCL program, one kernel object per launch,
/// the constant buffers (filled once) and the arena of intermediates, allocated once and reused by
/// every call (the in-order queue runs calls one after another, so they never overlap in it).
/// Calls are serialized by a lock: kernel arguments belong to the kernel objects.
/// </summary>
internal sealed unsafe class ClProgramRunner : IDisposable, IControlFlowHost<ClBuffer, ClProgramRunner>
{
    private readonly ClProgramRunner[][] _subRunners;
    private readonly ClDevice _device;
    private readonly nint[] _kernels;
    private readonly nint[] _constants;
    private readonly object _lock = new();
    private nint _arena;
    private bool _disposed;

    public ClProgramRunner(ClDevice device, ClCompiledProgram compiled)
    {
        _device = device;
        Compiled = compiled;
        var program = device.Build(compiled.Source);
        _kernels = compiled.Steps.Select(s => s is ClLaunch l ? device.CreateKernel(program, l.Kernel) : 0).ToArray();
        _subRunners = compiled.Steps.Select(s => s is ClControlFlowStep c
            ? c.SubPrograms.Select(sub => new ClProgramRunner(device, sub)).ToArray() : []).ToArray();
        _constants = new nint[compiled.Lowered.Buffers.Length];
        foreach (var b in compiled.Lowered.Constants)
        {
            var value = NDArray.Zeros(b.Type);
            for (int i = 0; i < value.Length; i++) value.SetDouble(i, b.Value!.Value);
            _constants[b.Id] = Upload(device, value);
        }
    }

    /// <summary>The compiled program.</summary>
    public ClCompiledProgram Compiled { get; }

    private LoweredProgram Lowered => Compiled.Lowered;

    /// <summary>A new device buffer holding <paramref name="a"/>'s elements.</summary>
    public static nint Upload(ClDevice device, NDArray a)
    {
        var h = GCHandle.Alloc(a.Data, GCHandleType.Pinned);
        try { return device.Allocate(Bytes(a.Type), (void*)h.AddrOfPinnedObject()); }
        finally { h.Free(); }
    }

    /// <summary>Reads <paramref name="bytesAt"/> of <paramref name="mem"/> into a new array of <paramref name="type"/>.</summary>
    public static NDArray Download(ClDevice device, nint mem, AVal type, long bytesAt = 0)
    {
        var a = NDArray.Zeros(type);
        var h = GCHandle.Alloc(a.Data, GCHandleType.Pinned);
        try { device.Read(mem, (void*)h.AddrOfPinnedObject(), Bytes(type), bytesAt); }
        finally { h.Free(); }
        return a;
    }

    /// <summary>The bytes of an array of <paramref name="t"/> on the device (bool is one byte).</summary>
    public static long Bytes(AVal t) => t.Shape.ElementCount * t.DType.SizeInBytes();

    /// <summary>Runs the program on device buffers: <paramref name="inputs"/> per parameter, <paramref name="outputs"/> per result.</summary>
    public void Run(IReadOnlyList<ClBuffer> inputs, IReadOnlyList<ClBuffer> outputs)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var mem = _constants.Select(c => new ClBuffer(c, 0)).ToArray();
            for (int i = 0; i < inputs.Count; i++) mem[Lowered.Inputs[i]] = inputs[i];
            for (int j = 0; j < outputs.Count; j++) mem[Lowered.Outputs[j]] = outputs[j];
            if (Lowered.Plan.ArenaBytes > 0 && _arena == 0) _arena = _device.Allocate(Lowered.Plan.ArenaBytes);
            for (int s = 0; s < Compiled.Steps.Length; s++)
            {
                switch (Compiled.Steps[s])
                {
                    case ClLaunch l:
                        int a = 0;
                        foreach (var id in l.Args)
                        {
                            if (id == ClCompiledProgram.Arena)
                            {
                                _device.SetArg(_kernels[s], a++, _arena);
                                continue;
                            }
                            _device.SetArg(_kernels[s], a++, mem[id].Mem);
                            _device.SetArg(_kernels[s], a++, (ulong)(mem[id].ByteOffset / Lowered.Buffers[id].Type.DType.SizeInBytes()));
                        }
                        _device.Launch(_kernels[s], l.Global, l.Local, l.Kernel);
                        break;
                    case ClControlFlowStep c:
                        RunControlFlow(c.Kernel, _subRunners[s], mem);
                        break;
                }
            }
        }
    }

    /// <summary>Where buffer <paramref name="id"/> lives.</summary>
    private ClBuffer Locate(int id, ClBuffer[] mem) =>
        Lowered.Buffers[id].Kind == BufferKind.Intermediate ? new ClBuffer(_arena, Lowered.Plan.Offsets[id]) : mem[id];

    private void RunControlFlow(PrimitiveKernel k, ClProgramRunner[] subs, ClBuffer[] mem)
    {
        var inputs = k.Inputs.Select(i => Locate(i, mem)).ToArray();
        var outputs = k.Outputs.Select(o => Locate(o, mem)).ToArray();
        switch (k.Params)
        {
            case ScanParams p:
                ControlFlowDriver.Scan(this, p, subs[0], inputs, k.InputTypes, outputs, k.OutputTypes);
                break;
            case WhileParams p:
                ControlFlowDriver.While(this, p, subs[0], subs[1], inputs, k.InputTypes, outputs);
                break;
            default:
                ControlFlowDriver.Cond(this, subs, inputs, k.InputTypes, outputs);
                break;
        }
    }

    // ---- IControlFlowHost: buffers for Core's ControlFlowDriver ----

    ClBuffer IControlFlowHost<ClBuffer, ClProgramRunner>.Allocate(AVal type) => new(_device.Allocate(Bytes(type)), 0);

    void IControlFlowHost<ClBuffer, ClProgramRunner>.Free(ClBuffer buffer) => _device.Release(buffer.Mem);

    void IControlFlowHost<ClBuffer, ClProgramRunner>.Copy(ClBuffer source, ClBuffer destination, AVal type) =>
        _device.Copy(source.Mem, source.ByteOffset, destination.Mem, destination.ByteOffset, Bytes(type));

    ClBuffer IControlFlowHost<ClBuffer, ClProgramRunner>.Row(ClBuffer stacked, AVal stackedType, int t) =>
        stacked with { ByteOffset = stacked.ByteOffset + t * (Bytes(stackedType) / Math.Max(1, stackedType.Shape[0])) };

    int IControlFlowHost<ClBuffer, ClProgramRunner>.ReadScalar(ClBuffer scalar, DType dtype)
    {
        if (dtype == DType.Bool)
        {
            byte b;
            _device.Read(scalar.Mem, &b, 1, scalar.ByteOffset);
            return b;
        }
        int v;
        _device.Read(scalar.Mem, &v, 4, scalar.ByteOffset);
        return v;
    }

    void IControlFlowHost<ClBuffer, ClProgramRunner>.Run(ClProgramRunner program, ClBuffer[] inputs, ClBuffer[] outputs) =>
        program.Run(inputs, outputs);

    /// <summary>Device bytes kept between calls: the constants and the arena, with the sub-programs'.</summary>
    public long RetainedBytes
    {
        get
        {
            lock (_lock)
            {
                long bytes = _arena != 0 ? Lowered.Plan.ArenaBytes : 0;
                for (int id = 0; id < _constants.Length; id++)
                    if (_constants[id] != 0) bytes += Bytes(Lowered.Buffers[id].Type);
                foreach (var subs in _subRunners) foreach (var r in subs) bytes += r.RetainedBytes;
                return bytes;
            }
        }
    }

    /// <summary>
    /// Releases the arenas (this program's and its sub-programs'); the next call allocates them
    /// again. The device frees a released buffer only after the commands queued on it have run.
    /// </summary>
    public void ReleaseIdle()
    {
        lock (_lock)
        {
            if (_disposed) return;
            if (_arena != 0) _device.Release(_arena);
            _arena = 0;
            foreach (var subs in _subRunners) foreach (var r in subs) r.ReleaseIdle();
        }
    }

    /// <summary>Releases the constants, the arena and the kernel objects.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var c in _constants) if (c != 0) _device.Release(c);
            if (_arena != 0) _device.Release(_arena);
            foreach (var k in _kernels) if (k != 0) _device.Api.ReleaseKernel(k);
            foreach (var subs in _subRunners) foreach (var r in subs) r.Dispose();
        }
    }
}

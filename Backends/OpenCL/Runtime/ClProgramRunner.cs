using System.Runtime.InteropServices;
using ArrayLang.Backends.OpenCL.Codegen;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Values;

namespace ArrayLang.Backends.OpenCL.Runtime;

/// <summary>
/// A compiled program bound to a device: the built OpenCL program, one kernel object per launch,
/// the constant buffers (filled once) and the arena of intermediates, allocated once and reused by
/// every call (the in-order queue runs calls one after another, so they never overlap in it).
/// Calls are serialized by a lock: kernel arguments belong to the kernel objects.
/// </summary>
internal sealed unsafe class ClProgramRunner : IDisposable
{
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
    public void Run(IReadOnlyList<nint> inputs, IReadOnlyList<nint> outputs)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var mem = (nint[])_constants.Clone();
            for (int i = 0; i < inputs.Count; i++) mem[Lowered.Inputs[i]] = inputs[i];
            for (int j = 0; j < outputs.Count; j++) mem[Lowered.Outputs[j]] = outputs[j];
            if (Lowered.Plan.ArenaBytes > 0 && _arena == 0) _arena = _device.Allocate(Lowered.Plan.ArenaBytes);
            for (int s = 0; s < Compiled.Steps.Length; s++)
            {
                switch (Compiled.Steps[s])
                {
                    case ClLaunch l:
                        for (int a = 0; a < l.Args.Length; a++)
                            _device.SetArg(_kernels[s], a, l.Args[a] == ClCompiledProgram.Arena ? _arena : mem[l.Args[a]]);
                        _device.Launch(_kernels[s], l.Global, l.Local, l.Kernel);
                        break;
                    case ClHostStep h:
                        RunOnHost(h.Kernel, mem);
                        break;
                }
            }
        }
    }

    /// <summary>Where buffer <paramref name="id"/> lives: its memory object and byte offset.</summary>
    private (nint Mem, long Offset) Locate(int id, nint[] mem) =>
        Lowered.Buffers[id].Kind == BufferKind.Intermediate ? (_arena, Lowered.Plan.Offsets[id]) : (mem[id], 0);

    private void RunOnHost(PrimitiveKernel k, nint[] mem)
    {
        var inputs = new NDArray[k.Inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            var (m, off) = Locate(k.Inputs[i], mem);
            inputs[i] = Download(_device, m, k.InputTypes[i], off);
        }
        var outputs = k.Primitive.Evaluate(k.Params, inputs, k.SubPrograms.Select(s => s.Source).ToArray());
        for (int j = 0; j < outputs.Count; j++)
        {
            var (m, off) = Locate(k.Outputs[j], mem);
            var h = GCHandle.Alloc(outputs[j].Data, GCHandleType.Pinned);
                try { _device.Write(m, (void*)h.AddrOfPinnedObject(), Bytes(outputs[j].Type), off); }
            finally { h.Free(); }
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
        }
    }
}

using ArrayLang.Backends.Cuda.Emit;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ILGPU;
using ILGPU.Runtime;
using Kernel = ILGPU.Runtime.Kernel;
using LoweredKernel = ArrayLang.Compile.Lowering.Kernel;

namespace ArrayLang.Backends.Cuda.Runtime;

/// <summary>One step of a compiled program: queues its work on the device's stream.</summary>
internal abstract class Step
{
    /// <summary>Queues the step; <paramref name="views"/> holds every buffer of the program by id.</summary>
    public abstract void Run(ArrayView<byte>[] views);

    /// <summary>The device code of the step (kernel text and method), for printing and the PTX check.</summary>
    public virtual IEnumerable<StepKernel> Kernels => [];
}

/// <summary>
/// A kernel a step launches, with the text it is cached under, and where the kernel's shape depends
/// on the device (group sizes: Note [tiled contraction], Note [block reductions]) how to emit it
/// for a GPU, whatever device runs it here (what <c>arraylang kernels --backend cuda</c> prints).
/// </summary>
internal sealed record StepKernel(string Key, System.Reflection.MethodInfo Method, Func<System.Reflection.MethodInfo>? ForGpu = null)
{
    /// <summary>The kernel method as a GPU runs it.</summary>
    public System.Reflection.MethodInfo GpuMethod => ForGpu?.Invoke() ?? Method;
}

/// <summary>A view of a buffer as elements of its dtype, boxed for <see cref="Kernel.Launch(AcceleratorStream, int, object[])"/>.</summary>
internal static class Views
{
    public static object Typed(ArrayView<byte> v, DType d) => d switch
    {
        DType.F32 => v.Cast<float>(),
        DType.F64 => v.Cast<double>(),
        DType.I32 => v.Cast<int>(),
        _ => v,
    };

    public static Type Element(DType d) => KernelIl.ElementType(d);
}

/// <summary>An emitted kernel (elementwise, contraction, scan, while) launched over its threads.</summary>
internal sealed class EmittedStep : Step
{
    private readonly DeviceContext _device;
    private readonly EmittedKernel _emitted;
    private readonly Kernel _kernel;
    private readonly DType[] _dtypes;
    private readonly Func<ContractionTiling, int, EmittedKernel> _emit;

    /// <summary>
    /// Emits the kernel with <paramref name="emit"/> for this device's contraction tiling and
    /// reduction group size, and loads it.
    /// </summary>
    public EmittedStep(DeviceContext device, Func<ContractionTiling, int, EmittedKernel> emit, IReadOnlyList<BufferInfo> buffers)
    {
        _device = device;
        _emit = emit;
        var emitted = _emitted = emit(device.ContractionTiling, device.ReductionGroupSize);
        _dtypes = emitted.Buffers.Select(b => buffers[b].Type.DType).ToArray();
        if (emitted.Threads > int.MaxValue)
            throw new NotSupportedException($"the CUDA backend launches at most {int.MaxValue} threads per kernel; this one needs {emitted.Threads}:\n{emitted.Text}");
        _kernel = device.Load(Key, () => emitted.Method);
    }

    /// <summary>
    /// The cache key: the kernel's text with buffer ids replaced by parameter positions (so that the
    /// same kernel in another program, over other buffers, is compiled once) and the parameters' dtypes.
    /// </summary>
    private string Key => string.Join(",", _dtypes) + "\n" + System.Text.RegularExpressions.Regex.Replace(_emitted.Text, @"\bb(\d+)\b",
        m => "p" + _emitted.Buffers.ToList().IndexOf(int.Parse(m.Groups[1].Value)));

    public override IEnumerable<StepKernel> Kernels =>
        [new(Key, _emitted.Method, _device.Kind == CudaDeviceKind.Gpu ? null : () => _emit(ContractionTiling.Gpu, KernelEmitter.ReductionPartials).Method)];

    public override void Run(ArrayView<byte>[] views)
    {
        if (_emitted.Threads == 0) return;
        var args = new object[_dtypes.Length];
        for (int i = 0; i < args.Length; i++) args[i] = Views.Typed(views[_emitted.Buffers[i]], _dtypes[i]);
        if (_emitted.GroupSize > 0)
            _kernel.Launch(_device.Stream, new KernelConfig((int)(_emitted.Threads / _emitted.GroupSize), _emitted.GroupSize), args);
        else
            _kernel.Launch(_device.Stream, (int)_emitted.Threads, args);
    }
}

/// <summary>
/// A lowered program compiled for the device: one step per kernel, constant buffers filled once,
/// and an arena for the intermediates (reused across calls: every call runs on the one stream,
/// in order).
/// </summary>
internal sealed class CudaProgram : IDisposable
{
    private readonly Step[] _steps;
    private readonly MemoryBuffer1D<byte, Stride1D.Dense>[] _constants;
    private MemoryBuffer1D<byte, Stride1D.Dense>? _arena;
    private bool _disposed;

    public CudaProgram(DeviceContext device, LoweredProgram lowered)
    {
        Device = device;
        Lowered = lowered;
        var buffers = lowered.Buffers;
        _constants = new MemoryBuffer1D<byte, Stride1D.Dense>[buffers.Length];
        foreach (var b in lowered.Constants)
        {
            var m = device.Allocate(b.Bytes);
            HostCopies.Upload(device, m.View, b.Type, ConstantData(b));
            _constants[b.Id] = m;
        }
        _steps = lowered.Kernels.Select(k => Compile(device, k, lowered)).ToArray();
    }

    public DeviceContext Device { get; }

    public LoweredProgram Lowered { get; }

    /// <summary>Every kernel the program launches (nested programs included).</summary>
    public IEnumerable<StepKernel> Kernels => _steps.SelectMany(s => s.Kernels);

    private static Array ConstantData(BufferInfo b)
    {
        double v = b.Value!.Value;
        int n = (int)b.Type.Shape.ElementCount;
        return b.Type.DType switch
        {
            DType.F32 => Enumerable.Repeat((float)v, n).ToArray(),
            DType.F64 => Enumerable.Repeat(v, n).ToArray(),
            DType.I32 => Enumerable.Repeat((int)v, n).ToArray(),
            _ => Enumerable.Repeat(v != 0, n).ToArray(),
        };
    }

    private static Step Compile(DeviceContext device, LoweredKernel k, LoweredProgram p) => k switch
    {
        ElementwiseKernel e => new EmittedStep(device, (_, group) => KernelEmitter.Elementwise(e, p.Buffers, group), p.Buffers),
        ContractionKernel c => new EmittedStep(device, (tiling, _) => KernelEmitter.Contraction(c, p.Buffers, tiling), p.Buffers),
        ScanKernel s => new EmittedStep(device, (_, _) => KernelEmitter.Scan(s, p.Buffers), p.Buffers),
        WhileKernel w => new EmittedStep(device, (_, _) => KernelEmitter.While(w, p.Buffers), p.Buffers),
        PrimitiveKernel pk => PrimitiveSteps.Create(device, pk, p),
        _ => throw new NotSupportedException($"the CUDA backend cannot run a {k.KindName} kernel"),
    };

    /// <summary>
    /// Queues the program on the device's stream: <paramref name="inputs"/> and
    /// <paramref name="outputs"/> are the views of the parameters and results in order.
    /// </summary>
    public void Run(IReadOnlyList<ArrayView<byte>> inputs, IReadOnlyList<ArrayView<byte>> outputs)
    {
        var lowered = Lowered;
        var views = new ArrayView<byte>[lowered.Buffers.Length];
        for (int i = 0; i < _constants.Length; i++)
            if (_constants[i] is { } c) views[i] = c.View;
        for (int i = 0; i < inputs.Count; i++) views[lowered.Inputs[i]] = inputs[i];
        for (int j = 0; j < outputs.Count; j++) views[lowered.Outputs[j]] = outputs[j];
        long arenaBytes = lowered.Plan.ArenaBytes;
        if (arenaBytes > 0)
        {
            _arena ??= Device.Allocate(arenaBytes);
            foreach (var b in lowered.Intermediates)
                views[b.Id] = b.Bytes == 0 ? default : _arena.View.SubView(lowered.Plan.Offsets[b.Id], b.Bytes);
        }
        foreach (var s in _steps) s.Run(views);
    }

    /// <summary>Device bytes kept between calls: the constants and the arena.</summary>
    public long RetainedBytes =>
        (_arena?.Length ?? 0) + _constants.Sum(c => c?.Length ?? 0);

    /// <summary>Gives the arena back to the pool (stream-ordered: Note [stream-ordered memory]); the next call takes one again.</summary>
    public void ReleaseIdle()
    {
        if (_arena is not null) Device.Free(_arena);
        _arena = null;
    }

    /// <summary>Frees the constants, the arena and what the steps own (once).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var s in _steps) (s as IDisposable)?.Dispose();
        foreach (var c in _constants) if (c is not null) Device.Free(c);
        if (_arena is not null) Device.Free(_arena);
        _arena = null;
    }
}

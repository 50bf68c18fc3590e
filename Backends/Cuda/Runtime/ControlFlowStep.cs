using ArrayLang.Compile.Lowering;
using ArrayLang.Compile.Runtime;
using ArrayLang.Ir;
using ArrayLang.Primitives;
using ILGPU;
using ILGPU.Runtime;
using Kernel = ILGPU.Runtime.Kernel;

namespace ArrayLang.Backends.Cuda.Runtime;

/// <summary>A device buffer for the control-flow driver: a view, and the allocation it owns when the driver made it.</summary>
internal readonly record struct DeviceBuffer(ArrayView<byte> View, MemoryBuffer1D<byte, Stride1D.Dense>? Owner);

/// <summary>
/// General <c>scan</c>, <c>cond</c> and <c>while</c> (bodies that are not elementwise per lane):
/// the host's <see cref="ControlFlowDriver"/> runs the compiled sub-programs one step at a time on
/// device buffers; only the predicate or branch index crosses to the host.
/// </summary>
internal sealed class ControlFlowStep : Step, IControlFlowHost<DeviceBuffer, CudaProgram>, IDisposable
{
    private readonly DeviceContext _device;
    private readonly PrimitiveKernel _kernel;
    private readonly CudaProgram[] _subs;
    private readonly Kernel _copy;
    private readonly System.Reflection.MethodInfo _copyMethod;

    public ControlFlowStep(DeviceContext device, PrimitiveKernel kernel)
    {
        _device = device;
        _kernel = kernel;
        _subs = kernel.SubPrograms.Select(p => new CudaProgram(device, p)).ToArray();
        _copyMethod = typeof(Device.PrimitiveKernels).GetMethod(nameof(Device.PrimitiveKernels.Copy))!.MakeGenericMethod(typeof(byte));
        _copy = device.Load("ArrayLang.Backends.Cuda.Device.PrimitiveKernels.Copy<Byte>", () => _copyMethod);
    }

    public override IEnumerable<StepKernel> Kernels =>
        _subs.SelectMany(s => s.Kernels).Append(new StepKernel("ArrayLang.Backends.Cuda.Device.PrimitiveKernels.Copy<Byte>", _copyMethod));

    public override void Run(ArrayView<byte>[] views)
    {
        var k = _kernel;
        var inputs = k.Inputs.Select(b => new DeviceBuffer(views[b], null)).ToArray();
        var outputs = k.Outputs.Select(b => new DeviceBuffer(views[b], null)).ToArray();
        switch (k.Params)
        {
            case ScanParams p:
                ControlFlowDriver.Scan(this, p, _subs[0], inputs, k.InputTypes, outputs, k.OutputTypes);
                break;
            case WhileParams p:
                ControlFlowDriver.While(this, p, _subs[0], _subs[1], inputs, k.InputTypes, outputs);
                break;
            default:
                ControlFlowDriver.Cond(this, _subs, inputs, k.InputTypes, outputs);
                break;
        }
    }

    public DeviceBuffer Allocate(AVal type)
    {
        var b = _device.Allocate(type.Shape.ElementCount * type.DType.SizeInBytes());
        return new DeviceBuffer(b.View, b);
    }

    public void Free(DeviceBuffer buffer)
    {
        // Queued kernels may still use it: the stream orders its reuse after them (Note [stream-ordered memory]).
        if (buffer.Owner is not null) _device.Free(buffer.Owner);
    }

    public void Copy(DeviceBuffer source, DeviceBuffer destination, AVal type)
    {
        long bytes = type.Shape.ElementCount * type.DType.SizeInBytes();
        if (bytes > 0) _copy.Launch(_device.Stream, checked((int)bytes), destination.View, source.View);
    }

    public DeviceBuffer Row(DeviceBuffer stacked, AVal stackedType, int t)
    {
        long rowBytes = stackedType.Shape.ElementCount / Math.Max(1, stackedType.Shape[0]) * stackedType.DType.SizeInBytes();
        return new DeviceBuffer(rowBytes == 0 ? stacked.View : stacked.View.SubView(t * rowBytes, rowBytes), null);
    }

    public int ReadScalar(DeviceBuffer scalar, DType dtype)
    {
        var value = HostCopies.Download(_device, scalar.View, new AVal(dtype, Shape.Scalar));
        return value switch
        {
            bool[] b => b[0] ? 1 : 0,
            int[] i => i[0],
            _ => throw new NotSupportedException($"a control-flow scalar must be bool or i32, found {dtype.Name()}"),
        };
    }

    public void Run(CudaProgram program, DeviceBuffer[] inputs, DeviceBuffer[] outputs) =>
        program.Run(inputs.Select(b => b.View).ToArray(), outputs.Select(b => b.View).ToArray());

    public void Dispose()
    {
        foreach (var s in _subs) s.Dispose();
    }
}

using System.Reflection;
using ArrayLang.Backends.Cuda.Device;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Primitives;
using ILGPU;
using ILGPU.Runtime;
using Kernel = ILGPU.Runtime.Kernel;
using LoweredKernel = ArrayLang.Compile.Lowering.Kernel;

namespace ArrayLang.Backends.Cuda.Runtime;

/// <summary>One launch of a <see cref="PrimitiveKernels"/> method: threads and a function from the program's views to its arguments.</summary>
internal sealed record Launch(MethodInfo Method, long Threads, Func<ArrayView<byte>[], object[]> Args);

/// <summary>A primitive kernel: a fixed sequence of launches of <see cref="PrimitiveKernels"/> methods.</summary>
internal sealed class PrimitiveStep : Step, IDisposable
{
    private readonly DeviceContext _device;
    private readonly (Launch Launch, Kernel Kernel)[] _launches;
    private readonly List<MemoryBuffer1D<byte, Stride1D.Dense>> _owned;

    public PrimitiveStep(DeviceContext device, IReadOnlyList<Launch> launches, List<MemoryBuffer1D<byte, Stride1D.Dense>> owned)
    {
        _device = device;
        _owned = owned;
        _launches = launches.Select(l => (l, device.Load(KeyOf(l.Method), () => l.Method))).ToArray();
    }

    private static string KeyOf(MethodInfo m) =>
        $"{m.DeclaringType!.FullName}.{m.Name}<{string.Join(",", m.GetGenericArguments().Select(t => t.Name))}>";

    public override IEnumerable<StepKernel> Kernels => _launches.Select(l => new StepKernel(KeyOf(l.Launch.Method), l.Launch.Method));

    public override void Run(ArrayView<byte>[] views)
    {
        foreach (var (launch, kernel) in _launches)
            if (launch.Threads > 0) kernel.Launch(_device.Stream, checked((int)launch.Threads), launch.Args(views));
    }

    public void Dispose()
    {
        foreach (var b in _owned) _device.Free(b);
        _owned.Clear();
    }
}

/// <summary>Builds the step of each primitive in Lowering.PrimitiveKernelPrimitives (general control flow through the host driver).</summary>
internal static class PrimitiveSteps
{
    private static MethodInfo Method(string name) =>
        typeof(PrimitiveKernels).GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new MissingMethodException(nameof(PrimitiveKernels), name);

    private static MethodInfo Generic(string name, DType d) => Method(name).MakeGenericMethod(Views.Element(d));

    /// <summary>
    /// The i32 kernel <paramref name="name"/>I32, or for f32 and f64 the generic
    /// <paramref name="name"/>Float over the element type and its <see cref="IFloatElement{T}"/>.
    /// </summary>
    private static MethodInfo ByElement(string name, DType d, string primitive) => d switch
    {
        DType.I32 => Method(name + "I32"),
        DType.F32 => Method(name + "Float").MakeGenericMethod(typeof(float), typeof(F32Element)),
        DType.F64 => Method(name + "Float").MakeGenericMethod(typeof(double), typeof(F64Element)),
        _ => throw new NotSupportedException($"the CUDA backend has no {primitive} kernel for {d.Name()}"),
    };

    private static string Suffix(DType d, string primitive) => d switch
    {
        DType.F32 => "F32",
        DType.F64 => "F64",
        DType.I32 => "I32",
        _ => throw new NotSupportedException($"the CUDA backend has no {primitive} kernel for {d.Name()}"),
    };

    private static (int Outer, int N, int Inner) Around(Shape s, int axis)
    {
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= s[i];
        for (int i = axis + 1; i < s.Rank; i++) inner *= s[i];
        return (checked((int)outer), s[axis], checked((int)inner));
    }

    public static Step Create(DeviceContext device, PrimitiveKernel k, LoweredProgram p)
    {
        if (k.Primitive.Name is "scan" or "cond" or "while") return new ControlFlowStep(device, k);
        var owned = new List<MemoryBuffer1D<byte, Stride1D.Dense>>();
        var launches = Launches(device, k, owned);
        return new PrimitiveStep(device, launches, owned);
    }

    private static object V(ArrayView<byte>[] views, int buffer, DType d) => Views.Typed(views[buffer], d);

    /// <summary>A constant i32 buffer on the device (shape metadata), owned by the step.</summary>
    private static ArrayView<byte> Meta(DeviceContext device, List<MemoryBuffer1D<byte, Stride1D.Dense>> owned, int[] values)
    {
        var b = device.Allocate(values.Length * 4L);
        owned.Add(b);
        HostCopies.Upload(device, b.View, new AVal(DType.I32, new Shape([values.Length])), values);
        return b.View;
    }

    private static List<Launch> Launches(DeviceContext device, PrimitiveKernel k, List<MemoryBuffer1D<byte, Stride1D.Dense>> owned)
    {
        string name = k.Primitive.Name;
        var outT = k.OutputTypes[0];
        int o = k.Outputs[0];
        long count = outT.Shape.ElementCount;
        var L = new List<Launch>();
        switch (name)
        {
            case "iota":
            {
                var p = (IotaParams)k.Params;
                var (_, n, inner) = Around(outT.Shape, p.Dim);
                L.Add(new(Method("Iota" + Suffix(outT.DType, name)), count, v => [V(v, o, outT.DType), n, inner]));
                break;
            }
            case "take":
            {
                var p = (TakeParams)k.Params;
                var x = k.InputTypes[0];
                var (_, n, inner) = Around(x.Shape, p.Axis);
                int m = (int)k.InputTypes[1].Shape.ElementCount;
                int xi = k.Inputs[0], ii = k.Inputs[1];
                L.Add(new(Generic("Take", x.DType), count, v => [V(v, o, x.DType), V(v, xi, x.DType), V(v, ii, DType.I32), m, n, inner]));
                break;
            }
            case "dynamic_slice":
            case "dynamic_update_slice":
            {
                bool update = name == "dynamic_update_slice";
                var x = k.InputTypes[0];
                int rank = x.Shape.Rank;
                int first = update ? 2 : 1;
                var block = update ? k.InputTypes[1].Shape : outT.Shape;
                var strides = IndexMap.RowMajor(x.Shape).Strides.Select(s => (int)s);
                var meta = Meta(device, owned, [rank, .. block, .. x.Shape, .. strides]);
                var starts = device.Allocate(Math.Max(1, rank) * 4L);
                owned.Add(starts);
                ArrayView<byte> startsView = starts.View;
                for (int j = 0; j < rank; j++)
                {
                    int src = k.Inputs[first + j], at = j;
                    L.Add(new(Method("CopyScalar"), 1, v => [startsView.Cast<int>(), V(v, src, DType.I32), at]));
                }
                int xi = k.Inputs[0];
                if (!update)
                    L.Add(new(Generic("DynamicSlice", x.DType), count, v => [V(v, o, x.DType), V(v, xi, x.DType), startsView.Cast<int>(), meta.Cast<int>()]));
                else
                {
                    int ui = k.Inputs[1];
                    L.Add(new(Generic("Copy", x.DType), count, v => [V(v, o, x.DType), V(v, xi, x.DType)]));
                    L.Add(new(Generic("UpdateSlice", x.DType), block.ElementCount, v => [V(v, o, x.DType), V(v, ui, x.DType), startsView.Cast<int>(), meta.Cast<int>()]));
                }
                break;
            }
            case "concatenate":
            {
                int axis = ((ConcatenateParams)k.Params).Axis;
                var (_, n, inner) = Around(outT.Shape, axis);
                int offset = 0;
                for (int i = 0; i < k.Inputs.Length; i++)
                {
                    var x = k.InputTypes[i];
                    int xi = k.Inputs[i], nk = x.Shape[axis], off = offset;
                    L.Add(new(Generic("CopyBlock", x.DType), x.Shape.ElementCount, v => [V(v, o, x.DType), V(v, xi, x.DType), nk, inner, n, off]));
                    offset += nk;
                }
                break;
            }
            case "pad":
            {
                var p = (PadParams)k.Params;
                var x = k.InputTypes[0];
                var strides = IndexMap.RowMajor(x.Shape).Strides.Select(s => (int)s);
                var meta = Meta(device, owned, [x.Shape.Rank, .. outT.Shape, .. p.Low, .. x.Shape, .. strides]);
                int xi = k.Inputs[0], pi = k.Inputs[1];
                L.Add(new(Generic("Pad", x.DType), count, v => [V(v, o, x.DType), V(v, xi, x.DType), V(v, pi, x.DType), meta.Cast<int>()]));
                break;
            }
            case "argmax":
            case "argmin":
            {
                var x = k.InputTypes[0];
                var (_, n, inner) = Around(x.Shape, ((ArgParams)k.Params).Axis);
                int xi = k.Inputs[0], isMax = name == "argmax" ? 1 : 0;
                L.Add(new(ByElement("Arg", x.DType, name), count, v => [V(v, o, DType.I32), V(v, xi, x.DType), n, inner, isMax]));
                break;
            }
            case "cumsum":
            case "cummax":
            {
                var p = (CumulativeParams)k.Params;
                var x = k.InputTypes[0];
                var (outer, n, inner) = Around(x.Shape, p.Axis);
                int xi = k.Inputs[0], reverse = p.Reverse ? 1 : 0;
                var m = ByElement(name == "cumsum" ? "CumSum" : "CumMax", x.DType, name);
                L.Add(new(m, (long)outer * inner, v => [V(v, o, x.DType), V(v, xi, x.DType), n, inner, reverse]));
                break;
            }
            case "random_bits":
            case "random_uniform":
            {
                int[] shape = k.Params is RandomBitsParams rb ? rb.Shape : ((RandomUniformParams)k.Params).Shape;
                int n = (int)new Shape(shape).ElementCount;
                int ki = k.Inputs[0];
                string m = name == "random_bits" ? "RandomBits" : "RandomUniform" + Suffix(outT.DType, name);
                L.Add(new(Method(m), n == 0 ? 0 : count, v => [V(v, o, outT.DType), V(v, ki, DType.I32), n]));
                break;
            }
            case "random_split":
            {
                int c = ((RandomSplitParams)k.Params).Count;
                int ki = k.Inputs[0];
                L.Add(new(Method("RandomSplit"), count / 2, v => [V(v, o, DType.I32), V(v, ki, DType.I32), c]));
                break;
            }
            default:
                throw new NotSupportedException($"the CUDA backend has no kernel for primitive {name}");
        }
        return L;
    }
}

using ArrayLang.Ir;
using ILGPU;
using ILGPU.Runtime;

namespace ArrayLang.Backends.Cuda.Runtime;

/// <summary>Copies between host arrays (float[], double[], int[], bool[]) and device bytes on the device's stream.</summary>
internal static class HostCopies
{
    /// <summary>Copies <paramref name="data"/> (of <paramref name="type"/>) into <paramref name="view"/>.</summary>
    public static void Upload(DeviceContext device, ArrayView<byte> view, AVal type, Array data)
    {
        if (data.Length == 0) return;
        var s = device.Stream;
        switch (data)
        {
            case float[] f: view.Cast<float>().SubView(0, f.Length).CopyFromCPU(s, f); break;
            case double[] d: view.Cast<double>().SubView(0, d.Length).CopyFromCPU(s, d); break;
            case int[] i: view.Cast<int>().SubView(0, i.Length).CopyFromCPU(s, i); break;
            case bool[] b:
                var bytes = new byte[b.Length];
                for (int k = 0; k < b.Length; k++) bytes[k] = b[k] ? (byte)1 : (byte)0;
                view.SubView(0, bytes.Length).CopyFromCPU(s, bytes);
                break;
            default: throw new ArgumentException($"cannot copy a {data.GetType().Name} of {type} to the device");
        }
    }

    /// <summary>
    /// Copies <paramref name="view"/> into a new host array of <paramref name="type"/>: the copy is
    /// queued after the work that writes the view, and one wait covers both.
    /// </summary>
    public static Array Download(DeviceContext device, ArrayView<byte> view, AVal type)
    {
        int n = checked((int)type.Shape.ElementCount);
        var s = device.Stream;
        switch (type.DType)
        {
            case DType.F32: { var a = new float[n]; if (n > 0) view.Cast<float>().SubView(0, n).CopyToCPU(s, a); s.Synchronize(); return a; }
            case DType.F64: { var a = new double[n]; if (n > 0) view.Cast<double>().SubView(0, n).CopyToCPU(s, a); s.Synchronize(); return a; }
            case DType.I32: { var a = new int[n]; if (n > 0) view.Cast<int>().SubView(0, n).CopyToCPU(s, a); s.Synchronize(); return a; }
            default:
            {
                var bytes = new byte[n];
                if (n > 0) view.SubView(0, n).CopyToCPU(s, bytes);
                s.Synchronize();
                var a = new bool[n];
                for (int k = 0; k < n; k++) a[k] = bytes[k] != 0;
                return a;
            }
        }
    }
}

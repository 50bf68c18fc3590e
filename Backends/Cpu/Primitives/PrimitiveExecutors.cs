using ArrayLang.Backends.Cpu.Runtime;
using ArrayLang.Backends.Cpu.Tiles;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.Cpu.Primitives;

/// <summary>What a primitive executor is built from: the kernel, the program's buffers, and how to compile sub-programs.</summary>
internal sealed record PrimitiveSite(PrimitiveKernel Kernel, IReadOnlyList<BufferInfo> Buffers, CpuOptions Options,
    Func<LoweredProgram, CpuProgram> CompileSub)
{
    /// <summary>The type of input <paramref name="i"/>.</summary>
    public AVal In(int i) => Kernel.InputTypes[i];

    /// <summary>The type of output <paramref name="j"/>.</summary>
    public AVal Out(int j) => Kernel.OutputTypes[j];
}

/// <summary>A primitive kernel's executor as a delegate over the call's buffers.</summary>
internal sealed class DelegateExecutor(Action<BufferRef[]> run) : KernelExecutor
{
    public override void Run(BufferRef[] buffers) => run(buffers);
}

/// <summary>
/// The CPU backend's routines for <see cref="PrimitiveKernel"/>s, as a data table by primitive name
/// (DESIGN.md): every primitive that is neither elementwise, a view, a reduction, nor a contraction.
/// A coverage test checks that every such primitive of IR.md has a row.
/// </summary>
internal static partial class PrimitiveExecutors
{
    /// <summary>Builds an executor from a site.</summary>
    public delegate KernelExecutor Factory(PrimitiveSite site);

    /// <summary>Every row: primitive name and its executor factory.</summary>
    public static readonly IReadOnlyDictionary<string, Factory> Table = new Dictionary<string, Factory>
    {
        ["iota"] = Iota,
        ["take"] = Take,
        ["dynamic_slice"] = DynamicSlice,
        ["dynamic_update_slice"] = DynamicUpdateSlice,
        ["concatenate"] = Concatenate,
        ["pad"] = Pad,
        ["argmax"] = s => Arg(s, isMax: true),
        ["argmin"] = s => Arg(s, isMax: false),
        ["cumsum"] = Cumulative,
        ["cummax"] = Cumulative,
        ["random_bits"] = RandomBits,
        ["random_split"] = RandomSplit,
        ["random_uniform"] = RandomUniform,
        ["scan"] = Scan,
        ["cond"] = Cond,
        ["while"] = While,
    };

    /// <summary>The executor of a primitive kernel, or an error naming the primitive.</summary>
    public static KernelExecutor Create(PrimitiveSite site) =>
        Table.TryGetValue(site.Kernel.Primitive.Name, out var f) ? f(site)
            : throw new NotSupportedException($"the CPU backend has no routine for primitive kernel {site.Kernel.Primitive.Name}");

    // ---- helpers ----

    /// <summary>The row-major strides of a shape.</summary>
    private static long[] StridesOf(Shape s) => IndexMap.RowMajor(s).Strides.ToArray();

    private static long[] DimsOf(Shape s) => s.Select(d => (long)d).ToArray();

    /// <summary>Reads an i32 scalar buffer.</summary>
    private static int ScalarI32(BufferRef b) => b.At<int>(0);

    /// <summary>Element <paramref name="i"/> widened to double (exact for every dtype).</summary>
    internal static double ValueAt(BufferRef b, DType d, long i) => d switch
    {
        DType.F32 => b.At<float>(i),
        DType.F64 => b.At<double>(i),
        DType.I32 => b.At<int>(i),
        _ => b.At<byte>(i),
    };

    /// <summary>(outer, n, inner) around <paramref name="axis"/>.</summary>
    private static (long Outer, int N, long Inner) Around(Shape s, int axis)
    {
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= s[i];
        for (int i = axis + 1; i < s.Rank; i++) inner *= s[i];
        return (outer, s[axis], inner);
    }

    // ---- creation and indexing ----

    private static KernelExecutor Iota(PrimitiveSite s)
    {
        var p = (IotaParams)s.Kernel.Params;
        var t = s.Out(0);
        var (outer, n, inner) = Around(t.Shape, p.Dim);
        int o = s.Kernel.Outputs[0];
        return new DelegateExecutor(bs =>
        {
            var r = bs[o];
            long at = 0;
            for (long i = 0; i < outer; i++)
                for (int v = 0; v < n; v++)
                {
                    TileProgram.Fill(r.Slice(at, (int)inner, t.DType.SizeInBytes()), t.DType, v, (int)inner);
                    at += inner;
                }
        });
    }

    private static KernelExecutor Take(PrimitiveSite s)
    {
        int axis = ((TakeParams)s.Kernel.Params).Axis;
        var x = s.In(0);
        int size = x.DType.SizeInBytes();
        var (outer, n, inner) = Around(x.Shape, axis);
        int m = s.In(1).Shape.Size;
        var (xi, ii, o) = (s.Kernel.Inputs[0], s.Kernel.Inputs[1], s.Kernel.Outputs[0]);
        return new DelegateExecutor(bs =>
        {
            var src = bs[xi];
            var idx = bs[ii].Span<int>();
            var dst = bs[o];
            for (long a = 0; a < outer; a++)
                for (int t = 0; t < m; t++)
                {
                    int i = Math.Clamp(idx[t], 0, n - 1);
                    src.Bytes((a * n + i) * inner, (int)inner, size).CopyTo(dst.Bytes((a * m + t) * inner, (int)inner, size));
                }
        });
    }

    private static KernelExecutor DynamicSlice(PrimitiveSite s)
    {
        var sizes = ((DynamicSliceParams)s.Kernel.Params).Sizes;
        var x = s.In(0);
        int size = x.DType.SizeInBytes();
        var strides = StridesOf(x.Shape);
        var ins = s.Kernel.Inputs;
        int o = s.Kernel.Outputs[0];
        int count = s.Out(0).Shape.Size;
        return new DelegateExecutor(bs =>
        {
            long offset = 0;
            for (int j = 0; j < x.Rank; j++)
                offset += Math.Clamp(ScalarI32(bs[ins[1 + j]]), 0, x.Shape[j] - sizes[j]) * strides[j];
            new Strided(offset, strides, sizes.Select(d => (long)d).ToArray(), size).Gather(bs[ins[0]], 0, count, bs[o]);
        });
    }

    private static KernelExecutor DynamicUpdateSlice(PrimitiveSite s)
    {
        var x = s.In(0);
        var u = s.In(1);
        int size = x.DType.SizeInBytes();
        var strides = StridesOf(x.Shape);
        var ins = s.Kernel.Inputs;
        int o = s.Kernel.Outputs[0];
        return new DelegateExecutor(bs =>
        {
            bs[ins[0]].Bytes(0, x.Shape.Size, size).CopyTo(bs[o].Bytes(0, x.Shape.Size, size));
            long offset = 0;
            for (int j = 0; j < x.Rank; j++)
                offset += Math.Clamp(ScalarI32(bs[ins[2 + j]]), 0, x.Shape[j] - u.Shape[j]) * strides[j];
            new Strided(offset, strides, DimsOf(u.Shape), size).Scatter(bs[o], 0, u.Shape.Size, bs[ins[1]]);
        });
    }

    private static KernelExecutor Concatenate(PrimitiveSite s)
    {
        int axis = ((ConcatenateParams)s.Kernel.Params).Axis;
        var outType = s.Out(0);
        int size = outType.DType.SizeInBytes();
        var strides = StridesOf(outType.Shape);
        var parts = new List<(int Buffer, Strided Map, int Count)>();
        long at = 0;
        for (int i = 0; i < s.Kernel.Inputs.Length; i++)
        {
            var t = s.In(i);
            parts.Add((s.Kernel.Inputs[i], new Strided(at * strides[axis], strides, DimsOf(t.Shape), size), t.Shape.Size));
            at += t.Shape[axis];
        }
        int o = s.Kernel.Outputs[0];
        return new DelegateExecutor(bs =>
        {
            foreach (var (buffer, map, count) in parts) map.Scatter(bs[o], 0, count, bs[buffer]);
        });
    }

    private static KernelExecutor Pad(PrimitiveSite s)
    {
        var p = (PadParams)s.Kernel.Params;
        var x = s.In(0);
        var outType = s.Out(0);
        int size = x.DType.SizeInBytes();
        var strides = StridesOf(outType.Shape);
        long offset = 0;
        for (int j = 0; j < x.Rank; j++) offset += p.Low[j] * strides[j];
        var map = new Strided(offset, strides, DimsOf(x.Shape), size);
        var (xi, vi, o) = (s.Kernel.Inputs[0], s.Kernel.Inputs[1], s.Kernel.Outputs[0]);
        int total = outType.Shape.Size;
        return new DelegateExecutor(bs =>
        {
            TileProgram.Fill(bs[o], x.DType, ValueAt(bs[vi], x.DType, 0), total);
            map.Scatter(bs[o], 0, x.Shape.Size, bs[xi]);
        });
    }
}

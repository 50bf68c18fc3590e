using System.Numerics.Tensors;
using Tensor = ArrayLang.Tracing.Tensor;
using System.Runtime.CompilerServices;
using ArrayLang.Bench.Baselines;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.Bench.Workloads;

/// <summary>
/// W3: <c>f(x) = tanh(W @ x + b)</c> with <c>W: 256x256</c> and <c>b: 256</c> shared
/// (<c>in_axes = none</c>) and <c>x: 256</c>, B = 4,096: vmap of a matrix-vector product becomes one
/// matrix product.
/// </summary>
public sealed class W3Dense : MechanismWorkload
{
    /// <summary>The layer width (W is N x N).</summary>
    public const int N = 256;

    private float[] _w = [], _b = [], _x = [];
    private NDArray _wArray = null!, _bArray = null!;

    /// <summary>The per-example function, written once: W and b are arguments shared by every example.</summary>
    public static Tensor F(Tensor w, Tensor b, Tensor x) => Tensor.Tanh(w.Dot(x) + b);

    /// <inheritdoc />
    public override string Id => "W3";
    /// <inheritdoc />
    public override string Definition => "f(x) = tanh(W @ x + b), W: 256x256 and b: 256 shared (in_axes = none), x: 256";
    /// <inheritdoc />
    public override int Batch { get; }
    /// <inheritdoc />
    public override int InterpreterBatch => Math.Min(Batch, 512);
    /// <inheritdoc />
    public override int InterpreterLoopSample(bool quick) => Math.Min(Batch, quick ? 256 : 4_096);
    /// <inheritdoc />
    public override IReadOnlyList<int?> InAxes => [null, null, 0];
    /// <inheritdoc />
    public override int OutputsPerExample => N;
    /// <inheritdoc />
    public override long BytesPerExample => 2L * N * sizeof(float);
    /// <inheritdoc />
    public override double FlopsPerExample => 2.0 * N * N;
    /// <inheritdoc />
    public override double Tolerance => 1e-5;

    /// <summary>W3 at BENCH.md's batch, or a smaller one (smoke tests).</summary>
    public W3Dense(int batch = 4_096) => Batch = batch;

    /// <inheritdoc />
    protected override TracedFunction TraceFunction() =>
        Trace.Function(F, F32(N, N), F32(N), F32(N));

    /// <inheritdoc />
    protected override void MakeInputs(Random rng)
    {
        _w = Uniform(rng, N * N, -1f / 16, 1f / 16);
        _b = Uniform(rng, N, -0.5f, 0.5f);
        _x = Uniform(rng, (long)Batch * N, -1f, 1f);
        _wArray = NDArray.Of(_w, N, N);
        _bArray = NDArray.Of(_b, N);
    }

    /// <inheritdoc />
    protected override void ReleaseInputs() { _w = []; _b = []; _x = []; }

    /// <inheritdoc />
    protected override void ComputeOracle(float[] expected) => Parallel.For(0, Batch, i =>
    {
        for (int r = 0; r < N; r++)
        {
            double acc = _b[r];
            for (int k = 0; k < N; k++) acc += (double)_w[r * N + k] * _x[i * N + k];
            expected[i * N + r] = (float)Math.Tanh(acc);
        }
    });

    /// <inheritdoc />
    public override NDArray[] BatchedArguments(int n) => [_wArray, _bArray, NDArray.Of(_x[..(n * N)], n, N)];

    /// <inheritdoc />
    public override NDArray[] ExampleArguments(int i) => [_wArray, _bArray, NDArray.Of(_x[(i * N)..((i + 1) * N)], N)];

    /// <summary>
    /// What a C# programmer writes: TensorPrimitives has no matrix product, so each output is a
    /// <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> of a row of W with
    /// the example, then the bias and tanh over the example's outputs; examples split over the cores.
    /// </summary>
    public override float[] RunTensorPrimitives()
    {
        var o = GC.AllocateUninitializedArray<float>(Batch * N);
        Cores.For(Batch, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                var x = _x.AsSpan(i * N, N);
                var y = o.AsSpan(i * N, N);
                for (int r = 0; r < N; r++) y[r] = TensorPrimitives.Dot(_w.AsSpan(r * N, N), x);
                TensorPrimitives.Add(y, _b, y);
                TensorPrimitives.Tanh(y, y);
            }
        });
        return o;
    }

    /// <summary>
    /// A register-blocked, packed SIMD matrix product <c>Y = X Wᵀ</c> with the bias added in its
    /// epilogue and tanh applied per chunk while the chunk's outputs are in cache. Wᵀ is packed per call (its cost is part of the time) into panels of two
    /// vectors' worth of outputs, each panel <c>256 x 2w</c> contiguous (32 KiB at 512 bits, so it
    /// stays in L1 while it is used). Each core takes chunks of <see cref="ChunkRows"/> examples
    /// (their x, 48 KiB, stays in L2) and runs every panel over the chunk: a micro-kernel keeps a block
    /// of <c>mr</c> examples x <c>2w</c> outputs in <c>2 mr</c> vector accumulators while k runs over
    /// the 256 inputs (per k: two loads of the panel, <c>mr</c> broadcasts of x, <c>2 mr</c> FMAs);
    /// <c>mr</c> is 8 at 512 bits (16 of AVX-512's 32 registers) and 6 at 256 and 128 bits (12 of 16).
    /// </summary>
    public override float[] RunHandFused()
    {
        var o = GC.AllocateUninitializedArray<float>(Batch * N);
        var packed = GC.AllocateUninitializedArray<float>(N * N);
        switch (SimdWidth.Bits)
        {
            case 512: HandFused<V512<float>>(_x, _w, _b, packed, o, Batch); break;
            case 256: HandFused<V256<float>>(_x, _w, _b, packed, o, Batch); break;
            default: HandFused<V128<float>>(_x, _w, _b, packed, o, Batch); break;
        }
        return o;
    }

    /// <summary>Examples per chunk: a multiple of both micro-kernel heights (8 and 6).</summary>
    private const int ChunkRows = 48;

    private static void HandFused<TV>(float[] x, float[] w, float[] b, float[] packed, float[] o, int batch) where TV : struct, ISimd<TV, float>
    {
        int nr = 2 * TV.Count;
        // Panel q holds outputs [q nr, q nr + nr) for every k: packed[q N nr + k nr + c] = W[q nr + c, k].
        for (int q = 0; q < N / nr; q++)
            for (int k = 0; k < N; k++)
                for (int c = 0; c < nr; c++) packed[q * N * nr + k * nr + c] = w[(q * nr + c) * N + k];
        Cores.For(batch, (s, e) =>
        {
            for (int i0 = s; i0 < e; i0 += ChunkRows) Chunk<TV>(x, packed, b, o, i0, Math.Min(e, i0 + ChunkRows));
        }, align: ChunkRows);
    }

    // Fully optimized on first call (Note [baseline kernels]), written once over the width (Note [baseline widths]).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chunk<TV>(float[] x, float[] packed, float[] b, float[] o, int s, int e) where TV : struct, ISimd<TV, float>
    {
        int w = TV.Count, nr = 2 * w, mr = w * 4 == 64 ? 8 : 6;
        for (int q = 0; q < N / nr; q++)
        {
            ref float panel = ref packed[q * N * nr];
            var b0 = TV.Load(ref b[q * nr], 0);
            var b1 = TV.Load(ref b[q * nr], (nuint)w);
            int i = s;
            for (; i + mr <= e; i += mr) Block<TV>(ref x[i * N], ref panel, b0, b1, ref o[i * N + q * nr]);
            for (; i < e; i++) Row<TV>(ref x[i * N], ref panel, b0, b1, ref o[i * N + q * nr]);
        }
        TanhInPlace<TV>(o, s * N, (e - s) * N);
    }

    // tanh over the chunk's outputs while they are in cache: a separate loop, because sixteen inlined
    // copies of tanh in the micro-kernel exceed the JIT's inlining budget (the kernel's vector helpers
    // then become calls, several times slower).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TanhInPlace<TV>(float[] o, int start, int count) where TV : struct, ISimd<TV, float>
    {
        ref float y = ref o[start];
        for (int j = 0; j < count; j += TV.Count) TV.Store(FastMath.Tanh(TV.Load(ref y, (nuint)j)), ref y, (nuint)j);
    }

    // mr examples x 2w outputs; rows 6 and 7 exist only at 512 bits (the condition is a constant to the JIT).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<TV>(ref float x, ref float panel, TV b0, TV b1, ref float o) where TV : struct, ISimd<TV, float>
    {
        int w = TV.Count;
        bool eight = w * 4 == 64;
        TV c00 = TV.Zero, c01 = TV.Zero, c10 = TV.Zero, c11 = TV.Zero, c20 = TV.Zero, c21 = TV.Zero, c30 = TV.Zero, c31 = TV.Zero,
            c40 = TV.Zero, c41 = TV.Zero, c50 = TV.Zero, c51 = TV.Zero, c60 = TV.Zero, c61 = TV.Zero, c70 = TV.Zero, c71 = TV.Zero;
        for (int k = 0; k < N; k++)
        {
            var p0 = TV.Load(ref panel, (nuint)(k * 2 * w));
            var p1 = TV.Load(ref panel, (nuint)(k * 2 * w + w));
            var v = TV.Splat(Unsafe.Add(ref x, k));
            c00 = TV.Fma(v, p0, c00); c01 = TV.Fma(v, p1, c01);
            v = TV.Splat(Unsafe.Add(ref x, N + k));
            c10 = TV.Fma(v, p0, c10); c11 = TV.Fma(v, p1, c11);
            v = TV.Splat(Unsafe.Add(ref x, 2 * N + k));
            c20 = TV.Fma(v, p0, c20); c21 = TV.Fma(v, p1, c21);
            v = TV.Splat(Unsafe.Add(ref x, 3 * N + k));
            c30 = TV.Fma(v, p0, c30); c31 = TV.Fma(v, p1, c31);
            v = TV.Splat(Unsafe.Add(ref x, 4 * N + k));
            c40 = TV.Fma(v, p0, c40); c41 = TV.Fma(v, p1, c41);
            v = TV.Splat(Unsafe.Add(ref x, 5 * N + k));
            c50 = TV.Fma(v, p0, c50); c51 = TV.Fma(v, p1, c51);
            if (eight)
            {
                v = TV.Splat(Unsafe.Add(ref x, 6 * N + k));
                c60 = TV.Fma(v, p0, c60); c61 = TV.Fma(v, p1, c61);
                v = TV.Splat(Unsafe.Add(ref x, 7 * N + k));
                c70 = TV.Fma(v, p0, c70); c71 = TV.Fma(v, p1, c71);
            }
        }
        Epilogue(ref o, 0, c00, c01, b0, b1); Epilogue(ref o, 1, c10, c11, b0, b1);
        Epilogue(ref o, 2, c20, c21, b0, b1); Epilogue(ref o, 3, c30, c31, b0, b1);
        Epilogue(ref o, 4, c40, c41, b0, b1); Epilogue(ref o, 5, c50, c51, b0, b1);
        if (eight)
        {
            Epilogue(ref o, 6, c60, c61, b0, b1); Epilogue(ref o, 7, c70, c71, b0, b1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Epilogue<TV>(ref float o, int row, TV a0, TV a1, TV b0, TV b1) where TV : struct, ISimd<TV, float>
    {
        TV.Store(a0 + b0, ref o, (nuint)(row * N));
        TV.Store(a1 + b1, ref o, (nuint)(row * N + TV.Count));
    }

    // One example's 2w outputs: the remainder when a core's share of the batch is not a multiple of mr.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row<TV>(ref float x, ref float panel, TV b0, TV b1, ref float o) where TV : struct, ISimd<TV, float>
    {
        int w = TV.Count;
        TV lo = TV.Zero, hi = TV.Zero;
        for (int k = 0; k < N; k++)
        {
            var v = TV.Splat(Unsafe.Add(ref x, k));
            lo = TV.Fma(v, TV.Load(ref panel, (nuint)(k * 2 * w)), lo);
            hi = TV.Fma(v, TV.Load(ref panel, (nuint)(k * 2 * w + w)), hi);
        }
        Epilogue(ref o, 0, lo, hi, b0, b1);
    }
}

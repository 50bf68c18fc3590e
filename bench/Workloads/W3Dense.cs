using System.Numerics.Tensors;
using Tensor = ArrayLang.Tracing.Tensor;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
    /// A register-blocked SIMD matrix product <c>Y = X Wᵀ</c> with the bias and tanh fused into its
    /// epilogue: a block of 4 examples x 64 outputs keeps 16 <c>Vector512</c> accumulators in
    /// registers while k runs over the 256 inputs (one broadcast of x and four loads of Wᵀ feed 16
    /// FMAs). Wᵀ (256 KiB, L2-resident) is made per call, so its cost is part of the time.
    /// </summary>
    public override float[] RunHandFused()
    {
        var o = GC.AllocateUninitializedArray<float>(Batch * N);
        var wt = GC.AllocateUninitializedArray<float>(N * N);
        for (int r = 0; r < N; r++)
            for (int k = 0; k < N; k++) wt[k * N + r] = _w[r * N + k];
        Cores.For(Batch, (s, e) =>
        {
            int i = s;
            for (; i + 4 <= e; i += 4)
                for (int c = 0; c < N; c += 64) Block4x64(_x, wt, _b, o, i, c);
            for (; i < e; i++)
                for (int c = 0; c < N; c += 16) Block1x16(_x, wt, _b, o, i, c);
        }, align: 4);
        return o;
    }

    // Fully optimized on first call (Note [baseline kernels]).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Block4x64(float[] x, float[] wt, float[] b, float[] o, int i, int c)
    {
        fixed (float* px = &x[i * N], pw = &wt[c], pb = &b[c], po = &o[i * N + c])
        {
            Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
            Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
            Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
            Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
            for (int k = 0; k < N; k++)
            {
                float* w = pw + k * N;
                var w0 = Vector512.Load(w); var w1 = Vector512.Load(w + 16);
                var w2 = Vector512.Load(w + 32); var w3 = Vector512.Load(w + 48);
                var x0 = Vector512.Create(px[k]);
                a00 = Vector512.FusedMultiplyAdd(w0, x0, a00); a01 = Vector512.FusedMultiplyAdd(w1, x0, a01);
                a02 = Vector512.FusedMultiplyAdd(w2, x0, a02); a03 = Vector512.FusedMultiplyAdd(w3, x0, a03);
                var x1 = Vector512.Create(px[N + k]);
                a10 = Vector512.FusedMultiplyAdd(w0, x1, a10); a11 = Vector512.FusedMultiplyAdd(w1, x1, a11);
                a12 = Vector512.FusedMultiplyAdd(w2, x1, a12); a13 = Vector512.FusedMultiplyAdd(w3, x1, a13);
                var x2 = Vector512.Create(px[2 * N + k]);
                a20 = Vector512.FusedMultiplyAdd(w0, x2, a20); a21 = Vector512.FusedMultiplyAdd(w1, x2, a21);
                a22 = Vector512.FusedMultiplyAdd(w2, x2, a22); a23 = Vector512.FusedMultiplyAdd(w3, x2, a23);
                var x3 = Vector512.Create(px[3 * N + k]);
                a30 = Vector512.FusedMultiplyAdd(w0, x3, a30); a31 = Vector512.FusedMultiplyAdd(w1, x3, a31);
                a32 = Vector512.FusedMultiplyAdd(w2, x3, a32); a33 = Vector512.FusedMultiplyAdd(w3, x3, a33);
            }
            var b0 = Vector512.Load(pb); var b1 = Vector512.Load(pb + 16);
            var b2 = Vector512.Load(pb + 32); var b3 = Vector512.Load(pb + 48);
            Epilogue(po, a00, a01, a02, a03, b0, b1, b2, b3);
            Epilogue(po + N, a10, a11, a12, a13, b0, b1, b2, b3);
            Epilogue(po + 2 * N, a20, a21, a22, a23, b0, b1, b2, b3);
            Epilogue(po + 3 * N, a30, a31, a32, a33, b0, b1, b2, b3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Epilogue(float* o, Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3,
        Vector512<float> b0, Vector512<float> b1, Vector512<float> b2, Vector512<float> b3)
    {
        FastMath.Tanh(a0 + b0).Store(o);
        FastMath.Tanh(a1 + b1).Store(o + 16);
        FastMath.Tanh(a2 + b2).Store(o + 32);
        FastMath.Tanh(a3 + b3).Store(o + 48);
    }

    // One example's 16 outputs: the remainder when a core's share of the batch is not a multiple of 4.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Block1x16(float[] x, float[] wt, float[] b, float[] o, int i, int c)
    {
        fixed (float* px = &x[i * N], pw = &wt[c], pb = &b[c], po = &o[i * N + c])
        {
            var acc = Vector512<float>.Zero;
            for (int k = 0; k < N; k++) acc = Vector512.FusedMultiplyAdd(Vector512.Load(pw + k * N), Vector512.Create(px[k]), acc);
            FastMath.Tanh(acc + Vector512.Load(pb)).Store(po);
        }
    }
}

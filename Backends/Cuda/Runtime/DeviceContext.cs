using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace ArrayLang.Backends.Cuda.Runtime;

/// <summary>Which accelerator the CUDA backend runs on.</summary>
public enum CudaDeviceKind
{
    /// <summary>An NVIDIA GPU through the CUDA driver.</summary>
    Gpu,
    /// <summary>ILGPU's CPU accelerator: an emulator of the GPU's threads, correct but slow (tests and machines without a GPU).</summary>
    CpuEmulator,
}

/// <summary>
/// The process-wide ILGPU context and accelerator of the CUDA backend (Note [cuda device choice]),
/// the stream every call runs on, and the cache of loaded kernels.
/// </summary>
/// <remarks>
/// Note [cuda device choice]: the environment variable <c>ARRAYLANG_CUDA_DEVICE</c> chooses:
/// <c>gpu</c> requires a CUDA device (and fails, saying why, without one), <c>cpu</c> runs on
/// ILGPU's CPU accelerator even where a GPU exists, and anything else (or unset) takes the first
/// CUDA device when there is one, else the CPU accelerator. The CPU accelerator makes the whole
/// backend testable on machines without a GPU; it is an emulator (microseconds per thread), so
/// only small sizes are practical there.
/// </remarks>
public sealed class DeviceContext
{
    /// <summary>The environment variable that chooses the device (Note [cuda device choice]).</summary>
    public const string EnvironmentVariable = "ARRAYLANG_CUDA_DEVICE";

    private static readonly Lazy<DeviceContext> _default = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly ConcurrentDictionary<string, Kernel> _kernels = new();
    private readonly ConcurrentDictionary<string, MethodInfo> _methods = new();
    private readonly DeviceMemory _memory;

    private DeviceContext(Context context, Accelerator accelerator, CudaDeviceKind kind)
    {
        Context = context;
        Accelerator = accelerator;
        Kind = kind;
        Stream = accelerator.DefaultStream;
        _memory = new DeviceMemory(accelerator, Stream, Description);
    }

    /// <summary>The device of this process, created on first use.</summary>
    public static DeviceContext Default => _default.Value;

    /// <summary>Why the default device cannot be created, or null when it can (creating it if needed).</summary>
    public static string? Unavailable
    {
        get
        {
            try
            {
                _ = _default.Value;
                return null;
            }
            catch (Exception e)
            {
                return e.Message;
            }
        }
    }

    /// <summary>The ILGPU context.</summary>
    public Context Context { get; }

    /// <summary>The accelerator kernels run on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>A GPU or the CPU emulator.</summary>
    public CudaDeviceKind Kind { get; }

    /// <summary>The stream every call is queued on (in order, so a call never waits for more than it must).</summary>
    public AcceleratorStream Stream { get; }

    /// <summary>A short description: <c>gpu NVIDIA H200</c> or <c>cpu-emulator</c>.</summary>
    public string Description => Kind == CudaDeviceKind.Gpu ? $"gpu {Accelerator.Name}" : "cpu-emulator";

    /// <summary>Device buffers allocated and not yet freed (the leak check of the tests counts them).</summary>
    public long LiveBuffers => _memory.LiveBuffers;

    /// <summary>Bytes of free device buffers kept for reuse, at most 256 MiB (Note [stream-ordered memory]).</summary>
    public long PooledBytes => _memory.PooledBytes;

    /// <summary>How many distinct kernels were compiled and loaded.</summary>
    public int LoadedKernels => _kernels.Count;

    /// <summary>Every kernel method loaded so far, by cache key (the offline PTX check compiles each for sm_90).</summary>
    public IReadOnlyDictionary<string, MethodInfo> LoadedMethods => _methods;

    /// <summary>How contraction kernels tile their products on this device (Note [tiled contraction]).</summary>
    internal Emit.ContractionTiling ContractionTiling => Emit.ContractionTiling.For(Accelerator.MaxNumThreadsPerGroup);

    /// <summary>Threads per group of a block reduction (Note [block reductions]): 256, or as many as the device's groups hold.</summary>
    internal int ReductionGroupSize => Math.Min(Emit.KernelEmitter.ReductionPartials, Accelerator.MaxNumThreadsPerGroup);

    /// <summary>Serializes compilation and launches from several threads.</summary>
    internal object Gate { get; } = new();

    private static DeviceContext Create()
    {
        string choice = (Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "auto").Trim().ToLowerInvariant();
        if (choice != "cpu")
        {
            Context? context = null;
            string reason;
            try
            {
                context = Context.Create(b => b.Cuda().Optimize(OptimizationLevel.O1));
                var device = context.Devices.OfType<CudaDevice>().FirstOrDefault();
                if (device is not null) return new DeviceContext(context, device.CreateAccelerator(context), CudaDeviceKind.Gpu);
                reason = "ILGPU found no CUDA device (no NVIDIA GPU, or libcuda.so is not on the library path)";
            }
            catch (Exception e)
            {
                reason = $"the CUDA driver could not be initialized: {e.Message}";
            }
            context?.Dispose();
            if (choice == "gpu")
                throw new InvalidOperationException($"{EnvironmentVariable}=gpu requires a CUDA device, but {reason}");
        }
        // The emulator's speed does not matter, its compile time does (the conformance suite compiles thousands of kernels).
        var cpu = Context.Create(b => b.CPU(CPUDevice.Default).Optimize(OptimizationLevel.O0));
        return new DeviceContext(cpu, cpu.Devices.OfType<CPUDevice>().First().CreateAccelerator(cpu), CudaDeviceKind.CpuEmulator);
    }

    /// <summary>
    /// A buffer of <paramref name="bytes"/> bytes (at least one) on the device; a
    /// <see cref="ArrayLang.Ir.ResourceLimitException"/> when the device has no memory left (Note [stream-ordered memory]).
    /// </summary>
    internal MemoryBuffer1D<byte, Stride1D.Dense> Allocate(long bytes) => _memory.Rent(bytes);

    /// <summary>Gives back a buffer from <see cref="Allocate"/>, without waiting for the work queued on it (Note [stream-ordered memory]).</summary>
    internal void Free(MemoryBuffer1D<byte, Stride1D.Dense> buffer) => _memory.Return(buffer);

    /// <summary>The loaded kernel of <paramref name="method"/>, compiled once per <paramref name="key"/> (the kernel's text).</summary>
    internal Kernel Load(string key, Func<MethodInfo> method) =>
        _kernels.GetOrAdd(key, _ =>
        {
            var m = method();
            _methods.TryAdd(key, m);
            lock (Gate)
            {
                long start = Stopwatch.GetTimestamp();
                var kernel = Accelerator is CudaAccelerator cuda ? PtxLink.Load(cuda, m)
                    : PtxLink.IsExplicitlyGrouped(m) ? Accelerator.LoadKernel(m)
                    : Accelerator.LoadAutoGroupedKernel(m);
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                _compiledKernels++;
                _compileMs += ms;
                LastCompileMs = ms;
                return kernel;
            }
        });

    private int _compiledKernels;
    private double _compileMs;

    /// <summary>
    /// Milliseconds the last fresh kernel took to compile and load: ILGPU's compilation to PTX, the
    /// link (Note [ptx link]) and the driver's JIT on a GPU; ILGPU's compilation for the CPU
    /// accelerator on the emulator.
    /// </summary>
    public double LastCompileMs { get; private set; }

    /// <summary>Fresh kernels compiled and loaded so far, and the milliseconds they took together.</summary>
    public (int Kernels, double Milliseconds) CompileTotals
    {
        get { lock (Gate) return (_compiledKernels, _compileMs); }
    }
}

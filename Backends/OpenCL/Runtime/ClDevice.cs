using System.Collections.Concurrent;
using System.Text;
using ArrayLang.Ir;
using Silk.NET.OpenCL;

namespace ArrayLang.Backends.OpenCL.Runtime;

/// <summary>What an OpenCL device is and what it supports, read once when it is opened.</summary>
/// <param name="Index">Its position in <see cref="ClDevice.List"/> (platforms in order, then their devices).</param>
/// <param name="Platform">The platform's name.</param>
/// <param name="Name">The device's name.</param>
/// <param name="IsGpu">Whether the device reports itself as a GPU.</param>
/// <param name="HasFp64">Whether it supports double precision (<c>cl_khr_fp64</c>).</param>
/// <param name="CorrectlyRoundedDivideSqrt">Whether <c>-cl-fp32-correctly-rounded-divide-sqrt</c> is supported.</param>
/// <param name="MaxWorkGroupSize">The largest work-group it runs.</param>
/// <param name="LocalMemoryBytes">Its local memory per work-group.</param>
/// <param name="GlobalMemoryBytes">Its global memory (0 where the driver does not say).</param>
/// <param name="MaxAllocationBytes">The largest single buffer it allocates (0 where the driver does not say).</param>
public sealed record ClDeviceInfo(int Index, string Platform, string Name, bool IsGpu, bool HasFp64,
    bool CorrectlyRoundedDivideSqrt, long MaxWorkGroupSize, long LocalMemoryBytes, long GlobalMemoryBytes = 0,
    long MaxAllocationBytes = 0)
{
    /// <summary><c>#1 NVIDIA CUDA / NVIDIA H200 (gpu, fp64)</c>.</summary>
    public override string ToString() =>
        $"#{Index} {Platform} / {Name} ({(IsGpu ? "gpu" : "cpu/other")}{(HasFp64 ? ", fp64" : ", no fp64")})";
}

/// <summary>An error from the OpenCL runtime: the call, its status code and what was being done.</summary>
public sealed class OpenClException(string message) : Exception(message);

/// <summary>
/// One OpenCL device opened for use: its context, one in-order command queue, buffer allocation
/// (with a count of the live buffers this process allocated on it, for leak tests) and a cache of
/// built programs keyed by the stable hash of their source. Thread-safe; one per device per process.
/// </summary>
public sealed unsafe class ClDevice
{
    /// <summary>The environment variable that picks the device: an index into <see cref="List"/>, or a
    /// case-insensitive substring of "platform / device name".</summary>
    public const string DeviceVariable = "ARRAYLANG_OPENCL_DEVICE";

    private static readonly Lazy<(CL? Api, string? Error)> Loaded = new(LoadApi);
    private static readonly ConcurrentDictionary<int, ClDevice> Opened = new();
    private readonly ConcurrentDictionary<string, nint> _programs = new();
    private readonly object _queueLock = new();
    private long _liveBuffers;

    private ClDevice(CL api, nint device, ClDeviceInfo info)
    {
        Api = api;
        Handle = device;
        Info = info;
        int err;
        nint d = device;
        Context = api.CreateContext(null, 1, &d, null, null, &err);
        Check(err, "clCreateContext");
        Queue = api.CreateCommandQueue(Context, device, (CommandQueueProperties)0, &err);
        Check(err, "clCreateCommandQueue");
    }

    /// <summary>The loaded OpenCL API.</summary>
    public CL Api { get; }

    /// <summary>The <c>cl_device_id</c>.</summary>
    public nint Handle { get; }

    /// <summary>What the device is.</summary>
    public ClDeviceInfo Info { get; }

    /// <summary>The context holding every buffer and program of this device.</summary>
    public nint Context { get; }

    /// <summary>The one in-order queue: kernels and copies run in the order they were enqueued.</summary>
    public nint Queue { get; }

    /// <summary>How many buffers allocated through <c>Allocate</c> are not yet released.</summary>
    public long LiveBuffers => Interlocked.Read(ref _liveBuffers);

    /// <summary>Why OpenCL cannot run here (no library, no platform, no device), or null when it can.</summary>
    public static string? Unavailable
    {
        get
        {
            var (api, error) = Loaded.Value;
            if (api is null) return error;
            try { return List().Count == 0 ? "OpenCL: no device on any platform" : null; }
            catch (Exception e) { return $"OpenCL: {e.Message}"; }
        }
    }

    /// <summary>Every device of every platform, in platform order.</summary>
    public static IReadOnlyList<ClDeviceInfo> List() => Enumerate().Select(d => d.Info).ToList();

    /// <summary>
    /// The default device: the one <see cref="DeviceVariable"/> names when it is set, else the first
    /// GPU, else the first device.
    /// </summary>
    public static ClDevice Default()
    {
        var all = Enumerate();
        if (all.Count == 0) throw new OpenClException(Unavailable ?? "OpenCL: no device on any platform");
        var wanted = Environment.GetEnvironmentVariable(DeviceVariable);
        if (!string.IsNullOrWhiteSpace(wanted)) return Open(Select(all.Select(a => a.Info).ToList(), wanted).Index);
        var gpu = all.FirstOrDefault(d => d.Info.IsGpu);
        return Open((gpu.Info ?? all[0].Info).Index);
    }

    /// <summary>The device a selector names: an index into <see cref="List"/> or a substring of "platform / name".</summary>
    public static ClDeviceInfo Select(IReadOnlyList<ClDeviceInfo> devices, string selector)
    {
        if (int.TryParse(selector, out int i))
            return i >= 0 && i < devices.Count ? devices[i]
                : throw new OpenClException($"OpenCL device {i} does not exist (from {DeviceVariable} or the API); devices: {Describe(devices)}");
        var match = devices.FirstOrDefault(d => $"{d.Platform} / {d.Name}".Contains(selector.Trim(), StringComparison.OrdinalIgnoreCase));
        return match ?? throw new OpenClException($"no OpenCL device's name contains '{selector}'; devices: {Describe(devices)}");
    }

    private static string Describe(IReadOnlyList<ClDeviceInfo> devices) => string.Join("; ", devices);

    /// <summary>Opens device <paramref name="index"/> of <see cref="List"/> (once per process).</summary>
    public static ClDevice Open(int index) => Opened.GetOrAdd(index, i =>
    {
        var all = Enumerate();
        if (i < 0 || i >= all.Count) throw new OpenClException($"OpenCL device {i} does not exist; devices: {Describe(all.Select(a => a.Info).ToList())}");
        return new ClDevice(Loaded.Value.Api!, all[i].Handle, all[i].Info);
    });

    private static (CL? Api, string? Error) LoadApi()
    {
        try
        {
            var api = CL.GetApi();
            uint n;
            int err = api.GetPlatformIDs(0, null, &n);
            if (err != 0 || n == 0) return (null, $"OpenCL: no platform (clGetPlatformIDs returned {err}, {n} platforms); install an OpenCL driver, e.g. pocl-opencl-icd");
            return (api, null);
        }
        catch (Exception e)
        {
            return (null, $"OpenCL: the library could not be loaded ({e.GetType().Name}: {e.Message}); install ocl-icd-libopencl1 and a driver");
        }
    }

    private static List<(nint Handle, ClDeviceInfo Info)> Enumerate()
    {
        var api = Loaded.Value.Api ?? throw new OpenClException(Loaded.Value.Error!);
        var result = new List<(nint, ClDeviceInfo)>();
        uint np;
        api.GetPlatformIDs(0, null, &np);
        var platforms = new nint[np];
        fixed (nint* p = platforms) api.GetPlatformIDs(np, p, null);
        foreach (var platform in platforms)
        {
            string pname = PlatformString(api, platform, PlatformInfo.Name);
            uint nd;
            if (api.GetDeviceIDs(platform, DeviceType.All, 0, null, &nd) != 0 || nd == 0) continue;
            var devices = new nint[nd];
            fixed (nint* d = devices) api.GetDeviceIDs(platform, DeviceType.All, nd, d, null);
            foreach (var d in devices)
            {
                ulong type = DeviceScalar<ulong>(api, d, DeviceInfo.Type);
                string ext = DeviceString(api, d, DeviceInfo.Extensions);
                ulong fp64 = DeviceScalar<ulong>(api, d, DeviceInfo.DoubleFPConfig);
                ulong fp32 = DeviceScalar<ulong>(api, d, DeviceInfo.SingleFPConfig);
                var info = new ClDeviceInfo(result.Count, pname, DeviceString(api, d, DeviceInfo.Name),
                    (type & (ulong)DeviceType.Gpu) != 0, ext.Contains("cl_khr_fp64") || fp64 != 0,
                    (fp32 & 128) != 0 /* CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT */,
                    (long)DeviceScalar<nuint>(api, d, DeviceInfo.MaxWorkGroupSize),
                    (long)DeviceScalar<ulong>(api, d, DeviceInfo.LocalMemSize),
                    (long)DeviceScalar<ulong>(api, d, DeviceInfo.GlobalMemSize),
                    (long)DeviceScalar<ulong>(api, d, DeviceInfo.MaxMemAllocSize));
                result.Add((d, info));
            }
        }
        return result;
    }

    private static string PlatformString(CL api, nint platform, PlatformInfo what)
    {
        nuint size;
        api.GetPlatformInfo(platform, what, 0, null, &size);
        var bytes = new byte[size];
        fixed (byte* b = bytes) api.GetPlatformInfo(platform, what, size, b, null);
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0').Trim();
    }

    private static string DeviceString(CL api, nint device, DeviceInfo what)
    {
        nuint size;
        api.GetDeviceInfo(device, what, 0, null, &size);
        var bytes = new byte[size];
        fixed (byte* b = bytes) api.GetDeviceInfo(device, what, size, b, null);
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0').Trim();
    }

    private static T DeviceScalar<T>(CL api, nint device, DeviceInfo what) where T : unmanaged
    {
        T value = default;
        return api.GetDeviceInfo(device, what, (nuint)sizeof(T), &value, null) == 0 ? value : default;
    }

    /// <summary>
    /// Throws with the call's name and status when <paramref name="err"/> is not success: a
    /// <see cref="ResourceLimitException"/> when the device or host ran out of memory (Note [opencl
    /// out of memory]), else an <see cref="OpenClException"/>.
    /// </summary>
    public static void Check(int err, string call)
    {
        if (err == 0) return;
        if (IsOutOfMemory(err))
            throw new ResourceLimitException($"OpenCL: {call} failed with {StatusName(err)}: the device is out of memory; {WayOut}");
        throw new OpenClException($"OpenCL: {call} failed with status {err} ({StatusName(err)})");
    }

    // Note [opencl out of memory]: drivers report a full device as CL_MEM_OBJECT_ALLOCATION_FAILURE
    // or CL_OUT_OF_RESOURCES, from clCreateBuffer or (allocating lazily) from the first command that
    // uses the buffer, and a full host as CL_OUT_OF_HOST_MEMORY. Each becomes Core's
    // ResourceLimitException, a user error that names the way out, as does a buffer larger than the
    // device's CL_DEVICE_MAX_MEM_ALLOC_SIZE, which Allocate refuses before asking the driver.

    /// <summary>Whether <paramref name="err"/> says that memory ran out.</summary>
    public static bool IsOutOfMemory(int err) => err is -4 or -5 or -6;

    private const string WayOut =
        "dispose device arrays that are no longer needed, use smaller inputs, or run the batch in chunks " +
        "(Vmap.Chunked, or arraylang run --chunk K / --memory-budget BYTES)";

    private static string StatusName(int err) => err switch
    {
        -4 => "CL_MEM_OBJECT_ALLOCATION_FAILURE",
        -5 => "CL_OUT_OF_RESOURCES",
        -6 => "CL_OUT_OF_HOST_MEMORY",
        -11 => "CL_BUILD_PROGRAM_FAILURE",
        -30 => "CL_INVALID_VALUE",
        -38 => "CL_INVALID_MEM_OBJECT",
        -46 => "CL_INVALID_KERNEL_NAME",
        -48 => "CL_INVALID_KERNEL",
        -49 => "CL_INVALID_ARG_INDEX",
        -51 => "CL_INVALID_ARG_SIZE",
        -52 => "CL_INVALID_KERNEL_ARGS",
        -54 => "CL_INVALID_WORK_GROUP_SIZE",
        -61 => "CL_INVALID_BUFFER_SIZE",
        _ => "see the OpenCL headers",
    };

    // ---- buffers ----

    /// <summary>An uninitialized device buffer of <paramref name="bytes"/> bytes (at least one).</summary>
    public nint Allocate(long bytes) => Allocate(bytes, null);

    /// <summary>A device buffer of <paramref name="bytes"/> bytes (at least one), filled from <paramref name="source"/> when it is not null.</summary>
    public nint Allocate(long bytes, void* source)
    {
        if (Info.MaxAllocationBytes > 0 && bytes > Info.MaxAllocationBytes)
            throw new ResourceLimitException(
                $"OpenCL: a buffer of {bytes:N0} bytes is larger than device {Info.Name} allocates at once " +
                $"({Info.MaxAllocationBytes:N0} bytes, of {Info.GlobalMemoryBytes:N0} in all); {WayOut}");
        int err;
        var flags = source == null ? MemFlags.ReadWrite : MemFlags.ReadWrite | MemFlags.CopyHostPtr;
        var mem = Api.CreateBuffer(Context, flags, (nuint)Math.Max(bytes, 1), bytes == 0 ? null : source, &err);
        if (bytes == 0 && source != null) mem = Api.CreateBuffer(Context, MemFlags.ReadWrite, 1, null, &err);
        Check(err, $"clCreateBuffer ({bytes:N0} bytes on {Info.Name})");
        Interlocked.Increment(ref _liveBuffers);
        return mem;
    }

    /// <summary>Releases a buffer from <c>Allocate</c>.</summary>
    public void Release(nint mem)
    {
        Check(Api.ReleaseMemObject(mem), "clReleaseMemObject");
        Interlocked.Decrement(ref _liveBuffers);
    }

    /// <summary>Copies <paramref name="bytes"/> bytes from the host to a buffer (blocking: the host memory may be reused at once).</summary>
    public void Write(nint mem, void* source, long bytes, long offset = 0)
    {
        if (bytes == 0) return;
        lock (_queueLock) Check(Api.EnqueueWriteBuffer(Queue, mem, true, (nuint)offset, (nuint)bytes, source, 0, null, null), "clEnqueueWriteBuffer");
    }

    /// <summary>Copies <paramref name="bytes"/> bytes of a buffer to the host, after everything enqueued before.</summary>
    public void Read(nint mem, void* destination, long bytes, long offset = 0)
    {
        if (bytes == 0) return;
        lock (_queueLock) Check(Api.EnqueueReadBuffer(Queue, mem, true, (nuint)offset, (nuint)bytes, destination, 0, null, null), "clEnqueueReadBuffer");
    }

    /// <summary>Enqueues a device-side copy between buffers.</summary>
    public void Copy(nint from, long fromOffset, nint to, long toOffset, long bytes)
    {
        if (bytes == 0) return;
        lock (_queueLock)
            Check(Api.EnqueueCopyBuffer(Queue, from, to, (nuint)fromOffset, (nuint)toOffset, (nuint)bytes, 0, null, null), "clEnqueueCopyBuffer");
    }

    /// <summary>Waits until everything enqueued has finished.</summary>
    public void Finish()
    {
        lock (_queueLock) Check(Api.Finish(Queue), "clFinish");
    }

    /// <summary>Enqueues a kernel over a 1-D range (<paramref name="global"/> a multiple of <paramref name="local"/>).</summary>
    public void Launch(nint kernel, long global, long local, string name)
    {
        if (global == 0) return;
        nuint g = (nuint)global, l = (nuint)local;
        lock (_queueLock) Check(Api.EnqueueNdrangeKernel(Queue, kernel, 1, null, &g, &l, 0, null, null), $"clEnqueueNDRangeKernel({name})");
    }

    /// <summary>Enqueues a kernel over a 2-D range.</summary>
    public void Launch2D(nint kernel, long g0, long g1, long l0, long l1, string name)
    {
        if (g0 == 0 || g1 == 0) return;
        var g = stackalloc nuint[2] { (nuint)g0, (nuint)g1 };
        var l = stackalloc nuint[2] { (nuint)l0, (nuint)l1 };
        lock (_queueLock) Check(Api.EnqueueNdrangeKernel(Queue, kernel, 2, null, g, l, 0, null, null), $"clEnqueueNDRangeKernel({name})");
    }

    // ---- programs ----

    /// <summary>The build options: no fast or relaxed math, no contraction (Note [opencl exactness]).</summary>
    public string BuildOptions => "-cl-std=CL1.2" + (Info.CorrectlyRoundedDivideSqrt ? " -cl-fp32-correctly-rounded-divide-sqrt" : "");

    /// <summary>
    /// The built program for <paramref name="source"/>, from the cache when the same source (by its
    /// SHA-256) was built before on this device. A failed build throws with the build log and the source.
    /// </summary>
    public nint Build(string source)
    {
        var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(source)));
        if (_programs.TryGetValue(key, out var cached)) return cached;
        lock (_programs)
        {
            if (_programs.TryGetValue(key, out cached)) return cached;
            int err;
            var program = Api.CreateProgramWithSource(Context, 1, new[] { source }, null, &err);
            Check(err, "clCreateProgramWithSource");
            nint d = Handle;
            err = Api.BuildProgram(program, 1, &d, BuildOptions, null, null);
            if (err != 0)
            {
                var log = BuildLog(program);
                Api.ReleaseProgram(program);
                throw new OpenClException(
                    $"OpenCL: building a generated program failed on {Info.Name} (status {err}, options '{BuildOptions}').\n" +
                    $"build log:\n{log}\ngenerated source:\n{Numbered(source)}");
            }
            _programs[key] = program;
            return program;
        }
    }

    /// <summary>How many distinct programs were built on this device.</summary>
    public int CachedPrograms => _programs.Count;

    private string BuildLog(nint program)
    {
        nuint size;
        Api.GetProgramBuildInfo(program, Handle, ProgramBuildInfo.BuildLog, 0, null, &size);
        var bytes = new byte[size];
        fixed (byte* b = bytes) Api.GetProgramBuildInfo(program, Handle, ProgramBuildInfo.BuildLog, size, b, null);
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0');
    }

    private static string Numbered(string source) =>
        string.Join("\n", source.Split('\n').Select((l, i) => $"{i + 1,5}: {l}"));

    /// <summary>A kernel object of a built program (each executable creates its own: kernel arguments are per object).</summary>
    public nint CreateKernel(nint program, string name)
    {
        int err;
        var k = Api.CreateKernel(program, name, &err);
        Check(err, $"clCreateKernel({name})");
        return k;
    }

    /// <summary>Sets a buffer argument.</summary>
    public void SetArg(nint kernel, int index, nint mem) =>
        Check(Api.SetKernelArg(kernel, (uint)index, (nuint)sizeof(nint), &mem), $"clSetKernelArg({index})");

    /// <summary>Sets a scalar argument.</summary>
    public void SetArg<T>(nint kernel, int index, T value) where T : unmanaged =>
        Check(Api.SetKernelArg(kernel, (uint)index, (nuint)sizeof(T), &value), $"clSetKernelArg({index})");
}

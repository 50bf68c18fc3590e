using ArrayLang.Ir;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace ArrayLang.Backends.Cuda.Runtime;

/// <summary>
/// The device memory of the CUDA backend: buffers handed out and taken back without waiting for
/// the device (Note [stream-ordered memory]), a bounded pool of free ones, and out-of-memory as a
/// <see cref="ResourceLimitException"/>.
/// </summary>
/// <remarks>
/// Note [stream-ordered memory]: every kernel and copy of the backend is queued on one in-order
/// stream, so a buffer given back while queued work still reads or writes it can go to the next
/// request at once: whatever uses it next is queued after that work and runs after it. Giving
/// back therefore never waits (a device-resident call only queues work and returns); only reading
/// results on the host (<c>ToHost</c>, <c>BlockUntilReady</c>, a control-flow predicate) waits.
/// A request takes the most recently returned free buffer of exactly its size (a program asks for
/// the same sizes call after call), else allocates. The pool is bounded: past
/// <see cref="MaxPooledBytes"/> or <see cref="MaxPooledBuffers"/> the oldest free buffers are
/// really freed, after the stream drains (freeing memory a queued kernel uses would be unsafe).
/// When the device is out of memory, the pool is emptied and the allocation tried once more.
/// </remarks>
internal sealed class DeviceMemory
{
    /// <summary>Bytes the pool keeps at most in free buffers.</summary>
    public const long MaxPooledBytes = 256L << 20;

    /// <summary>Free buffers the pool keeps at most.</summary>
    public const int MaxPooledBuffers = 64;

    private readonly Accelerator _accelerator;
    private readonly AcceleratorStream _stream;
    private readonly string _description;
    private readonly object _lock = new();
    private readonly LinkedList<MemoryBuffer1D<byte, Stride1D.Dense>> _free = new(); // oldest first
    private long _freeBytes, _liveBuffers, _liveBytes;

    public DeviceMemory(Accelerator accelerator, AcceleratorStream stream, string description)
    {
        _accelerator = accelerator;
        _stream = stream;
        _description = description;
    }

    /// <summary>Buffers handed out and not given back.</summary>
    public long LiveBuffers => Interlocked.Read(ref _liveBuffers);

    /// <summary>Bytes in free buffers kept for reuse.</summary>
    public long PooledBytes
    {
        get { lock (_lock) return _freeBytes; }
    }

    /// <summary>A buffer of <paramref name="bytes"/> bytes (at least one).</summary>
    public MemoryBuffer1D<byte, Stride1D.Dense> Rent(long bytes)
    {
        long size = Math.Max(1, bytes);
        lock (_lock)
        {
            for (var node = _free.Last; node is not null; node = node.Previous)
                if (node.Value.Length == size)
                {
                    _free.Remove(node);
                    _freeBytes -= size;
                    return Counted(node.Value);
                }
        }
        MemoryBuffer1D<byte, Stride1D.Dense> buffer;
        try
        {
            buffer = _accelerator.Allocate1D<byte>(size);
        }
        catch (Exception e) when (IsOutOfMemory(e))
        {
            Trim(0, 0);
            try
            {
                buffer = _accelerator.Allocate1D<byte>(size);
            }
            catch (Exception again) when (IsOutOfMemory(again))
            {
                throw new ResourceLimitException(
                    $"the CUDA device ({_description}) is out of memory: {size:N0} bytes were requested while {LiveBuffers:N0} buffers " +
                    $"({Interlocked.Read(ref _liveBytes):N0} bytes) are in use; dispose device arrays no longer needed, or run the function " +
                    "in chunks (Vmap.Chunked, or arraylang run --chunk K / --memory-budget BYTES)");
            }
        }
        lock (_lock) return Counted(buffer);
    }

    private MemoryBuffer1D<byte, Stride1D.Dense> Counted(MemoryBuffer1D<byte, Stride1D.Dense> buffer)
    {
        _liveBuffers++;
        _liveBytes += buffer.Length;
        return buffer;
    }

    /// <summary>Takes back a buffer from <see cref="Rent"/> without waiting for the work queued on it (Note [stream-ordered memory]).</summary>
    public void Return(MemoryBuffer1D<byte, Stride1D.Dense> buffer)
    {
        lock (_lock)
        {
            _liveBuffers--;
            _liveBytes -= buffer.Length;
            _free.AddLast(buffer);
            _freeBytes += buffer.Length;
        }
        Trim(MaxPooledBytes, MaxPooledBuffers);
    }

    /// <summary>Frees the oldest free buffers until at most <paramref name="bytes"/> bytes in <paramref name="buffers"/> buffers remain.</summary>
    public void Trim(long bytes, int buffers)
    {
        var evicted = new List<MemoryBuffer1D<byte, Stride1D.Dense>>();
        lock (_lock)
        {
            while (_free.First is { } oldest && (_freeBytes > bytes || _free.Count > buffers))
            {
                _free.RemoveFirst();
                _freeBytes -= oldest.Value.Length;
                evicted.Add(oldest.Value);
            }
        }
        if (evicted.Count == 0) return;
        _stream.Synchronize();
        foreach (var b in evicted) b.Dispose();
    }

    /// <summary>Whether <paramref name="e"/> says that the device (or, for the CPU accelerator, the host) has no memory left.</summary>
    public static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException || e is CudaException { Error: "CUDA_ERROR_OUT_OF_MEMORY" };
}

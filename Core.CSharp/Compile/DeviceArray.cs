using ArrayLang.Ir;
using ArrayLang.Values;

namespace ArrayLang.Compile;

/// <summary>
/// An array held where a backend computes (a GPU's memory, or the host for the CPU backend), so that
/// compiled functions can be called on it many times without copying it in and their results out
/// each time (JAX's <c>device_put</c> / <c>block_until_ready</c>). Made by <see cref="IBackend.Put"/>
/// and <see cref="IExecutable.RunOnDevice"/>; read back with <see cref="ToHost"/>. The caller owns
/// it: <see cref="Dispose"/> returns its memory to the device at once (a finalizer is only a safety net).
/// </summary>
public abstract class DeviceArray : IDisposable
{
    private int _disposed;

    /// <summary>Creates a device array of <paramref name="type"/> held by <paramref name="backend"/>.</summary>
    protected DeviceArray(IBackend backend, AVal type)
    {
        Backend = backend;
        Type = type;
    }

    /// <summary>The backend whose device holds the data.</summary>
    public IBackend Backend { get; }

    /// <summary>The dtype and shape.</summary>
    public AVal Type { get; }

    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Waits for the work that computes this array, then copies it to a new host array.</summary>
    public NDArray ToHost()
    {
        ThrowIfDisposed();
        return CopyToHost();
    }

    /// <summary>Waits until the work that computes this array has finished (device calls return before it has).</summary>
    public virtual void BlockUntilReady() => ThrowIfDisposed();

    /// <summary>Returns the device memory; later use of this array is an error.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>The array's contents on the host (called only while not disposed).</summary>
    protected abstract NDArray CopyToHost();

    /// <summary>Frees the device memory (called once).</summary>
    protected abstract void Release();

    /// <summary>Throws a clear error when the array was disposed.</summary>
    protected void ThrowIfDisposed()
    {
        if (IsDisposed) throw new ObjectDisposedException(nameof(DeviceArray), $"a {Type} array on backend {Backend.Name} was used after Dispose");
    }

    /// <summary><c>f32[1000] on opencl</c>.</summary>
    public override string ToString() => $"{Type} on {Backend.Name}{(IsDisposed ? " (disposed)" : "")}";
}

/// <summary>
/// A <see cref="DeviceArray"/> of a backend that computes on the host (the CPU backend, the reference
/// evaluator): it wraps an <see cref="NDArray"/>, which ArrayLang never mutates, so nothing is copied.
/// </summary>
public sealed class HostDeviceArray : DeviceArray
{
    private readonly NDArray _array;

    /// <summary>Wraps <paramref name="array"/> as held by <paramref name="backend"/>.</summary>
    public HostDeviceArray(IBackend backend, NDArray array) : base(backend, array.Type) => _array = array;

    /// <summary>The wrapped array (no copy).</summary>
    public NDArray Array
    {
        get
        {
            ThrowIfDisposed();
            return _array;
        }
    }

    /// <inheritdoc />
    protected override NDArray CopyToHost() => _array;

    /// <inheritdoc />
    protected override void Release() { }
}

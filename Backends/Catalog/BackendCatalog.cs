using ArrayLang.Backends.Cpu;
using ArrayLang.Compile;

namespace ArrayLang.Backends;

/// <summary>
/// The one list of backends that the CLI, the tests and the bench choose from. Adding a backend is a
/// folder of its own plus one line here (and its <c>[assembly: BackendProvider]</c>, by which
/// applications that reference it find it as their default: Note [default backend discovery]); no
/// backend's files name another backend, and this list is not found by reflection.
/// </summary>
public static class BackendCatalog
{
    /// <summary>Every backend, the default (the CPU) first; <see cref="IBackendProvider.Unavailable"/> says which cannot run here.</summary>
    public static IReadOnlyList<IBackendProvider> All { get; } =
    [
        CpuBackendProvider.Instance,
        OpenCL.OpenClBackendProvider.Instance,
        ReferenceBackendProvider.Instance,
        Cuda.CudaBackendProvider.Instance,
    ];

    /// <summary>The backends that can run on this machine.</summary>
    public static IEnumerable<IBackendProvider> Available => All.Where(p => p.Unavailable is null);

    /// <summary>The provider named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static IBackendProvider? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}

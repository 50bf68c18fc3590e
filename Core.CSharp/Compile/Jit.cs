using System.Collections.Concurrent;
using ArrayLang.Ir;

namespace ArrayLang.Compile;

/// <summary>
/// Compiles functions once per backend and caches the executables by the function's structure:
/// two alpha-equivalent functions (equal, with the same <see cref="Function.StableHash"/>) share one
/// executable. The parameter types are part of the function, so they are part of the key.
/// </summary>
public static class Jit
{
    private static readonly ConcurrentDictionary<(string Backend, Function Function), Lazy<IExecutable>> Cache = new();

    /// <summary>The executable of <paramref name="function"/> on <paramref name="backend"/>, compiled on first use.</summary>
    public static IExecutable Compile(Function function, IBackend backend)
    {
        var key = (backend.Name, function);
        return Cache.GetOrAdd(key, _ => new Lazy<IExecutable>(() => backend.Compile(function))).Value;
    }

    /// <summary>How many executables are cached (for tests and diagnostics).</summary>
    public static int CachedCount => Cache.Count;
}

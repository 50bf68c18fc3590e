using System.Reflection;

namespace ArrayLang.Compile;

/// <summary>
/// Where functions run unless the program names a backend: the one place both front ends (C#'s
/// <c>Fn</c> and F#'s <c>jit</c>) read it. A jitted function compiles for <see cref="Instance"/>
/// (with fusion); a transformed function called without <c>jit</c> runs op by op on
/// <see cref="Eager"/> (the same backend without fusion, one kernel per equation: BENCH.md's
/// "vmap"), as JAX runs un-jitted code op by op. Which backend that is comes from the backends the
/// application references (Note [default backend discovery]): the CPU backend
/// (<c>ArrayLang.Backends.Cpu</c>) unless <see cref="Use"/> or the <c>ARRAYLANG_BACKEND</c>
/// environment variable chooses another.
/// </summary>
public static class DefaultBackend
{
    // Note [default backend discovery]
    // The front ends and the core reference no backend, so that a package of the F# or C# front end
    // does not drag in a backend and its native dependencies. A backend assembly says what it is with
    // [assembly: BackendProvider(typeof(...))]; the default is found among the backends the
    // application references: the assemblies already loaded, the application's own assemblies (the
    // .NET host lists every assembly of the app's deps.json in TRUSTED_PLATFORM_ASSEMBLIES; those
    // named ArrayLang.Backends.* are loaded), and the backends this repository ships loaded by name
    // (how F# Interactive resolves a `#r "nuget: ..."` package, which is not in its host's list).
    // The CPU backend is the default whenever it is referenced, also when a GPU backend is: a result
    // does not silently change device because a package was added; a program picks a GPU with Use or
    // ARRAYLANG_BACKEND (JAX users know JAX_PLATFORMS). With only other backends referenced, the first
    // available one by name is the default. With none, running (not tracing or lowering) is an error
    // that names the package to add: a JAX user without jaxlib gets an error too, not a slow fallback
    // (the reference evaluator stays available by name: ARRAYLANG_BACKEND=reference).

    /// <summary>The environment variable that names the default backend (<c>cpu</c>, <c>opencl</c>, <c>cuda</c>, <c>reference</c>).</summary>
    public const string EnvironmentVariable = "ARRAYLANG_BACKEND";

    /// <summary>The package that holds the CPU backend, which error messages tell users to add.</summary>
    public const string CpuPackage = "ArrayLang.Backends.Cpu";

    private static readonly string[] ShippedBackends = [CpuPackage, "ArrayLang.Backends.Cuda", "ArrayLang.Backends.OpenCL"];
    private static readonly object Gate = new(); // a Monitor: Resolve takes it again through Referenced
    private static IReadOnlyList<IBackendProvider>? _found;
    private static IBackendProvider? _chosen;
    private static Current? _current;

    private sealed record Current(IBackendProvider Provider, IBackend Fused, IBackend Eager);

    /// <summary>The backend <c>jit</c> compiles for when none is given (fusion on).</summary>
    public static IBackend Instance => Resolve().Fused;

    /// <summary>The backend that runs transformed functions called without <c>jit</c> (op by op: fusion off).</summary>
    public static IBackend Eager => Resolve().Eager;

    /// <summary>The provider of the default backend.</summary>
    public static IBackendProvider Provider => Resolve().Provider;

    /// <summary>The default backend compiling with <paramref name="options"/> (e.g. <c>new CompileOptions { ContractFloat = true }</c>).</summary>
    public static IBackend WithOptions(CompileOptions options) => Provider.Create(options);

    /// <summary>The backends the application references (found as Note [default backend discovery] says), by name.</summary>
    public static IReadOnlyList<IBackendProvider> Referenced
    {
        get
        {
            lock (Gate)
            {
                // Looked for again while none is found: in F# Interactive the user adds the #r after the error.
                if (_found is not { Count: > 0 }) _found = Discover();
                return _found;
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="provider"/>'s backend the default for the rest of the process (functions
    /// already jitted keep theirs), over discovery and <c>ARRAYLANG_BACKEND</c>.
    /// </summary>
    public static void Use(IBackendProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        if (provider.Unavailable is { } why)
            throw new InvalidOperationException($"DefaultBackend.Use: the {provider.Name} backend cannot run here: {why}");
        lock (Gate)
        {
            _chosen = provider;
            _current = null;
        }
    }

    private static Current Resolve()
    {
        if (_current is { } current) return current;
        lock (Gate)
        {
            if (_current is null)
            {
                var provider = _chosen ?? Choose(Referenced, Environment.GetEnvironmentVariable(EnvironmentVariable));
                _current = new Current(provider, provider.Create(CompileOptions.Default), provider.Create(new CompileOptions { Fuse = false }));
            }
            return _current;
        }
    }

    /// <summary>
    /// The default among <paramref name="referenced"/> (Note [default backend discovery]):
    /// <paramref name="requested"/> by name when given, else the CPU backend, else the first available
    /// one by name; an error naming the package to add when there is none.
    /// </summary>
    public static IBackendProvider Choose(IReadOnlyList<IBackendProvider> referenced, string? requested)
    {
        string Names() => referenced.Count == 0 ? "none" : string.Join(", ", referenced.Select(p => p.Name));
        if (!string.IsNullOrWhiteSpace(requested))
        {
            var named = referenced.Append(ReferenceBackendProvider.Instance)
                .FirstOrDefault(p => string.Equals(p.Name, requested.Trim(), StringComparison.OrdinalIgnoreCase));
            if (named is null)
                throw new InvalidOperationException(
                    $"{EnvironmentVariable}={requested} names no backend this application references (referenced: {Names()}); " +
                    $"reference the backend's package (ArrayLang.Backends.Cpu, ArrayLang.Backends.OpenCL, ArrayLang.Backends.Cuda) or unset {EnvironmentVariable}");
            if (named.Unavailable is { } why)
                throw new InvalidOperationException($"{EnvironmentVariable}={requested}: the {named.Name} backend cannot run here: {why}");
            return named;
        }
        var available = referenced.Where(p => p.Unavailable is null).ToList();
        var chosen = available.FirstOrDefault(p => p.Name == "cpu") ?? available.FirstOrDefault();
        if (chosen is not null) return chosen;
        if (referenced.Count == 0)
            throw new InvalidOperationException(
                $"no ArrayLang backend is referenced, so there is nothing to run functions on (tracing and lowering work without one). " +
                $"Add the CPU backend: `dotnet add package {CpuPackage}` (in F# Interactive: #r \"nuget: {CpuPackage}\"), " +
                $"or pass a backend to jit explicitly");
        throw new InvalidOperationException(
            $"none of the referenced ArrayLang backends can run here ({string.Join("; ", referenced.Select(p => $"{p.Name}: {p.Unavailable}"))}); " +
            $"add the CPU backend: `dotnet add package {CpuPackage}`");
    }

    private static IReadOnlyList<IBackendProvider> Discover()
    {
        var assemblies = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        foreach (var a in AppDomain.CurrentDomain.GetAssemblies())
            if (a.GetName().Name is { } name) assemblies.TryAdd(name, a);
        var appAssemblies = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n is not null && n.StartsWith("ArrayLang.Backends.", StringComparison.OrdinalIgnoreCase));
        foreach (var name in appAssemblies.Concat(ShippedBackends))
            if (!assemblies.ContainsKey(name!) && TryLoad(name!) is { } loaded) assemblies[name!] = loaded;

        var providers = new Dictionary<string, IBackendProvider>(StringComparer.OrdinalIgnoreCase);
        foreach (var a in assemblies.Values)
        {
            if (a.IsDynamic) continue;
            foreach (var attribute in a.GetCustomAttributes<BackendProviderAttribute>())
                if (InstanceOf(attribute.ProviderType) is { } p) providers.TryAdd(p.Name, p);
        }
        return providers.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    private static Assembly? TryLoad(string name)
    {
        try { return Assembly.Load(new AssemblyName(name)); }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException) { return null; }
    }

    private static IBackendProvider? InstanceOf(Type type)
    {
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Static;
        var value = type.GetField("Instance", flags)?.GetValue(null) ?? type.GetProperty("Instance", flags)?.GetValue(null);
        return value as IBackendProvider
            ?? throw new InvalidOperationException($"{type.FullName} is named by [assembly: BackendProvider] in {type.Assembly.GetName().Name}, but has no public static Instance holding an IBackendProvider");
    }
}

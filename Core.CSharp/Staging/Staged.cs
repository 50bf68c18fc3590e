using System.Collections.Concurrent;
using ArrayLang.Compile;
using ArrayLang.Ir;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.Staging;

/// <summary>
/// A function traced for one list of argument types and compiled: what calling a transformed
/// function on arrays runs. <see cref="Info"/> is what the front end recorded while tracing (F#
/// keeps the layout of structured results there).
/// </summary>
/// <param name="Traced">The traced function and the arrays it captured (its const parameters).</param>
/// <param name="Executable">The compiled function.</param>
/// <param name="Info">The front end's record of the trace, or null.</param>
public sealed record Compiled(TracedFunction Traced, IExecutable Executable, object? Info)
{
    /// <summary>Runs on arguments of the types it was compiled for (the captured arrays are passed first).</summary>
    public NDArray[] Run(IReadOnlyList<NDArray> args) => Executable.Run([.. Traced.Constants, .. args]);
}

/// <summary>
/// Calls a function of flat tensor arguments on arrays: it is traced at the first call for each list
/// of argument types (dtype and shape), compiled for <see cref="Backend"/> (or run op by op on
/// <see cref="DefaultBackend.Eager"/> when null), and the result is cached, so later calls with the
/// same types only run. Thread-safe. Arrays the function captures are read at trace time (as in JAX:
/// a closure over a different array later needs a new <see cref="Staged"/>).
/// </summary>
public sealed class Staged
{
    private readonly Func<IReadOnlyList<Tensor>, (IReadOnlyList<Tensor> Results, object? Info)> _body;
    private readonly string _name;
    private readonly IReadOnlyList<string>? _parameterNames;
    private readonly ConcurrentDictionary<string, Compiled> _cache = new();
    private int _traces;
    private volatile LastCall? _last;

    private sealed record LastCall(IReadOnlyList<AVal> Types, Compiled Compiled);

    /// <summary>Wraps <paramref name="body"/>, which returns its results and what it wants to remember of the trace.</summary>
    public Staged(Func<IReadOnlyList<Tensor>, (IReadOnlyList<Tensor> Results, object? Info)> body, IBackend? backend = null,
        string name = "f", IReadOnlyList<string>? parameterNames = null)
    {
        _body = body;
        Backend = backend;
        _name = name;
        _parameterNames = parameterNames;
    }

    /// <summary>The backend it compiles for, or null to run op by op on <see cref="DefaultBackend.Eager"/>.</summary>
    public IBackend? Backend { get; }

    /// <summary>How many times the function was traced (once per list of argument types).</summary>
    public int TraceCount => _traces;

    /// <summary>The traced function for arguments of <paramref name="types"/> (not cached, not compiled).</summary>
    public TracedFunction Lower(IReadOnlyList<AVal> types) => Lower(types, out _);

    /// <summary>The compiled function for arguments of <paramref name="types"/>, traced and compiled at the first request.</summary>
    public Compiled Compile(IReadOnlyList<AVal> types)
    {
        // A loop calls with the same types again and again: compare with the last ones before building a key.
        if (_last is { } last && last.Types.Count == types.Count && last.Types.SequenceEqual(types)) return last.Compiled;
        var key = string.Join(";", types);
        if (!_cache.TryGetValue(key, out var compiled))
        {
            var traced = Lower(types, out var info);
            Interlocked.Increment(ref _traces);
            compiled = _cache.GetOrAdd(key, new Compiled(traced, Jit.Compile(traced.Function, Backend ?? DefaultBackend.Eager), info));
        }
        _last = new LastCall(types.ToArray(), compiled);
        return compiled;
    }

    /// <summary>Runs on <paramref name="args"/> (tracing and compiling for their types at the first call).</summary>
    public NDArray[] Run(IReadOnlyList<NDArray> args) => Compile(args.Select(a => a.Type).ToList()).Run(args);

    private TracedFunction Lower(IReadOnlyList<AVal> types, out object? info)
    {
        object? recorded = null;
        TracedFunction traced;
        try
        {
            traced = Trace.Function(types, a =>
            {
                var (results, i) = _body(a);
                recorded = i;
                return results;
            }, _name, _parameterNames);
        }
        catch (IrException e) when (e is not TraceException)
        {
            throw Batching.Located(e);
        }
        info = recorded;
        return traced;
    }
}

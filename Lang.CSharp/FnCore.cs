using System.Collections.Immutable;
using ArrayLang.Compile;
using ArrayLang.Ir;
using ArrayLang.Staging;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.CSharp;

/// <summary>
/// What every <c>Fn1</c> .. <c>Fn6</c> holds: the user's function over flat tensor lists, the vmap
/// levels applied to it (innermost first), and the backend of <c>Jit</c>. Immutable: each fluent
/// call makes a new one, with its own cache of compiled functions.
/// </summary>
internal sealed class FnCore
{
    private readonly Lazy<Staged> _staged;

    public FnCore(Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> perExample, int arity, IReadOnlyList<string> names,
        ImmutableList<VmapSpec> levels, IBackend? backend, (string File, int Line) caller)
    {
        Caller = caller;
        PerExample = perExample;
        Arity = arity;
        Names = names;
        Levels = levels;
        Backend = backend;
        _staged = new Lazy<Staged>(() => new Staged(a => (Call(a), null), Backend, "f", Names));
    }

    public Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> PerExample { get; }
    public int Arity { get; }
    public IReadOnlyList<string> Names { get; }
    public ImmutableList<VmapSpec> Levels { get; }
    public IBackend? Backend { get; }
    /// <summary>Where the user called <c>Fn.Of</c> (caller information): the line errors name without symbols.</summary>
    public (string File, int Line) Caller { get; }
    public Staged Staged => _staged.Value;

    public FnCore With(ImmutableList<VmapSpec>? levels = null, IBackend? backend = null) =>
        new(PerExample, Arity, Names, levels ?? Levels, backend ?? Backend, Caller);

    /// <summary>The function with every vmap level applied, on tensors of the running trace.</summary>
    public IReadOnlyList<Tensor> Call(IReadOnlyList<Tensor> args) => CallLevel(Levels.Count - 1, args);

    private IReadOnlyList<Tensor> CallLevel(int level, IReadOnlyList<Tensor> args)
    {
        CheckArity(args.Count);
        if (level < 0)
        {
            using var _ = UserSource.Calling(Caller.File, Caller.Line);
            return PerExample(args);
        }
        return Batching.Call(a => CallLevel(level - 1, a), args, Levels[level], name: "f", parameterNames: Names);
    }

    public NDArray[] Run(IReadOnlyList<NDArray> args)
    {
        CheckArity(args.Count);
        return Staged.Run(args);
    }

    public Function Lower(IReadOnlyList<AVal> types)
    {
        CheckArity(types.Count);
        return Staged.Lower(types).Function;
    }

    private void CheckArity(int n)
    {
        if (n != Arity) throw Batching.UserError($"the function takes {Arity} argument(s), {n} given");
    }

    /// <summary>The parameter names of a lambda (<c>(Tensor x, Tensor w) => ...</c> gives x, w), for readable IR.</summary>
    public static IReadOnlyList<string> NamesOf(Delegate d, int arity)
    {
        var ps = d.Method.GetParameters().Select(p => p.Name ?? "").ToList();
        // a closure over nothing may be compiled to a static method with a leading closure parameter
        if (ps.Count > arity) ps = ps.Skip(ps.Count - arity).ToList();
        return ps.Select((n, i) => IrSyntax.IsValidName(n) ? n : arity <= 3 ? "xyz"[i].ToString() : $"x{i}").ToList();
    }
}

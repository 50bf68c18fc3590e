using System.Runtime.CompilerServices;
using System.Collections.Immutable;
using ArrayLang.Compile;
using ArrayLang.Ir;
using ArrayLang.Staging;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace ArrayLang.CSharp;

/// <summary>
/// The C# front end: <c>Fn.Of</c> wraps a per-example function of 1 to 6 tensors, and the fluent
/// methods transform it: <c>Vmap</c> (nestable), <c>Chunk</c> / <c>MemoryBudget</c> (chunked vmap),
/// <c>Jit</c> (compile for a backend), <c>Lower</c> (the IR for given argument types) and
/// <c>Invoke</c> on arrays (traced and compiled at the first call per argument types, then cached)
/// or on tensors inside another traced function. A function returns one tensor, a tuple of two or
/// three, or an array of tensors.
/// </summary>
/// <example><code>
/// var f = Fn.Of((Tensor x, Tensor w) => Tensor.Tanh(w.Dot(x)));
/// var batched = f.Vmap(inAxes: [0, null]).Jit();
/// NDArray ys = batched.Invoke(NDArray.From(xs2d), NDArray.From(w2d));   // xs: [B, n], w: [m, n]
/// Console.WriteLine(batched.Lower(AVal.Of(DType.F32, 8, 3), AVal.Of(DType.F32, 3, 3)));
/// </code></example>
public static class Fn
{
    /// <summary>A function of 1 tensor(s) with one result.</summary>
    public static Fn1 Of(Func<Tensor, Tensor> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 1, file, line, a => Flat(f(a[0]), r => [r])));

    /// <summary>A function of 1 tensor(s) with two results.</summary>
    public static Fn1 Of(Func<Tensor, (Tensor, Tensor)> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 1, file, line, a => Flat(f(a[0]), r => [r.Item1, r.Item2])));

    /// <summary>A function of 1 tensor(s) with three results.</summary>
    public static Fn1 Of(Func<Tensor, (Tensor, Tensor, Tensor)> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 1, file, line, a => Flat(f(a[0]), r => [r.Item1, r.Item2, r.Item3])));

    /// <summary>A function of 1 tensor(s) with any number of results.</summary>
    public static Fn1 Of(Func<Tensor, Tensor[]> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 1, file, line, a => Flat(f(a[0]), r => r)));

    /// <summary>A function of 2 tensor(s) with one result.</summary>
    public static Fn2 Of(Func<Tensor, Tensor, Tensor> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 2, file, line, a => Flat(f(a[0], a[1]), r => [r])));

    /// <summary>A function of 2 tensor(s) with two results.</summary>
    public static Fn2 Of(Func<Tensor, Tensor, (Tensor, Tensor)> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 2, file, line, a => Flat(f(a[0], a[1]), r => [r.Item1, r.Item2])));

    /// <summary>A function of 2 tensor(s) with three results.</summary>
    public static Fn2 Of(Func<Tensor, Tensor, (Tensor, Tensor, Tensor)> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 2, file, line, a => Flat(f(a[0], a[1]), r => [r.Item1, r.Item2, r.Item3])));

    /// <summary>A function of 2 tensor(s) with any number of results.</summary>
    public static Fn2 Of(Func<Tensor, Tensor, Tensor[]> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 2, file, line, a => Flat(f(a[0], a[1]), r => r)));

    /// <summary>A function of 3 tensor(s) with one result.</summary>
    public static Fn3 Of(Func<Tensor, Tensor, Tensor, Tensor> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 3, file, line, a => Flat(f(a[0], a[1], a[2]), r => [r])));

    /// <summary>A function of 3 tensor(s) with two results.</summary>
    public static Fn3 Of(Func<Tensor, Tensor, Tensor, (Tensor, Tensor)> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 3, file, line, a => Flat(f(a[0], a[1], a[2]), r => [r.Item1, r.Item2])));

    /// <summary>A function of 3 tensor(s) with three results.</summary>
    public static Fn3 Of(Func<Tensor, Tensor, Tensor, (Tensor, Tensor, Tensor)> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 3, file, line, a => Flat(f(a[0], a[1], a[2]), r => [r.Item1, r.Item2, r.Item3])));

    /// <summary>A function of 3 tensor(s) with any number of results.</summary>
    public static Fn3 Of(Func<Tensor, Tensor, Tensor, Tensor[]> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 3, file, line, a => Flat(f(a[0], a[1], a[2]), r => r)));

    /// <summary>A function of 4 tensor(s) with one result.</summary>
    public static Fn4 Of(Func<Tensor, Tensor, Tensor, Tensor, Tensor> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 4, file, line, a => Flat(f(a[0], a[1], a[2], a[3]), r => [r])));

    /// <summary>A function of 4 tensor(s) with two results.</summary>
    public static Fn4 Of(Func<Tensor, Tensor, Tensor, Tensor, (Tensor, Tensor)> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 4, file, line, a => Flat(f(a[0], a[1], a[2], a[3]), r => [r.Item1, r.Item2])));

    /// <summary>A function of 4 tensor(s) with three results.</summary>
    public static Fn4 Of(Func<Tensor, Tensor, Tensor, Tensor, (Tensor, Tensor, Tensor)> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 4, file, line, a => Flat(f(a[0], a[1], a[2], a[3]), r => [r.Item1, r.Item2, r.Item3])));

    /// <summary>A function of 4 tensor(s) with any number of results.</summary>
    public static Fn4 Of(Func<Tensor, Tensor, Tensor, Tensor, Tensor[]> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 4, file, line, a => Flat(f(a[0], a[1], a[2], a[3]), r => r)));

    /// <summary>A function of 5 tensor(s) with one result.</summary>
    public static Fn5 Of(Func<Tensor, Tensor, Tensor, Tensor, Tensor, Tensor> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 5, file, line, a => Flat(f(a[0], a[1], a[2], a[3], a[4]), r => [r])));

    /// <summary>A function of 5 tensor(s) with two results.</summary>
    public static Fn5 Of(Func<Tensor, Tensor, Tensor, Tensor, Tensor, (Tensor, Tensor)> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 5, file, line, a => Flat(f(a[0], a[1], a[2], a[3], a[4]), r => [r.Item1, r.Item2])));

    /// <summary>A function of 5 tensor(s) with three results.</summary>
    public static Fn5 Of(Func<Tensor, Tensor, Tensor, Tensor, Tensor, (Tensor, Tensor, Tensor)> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 5, file, line, a => Flat(f(a[0], a[1], a[2], a[3], a[4]), r => [r.Item1, r.Item2, r.Item3])));

    /// <summary>A function of 5 tensor(s) with any number of results.</summary>
    public static Fn5 Of(Func<Tensor, Tensor, Tensor, Tensor, Tensor, Tensor[]> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 5, file, line, a => Flat(f(a[0], a[1], a[2], a[3], a[4]), r => r)));

    /// <summary>A function of 6 tensor(s) with one result.</summary>
    public static Fn6 Of(Func<Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 6, file, line, a => Flat(f(a[0], a[1], a[2], a[3], a[4], a[5]), r => [r])));

    /// <summary>A function of 6 tensor(s) with two results.</summary>
    public static Fn6 Of(Func<Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, (Tensor, Tensor)> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 6, file, line, a => Flat(f(a[0], a[1], a[2], a[3], a[4], a[5]), r => [r.Item1, r.Item2])));

    /// <summary>A function of 6 tensor(s) with three results.</summary>
    public static Fn6 Of(Func<Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, (Tensor, Tensor, Tensor)> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 6, file, line, a => Flat(f(a[0], a[1], a[2], a[3], a[4], a[5]), r => [r.Item1, r.Item2, r.Item3])));

    /// <summary>A function of 6 tensor(s) with any number of results.</summary>
    public static Fn6 Of(Func<Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor[]> f, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) => new(Core(f, 6, file, line, a => Flat(f(a[0], a[1], a[2], a[3], a[4], a[5]), r => r)));

    private static FnCore Core(Delegate f, int arity, string file, int line, Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>> flat) =>
        new(flat, arity, FnCore.NamesOf(f, arity), ImmutableList<VmapSpec>.Empty, null, (file, line));

    private static IReadOnlyList<Tensor> Flat<T>(T r, Func<T, IReadOnlyList<Tensor>> conv) => conv(r);
}

/// <summary>A function of 1 tensor argument(s) made by <see cref="Fn"/>; see there for the fluent methods.</summary>
public sealed class Fn1 : FnBase<Fn1>
{
    internal Fn1(FnCore core) : base(core) { }

    private protected override Fn1 With(FnCore core) => new(core);

    /// <summary>Runs on arrays and returns the only result (an error if there are several: use <see cref="InvokeAll(NDArray)"/>).</summary>
    public NDArray Invoke(NDArray x) => Single(Core.Run([x]));

    /// <summary>Runs on arrays and returns every result.</summary>
    public NDArray[] InvokeAll(NDArray x) => Core.Run([x]);

    /// <summary>Inside another traced function: records this function (with its transforms) and returns the only result.</summary>
    public Tensor Invoke(Tensor x) => Single(Core.Call([x]));

    /// <summary>Inside another traced function: records this function (with its transforms) and returns every result.</summary>
    public IReadOnlyList<Tensor> InvokeAll(Tensor x) => Core.Call([x]);
}

/// <summary>A function of 2 tensor argument(s) made by <see cref="Fn"/>; see there for the fluent methods.</summary>
public sealed class Fn2 : FnBase<Fn2>
{
    internal Fn2(FnCore core) : base(core) { }

    private protected override Fn2 With(FnCore core) => new(core);

    /// <summary>Runs on arrays and returns the only result (an error if there are several: use <see cref="InvokeAll(NDArray, NDArray)"/>).</summary>
    public NDArray Invoke(NDArray x, NDArray y) => Single(Core.Run([x, y]));

    /// <summary>Runs on arrays and returns every result.</summary>
    public NDArray[] InvokeAll(NDArray x, NDArray y) => Core.Run([x, y]);

    /// <summary>Inside another traced function: records this function (with its transforms) and returns the only result.</summary>
    public Tensor Invoke(Tensor x, Tensor y) => Single(Core.Call([x, y]));

    /// <summary>Inside another traced function: records this function (with its transforms) and returns every result.</summary>
    public IReadOnlyList<Tensor> InvokeAll(Tensor x, Tensor y) => Core.Call([x, y]);
}

/// <summary>A function of 3 tensor argument(s) made by <see cref="Fn"/>; see there for the fluent methods.</summary>
public sealed class Fn3 : FnBase<Fn3>
{
    internal Fn3(FnCore core) : base(core) { }

    private protected override Fn3 With(FnCore core) => new(core);

    /// <summary>Runs on arrays and returns the only result (an error if there are several: use <see cref="InvokeAll(NDArray, NDArray, NDArray)"/>).</summary>
    public NDArray Invoke(NDArray x, NDArray y, NDArray z) => Single(Core.Run([x, y, z]));

    /// <summary>Runs on arrays and returns every result.</summary>
    public NDArray[] InvokeAll(NDArray x, NDArray y, NDArray z) => Core.Run([x, y, z]);

    /// <summary>Inside another traced function: records this function (with its transforms) and returns the only result.</summary>
    public Tensor Invoke(Tensor x, Tensor y, Tensor z) => Single(Core.Call([x, y, z]));

    /// <summary>Inside another traced function: records this function (with its transforms) and returns every result.</summary>
    public IReadOnlyList<Tensor> InvokeAll(Tensor x, Tensor y, Tensor z) => Core.Call([x, y, z]);
}

/// <summary>A function of 4 tensor argument(s) made by <see cref="Fn"/>; see there for the fluent methods.</summary>
public sealed class Fn4 : FnBase<Fn4>
{
    internal Fn4(FnCore core) : base(core) { }

    private protected override Fn4 With(FnCore core) => new(core);

    /// <summary>Runs on arrays and returns the only result (an error if there are several: use <see cref="InvokeAll(NDArray, NDArray, NDArray, NDArray)"/>).</summary>
    public NDArray Invoke(NDArray x0, NDArray x1, NDArray x2, NDArray x3) => Single(Core.Run([x0, x1, x2, x3]));

    /// <summary>Runs on arrays and returns every result.</summary>
    public NDArray[] InvokeAll(NDArray x0, NDArray x1, NDArray x2, NDArray x3) => Core.Run([x0, x1, x2, x3]);

    /// <summary>Inside another traced function: records this function (with its transforms) and returns the only result.</summary>
    public Tensor Invoke(Tensor x0, Tensor x1, Tensor x2, Tensor x3) => Single(Core.Call([x0, x1, x2, x3]));

    /// <summary>Inside another traced function: records this function (with its transforms) and returns every result.</summary>
    public IReadOnlyList<Tensor> InvokeAll(Tensor x0, Tensor x1, Tensor x2, Tensor x3) => Core.Call([x0, x1, x2, x3]);
}

/// <summary>A function of 5 tensor argument(s) made by <see cref="Fn"/>; see there for the fluent methods.</summary>
public sealed class Fn5 : FnBase<Fn5>
{
    internal Fn5(FnCore core) : base(core) { }

    private protected override Fn5 With(FnCore core) => new(core);

    /// <summary>Runs on arrays and returns the only result (an error if there are several: use <see cref="InvokeAll(NDArray, NDArray, NDArray, NDArray, NDArray)"/>).</summary>
    public NDArray Invoke(NDArray x0, NDArray x1, NDArray x2, NDArray x3, NDArray x4) => Single(Core.Run([x0, x1, x2, x3, x4]));

    /// <summary>Runs on arrays and returns every result.</summary>
    public NDArray[] InvokeAll(NDArray x0, NDArray x1, NDArray x2, NDArray x3, NDArray x4) => Core.Run([x0, x1, x2, x3, x4]);

    /// <summary>Inside another traced function: records this function (with its transforms) and returns the only result.</summary>
    public Tensor Invoke(Tensor x0, Tensor x1, Tensor x2, Tensor x3, Tensor x4) => Single(Core.Call([x0, x1, x2, x3, x4]));

    /// <summary>Inside another traced function: records this function (with its transforms) and returns every result.</summary>
    public IReadOnlyList<Tensor> InvokeAll(Tensor x0, Tensor x1, Tensor x2, Tensor x3, Tensor x4) => Core.Call([x0, x1, x2, x3, x4]);
}

/// <summary>A function of 6 tensor argument(s) made by <see cref="Fn"/>; see there for the fluent methods.</summary>
public sealed class Fn6 : FnBase<Fn6>
{
    internal Fn6(FnCore core) : base(core) { }

    private protected override Fn6 With(FnCore core) => new(core);

    /// <summary>Runs on arrays and returns the only result (an error if there are several: use <see cref="InvokeAll(NDArray, NDArray, NDArray, NDArray, NDArray, NDArray)"/>).</summary>
    public NDArray Invoke(NDArray x0, NDArray x1, NDArray x2, NDArray x3, NDArray x4, NDArray x5) => Single(Core.Run([x0, x1, x2, x3, x4, x5]));

    /// <summary>Runs on arrays and returns every result.</summary>
    public NDArray[] InvokeAll(NDArray x0, NDArray x1, NDArray x2, NDArray x3, NDArray x4, NDArray x5) => Core.Run([x0, x1, x2, x3, x4, x5]);

    /// <summary>Inside another traced function: records this function (with its transforms) and returns the only result.</summary>
    public Tensor Invoke(Tensor x0, Tensor x1, Tensor x2, Tensor x3, Tensor x4, Tensor x5) => Single(Core.Call([x0, x1, x2, x3, x4, x5]));

    /// <summary>Inside another traced function: records this function (with its transforms) and returns every result.</summary>
    public IReadOnlyList<Tensor> InvokeAll(Tensor x0, Tensor x1, Tensor x2, Tensor x3, Tensor x4, Tensor x5) => Core.Call([x0, x1, x2, x3, x4, x5]);
}

using ArrayLang.Ir;
using ArrayLang.Npy;
using ArrayLang.Backends;
using ArrayLang.Compile;
using ArrayLang.Reference;
using ArrayLang.Transforms;
using ArrayLang.Values;

namespace ArrayLang.Cli;

/// <summary>
/// The <c>arraylang</c> command line: <c>check</c>, <c>print</c>, <c>run</c> and <c>vmap</c> over .ir
/// files with .npy inputs. <see cref="Run"/> takes its writers as arguments so that tests run it
/// in-process. Exit codes: 0 success, 1 the program or its data is rejected (parse, type, vmap or
/// .npy errors), 2 the command line is wrong (unknown option, missing file, wrong number or types
/// of inputs).
/// </summary>
public static partial class CliMain
{
    /// <summary>The batch size <c>vmap</c> uses when <c>--batch-size</c> is not given.</summary>
    public const int DefaultBatchSize = 8;

    /// <summary>The backends <c>--backend</c> accepts, from the backend catalog; the first (<c>cpu</c>) is the default.</summary>
    public static IReadOnlyList<string> Backends => BackendCatalog.All.Select(p => p.Name).ToList();

    /// <summary>The backend named <paramref name="name"/> (the default when null), compiling with <paramref name="options"/>; a usage error when unknown or unable to run here.</summary>
    public static IBackend BackendFor(string? name, CompileOptions options)
    {
        var provider = name is null ? BackendCatalog.All[0] : BackendCatalog.Find(name)
            ?? throw new UsageException($"unknown backend '{name}'; available backends: {string.Join(", ", Backends)}");
        if (provider.Unavailable is { } why) throw new UsageException($"backend '{provider.Name}' cannot run here: {why}");
        return provider.Create(options);
    }

    /// <summary>The usage text printed by <c>help</c>, <c>--help</c> and after a usage error.</summary>
    public const string Usage = """
        usage: arraylang COMMAND FILE.ir [OPTIONS]

        commands:
          check FILE.ir              parse and type-check every function; prints "ok: N function(s)"
          print FILE.ir              print the file's functions in canonical text form (every param
                                     written, literals in shortest form, one equation a line)
                [--entry NAME]         only the function NAME
                [--canonical]          also rename variables by position (v0, v1, ...): the form
                                       that function equality and the stable hash use
          run FILE.ir --in A.npy [B.npy ...] [--out R.npy [S.npy ...]]
                                     evaluate the entry function on the inputs (one .npy per
                                     parameter, const ones included) and write one .npy per result
                                     (without --out the results are printed)
                [--backend NAME]       the backend: cpu (the default: fused SIMD kernels on every
                                       core), opencl, cuda, or reference (the scalar evaluator, the oracle)
                [--contract]           let the compiler fuse a float a*b+c into one fused
                                       multiply-add (faster; rounds once, so results may differ
                                       from the reference in the last bit; off by default)
                [--entry NAME]         the function to run (default: the first in the file)
                [--vmap AXES]...       run the function vmapped; the batch size of each level is
                                       inferred from the inputs
                [--out-axes AXES]      where each result's batch axis goes (outermost level)
                [--chunk K]            compute the outermost vmap K examples at a time (a scan over
                                       chunks plus a remainder): the same result, less memory
                [--memory-budget BYTES] derive K from a budget for one chunk's intermediates (printed)
          vmap FILE.ir --vmap AXES [--vmap AXES ...]
                                     print the batched function
                [--out-axes AXES]      where each result's batch axis goes (outermost level)
                [--batch-size B]       the batch size of every level (default: 8, since the
                                       per-example function does not say)
                [--entry NAME]         the function to batch (default: the first in the file)
          graph FILE.ir -o OUT.svg   draw the entry function as a graph (Graphviz; without its
                                     'dot' command, or for OUT.dot, the DOT text is written)
                [--vmap AXES]...       draw the batched function
                [--lowered]            draw the fused kernels and their buffers instead
                [--batch-size B] [--out-axes AXES] [--entry NAME]   as for vmap
          help                       print this text

        AXES is a comma-separated list with one entry per argument (for --out-axes, one per result):
        an axis (negative counts from the end) or 'none' (shared by every example), e.g. none,0,1.
        Repeated --vmap options nest: the first is the innermost level; --out-axes applies to the
        outermost level and inner levels put their batch axis at 0.

        exit codes: 0 success, 1 the program or its data is rejected, 2 a usage error.
        """;

    /// <summary>Runs the command line <paramref name="args"/>, writing results to <paramref name="stdout"/>
    /// and errors to <paramref name="stderr"/>; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (args.Length == 0)
            {
                stderr.WriteLine("arraylang: no command given");
                stderr.WriteLine(Usage);
                return 2;
            }
            if (args.Any(a => a is "--help" or "-h") || args[0] == "help")
            {
                stdout.WriteLine(Usage);
                return 0;
            }
            var command = args[0];
            var opts = CliOptions.Parse(command, args.Skip(1).ToList());
            return command switch
            {
                "check" => Check(opts, stdout),
                "print" => Print(opts, stdout),
                "run" => RunCommand(opts, stdout),
                "vmap" => VmapCommand(opts, stdout),
                "graph" => GraphCommand(opts, stdout),
                _ => throw new UsageException($"unknown command '{command}' (commands: check, print, run, vmap, graph, help)"),
            };
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"arraylang: {e.Message}");
            stderr.WriteLine("run 'arraylang help' for usage");
            return 2;
        }
        catch (ParseException e)
        {
            stderr.WriteLine($"{e.Data[FileKey] ?? "<input>"}: {e.Message}");
            return 1;
        }
        catch (IrException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            // Anything else is a bug in ArrayLang, not in the user's program: say so, with the details.
            stderr.WriteLine($"internal error (a bug in arraylang, please report it): {e}");
            return 1;
        }
    }

    private const string FileKey = "arraylang.file";

    private static IReadOnlyList<Function> Load(CliOptions o)
    {
        var path = o.File;
        if (!File.Exists(path)) throw new UsageException($"no such file: {path}");
        var text = File.ReadAllText(path);
        try { return IrParser.ParseFile(text, path); }
        catch (ParseException e)
        {
            e.Data[FileKey] = path;
            throw;
        }
    }

    private static Function Entry(CliOptions o, IReadOnlyList<Function> functions)
    {
        try { return IrParser.SelectEntry(functions, o.Entry, o.File); }
        catch (IrException e) { throw new UsageException(e.Message); }
    }

    private static int Check(CliOptions o, TextWriter stdout)
    {
        var functions = Load(o);
        if (o.Entry is not null) Entry(o, functions);
        stdout.WriteLine($"ok: {functions.Count} function(s)");
        return 0;
    }

    private static int Print(CliOptions o, TextWriter stdout)
    {
        var functions = Load(o);
        var selected = o.Entry is null ? functions : [Entry(o, functions)];
        stdout.Write(string.Join("\n", selected.Select(f => IrPrinter.Print(f, o.Canonical))));
        return 0;
    }

    private static int VmapCommand(CliOptions o, TextWriter stdout)
    {
        if (o.Vmaps.Count == 0) throw new UsageException("vmap needs at least one --vmap AXES");
        var f = Entry(o, Load(o));
        int b = o.BatchSize ?? DefaultBatchSize;
        var levels = ParseLevels(o, f);
        var sizes = Enumerable.Repeat(b, levels.Count).ToList();
        stdout.Write(IrPrinter.Print(ApplyVmaps(f, levels, sizes, ParseOutAxes(o, f))));
        return 0;
    }

    private static int RunCommand(CliOptions o, TextWriter stdout)
    {
        var backendToRun = BackendFor(o.Backend, CompileOptions.Default with { ContractFloat = o.Contract });
        if (o.BatchSize is not null)
            throw new UsageException("run infers the batch size from its inputs; --batch-size is for the vmap command");
        if (o.Inputs is null) throw new UsageException("run needs --in with one .npy file per parameter");
        var f = Entry(o, Load(o));

        if (o.Inputs.Count != f.Params.Length)
            throw new UsageException($"function {f.Name} takes {f.Params.Length} argument(s) ({string.Join(", ", f.Params)}), but {o.Inputs.Count} --in file(s) were given");
        foreach (var path in o.Inputs)
            if (!File.Exists(path)) throw new UsageException($"no such input file: {path}");
        var levels = ParseLevels(o, f);
        var outAxes = ParseOutAxes(o, f);
        if (o.Outputs is { } outs && outs.Count != f.Results.Length)
            throw new UsageException($"function {f.Name} returns {f.Results.Length} result(s) ({string.Join(", ", f.ResultTypes)}), but {outs.Count} --out file(s) were given");

        var inputs = o.Inputs.Select(NpyFile.Read).ToList();
        if ((o.Chunk is not null || o.MemoryBudget is not null) && levels.Count == 0)
            throw new UsageException("--chunk and --memory-budget chunk a vmap: give --vmap AXES too");
        if (o.Chunk is not null && o.MemoryBudget is not null)
            throw new UsageException("give either --chunk K or --memory-budget BYTES, not both (the budget derives K)");
        var g = levels.Count == 0 ? f : ApplyVmaps(f, levels, InferSizes(f, levels, inputs, o.Inputs), outAxes, o, stdout);
        var order = ParamOrder(f, g);
        for (int i = 0; i < inputs.Count; i++)
        {
            var want = g.Params[order[i]].Type;
            if (inputs[i].Type != want)
            {
                var how = levels.Count == 0 ? "" : $" (the per-example {f.Params[i].Type} batched by the --vmap options)";
                throw new UsageException($"input {i + 1} ({o.Inputs[i]}) for parameter {f.Params[i].Name} should be {want}{how}, found {inputs[i].Type}");
            }
        }

        var args = new NDArray[inputs.Count];
        for (int i = 0; i < inputs.Count; i++) args[order[i]] = inputs[i];
        var results = backendToRun.Compile(g).Run(args);
        for (int j = 0; j < results.Length; j++)
        {
            if (o.Outputs is { } paths)
            {
                NpyFile.Write(paths[j], results[j]);
                stdout.WriteLine($"{paths[j]}: {results[j].Type}");
            }
            else stdout.WriteLine(results[j]);
        }
        return 0;
    }

    /// <summary>The in_axes of each --vmap level (innermost first), checked against the function's parameters.</summary>
    private static List<int?[]> ParseLevels(CliOptions o, Function f)
    {
        var levels = new List<int?[]>();
        foreach (var text in o.Vmaps)
        {
            var axes = ParseAxes("--vmap", text);
            if (axes.Length != f.Params.Length)
                throw new UsageException($"--vmap {text} gives {axes.Length} axis entr{(axes.Length == 1 ? "y" : "ies")}, but function {f.Name} takes {f.Params.Length} argument(s) ({string.Join(", ", f.Params)})");
            for (int i = 0; i < axes.Length; i++)
                if (axes[i] is not null && f.ConstMask[i])
                    throw new UsageException($"--vmap {text}: argument {i + 1} ({f.Params[i].Name}) is a captured constant, which is never batched; its entry must be none");
            levels.Add(axes);
        }
        return levels;
    }

    private static int?[]? ParseOutAxes(CliOptions o, Function f)
    {
        if (o.OutAxes is not { } text) return null;
        if (o.Vmaps.Count == 0) throw new UsageException("--out-axes needs at least one --vmap");
        var axes = ParseAxes("--out-axes", text);
        if (axes.Length != f.Results.Length)
            throw new UsageException($"--out-axes {text} gives {axes.Length} entr{(axes.Length == 1 ? "y" : "ies")}, but function {f.Name} returns {f.Results.Length} result(s) ({string.Join(", ", f.ResultTypes)})");
        return axes;
    }

    /// <summary>Parses <c>0,none,-1</c>.</summary>
    public static int?[] ParseAxes(string option, string text)
    {
        if (text.Trim().Length == 0) return [];
        return text.Split(',').Select(s =>
        {
            var t = s.Trim();
            if (t == "none") return (int?)null;
            return int.TryParse(t, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new UsageException($"{option} {text}: '{t}' is neither an axis (an integer) nor 'none'");
        }).ToArray();
    }

    /// <summary>
    /// The batch size of each level (innermost first), from the batched inputs: the outermost
    /// level's axes index the given inputs; each inner level sees the inputs with the outer
    /// levels' batch axes removed.
    /// </summary>
    private static List<int> InferSizes(Function f, List<int?[]> levels, List<NDArray> inputs, IReadOnlyList<string> names)
    {
        var types = inputs.Select(x => x.Type).ToList();
        var sizes = new int[levels.Count];
        for (int level = levels.Count - 1; level >= 0; level--)
        {
            var axes = levels[level];
            var option = $"--vmap {string.Join(",", axes.Select(a => a?.ToString() ?? "none"))}";
            for (int i = 0; i < axes.Length; i++)
            {
                if (axes[i] is not { } a) continue;
                int axis = a < 0 ? a + types[i].Rank : a;
                if (axis < 0 || axis >= types[i].Rank)
                {
                    var outer = level == levels.Count - 1 ? "" : " once the outer levels' batch axes are removed";
                    throw new UsageException($"{option}: axis {a} is out of range for input {i + 1} ({names[i]}, parameter {f.Params[i].Name}), which has type {types[i]}{outer}");
                }
            }
            if (axes.All(a => a is null))
                throw new UsageException($"{option}: no argument is batched at this level, so run cannot infer its batch size (batch at least one argument)");
            try { sizes[level] = Vmap.InferAxisSize(f, types, axes); }
            catch (IrException e) { throw new UsageException($"{option}: {e.Message}"); }
            types = types.Select((t, i) => axes[i] is { } a ? t.WithShape(t.Shape.Remove(a < 0 ? a + t.Rank : a)) : t).ToList();
        }
        return sizes.ToList();
    }

    /// <summary>
    /// For each parameter of <paramref name="f"/>, the index of the same parameter in its batched
    /// form <paramref name="g"/>: the vmap transform builds its result with the const parameters
    /// first, so a file that declares a const parameter after others sees its arguments reordered.
    /// Parameters are matched by name (the transform keeps them), else by that const-first order.
    /// </summary>
    private static int[] ParamOrder(Function f, Function g)
    {
        var byName = g.Params.Select((p, j) => (p.Name, j)).ToDictionary(x => x.Name, x => x.j);
        if (byName.Count == f.Params.Length && f.Params.All(p => byName.ContainsKey(p.Name)))
            return f.Params.Select(p => byName[p.Name]).ToArray();
        var constFirst = Enumerable.Range(0, f.Params.Length).OrderBy(i => f.ConstMask[i] ? 0 : 1).ThenBy(i => i).ToList();
        var order = new int[f.Params.Length];
        for (int j = 0; j < constFirst.Count; j++) order[constFirst[j]] = j;
        return order;
    }

    /// <summary>Applies the levels innermost first; the outermost takes <paramref name="outAxes"/>, inner ones 0.</summary>
    private static Function ApplyVmaps(Function f, List<int?[]> levels, List<int> sizes, int?[]? outAxes,
        CliOptions? o = null, TextWriter? log = null)
    {
        var g = f;
        for (int level = 0; level < levels.Count; level++)
        {
            bool outermost = level == levels.Count - 1;
            int? chunk = outermost ? o?.Chunk : null;
            if (outermost && o?.MemoryBudget is { } budget)
            {
                var plan = Vmap.ChunkSizeForBudget(g, sizes[level], levels[level], budget);
                log?.WriteLine($"memory budget {budget} bytes: {plan}");
                chunk = plan.ChunkSize;
            }
            g = chunk is { } k
                ? Vmap.Chunked(g, sizes[level], levels[level], outermost ? outAxes : null, k)
                : Vmap.Apply(g, sizes[level], levels[level], outermost ? outAxes : null);
            TypeChecker.Check(g);
        }
        return g;
    }
}

/// <summary>A mistake on the command line: reported with exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The parsed options of one command.</summary>
internal sealed class CliOptions
{
    public string File { get; private set; } = "";
    public List<string>? Inputs { get; private set; }
    public List<string>? Outputs { get; private set; }
    public List<string> Vmaps { get; } = [];
    public string? OutAxes { get; private set; }
    public string? Backend { get; private set; }
    public string? Entry { get; private set; }
    public int? BatchSize { get; private set; }
    public bool Canonical { get; private set; }
    public bool Contract { get; private set; }
    public bool Lowered { get; private set; }
    public int? Chunk { get; private set; }
    public long? MemoryBudget { get; private set; }

    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["check"] = ["--entry"],
        ["print"] = ["--entry", "--canonical"],
        ["run"] = ["--in", "--out", "--backend", "--contract", "--entry", "--vmap", "--out-axes", "--batch-size", "--chunk", "--memory-budget"],
        ["vmap"] = ["--vmap", "--out-axes", "--batch-size", "--entry"],
        ["graph"] = ["--vmap", "--out-axes", "--batch-size", "--entry", "--lowered", "--out"],
    };

    public static CliOptions Parse(string command, List<string> args)
    {
        if (!Allowed.TryGetValue(command, out var allowed))
            throw new UsageException($"unknown command '{command}' (commands: check, print, run, vmap, graph, help)");
        var o = new CliOptions();
        var files = new List<string>();
        int i = 0;
        string One(string opt)
        {
            if (i >= args.Count || args[i].StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"{opt} needs a value");
            return args[i++];
        }
        List<string> Many(string opt)
        {
            var l = new List<string>();
            while (i < args.Count && !args[i].StartsWith("--", StringComparison.Ordinal)) l.Add(args[i++]);
            if (l.Count == 0) throw new UsageException($"{opt} needs at least one file");
            return l;
        }
        void Once<T>(string opt, T? current) where T : class
        {
            if (current is not null) throw new UsageException($"{opt} is given twice");
        }

        while (i < args.Count)
        {
            var a = args[i++];
            if (a == "-o") a = "--out";
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                files.Add(a);
                continue;
            }
            if (!allowed.Contains(a))
                throw new UsageException($"unknown option '{a}' for {command} (it takes: {string.Join(", ", allowed)})");
            switch (a)
            {
                case "--in": Once(a, o.Inputs); o.Inputs = Many(a); break;
                case "--out": Once(a, o.Outputs); o.Outputs = Many(a); break;
                case "--vmap": o.Vmaps.Add(One(a)); break;
                case "--out-axes": Once(a, o.OutAxes); o.OutAxes = One(a); break;
                case "--backend": Once(a, o.Backend); o.Backend = One(a); break;
                case "--entry": Once(a, o.Entry); o.Entry = One(a); break;
                case "--canonical": o.Canonical = true; break;
                case "--contract": o.Contract = true; break;
                case "--lowered": o.Lowered = true; break;
                case "--chunk":
                    if (o.Chunk is not null) throw new UsageException("--chunk is given twice");
                    var ck = One(a);
                    o.Chunk = int.TryParse(ck, out var kk) && kk >= 1 ? kk
                        : throw new UsageException($"--chunk expects a positive integer (examples per chunk), found '{ck}'");
                    break;
                case "--memory-budget":
                    if (o.MemoryBudget is not null) throw new UsageException("--memory-budget is given twice");
                    var mb = One(a);
                    o.MemoryBudget = long.TryParse(mb, out var bytes) && bytes > 0 ? bytes
                        : throw new UsageException($"--memory-budget expects a positive number of bytes, found '{mb}'");
                    break;
                case "--batch-size":
                    if (o.BatchSize is not null) throw new UsageException("--batch-size is given twice");
                    var v = One(a);
                    o.BatchSize = int.TryParse(v, out var b) && b >= 0 ? b
                        : throw new UsageException($"--batch-size expects a non-negative integer, found '{v}'");
                    break;
            }
        }
        if (files.Count == 0) throw new UsageException($"{command} needs an .ir file");
        if (files.Count > 1) throw new UsageException($"{command} takes one .ir file, found {files.Count}: {string.Join(" ", files)} (inputs go after --in)");
        o.File = files[0];
        return o;
    }
}

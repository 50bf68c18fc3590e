using System.Diagnostics;
using System.Reflection;
using ArrayLang.Ir;
using ArrayLang.Primitives;
using ArrayLang.Values;

namespace ArrayLang.Tracing;

/// <summary>
/// The state of one trace: the function being built and the constants it captured. Tensor
/// operations record equations into the trace their operands belong to; operands from two
/// different traces are an error.
/// </summary>
public sealed partial class TraceContext
{
    private readonly Dictionary<NDArray, Var> _constants = new(ReferenceEqualityComparer.Instance);
    private readonly List<NDArray> _constantValues = [];

    internal TraceContext() { }

    /// <summary>The function being recorded.</summary>
    public FunctionBuilder Builder { get; } = new();

    /// <summary>The captured constant arrays, in the order of the const parameters they became.</summary>
    public IReadOnlyList<NDArray> Constants => _constantValues;

    /// <summary>A tensor for a parameter of the traced function.</summary>
    internal Tensor Parameter(AVal type, string? name) => new(this, Builder.AddParam(type, name));

    /// <summary>The const parameter standing for a captured array; the same array is captured once.</summary>
    internal Tensor Capture(NDArray value)
    {
        EnsureRunning("capturing an array");
        if (Parent is not null) return Lift(Parent.Capture(value)); // Note [nested traces]
        if (!_constants.TryGetValue(value, out var v))
        {
            v = Builder.AddParam(value.Type, "c", isConst: true);
            _constants[value] = v;
            _constantValues.Add(value);
        }
        return new Tensor(this, v);
    }

    /// <summary>A <see cref="TraceException"/> unless this trace is running: its tensors were kept
    /// after the function that made them was traced (e.g. in a field) and used outside any trace.</summary>
    internal void EnsureRunning(string operation)
    {
        if (!Trace.IsRunning(this)) throw TraceException.Leaked(operation);
    }

    /// <summary>
    /// Records <c>primitive[params](inputs)</c>. A shape or dtype error is reported with the user's
    /// source line (the first stack frame outside ArrayLang), the operation and the operand types.
    /// </summary>
    internal IReadOnlyList<Tensor> Bind(Primitive primitive, PrimParams parameters, IReadOnlyList<Atom> inputs,
        IReadOnlyList<Function>? subs = null)
    {
        EnsureRunning($"the operation {primitive.Name}");
        var target = BindTarget(); // Note [nested traces]
        if (target != this) return target.Bind(primitive, parameters, inputs, subs);
        if (Parent is not null) inputs = inputs.Select(Resolve).ToList();
        try
        {
            return Builder.Emit(primitive, parameters, inputs, subs).Select(v => new Tensor(this, v)).ToList();
        }
        catch (TypeError e)
        {
            var where = UserSource.Find();
            var operands = string.Join(", ", inputs.Select(a => a is Literal l ? $"literal {l}" : a.Type.ToString()));
            throw new TraceException($"{(where is null ? "" : where + ": ")}{e.Message} (operation {primitive.Name}, operands {operands})", where, e);
        }
    }
}

/// <summary>An error in traced user code; <see cref="Location"/> is the user's source line when known.</summary>
public sealed class TraceException : IrException
{
    /// <summary>Creates a trace error.</summary>
    public TraceException(string message, SourceLocation? location, Exception inner) : base(message, inner) => Location = location;

    /// <summary>Creates a trace error that no other error caused.</summary>
    public TraceException(string message, SourceLocation? location) : base(message) => Location = location;

    /// <summary>The error for a tensor of a trace that is not running, used by <paramref name="operation"/>,
    /// located at the user's source line.</summary>
    internal static TraceException Leaked(string operation, AVal? type = null)
    {
        var where = UserSource.Find();
        var tensor = type is null ? "a tensor" : $"a {type} tensor";
        return new TraceException(
            $"{(where is null ? "" : where + ": ")}{operation} uses {tensor} of a trace that has finished or is not running here: {Trace.Escaped}",
            where);
    }

    /// <summary>The user's file and line, when the program has portable PDBs.</summary>
    public SourceLocation? Location { get; }
}

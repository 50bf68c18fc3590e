using ArrayLang.Ir;
using ArrayLang.Primitives;
using ArrayLang.Values;

namespace ArrayLang.Tracing;

/// <summary>
/// A traced value: what a per-example function computes with. Each operation records one IR
/// equation in the trace the tensor belongs to. Numbers mixed with tensors become literals of the
/// tensor's dtype (<c>x + 1</c> with <c>x: f32[3]</c> records <c>add(x, 1.0)</c>); arrays mixed
/// with tensors are captured as const parameters.
/// </summary>
public sealed partial class Tensor
{
    internal Tensor(TraceContext context, Atom atom)
    {
        Context = context;
        Atom = atom;
    }

    /// <summary>The trace this tensor belongs to.</summary>
    public TraceContext Context { get; }

    /// <summary>The IR atom (variable or literal) this tensor stands for.</summary>
    public Atom Atom { get; }

    /// <summary>The abstract value: dtype and shape.</summary>
    public AVal Type => Atom.Type;

    /// <summary>The element type.</summary>
    public DType DType => Atom.Type.DType;

    /// <summary>The shape.</summary>
    public Shape Shape => Atom.Type.Shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => Atom.Type.Rank;

    /// <summary>The type, e.g. <c>Tensor f32[3]</c> (the value is not known while tracing).</summary>
    public override string ToString() => $"Tensor {Type}";

    /// <summary>A captured constant array (a const parameter of the function being traced).</summary>
    public static Tensor Constant(NDArray value) => Trace.Current.Capture(value);

    /// <summary>A scalar constant of the given dtype, as a full tensor (a broadcast literal).</summary>
    public static Tensor Scalar(double value, DType dtype = DType.F32)
    {
        var ctx = Trace.Current;
        return ctx.Bind(ShapeOps.BroadcastInDim, new BroadcastInDimParams([], []), [MakeLiteral(ctx, dtype, value)])[0];
    }

    /// <summary><c>iota</c>: the indices <c>0, 1, ...</c> along <paramref name="dim"/> of an array of <paramref name="shape"/>.</summary>
    public static Tensor Iota(int[] shape, int dim = 0, DType dtype = DType.I32) =>
        Trace.Current.Bind(ShapeOps.Iota, new IotaParams(shape, dim, dtype), [])[0];

    internal Tensor Unary(Primitive p, PrimParams? ps = null) => Context.Bind(p, ps ?? NoParams.Instance, [Atom])[0];

    internal static Tensor Binary(Primitive p, Tensor x, Tensor y)
    {
        if (x.Atom is Literal || y.Atom is Literal) return MixLiteral(p, x, y); // Tensor.One and Tensor.Zero mix like numbers
        y.Operand(x.Context); // a tensor of a finished trace is reported as such, before any broadcast
        var b = Broadcast(p.Name, x, y); // Note [broadcasting while tracing]
        return b[0].Context.Bind(p, NoParams.Instance, [b[0].Atom, b[1].Operand(b[0].Context)])[0];
    }

    internal static Tensor Binary(Primitive p, Tensor x, double y) => x.Context.Bind(p, NoParams.Instance, [x.Atom, MakeLiteral(x.Context, x.DType, y)])[0];

    internal static Tensor Binary(Primitive p, double x, Tensor y) => y.Context.Bind(p, NoParams.Instance, [MakeLiteral(y.Context, y.DType, x), y.Atom])[0];

    internal static Tensor Binary(Primitive p, Tensor x, NDArray y) => Binary(p, x, x.Context.Capture(y));

    internal static Tensor Binary(Primitive p, NDArray x, Tensor y) => Binary(p, y.Context.Capture(x), y);

    /// <summary>This tensor's atom for use in <paramref name="ctx"/>, or an error if it belongs to another trace.</summary>
    internal Atom Operand(TraceContext ctx) => Context == ctx || ctx.IsNestedWith(Context) ? Atom
        : throw TraceException.Leaked("an operation", Type);

    // A number mixed with a tensor takes the tensor's dtype (IR.md: literals are typed by their position).
    internal static Literal MakeLiteral(TraceContext ctx, DType dtype, double value)
    {
        try
        {
            return new Literal(dtype, value);
        }
        catch (ArgumentException e)
        {
            var where = UserSource.Find();
            throw new TraceException($"{(where is null ? "" : where + ": ")}the number {value} cannot be a {dtype.Name()} literal: {e.Message}", where, e);
        }
    }

    /// <summary>Elementwise sum.</summary>
    public static Tensor operator +(Tensor x, Tensor y) => Binary(Elementwise.Add, x, y);
    /// <summary>Adds a number (a literal of <paramref name="x"/>'s dtype).</summary>
    public static Tensor operator +(Tensor x, double y) => Binary(Elementwise.Add, x, y);
    /// <summary>Adds to a number (a literal of <paramref name="y"/>'s dtype).</summary>
    public static Tensor operator +(double x, Tensor y) => Binary(Elementwise.Add, x, y);
    /// <summary>Adds a captured array.</summary>
    public static Tensor operator +(Tensor x, NDArray y) => Binary(Elementwise.Add, x, y);
    /// <summary>Adds to a captured array.</summary>
    public static Tensor operator +(NDArray x, Tensor y) => Binary(Elementwise.Add, x, y);

    /// <summary>Elementwise difference.</summary>
    public static Tensor operator -(Tensor x, Tensor y) => Binary(Elementwise.Sub, x, y);
    /// <summary>Subtracts a number.</summary>
    public static Tensor operator -(Tensor x, double y) => Binary(Elementwise.Sub, x, y);
    /// <summary>Subtracts from a number.</summary>
    public static Tensor operator -(double x, Tensor y) => Binary(Elementwise.Sub, x, y);
    /// <summary>Subtracts a captured array.</summary>
    public static Tensor operator -(Tensor x, NDArray y) => Binary(Elementwise.Sub, x, y);
    /// <summary>Subtracts from a captured array.</summary>
    public static Tensor operator -(NDArray x, Tensor y) => Binary(Elementwise.Sub, x, y);

    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor x, Tensor y) => Binary(Elementwise.Mul, x, y);
    /// <summary>Multiplies by a number.</summary>
    public static Tensor operator *(Tensor x, double y) => Binary(Elementwise.Mul, x, y);
    /// <summary>Multiplies a number.</summary>
    public static Tensor operator *(double x, Tensor y) => Binary(Elementwise.Mul, x, y);
    /// <summary>Multiplies by a captured array.</summary>
    public static Tensor operator *(Tensor x, NDArray y) => Binary(Elementwise.Mul, x, y);
    /// <summary>Multiplies a captured array.</summary>
    public static Tensor operator *(NDArray x, Tensor y) => Binary(Elementwise.Mul, x, y);

    /// <summary>Elementwise quotient (integer division truncates; division by zero gives 0 for i32).</summary>
    public static Tensor operator /(Tensor x, Tensor y) => Binary(Elementwise.Div, x, y);
    /// <summary>Divides by a number.</summary>
    public static Tensor operator /(Tensor x, double y) => Binary(Elementwise.Div, x, y);
    /// <summary>Divides a number.</summary>
    public static Tensor operator /(double x, Tensor y) => Binary(Elementwise.Div, x, y);
    /// <summary>Divides by a captured array.</summary>
    public static Tensor operator /(Tensor x, NDArray y) => Binary(Elementwise.Div, x, y);
    /// <summary>Divides a captured array.</summary>
    public static Tensor operator /(NDArray x, Tensor y) => Binary(Elementwise.Div, x, y);

    /// <summary>Elementwise remainder (C's fmod for floats; the sign of the dividend for integers).</summary>
    public static Tensor operator %(Tensor x, Tensor y) => Binary(Elementwise.Rem, x, y);
    /// <summary>Remainder by a number.</summary>
    public static Tensor operator %(Tensor x, double y) => Binary(Elementwise.Rem, x, y);
    /// <summary>Remainder of a number.</summary>
    public static Tensor operator %(double x, Tensor y) => Binary(Elementwise.Rem, x, y);

    /// <summary>Elementwise negation.</summary>
    public static Tensor operator -(Tensor x) => x.Unary(Elementwise.Neg);

    /// <summary>Elementwise <c>x &lt; y</c> (a bool tensor).</summary>
    public static Tensor operator <(Tensor x, Tensor y) => Binary(Elementwise.Lt, x, y);
    /// <summary>Elementwise <c>x &gt; y</c>.</summary>
    public static Tensor operator >(Tensor x, Tensor y) => Binary(Elementwise.Gt, x, y);
    /// <summary>Elementwise <c>x &lt;= y</c>.</summary>
    public static Tensor operator <=(Tensor x, Tensor y) => Binary(Elementwise.Le, x, y);
    /// <summary>Elementwise <c>x &gt;= y</c>.</summary>
    public static Tensor operator >=(Tensor x, Tensor y) => Binary(Elementwise.Ge, x, y);
    /// <summary>Elementwise <c>x &lt; y</c> with a number.</summary>
    public static Tensor operator <(Tensor x, double y) => Binary(Elementwise.Lt, x, y);
    /// <summary>Elementwise <c>x &gt; y</c> with a number.</summary>
    public static Tensor operator >(Tensor x, double y) => Binary(Elementwise.Gt, x, y);
    /// <summary>Elementwise <c>x &lt;= y</c> with a number.</summary>
    public static Tensor operator <=(Tensor x, double y) => Binary(Elementwise.Le, x, y);
    /// <summary>Elementwise <c>x &gt;= y</c> with a number.</summary>
    public static Tensor operator >=(Tensor x, double y) => Binary(Elementwise.Ge, x, y);
    /// <summary>Elementwise <c>x &lt; y</c> with a number on the left.</summary>
    public static Tensor operator <(double x, Tensor y) => Binary(Elementwise.Lt, x, y);
    /// <summary>Elementwise <c>x &gt; y</c> with a number on the left.</summary>
    public static Tensor operator >(double x, Tensor y) => Binary(Elementwise.Gt, x, y);
    /// <summary>Elementwise <c>x &lt;= y</c> with a number on the left.</summary>
    public static Tensor operator <=(double x, Tensor y) => Binary(Elementwise.Le, x, y);
    /// <summary>Elementwise <c>x &gt;= y</c> with a number on the left.</summary>
    public static Tensor operator >=(double x, Tensor y) => Binary(Elementwise.Ge, x, y);

    /// <summary>Elementwise logical (bool) or bitwise (i32) and.</summary>
    public static Tensor operator &(Tensor x, Tensor y) => Binary(Elementwise.And, x, y);
    /// <summary>Elementwise logical (bool) or bitwise (i32) or.</summary>
    public static Tensor operator |(Tensor x, Tensor y) => Binary(Elementwise.Or, x, y);
    /// <summary>Elementwise logical (bool) or bitwise (i32) exclusive or.</summary>
    public static Tensor operator ^(Tensor x, Tensor y) => Binary(Elementwise.Xor, x, y);
    /// <summary>Elementwise logical not (bool).</summary>
    public static Tensor operator !(Tensor x) => x.Unary(Elementwise.Not);
    /// <summary>Elementwise bitwise not (i32).</summary>
    public static Tensor operator ~(Tensor x) => x.Unary(Elementwise.Not);

    /// <summary>Elementwise equality (a bool tensor). <c>==</c> keeps its reference meaning on tensors.</summary>
    public Tensor Eq(Tensor y) => Binary(Elementwise.Eq, this, y);
    /// <summary>Elementwise equality with a number.</summary>
    public Tensor Eq(double y) => Binary(Elementwise.Eq, this, y);
    /// <summary>Elementwise inequality (a bool tensor).</summary>
    public Tensor Ne(Tensor y) => Binary(Elementwise.Ne, this, y);
    /// <summary>Elementwise inequality with a number.</summary>
    public Tensor Ne(double y) => Binary(Elementwise.Ne, this, y);
}

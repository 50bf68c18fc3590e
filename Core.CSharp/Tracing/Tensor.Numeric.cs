using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Tracing;

// What F# (and generic .NET numeric code) needs to treat a tensor like a number: operators with
// int and float32 numbers (F# does not widen them to double for an operator), a literal One and
// Zero (F#'s pown, List.sum and List.average ask for them), Max/Min with a number on the left, and
// elementwise Equal/NotEqual as static members (F#'s ArrayLang operators .= and .<> resolve them).
public sealed partial class Tensor
{
    /// <summary>
    /// The number 1 as a literal tensor: it records no equation and, mixed with a tensor, takes that
    /// tensor's dtype (<c>One / x</c> records <c>div(1.0, x)</c>). F#'s <c>pown x n</c> uses it for n &lt;= 0.
    /// Returned on its own, it is an f32 scalar.
    /// </summary>
    public static Tensor One => new(Trace.Current, new Literal(DType.F32, 1));

    /// <summary>The number 0 as a literal tensor (see <see cref="One"/>); F#'s <c>List.sum</c> starts from it.</summary>
    public static Tensor Zero => new(Trace.Current, new Literal(DType.F32, 0));

    // A binary operation where an operand is a literal tensor: the literal takes the other operand's
    // dtype; 1 * x is x (exact: F#'s pown starts its product from One); two literals fold to a literal.
    internal static Tensor MixLiteral(Primitive p, Tensor x, Tensor y)
    {
        switch (x.Atom, y.Atom)
        {
            case (Literal lx, Literal ly):
                var r = p.Evaluate(NoParams.Instance, [Values.NDArray.FromLiteral(lx), Values.NDArray.FromLiteral(new Literal(lx.DType, ly.Value))], []);
                return new Tensor(x.Context, new Literal(r[0].DType, r[0].GetDouble(0)));
            case (Literal lx, _):
                return p == Elementwise.Mul && lx.Value == 1 ? y : Binary(p, lx.Value, y);
            case (_, Literal ly):
                return p == Elementwise.Mul && ly.Value == 1 ? x : Binary(p, x, ly.Value);
            default:
                throw new InvalidOperationException("MixLiteral needs a literal operand");
        }
    }

    /// <summary>Divides by an int count (F#'s <c>List.average</c> uses it).</summary>
    public static Tensor DivideByInt(Tensor x, int n) => Binary(Elementwise.Div, x, (double)n);

    /// <summary>Elementwise maximum of a number and a tensor.</summary>
    public static Tensor Max(double x, Tensor y) => Binary(Elementwise.Max, x, y);

    /// <summary>Elementwise minimum of a number and a tensor.</summary>
    public static Tensor Min(double x, Tensor y) => Binary(Elementwise.Min, x, y);

    /// <summary>Elementwise equality (a bool tensor).</summary>
    public static Tensor Equal(Tensor x, Tensor y) => Binary(Elementwise.Eq, x, y);
    /// <summary>Elementwise equality with a number.</summary>
    public static Tensor Equal(Tensor x, double y) => Binary(Elementwise.Eq, x, y);
    /// <summary>Elementwise equality of a number and a tensor.</summary>
    public static Tensor Equal(double x, Tensor y) => Binary(Elementwise.Eq, x, y);
    /// <summary>Elementwise inequality (a bool tensor).</summary>
    public static Tensor NotEqual(Tensor x, Tensor y) => Binary(Elementwise.Ne, x, y);
    /// <summary>Elementwise inequality with a number.</summary>
    public static Tensor NotEqual(Tensor x, double y) => Binary(Elementwise.Ne, x, y);
    /// <summary>Elementwise inequality of a number and a tensor.</summary>
    public static Tensor NotEqual(double x, Tensor y) => Binary(Elementwise.Ne, x, y);

    /// <summary>Adds an int number (a literal of the tensor's dtype).</summary>
    public static Tensor operator +(Tensor x, int y) => Binary(Elementwise.Add, x, (double)y);
    /// <summary>Adds an int number on the left (a literal of the tensor's dtype).</summary>
    public static Tensor operator +(int x, Tensor y) => Binary(Elementwise.Add, (double)x, y);
    /// <summary>Subtracts an int number (a literal of the tensor's dtype).</summary>
    public static Tensor operator -(Tensor x, int y) => Binary(Elementwise.Sub, x, (double)y);
    /// <summary>Subtracts an int number on the left (a literal of the tensor's dtype).</summary>
    public static Tensor operator -(int x, Tensor y) => Binary(Elementwise.Sub, (double)x, y);
    /// <summary>Multiplies an int number (a literal of the tensor's dtype).</summary>
    public static Tensor operator *(Tensor x, int y) => Binary(Elementwise.Mul, x, (double)y);
    /// <summary>Multiplies an int number on the left (a literal of the tensor's dtype).</summary>
    public static Tensor operator *(int x, Tensor y) => Binary(Elementwise.Mul, (double)x, y);
    /// <summary>Divides an int number (a literal of the tensor's dtype).</summary>
    public static Tensor operator /(Tensor x, int y) => Binary(Elementwise.Div, x, (double)y);
    /// <summary>Divides an int number on the left (a literal of the tensor's dtype).</summary>
    public static Tensor operator /(int x, Tensor y) => Binary(Elementwise.Div, (double)x, y);
    /// <summary>Remainder with an int number (a literal of the tensor's dtype).</summary>
    public static Tensor operator %(Tensor x, int y) => Binary(Elementwise.Rem, x, (double)y);
    /// <summary>Remainder with an int number on the left (a literal of the tensor's dtype).</summary>
    public static Tensor operator %(int x, Tensor y) => Binary(Elementwise.Rem, (double)x, y);
    /// <summary>Elementwise <c>x &lt; y</c> with an int number.</summary>
    public static Tensor operator <(Tensor x, int y) => Binary(Elementwise.Lt, x, (double)y);
    /// <summary>Elementwise <c>x &lt; y</c> with an int number on the left.</summary>
    public static Tensor operator <(int x, Tensor y) => Binary(Elementwise.Lt, (double)x, y);
    /// <summary>Elementwise <c>x &gt; y</c> with an int number.</summary>
    public static Tensor operator >(Tensor x, int y) => Binary(Elementwise.Gt, x, (double)y);
    /// <summary>Elementwise <c>x &gt; y</c> with an int number on the left.</summary>
    public static Tensor operator >(int x, Tensor y) => Binary(Elementwise.Gt, (double)x, y);
    /// <summary>Elementwise <c>x &lt;= y</c> with an int number.</summary>
    public static Tensor operator <=(Tensor x, int y) => Binary(Elementwise.Le, x, (double)y);
    /// <summary>Elementwise <c>x &lt;= y</c> with an int number on the left.</summary>
    public static Tensor operator <=(int x, Tensor y) => Binary(Elementwise.Le, (double)x, y);
    /// <summary>Elementwise <c>x &gt;= y</c> with an int number.</summary>
    public static Tensor operator >=(Tensor x, int y) => Binary(Elementwise.Ge, x, (double)y);
    /// <summary>Elementwise <c>x &gt;= y</c> with an int number on the left.</summary>
    public static Tensor operator >=(int x, Tensor y) => Binary(Elementwise.Ge, (double)x, y);
    /// <summary>Adds a float32 number (a literal of the tensor's dtype).</summary>
    public static Tensor operator +(Tensor x, float y) => Binary(Elementwise.Add, x, (double)y);
    /// <summary>Adds a float32 number on the left (a literal of the tensor's dtype).</summary>
    public static Tensor operator +(float x, Tensor y) => Binary(Elementwise.Add, (double)x, y);
    /// <summary>Subtracts a float32 number (a literal of the tensor's dtype).</summary>
    public static Tensor operator -(Tensor x, float y) => Binary(Elementwise.Sub, x, (double)y);
    /// <summary>Subtracts a float32 number on the left (a literal of the tensor's dtype).</summary>
    public static Tensor operator -(float x, Tensor y) => Binary(Elementwise.Sub, (double)x, y);
    /// <summary>Multiplies a float32 number (a literal of the tensor's dtype).</summary>
    public static Tensor operator *(Tensor x, float y) => Binary(Elementwise.Mul, x, (double)y);
    /// <summary>Multiplies a float32 number on the left (a literal of the tensor's dtype).</summary>
    public static Tensor operator *(float x, Tensor y) => Binary(Elementwise.Mul, (double)x, y);
    /// <summary>Divides a float32 number (a literal of the tensor's dtype).</summary>
    public static Tensor operator /(Tensor x, float y) => Binary(Elementwise.Div, x, (double)y);
    /// <summary>Divides a float32 number on the left (a literal of the tensor's dtype).</summary>
    public static Tensor operator /(float x, Tensor y) => Binary(Elementwise.Div, (double)x, y);
    /// <summary>Remainder with a float32 number (a literal of the tensor's dtype).</summary>
    public static Tensor operator %(Tensor x, float y) => Binary(Elementwise.Rem, x, (double)y);
    /// <summary>Remainder with a float32 number on the left (a literal of the tensor's dtype).</summary>
    public static Tensor operator %(float x, Tensor y) => Binary(Elementwise.Rem, (double)x, y);
    /// <summary>Elementwise <c>x &lt; y</c> with a float32 number.</summary>
    public static Tensor operator <(Tensor x, float y) => Binary(Elementwise.Lt, x, (double)y);
    /// <summary>Elementwise <c>x &lt; y</c> with a float32 number on the left.</summary>
    public static Tensor operator <(float x, Tensor y) => Binary(Elementwise.Lt, (double)x, y);
    /// <summary>Elementwise <c>x &gt; y</c> with a float32 number.</summary>
    public static Tensor operator >(Tensor x, float y) => Binary(Elementwise.Gt, x, (double)y);
    /// <summary>Elementwise <c>x &gt; y</c> with a float32 number on the left.</summary>
    public static Tensor operator >(float x, Tensor y) => Binary(Elementwise.Gt, (double)x, y);
    /// <summary>Elementwise <c>x &lt;= y</c> with a float32 number.</summary>
    public static Tensor operator <=(Tensor x, float y) => Binary(Elementwise.Le, x, (double)y);
    /// <summary>Elementwise <c>x &lt;= y</c> with a float32 number on the left.</summary>
    public static Tensor operator <=(float x, Tensor y) => Binary(Elementwise.Le, (double)x, y);
    /// <summary>Elementwise <c>x &gt;= y</c> with a float32 number.</summary>
    public static Tensor operator >=(Tensor x, float y) => Binary(Elementwise.Ge, x, (double)y);
    /// <summary>Elementwise <c>x &gt;= y</c> with a float32 number on the left.</summary>
    public static Tensor operator >=(float x, Tensor y) => Binary(Elementwise.Ge, (double)x, y);

    /// <summary>Elementwise equality with an int number.</summary>
    public static Tensor Equal(Tensor x, int y) => Binary(Elementwise.Eq, x, (double)y);
    /// <summary>Elementwise equality of an int number and a tensor.</summary>
    public static Tensor Equal(int x, Tensor y) => Binary(Elementwise.Eq, (double)x, y);
    /// <summary>Elementwise inequality with an int number.</summary>
    public static Tensor NotEqual(Tensor x, int y) => Binary(Elementwise.Ne, x, (double)y);
    /// <summary>Elementwise inequality of an int number and a tensor.</summary>
    public static Tensor NotEqual(int x, Tensor y) => Binary(Elementwise.Ne, (double)x, y);
    /// <summary>Elementwise maximum with an int number.</summary>
    public static Tensor Max(Tensor x, int y) => Binary(Elementwise.Max, x, (double)y);
    /// <summary>Elementwise maximum of an int number and a tensor.</summary>
    public static Tensor Max(int x, Tensor y) => Binary(Elementwise.Max, (double)x, y);
    /// <summary>Elementwise minimum with an int number.</summary>
    public static Tensor Min(Tensor x, int y) => Binary(Elementwise.Min, x, (double)y);
    /// <summary>Elementwise minimum of an int number and a tensor.</summary>
    public static Tensor Min(int x, Tensor y) => Binary(Elementwise.Min, (double)x, y);
    /// <summary>Elementwise equality with a float32 number.</summary>
    public static Tensor Equal(Tensor x, float y) => Binary(Elementwise.Eq, x, (double)y);
    /// <summary>Elementwise equality of a float32 number and a tensor.</summary>
    public static Tensor Equal(float x, Tensor y) => Binary(Elementwise.Eq, (double)x, y);
    /// <summary>Elementwise inequality with a float32 number.</summary>
    public static Tensor NotEqual(Tensor x, float y) => Binary(Elementwise.Ne, x, (double)y);
    /// <summary>Elementwise inequality of a float32 number and a tensor.</summary>
    public static Tensor NotEqual(float x, Tensor y) => Binary(Elementwise.Ne, (double)x, y);
    /// <summary>Elementwise maximum with a float32 number.</summary>
    public static Tensor Max(Tensor x, float y) => Binary(Elementwise.Max, x, (double)y);
    /// <summary>Elementwise maximum of a float32 number and a tensor.</summary>
    public static Tensor Max(float x, Tensor y) => Binary(Elementwise.Max, (double)x, y);
    /// <summary>Elementwise minimum with a float32 number.</summary>
    public static Tensor Min(Tensor x, float y) => Binary(Elementwise.Min, x, (double)y);
    /// <summary>Elementwise minimum of a float32 number and a tensor.</summary>
    public static Tensor Min(float x, Tensor y) => Binary(Elementwise.Min, (double)x, y);
}

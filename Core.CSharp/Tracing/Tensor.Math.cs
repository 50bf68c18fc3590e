using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Tracing;

// Math functions as static members, so that F#'s own sin, exp, tanh, sqrt, abs, floor, ceil,
// round, log, cos, tan, atan2 and ** resolve to them (F# looks them up by these names).
public sealed partial class Tensor
{
    /// <summary>Absolute value.</summary>
    public static Tensor Abs(Tensor x) => x.Unary(Elementwise.Abs);
    /// <summary>Sign: -1, 0 or 1 (±0 and NaN kept for floats).</summary>
    public static Tensor Sign(Tensor x) => x.Unary(Elementwise.Sign);
    /// <summary>Round toward negative infinity.</summary>
    public static Tensor Floor(Tensor x) => x.Unary(Elementwise.Floor);
    /// <summary>Round toward positive infinity.</summary>
    public static Tensor Ceiling(Tensor x) => x.Unary(Elementwise.Ceil);
    /// <summary>Round half away from zero.</summary>
    public static Tensor Round(Tensor x) => x.Unary(Elementwise.Round);
    /// <summary>e to the power x.</summary>
    public static Tensor Exp(Tensor x) => x.Unary(Elementwise.Exp);
    /// <summary>Natural logarithm.</summary>
    public static Tensor Log(Tensor x) => x.Unary(Elementwise.Log);
    /// <summary><c>log(1 + x)</c>, accurate near 0.</summary>
    public static Tensor Log1p(Tensor x) => x.Unary(Elementwise.Log1p);
    /// <summary><c>exp(x) - 1</c>, accurate near 0.</summary>
    public static Tensor Expm1(Tensor x) => x.Unary(Elementwise.Expm1);
    /// <summary>Square root.</summary>
    public static Tensor Sqrt(Tensor x) => x.Unary(Elementwise.Sqrt);
    /// <summary>Reciprocal square root.</summary>
    public static Tensor Rsqrt(Tensor x) => x.Unary(Elementwise.Rsqrt);
    /// <summary>Sine.</summary>
    public static Tensor Sin(Tensor x) => x.Unary(Elementwise.Sin);
    /// <summary>Cosine.</summary>
    public static Tensor Cos(Tensor x) => x.Unary(Elementwise.Cos);
    /// <summary>Tangent.</summary>
    public static Tensor Tan(Tensor x) => x.Unary(Elementwise.Tan);
    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x) => x.Unary(Elementwise.Tanh);
    /// <summary>The logistic sigmoid <c>1 / (1 + exp(-x))</c>.</summary>
    public static Tensor Logistic(Tensor x) => x.Unary(Elementwise.Logistic);
    /// <summary>The error function.</summary>
    public static Tensor Erf(Tensor x) => x.Unary(Elementwise.Erf);
    /// <summary>True where x is neither infinite nor NaN.</summary>
    public static Tensor IsFinite(Tensor x) => x.Unary(Elementwise.IsFinite);

    /// <summary>x to the power y (C's pow).</summary>
    public static Tensor Pow(Tensor x, Tensor y) => Binary(Elementwise.Pow, x, y);
    /// <summary>x to the power of a number.</summary>
    public static Tensor Pow(Tensor x, double y) => Binary(Elementwise.Pow, x, y);
    /// <summary>A number to the power y.</summary>
    public static Tensor Pow(double x, Tensor y) => Binary(Elementwise.Pow, x, y);
    /// <summary>The angle of the point (x, y) from the x axis, <c>atan2(y, x)</c>.</summary>
    public static Tensor Atan2(Tensor y, Tensor x) => Binary(Elementwise.Atan2, y, x);
    /// <summary>Elementwise maximum (NaN propagates).</summary>
    public static Tensor Max(Tensor x, Tensor y) => Binary(Elementwise.Max, x, y);
    /// <summary>Elementwise maximum with a number.</summary>
    public static Tensor Max(Tensor x, double y) => Binary(Elementwise.Max, x, y);
    /// <summary>Elementwise minimum (NaN propagates).</summary>
    public static Tensor Min(Tensor x, Tensor y) => Binary(Elementwise.Min, x, y);
    /// <summary>Elementwise minimum with a number.</summary>
    public static Tensor Min(Tensor x, double y) => Binary(Elementwise.Min, x, y);

    /// <summary>Per element, <paramref name="onTrue"/> where <paramref name="pred"/> holds, else <paramref name="onFalse"/>.</summary>
    public static Tensor Where(Tensor pred, Tensor onTrue, Tensor onFalse)
    {
        onTrue.Operand(pred.Context);
        onFalse.Operand(pred.Context);
        var b = Broadcast(Elementwise.Select.Name, pred, onTrue, onFalse); // Note [broadcasting while tracing]
        return b[0].Context.Bind(Elementwise.Select, NoParams.Instance, [b[0].Atom, b[1].Operand(b[0].Context), b[2].Operand(b[0].Context)])[0];
    }

    /// <summary>Per element, <paramref name="onTrue"/> where <paramref name="pred"/> holds, else a number.</summary>
    public static Tensor Where(Tensor pred, Tensor onTrue, double onFalse)
    {
        onTrue.Operand(pred.Context);
        var b = Broadcast(Elementwise.Select.Name, pred, onTrue);
        return b[0].Context.Bind(Elementwise.Select, NoParams.Instance, [b[0].Atom, b[1].Operand(b[0].Context), MakeLiteral(b[0].Context, onTrue.DType, onFalse)])[0];
    }

    /// <summary>Per element, a number where <paramref name="pred"/> holds, else <paramref name="onFalse"/>.</summary>
    public static Tensor Where(Tensor pred, double onTrue, Tensor onFalse)
    {
        onFalse.Operand(pred.Context);
        var b = Broadcast(Elementwise.Select.Name, pred, onFalse);
        return b[0].Context.Bind(Elementwise.Select, NoParams.Instance, [b[0].Atom, MakeLiteral(b[0].Context, onFalse.DType, onTrue), b[1].Operand(b[0].Context)])[0];
    }

    /// <summary>Converts to another dtype (floats to ints truncate and saturate; NaN gives 0).</summary>
    public Tensor Cast(DType to) => Unary(Elementwise.Convert, new ConvertParams(to));
}

using ArrayLang.Reference;

namespace ArrayLang.Primitives;

/// <summary>
/// The elementwise family: unary and binary arithmetic, float functions, predicates, logic,
/// comparisons, <c>select</c> and <c>convert</c> (IR.md's table and its exact semantics). Every
/// one takes <see cref="Ir.NoParams"/> except <c>convert</c> (<see cref="ConvertParams"/>).
/// Note [f32 rounds once]: an f32 function is evaluated in double and rounded to float once. For
/// <c>+ - * / sqrt</c> and <c>fmod</c> that is the correctly rounded result (double has more than
/// twice float's precision); for the transcendental functions it is the most accurate reference
/// there is. f64 transcendental functions use <see cref="Math"/> where it is accurate and
/// <see cref="ScalarMath"/> where the BCL lacks the function or is naive.
/// </summary>
public static class Elementwise
{
    private static Func<float, float> F32(Func<double, double> f) => x => (float)f(x);
    private static Func<float, float, float> F32Binary(Func<double, double, double> f) => (x, y) => (float)f(x, y);

    private static double SignOf(double x) => x > 0 ? 1 : x < 0 ? -1 : x; // ±0 and NaN pass through

    // IEEE 754-2019 maximum/minimum: NaN propagates, and -0 < +0.
    private static double MaxOf(double x, double y) =>
        double.IsNaN(x) || double.IsNaN(y) ? double.NaN : x == y ? (double.IsNegative(x) ? y : x) : x > y ? x : y;
    private static double MinOf(double x, double y) =>
        double.IsNaN(x) || double.IsNaN(y) ? double.NaN : x == y ? (double.IsNegative(x) ? x : y) : x < y ? x : y;

    // i32 division as C and XLA define it, made total: truncation toward zero, x / 0 = 0,
    // INT_MIN / -1 = INT_MIN; the remainder has the dividend's sign, rem(x, 0) = x, rem(INT_MIN, -1) = 0.
    private static int DivI32(int x, int y) => y == 0 ? 0 : y == -1 ? unchecked(-x) : x / y;
    private static int RemI32(int x, int y) => y == 0 ? x : y == -1 ? 0 : x % y;

    // ---- unary: f32 f64 i32 ----

    /// <summary><c>neg(x)</c>: <c>-x</c>; i32 wraps (<c>neg(INT_MIN) = INT_MIN</c>); <c>neg(0.0) = -0.0</c>.</summary>
    public static readonly UnaryOp Neg = new("neg", f32: x => -x, f64: x => -x, i32: x => unchecked(-x));

    /// <summary><c>abs(x)</c>: <c>|x|</c>; i32 wraps (<c>abs(INT_MIN) = INT_MIN</c>); <c>abs(-0.0) = 0.0</c>.</summary>
    public static readonly UnaryOp Abs = new("abs", f32: MathF.Abs, f64: Math.Abs, i32: x => x < 0 ? unchecked(-x) : x);

    /// <summary><c>sign(x)</c>: -1, 0 or 1; <c>sign(±0) = ±0</c>, <c>sign(NaN) = NaN</c>.</summary>
    public static readonly UnaryOp Sign = new("sign", f32: F32(SignOf), f64: SignOf, i32: Math.Sign);

    // ---- unary, float: f32 f64 ----

    /// <summary><c>floor(x)</c>: the largest integer not above <c>x</c> (keeps <c>-0.0</c>).</summary>
    public static readonly UnaryOp Floor = new("floor", f32: F32(Math.Floor), f64: Math.Floor);

    /// <summary><c>ceil(x)</c>: the smallest integer not below <c>x</c> (<c>ceil(-0.5) = -0.0</c>).</summary>
    public static readonly UnaryOp Ceil = new("ceil", f32: F32(Math.Ceiling), f64: Math.Ceiling);

    /// <summary><c>round(x)</c>: nearest integer, halfway cases away from zero (<c>round(-2.5) = -3</c>, <c>round(-0.4) = -0.0</c>).</summary>
    public static readonly UnaryOp Round = new("round", f32: F32(ScalarMath.RoundHalfAwayFromZero), f64: ScalarMath.RoundHalfAwayFromZero);

    /// <summary><c>exp(x)</c>: <c>e^x</c>.</summary>
    public static readonly UnaryOp Exp = new("exp", f32: F32(Math.Exp), f64: Math.Exp);

    /// <summary><c>log(x)</c>: natural logarithm; <c>log(0) = -inf</c>, NaN below 0.</summary>
    public static readonly UnaryOp Log = new("log", f32: F32(Math.Log), f64: Math.Log);

    /// <summary><c>log1p(x)</c>: <c>log(1 + x)</c>, accurate for small <c>x</c>.</summary>
    public static readonly UnaryOp Log1p = new("log1p", f32: F32(ScalarMath.Log1p), f64: ScalarMath.Log1p);

    /// <summary><c>expm1(x)</c>: <c>exp(x) - 1</c>, accurate for small <c>x</c>.</summary>
    public static readonly UnaryOp Expm1 = new("expm1", f32: F32(ScalarMath.Expm1), f64: ScalarMath.Expm1);

    /// <summary><c>sqrt(x)</c>: square root; <c>sqrt(-0.0) = -0.0</c>, NaN below 0.</summary>
    public static readonly UnaryOp Sqrt = new("sqrt", f32: F32(Math.Sqrt), f64: Math.Sqrt);

    /// <summary><c>rsqrt(x)</c>: <c>1 / sqrt(x)</c> rounded once; <c>rsqrt(±0) = ±inf</c>.</summary>
    public static readonly UnaryOp Rsqrt = new("rsqrt", f32: F32(ScalarMath.Rsqrt), f64: ScalarMath.Rsqrt);

    /// <summary><c>sin(x)</c>, radians.</summary>
    public static readonly UnaryOp Sin = new("sin", f32: F32(Math.Sin), f64: Math.Sin);

    /// <summary><c>cos(x)</c>, radians.</summary>
    public static readonly UnaryOp Cos = new("cos", f32: F32(Math.Cos), f64: Math.Cos);

    /// <summary><c>tan(x)</c>, radians.</summary>
    public static readonly UnaryOp Tan = new("tan", f32: F32(Math.Tan), f64: Math.Tan);

    /// <summary><c>tanh(x)</c>: hyperbolic tangent.</summary>
    public static readonly UnaryOp Tanh = new("tanh", f32: F32(Math.Tanh), f64: Math.Tanh);

    /// <summary><c>logistic(x)</c>: <c>1 / (1 + exp(-x))</c>, without overflow for large <c>|x|</c>.</summary>
    public static readonly UnaryOp Logistic = new("logistic", f32: F32(ScalarMath.Logistic), f64: ScalarMath.Logistic);

    /// <summary><c>erf(x)</c>: the error function.</summary>
    public static readonly UnaryOp Erf = new("erf", f32: F32(ScalarMath.Erf), f64: ScalarMath.Erf);

    // ---- predicates ----

    /// <summary><c>is_finite(x)</c>: true unless <c>x</c> is infinite or NaN; f32 f64 to bool.</summary>
    public static readonly PredicateOp IsFinite = new("is_finite", double.IsFinite);

    // ---- logic: bool i32 (bitwise) ----

    /// <summary><c>not(x)</c>: logical not of a bool, bitwise complement of an i32.</summary>
    public static readonly UnaryOp Not = new("not", i32: x => ~x, boolean: x => !x);

    /// <summary><c>and(x, y)</c>: logical and of bools, bitwise and of i32s.</summary>
    public static readonly BinaryOp And = new("and", i32: (x, y) => x & y, boolean: (x, y) => x & y);

    /// <summary><c>or(x, y)</c>: logical or of bools, bitwise or of i32s.</summary>
    public static readonly BinaryOp Or = new("or", i32: (x, y) => x | y, boolean: (x, y) => x | y);

    /// <summary><c>xor(x, y)</c>: exclusive or of bools, bitwise exclusive or of i32s.</summary>
    public static readonly BinaryOp Xor = new("xor", i32: (x, y) => x ^ y, boolean: (x, y) => x ^ y);

    // ---- binary: f32 f64 i32 ----

    /// <summary><c>add(x, y)</c>; i32 wraps.</summary>
    public static readonly BinaryOp Add = new("add", f32: (x, y) => x + y, f64: (x, y) => x + y, i32: (x, y) => unchecked(x + y));

    /// <summary><c>sub(x, y)</c>: <c>x - y</c>; i32 wraps.</summary>
    public static readonly BinaryOp Sub = new("sub", f32: (x, y) => x - y, f64: (x, y) => x - y, i32: (x, y) => unchecked(x - y));

    /// <summary><c>mul(x, y)</c>; i32 wraps.</summary>
    public static readonly BinaryOp Mul = new("mul", f32: (x, y) => x * y, f64: (x, y) => x * y, i32: (x, y) => unchecked(x * y));

    /// <summary><c>div(x, y)</c>: IEEE division for floats; i32 truncates toward zero, <c>x / 0 = 0</c>,
    /// <c>INT_MIN / -1 = INT_MIN</c>.</summary>
    public static readonly BinaryOp Div = new("div", f32: (x, y) => x / y, f64: (x, y) => x / y, i32: DivI32);

    /// <summary><c>rem(x, y)</c>: the remainder with the dividend's sign: C's <c>fmod</c> for floats
    /// (exact; NaN for <c>y = 0</c> or infinite <c>x</c>); for i32 <c>rem(x, 0) = x</c>, <c>rem(INT_MIN, -1) = 0</c>.</summary>
    public static readonly BinaryOp Rem = new("rem", f32: (x, y) => x % y, f64: (x, y) => x % y, i32: RemI32);

    /// <summary><c>max(x, y)</c>: NaN propagates, <c>max(-0, +0) = +0</c>.</summary>
    public static readonly BinaryOp Max = new("max", f32: F32Binary(MaxOf), f64: MaxOf, i32: Math.Max);

    /// <summary><c>min(x, y)</c>: NaN propagates, <c>min(-0, +0) = -0</c>.</summary>
    public static readonly BinaryOp Min = new("min", f32: F32Binary(MinOf), f64: MinOf, i32: Math.Min);

    // ---- binary, float: f32 f64 ----

    /// <summary><c>pow(x, y)</c>: <c>x^y</c> as C's <c>pow</c> defines it, special cases included
    /// (<c>pow(x, 0) = 1</c>, <c>pow(1, NaN) = 1</c>, <c>pow(-1, ±inf) = 1</c>, NaN for a negative
    /// base and a non-integer exponent).</summary>
    public static readonly BinaryOp Pow = new("pow", f32: F32Binary(ScalarMath.Pow), f64: ScalarMath.Pow);

    /// <summary><c>atan2(y, x)</c>: the angle of the point <c>(x, y)</c> in <c>[-pi, pi]</c>, C's
    /// <c>atan2</c> (signed zeros and infinities included: <c>atan2(+0, -0) = pi</c>).</summary>
    public static readonly BinaryOp Atan2 = new("atan2", f32: F32Binary(Math.Atan2), f64: Math.Atan2);

    // ---- comparisons: every dtype, bool result ----

    /// <summary><c>eq(x, y)</c>: <c>x == y</c> (NaN equals nothing, <c>-0 == +0</c>).</summary>
    public static readonly CompareOp Eq = new("eq", (x, y) => x == y);

    /// <summary><c>ne(x, y)</c>: <c>x != y</c> (true when either is NaN).</summary>
    public static readonly CompareOp Ne = new("ne", (x, y) => x != y);

    /// <summary><c>lt(x, y)</c>: <c>x &lt; y</c> (<c>false &lt; true</c>; false with NaN).</summary>
    public static readonly CompareOp Lt = new("lt", (x, y) => x < y);

    /// <summary><c>le(x, y)</c>: <c>x &lt;= y</c> (false with NaN).</summary>
    public static readonly CompareOp Le = new("le", (x, y) => x <= y);

    /// <summary><c>gt(x, y)</c>: <c>x &gt; y</c> (false with NaN).</summary>
    public static readonly CompareOp Gt = new("gt", (x, y) => x > y);

    /// <summary><c>ge(x, y)</c>: <c>x &gt;= y</c> (false with NaN).</summary>
    public static readonly CompareOp Ge = new("ge", (x, y) => x >= y);

    // ---- selection and conversion ----

    /// <summary><c>select(pred, on_true, on_false)</c>: <c>pred ? on_true : on_false</c> elementwise.</summary>
    public static readonly SelectOp Select = new();

    /// <summary><c>convert[to=d](x)</c>: every dtype to every dtype.</summary>
    public static readonly ConvertOp Convert = new();

    /// <summary>Every primitive of the family, in IR.md's table order.</summary>
    public static readonly IReadOnlyList<Primitive> All =
    [
        Neg, Abs, Sign,
        Floor, Ceil, Round, Exp, Log, Log1p, Expm1, Sqrt, Rsqrt, Sin, Cos, Tan, Tanh, Logistic, Erf,
        IsFinite,
        Not, And, Or, Xor,
        Add, Sub, Mul, Div, Rem, Max, Min,
        Pow, Atan2,
        Eq, Ne, Lt, Le, Gt, Ge,
        Select, Convert,
    ];

    /// <summary>Registers the family's primitives, each with the generic elementwise batching rule
    /// (<see cref="ElementwiseRules.Batch"/>).</summary>
    public static void Register(Registrar r)
    {
        foreach (var p in All)
            r.Add(p, (ctx, ps, ins, subs) => ElementwiseRules.Batch(p, ctx, ps, ins));
    }
}

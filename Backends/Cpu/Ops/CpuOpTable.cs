using ArrayLang.Ir;
using static ArrayLang.Backends.Cpu.Ops.SpanDrivers;

namespace ArrayLang.Backends.Cpu.Ops;

/// <summary>
/// The CPU backend's op-to-code mapping for scalar instructions, as data (DESIGN.md "a backend
/// keeps its op-to-code mapping as a data table"): one row per elementwise primitive, operand
/// dtype and result dtype, naming the tile routine. A coverage test checks that every elementwise
/// primitive of IR.md has a row for every dtype it accepts.
/// </summary>
internal static class CpuOpTable
{
    private const DType F32 = DType.F32, F64 = DType.F64, I32 = DType.I32, B = DType.Bool;

    /// <summary>Every row: (primitive, operand dtype, result dtype) and its routine.</summary>
    public static readonly IReadOnlyList<(string Primitive, DType Operand, DType Result, SpanOp Code)> Rows =
    [
        // unary: f32 f64 i32
        ("neg", F32, F32, Unary<float, NegOp<float>>), ("neg", F64, F64, Unary<double, NegOp<double>>), ("neg", I32, I32, Unary<int, NegOp<int>>),
        ("abs", F32, F32, Unary<float, AbsOp<float>>), ("abs", F64, F64, Unary<double, AbsOp<double>>), ("abs", I32, I32, Unary<int, AbsOp<int>>),
        ("sign", F32, F32, Unary<float, SignOp<float>>), ("sign", F64, F64, Unary<double, SignOp<double>>), ("sign", I32, I32, Unary<int, SignOp<int>>),

        // unary, float
        ("floor", F32, F32, Unary<float, FloorOp<float>>), ("floor", F64, F64, Unary<double, FloorOp<double>>),
        ("ceil", F32, F32, Unary<float, CeilOp<float>>), ("ceil", F64, F64, Unary<double, CeilOp<double>>),
        ("round", F32, F32, Unary<float, RoundOp<float>>), ("round", F64, F64, Unary<double, RoundOp<double>>),
        ("sqrt", F32, F32, Unary<float, SqrtOp<float>>), ("sqrt", F64, F64, Unary<double, SqrtOp<double>>),
        ("rsqrt", F32, F32, Unary<float, RsqrtF32Op>), ("rsqrt", F64, F64, Unary<double, RsqrtF64Op>),
        ("exp", F32, F32, Unary<float, ExpF32>), ("exp", F64, F64, Unary<double, ExpF64>),
        ("log", F32, F32, Unary<float, LogF32>), ("log", F64, F64, Unary<double, LogF64>),
        ("log1p", F32, F32, Unary<float, Log1pF32>), ("log1p", F64, F64, Unary<double, Log1pF64>),
        ("expm1", F32, F32, Unary<float, Expm1F32>), ("expm1", F64, F64, Unary<double, Expm1F64>),
        ("sin", F32, F32, Unary<float, SinF32>), ("sin", F64, F64, Unary<double, SinF64>),
        ("cos", F32, F32, Unary<float, CosF32>), ("cos", F64, F64, Unary<double, CosF64>),
        ("tan", F32, F32, Unary<float, TanF32>), ("tan", F64, F64, Unary<double, TanF64>),
        ("tanh", F32, F32, Unary<float, TanhF32>), ("tanh", F64, F64, Unary<double, TanhF64>),
        ("logistic", F32, F32, Unary<float, LogisticF32>), ("logistic", F64, F64, Unary<double, LogisticF64>),
        ("erf", F32, F32, Unary<float, ErfF32>), ("erf", F64, F64, Unary<double, ErfF64>),

        // predicates
        ("is_finite", F32, B, Predicate<float, IsFiniteOp<float>>), ("is_finite", F64, B, Predicate<double, IsFiniteOp<double>>),

        // logic: bool (bytes 0/1) and i32 (bitwise)
        ("not", I32, I32, Unary<int, NotI32Op>), ("not", B, B, Unary<byte, NotBoolOp>),
        ("and", I32, I32, Binary<int, AndOp<int>>), ("and", B, B, Binary<byte, AndOp<byte>>),
        ("or", I32, I32, Binary<int, OrOp<int>>), ("or", B, B, Binary<byte, OrOp<byte>>),
        ("xor", I32, I32, Binary<int, XorOp<int>>), ("xor", B, B, Binary<byte, XorOp<byte>>),

        // binary: f32 f64 i32
        ("add", F32, F32, Binary<float, AddOp<float>>), ("add", F64, F64, Binary<double, AddOp<double>>), ("add", I32, I32, Binary<int, AddOp<int>>),
        ("sub", F32, F32, Binary<float, SubOp<float>>), ("sub", F64, F64, Binary<double, SubOp<double>>), ("sub", I32, I32, Binary<int, SubOp<int>>),
        ("mul", F32, F32, Binary<float, MulOp<float>>), ("mul", F64, F64, Binary<double, MulOp<double>>), ("mul", I32, I32, Binary<int, MulOp<int>>),
        ("div", F32, F32, Binary<float, DivFloatOp<float>>), ("div", F64, F64, Binary<double, DivFloatOp<double>>), ("div", I32, I32, Binary<int, DivI32Op>),
        ("rem", F32, F32, Binary<float, RemFloatOp<float>>), ("rem", F64, F64, Binary<double, RemFloatOp<double>>), ("rem", I32, I32, Binary<int, RemI32Op>),
        ("max", F32, F32, Binary<float, MaxFloatOp<float>>), ("max", F64, F64, Binary<double, MaxFloatOp<double>>), ("max", I32, I32, Binary<int, MaxI32Op>),
        ("min", F32, F32, Binary<float, MinFloatOp<float>>), ("min", F64, F64, Binary<double, MinFloatOp<double>>), ("min", I32, I32, Binary<int, MinI32Op>),

        // binary, float
        ("pow", F32, F32, Binary<float, PowF32>), ("pow", F64, F64, Binary<double, PowF64>),
        ("atan2", F32, F32, Binary<float, Atan2F32>), ("atan2", F64, F64, Binary<double, Atan2F64>),

        // comparisons: every dtype
        .. Comparisons<float>(F32), .. Comparisons<double>(F64), .. Comparisons<int>(I32), .. Comparisons<byte>(B),

        // selection: the operand dtype is the branches'
        ("select", F32, F32, Select<float>), ("select", F64, F64, Select<double>),
        ("select", I32, I32, Select<int>), ("select", B, B, Select<byte>),

        // conversion: every dtype to every dtype
        ("convert", F32, F32, Copy), ("convert", F32, F64, Convert<float, double, NumericConvert<float, double>>),
        ("convert", F32, I32, Convert<float, int, FloatToI32<float>>), ("convert", F32, B, Convert<float, byte, ToBool<float>>),
        ("convert", F64, F32, Convert<double, float, NumericConvert<double, float>>), ("convert", F64, F64, Copy),
        ("convert", F64, I32, Convert<double, int, FloatToI32<double>>), ("convert", F64, B, Convert<double, byte, ToBool<double>>),
        ("convert", I32, F32, Convert<int, float, NumericConvert<int, float>>), ("convert", I32, F64, Convert<int, double, NumericConvert<int, double>>),
        ("convert", I32, I32, Copy), ("convert", I32, B, Convert<int, byte, ToBool<int>>),
        ("convert", B, F32, Convert<byte, float, FromBool<float>>), ("convert", B, F64, Convert<byte, double, FromBool<double>>),
        ("convert", B, I32, Convert<byte, int, FromBool<int>>), ("convert", B, B, Copy),
    ];

    private static IEnumerable<(string, DType, DType, SpanOp)> Comparisons<T>(DType d)
        where T : unmanaged, System.Numerics.INumber<T> =>
    [
        ("eq", d, B, Compare<T, EqOp<T>>), ("ne", d, B, Compare<T, NeOp<T>>),
        ("lt", d, B, Compare<T, LtOp<T>>), ("le", d, B, Compare<T, LeOp<T>>),
        ("gt", d, B, Compare<T, GtOp<T>>), ("ge", d, B, Compare<T, GeOp<T>>),
    ];

    private static readonly Dictionary<(string, DType, DType), SpanOp> ByKey =
        Rows.ToDictionary(r => (r.Primitive, r.Operand, r.Result), r => r.Code);

    /// <summary>The fused multiply-add routine <c>a * b + c</c> of a float dtype (Note [fused multiply-add]).</summary>
    public static SpanOp FusedMultiplyAdd(DType d) =>
        d == DType.F32 ? Ternary<float, FmaOp<float>> : Ternary<double, FmaOp<double>>;

    /// <summary>The routine of a primitive on an operand dtype giving a result dtype, or null when there is none.</summary>
    public static SpanOp? Find(string primitive, DType operand, DType result) =>
        ByKey.TryGetValue((primitive, operand, result), out var op) ? op : null;
}

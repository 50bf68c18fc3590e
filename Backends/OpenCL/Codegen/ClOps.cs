using System.Globalization;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.OpenCL.Codegen;

// Note [opencl exactness]
// ~~~~~~~~~~~~~~~~~~~~~~~
// Generated code must give the reference evaluator's bits for everything IR.md defines exactly.
// - Programs build with -cl-fp32-correctly-rounded-divide-sqrt where the device supports it and
//   never with -cl-fast-relaxed-math, -cl-mad-enable or -cl-unsafe-math-optimizations; every source
//   starts with `#pragma OPENCL FP_CONTRACT OFF`, so a*b+c is two roundings unless the program was
//   lowered with ContractFloat, where the pairs FloatContraction names become fma().
// - i32 add, sub, mul and neg compute in uint (C leaves signed overflow undefined; uint wraps);
//   div and rem handle 0 and INT_MIN / -1 as IR.md says (al_div_i32, al_rem_i32).
// - float to i32 is convert_int_sat_rtz (truncation, saturation, NaN to 0, as OpenCL defines the
//   _sat conversions); i32 and f64 to f32 are convert_float_rte; to bool is x != 0.
// - max and min propagate NaN and order -0 below +0 (OpenCL's fmax/fmin return the other operand
//   for a NaN, so they are not used); round is OpenCL's round (half away from zero).
// - bool is uchar holding 0 or 1.
// - The transcendental functions are our own (ClMath), never the built-ins or native_*.

/// <summary>OpenCL C spellings of dtypes and literals.</summary>
internal static class ClTypes
{
    /// <summary>The C type of a dtype's element (bool is uchar).</summary>
    public static string Of(DType d) => d switch
    {
        DType.F32 => "float",
        DType.F64 => "double",
        DType.I32 => "int",
        _ => "uchar",
    };

    /// <summary>The short suffix used in helper names.</summary>
    public static string Suffix(DType d) => d switch
    {
        DType.F32 => "f32",
        DType.F64 => "f64",
        DType.I32 => "i32",
        _ => "bool",
    };

    /// <summary>An exact C literal of <paramref name="value"/> as <paramref name="d"/>.</summary>
    public static string Literal(DType d, double value)
    {
        switch (d)
        {
            case DType.F32:
            {
                float f = (float)value;
                if (!float.IsFinite(f)) return $"as_float(0x{BitConverter.SingleToInt32Bits(f):x8}u)";
                var s = f.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
                return s.Contains('.') || s.Contains('e') ? s + "f" : s + ".0f";
            }
            case DType.F64:
            {
                if (double.IsFinite(value))
                {
                    var s = value.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
                    return s.Contains('.') || s.Contains('e') ? s : s + ".0";
                }
                return $"as_double(0x{BitConverter.DoubleToInt64Bits(value):x16}ul)";
            }
            case DType.I32:
            {
                int i = checked((int)value);
                return i == int.MinValue ? "(-2147483647-1)" : i.ToString(CultureInfo.InvariantCulture);
            }
            default:
                return value != 0 ? "(uchar)1" : "(uchar)0";
        }
    }

    /// <summary>A literal operand.</summary>
    public static string Literal(Literal l) => Literal(l.DType, l.Value);
}

/// <summary>
/// The op table: one row per elementwise primitive (keyed by the primitive object), giving the C
/// expression of an instruction from its operands' expressions (Note [opencl exactness]). Helpers
/// and math functions the expression calls are requested from the <see cref="ClSourceBuilder"/>.
/// </summary>
internal static class ClOps
{
    private delegate string Row(ScalarInstruction ins, string[] a, ClSourceBuilder src);

    private static string T(ScalarInstruction ins) => ClTypes.Of(ins.OperandDType);

    private static string Helper(ClSourceBuilder src, string name, ScalarInstruction ins, params string[] a)
    {
        var fn = $"al_{name}_{ClTypes.Suffix(ins.OperandDType)}";
        src.Use(fn);
        return $"{fn}({string.Join(", ", a)})";
    }

    private static string Float(ClSourceBuilder src, string name, ScalarInstruction ins, params string[] a)
    {
        if (ins.OperandDType is not (DType.F32 or DType.F64))
            throw new NotSupportedException($"OpenCL backend: {name} on {ins.OperandDType.Name()} is not defined (f32 or f64 expected)");
        return Helper(src, name, ins, a);
    }

    private static string IntWrap(string op, string[] a) => $"(int)((uint)({a[0]}) {op} (uint)({a[1]}))";

    private static readonly Dictionary<Primitive, Row> Rows = new()
    {
        [Elementwise.Neg] = (i, a, s) => i.OperandDType == DType.I32 ? $"(int)(0u - (uint)({a[0]}))" : $"(-({a[0]}))",
        [Elementwise.Abs] = (i, a, s) => i.OperandDType == DType.I32 ? Helper(s, "abs", i, a) : $"fabs({a[0]})",
        [Elementwise.Sign] = (i, a, s) => Helper(s, "sign", i, a),
        [Elementwise.Floor] = (i, a, s) => $"floor({a[0]})",
        [Elementwise.Ceil] = (i, a, s) => $"ceil({a[0]})",
        [Elementwise.Round] = (i, a, s) => $"round({a[0]})",
        [Elementwise.Sqrt] = (i, a, s) => $"sqrt({a[0]})",
        [Elementwise.Rsqrt] = (i, a, s) => Float(s, "rsqrt", i, a),
        [Elementwise.Exp] = (i, a, s) => Float(s, "exp", i, a),
        [Elementwise.Log] = (i, a, s) => Float(s, "log", i, a),
        [Elementwise.Log1p] = (i, a, s) => Float(s, "log1p", i, a),
        [Elementwise.Expm1] = (i, a, s) => Float(s, "expm1", i, a),
        [Elementwise.Sin] = (i, a, s) => Float(s, "sin", i, a),
        [Elementwise.Cos] = (i, a, s) => Float(s, "cos", i, a),
        [Elementwise.Tan] = (i, a, s) => Float(s, "tan", i, a),
        [Elementwise.Tanh] = (i, a, s) => Float(s, "tanh", i, a),
        [Elementwise.Logistic] = (i, a, s) => Float(s, "logistic", i, a),
        [Elementwise.Erf] = (i, a, s) => Float(s, "erf", i, a),
        [Elementwise.Pow] = (i, a, s) => Float(s, "pow", i, a),
        [Elementwise.Atan2] = (i, a, s) => Float(s, "atan2", i, a),
        [Elementwise.IsFinite] = (i, a, s) => $"(uchar)(isfinite({a[0]}) != 0)",
        [Elementwise.Not] = (i, a, s) => i.OperandDType == DType.Bool ? $"(uchar)(({a[0]}) == 0)" : $"(~({a[0]}))",
        [Elementwise.And] = (i, a, s) => $"(({T(i)})(({a[0]}) & ({a[1]})))",
        [Elementwise.Or] = (i, a, s) => $"(({T(i)})(({a[0]}) | ({a[1]})))",
        [Elementwise.Xor] = (i, a, s) => $"(({T(i)})(({a[0]}) ^ ({a[1]})))",
        [Elementwise.Add] = (i, a, s) => i.OperandDType == DType.I32 ? IntWrap("+", a) : $"({a[0]} + {a[1]})",
        [Elementwise.Sub] = (i, a, s) => i.OperandDType == DType.I32 ? IntWrap("-", a) : $"({a[0]} - {a[1]})",
        [Elementwise.Mul] = (i, a, s) => i.OperandDType == DType.I32 ? IntWrap("*", a) : $"({a[0]} * {a[1]})",
        [Elementwise.Div] = (i, a, s) => i.OperandDType == DType.I32 ? Helper(s, "div", i, a) : $"({a[0]} / {a[1]})",
        [Elementwise.Rem] = (i, a, s) => i.OperandDType == DType.I32 ? Helper(s, "rem", i, a) : $"fmod({a[0]}, {a[1]})",
        [Elementwise.Max] = (i, a, s) => i.OperandDType == DType.I32 ? $"max({a[0]}, {a[1]})" : Helper(s, "max", i, a),
        [Elementwise.Min] = (i, a, s) => i.OperandDType == DType.I32 ? $"min({a[0]}, {a[1]})" : Helper(s, "min", i, a),
        [Elementwise.Eq] = (i, a, s) => $"(uchar)({a[0]} == {a[1]})",
        [Elementwise.Ne] = (i, a, s) => $"(uchar)({a[0]} != {a[1]})",
        [Elementwise.Lt] = (i, a, s) => $"(uchar)({a[0]} < {a[1]})",
        [Elementwise.Le] = (i, a, s) => $"(uchar)({a[0]} <= {a[1]})",
        [Elementwise.Gt] = (i, a, s) => $"(uchar)({a[0]} > {a[1]})",
        [Elementwise.Ge] = (i, a, s) => $"(uchar)({a[0]} >= {a[1]})",
        [Elementwise.Select] = (i, a, s) => $"(({a[0]}) ? ({a[1]}) : ({a[2]}))",
        [Elementwise.Convert] = (i, a, s) => Convert(i.OperandDType, i.DType, a[0]),
    };

    /// <summary>Whether the table has a row for <paramref name="p"/>.</summary>
    public static bool Has(Primitive p) => Rows.ContainsKey(p);

    /// <summary>The C expression of <paramref name="ins"/> on operand expressions <paramref name="args"/>.</summary>
    public static string Expression(ScalarInstruction ins, string[] args, ClSourceBuilder src)
    {
        if (!Rows.TryGetValue(ins.Primitive, out var row))
            throw new NotSupportedException($"OpenCL backend: no code for elementwise primitive {ins.Primitive.Name}");
        if (ins.OperandDType == DType.F64 || ins.DType == DType.F64) src.NeedsFp64($"{ins.Primitive.Name} on f64");
        return row(ins, args, src);
    }

    /// <summary><c>convert</c> from one dtype to another (Note [opencl exactness]).</summary>
    public static string Convert(DType from, DType to, string x)
    {
        if (from == to) return x;
        return to switch
        {
            DType.Bool => $"(uchar)(({x}) != 0)",
            DType.I32 => from is DType.F32 or DType.F64 ? $"convert_int_sat_rtz({x})" : $"(int)({x})",
            DType.F32 => from == DType.Bool ? $"(float)({x})" : $"convert_float_rte({x})",
            _ => $"(double)({x})",
        };
    }
}

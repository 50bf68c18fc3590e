using System.Globalization;

namespace ArrayLang.Ir;

/// <summary>An operand of an equation: a variable or a scalar literal.</summary>
public abstract class Atom
{
    /// <summary>The atom's type. A literal is a scalar of the dtype its position gives it.</summary>
    public abstract AVal Type { get; }
}

/// <summary>
/// A variable. Variables compare by identity: two functions are equal when they differ only in
/// variable names (see <see cref="Function.Equals(Function?)"/>); the name is for printing.
/// </summary>
public sealed class Var : Atom
{
    /// <summary>Creates a variable with a name (used when printing) and a type.</summary>
    public Var(string name, AVal type) { Name = name; VarType = type; }

    /// <summary>The name used in the text form.</summary>
    public string Name { get; }

    private AVal VarType { get; }

    /// <inheritdoc />
    public override AVal Type => VarType;

    /// <summary>The name and type, <c>x: f32[3]</c>.</summary>
    public override string ToString() => $"{Name}: {Type}";
}

/// <summary>
/// A scalar literal. Its dtype comes from its position (IR.md "Literals"); its value is stored
/// as a double, already rounded to the dtype (f32 values are exact floats, i32 values exact ints,
/// bools 0 or 1). Literals compare bitwise: <c>nan</c> equals <c>nan</c>, <c>-0.0</c> differs from <c>0.0</c>.
/// </summary>
public sealed class Literal : Atom, IEquatable<Literal>
{
    /// <summary>Creates a literal, rounding <paramref name="value"/> to <paramref name="dtype"/>
    /// (i32 values must be integers in range, bools 0 or 1).</summary>
    public Literal(DType dtype, double value)
    {
        DType = dtype;
        Value = dtype switch
        {
            DType.F32 => (double)(float)value,
            DType.F64 => value,
            DType.I32 => value == Math.Floor(value) && value >= int.MinValue && value <= int.MaxValue
                ? value
                : throw new ArgumentException($"literal {value.ToString(CultureInfo.InvariantCulture)} does not fit i32 exactly"),
            DType.Bool => value is 0 or 1 ? value : throw new ArgumentException($"a bool literal is 0 or 1, found {value}"),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };
    }

    /// <summary>The literal's dtype.</summary>
    public DType DType { get; }

    /// <summary>The value, exactly representable in <see cref="DType"/>.</summary>
    public double Value { get; }

    /// <inheritdoc />
    public override AVal Type => AVal.Scalar(DType);

    /// <summary>A bool literal.</summary>
    public static Literal Of(bool b) => new(DType.Bool, b ? 1 : 0);

    /// <summary>An i32 literal.</summary>
    public static Literal Of(int i) => new(DType.I32, i);

    /// <summary>An f32 literal.</summary>
    public static Literal Of(float f) => new(DType.F32, f);

    /// <summary>An f64 literal.</summary>
    public static Literal Of(double d) => new(DType.F64, d);

    /// <summary>The literal's text: shortest round-trip form for floats (<c>1.0</c>, <c>-0.0</c>,
    /// <c>inf</c>, <c>nan</c>), an integer for i32, <c>true</c>/<c>false</c> for bool.</summary>
    public override string ToString() => DType switch
    {
        DType.Bool => Value != 0 ? "true" : "false",
        DType.I32 => ((int)Value).ToString(CultureInfo.InvariantCulture),
        DType.F32 => FormatFloat(((float)Value).ToString("R", CultureInfo.InvariantCulture), Value),
        _ => FormatFloat(Value.ToString("R", CultureInfo.InvariantCulture), Value),
    };

    private static string FormatFloat(string s, double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsPositiveInfinity(v)) return "inf";
        if (double.IsNegativeInfinity(v)) return "-inf";
        // .NET writes 1E+20; the grammar wants a '.' or an exponent: 1.0, 1e+20.
        s = s.Replace("E", "e");
        if (!s.Contains('.') && !s.Contains('e')) s += ".0";
        return s;
    }

    /// <inheritdoc />
    public bool Equals(Literal? other) =>
        other is not null && other.DType == DType &&
        BitConverter.DoubleToInt64Bits(other.Value) == BitConverter.DoubleToInt64Bits(Value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Literal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(DType, BitConverter.DoubleToInt64Bits(Value));
}

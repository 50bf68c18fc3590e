namespace ArrayLang.Ir;

/// <summary>The element types of the IR. Operands of one primitive share one dtype: there is no implicit promotion.</summary>
public enum DType
{
    /// <summary>32-bit IEEE float.</summary>
    F32,
    /// <summary>64-bit IEEE float.</summary>
    F64,
    /// <summary>32-bit two's-complement integer; arithmetic wraps modulo 2^32.</summary>
    I32,
    /// <summary>Boolean; <c>false &lt; true</c>.</summary>
    Bool,
}

/// <summary>Names, sizes and classification of <see cref="DType"/> values.</summary>
public static class DTypes
{
    /// <summary>Every dtype, in declaration order.</summary>
    public static readonly IReadOnlyList<DType> All = [DType.F32, DType.F64, DType.I32, DType.Bool];

    /// <summary>The numeric dtypes (arithmetic is defined on them).</summary>
    public static readonly IReadOnlyList<DType> Numeric = [DType.F32, DType.F64, DType.I32];

    /// <summary>The floating-point dtypes.</summary>
    public static readonly IReadOnlyList<DType> Floats = [DType.F32, DType.F64];

    /// <summary>The IR text name: <c>f32</c>, <c>f64</c>, <c>i32</c> or <c>bool</c>.</summary>
    public static string Name(this DType d) => d switch
    {
        DType.F32 => "f32",
        DType.F64 => "f64",
        DType.I32 => "i32",
        DType.Bool => "bool",
        _ => throw new ArgumentOutOfRangeException(nameof(d), d, "unknown dtype"),
    };

    /// <summary>Parses an IR text dtype name; returns false for anything else.</summary>
    public static bool TryParse(string text, out DType dtype)
    {
        switch (text)
        {
            case "f32": dtype = DType.F32; return true;
            case "f64": dtype = DType.F64; return true;
            case "i32": dtype = DType.I32; return true;
            case "bool": dtype = DType.Bool; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>Bytes per element in memory (bool is one byte).</summary>
    public static int SizeInBytes(this DType d) => d switch
    {
        DType.F32 => 4,
        DType.F64 => 8,
        DType.I32 => 4,
        DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    /// <summary>True for <c>f32</c> and <c>f64</c>.</summary>
    public static bool IsFloat(this DType d) => d is DType.F32 or DType.F64;

    /// <summary>True for <c>f32</c>, <c>f64</c> and <c>i32</c>.</summary>
    public static bool IsNumeric(this DType d) => d is DType.F32 or DType.F64 or DType.I32;
}

using System.Globalization;
using System.Text;
using ArrayLang.Ir;

namespace ArrayLang.Values;

/// <summary>
/// A dense row-major array of one dtype: the values that functions take and return.
/// The data is a <c>float[]</c>, <c>double[]</c>, <c>int[]</c> or <c>bool[]</c> holding exactly
/// <c>Shape.ElementCount</c> elements. Arrays passed to and returned from ArrayLang are not mutated by it.
/// </summary>
public sealed class NDArray
{
    /// <summary>Wraps <paramref name="data"/> (not copied) as an array of the given dtype and shape.</summary>
    public NDArray(DType dtype, Shape shape, Array data)
    {
        var expected = ElementType(dtype);
        if (data.GetType().GetElementType() != expected || data.Rank != 1)
            throw new ArgumentException($"a {dtype.Name()} array needs a {expected.Name}[] buffer, found {data.GetType().Name}");
        if (data.LongLength != shape.ElementCount)
            throw new ArgumentException($"shape {shape} holds {shape.ElementCount} elements, but the buffer has {data.LongLength}");
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The shape.</summary>
    public Shape Shape { get; }

    /// <summary>The row-major data buffer.</summary>
    public Array Data { get; }

    /// <summary>The aval (dtype and shape).</summary>
    public AVal Type => new(DType, Shape);

    /// <summary>Number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>The .NET element type that stores a dtype.</summary>
    public static Type ElementType(DType d) => d switch
    {
        DType.F32 => typeof(float),
        DType.F64 => typeof(double),
        DType.I32 => typeof(int),
        DType.Bool => typeof(bool),
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    /// <summary>A zero-filled array; an <see cref="ArrayTooLargeException"/> when <paramref name="type"/>
    /// has more elements than one .NET array holds.</summary>
    public static NDArray Zeros(AVal type)
    {
        if (type.Shape.ElementCount > Array.MaxLength) throw new ArrayTooLargeException(type);
        return new(type.DType, type.Shape, Array.CreateInstance(ElementType(type.DType), type.Shape.ElementCount));
    }

    /// <summary>A zero-filled array.</summary>
    public static NDArray Zeros(DType dtype, params int[] dims) => Zeros(AVal.Of(dtype, dims));

    /// <summary>A scalar holding <paramref name="value"/> converted to <paramref name="dtype"/> (as a literal would be).</summary>
    public static NDArray Scalar(DType dtype, double value)
    {
        var a = Zeros(AVal.Scalar(dtype));
        a.SetDouble(0, value);
        return a;
    }

    /// <summary>The array of a literal (a scalar).</summary>
    public static NDArray FromLiteral(Literal l) => Scalar(l.DType, l.Value);

    /// <summary>An f32 array.</summary>
    public static NDArray Of(float[] data, params int[] dims) => new(DType.F32, new Shape(dims.Length == 0 && data.Length != 1 ? [data.Length] : dims), data);
    /// <summary>An f64 array.</summary>
    public static NDArray Of(double[] data, params int[] dims) => new(DType.F64, new Shape(dims.Length == 0 && data.Length != 1 ? [data.Length] : dims), data);
    /// <summary>An i32 array.</summary>
    public static NDArray Of(int[] data, params int[] dims) => new(DType.I32, new Shape(dims.Length == 0 && data.Length != 1 ? [data.Length] : dims), data);
    /// <summary>A bool array.</summary>
    public static NDArray Of(bool[] data, params int[] dims) => new(DType.Bool, new Shape(dims.Length == 0 && data.Length != 1 ? [data.Length] : dims), data);

    /// <summary>The data as <c>float[]</c>; throws for another dtype.</summary>
    public float[] F32 => Data as float[] ?? throw WrongType(DType.F32);
    /// <summary>The data as <c>double[]</c>; throws for another dtype.</summary>
    public double[] F64 => Data as double[] ?? throw WrongType(DType.F64);
    /// <summary>The data as <c>int[]</c>; throws for another dtype.</summary>
    public int[] I32 => Data as int[] ?? throw WrongType(DType.I32);
    /// <summary>The data as <c>bool[]</c>; throws for another dtype.</summary>
    public bool[] Bool => Data as bool[] ?? throw WrongType(DType.Bool);

    private InvalidOperationException WrongType(DType wanted) =>
        new($"the array is {Type}, not {wanted.Name()}");

    /// <summary>Element <paramref name="i"/> (row-major) widened to double (exact for every dtype).</summary>
    public double GetDouble(long i) => Data switch
    {
        float[] f => f[i],
        double[] d => d[i],
        int[] n => n[i],
        bool[] b => b[i] ? 1 : 0,
        _ => throw new InvalidOperationException(),
    };

    /// <summary>Sets element <paramref name="i"/> from a double already representable in the dtype.</summary>
    public void SetDouble(long i, double v)
    {
        switch (Data)
        {
            case float[] f: f[i] = (float)v; break;
            case double[] d: d[i] = v; break;
            case int[] n: n[i] = (int)v; break;
            case bool[] b: b[i] = v != 0; break;
        }
    }

    /// <summary>A deep copy.</summary>
    public NDArray Clone() => new(DType, Shape, (Array)Data.Clone());

    /// <summary>The same data viewed with another shape of equal element count.</summary>
    public NDArray Reshape(Shape shape) => new(DType, shape, Data);

    /// <summary>True when dtype, shape and every element's bits are equal (NaN equals NaN, -0 differs from 0).</summary>
    public bool BitwiseEquals(NDArray other)
    {
        if (DType != other.DType || Shape != other.Shape) return false;
        for (int i = 0; i < Length; i++)
            if (BitConverter.DoubleToInt64Bits(GetDouble(i)) != BitConverter.DoubleToInt64Bits(other.GetDouble(i)))
                return false;
        return true;
    }

    /// <summary>A NumPy-like rendering, e.g. <c>f32[2,2] [[1, 2], [3, 4]]</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Type).Append(' ');
        int pos = 0;
        Render(sb, 0, ref pos);
        return sb.ToString();
    }

    private void Render(StringBuilder sb, int axis, ref int pos)
    {
        if (axis == Shape.Rank)
        {
            sb.Append(FormatElement(pos++));
            return;
        }
        sb.Append('[');
        for (int i = 0; i < Shape[axis]; i++)
        {
            if (i > 0) sb.Append(", ");
            Render(sb, axis + 1, ref pos);
        }
        sb.Append(']');
    }

    private string FormatElement(int i) => Data switch
    {
        bool[] b => b[i] ? "true" : "false",
        int[] n => n[i].ToString(CultureInfo.InvariantCulture),
        float[] f => f[i].ToString("R", CultureInfo.InvariantCulture),
        double[] d => d[i].ToString("R", CultureInfo.InvariantCulture),
        _ => "?",
    };
}

/// <summary>An array was asked for with more elements than one .NET array holds (<see cref="Array.MaxLength"/>).</summary>
public sealed class ArrayTooLargeException : ArgumentException
{
    /// <summary>Creates the error for an array of <paramref name="type"/>.</summary>
    public ArrayTooLargeException(AVal type)
        : base(TypeChecker.SizeProblem(type.Shape, $"the array {type}") ?? $"the array {type} is too large") => Type = type;

    /// <summary>The type asked for.</summary>
    public AVal Type { get; }
}

namespace ArrayLang.Ir;

/// <summary>An abstract value: a dtype and a shape, written <c>f32[3,4]</c>.</summary>
public sealed record AVal(DType DType, Shape Shape)
{
    /// <summary>Creates an aval from a dtype and dimensions.</summary>
    public static AVal Of(DType dtype, params int[] dims) => new(dtype, new Shape(dims));

    /// <summary>A scalar aval of the given dtype.</summary>
    public static AVal Scalar(DType dtype) => new(dtype, Shape.Scalar);

    /// <summary>Rank of the shape.</summary>
    public int Rank => Shape.Rank;

    /// <summary>True when the shape has rank 0.</summary>
    public bool IsScalar => Shape.Rank == 0;

    /// <summary>This aval with another dtype.</summary>
    public AVal WithDType(DType d) => new(d, Shape);

    /// <summary>This aval with another shape.</summary>
    public AVal WithShape(Shape s) => new(DType, s);

    /// <summary>The text form, <c>f32[3,4]</c>.</summary>
    public override string ToString() => DType.Name() + Shape;
}

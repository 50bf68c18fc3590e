using System.Numerics;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.Cpu.Ops;

// Comparisons follow IEEE 754 (NaN is unordered: only ne holds) and order bools false < true,
// which bytes 0 and 1 do. Vector comparisons give all-ones lanes where they hold.

internal struct EqOp<T> : ICompareOp<T> where T : unmanaged, IEqualityOperators<T, T, bool>
{
    public static bool Scalar(T x, T y) => x == y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => TV.Equals(x, y);
}

internal struct NeOp<T> : ICompareOp<T> where T : unmanaged, IEqualityOperators<T, T, bool>
{
    public static bool Scalar(T x, T y) => x != y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => ~TV.Equals(x, y);
}

internal struct LtOp<T> : ICompareOp<T> where T : unmanaged, IComparisonOperators<T, T, bool>
{
    public static bool Scalar(T x, T y) => x < y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => TV.LessThan(x, y);
}

internal struct LeOp<T> : ICompareOp<T> where T : unmanaged, IComparisonOperators<T, T, bool>
{
    public static bool Scalar(T x, T y) => x <= y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => TV.LessThanOrEqual(x, y);
}

internal struct GtOp<T> : ICompareOp<T> where T : unmanaged, IComparisonOperators<T, T, bool>
{
    public static bool Scalar(T x, T y) => x > y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => TV.GreaterThan(x, y);
}

internal struct GeOp<T> : ICompareOp<T> where T : unmanaged, IComparisonOperators<T, T, bool>
{
    public static bool Scalar(T x, T y) => x >= y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => TV.GreaterThanOrEqual(x, y);
}

/// <summary><c>is_finite</c> as a one-operand comparison: <c>x - x == 0</c> holds exactly for finite <c>x</c>.</summary>
internal struct IsFiniteOp<T> : ICompareOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Scalar(T x, T y) => T.IsFinite(x);
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => TV.Equals(x - x, TV.Zero);
}

// ---- convert[to=d]: every dtype to every dtype (IR.md "Exact semantics") ----

/// <summary>Float to i32: truncation toward zero, saturating, NaN to 0 (the reference's rule).</summary>
internal struct FloatToI32<T> : IConvertOp<T, int> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Scalar(T x) => ConvertOp.ToInt32(double.CreateTruncating(x));
}

/// <summary>A numeric conversion that rounds to nearest (f64 to f32, i32 to a float) or widens exactly.</summary>
internal struct NumericConvert<TFrom, TTo> : IConvertOp<TFrom, TTo>
    where TFrom : unmanaged, INumberBase<TFrom> where TTo : unmanaged, INumberBase<TTo>
{
    public static TTo Scalar(TFrom x) => TTo.CreateTruncating(x);
}

/// <summary>To bool: <c>x != 0</c> (NaN gives true, -0 false).</summary>
internal struct ToBool<T> : IConvertOp<T, byte> where T : unmanaged, INumberBase<T>
{
    public static byte Scalar(T x) => x != T.Zero ? (byte)1 : (byte)0;
}

/// <summary>From bool: 0 or 1.</summary>
internal struct FromBool<T> : IConvertOp<byte, T> where T : unmanaged, INumberBase<T>
{
    public static T Scalar(byte x) => x != 0 ? T.One : T.Zero;
}

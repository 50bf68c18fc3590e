using System.Numerics;
using ArrayLang.Reference;

namespace ArrayLang.Backends.Cpu.Ops;

// The operation structs of IR.md's elementwise primitives, each exactly as the reference evaluator
// defines it (IR.md "Exact semantics"): the vector form, where there is one, gives the same bits
// as the scalar form. .NET's vector Max/Min (every width) are IEEE 754-2019 maximum/minimum (NaN propagates,
// -0 < +0), which is IR.md's max/min.

internal struct AddOp<T> : IBinaryOp<T> where T : unmanaged, INumberBase<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x, T y) => unchecked(x + y);
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => x + y;
}

internal struct SubOp<T> : IBinaryOp<T> where T : unmanaged, INumberBase<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x, T y) => unchecked(x - y);
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => x - y;
}

internal struct MulOp<T> : IBinaryOp<T> where T : unmanaged, INumberBase<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x, T y) => unchecked(x * y);
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => x * y;
}

/// <summary><c>x * y + z</c> rounded once (Note [fused multiply-add]); the scalar form gives the same bits.</summary>
internal struct FmaOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Scalar(T x, T y, T z) => T.FusedMultiplyAdd(x, y, z);
    public static TV Vector<TV>(TV x, TV y, TV z) where TV : struct, IVectorLanes<TV, T> => TV.FusedMultiplyAdd(x, y, z);
}

internal struct DivFloatOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x, T y) => x / y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => x / y;
}

/// <summary>i32 division made total: truncation, <c>x / 0 = 0</c>, <c>INT_MIN / -1 = INT_MIN</c>.</summary>
internal struct DivI32Op : IBinaryOp<int>
{
    public static bool Vectorized => false;
    public static int Scalar(int x, int y) => y == 0 ? 0 : y == -1 ? unchecked(-x) : x / y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, int> => throw new NotSupportedException();
}

/// <summary>Float remainder: C's <c>fmod</c>, which is .NET's <c>%</c>.</summary>
internal struct RemFloatOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => false;
    public static T Scalar(T x, T y) => x % y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => throw new NotSupportedException();
}

/// <summary>i32 remainder with the dividend's sign, <c>rem(x, 0) = x</c>, <c>rem(INT_MIN, -1) = 0</c>.</summary>
internal struct RemI32Op : IBinaryOp<int>
{
    public static bool Vectorized => false;
    public static int Scalar(int x, int y) => y == 0 ? x : y == -1 ? 0 : x % y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, int> => throw new NotSupportedException();
}

internal struct MaxFloatOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x, T y) =>
        T.IsNaN(x) || T.IsNaN(y) ? T.NaN : x == y ? (T.IsNegative(x) ? y : x) : x > y ? x : y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => TV.Max(x, y);
}

internal struct MinFloatOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x, T y) =>
        T.IsNaN(x) || T.IsNaN(y) ? T.NaN : x == y ? (T.IsNegative(x) ? x : y) : x < y ? x : y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => TV.Min(x, y);
}

internal struct MaxI32Op : IBinaryOp<int>
{
    public static bool Vectorized => true;
    public static int Scalar(int x, int y) => Math.Max(x, y);
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, int> => TV.Max(x, y);
}

internal struct MinI32Op : IBinaryOp<int>
{
    public static bool Vectorized => true;
    public static int Scalar(int x, int y) => Math.Min(x, y);
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, int> => TV.Min(x, y);
}

internal struct AndOp<T> : IBinaryOp<T> where T : unmanaged, IBinaryInteger<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x, T y) => x & y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => x & y;
}

internal struct OrOp<T> : IBinaryOp<T> where T : unmanaged, IBinaryInteger<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x, T y) => x | y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => x | y;
}

internal struct XorOp<T> : IBinaryOp<T> where T : unmanaged, IBinaryInteger<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x, T y) => x ^ y;
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, T> => x ^ y;
}

/// <summary>Bitwise complement of an i32.</summary>
internal struct NotI32Op : IUnaryOp<int>
{
    public static bool Vectorized => true;
    public static int Scalar(int x) => ~x;
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, int> => ~x;
}

/// <summary>Logical not of a bool byte (0 or 1).</summary>
internal struct NotBoolOp : IUnaryOp<byte>
{
    public static bool Vectorized => true;
    public static byte Scalar(byte x) => (byte)(x ^ 1);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, byte> => x ^ TV.One;
}

internal struct NegOp<T> : IUnaryOp<T> where T : unmanaged, INumberBase<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x) => unchecked(-x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, T> => -x;
}

/// <summary><c>abs</c>: floats clear the sign bit; i32 wraps (<c>abs(INT_MIN) = INT_MIN</c>, as vpabsd gives).</summary>
internal struct AbsOp<T> : IUnaryOp<T> where T : unmanaged, INumberBase<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x) => typeof(T) == typeof(int)
        ? (T)(object)((int)(object)x < 0 ? unchecked(-(int)(object)x) : (int)(object)x)
        : T.Abs(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, T> => TV.Abs(x);
}

/// <summary><c>sign</c>: -1, 0 or 1; floats pass ±0 and NaN through.</summary>
internal struct SignOp<T> : IUnaryOp<T> where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool>
{
    public static bool Vectorized => true;
    public static T Scalar(T x) => x > T.Zero ? T.One : x < T.Zero ? -T.One : x;
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, T>
    {
        var pos = TV.GreaterThan(x, TV.Zero);
        var neg = TV.LessThan(x, TV.Zero);
        return TV.ConditionalSelect(pos, TV.One, TV.ConditionalSelect(neg, -TV.One, x));
    }
}

internal struct FloorOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x) => T.Floor(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, T> => TV.Floor(x);
}

internal struct CeilOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x) => T.Ceiling(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, T> => TV.Ceiling(x);
}

/// <summary><c>round</c>: halfway cases away from zero; the truncation keeps the sign of zero.</summary>
internal struct RoundOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x) => T.CreateTruncating(ScalarMath.RoundHalfAwayFromZero(double.CreateTruncating(x)));
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, T>
    {
        var t = TV.Truncate(x);
        var half = TV.Splat(T.CreateTruncating(0.5));
        var away = TV.GreaterThanOrEqual(TV.Abs(x - t), half);
        return TV.ConditionalSelect(away, t + TV.CopySign(TV.One, x), t);
    }
}

internal struct SqrtOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool Vectorized => true;
    public static T Scalar(T x) => T.Sqrt(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, T> => TV.Sqrt(x);
}

/// <summary>f32 <c>rsqrt</c>: <c>1 / sqrt(x)</c> in double, rounded to float (within an ulp of the reference's correctly rounded value).</summary>
internal struct RsqrtF32Op : IUnaryOp<float>
{
    public static bool Vectorized => true;
    public static float Scalar(float x) => (float)(1.0 / Math.Sqrt(x));
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, float>
        => VectorMathBridge.BinaryF32<TV, RsqrtKernel>(x, x);
}

/// <summary>f64 <c>rsqrt</c>: the reference's correctly rounded routine, per lane.</summary>
internal struct RsqrtF64Op : IUnaryOp<double>
{
    public static bool Vectorized => false;
    public static double Scalar(double x) => ScalarMath.Rsqrt(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, double> => throw new NotSupportedException();
}

using VM = ArrayLang.Backends.Cpu.VectorMath;

namespace ArrayLang.Backends.Cpu.Ops;

// Note [vector math adapter]: the fast vectorized exp, log, sin, ... live in VectorMath/, written
// and tested separately (error bounds in ulps; the Vector512 and scalar forms of a function give
// the same bits). This file is the one place the CPU backend calls them: each function is an
// operation struct for SpanDrivers' tile loops (vectors over the bulk of a tile, the scalar form
// on the tail), so switching implementation is an edit here and nowhere else. The structs call
// VectorMath's kernels per vector directly: its span functions were measured 2-3x slower on
// 512-element tiles than a loop over its Vector512 functions. VectorMathBridge maps the backend's
// lanes of each width (Note [vector widths]) to VectorMath's lanes of the same width.

/// <summary>
/// Marks the operation structs backed by VectorMath, whose kernels are large: a register loop
/// takes at most <see cref="Tiles.RegisterKernel.MaxVectorMathCalls"/> of them (Note [register kernels]).
/// </summary>
internal interface IVectorMathOp;

internal struct ExpF32 : IUnaryOp<float>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static float Scalar(float x) => VM.Exp(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, float> => VectorMathBridge.UnaryF32<TV, VM.ExpF32>(x);
}

internal struct ExpF64 : IUnaryOp<double>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static double Scalar(double x) => VM.Exp(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, double> => VectorMathBridge.UnaryF64<TV, VM.ExpF64>(x);
}

internal struct LogF32 : IUnaryOp<float>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static float Scalar(float x) => VM.Log(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, float> => VectorMathBridge.UnaryF32<TV, VM.LogF32>(x);
}

internal struct LogF64 : IUnaryOp<double>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static double Scalar(double x) => VM.Log(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, double> => VectorMathBridge.UnaryF64<TV, VM.LogF64>(x);
}

internal struct Log1pF32 : IUnaryOp<float>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static float Scalar(float x) => VM.Log1p(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, float> => VectorMathBridge.UnaryF32<TV, VM.Log1pF32>(x);
}

internal struct Log1pF64 : IUnaryOp<double>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static double Scalar(double x) => VM.Log1p(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, double> => VectorMathBridge.UnaryF64<TV, VM.Log1pF64>(x);
}

internal struct Expm1F32 : IUnaryOp<float>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static float Scalar(float x) => VM.Expm1(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, float> => VectorMathBridge.UnaryF32<TV, VM.Expm1F32>(x);
}

internal struct Expm1F64 : IUnaryOp<double>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static double Scalar(double x) => VM.Expm1(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, double> => VectorMathBridge.UnaryF64<TV, VM.Expm1F64>(x);
}

internal struct SinF32 : IUnaryOp<float>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static float Scalar(float x) => VM.Sin(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, float> => VectorMathBridge.UnaryF32<TV, VM.SinF32>(x);
}

internal struct SinF64 : IUnaryOp<double>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static double Scalar(double x) => VM.Sin(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, double> => VectorMathBridge.UnaryF64<TV, VM.SinF64>(x);
}

internal struct CosF32 : IUnaryOp<float>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static float Scalar(float x) => VM.Cos(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, float> => VectorMathBridge.UnaryF32<TV, VM.CosF32>(x);
}

internal struct CosF64 : IUnaryOp<double>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static double Scalar(double x) => VM.Cos(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, double> => VectorMathBridge.UnaryF64<TV, VM.CosF64>(x);
}

internal struct TanF32 : IUnaryOp<float>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static float Scalar(float x) => VM.Tan(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, float> => VectorMathBridge.UnaryF32<TV, VM.TanF32>(x);
}

internal struct TanF64 : IUnaryOp<double>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static double Scalar(double x) => VM.Tan(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, double> => VectorMathBridge.UnaryF64<TV, VM.TanF64>(x);
}

internal struct TanhF32 : IUnaryOp<float>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static float Scalar(float x) => VM.Tanh(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, float> => VectorMathBridge.UnaryF32<TV, VM.TanhF32>(x);
}

internal struct TanhF64 : IUnaryOp<double>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static double Scalar(double x) => VM.Tanh(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, double> => VectorMathBridge.UnaryF64<TV, VM.TanhF64>(x);
}

internal struct LogisticF32 : IUnaryOp<float>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static float Scalar(float x) => VM.Logistic(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, float> => VectorMathBridge.UnaryF32<TV, VM.LogisticF32>(x);
}

internal struct LogisticF64 : IUnaryOp<double>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static double Scalar(double x) => VM.Logistic(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, double> => VectorMathBridge.UnaryF64<TV, VM.LogisticF64>(x);
}

internal struct ErfF32 : IUnaryOp<float>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static float Scalar(float x) => VM.Erf(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, float> => VectorMathBridge.UnaryF32<TV, VM.ErfF32>(x);
}

internal struct ErfF64 : IUnaryOp<double>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static double Scalar(double x) => VM.Erf(x);
    public static TV Vector<TV>(TV x) where TV : struct, IVectorLanes<TV, double> => VectorMathBridge.UnaryF64<TV, VM.ErfF64>(x);
}

internal struct PowF32 : IBinaryOp<float>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static float Scalar(float x, float y) => VM.Pow(x, y);
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, float> => VectorMathBridge.BinaryF32<TV, VM.PowF32>(x, y);
}

internal struct PowF64 : IBinaryOp<double>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static double Scalar(double x, double y) => VM.Pow(x, y);
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, double> => VectorMathBridge.BinaryF64<TV, VM.PowF64>(x, y);
}

internal struct Atan2F32 : IBinaryOp<float>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static float Scalar(float x, float y) => VM.Atan2(x, y);
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, float> => VectorMathBridge.BinaryF32<TV, VM.Atan2F32>(x, y);
}

internal struct Atan2F64 : IBinaryOp<double>, IVectorMathOp
{
    public static bool Vectorized => true;
    public static double Scalar(double x, double y) => VM.Atan2(x, y);
    public static TV Vector<TV>(TV x, TV y) where TV : struct, IVectorLanes<TV, double> => VectorMathBridge.BinaryF64<TV, VM.Atan2F64>(x, y);
}

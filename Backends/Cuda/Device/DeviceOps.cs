using ILGPU;

namespace ArrayLang.Backends.Cuda.Device;

/// <summary>
/// The scalar semantics of IR.md's elementwise primitives as plain static methods that ILGPU
/// compiles into device code (PTX, or the CPU accelerator's IL): the emitted kernels call them
/// (Note [device scalar ops]). Each gives the reference evaluator's bits: i32 wraps, integer
/// division by zero gives 0 (remainder x), float-to-int conversion saturates with NaN to 0,
/// round is half away from zero, max/min propagate NaN and order -0 below +0. Bools are i32 0/1
/// on the evaluation stack and one byte in memory.
/// </summary>
/// <remarks>
/// Note [device scalar ops]: a method here may only use what ILGPU can compile for PTX: arithmetic,
/// comparisons, branches, <see cref="Math"/> functions ILGPU maps to PTX instructions (sqrt,
/// floor, ceiling, truncate, abs) and <see cref="Interop"/>'s bit casts. No exceptions, no
/// BCL transcendental (plain ILGPU cannot compile <c>MathF.Exp</c> for PTX; DeviceMath has our own).
/// The offline PTX test compiles every kernel the conformance suite emits for sm_90 to hold this.
/// </remarks>
public static class DeviceOps
{
    /// <summary>Whether x is NaN.</summary>
    public static bool IsNaN(float x) => float.IsNaN(x);

    /// <summary>Whether x is NaN.</summary>
    public static bool IsNaN(double x) => double.IsNaN(x);

    // ---- i32 ----

    /// <summary>i32 division truncating toward zero; by zero gives 0, INT_MIN / -1 wraps.</summary>
    public static int DivI32(int x, int y) => y == 0 ? 0 : y == -1 ? unchecked(-x) : x / y;

    /// <summary>i32 remainder with the dividend's sign; by zero gives x, by -1 gives 0.</summary>
    public static int RemI32(int x, int y) => y == 0 ? x : y == -1 ? 0 : x % y;

    /// <summary>|x| wrapping (|INT_MIN| = INT_MIN).</summary>
    public static int AbsI32(int x) => x < 0 ? unchecked(-x) : x;

    /// <summary>-1, 0 or 1.</summary>
    public static int SignI32(int x) => x > 0 ? 1 : x < 0 ? -1 : 0;

    /// <summary>The larger.</summary>
    public static int MaxI32(int x, int y) => x > y ? x : y;

    /// <summary>The smaller.</summary>
    public static int MinI32(int x, int y) => x < y ? x : y;

    /// <summary>Clamps into [lo, hi] (lo &lt;= hi).</summary>
    public static int Clamp(int x, int lo, int hi) => x < lo ? lo : x > hi ? hi : x;

    // ---- f32 ----

    /// <summary>IEEE 754-2019 maximum: NaN propagates, max(-0, +0) = +0.</summary>
    public static float MaxF32(float x, float y) =>
        IsNaN(x) ? x : IsNaN(y) ? y : x == y ? (IsNegativeF32(x) ? y : x) : x > y ? x : y;

    /// <summary>IEEE 754-2019 minimum: NaN propagates, min(-0, +0) = -0.</summary>
    public static float MinF32(float x, float y) =>
        IsNaN(x) ? x : IsNaN(y) ? y : x == y ? (IsNegativeF32(x) ? x : y) : x < y ? x : y;

    /// <summary>Whether the sign bit is set.</summary>
    public static bool IsNegativeF32(float x) => (int)Interop.FloatAsInt(x) < 0;

    /// <summary>|x| by clearing the sign bit.</summary>
    public static float AbsF32(float x) => Interop.IntAsFloat(Interop.FloatAsInt(x) & 0x7FFFFFFFu);

    /// <summary>1, -1, or x itself for zeros and NaN.</summary>
    public static float SignF32(float x) => x > 0f ? 1f : x < 0f ? -1f : x;

    /// <summary>Rounds down.</summary>
    public static float FloorF32(float x) => (float)Math.Floor(x);

    /// <summary>Rounds up.</summary>
    public static float CeilF32(float x) => (float)Math.Ceiling(x);

    /// <summary>Rounds half away from zero, keeping the sign of zero.</summary>
    public static float RoundF32(float x)
    {
        if (IsNaN(x) || AbsF32(x) >= 8388608f) return x; // NaN, infinities and integers beyond 2^23
        float t = (float)TruncateF64(x);
        float r = AbsF32(x - t) >= 0.5f ? t + (x < 0f ? -1f : 1f) : t;
        return r == 0f ? CopySignF32(0f, x) : r;
    }

    /// <summary>|x| with the sign of s.</summary>
    public static float CopySignF32(float x, float s) =>
        Interop.IntAsFloat((Interop.FloatAsInt(x) & 0x7FFFFFFFu) | (Interop.FloatAsInt(s) & 0x80000000u));

    /// <summary>Square root, correctly rounded.</summary>
    public static float SqrtF32(float x) => (float)Math.Sqrt(x);

    /// <summary>1 / sqrt(x) in double, rounded once to float.</summary>
    public static float RsqrtF32(float x) => (float)(1.0 / Math.Sqrt(x));

    /// <summary>C's fmod: the remainder with the dividend's sign (exact), through double.</summary>
    public static float RemF32(float x, float y) => (float)RemF64(x, y);

    /// <summary>Whether x is neither infinite nor NaN.</summary>
    public static bool IsFiniteF32(float x) => (Interop.FloatAsInt(x) & 0x7F800000u) != 0x7F800000u;

    /// <summary>Saturating conversion to i32 (NaN gives 0).</summary>
    public static int F32ToI32(float x) => F64ToI32(x);

    // ---- f64 ----

    /// <summary>IEEE 754-2019 maximum: NaN propagates, max(-0, +0) = +0.</summary>
    public static double MaxF64(double x, double y) =>
        IsNaN(x) ? x : IsNaN(y) ? y : x == y ? (IsNegativeF64(x) ? y : x) : x > y ? x : y;

    /// <summary>IEEE 754-2019 minimum: NaN propagates, min(-0, +0) = -0.</summary>
    public static double MinF64(double x, double y) =>
        IsNaN(x) ? x : IsNaN(y) ? y : x == y ? (IsNegativeF64(x) ? x : y) : x < y ? x : y;

    /// <summary>Whether the sign bit is set.</summary>
    public static bool IsNegativeF64(double x) => (long)Interop.FloatAsInt(x) < 0;

    /// <summary>|x| by clearing the sign bit.</summary>
    public static double AbsF64(double x) => Interop.IntAsFloat(Interop.FloatAsInt(x) & 0x7FFFFFFFFFFFFFFFul);

    /// <summary>1, -1, or x itself for zeros and NaN.</summary>
    public static double SignF64(double x) => x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : x;

    /// <summary>Rounds down.</summary>
    public static double FloorF64(double x) => Math.Floor(x);

    /// <summary>Rounds up.</summary>
    public static double CeilF64(double x) => Math.Ceiling(x);

    /// <summary>Rounds half away from zero, keeping the sign of zero.</summary>
    public static double RoundF64(double x)
    {
        if (IsNaN(x) || AbsF64(x) >= 4503599627370496.0) return x;
        double t = TruncateF64(x);
        double r = AbsF64(x - t) >= 0.5 ? t + (x < 0.0 ? -1.0 : 1.0) : t;
        return r == 0.0 ? CopySignF64(0.0, x) : r;
    }

    /// <summary>Rounds toward zero (ILGPU 1.5.3 compiles Math.Truncate to an undefined external ModF for PTX, so floor and ceiling do it).</summary>
    public static double TruncateF64(double x) => x < 0.0 ? Math.Ceiling(x) : Math.Floor(x);

    /// <summary>|x| with the sign of s.</summary>
    public static double CopySignF64(double x, double s) =>
        Interop.IntAsFloat((Interop.FloatAsInt(x) & 0x7FFFFFFFFFFFFFFFul) | (Interop.FloatAsInt(s) & 0x8000000000000000ul));

    /// <summary>Square root, correctly rounded.</summary>
    public static double SqrtF64(double x) => Math.Sqrt(x);

    /// <summary>
    /// 1 / sqrt(x) rounded once: the quotient refined by one Newton step whose residual
    /// 1 - x y^2 is computed with fused multiply-adds (exact products), as the reference does in
    /// double-double; extreme inputs are scaled by powers of 4 first.
    /// </summary>
    public static double RsqrtF64(double x)
    {
        if (IsNaN(x) || x < 0.0) return double.NaN;
        if (x == 0.0) return 1.0 / x;
        if (x > double.MaxValue) return 0.0;
        double scale = 1.0;
        if (x < 1e-290) { x *= 1.6069380442589903e60; scale = 1.2676506002282294e30; }      // 2^200, 2^100
        else if (x > 1e290) { x *= 6.223015277861142e-61; scale = 7.888609052210118e-31; } // 2^-200, 2^-100
        double y = 1.0 / Math.Sqrt(x);
        double yy = y * y, yyLo = Math.FusedMultiplyAdd(y, y, -yy);
        double p = yy * x, pLo = Math.FusedMultiplyAdd(yy, x, -p) + yyLo * x;
        double residual = (1.0 - p) - pLo;
        return (y + y * residual * 0.5) * scale;
    }

    /// <summary>C's fmod: x - trunc(x / y) y computed exactly (remainders are exact in binary floating point).</summary>
    public static double RemF64(double x, double y)
    {
        if (IsNaN(x) || IsNaN(y) || !IsFiniteF64(x) || y == 0.0) return double.NaN;
        if (!IsFiniteF64(y)) return x;
        double ax = AbsF64(x), ay = AbsF64(y);
        if (ax < ay) return x;
        // Long division on the exponents: subtract ay scaled by the largest power of two that fits.
        double r = ax;
        while (r >= ay)
        {
            double d = ay;
            while (d <= r * 0.5) d *= 2.0;
            r -= d;
        }
        return CopySignF64(r, x);
    }

    /// <summary>Whether x is neither infinite nor NaN.</summary>
    public static bool IsFiniteF64(double x) => (Interop.FloatAsInt(x) & 0x7FF0000000000000ul) != 0x7FF0000000000000ul;

    /// <summary>Saturating conversion to i32 (NaN gives 0).</summary>
    public static int F64ToI32(double x)
    {
        if (IsNaN(x)) return 0;
        double t = TruncateF64(x);
        if (t >= 2147483647.0) return int.MaxValue;
        if (t <= -2147483648.0) return int.MinValue;
        return (int)t;
    }

    // ---- conversions the IL cannot do in one opcode ----

    /// <summary>f64 to f32, rounded to nearest even.</summary>
    public static float F64ToF32(double x) => (float)x;

    /// <summary>i32 to f32, rounded to nearest even.</summary>
    public static float I32ToF32(int x) => x;

    /// <summary>i32 to f64, exact.</summary>
    public static double I32ToF64(int x) => x;

    // ---- reductions ----

    /// <summary>a b + c rounded once (a contraction's term, Note [tiled contraction]).</summary>
    public static float FmaF32(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

    /// <summary>a b + c rounded once (a contraction's term, Note [tiled contraction]).</summary>
    public static double FmaF64(double a, double b, double c) => Math.FusedMultiplyAdd(a, b, c);

    /// <summary>
    /// A compensated (Kahan-Babuska) sum in double, the reference evaluator's CompensatedSum:
    /// f32 and f64 sums accumulate here and round once at the end.
    /// </summary>
    public struct Sum
    {
        /// <summary>The running sum.</summary>
        public double S;
        /// <summary>The accumulated rounding error.</summary>
        public double E;
        /// <summary>Whether a term was added.</summary>
        public int Started;
    }

    /// <summary>Adds x to the compensated sum.</summary>
    public static Sum SumAdd(Sum a, double x)
    {
        if (a.Started == 0) { a.S = x; a.Started = 1; return a; }
        double t = a.S + x;
        double z = t - a.S;
        a.E += (a.S - (t - z)) + (x - z);
        a.S = t;
        return a;
    }

    /// <summary>Adds the exact product a b (its rounding error kept through a fused multiply-add).</summary>
    public static Sum SumAddProduct(Sum s, double a, double b)
    {
        double p = a * b;
        double e = Math.FusedMultiplyAdd(a, b, -p);
        s = SumAdd(s, p);
        s.E += e;
        return s;
    }

    /// <summary>Both sums combined: a's terms, then b's (a block reduction's partials, Note [block reductions]).</summary>
    public static Sum SumMerge(Sum a, Sum b)
    {
        if (b.Started == 0) return a;
        if (a.Started == 0) return b;
        var s = SumAdd(a, b.S);
        s.E += b.E;
        return s;
    }

    /// <summary>The sum, its error folded in while finite.</summary>
    public static double SumResult(Sum a) => a.Started == 0 ? 0.0 : IsFiniteF64(a.S) && a.E != 0.0 ? a.S + a.E : a.S;

    /// <summary>The empty sum.</summary>
    public static Sum SumZero() => default;

    /// <summary>The reduction's max: the accumulator's NaN first, then the term's; max(-0, +0) = +0.</summary>
    public static double ReduceMax(double acc, double x) =>
        IsNaN(acc) ? acc : IsNaN(x) ? x : acc == x ? (IsNegativeF64(acc) ? x : acc) : acc > x ? acc : x;

    /// <summary>The reduction's min: the accumulator's NaN first, then the term's; min(-0, +0) = -0.</summary>
    public static double ReduceMin(double acc, double x) =>
        IsNaN(acc) ? acc : IsNaN(x) ? x : acc == x ? (IsNegativeF64(acc) ? acc : x) : acc < x ? acc : x;
}

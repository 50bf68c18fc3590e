using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ArrayLang.Backends.Cpu;

// Note [sin cos tan]
// ~~~~~~~~~~~~~~~~~~
// After the reduction (Note [trig reduction]), with z = r^2 on |r| <= pi/4:
//   sin r = r + r^3 (s1 + s2 z + s3 z^2)          relative error 2^-26.9 (float coefficients)
//   cos r = 1 - z/2 + z^2 (c1 + c2 z + c3 z^2)     relative error 2^-32.4
//   tan r = r + r^3 (t1 + ... + t7 z^6)            relative error 2^-27.5
// all minimax fits (Remez, weighted by the relative error). sin picks by q: sin r, cos r, -sin r,
// -cos r; cos: cos r, -sin r, -cos r, sin r; tan: tan r for even q, -1/tan r for odd q (large
// but finite near pi/2: no float is a multiple of pi/2). The reduced argument is r + rLo: rLo is
// the part of |x| - q pi/2 below r's last bit, zero on sin's and cos's fast path (their error is
// below an ulp without it) but kept by tan, whose odd quadrants turn r's relative error straight
// into the result's (-1/r near a pole), and by every Payne-Hanek lane. tan's odd quadrants divide
// once and refine with the division's exact residual, so -1/(t + tLo) rounds about once. sin and tan are odd, computed on |x| with
// x's sign put back last, so sin(-0) = -0 and tan(-0) = -0; an infinite or NaN x gives NaN.

public static partial class VectorMath
{
    /// <summary>
    /// q = round(|x| 2/pi) and r + rLo = |x| - q pi/2 per lane, Note [trig reduction]. With
    /// <paramref name="precise"/> (a constant, so the JIT keeps one branch) the Cody-Waite steps
    /// after the first are exact (TwoProduct and TwoSum) and rLo carries their error; otherwise rLo
    /// is zero except on lanes reduced by Payne-Hanek.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TV Q, TV R, TV RLo) ReduceQuadrant<TV>(TV a, bool precise) where TV : struct, IF32Lanes<TV>
    {
        var q = TV.Round(a * TV.Splat(TrigReduction.TwoOverPi));
        var r1 = TV.Fma(q, TV.Splat(-TrigReduction.P1), a); // exact
        TV r, rLo;
        if (precise)
        {
            // r1 - q P2 - q P3 with q P2 split exactly into th + tl and r1 - th summed exactly into r + e.
            var th = q * TV.Splat(-TrigReduction.P2);
            var tl = TV.Fma(q, TV.Splat(-TrigReduction.P2), -th);
            r = r1 + th;
            var bb = r - r1;
            var e = (r1 - (r - bb)) + (th - bb);
            rLo = TV.Fma(q, TV.Splat(-TrigReduction.P3), e + tl);
        }
        else
        {
            r = TV.Fma(q, TV.Splat(-TrigReduction.P2), r1);
            r = TV.Fma(q, TV.Splat(-TrigReduction.P3), r);
            rLo = TV.Splat(0f);
        }
        // Infinite and NaN lanes may enter too; they are left alone there and give NaN.
        // (By value, not by ref: a ref would keep q, r and rLo in memory on the fast path too.)
        if (TV.AnyTrue(TV.GreaterThanOrEqual(a, TV.Splat(TrigReduction.Limit)))) return ReduceHugeLanes(a, q, r, rLo);
        return (q, r, rLo);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (TV Q, TV R, TV RLo) ReduceHugeLanes<TV>(TV a, TV q, TV r, TV rLo) where TV : struct, IF32Lanes<TV>
    {
        for (int i = 0; i < TV.Count; i++)
        {
            float lane = TV.GetLane(a, i);
            if (!(lane >= TrigReduction.Limit && float.IsFinite(lane))) continue;
            var (quadrant, reduced) = TrigReduction.ReduceHuge(lane);
            float hi = (float)reduced;
            q = TV.WithLane(q, i, quadrant);
            r = TV.WithLane(r, i, hi);
            rLo = TV.WithLane(rLo, i, (float)(reduced - hi));
        }
        return (q, r, rLo);
    }

    /// <summary>sin(r + rLo) for |r| &lt;= pi/4, z = r^2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV SinPoly<TV>(TV r, TV rLo, TV z) where TV : struct, IF32Lanes<TV> =>
        r + TV.Fma(Horner(z, -0.166666538f, 0.00833215099f, -0.000195139801f) * z, r, rLo);

    /// <summary>cos(r + rLo) for |r| &lt;= pi/4, z = r^2: the z/2 term uses (r + rLo)^2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV CosPoly<TV>(TV r, TV rLo, TV z) where TV : struct, IF32Lanes<TV>
    {
        var t = TV.Fma(Horner(z, 0.0416666456f, -0.00138873036f, 2.44316689e-05f), z, TV.Splat(-0.5f));
        return TV.Fma(t, TV.Fma(r + r, rLo, z), TV.Splat(1f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV IsOdd<TV>(TV qi) where TV : struct, IF32Lanes<TV> =>
        TV.EqualInt(qi & TV.SplatBits(1), TV.SplatBits(1));

    /// <summary>Sine per lane, Note [sin cos tan].</summary>
    internal struct SinF32 : IUnaryF32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, IF32Lanes<TV>
        {
            var (q, r, rLo) = ReduceQuadrant(TV.Abs(x), precise: false);
            var z = r * r;
            var qi = TV.ConvertToInt(q);
            var result = TV.Select(IsOdd(qi), CosPoly(r, rLo, z), SinPoly(r, rLo, z));
            // Quadrants 2 and 3 negate (bit 1 of q moves to the sign bit), and sin is odd.
            return result ^ ((TV.ShiftLeftInt(qi, 30) ^ x) & TV.SplatBits(int.MinValue));
        }
    }

    /// <summary>Cosine per lane, Note [sin cos tan].</summary>
    internal struct CosF32 : IUnaryF32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, IF32Lanes<TV>
        {
            var (q, r, rLo) = ReduceQuadrant(TV.Abs(x), precise: false);
            var z = r * r;
            var qi = TV.ConvertToInt(q);
            var result = TV.Select(IsOdd(qi), SinPoly(r, rLo, z), CosPoly(r, rLo, z));
            // Quadrants 1 and 2 negate: bit 1 of q + 1.
            var sign = TV.ShiftLeftInt(TV.AddInt(qi, TV.SplatBits(1)), 30) & TV.SplatBits(int.MinValue);
            return result ^ sign;
        }
    }

    /// <summary>Tangent per lane, Note [sin cos tan].</summary>
    internal struct TanF32 : IUnaryF32
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Apply<TV>(TV x) where TV : struct, IF32Lanes<TV>
        {
            var (q, r, rLo) = ReduceQuadrant(TV.Abs(x), precise: true);
            var z = r * r;
            var p = Horner(z, 0.333333492f, 0.133326441f, 0.0540622249f, 0.0212698858f, 0.0108686397f, 4.67791833e-05f, 0.00439790916f) * z;
            // tan(r + rLo) = tan r + rLo (1 + tan^2 r), with 1 + tan^2 r = 1 + z + 2z^2/3 + ...
            var inner = TV.Fma(p, r, rLo * TV.Fma(z, TV.Fma(z, TV.Splat(0.666666687f), TV.Splat(1f)), TV.Splat(1f)));
            var t = r + inner;
            var tLo = (r - t) + inner;
            // Odd quadrants: -1/(t + tLo), one division refined by its exact residual.
            var y = TV.Splat(-1f) / t;
            var residual = TV.Fma(y, t, TV.Splat(1f)) + y * tLo;
            var qi = TV.ConvertToInt(q);
            var result = TV.Select(IsOdd(qi), TV.Fma(y, residual, y), t);
            return result ^ SignBit(x);
        }
    }
}

public static partial class VectorMath
{
    /// <summary>
    /// Sine of each of 16 lanes (radians). Error at most BOUND_SIN for every float; arguments at or
    /// beyond 2^17 are reduced exactly (Payne-Hanek, Note [trig reduction]). <c>sin(±0) = ±0</c>,
    /// infinities and NaN give NaN.
    /// </summary>
    public static Vector512<float> Sin(Vector512<float> x) => SinF32.Apply(new F32x16(x)).V;

    /// <summary>Sine of each of 8 lanes; the same bits as <see cref="Sin(Vector512{float})"/> per lane.</summary>
    public static Vector256<float> Sin(Vector256<float> x) => SinF32.Apply(new F32x8(x)).V;

    /// <summary>Sine of one float; the same bits as a lane of <see cref="Sin(Vector512{float})"/>.</summary>
    public static float Sin(float x) => F32x4.GetLane(SinF32.Apply(F32x4.Splat(x)), 0);

    /// <summary>Sine of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Sin(ReadOnlySpan<float> x, Span<float> result) => Map<SinF32>(x, result);

    /// <summary>
    /// Cosine of each of 16 lanes (radians). Error at most BOUND_COS for every float (reduction as
    /// for <see cref="Sin(Vector512{float})"/>). <c>cos(±0) = 1</c>, infinities and NaN give NaN.
    /// </summary>
    public static Vector512<float> Cos(Vector512<float> x) => CosF32.Apply(new F32x16(x)).V;

    /// <summary>Cosine of each of 8 lanes; the same bits as <see cref="Cos(Vector512{float})"/> per lane.</summary>
    public static Vector256<float> Cos(Vector256<float> x) => CosF32.Apply(new F32x8(x)).V;

    /// <summary>Cosine of one float; the same bits as a lane of <see cref="Cos(Vector512{float})"/>.</summary>
    public static float Cos(float x) => F32x4.GetLane(CosF32.Apply(F32x4.Splat(x)), 0);

    /// <summary>Cosine of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Cos(ReadOnlySpan<float> x, Span<float> result) => Map<CosF32>(x, result);

    /// <summary>
    /// Tangent of each of 16 lanes (radians). Error at most BOUND_TAN for every float; near odd
    /// multiples of pi/2 the result is large but finite. <c>tan(±0) = ±0</c>, infinities and NaN give NaN.
    /// </summary>
    public static Vector512<float> Tan(Vector512<float> x) => TanF32.Apply(new F32x16(x)).V;

    /// <summary>Tangent of each of 8 lanes; the same bits as <see cref="Tan(Vector512{float})"/> per lane.</summary>
    public static Vector256<float> Tan(Vector256<float> x) => TanF32.Apply(new F32x8(x)).V;

    /// <summary>Tangent of one float; the same bits as a lane of <see cref="Tan(Vector512{float})"/>.</summary>
    public static float Tan(float x) => F32x4.GetLane(TanF32.Apply(F32x4.Splat(x)), 0);

    /// <summary>Tangent of every element of <paramref name="x"/> into <paramref name="result"/> (same length; may be <paramref name="x"/>).</summary>
    public static void Tan(ReadOnlySpan<float> x, Span<float> result) => Map<TanF32>(x, result);
}

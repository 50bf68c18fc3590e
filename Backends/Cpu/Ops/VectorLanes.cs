using System.Runtime.Intrinsics;

namespace ArrayLang.Backends.Cpu.Ops;

// Note [vector widths]
// ~~~~~~~~~~~~~~~~~~~~
// Every vectorized routine of the CPU backend (the operation structs' vector forms, the tile
// loops, the register kernels, reductions and the matrix product) is written once, generic over a
// lanes type that implements IVectorLanes: Lanes512 (AVX-512), Lanes256 (AVX2) or Lanes128 (SSE,
// Arm NEON), each a one-field struct around the .NET vector of that width. The JIT specializes a
// generic method per struct type argument, so the wrapper costs nothing, as for VectorMath's lanes
// (Note [one kernel, every width]). The width is chosen at run time: the widest the hardware
// accelerates (VectorWidth.Bits); DOTNET_EnableAVX512=0 or DOTNET_EnableAVX2=0 select the
// narrower ones on an AVX-512 machine, which is how CI tests them.
//
// Results do not depend on the width. Elementwise code performs the same IEEE operation on each
// lane whatever the vector length, so its bits are the same. Reductions keep one association for
// every width: partial results per 64-byte block position (16 f32 or 8 f64 lanes, held in one
// 512-bit vector, two 256-bit or four 128-bit ones), combined lane by lane in order at the end
// (SpanReductions). The matrix product accumulates each element in order of the contraction
// index whatever its blocking (Note [gemm]).

/// <summary>
/// The lane operations of one vector width on elements of <typeparamref name="T"/> (Note [vector
/// widths]). A mask is a vector whose lanes are all ones (true) or all zeros (false), as
/// comparisons return. Float-only operations (<c>Sqrt</c>, <c>Floor</c>, <c>FusedMultiplyAdd</c>, ...)
/// are defined for <c>float</c> and <c>double</c> lanes only.
/// </summary>
internal interface IVectorLanes<TSelf, T> where TSelf : struct, IVectorLanes<TSelf, T> where T : unmanaged
{
    /// <summary>Number of lanes.</summary>
    static abstract int Count { get; }
    /// <summary>Whether the hardware runs this width natively (otherwise .NET emulates it, slowly but with the same results).</summary>
    static abstract bool IsHardwareAccelerated { get; }
    /// <summary>Every lane zero.</summary>
    static abstract TSelf Zero { get; }
    /// <summary>Every lane one.</summary>
    static abstract TSelf One { get; }
    /// <summary>Every bit set (the all-true mask).</summary>
    static abstract TSelf AllBitsSet { get; }

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TSelf Splat(T value);
    /// <summary>Loads <see cref="Count"/> lanes from <paramref name="source"/> at element <paramref name="index"/>.</summary>
    static abstract TSelf Load(ref T source, nuint index);
    /// <summary>Stores the lanes to <paramref name="destination"/> at element <paramref name="index"/>.</summary>
    static abstract void Store(TSelf value, ref T destination, nuint index);
    /// <summary>Lane <paramref name="index"/>.</summary>
    static abstract T GetElement(TSelf value, int index);

    /// <summary>Lane-wise sum (integers wrap).</summary>
    static abstract TSelf operator +(TSelf a, TSelf b);
    /// <summary>Lane-wise difference.</summary>
    static abstract TSelf operator -(TSelf a, TSelf b);
    /// <summary>Lane-wise product.</summary>
    static abstract TSelf operator *(TSelf a, TSelf b);
    /// <summary>Lane-wise quotient (floats).</summary>
    static abstract TSelf operator /(TSelf a, TSelf b);
    /// <summary>Lane-wise negation.</summary>
    static abstract TSelf operator -(TSelf a);
    /// <summary>Bitwise and.</summary>
    static abstract TSelf operator &(TSelf a, TSelf b);
    /// <summary>Bitwise or.</summary>
    static abstract TSelf operator |(TSelf a, TSelf b);
    /// <summary>Bitwise exclusive or.</summary>
    static abstract TSelf operator ^(TSelf a, TSelf b);
    /// <summary>Bitwise complement.</summary>
    static abstract TSelf operator ~(TSelf a);

    /// <summary>IEEE 754-2019 maximum for floats (NaN propagates, -0 &lt; +0); the larger integer.</summary>
    static abstract TSelf Max(TSelf a, TSelf b);
    /// <summary>IEEE 754-2019 minimum for floats; the smaller integer.</summary>
    static abstract TSelf Min(TSelf a, TSelf b);
    /// <summary>Absolute value (floats clear the sign bit; integers wrap at the minimum).</summary>
    static abstract TSelf Abs(TSelf a);
    /// <summary>Correctly rounded square root.</summary>
    static abstract TSelf Sqrt(TSelf a);
    /// <summary>Rounds toward negative infinity.</summary>
    static abstract TSelf Floor(TSelf a);
    /// <summary>Rounds toward positive infinity.</summary>
    static abstract TSelf Ceiling(TSelf a);
    /// <summary>Rounds toward zero.</summary>
    static abstract TSelf Truncate(TSelf a);
    /// <summary>The magnitude of <paramref name="value"/> with the sign of <paramref name="sign"/>.</summary>
    static abstract TSelf CopySign(TSelf value, TSelf sign);
    /// <summary><c>a * b + c</c> rounded once.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>Per lane, <paramref name="ifTrue"/> where <paramref name="mask"/> is set, else <paramref name="ifFalse"/>.</summary>
    static abstract TSelf ConditionalSelect(TSelf mask, TSelf ifTrue, TSelf ifFalse);
    /// <summary>Lane-wise <c>a == b</c> as a mask.</summary>
    static abstract TSelf Equals(TSelf a, TSelf b);
    /// <summary>Lane-wise <c>a &lt; b</c> as a mask.</summary>
    static abstract TSelf LessThan(TSelf a, TSelf b);
    /// <summary>Lane-wise <c>a &lt;= b</c> as a mask.</summary>
    static abstract TSelf LessThanOrEqual(TSelf a, TSelf b);
    /// <summary>Lane-wise <c>a &gt; b</c> as a mask.</summary>
    static abstract TSelf GreaterThan(TSelf a, TSelf b);
    /// <summary>Lane-wise <c>a &gt;= b</c> as a mask.</summary>
    static abstract TSelf GreaterThanOrEqual(TSelf a, TSelf b);
    /// <summary>Whether no bit of the mask is set.</summary>
    static abstract bool None(TSelf mask);
    /// <summary>Whether every bit of the mask is set.</summary>
    static abstract bool All(TSelf mask);

    /// <summary>
    /// Four masks of 4-byte lanes narrowed to <c>4 * Count</c> bool bytes (0 or 1) stored at
    /// <paramref name="destination"/> + <paramref name="index"/>, <paramref name="m0"/>'s lanes first.
    /// </summary>
    static abstract void StoreMaskBytes(TSelf m0, TSelf m1, TSelf m2, TSelf m3, ref byte destination, nuint index);

    /// <summary><see cref="Count"/> bool bytes at <paramref name="source"/> + <paramref name="index"/> widened to a mask of 4-byte lanes (set where the byte is not 0).</summary>
    static abstract TSelf MaskFromBytes(ref byte source, nuint index);
}

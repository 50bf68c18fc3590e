using System.Runtime.Intrinsics;

namespace ArrayLang.Backends.Cpu;

// Note [one kernel, every width]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// Every function of VectorMath is written once, as a generic kernel over the lanes interfaces
// below, and instantiated for Vector512 (F32x16, F64x8), Vector256 (F32x8, F64x4) and Vector128
// (F32x4, F64x2). The JIT specializes a generic method per struct type argument, so the wrapper
// structs cost nothing (the instantiation compiles to the same instructions as hand-written
// Vector512 code). The scalar entry points run the Vector128 instantiation on a broadcast value and
// read lane 0, and the span entry points run the tail through a padded full-width block.
//
// This is what makes results independent of alignment and tiling: every instantiation performs
// the same IEEE operations (add, multiply, fused multiply-add, divide, exact conversions and bit
// operations, each correctly rounded or exact) in the same order on each lane, so lane i of the
// 16-wide result is bit-identical to the scalar result for the same input. Kernels never use
// approximate instructions (reciprocal estimates) and never let one lane's value depend on
// another's.
//
// Note [lane independence of rare paths]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// Some kernels branch on "any lane needs the slow path" (huge sin arguments, log of subnormals or
// specials, pow special cases). Which branch runs then depends on the *other* lanes of the vector,
// so a slow path must give exactly the fast path's bits on every lane the fast path handles: it
// only adds selects whose masks are false on those lanes, or recomputes them with the very same
// operations. The tests check it by comparing mixed vectors with per-lane scalar results.

/// <summary>
/// The lane operations a float kernel needs, implemented by <see cref="F32x16"/>,
/// <see cref="F32x8"/> and <see cref="F32x4"/> (Note [one kernel, every width]). A mask is a
/// vector whose lanes are all ones (true) or all zeros (false), as comparisons return. The
/// <c>...Int</c> operations treat each lane's 32 bits as a two's-complement integer.
/// </summary>
internal interface IF32Lanes<TSelf> where TSelf : struct, IF32Lanes<TSelf>
{
    /// <summary>Number of lanes.</summary>
    static abstract int Count { get; }

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TSelf Splat(float value);

    /// <summary>Every lane set to the float whose bits are <paramref name="bits"/>.</summary>
    static abstract TSelf SplatBits(int bits);

    /// <summary>Loads <see cref="Count"/> lanes from <paramref name="source"/> at <paramref name="index"/>.</summary>
    static abstract TSelf Load(ref float source, nuint index);

    /// <summary>Stores the lanes to <paramref name="destination"/> at <paramref name="index"/>.</summary>
    static abstract void Store(TSelf value, ref float destination, nuint index);

    /// <summary>Lane <paramref name="index"/>.</summary>
    static abstract float GetLane(TSelf value, int index);

    /// <summary>A copy of <paramref name="value"/> with lane <paramref name="index"/> replaced.</summary>
    static abstract TSelf WithLane(TSelf value, int index, float lane);

    /// <summary>Lane-wise sum, rounded once.</summary>
    static abstract TSelf operator +(TSelf a, TSelf b);
    /// <summary>Lane-wise difference, rounded once.</summary>
    static abstract TSelf operator -(TSelf a, TSelf b);
    /// <summary>Lane-wise product, rounded once.</summary>
    static abstract TSelf operator *(TSelf a, TSelf b);
    /// <summary>Lane-wise quotient, rounded once (a true division, never a reciprocal estimate).</summary>
    static abstract TSelf operator /(TSelf a, TSelf b);
    /// <summary>Lane-wise negation (flips the sign bit, NaN included).</summary>
    static abstract TSelf operator -(TSelf a);

    /// <summary><c>a * b + c</c> rounded once.</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);

    /// <summary>Clears the sign bit.</summary>
    static abstract TSelf Abs(TSelf a);

    /// <summary>Rounds to the nearest integer, ties to even.</summary>
    static abstract TSelf Round(TSelf a);

    /// <summary>Rounds toward zero.</summary>
    static abstract TSelf Truncate(TSelf a);

    /// <summary>Clamps to <c>[lo, hi]</c>; a NaN lane stays NaN on every platform.</summary>
    static abstract TSelf Clamp(TSelf a, TSelf lo, TSelf hi);

    /// <summary>Lane-wise <c>a &lt; b</c> as a mask (false where either is NaN).</summary>
    static abstract TSelf LessThan(TSelf a, TSelf b);
    /// <summary>Lane-wise <c>a &lt;= b</c> as a mask.</summary>
    static abstract TSelf LessThanOrEqual(TSelf a, TSelf b);
    /// <summary>Lane-wise <c>a &gt; b</c> as a mask.</summary>
    static abstract TSelf GreaterThan(TSelf a, TSelf b);
    /// <summary>Lane-wise <c>a &gt;= b</c> as a mask.</summary>
    static abstract TSelf GreaterThanOrEqual(TSelf a, TSelf b);
    /// <summary>Lane-wise <c>a == b</c> as a mask (<c>-0 == +0</c>; NaN equals nothing).</summary>
    static abstract TSelf Equal(TSelf a, TSelf b);
    /// <summary>True where the lane is NaN.</summary>
    static abstract TSelf IsNaN(TSelf a);

    /// <summary>Per lane, <paramref name="ifTrue"/> where <paramref name="mask"/> is set, else <paramref name="ifFalse"/>.</summary>
    static abstract TSelf Select(TSelf mask, TSelf ifTrue, TSelf ifFalse);

    /// <summary>Whether any lane of the mask is set.</summary>
    static abstract bool AnyTrue(TSelf mask);

    /// <summary>Bitwise and.</summary>
    static abstract TSelf operator &(TSelf a, TSelf b);
    /// <summary>Bitwise or.</summary>
    static abstract TSelf operator |(TSelf a, TSelf b);
    /// <summary>Bitwise exclusive or.</summary>
    static abstract TSelf operator ^(TSelf a, TSelf b);
    /// <summary>Bitwise <c>a &amp; ~b</c>.</summary>
    static abstract TSelf AndNot(TSelf a, TSelf b);

    /// <summary>Integer sum of the lanes' bits.</summary>
    static abstract TSelf AddInt(TSelf a, TSelf b);
    /// <summary>Integer difference of the lanes' bits.</summary>
    static abstract TSelf SubtractInt(TSelf a, TSelf b);
    /// <summary>Integer lanes shifted left.</summary>
    static abstract TSelf ShiftLeftInt(TSelf a, int count);
    /// <summary>Integer lanes shifted right, copying the sign bit.</summary>
    static abstract TSelf ShiftRightArithmeticInt(TSelf a, int count);
    /// <summary>Integer lanes shifted right, filling with zeros.</summary>
    static abstract TSelf ShiftRightLogicalInt(TSelf a, int count);
    /// <summary>Lane-wise integer <c>a == b</c> as a mask.</summary>
    static abstract TSelf EqualInt(TSelf a, TSelf b);

    /// <summary>Float lanes converted to integer lanes, truncating; only for values known to fit in an int.</summary>
    static abstract TSelf ConvertToInt(TSelf a);
    /// <summary>Integer lanes converted to float lanes (exact below 2^24).</summary>
    static abstract TSelf ConvertFromInt(TSelf a);

    /// <summary>
    /// Per lane, <c>table[index &amp; 15]</c>, where <paramref name="index"/> holds integer lanes:
    /// a 16-entry table lookup (one permute with AVX-512).
    /// </summary>
    static abstract TSelf Lookup16(Vector512<float> table, TSelf index);
}

/// <summary>
/// The lane operations a double kernel needs, implemented by <see cref="F64x8"/>,
/// <see cref="F64x4"/> and <see cref="F64x2"/> (Note [one kernel, every width]). The
/// <c>...Long</c> operations treat each lane's 64 bits as a two's-complement integer.
/// </summary>
internal interface IF64Lanes<TSelf> where TSelf : struct, IF64Lanes<TSelf>
{
    /// <summary>Number of lanes.</summary>
    static abstract int Count { get; }
    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TSelf Splat(double value);
    /// <summary>Every lane set to the double whose bits are <paramref name="bits"/>.</summary>
    static abstract TSelf SplatBits(long bits);
    /// <summary>Loads <see cref="Count"/> lanes from <paramref name="source"/> at <paramref name="index"/>.</summary>
    static abstract TSelf Load(ref double source, nuint index);
    /// <summary>Stores the lanes to <paramref name="destination"/> at <paramref name="index"/>.</summary>
    static abstract void Store(TSelf value, ref double destination, nuint index);
    /// <summary>Lane <paramref name="index"/>.</summary>
    static abstract double GetLane(TSelf value, int index);
    /// <summary>A copy of <paramref name="value"/> with lane <paramref name="index"/> replaced.</summary>
    static abstract TSelf WithLane(TSelf value, int index, double lane);

    /// <summary>Lane-wise sum, rounded once.</summary>
    static abstract TSelf operator +(TSelf a, TSelf b);
    /// <summary>Lane-wise difference, rounded once.</summary>
    static abstract TSelf operator -(TSelf a, TSelf b);
    /// <summary>Lane-wise product, rounded once.</summary>
    static abstract TSelf operator *(TSelf a, TSelf b);
    /// <summary>Lane-wise quotient, rounded once.</summary>
    static abstract TSelf operator /(TSelf a, TSelf b);
    /// <summary>Lane-wise negation (flips the sign bit).</summary>
    static abstract TSelf operator -(TSelf a);
    /// <summary><c>a * b + c</c> rounded once.</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);
    /// <summary>Clears the sign bit.</summary>
    static abstract TSelf Abs(TSelf a);
    /// <summary>Correctly rounded square root.</summary>
    static abstract TSelf Sqrt(TSelf a);
    /// <summary>Rounds to the nearest integer, ties to even.</summary>
    static abstract TSelf Round(TSelf a);
    /// <summary>Rounds toward zero.</summary>
    static abstract TSelf Truncate(TSelf a);
    /// <summary>Clamps to <c>[lo, hi]</c>; a NaN lane stays NaN on every platform.</summary>
    static abstract TSelf Clamp(TSelf a, TSelf lo, TSelf hi);
    /// <summary>Lane-wise <c>a &lt; b</c> as a mask.</summary>
    static abstract TSelf LessThan(TSelf a, TSelf b);
    /// <summary>Lane-wise <c>a &gt; b</c> as a mask.</summary>
    static abstract TSelf GreaterThan(TSelf a, TSelf b);
    /// <summary>Lane-wise <c>a &gt;= b</c> as a mask.</summary>
    static abstract TSelf GreaterThanOrEqual(TSelf a, TSelf b);
    /// <summary>Lane-wise <c>a == b</c> as a mask.</summary>
    static abstract TSelf Equal(TSelf a, TSelf b);
    /// <summary>True where the lane is NaN.</summary>
    static abstract TSelf IsNaN(TSelf a);
    /// <summary>Per lane, <paramref name="ifTrue"/> where <paramref name="mask"/> is set, else <paramref name="ifFalse"/>.</summary>
    static abstract TSelf Select(TSelf mask, TSelf ifTrue, TSelf ifFalse);
    /// <summary>Whether any lane of the mask is set.</summary>
    static abstract bool AnyTrue(TSelf mask);
    /// <summary>Bitwise and.</summary>
    static abstract TSelf operator &(TSelf a, TSelf b);
    /// <summary>Bitwise or.</summary>
    static abstract TSelf operator |(TSelf a, TSelf b);
    /// <summary>Bitwise exclusive or.</summary>
    static abstract TSelf operator ^(TSelf a, TSelf b);
    /// <summary>Bitwise <c>a &amp; ~b</c>.</summary>
    static abstract TSelf AndNot(TSelf a, TSelf b);
    /// <summary>Integer sum of the lanes' bits.</summary>
    static abstract TSelf AddLong(TSelf a, TSelf b);
    /// <summary>Integer difference of the lanes' bits.</summary>
    static abstract TSelf SubtractLong(TSelf a, TSelf b);
    /// <summary>Integer lanes shifted left.</summary>
    static abstract TSelf ShiftLeftLong(TSelf a, int count);
    /// <summary>Integer lanes shifted right, copying the sign bit.</summary>
    static abstract TSelf ShiftRightArithmeticLong(TSelf a, int count);
    /// <summary>Integer lanes shifted right, filling with zeros.</summary>
    static abstract TSelf ShiftRightLogicalLong(TSelf a, int count);
    /// <summary>Double lanes converted to 64-bit integer lanes, truncating; only for values known to fit.</summary>
    static abstract TSelf ConvertToLong(TSelf a);
    /// <summary>64-bit integer lanes converted to double lanes (exact below 2^53).</summary>
    static abstract TSelf ConvertFromLong(TSelf a);
}

/// <summary>
/// A float lanes type that converts exactly to two double lanes types of half as many lanes
/// each and back (rounding once): float kernels that compute in double use it.
/// </summary>
internal interface IWidensToF64<TSelf, TWide>
    where TSelf : struct, IF32Lanes<TSelf>, IWidensToF64<TSelf, TWide>
    where TWide : struct, IF64Lanes<TWide>
{
    /// <summary>The lower and upper halves of the lanes, exactly, as doubles.</summary>
    static abstract (TWide Lower, TWide Upper) Widen(TSelf a);
    /// <summary>The doubles rounded to floats (once, to nearest even), lower half first.</summary>
    static abstract TSelf Narrow(TWide lower, TWide upper);
}

namespace ArrayLang.FSharp

#nowarn "77" // op_LessThan and the others resolve on Tensor, which defines them (Note [F# comparisons])

open System
open ArrayLang.Tracing

/// <summary>
/// Elementwise comparisons on tensors. Note [F# comparisons]: F#'s <c>&lt;</c>, <c>=</c>, <c>max</c>
/// and <c>min</c> require the <c>comparison</c>/<c>equality</c> constraints and return a <c>bool</c>, and
/// F#'s <c>if</c> needs a real <c>bool</c>, so none of them can be elementwise on a traced value. The
/// dotted operators are: each returns a bool tensor, for tensor/tensor and tensor/number operands.
/// Branch on a bool tensor with <c>Tensor.where</c> (per element), <c>cond</c> or <c>branch</c> (per example).
/// </summary>
/// <example><code>
/// let relu x = Tensor.where (x .&gt; 0.0) x (Tensor.zerosLike x)
/// </code></example>
[<AutoOpen>]
module Operators =
    /// <summary>Elementwise <c>a &lt; b</c> (a bool tensor).</summary>
    let inline (.<) (a: ^A) (b: ^B) : Tensor = ((^A or ^B): (static member op_LessThan: ^A * ^B -> Tensor) (a, b))
    /// <summary>Elementwise <c>a &gt; b</c> (a bool tensor).</summary>
    let inline (.>) (a: ^A) (b: ^B) : Tensor = ((^A or ^B): (static member op_GreaterThan: ^A * ^B -> Tensor) (a, b))
    /// <summary>Elementwise <c>a &lt;= b</c> (a bool tensor).</summary>
    let inline (.<=) (a: ^A) (b: ^B) : Tensor = ((^A or ^B): (static member op_LessThanOrEqual: ^A * ^B -> Tensor) (a, b))
    /// <summary>Elementwise <c>a &gt;= b</c> (a bool tensor).</summary>
    let inline (.>=) (a: ^A) (b: ^B) : Tensor = ((^A or ^B): (static member op_GreaterThanOrEqual: ^A * ^B -> Tensor) (a, b))
    /// <summary>Elementwise <c>a = b</c> (a bool tensor).</summary>
    let inline (.=) (a: ^A) (b: ^B) : Tensor = ((^A or ^B): (static member Equal: ^A * ^B -> Tensor) (a, b))
    /// <summary>Elementwise <c>a &lt;&gt; b</c> (a bool tensor).</summary>
    let inline (.<>) (a: ^A) (b: ^B) : Tensor = ((^A or ^B): (static member NotEqual: ^A * ^B -> Tensor) (a, b))

/// <summary>
/// The overloads behind <c>TensorMath</c>'s <c>**</c>: a tensor with a tensor or with a number of any
/// kind on either side, and the plain numbers (so <c>2.0 ** 3.0</c> keeps working where it is open).
/// Note [F# power]: FSharp.Core's <c>**</c> resolves <c>Pow</c> on its left operand only and returns
/// that operand's type, so <c>2.0 ** x</c> must be a <c>float</c> and cannot take a tensor; and the F#
/// compiler solves a <c>Pow</c> constraint on <c>float</c> itself, so a shadowing <c>**</c> must call a
/// member of another name, on a type of its own.
/// </summary>
[<AbstractClass; Sealed>]
type PowerOverloads =
    /// <summary><c>a ** b</c> elementwise.</summary>
    static member Power(a: Tensor, b: Tensor) = Tensor.Pow(a, b)
    /// <summary><c>a ** b</c> elementwise; <paramref name="b"/> becomes a literal of <paramref name="a"/>'s dtype.</summary>
    static member Power(a: Tensor, b: float) = Tensor.Pow(a, b)
    /// <summary><c>a ** b</c> elementwise; <paramref name="b"/> becomes a literal of <paramref name="a"/>'s dtype.</summary>
    static member Power(a: Tensor, b: float32) = Tensor.Pow(a, float b)
    /// <summary><c>a ** b</c> elementwise; <paramref name="b"/> becomes a literal of <paramref name="a"/>'s dtype.</summary>
    static member Power(a: Tensor, b: int) = Tensor.Pow(a, float b)
    /// <summary><c>a ** b</c> elementwise; <paramref name="a"/> becomes a literal of <paramref name="b"/>'s dtype.</summary>
    static member Power(a: float, b: Tensor) = Tensor.Pow(a, b)
    /// <summary><c>a ** b</c> elementwise; <paramref name="a"/> becomes a literal of <paramref name="b"/>'s dtype.</summary>
    static member Power(a: float32, b: Tensor) = Tensor.Pow(float a, b)
    /// <summary><c>a ** b</c> elementwise; <paramref name="a"/> becomes a literal of <paramref name="b"/>'s dtype.</summary>
    static member Power(a: int, b: Tensor) = Tensor.Pow(float a, b)
    /// <summary><c>a ** b</c> on numbers (<c>Math.Pow</c>).</summary>
    static member Power(a: float, b: float) = Math.Pow(a, b)
    /// <summary><c>a ** b</c> on numbers (<c>MathF.Pow</c>).</summary>
    static member Power(a: float32, b: float32) = MathF.Pow(a, b)

/// <summary>The trait call behind <c>TensorMath</c>'s <c>**</c> (public because an inline function calls it).</summary>
module PowerCall =
    /// <summary><c>Power(a, b)</c> resolved on <paramref name="witness"/>'s type or the operands' types.</summary>
    let inline power (witness: ^W) (a: ^A) (b: ^B) : ^R =
        ignore witness
        ((^W or ^A or ^B): (static member Power: ^A * ^B -> ^R) (a, b))

/// <summary>
/// <c>max</c>, <c>min</c> and <c>**</c> that take tensors on either side (Note [F# comparisons], Note
/// [F# power]): open this module to shadow FSharp.Core's. <c>max</c> and <c>min</c> are elementwise and
/// resolve a static <c>Max</c>/<c>Min</c> member, so they also work on <c>float</c>, <c>float32</c>,
/// <c>int</c> and the other .NET numbers and mix a tensor with a number (<c>max x 0.0</c>); in its scope
/// they no longer apply to strings, tuples or other comparable types. <c>**</c> takes a tensor and a
/// tensor or a number of any kind in either order (<c>2.0 ** x</c>, <c>x ** 2</c>, <c>x ** 0.5f</c>) and
/// <c>float</c> or <c>float32</c> numbers; FSharp.Core's <c>**</c> takes only <c>x ** 2.0</c>.
/// </summary>
/// <example><code>
/// open ArrayLang.FSharp.TensorMath
/// let relu (x: Tensor) = max x 0.0
/// let softplusBase2 (x: Tensor) = log (1.0 + 2.0 ** x)
/// </code></example>
module TensorMath =
    /// <summary>Elementwise maximum (NaN propagates).</summary>
    let inline max (a: ^A) (b: ^B) : ^R = ((^A or ^B): (static member Max: ^A * ^B -> ^R) (a, b))
    /// <summary>Elementwise minimum (NaN propagates).</summary>
    let inline min (a: ^A) (b: ^B) : ^R = ((^A or ^B): (static member Min: ^A * ^B -> ^R) (a, b))
    /// <summary>Power, elementwise, with a tensor on either side or on both (see <see cref="PowerOverloads"/>).</summary>
    let inline ( ** ) (a: ^A) (b: ^B) : ^R = PowerCall.power Unchecked.defaultof<PowerOverloads> a b

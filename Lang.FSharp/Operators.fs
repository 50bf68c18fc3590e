namespace ArrayLang.FSharp

#nowarn "77" // op_LessThan and the others resolve on Tensor, which defines them (Note [F# comparisons])

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
/// <c>max</c> and <c>min</c> that are elementwise on tensors (Note [F# comparisons]): open this module to
/// shadow FSharp.Core's. They resolve a static <c>Max</c>/<c>Min</c> member, so they also work on
/// <c>float</c>, <c>float32</c>, <c>int</c> and the other .NET numbers, and mix a tensor with a number
/// (<c>max x 0.0</c>); in its scope they no longer apply to strings, tuples or other comparable types.
/// </summary>
/// <example><code>
/// open ArrayLang.FSharp.TensorMath
/// let relu (x: Tensor) = max x 0.0
/// </code></example>
module TensorMath =
    /// <summary>Elementwise maximum (NaN propagates).</summary>
    let inline max (a: ^A) (b: ^B) : ^R = ((^A or ^B): (static member Max: ^A * ^B -> ^R) (a, b))
    /// <summary>Elementwise minimum (NaN propagates).</summary>
    let inline min (a: ^A) (b: ^B) : ^R = ((^A or ^B): (static member Min: ^A * ^B -> ^R) (a, b))

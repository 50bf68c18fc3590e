namespace ArrayLang.FSharp

open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Values

/// <summary>
/// Data-last functions on tensors, to pipe: <c>x |&gt; Tensor.reshape [2; 3] |&gt; Tensor.sumAxes [1]</c>.
/// Operators (<c>+ - * / %</c>, with numbers of any kind on either side) and F#'s own <c>sin</c>,
/// <c>exp</c>, <c>log</c>, <c>tanh</c>, <c>sqrt</c>, <c>abs</c>, <c>floor</c>, <c>round</c>, <c>**</c> and
/// <c>pown</c> work on tensors directly.
/// </summary>
[<RequireQualifiedAccess>]
module Tensor =
    /// <summary>The shape as a list of dimensions.</summary>
    let shape (x: Tensor) = List.ofSeq x.Shape
    /// <summary>The element type.</summary>
    let dtype (x: Tensor) = x.DType

    /// <summary>A scalar f32 constant (a full tensor).</summary>
    let scalar (value: float) = Tensor.Scalar(value, DType.F32)
    /// <summary>A scalar constant of the given dtype.</summary>
    let scalarOf (dtype: DType) (value: float) = Tensor.Scalar(value, dtype)
    /// <summary>A tensor of <paramref name="x"/>'s type filled with <paramref name="value"/>.</summary>
    let fullLike (value: float) (x: Tensor) =
        let s = Tensor.Scalar(value, x.DType)
        if x.Rank = 0 then s else s.BroadcastTo(x.Shape.ToArray(), [||])
    /// <summary>Zeros of <paramref name="x"/>'s type.</summary>
    let zerosLike (x: Tensor) = fullLike 0.0 x
    /// <summary>Ones of <paramref name="x"/>'s type.</summary>
    let onesLike (x: Tensor) = fullLike 1.0 x
    /// <summary>A captured array (a const parameter of the traced function, bound when it runs).</summary>
    let constant (a: NDArray) = Tensor.Constant a
    /// <summary><c>0, 1, ..., n-1</c> (i32).</summary>
    let iota (n: int) = Tensor.Iota([| n |])
    /// <summary>Converts to another dtype.</summary>
    let cast (dtype: DType) (x: Tensor) = x.Cast dtype

    /// <summary>Sum of all elements.</summary>
    let sum (x: Tensor) = x.Sum()
    /// <summary>Sum over the given axes.</summary>
    let sumAxes (axes: int list) (x: Tensor) = x.Sum(Array.ofList axes)
    /// <summary>Mean of all elements.</summary>
    let mean (x: Tensor) = x.Mean()
    /// <summary>Mean over the given axes.</summary>
    let meanAxes (axes: int list) (x: Tensor) = x.Mean(Array.ofList axes)
    /// <summary>Product of all elements.</summary>
    let prod (x: Tensor) = x.Prod()
    /// <summary>Largest element.</summary>
    let maxAll (x: Tensor) = x.MaxOver()
    /// <summary>Smallest element.</summary>
    let minAll (x: Tensor) = x.MinOver()
    /// <summary>Index of the first largest element along <paramref name="axis"/>.</summary>
    let argmax (axis: int) (x: Tensor) = x.ArgMax axis
    /// <summary>Index of the first smallest element along <paramref name="axis"/>.</summary>
    let argmin (axis: int) (x: Tensor) = x.ArgMin axis
    /// <summary>Running sum along <paramref name="axis"/>.</summary>
    let cumsum (axis: int) (x: Tensor) = x.CumSum axis

    /// <summary>The same elements in another shape (row-major).</summary>
    let reshape (shape: int list) (x: Tensor) = x.Reshape(Array.ofList shape)
    /// <summary>Reverses the axes (a matrix transpose).</summary>
    let transpose (x: Tensor) = x.Transpose()
    /// <summary>Permutes the axes: result axis i is axis <c>perm[i]</c>.</summary>
    let permute (perm: int list) (x: Tensor) = x.Transpose(Array.ofList perm)
    /// <summary>Inserts a size-1 axis at <paramref name="axis"/>.</summary>
    let expandDims (axis: int) (x: Tensor) = x.ExpandDims axis
    /// <summary>Removes the size-1 axis <paramref name="axis"/>.</summary>
    let squeeze (axis: int) (x: Tensor) = x.Squeeze axis
    /// <summary>Broadcasts to <paramref name="shape"/>, aligning trailing axes (as NumPy).</summary>
    let broadcastTo (shape: int list) (x: Tensor) = x.BroadcastTo(Array.ofList shape)

    /// <summary>Row <paramref name="i"/> (a static index; negative counts from the end).</summary>
    let item (i: int) (x: Tensor) = x.[i]
    /// <summary>Row <paramref name="i"/> at a run-time index (an i32 scalar tensor, clamped into range).</summary>
    let at (i: Tensor) (x: Tensor) = x.[i]
    /// <summary>The static slice <c>[start, limit)</c> per axis.</summary>
    let slice (start: int list) (limit: int list) (x: Tensor) = x.Slice(Array.ofList start, Array.ofList limit)
    /// <summary>Gathers along <paramref name="axis"/> at the (clamped) indices.</summary>
    let take (axis: int) (indices: Tensor) (x: Tensor) = x.Take(indices, axis)
    /// <summary>Joins tensors along an existing axis.</summary>
    let concat (axis: int) (xs: Tensor list) = Tensor.Concatenate(axis, Array.ofList xs)
    /// <summary>Stacks equal-typed tensors along a new axis.</summary>
    let stack (axis: int) (xs: Tensor list) = Tensor.Concatenate(axis, xs |> List.map (fun x -> x.ExpandDims axis) |> Array.ofList)
    /// <summary>Row <paramref name="i"/> (run-time index) of <paramref name="x"/> replaced by <paramref name="row"/>.</summary>
    let setAt (i: Tensor) (row: Tensor) (x: Tensor) =
        let zero = Tensor.Scalar(0.0, DType.I32)
        x.DynamicUpdateSlice(row.ExpandDims 0, Array.append [| i |] (Array.create (x.Rank - 1) zero))

    /// <summary>Matrix/vector product (NumPy's <c>dot</c> for ranks 1 and 2).</summary>
    let dot (a: Tensor) (b: Tensor) = a.Dot b
    /// <summary>Per element, <paramref name="onTrue"/> where <paramref name="pred"/> holds, else <paramref name="onFalse"/>.</summary>
    let where (pred: Tensor) (onTrue: Tensor) (onFalse: Tensor) = Tensor.Where(pred, onTrue, onFalse)
    /// <summary>Elementwise logical not of a bool tensor.</summary>
    let not (x: Tensor) = Tensor.op_LogicalNot x
    /// <summary>The logistic sigmoid <c>1 / (1 + exp(-x))</c>.</summary>
    let logistic (x: Tensor) = Tensor.Logistic x
    /// <summary><c>max(x, 0)</c>.</summary>
    let relu (x: Tensor) = Tensor.Max(x, 0.0)
    /// <summary>The error function.</summary>
    let erf (x: Tensor) = Tensor.Erf x
    /// <summary><c>log(1 + x)</c>, accurate near 0.</summary>
    let log1p (x: Tensor) = Tensor.Log1p x
    /// <summary><c>exp(x) - 1</c>, accurate near 0.</summary>
    let expm1 (x: Tensor) = Tensor.Expm1 x

/// <summary>Threefry random numbers from explicit keys (i32[2]), as JAX's <c>jax.random</c>.</summary>
[<RequireQualifiedAccess>]
module Random =
    /// <summary><paramref name="count"/> new keys (i32[count, 2]).</summary>
    let split (count: int) (key: Tensor) = key.RandomSplit count
    /// <summary>Uniform f32 values in [0, 1).</summary>
    let uniform (shape: int list) (key: Tensor) = key.RandomUniform(Array.ofList shape, DType.F32)
    /// <summary>Standard normal f32 values (Box-Muller from two uniform draws).</summary>
    let normal (shape: int list) (key: Tensor) =
        let keys = key.RandomSplit 2
        let u1 = 1.0 - keys.[0].RandomUniform(Array.ofList shape, DType.F32) // in (0, 1]: log stays finite
        let u2 = keys.[1].RandomUniform(Array.ofList shape, DType.F32)
        sqrt (-2.0 * log u1) * cos (2.0 * System.Math.PI * u2)
    /// <summary>Random 32-bit words.</summary>
    let bits (shape: int list) (key: Tensor) = key.RandomBits(Array.ofList shape)

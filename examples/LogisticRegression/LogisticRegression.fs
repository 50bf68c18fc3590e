// Per-example logistic regression: predictions and losses for a batch, with shared weights.
//
//   dotnet run --project examples/LogisticRegression [-- examples features]
//
// The model is written for ONE example (a feature vector x and a label y); vmapWith batches the
// examples and leaves the weights shared (in_axes None), so the batched IR holds one matrix-vector
// product, not a loop.
module LogisticRegression.Program

open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.FSharp

/// The probability that example x is positive, for weights w and bias b.
let predict (w: Tensor) (b: Tensor) (x: Tensor) = Tensor.logistic (Tensor.dot w x + b)

/// The binary cross-entropy of one example, computed from the logit z = w.x + b so that it stays
/// finite: log(1 + exp(-|z|)) + max(z, 0) - y*z.
let loss (w: Tensor) (b: Tensor) (x: Tensor) (y: Tensor) =
    let z = Tensor.dot w x + b
    Tensor.log1p (exp (-(abs z))) + Tensor.relu z - y * z

/// The prediction and the loss of one example.
let predictAndLoss (w: Tensor) (b: Tensor) (x: Tensor) (y: Tensor) = predict w b x, loss w b x y

/// For a batch: w and b shared, x (rows) and y batched; compiled.
let batch : float32[] -> float32 -> float32[,] -> float32[] -> float32[] * float32[] =
    jit (vmapWith { VmapConfig.Default with InAxes = [ None; None; Some 0; Some 0 ] } predictAndLoss)

/// A reproducible data set: n examples of d features whose labels come from hidden weights, plus weights to evaluate.
let data (n: int) (d: int) =
    let rng = System.Random 7
    let gauss () = float32 (sqrt (-2.0 * log (1.0 - rng.NextDouble())) * cos (2.0 * System.Math.PI * rng.NextDouble()))
    let hidden = Array.init d (fun _ -> gauss ())
    let xs = Array2D.init n d (fun _ _ -> gauss ())
    let ys = Array.init n (fun i -> if Seq.sum (Seq.init d (fun j -> hidden.[j] * xs.[i, j])) + 0.3f * gauss () > 0.0f then 1.0f else 0.0f)
    let w = Array.map (fun h -> h + 0.5f * gauss ()) hidden
    w, 0.1f, xs, ys

[<EntryPoint>]
let main argv =
    let n = if argv.Length > 0 then int argv.[0] else 10_000
    let d = if argv.Length > 1 then int argv.[1] else 16
    let w, b, xs, ys = data n d
    let f32 dims = AVal.Of(DType.F32, Array.ofList dims)
    printfn "Per-example IR:\n%O" (lower [ f32 [ d ]; f32 []; f32 [ d ]; f32 [] ] predictAndLoss)
    printfn "Batched IR (w, b shared; x, y batched; B = %d):\n%O" n
        (lower [ f32 [ d ]; f32 []; f32 [ n; d ]; f32 [ n ] ] (vmapWith { VmapConfig.Default with InAxes = [ None; None; Some 0; Some 0 ] } predictAndLoss))
    let p, l = batch w b xs ys
    let accuracy = Array.map2 (fun (p: float32) y -> if (p > 0.5f) = (y > 0.5f) then 1.0 else 0.0) p ys |> Array.average
    printfn "%d examples, %d features: mean loss %.4f, accuracy %.3f" n d (Array.averageBy float l) accuracy
    printfn "first predictions: %A" (Array.truncate 5 p)
    printfn "first losses:      %A" (Array.truncate 5 l)
    0

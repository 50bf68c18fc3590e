open ArrayLang.Compile
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.FSharp

let softmax (x: Tensor) = exp (x - Tensor.maxAll x) / Tensor.sum (exp (x - Tensor.maxAll x))
let batched : NDArray -> NDArray = jit (vmap softmax)
let x = NDArray.ofArray2D (array2D [ [ 1.0f; 2.0f; 3.0f ]; [ 0.0f; 0.0f; 0.0f ] ])
let y : float32[,] = batched x |> NDArray.toArray2D
printfn "softmax rows: %A" y
let inner : NDArray -> NDArray = jit (fun (v: Tensor) -> v.[1..2])
printfn "inner: %A" (inner (NDArray.ofArray [| 1.0f; 2.0f; 3.0f; 4.0f |]) |> NDArray.toArray : float32[])
printfn "default backend: %s (found among: %s)" DefaultBackend.Instance.Name (DefaultBackend.Referenced |> Seq.map (fun p -> p.Name) |> String.concat ", ")

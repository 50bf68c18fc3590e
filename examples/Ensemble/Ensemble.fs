// An ensemble: nested vmap over models and examples.
//
//   dotnet run --project examples/Ensemble [-- models examples]
//
// A small two-layer network is written for ONE model and ONE example. The inner vmap runs it on a
// batch of examples with the model's weights shared; the outer vmap runs that for every model of
// the ensemble, with the examples shared. The weights are a record, generic in its leaf type:
// Mlp<Tensor> inside the traced function, Mlp<NDArray> when it is called (each field stacked over
// the models).
module Ensemble.Program

open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.FSharp

/// The weights of one network: inputs -> hidden (tanh) -> one output.
type Mlp<'T> = { W1: 'T; B1: 'T; W2: 'T; B2: 'T }

/// One model, one example: a scalar.
let predict (p: Mlp<Tensor>) (x: Tensor) = Tensor.dot p.W2 (tanh (Tensor.dot p.W1 x + p.B1)) + p.B2

/// One model, a batch of examples (the weights shared).
let predictBatch : Mlp<Tensor> -> Tensor -> Tensor = vmapWith { VmapConfig.Default with InAxes = [ None; Some 0 ] } predict

/// Every model on every example: [models, examples].
let predictEnsemble : Mlp<NDArray> -> NDArray -> float32[,] =
    jit (vmapWith { VmapConfig.Default with InAxes = [ Some 0; None ] } predictBatch)

/// Reproducible weights for `models` networks of `inputs` -> `hidden` -> 1, and `n` examples.
let data (models: int) (inputs: int) (hidden: int) (n: int) =
    let rng = System.Random 3
    let r (dims: int list) = NDArray.Of(Array.init (List.reduce (*) dims) (fun _ -> float32 (rng.NextDouble() - 0.5)), Array.ofList dims)
    { W1 = r [ models; hidden; inputs ]; B1 = r [ models; hidden ]; W2 = r [ models; hidden ]; B2 = r [ models ] }, r [ n; inputs ]

[<EntryPoint>]
let main argv =
    let models = if argv.Length > 0 then int argv.[0] else 8
    let n = if argv.Length > 1 then int argv.[1] else 1_000
    let inputs, hidden = 4, 16
    let p, xs = data models inputs hidden n
    let mlpTypes (m: int list) = [ AVal.Of(DType.F32, Array.ofList (m @ [ hidden; inputs ])); AVal.Of(DType.F32, Array.ofList (m @ [ hidden ]))
                                   AVal.Of(DType.F32, Array.ofList (m @ [ hidden ])); AVal.Of(DType.F32, Array.ofList m) ]
    printfn "One model, one example:\n%O" (lower (mlpTypes [] @ [ AVal.Of(DType.F32, inputs) ]) predict)
    printfn "Every model on every example (nested vmap):\n%O"
        (lower (mlpTypes [ models ] @ [ AVal.Of(DType.F32, n, inputs) ])
            (vmapWith { VmapConfig.Default with InAxes = [ Some 0; None ] } predictBatch : Mlp<NDArray> -> NDArray -> NDArray))
    let ys = predictEnsemble p xs
    printfn "%d models x %d examples; for the first examples, the ensemble mean and spread:" models n
    for i in 0 .. 4 do
        let col = Array.init models (fun m -> float ys.[m, i])
        let mean = Array.average col
        printfn "  example %d: mean %.4f, std %.4f" i mean (sqrt (Array.averageBy (fun y -> (y - mean) ** 2.0) col))
    0

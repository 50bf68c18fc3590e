// A tour of ArrayLang from F# Interactive. Build the F# front end once, then run the script:
//   dotnet build Lang.FSharp -c Release && dotnet build Backends/Cpu -c Release
//   dotnet fsi examples/scripts/tour.fsx
// (With the packages in a feed, `#r "nuget: ArrayLang.FSharp"` and `#r "nuget: ArrayLang.Backends.Cpu"`
// replace the three #r lines: examples/package-consumers/Interactive.fsx.) The front end names no
// backend; the default one is found among those referenced (docs/fsharp.md, "Backends").
#r "../../Lang.FSharp/bin/Release/net10.0/ArrayLang.Core.dll"
#r "../../Lang.FSharp/bin/Release/net10.0/ArrayLang.FSharp.dll"
#r "../../Backends/Cpu/bin/Release/net10.0/ArrayLang.Backends.Cpu.dll"

open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.FSharp

// Arrays print like NumPy's (abbreviated beyond 1000 elements), IR functions as their text.
fsi.AddPrinter Display.ndarray
fsi.AddPrinter Display.tensor
fsi.AddPrinter Display.func

// 1. A function of one example, over Tensor values. Broadcasting follows NumPy: the rank-0
//    maximum and sum broadcast against the vector.
let softmax (x: Tensor) = exp (x - Tensor.maxAll x) / Tensor.sum (exp (x - Tensor.maxAll x))

// 2. Its IR: a typed program, with the broadcasts explicit.
let ir = lower [ AVal.Of(DType.F32, 4) ] softmax
printfn "The IR of one example:\n%s" (Display.func ir)

// 3. vmap makes the function of a batch; jit compiles it for the CPU backend.
let batched : NDArray -> NDArray = jit (vmap softmax)
let logits = NDArray.init [ 3; 4 ] (fun ix -> float32 (ix.[0] * ix.[1]))
printfn "logits:\n%s" (Display.ndarray logits)
let probabilities = batched logits
printfn "softmax of each row:\n%s" (Display.ndarray probabilities)

// 4. It equals the loop over rows.
let byLoop =
    let rows = NDArray.toArray2D logits : float32[,]
    Array2D.init 3 4 (fun i j ->
        let row = rows.[i, *]
        let m = Array.max row
        exp (row.[j] - m) / Array.sumBy (fun v -> exp (v - m)) row)
let biggest =
    Seq.zip (NDArray.toArray probabilities : float32[]) (Seq.cast<float32> byLoop)
    |> Seq.map (fun (a, b) -> abs (a - b)) |> Seq.max
printfn "largest difference from the loop: %g" biggest
if biggest > 1e-6f then failwith "vmap differs from the loop"

// 5. Slicing: F#'s ranges include their end; a traced index picks a row per example.
let window : NDArray -> NDArray = jit (vmap (fun (x: Tensor) -> x.[1..2]))
printfn "columns 1 to 2 of each row:\n%s" (Display.ndarray (window logits))

// 6. Control flow per example: a while loop whose number of steps differs between examples.
let collatzSteps (n: Tensor) =
    vectorize {
        let n = state n
        let steps = state (Tensor.zerosLike n.Value)
        while n.Value .> 1 do
            branch (n.Value % 2 .= 0) (fun () -> n.Value <- n.Value / 2) (fun () -> n.Value <- 3 * n.Value + 1)
            steps.Value <- steps.Value + 1
        return steps.Value
    }
let steps : int[] -> int[] = jit (vmap collatzSteps)
printfn "Collatz steps of 1..10: %A" (steps [| 1 .. 10 |])

// 7. Large arrays print abbreviated.
printfn "%s" (Display.ndarray (NDArray.init [ 2000 ] (fun ix -> float32 ix.[0])))

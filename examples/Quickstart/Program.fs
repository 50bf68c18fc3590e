// ArrayLang quickstart: write a function for ONE example, get the batched function for free.
//
//   dotnet run --project examples/Quickstart
//
// It traces a per-example function to IR, prints it, batches it with vmap, prints the batched IR,
// and checks and times the batched function against a per-example loop. Both run on the reference
// evaluator for now (the scalar executable specification); the fused CPU backend (jit) comes next.
open System
open System.Diagnostics
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Tracing
open ArrayLang.Transforms
open ArrayLang.Reference

// 1. The per-example function: two scalars in, one scalar out (BENCH.md's W1).
let perExample (x: Tensor) (y: Tensor) = x * y + sin x

let scalar = AVal.Scalar DType.F32
let traced = Trace.Function(perExample, scalar, scalar)
printfn "Per-example IR:\n%O" traced

// 2. vmap: x batched along axis 0, y batched along axis 0, for a batch of B examples.
let B = 100_000
let batched = Vmap.Apply(traced.Function, B, ResizeArray [ Nullable 0; Nullable 0 ])
printfn "Batched IR (B = %d):\n%O" B batched

// 3. Inputs, and the plain F# answer written without ArrayLang.
let rng = Random 42
let xs = Array.init B (fun _ -> float32 (rng.NextDouble() * 2.0 - 1.0))
let ys = Array.init B (fun _ -> float32 (rng.NextDouble() * 2.0 - 1.0))
let plain = Array.map2 (fun (x: float32) (y: float32) -> float32 (float x * float y + sin (float x))) xs ys

let time f =
    let sw = Stopwatch.StartNew()
    let r = f ()
    r, sw.Elapsed.TotalMilliseconds

// 4. The per-example loop (the function called once per example) and vmap, side by side.
let loopResult, loopMs =
    time (fun () ->
        Array.init B (fun i ->
            let r = traced.Evaluate(NDArray.Of([| xs.[i] |]), NDArray.Of([| ys.[i] |]))
            r.[0].F32.[0]))
let vmapResult, vmapMs =
    time (fun () -> (ReferenceEvaluator.Evaluate(batched, [| NDArray.Of(xs, B); NDArray.Of(ys, B) |])).[0].F32)

let maxError (a: float32[]) = Array.map2 (fun (p: float32) (q: float32) -> abs (float p - float q)) a plain |> Array.max
printfn "method            time (ms)   vs loop   max |error| vs plain F#"
printfn "loop              %9.1f   %6.1fx   %g" loopMs 1.0 (maxError loopResult)
printfn "vmap              %9.1f   %6.1fx   %g" vmapMs (loopMs / vmapMs) (maxError vmapResult)
printfn "(reference evaluator; jit(vmap) on the fused CPU backend arrives with the CPU backend)"

// ArrayLang quickstart: write a function for ONE example, get the batched function for free.
//
//   dotnet run --project examples/Quickstart [-- batchSize]
//
// It prints the per-example IR of f(x, y) = x*y + sin(x), the batched IR that vmap makes of it,
// then times three ways to compute a batch on the default backend, side by side: the per-example
// function called once per example in an F# loop, vmap (the batched function, run op by op), and
// jit(vmap) (the batched function compiled). Each is checked against a plain F# loop written
// without ArrayLang.
module Quickstart.Program

open System.Diagnostics
open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Compile
open ArrayLang.FSharp

/// One example: two scalars in, one scalar out (BENCH.md's W1).
let perExample (x: Tensor) (y: Tensor) = x * y + sin x

/// The per-example function compiled, called on one example at a time.
let perExampleJit : float32 -> float32 -> float32 = jit perExample

/// vmap: the function of a batch, run op by op.
let batched : float32[] -> float32[] -> float32[] = vmap perExample

/// jit(vmap): the function of a batch, compiled.
let compiled : float32[] -> float32[] -> float32[] = jit (vmap perExample)

/// The per-example loop: the compiled per-example function once per example.
let loop (xs: float32[]) (ys: float32[]) = Array.map2 perExampleJit xs ys

/// Inputs in [-1, 1), reproducible.
let inputs (n: int) =
    let rng = System.Random 42
    Array.init n (fun _ -> float32 (rng.NextDouble() * 2.0 - 1.0)), Array.init n (fun _ -> float32 (rng.NextDouble() * 2.0 - 1.0))

/// Milliseconds of one call, after a collection (so that no method pays for another's garbage).
let time (f: unit -> 'a) =
    System.GC.Collect()
    System.GC.WaitForPendingFinalizers()
    let sw = Stopwatch.StartNew()
    let r = f ()
    r, sw.Elapsed.TotalMilliseconds

/// The result and the fastest time of each method over `rounds` rounds, methods taking turns (so
/// that none profits alone from the .NET JIT's later, optimized code); the first call of each,
/// which traces and compiles, is not timed.
let race rounds (methods: (string * (unit -> float32[])) list) =
    let results = methods |> List.map (fun (_, f) -> f ())
    let times = Array.create methods.Length infinity
    for _ in 1 .. rounds do
        methods |> List.iteri (fun i (_, f) -> times.[i] <- min times.[i] (snd (time f)))
    List.zip3 (List.map fst methods) (List.ofArray times) results

[<EntryPoint>]
let main argv =
    let b = if argv.Length > 0 then int argv.[0] else 100_000
    printfn "Per-example IR of f(x, y) = x*y + sin(x):\n%O" (lower [ AVal.Scalar DType.F32; AVal.Scalar DType.F32 ] perExample)
    printfn "Batched IR, vmap f for B = %d:\n%O" b (lower [ AVal.Of(DType.F32, b); AVal.Of(DType.F32, b) ] (vmap perExample))

    let xs, ys = inputs b
    // The plain F# answer, written without ArrayLang (f32 math, as the IR computes it).
    let plain = Array.map2 (fun (x: float32) (y: float32) -> float32 (float x * float y) + float32 (sin (float x))) xs ys
    let maxError (r: float32[]) = Array.map2 (fun (p: float32) (q: float32) -> abs (float p - float q)) r plain |> Array.max

    let rows = race 3 [ "loop", (fun () -> loop xs ys); "vmap", (fun () -> batched xs ys); "jit(vmap)", (fun () -> compiled xs ys) ]
    let ms name = rows |> List.pick (fun (n, t, _) -> if n = name then Some t else None)
    printfn "B = %d examples; jit compiles for the %s backend (DefaultBackend.Instance), vmap runs op by op on %s"
        b DefaultBackend.Instance.Name DefaultBackend.Eager.Name
    printfn "method       time (ms)   speed-up vs loop   time / jit(vmap)   max |error| vs plain F#"
    for name, t, r in rows do
        printfn "%-10s %11.2f %17.1fx %17.2fx   %g" name t (ms "loop" / t) (t / ms "jit(vmap)") (maxError r)
    0

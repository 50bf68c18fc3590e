/// The benchmark suite stays out of CI except for this: each workload's per-example function traces,
/// the reference evaluator's vmap agrees with the suite's double-precision oracle, and the two
/// hand-written baselines agree with the reference evaluator, on tiny batches.
module ArrayLang.Tests.Bench.BenchSmokeTests

open Expecto
open ArrayLang.Ir
open ArrayLang.Reference
open ArrayLang.Transforms
open System.Runtime.Intrinsics
open ArrayLang.Bench.Baselines
open ArrayLang.Bench.Workloads
open ArrayLang.Bench.Harness

/// Tiny batches, sized so that both cores get a part and the vector tails and remainder blocks run.
let private workloads () : Workload list =
    [ W1Elementwise(37); W2Chain(37); W3Dense(10); W4OuterSum(5); W5Recurrence(150) ]

/// The whole batch through vmap and the reference evaluator.
let private referenceBatched (w: Workload) =
    let f = w.PerExample
    let batched = Vmap.Apply(f.Function, w.Batch, Methods.InAxesWithConsts w)
    ReferenceEvaluator.Evaluate(batched, [| yield! f.Constants; yield! w.BatchedArguments w.Batch |]).[0].F32

[<Tests>]
let tests =
    testList "bench smoke" [
        for w in workloads () do
            test $"{w.Id}: the per-example function traces; TensorPrimitives and hand-fused agree with the reference evaluator" {
                w.Prepare 7
                TypeChecker.Check w.PerExample.Function
                let reference = referenceBatched w
                w.Verify("reference vmap", reference, w.Batch)
                for name, out in [ "TensorPrimitives", w.RunTensorPrimitives(); "hand-fused", w.RunHandFused() ] do
                    Expect.equal out.Length reference.Length $"{name}: output length"
                    for i in 0 .. out.Length - 1 do
                        let d = abs (float out.[i] - float reference.[i]) / (1.0 + abs (float reference.[i]))
                        if not (d <= w.Tolerance) then
                            failtestf "%s %s: output %d is %g, the reference evaluator gives %g" w.Id name i out.[i] reference.[i]
            }
        test "the hand-fused baselines' vector math is within its documented error (Note [bench fast math])" {
            // Worst error of a Vector512 function against double math over an evenly spaced sweep plus edge values.
            let worst (f: Vector512<float32> -> Vector512<float32>) (g: float -> float) (lo: float) (hi: float) (err: float -> float -> float) =
                let n = 1 <<< 18
                let xs = Array.init n (fun i -> float32 (lo + (hi - lo) * float i / float (n - 1)))
                let xs = Array.append xs [| 0.0f; -0.0f; float32 lo; float32 hi; 0.4999f; 0.5f; -0.5f; 1e-6f |] |> Array.filter (fun x -> float x >= lo && float x <= hi)
                let padded = Array.append xs (Array.zeroCreate (16 - xs.Length % 16))
                let out = Array.zeroCreate<float32> padded.Length
                for i in 0 .. 16 .. padded.Length - 1 do
                    (f (Vector512.Create<float32>(System.ReadOnlySpan(padded, i, 16)))).CopyTo(System.Span(out, i, 16))
                Seq.init xs.Length (fun i -> err (float out.[i]) (g (float xs.[i]))) |> Seq.max
            let abs' got exp = abs (got - exp)
            let rel got exp = abs (got - exp) / max (abs exp) 1e-30
            Expect.isLessThan (worst FastMath.Sin sin -1e4 1e4 abs') 2e-7 "sin, absolute, |x| <= 1e4"
            Expect.isLessThan (worst FastMath.Exp exp -87.0 88.0 rel) 2e-7 "exp, relative"
            Expect.isLessThan (worst FastMath.Tanh tanh -20.0 20.0 abs') 2e-7 "tanh, absolute"
            Expect.isLessThan (worst FastMath.Tanh tanh -20.0 20.0 rel) 4e-7 "tanh, relative"
        }
        test "a method whose outputs differ from the oracle fails loudly" {
            let w = W1Elementwise(20)
            w.Prepare 7
            let wrong = Array.copy w.Expected
            wrong.[13] <- wrong.[13] + 0.01f
            Expect.throwsT<BenchmarkCheckFailed> (fun () -> w.Verify("wrong", wrong, 20)) "a wrong output is caught"
        }
    ]

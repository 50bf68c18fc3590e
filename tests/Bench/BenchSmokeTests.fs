/// The benchmark suite stays out of CI except for this, on tiny batches: each workload's per-example
/// function traces; for W1-W5 the reference evaluator's vmap agrees with the suite's double-precision
/// oracle and the two hand-written baselines agree with the reference evaluator; for W6-W11 plain-loop
/// agrees with the reference evaluator and every method of the suite (the baselines, and loop, vmap
/// and jit(vmap) on the CPU backend) agrees with plain-loop.
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
let private workloads () : MechanismWorkload list =
    [ W1Elementwise(37); W2Chain(37); W3Dense(10); W4OuterSum(5); W5Recurrence(150) ]

/// W6-W11 at tiny sizes (W7: 13 points, 169 pairs; W8: 150 lanes, enough for the hand-fused
/// version's refills on both cores).
let private realistic () : RealisticWorkload list =
    [ W6LayerNorm(37); W7CosineSimilarity(13); W8CubeRoot(150); W9Garch(37); W10Gradient(37); W11Gbm(37) ]

/// The whole batch through the workload's batched function and the reference evaluator: every result.
let private referenceBatchedAll (w: Workload) =
    let f = w.PerExample
    ReferenceEvaluator.Evaluate(w.BatchedFunction w.Batch, [| yield! f.Constants; yield! w.BatchedArguments w.Batch |])
    |> Methods.Floats

let private referenceBatched (w: Workload) = (referenceBatchedAll w).[0]

[<Tests>]
let tests =
    testList "bench smoke" [
        for w in workloads () do
            test $"{w.Id}: the per-example function traces; TensorPrimitives and hand-fused agree with the reference evaluator" {
                w.Prepare 7
                TypeChecker.Check w.PerExample.Function
                let reference = referenceBatched w
                w.Verify("reference vmap", [| reference |], w.Batch)
                for name, out in [ "TensorPrimitives", w.RunTensorPrimitives(); "hand-fused", w.RunHandFused() ] do
                    Expect.equal out.Length reference.Length $"{name}: output length"
                    for i in 0 .. out.Length - 1 do
                        let d = abs (float out.[i] - float reference.[i]) / (1.0 + abs (float reference.[i]))
                        if not (d <= w.Tolerance) then
                            failtestf "%s %s: output %d is %g, the reference evaluator gives %g" w.Id name i out.[i] reference.[i]
            }
        for w in realistic () do
            test $"{w.Id}: plain-loop agrees with the reference evaluator, and every method with plain-loop" {
                w.Prepare 7
                TypeChecker.Check w.PerExample.Function
                TypeChecker.Check(w.BatchedFunction w.Batch)
                w.Verify("reference vmap", referenceBatchedAll w, w.Batch)
                let settings = RunSettings.ForQuick(System.IO.TextWriter.Null, 7)
                let cases =
                    [ for m in w.BaselineMethods -> Methods.Baseline(w, m)
                      for m in Methods.BackendNames w -> Methods.ForBackend(w, ArrayLang.Backends.Cpu.CpuBackend.Instance, m, settings) ]
                Expect.equal (cases |> List.map (fun c -> c.Method)) (List.ofSeq (Methods.Names w)) "every method of the workload is checked"
                for c in cases do
                    Expect.equal c.Examples w.Batch $"{c.Method} runs the whole tiny batch"
                    w.Verify($"{c.Method} on {c.Backend}", c.Run.Invoke(), c.Examples)
            }
        test "the hand-fused baselines' vector math is within its documented error at every width (Note [bench fast math])" {
            // Worst error of a vector function at one width against double math over an evenly spaced sweep plus edge values.
            let worstAt (width: int) (load: float32[] -> int -> float32[] -> int -> unit) (lo: float) (hi: float) (g: float -> float) (err: float -> float -> float) =
                let n = 1 <<< 16
                let xs = Array.init n (fun i -> float32 (lo + (hi - lo) * float i / float (n - 1)))
                let xs = Array.append xs [| 0.0f; -0.0f; float32 lo; float32 hi; 0.4999f; 0.5f; -0.5f; 1e-6f |] |> Array.filter (fun x -> float x >= lo && float x <= hi)
                let padded = Array.append xs (Array.zeroCreate (width - xs.Length % width))
                let out = Array.zeroCreate<float32> padded.Length
                for i in 0 .. width .. padded.Length - 1 do load padded i out i
                Seq.init xs.Length (fun i -> err (float out.[i]) (g (float xs.[i]))) |> Seq.max
            let abs' got exp = abs (got - exp)
            let rel got exp = abs (got - exp) / max (abs exp) 1e-30
            // The function at each width: 16, 8 and 4 lanes.
            let at512 (f: V512<float32> -> V512<float32>) (src: float32[]) i (dst: float32[]) j =
                (f (V512<float32>(Vector512.Create<float32>(System.ReadOnlySpan(src, i, 16))))).V.CopyTo(System.Span(dst, j, 16))
            let at256 (f: V256<float32> -> V256<float32>) (src: float32[]) i (dst: float32[]) j =
                (f (V256<float32>(Vector256.Create<float32>(System.ReadOnlySpan(src, i, 8))))).V.CopyTo(System.Span(dst, j, 8))
            let at128 (f: V128<float32> -> V128<float32>) (src: float32[]) i (dst: float32[]) j =
                (f (V128<float32>(Vector128.Create<float32>(System.ReadOnlySpan(src, i, 4))))).V.CopyTo(System.Span(dst, j, 4))
            let widths =
                [ "512", 16, (at512 FastMath.Sin, at512 FastMath.Exp, at512 FastMath.Tanh)
                  "256", 8, (at256 FastMath.Sin, at256 FastMath.Exp, at256 FastMath.Tanh)
                  "128", 4, (at128 FastMath.Sin, at128 FastMath.Exp, at128 FastMath.Tanh) ]
            for name, lanes, (sin', exp', tanh') in widths do
                Expect.isLessThan (worstAt lanes sin' -1e4 1e4 sin abs') 2e-7 $"sin at {name} bits, absolute, |x| <= 1e4"
                Expect.isLessThan (worstAt lanes exp' -87.0 88.0 exp rel) 2e-7 $"exp at {name} bits, relative"
                Expect.isLessThan (worstAt lanes tanh' -20.0 20.0 tanh abs') 2e-7 $"tanh at {name} bits, absolute"
                Expect.isLessThan (worstAt lanes tanh' -20.0 20.0 tanh rel) 4e-7 $"tanh at {name} bits, relative"
        }
        test "a method whose outputs differ from the oracle fails loudly" {
            let w = W1Elementwise(20)
            w.Prepare 7
            let wrong = Array.map Array.copy w.Expected
            wrong.[0].[13] <- wrong.[0].[13] + 0.01f
            Expect.throwsT<BenchmarkCheckFailed> (fun () -> w.Verify("wrong", wrong, 20)) "a wrong output is caught"
        }
        test "a method that throws or disagrees becomes a failed row, which the JSON keeps" {
        let w = W1Elementwise(20)
        w.Prepare 7
        let settings = RunSettings.ForQuick(System.IO.TextWriter.Null, 7)
        let thrown = Runner.TimeOrFailure(w, "cpu", Methods.JitVmap, System.Func<MethodCase>(fun () -> failwith "a compiler bug"), settings)
        Expect.isTrue thrown.Failed "an exception is a failed row"
        Expect.stringContains thrown.Error "a compiler bug" "the row says what was thrown"
        let zeros = MethodCase(Methods.BaselineBackend, Methods.HandFused, 20, System.Func<float32[][]>(fun () -> [| Array.zeroCreate 20 |]))
        let wrong = Runner.TimeOrFailure(w, Methods.BaselineBackend, Methods.HandFused, System.Func<MethodCase>(fun () -> zeros), settings)
        Expect.isTrue wrong.Failed "a disagreement is a failed row"
        Expect.stringContains wrong.Error "the oracle says" "the row says where it disagreed"
        let path = System.IO.Path.GetTempFileName()
        try
            ArrayLang.Bench.Report.JsonReport.Write(path, [ thrown; wrong ])
            let back = ArrayLang.Bench.Report.JsonReport.Read path
            Expect.equal (back |> List.ofSeq |> List.map (fun r -> r.Method, r.Failed, r.Error)) [ Methods.JitVmap, true, thrown.Error; Methods.HandFused, true, wrong.Error ] "failed rows read back"
        finally
            System.IO.File.Delete path
    }
]

/// The FsCheck kit (ArrayLang.FsCheck) used as a user would: "this function's vmap equals its loop"
/// for our own functions, and a check that it catches a function whose batched form differs.
module ArrayLang.Tests.FrontEnds.KitTests

open Expecto
open FsCheck
open FsCheck.FSharp
open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Compile
open ArrayLang.FSharp
open ArrayLang.FsCheck

type Lin<'T> = { W: 'T; B: 'T }

let private config = { FsCheckConfig.defaultConfig with maxTest = 25 }
let private f32 (dims: int list) = AVal.Of(DType.F32, Array.ofList dims)

[<Tests>]
let tests =
    testList "front ends/FsCheck kit" [
        testPropertyWithConfig config "W1 vmap = loop" (VmapProperty.equalsLoopDefault [ f32 []; f32 [] ] (fun (x: Tensor) (y: Tensor) -> x * y + sin x))
        testPropertyWithConfig config "shared weights, batch along axis 1, reference backend" (
            VmapProperty.equalsLoop { VmapCheck.Default with InAxes = [ None; Some 1 ]; Backend = ReferenceBackend.Instance }
                [ f32 [ 3; 4 ]; f32 [ 4 ] ] (fun (w: Tensor) (x: Tensor) -> tanh (Tensor.dot w x)))
        testPropertyWithConfig config "a record argument, a tuple result with out axes" (
            VmapProperty.equalsLoop { VmapCheck.Default with InAxes = [ None; Some 0 ]; OutAxes = [ Some 1; None ] }
                [ f32 [ 2; 3 ]; f32 [ 2 ]; f32 [ 3 ] ] (fun (p: Lin<Tensor>) (x: Tensor) -> (Tensor.dot p.W x + p.B), Tensor.sum p.B))
        testPropertyWithConfig config "vectorize with a loop and a branch, sequences along axis 1" (
            VmapProperty.equalsLoop { VmapCheck.Default with InAxes = [ None; Some 1; Some 0 ] }
                [ f32 []; f32 [ 4 ]; f32 [] ] VectorizeTests.rnn)
        testPropertyWithConfig config "while with a per-example condition" (
            VmapProperty.equalsLoop { VmapCheck.Default with Values = { ValueRange.Default with IntLow = 1; IntHigh = 30 } }
                [ AVal.Scalar DType.I32 ] VectorizeTests.collatz)
        test "the property fails for a function whose batched form differs from its loop" {
            let mutable traces = 0
            // impure: each trace captures a different number, so the batched trace differs from the per-example one
            let impure (x: Tensor) = traces <- traces + 1; x + float traces
            let property = VmapProperty.equalsLoopDefault [ f32 [ 2 ] ] impure
            Expect.throws (fun () -> Check.One(Config.QuickThrowOnFailure.WithQuietOnSuccess(true), property)) "caught"
        }
        test "as an xUnit fact (docs/fsharp.md): Check.QuickThrowOnFailure passes a function that batches, and throws the shrunk arrays for one that does not" {
            VmapProperty.equalsLoop { VmapCheck.Default with InAxes = [ None; Some 0 ] }
                [ f32 [ 3; 4 ]; f32 [ 4 ] ] (fun (w: Tensor) (x: Tensor) -> tanh (Tensor.dot w x))
            |> Check.QuickThrowOnFailure
            let mutable traces = 0
            let impure (x: Tensor) = traces <- traces + 1; x + float traces
            let message =
                try VmapProperty.equalsLoopDefault [ f32 [ 2 ] ] impure |> Check.QuickThrowOnFailure; "" with e -> e.Message
            Expect.stringContains message "Falsifiable" "the property failed"
            Expect.stringContains message "result leaf 0: vmap gave f32[1,2]" "shrunk to one example, naming the result that differs"
            Expect.stringContains message "the loop gave f32[1,2]" "and what the loop gave"
        }
        test "the tolerance is applied: a difference it covers passes, the same difference without it fails" {
            let offBy (tolerance: float) =
                let mutable traces = 0
                // each trace adds a different constant: batched and per-example results differ by a few units
                let impure (x: Tensor) = traces <- traces + 1; x + float traces
                VmapProperty.equalsLoop { VmapCheck.Default with AbsoluteTolerance = tolerance } [ f32 [ 2 ] ] impure
            Check.One(Config.QuickThrowOnFailure.WithQuietOnSuccess(true).WithMaxTest(20), offBy 1000.0)
            Expect.throws (fun () -> Check.One(Config.QuickThrowOnFailure.WithQuietOnSuccess(true).WithMaxTest(20), offBy 1e-6)) "caught without the tolerance"
        }
        test "generators give arrays of the aval, in the range" {
            let t = AVal.Of(DType.F32, 2, 3)
            for a in Gen.sample 20 (ArrayGen.ofAValIn { ValueRange.Default with Low = 1.0; High = 2.0 } t) do
                Expect.equal a.Type t "type"
                Expect.isTrue (a.F32 |> Array.forall (fun v -> v >= 1.0f && v <= 2.0f)) "range"
            for b in Gen.sample 10 (ArrayGen.batchOf ValueRange.Default t (Some -1) 5) do
                Expect.equal (b.Type.ToString()) "f32[2,3,5]" "batch along the last axis"
            Expect.isNonEmpty (ArrayGen.shrink (Gen.sample 1 (ArrayGen.ofAVal t)).[0] |> List.ofSeq) "shrinks"
        }
    ]

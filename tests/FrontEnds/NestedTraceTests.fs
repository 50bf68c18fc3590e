/// The core helpers the front ends stand on (Core.CSharp/Tracing, Note [nested traces]): a
/// sub-function traced inside a running trace lifts the enclosing tensors it uses, through every
/// level; an array captured inside it is captured by the outermost trace; a tensor of a finished
/// trace is still an error. And the F# Tensor module's data-last functions against plain F#.
module ArrayLang.Tests.FrontEnds.NestedTraceTests

open Expecto
open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.FSharp

let private s32 = AVal.Scalar DType.F32
let private ro (xs: Tensor list) = ResizeArray xs :> System.Collections.Generic.IReadOnlyList<Tensor>

[<Tests>]
let tests =
    testList "front ends/nested traces" [
        test "Trace.Nested lifts enclosing tensors once, through two levels, and Inline records the result" {
            let mutable inner = None
            let f =
                Trace.Function([ s32; s32 ], fun args ->
                    let a, b = args.[0], args.[1]
                    let outer =
                        Trace.Nested([ s32 ], fun xs ->
                            let level2 = Trace.Nested([ s32 ], fun ys -> ro [ ys.[0] * a + b * a ])
                            inner <- Some level2
                            ro [ xs.[0] + Trace.Innermost.Inline(level2.Function, ro [ yield! level2.Captured; xs.[0] ]).[0] ])
                    Expect.equal outer.Captured.Count 2 "a and b, each once"
                    Expect.equal (outer.Function.Params.Length) 3 "two captured, one input"
                    Trace.Innermost.Inline(outer.Function, ro [ yield! outer.Captured; a ]))
            let level2 = inner.Value
            Expect.equal level2.Captured.Count 2 "the inner function captured a and b from the middle level"
            Expect.isTrue (level2.Captured |> Seq.forall (fun t -> t.Context.Parent <> null)) "its captures belong to the middle trace"
            let r = f.Evaluate(NDArray.Of([| 2.0f |], [||]), NDArray.Of([| 3.0f |], [||]))
            Expect.equal r.[0].F32 [| 2.0f + (2.0f * 2.0f + 3.0f * 2.0f) |] "x + (x a + b a) at x = a"
        }
        test "an array captured in a nested trace becomes a const parameter of the outermost function" {
            let w = NDArray.Of([| 10.0f |], [||])
            let f = Trace.Function([ s32 ], fun args -> ro [ ControlFlow.scanSteps 2 (fun (c: Tensor) -> c * w, c) args.[0] |> fst ])
            Expect.isTrue f.Function.ConstMask.[0] "const first"
            Expect.equal f.Constants.Count 1 "one constant"
            Expect.equal (f.Evaluate(NDArray.Of([| 1.5f |], [||])).[0].F32) [| 150.0f |] "1.5 * 10 * 10"
        }
        test "a tensor kept from a finished trace is an error" {
            let mutable leaked = None
            Trace.Function([ s32 ], fun args -> leaked <- Some args.[0]; ro [ args.[0] ]) |> ignore
            Expect.throwsT<TraceException> (fun () -> Trace.Function([ s32 ], fun args -> ro [ args.[0] + leaked.Value ]) |> ignore) "leaked"
        }
        test "Tensor functions: reshape, transpose, slice, stack, concat, setAt, take, argmax, cumsum, where" {
            let f (x: Tensor) =
                let m = x |> Tensor.reshape [ 2; 3 ]
                let t = Tensor.transpose m                                    // [3, 2]
                let s = m |> Tensor.slice [ 0; 1 ] [ 2; 3 ]                   // [[1, 2], [4, 5]]
                let st = Tensor.stack 0 [ Tensor.item 0 m; Tensor.item 1 m ] // m again
                let c = Tensor.concat 1 [ s; s ]                              // [2, 4]
                let u = m |> Tensor.setAt (Tensor.scalarOf DType.I32 1.0) (Tensor.zerosLike (Tensor.item 0 m))
                let g = x |> Tensor.take 0 (Tensor.iota 2)                    // x0, x1
                let am = Tensor.argmax 0 x
                let cs = Tensor.cumsum 0 x
                let w = Tensor.where (x .> 2.0) x (Tensor.fullLike -1.0 x)
                Tensor.sum t, Tensor.sumAxes [ 1 ] s, Tensor.sum (st - m), Tensor.shape c |> List.sum |> float |> Tensor.scalar, Tensor.sum u, g, am, cs, w
            let g : float32[] -> float32 * float32[] * float32 * float32 * float32 * float32[] * int * float32[] * float32[] = jit f
            let x = [| 0.0f; 1.0f; 2.0f; 3.0f; 4.0f; 5.0f |]
            Expect.equal (g x) (15.0f, [| 3.0f; 9.0f |], 0.0f, 6.0f, 3.0f, [| 0.0f; 1.0f |], 5, [| 0.0f; 1.0f; 3.0f; 6.0f; 10.0f; 15.0f |], [| -1.0f; -1.0f; -1.0f; 3.0f; 4.0f; 5.0f |]) "values"
        }
    ]

module ArrayLang.Tests.Tracing.TracingTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Tracing
open ArrayLang.Tests.TestUtil

let private s32 = AVal.Scalar DType.F32

[<Tests>]
let tests =
    testList "tracing" [
        test "F# operators and math functions record the expected IR" {
            let f = Trace.Function((fun (x: Tensor) (y: Tensor) -> x * y + sin x), s32, s32)
            Expect.equal (string f.Function)
                "func f(x: f32[], y: f32[]) -> (f32[]) {\n  a: f32[] = mul(x, y)\n  b: f32[] = sin(x)\n  c: f32[] = add(a, b)\n  return (c)\n}\n"
                "IR text"
        }
        test "numbers become literals of the tensor's dtype" {
            let f = Trace.Function((fun (x: Tensor) -> 2.0 * x + 1.0), AVal.Of(DType.I32, 3))
            Expect.stringContains (string f.Function) "mul(2, x)" "i32 literal on the left"
            Expect.stringContains (string f.Function) "add(a, 1)" "i32 literal on the right"
            let g = Trace.Function((fun (x: Tensor) -> x * 0.5), AVal.Of(DType.F64, 2))
            Expect.stringContains (string g.Function) "mul(x, 0.5)" "f64 literal"
        }
        test "a number that does not fit the dtype is an error naming it" {
            let e = raises<TraceException> (fun () ->
                        Trace.Function((fun (x: Tensor) -> x + 1.5), AVal.Of(DType.I32, 3)) |> ignore)
            Expect.stringContains e.Message "1.5" "the number"
            Expect.stringContains e.Message "i32" "the dtype"
        }
        test "captured arrays become const parameters, captured once" {
            let w = NDArray.Of([| 1.0f; 2.0f; 3.0f |], 3)
            let f = Trace.Function((fun (x: Tensor) -> x * w + w), AVal.Of(DType.F32, 3))
            Expect.equal f.Function.Params.Length 2 "one const and one argument"
            Expect.isTrue f.Function.ConstMask.[0] "the constant comes first and is const"
            Expect.stringContains (string f.Function) "func f(const c: f32[3], x: f32[3])" "text marks it const"
            let r = f.Evaluate(NDArray.Of([| 1.0f; 1.0f; 2.0f |], 3))
            Expect.sequenceEqual (r.[0].F32) [| 2.0f; 4.0f; 9.0f |] "x * w + w"
        }
        test "shape errors name the operation, the shapes and the user's source line" {
            let e = raises<TraceException> (fun () ->
                        Trace.Function((fun (x: Tensor) (y: Tensor) -> x + y), AVal.Of(DType.F32, 3), AVal.Of(DType.F32, 4)) |> ignore)
            Expect.stringContains e.Message "add" "operation"
            Expect.stringContains e.Message "f32[3]" "first shape"
            Expect.stringContains e.Message "f32[4]" "second shape"
            Expect.isSome (Option.ofObj e.Location) "a location was found"
            Expect.stringContains e.Location.File "TracingTests.fs" "the user's file"
        }
        test "reductions, dot and indexing trace and evaluate" {
            let f =
                Trace.Function(
                    (fun (m: Tensor) (v: Tensor) -> (m.Dot v).Sum() + m.[1].[0] + Tensor.Max(v, 0.0).MaxOver()),
                    AVal.Of(DType.F32, 2, 2), AVal.Of(DType.F32, 2))
            let r = f.Evaluate(NDArray.Of([| 1.0f; 2.0f; 3.0f; 4.0f |], 2, 2), NDArray.Of([| 1.0f; -1.0f |], 2))
            // m.v = [-1, -1] -> sum -2; m[1][0] = 3; max(max(v,0)) = 1
            Expect.equal (r.[0].F32.[0]) 2.0f "value"
        }
        test "a traced function vmaps like any other" {
            let f = Trace.Function((fun (x: Tensor) (y: Tensor) -> x * y + sin x), s32, s32)
            checkVmapEqualsLoop (Random 3) f.Function [ Some 0; None ] 5
        }
        test "operations outside a trace say a trace is needed" {
            let e = raises<IrException> (fun () -> Tensor.Iota([| 3 |]) |> ignore)
            Expect.stringContains e.Message "Trace.Function" "what to do"
        }
        test "a tensor kept from a finished trace and used outside any trace is a located error" {
            let mutable kept = None
            Trace.Function((fun (x: Tensor) -> kept <- Some x; x), AVal.Of(DType.F32, 3)) |> ignore
            let t = kept.Value
            let uses : (string * (unit -> Tensor)) list =
                [ "t + 1.0", (fun () -> t + 1.0)
                  "t * t", (fun () -> t * t)
                  "sin t", (fun () -> sin t)
                  "t + an array", (fun () -> t + NDArray.Of([| 1.0f; 2.0f; 3.0f |], 3))
                  "-t", (fun () -> -t) ]
            for what, useIt in uses do
                let e = raises<TraceException> (fun () -> useIt () |> ignore)
                Expect.stringContains e.Message "a trace that has finished" what
                match e.Location with
                | null -> failtestf "%s: no location in %s" what e.Message
                | loc -> Expect.stringEnds loc.File "TracingTests.fs" (sprintf "%s: the user's file" what)
        }
    ]

module ArrayLang.Tests.Primitives.CustomPrimitiveTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Primitives
open ArrayLang.Transforms
open ArrayLang.Reference
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.Tests.TestUtil

let private parse text = IrParser.ParseFunction(text, "<test>", null, null)

// softplus(x) = log1p(exp(x)) on f32[3], traced from C#'s Tensor API.
let private softplusImpl = Trace.Function((fun (x: Tensor) -> Tensor.Log1p(Tensor.Exp x)), f32 [ 3 ]).Function

// Its batching rule: the same elementwise code on the batched operand (batch axis 0).
let private softplusRule =
    CustomBatchingRule(fun b batched ->
        Trace.Function((fun (x: Tensor) -> Tensor.Log1p(Tensor.Exp x)), f32 [ b; 3 ]).Function)

let private declared = lazy (CustomPrimitives.Declare("softplus_test", softplusImpl, batchingRule = softplusRule))

// A primitive of two operands without a rule, opting in to the sequential fallback.
let private scaleImpl =
    parse "func scale(x: f32[3], s: f32[]) -> (f32[3]) {\n  b: f32[3] = broadcast_in_dim[shape=[3], dims=[]](s)\n  r: f32[3] = mul(x, b)\n  return (r)\n}"
let private scale = lazy (CustomPrimitives.Declare("scale_test", scaleImpl, sequentialFallback = true))
let private noRule = lazy (CustomPrimitives.Declare("norule_test", softplusImpl))

[<Tests>]
let tests =
    testList "custom primitives" [
        test "a declared primitive parses, prints, type-checks and evaluates by its implementation" {
            declared.Force() |> ignore
            let f = parse "func f(x: f32[3]) -> (f32[3]) {\n  y: f32[3] = softplus_test(x)\n  return (y)\n}"
            Expect.equal (parse (string f)) f "round trip"
            let x = NDArray.Of([| -1.0f; 0.0f; 2.0f |], 3)
            let r = ReferenceEvaluator.Evaluate(f, [| x |])
            let expected = [| -1.0; 0.0; 2.0 |] |> Array.map (fun v -> float32 (Math.Log(1.0 + Math.Exp v)))
            Expect.sequenceEqual r.[0].F32 expected "softplus"
        }
        test "softplus_test/vmap = loop through the user's rule, with no loop over the batch" {
            declared.Force() |> ignore
            let f = parse "func f(x: f32[3]) -> (f32[3]) {\n  y: f32[3] = softplus_test(x)\n  return (y)\n}"
            for axes in [ [ Some 0 ]; [ Some 1 ] ] do
                for b in [ 0; 1; 3 ] do checkVmapEqualsLoop (Random 2) f axes b
            let g = Vmap.Apply(f, 4, ResizeArray [ Nullable 1 ])
            Expect.isFalse ((string g).Contains "scan") "the rule's code is inlined, not a loop"
            Expect.stringContains (string g) "log1p" "the rule's equations"
        }
        test "the sequential fallback is a scan over the examples, only when opted in" {
            scale.Force() |> ignore
            let f = parse "func f(x: f32[3], s: f32[]) -> (f32[3]) {\n  y: f32[3] = scale_test(x, s)\n  return (y)\n}"
            for axes in [ [ Some 0; None ]; [ None; Some 0 ]; [ Some 1; Some 0 ] ] do
                for b in [ 0; 1; 3 ] do checkVmapEqualsLoop (Random 3) f axes b
            let g = Vmap.Apply(f, 4, ResizeArray [ Nullable 0; Nullable() ])
            Expect.stringContains (string g) "scan[length=4" "a scan over the batch"
        }
        test "vmap of a primitive with no rule and no fallback is an error naming it" {
            noRule.Force() |> ignore
            let f = parse "func f(x: f32[3]) -> (f32[3]) {\n  y: f32[3] = norule_test(x)\n  return (y)\n}"
            Expect.throwsC (fun () -> Vmap.Apply(f, 2, ResizeArray [ Nullable 0 ]) |> ignore) (fun e ->
                Expect.stringContains e.Message "norule_test" "names the primitive"
                Expect.stringContains e.Message "sequential fallback" "says how to fix it")
        }
        test "a wrong batching rule is reported with the expected and found types" {
            let bad = CustomBatchingRule(fun _ _ -> softplusImpl)
            let p = CustomPrimitives.Declare("badrule_test", softplusImpl, batchingRule = bad)
            let f = parse "func f(x: f32[3]) -> (f32[3]) {\n  y: f32[3] = badrule_test(x)\n  return (y)\n}"
            Expect.throwsC (fun () -> Vmap.Apply(f, 2, ResizeArray [ Nullable 0 ]) |> ignore) (fun e ->
                Expect.stringContains e.Message "f32[2,3]" "expected type")
            ignore p
        }
        test "Expand replaces user-defined primitives by their implementations" {
            declared.Force() |> ignore
            let f = parse "func f(x: f32[3]) -> (f32[3]) {\n  y: f32[3] = softplus_test(x)\n  z: f32[3] = neg(y)\n  return (z)\n}"
            let g = CustomPrimitives.Expand f
            Expect.isFalse ((string g).Contains "softplus_test") "expanded"
            let x = NDArray.Of([| -1.0f; 0.5f; 2.0f |], 3)
            expectBitwise (ReferenceEvaluator.Evaluate(g, [| x |])).[0] (ReferenceEvaluator.Evaluate(f, [| x |])).[0] "same result"
        }
        test "declaring a name twice or an invalid name is an error" {
            declared.Force() |> ignore
            Expect.throwsC (fun () -> CustomPrimitives.Declare("softplus_test", softplusImpl) |> ignore) (fun e ->
                Expect.stringContains e.Message "already exists" "message")
            Expect.throwsC (fun () -> CustomPrimitives.Declare("add", softplusImpl) |> ignore) (fun e ->
                Expect.stringContains e.Message "already exists" "a built-in name")
            Expect.throwsC (fun () -> CustomPrimitives.Declare("2bad", softplusImpl) |> ignore) (fun e ->
                Expect.stringContains e.Message "cannot name a primitive" "message")
        }
    ]

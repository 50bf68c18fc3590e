module ArrayLang.Tests.Primitives.ReductionTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Primitives
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Transforms
open ArrayLang.Tests.TestUtil

// ---------------------------------------------------------------------------------------------
// Helpers shared with ContractionTests (this file compiles first).

/// Arrays from F# lists with explicit dims (an empty dims list means a scalar).
let af32 (dims: int list) (xs: float32 list) = NDArray.Of(Array.ofList xs, Array.ofList dims)
let af64 (dims: int list) (xs: float list) = NDArray.Of(Array.ofList xs, Array.ofList dims)
let ai32 (dims: int list) (xs: int list) = NDArray.Of(Array.ofList xs, Array.ofList dims)

/// Evaluates a one-equation function of `prim` on `args` with the reference evaluator, after
/// type checking it.
let run (prim: Primitive) (ps: PrimParams) (args: NDArray list) =
    let f = singleEquation prim ps (args |> List.map (fun a -> a.Type))
    TypeChecker.Check f
    (ReferenceEvaluator.Evaluate(f, ResizeArray args)).[0]

/// The result type the shape rule gives.
let infer (prim: Primitive) (ps: PrimParams) (types: AVal list) =
    (singleEquation prim ps types).ResultTypes.[0]

/// Bitwise equality of every element except that any NaN equals any NaN (payloads are not part
/// of the semantics); -0.0 still differs from 0.0.
let sameValues (a: NDArray) (b: NDArray) =
    a.Type = b.Type
    && Seq.forall (fun i ->
        let x, y = a.GetDouble(int64 i), b.GetDouble(int64 i)
        (Double.IsNaN x && Double.IsNaN y) || BitConverter.DoubleToInt64Bits x = BitConverter.DoubleToInt64Bits y) [ 0 .. a.Length - 1 ]

let expectSame (actual: NDArray) (expected: NDArray) msg =
    if not (sameValues actual expected) then failtestf "%s: expected %O, found %O" msg expected actual

/// Runs `thunk` and expects a TypeError whose message contains every fragment.
let numericDTypes = [ DType.F32; DType.F64; DType.I32 ]

/// Every batch placement of an argument of per-example rank `rank`: none, 0..rank, and -1.
let placements rank = None :: [ for a in 0 .. rank -> Some a ] @ [ Some -1 ]

/// Values with many special cases: NaN, +-0, +-inf for floats; INT_MIN, INT_MAX for ints; small
/// integers otherwise (so ties happen for argmax and sums are exact enough to compare bitwise).
let specialArray (rng: Random) (t: AVal) =
    let a = NDArray.Zeros t
    let floats = [| nan; -0.0; 0.0; infinity; -infinity; 1.5; -2.0 |]
    let ints = [| Int32.MinValue; Int32.MaxValue; 0; -1; 1 |]
    for i in 0 .. a.Length - 1 do
        let special = rng.Next 4 = 0
        match t.DType with
        | DType.F32 | DType.F64 ->
            a.SetDouble(int64 i, (if special then floats.[rng.Next floats.Length] else float (rng.Next(-4, 5))))
        | _ -> a.SetDouble(int64 i, (if special then float ints.[rng.Next ints.Length] else float (rng.Next(-4, 5))))
    a

/// vmap = loop on inputs full of special values, compared bitwise (NaN = NaN): a batching rule
/// that only renumbers axes must give exactly the loop's values.
let checkVmapSpecial (rng: Random) (f: Function) (inAxes: int option list) (b: int) =
    let axes = inAxes |> List.map Option.toNullable |> ResizeArray
    let batched = Vmap.Apply(f, b, axes)
    TypeChecker.Check batched
    let args = [ for p, ax in List.zip (List.ofSeq f.Params) inAxes -> specialArray rng (batchedType p.Type ax b) ]
    let normalized = List.map2 (fun (p: Var) ax -> normalizeAxis p.Type.Rank ax) (List.ofSeq f.Params) inAxes
    let expected = loopOf f normalized (List.replicate f.Results.Length 0) b args
    let actual = ReferenceEvaluator.Evaluate(batched, ResizeArray args)
    for j in 0 .. expected.Length - 1 do
        if not (sameValues actual.[j] expected.[j]) then
            failtestf "vmap = loop (special values) failed\nfunction:\n%O\nin_axes: %A, B = %d\nbatched:\n%O\ninputs:\n%s\nvmap: %O\nloop: %O"
                f inAxes b batched (args |> List.map string |> String.concat "\n") actual.[j] expected.[j]

/// The batched function of a one-operand primitive applies the primitive straight to the
/// batched parameter (nothing moved or copied before it) and at most transposes its result.
let expectNoMovesBefore (prim: Primitive) (batched: Function) =
    let first = batched.Equations.[0]
    Expect.equal first.Primitive prim "the primitive is the first equation"
    Expect.isTrue (obj.ReferenceEquals(first.Inputs.[0], batched.Params.[0])) "it reads the batched argument directly"
    Expect.isLessThanOrEqual batched.Equations.Length 2 "at most a transpose to out_axes follows"

// ---------------------------------------------------------------------------------------------

let reduce (axes: int list) = ReduceParams(Array.ofList axes) :> PrimParams
let arg (axis: int) = ArgParams axis :> PrimParams
let cum (axis: int) (reverse: bool) = CumulativeParams(axis, reverse) :> PrimParams

let m23 = af32 [ 2; 3 ] [ 1.0f; 2.0f; 3.0f; 4.0f; 5.0f; 6.0f ]

let reduceTests =
    testList "reduce" [
        test "reduce_sum hand-computed" {
            expectSame (run Reduction.ReduceSum (reduce [ 1 ]) [ m23 ]) (af32 [ 2 ] [ 6.0f; 15.0f ]) "axes=[1]"
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ m23 ]) (af32 [ 3 ] [ 5.0f; 7.0f; 9.0f ]) "axes=[0]"
            expectSame (run Reduction.ReduceSum (reduce [ 0; 1 ]) [ m23 ]) (af32 [] [ 21.0f ]) "axes=[0,1]"
            expectSame (run Reduction.ReduceSum (reduce [ 1; 0 ]) [ m23 ]) (af32 [] [ 21.0f ]) "axes=[1,0]"
            expectSame (run Reduction.ReduceSum (reduce []) [ m23 ]) m23 "axes=[] is a copy"
            expectSame (run Reduction.ReduceSum (reduce []) [ af64 [] [ -0.0 ] ]) (af64 [] [ -0.0 ]) "axes=[] keeps -0.0"
            let x = ai32 [ 2; 2; 2 ] [ 1; 2; 3; 4; 5; 6; 7; 8 ]
            expectSame (run Reduction.ReduceSum (reduce [ 0; 2 ]) [ x ]) (ai32 [ 2 ] [ 1 + 2 + 5 + 6; 3 + 4 + 7 + 8 ]) "i32 axes=[0,2]"
        }
        test "reduce_sum over zero elements is 0" {
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ af32 [ 0; 3 ] [] ]) (af32 [ 3 ] [ 0.0f; 0.0f; 0.0f ]) "f32[0,3] axes=[0]"
            expectSame (run Reduction.ReduceSum (reduce [ 1 ]) [ af32 [ 0; 3 ] [] ]) (af32 [ 0 ] []) "f32[0,3] axes=[1]"
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ ai32 [ 0 ] [] ]) (ai32 [] [ 0 ]) "i32[0]"
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ af64 [ 0 ] [] ]) (af64 [] [ 0.0 ]) "f64[0] gives +0"
        }
        test "reduce_sum wraps i32 and rounds floats once" {
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ ai32 [ 2 ] [ Int32.MaxValue; 1 ] ]) (ai32 [] [ Int32.MinValue ]) "INT_MAX + 1"
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ ai32 [ 3 ] [ Int32.MinValue; Int32.MinValue; 5 ] ]) (ai32 [] [ 5 ]) "2*INT_MIN + 5"
            // f32 step by step: 1e8 + 1 rounds to 1e8, then 0; rounded once it is 1.
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ af32 [ 3 ] [ 1e8f; 1.0f; -1e8f ] ]) (af32 [] [ 1.0f ]) "f32 rounds once"
            // f64 step by step gives 0.6000000000000001; the exact sum rounds to 0.6.
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ af64 [ 3 ] [ 0.1; 0.2; 0.3 ] ]) (af64 [] [ 0.6 ]) "f64 compensated"
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ af64 [ 3 ] [ 1e16; 1.0; -1e16 ] ]) (af64 [] [ 1.0 ]) "f64 cancellation"
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ af32 [ 2 ] [ 3e38f; 3e38f ] ]) (af32 [] [ infinityf ]) "f32 overflow is inf"
        }
        test "reduce_sum with NaN, infinities and -0.0" {
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ af32 [ 2 ] [ 1.0f; nanf ] ]) (af32 [] [ nanf ]) "NaN propagates"
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ af64 [ 2 ] [ infinity; -infinity ] ]) (af64 [] [ nan ]) "inf - inf"
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ af64 [ 2 ] [ infinity; 1.0 ] ]) (af64 [] [ infinity ]) "inf + 1"
            // The sum of the terms alone (no extra +0 term), as IEEE addition gives it.
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ af32 [ 2 ] [ -0.0f; -0.0f ] ]) (af32 [] [ -0.0f ]) "-0 + -0"
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ af32 [ 1 ] [ -0.0f ] ]) (af32 [] [ -0.0f ]) "a single -0"
            expectSame (run Reduction.ReduceSum (reduce [ 0 ]) [ af64 [ 2 ] [ -0.0; 0.0 ] ]) (af64 [] [ 0.0 ]) "-0 + +0"
        }
        test "reduce_prod hand-computed" {
            expectSame (run Reduction.ReduceProd (reduce [ 1 ]) [ m23 ]) (af32 [ 2 ] [ 6.0f; 120.0f ]) "axes=[1]"
            expectSame (run Reduction.ReduceProd (reduce [ 0; 1 ]) [ m23 ]) (af32 [] [ 720.0f ]) "axes=[0,1]"
            expectSame (run Reduction.ReduceProd (reduce [ 0 ]) [ af64 [ 0 ] [] ]) (af64 [] [ 1.0 ]) "empty f64 is 1"
            expectSame (run Reduction.ReduceProd (reduce [ 0 ]) [ ai32 [ 0; 2 ] [] ]) (ai32 [ 2 ] [ 1; 1 ]) "empty i32 is 1"
            expectSame (run Reduction.ReduceProd (reduce [ 0 ]) [ ai32 [ 2 ] [ 65536; 65536 ] ]) (ai32 [] [ 0 ]) "2^32 wraps to 0"
            expectSame (run Reduction.ReduceProd (reduce [ 0 ]) [ ai32 [ 2 ] [ Int32.MaxValue; 2 ] ]) (ai32 [] [ -2 ]) "INT_MAX * 2 wraps"
            expectSame (run Reduction.ReduceProd (reduce [ 0 ]) [ af64 [ 2 ] [ infinity; 0.0 ] ]) (af64 [] [ nan ]) "inf * 0"
            expectSame (run Reduction.ReduceProd (reduce [ 0 ]) [ af32 [ 2 ] [ -0.0f; 3.0f ] ]) (af32 [] [ -0.0f ]) "-0 * 3"
            // Step by step in f32 this overflows to inf; multiplied in double and rounded once it is finite.
            let r = run Reduction.ReduceProd (reduce [ 0 ]) [ af32 [ 3 ] [ 1e30f; 1e30f; 1e-30f ] ]
            Expect.floatClose Accuracy.medium (float r.F32.[0]) 1e30 "f32 product rounds once"
        }
        test "reduce_max and reduce_min hand-computed" {
            let x = af64 [ 2; 3 ] [ 1.0; 5.0; 3.0; 4.0; 2.0; 6.0 ]
            expectSame (run Reduction.ReduceMax (reduce [ 1 ]) [ x ]) (af64 [ 2 ] [ 5.0; 6.0 ]) "max axes=[1]"
            expectSame (run Reduction.ReduceMax (reduce [ 0 ]) [ x ]) (af64 [ 3 ] [ 4.0; 5.0; 6.0 ]) "max axes=[0]"
            expectSame (run Reduction.ReduceMin (reduce [ 1 ]) [ x ]) (af64 [ 2 ] [ 1.0; 2.0 ]) "min axes=[1]"
            expectSame (run Reduction.ReduceMin (reduce [ 0; 1 ]) [ x ]) (af64 [] [ 1.0 ]) "min axes=[0,1]"
            let n = ai32 [ 3 ] [ Int32.MinValue; 7; Int32.MaxValue ]
            expectSame (run Reduction.ReduceMax (reduce [ 0 ]) [ n ]) (ai32 [] [ Int32.MaxValue ]) "i32 max"
            expectSame (run Reduction.ReduceMin (reduce [ 0 ]) [ n ]) (ai32 [] [ Int32.MinValue ]) "i32 min"
        }
        test "reduce_max and reduce_min over zero elements give the identity" {
            expectSame (run Reduction.ReduceMax (reduce [ 0 ]) [ af32 [ 0 ] [] ]) (af32 [] [ -infinityf ]) "f32 max"
            expectSame (run Reduction.ReduceMax (reduce [ 0 ]) [ af64 [ 0 ] [] ]) (af64 [] [ -infinity ]) "f64 max"
            expectSame (run Reduction.ReduceMax (reduce [ 1 ]) [ ai32 [ 2; 0 ] [] ]) (ai32 [ 2 ] [ Int32.MinValue; Int32.MinValue ]) "i32 max"
            expectSame (run Reduction.ReduceMin (reduce [ 0 ]) [ af32 [ 0 ] [] ]) (af32 [] [ infinityf ]) "f32 min"
            expectSame (run Reduction.ReduceMin (reduce [ 0 ]) [ af64 [ 0 ] [] ]) (af64 [] [ infinity ]) "f64 min"
            expectSame (run Reduction.ReduceMin (reduce [ 0 ]) [ ai32 [ 0 ] [] ]) (ai32 [] [ Int32.MaxValue ]) "i32 min"
        }
        test "reduce_max and reduce_min propagate NaN wherever it is" {
            for pos in 0 .. 2 do
                let xs = [ 1.0f; 2.0f; 3.0f ] |> List.mapi (fun i v -> if i = pos then nanf else v)
                expectSame (run Reduction.ReduceMax (reduce [ 0 ]) [ af32 [ 3 ] xs ]) (af32 [] [ nanf ]) $"max, NaN at {pos}"
                expectSame (run Reduction.ReduceMin (reduce [ 0 ]) [ af32 [ 3 ] xs ]) (af32 [] [ nanf ]) $"min, NaN at {pos}"
            expectSame (run Reduction.ReduceMax (reduce [ 0 ]) [ af64 [ 2 ] [ infinity; nan ] ]) (af64 [] [ nan ]) "NaN beats inf"
            expectSame (run Reduction.ReduceMin (reduce [ 1 ]) [ af64 [ 2; 2 ] [ nan; 1.0; 1.0; 2.0 ] ]) (af64 [ 2 ] [ nan; 1.0 ]) "per row"
        }
        test "reduce_max and reduce_min order -0.0 below +0.0" {
            for xs in [ [ -0.0; 0.0 ]; [ 0.0; -0.0 ] ] do
                expectSame (run Reduction.ReduceMax (reduce [ 0 ]) [ af64 [ 2 ] xs ]) (af64 [] [ 0.0 ]) $"max {xs}"
                expectSame (run Reduction.ReduceMin (reduce [ 0 ]) [ af64 [ 2 ] xs ]) (af64 [] [ -0.0 ]) $"min {xs}"
            expectSame (run Reduction.ReduceMax (reduce [ 0 ]) [ af32 [ 2 ] [ -0.0f; -0.0f ] ]) (af32 [] [ -0.0f ]) "max of -0s"
            expectSame (run Reduction.ReduceMin (reduce [ 0 ]) [ af32 [ 1 ] [ 0.0f ] ]) (af32 [] [ 0.0f ]) "min of +0"
            expectSame (run Reduction.ReduceMax (reduce [ 0 ]) [ af32 [ 2 ] [ -infinityf; -5.0f ] ]) (af32 [] [ -5.0f ]) "max with -inf"
        }
        test "reduce shape rule" {
            Expect.equal (infer Reduction.ReduceSum (reduce [ 0; 2 ]) [ f32 [ 2; 3; 4 ] ]) (f32 [ 3 ]) "axes removed"
            Expect.equal (infer Reduction.ReduceMax (reduce [ 2; 0 ]) [ i32 [ 2; 3; 4 ] ]) (i32 [ 3 ]) "any order"
            Expect.equal (infer Reduction.ReduceMin (reduce []) [ f64 [] ]) (f64 []) "scalar, no axes"
            Expect.equal (infer Reduction.ReduceProd (reduce [ 1 ]) [ f32 [ 0; 5 ] ]) (f32 [ 0 ]) "size-0 dims"
        }
        test "reduce type errors" {
            expectTypeError (fun () -> infer Reduction.ReduceSum (reduce [ 2 ]) [ f32 [ 3; 4 ] ]) [ "reduce_sum"; "axis 2"; "out of range"; "f32[3,4]" ]
            expectTypeError (fun () -> infer Reduction.ReduceMax (reduce [ -1 ]) [ f32 [ 3; 4 ] ]) [ "reduce_max"; "axis -1"; "out of range" ]
            expectTypeError (fun () -> infer Reduction.ReduceSum (reduce [ 0 ]) [ f32 [] ]) [ "scalar has no axes" ]
            expectTypeError (fun () -> infer Reduction.ReduceMin (reduce [ 1; 1 ]) [ f32 [ 3; 4 ] ]) [ "reduce_min"; "axis 1"; "twice" ]
            expectTypeError (fun () -> infer Reduction.ReduceProd (reduce [ 0 ]) [ boolT [ 3 ] ]) [ "reduce_prod"; "f32, f64 or i32"; "bool[3]" ]
            expectTypeError (fun () -> infer Reduction.ReduceSum (reduce [ 0 ]) [ f32 [ 3 ]; f32 [ 3 ] ]) [ "expects 1 operand"; "found 2" ]
        }
    ]

let argTests =
    testList "arg" [
        test "argmax and argmin hand-computed" {
            let x = af32 [ 4 ] [ 3.0f; 1.0f; 3.0f; 0.0f ]
            expectSame (run Reduction.ArgMax (arg 0) [ x ]) (ai32 [] [ 0 ]) "first of a tie"
            expectSame (run Reduction.ArgMin (arg 0) [ x ]) (ai32 [] [ 3 ]) "argmin"
            let m = ai32 [ 2; 3 ] [ 1; 5; 5; 7; 2; 7 ]
            expectSame (run Reduction.ArgMax (arg 1) [ m ]) (ai32 [ 2 ] [ 1; 0 ]) "rows"
            expectSame (run Reduction.ArgMax (arg 0) [ m ]) (ai32 [ 3 ] [ 1; 0; 1 ]) "columns"
            expectSame (run Reduction.ArgMin (arg 1) [ m ]) (ai32 [ 2 ] [ 0; 1 ]) "argmin rows"
            expectSame (run Reduction.ArgMin (arg 0) [ m ]) (ai32 [ 3 ] [ 0; 1; 0 ]) "argmin columns"
            let e = ai32 [ 3 ] [ Int32.MinValue; Int32.MaxValue; Int32.MaxValue ]
            expectSame (run Reduction.ArgMax (arg 0) [ e ]) (ai32 [] [ 1 ]) "i32 extremes max"
            expectSame (run Reduction.ArgMin (arg 0) [ e ]) (ai32 [] [ 0 ]) "i32 extremes min"
            expectSame (run Reduction.ArgMax (arg 0) [ af64 [ 1 ] [ -infinity ] ]) (ai32 [] [ 0 ]) "a single -inf"
            expectSame (run Reduction.ArgMin (arg 0) [ af64 [ 2 ] [ infinity; infinity ] ]) (ai32 [] [ 0 ]) "all inf"
        }
        test "argmax and argmin give the first NaN's index" {
            let x = af64 [ 4 ] [ 1.0; nan; 5.0; nan ]
            expectSame (run Reduction.ArgMax (arg 0) [ x ]) (ai32 [] [ 1 ]) "argmax"
            expectSame (run Reduction.ArgMin (arg 0) [ x ]) (ai32 [] [ 1 ]) "argmin"
            for prim in [ Reduction.ArgMax; Reduction.ArgMin ] do
                expectSame (run prim (arg 0) [ af32 [ 3 ] [ nanf; -infinityf; infinityf ] ]) (ai32 [] [ 0 ]) "NaN first"
                expectSame (run prim (arg 0) [ af32 [ 3 ] [ 5.0f; 1.0f; nanf ] ]) (ai32 [] [ 2 ]) "NaN last"
                expectSame (run prim (arg 1) [ af32 [ 2; 2 ] [ 1.0f; nanf; 2.0f; 3.0f ] ]) (ai32 [ 2 ] [ 1; (if prim = Reduction.ArgMax then 1 else 0) ]) "per row"
        }
        test "argmax and argmin treat -0.0 and +0.0 as equal" {
            expectSame (run Reduction.ArgMax (arg 0) [ af32 [ 2 ] [ -0.0f; 0.0f ] ]) (ai32 [] [ 0 ]) "argmax"
            expectSame (run Reduction.ArgMin (arg 0) [ af32 [ 2 ] [ 0.0f; -0.0f ] ]) (ai32 [] [ 0 ]) "argmin"
        }
        test "arg shape rule" {
            Expect.equal (infer Reduction.ArgMax (arg 1) [ f32 [ 2; 3; 4 ] ]) (i32 [ 2; 4 ]) "axis removed, i32"
            Expect.equal (infer Reduction.ArgMin (arg 0) [ f64 [ 5 ] ]) (i32 []) "to a scalar"
            Expect.equal (infer Reduction.ArgMin (arg 1) [ i32 [ 0; 5 ] ]) (i32 [ 0 ]) "another axis may be empty"
            expectSame (run Reduction.ArgMax (arg 1) [ af32 [ 0; 5 ] [] ]) (ai32 [ 0 ] []) "evaluates to an empty array"
        }
        test "arg type errors" {
            expectTypeError (fun () -> infer Reduction.ArgMax (arg 1) [ f32 [ 3; 0 ] ]) [ "argmax"; "axis=1"; "f32[3,0]"; "size 0" ]
            expectTypeError (fun () -> infer Reduction.ArgMin (arg 0) [ i32 [ 0 ] ]) [ "argmin"; "size 0" ]
            expectTypeError (fun () -> infer Reduction.ArgMax (arg 2) [ f32 [ 3; 4 ] ]) [ "axis=2"; "out of range"; "f32[3,4]" ]
            expectTypeError (fun () -> infer Reduction.ArgMax (arg -1) [ f32 [ 3; 4 ] ]) [ "axis=-1"; "out of range" ]
            expectTypeError (fun () -> infer Reduction.ArgMin (arg 0) [ f32 [] ]) [ "scalar has no axes" ]
            expectTypeError (fun () -> infer Reduction.ArgMax (arg 0) [ boolT [ 3 ] ]) [ "f32, f64 or i32"; "bool[3]" ]
        }
    ]

let cumulativeTests =
    testList "cumulative" [
        test "cumsum hand-computed" {
            let x = af32 [ 4 ] [ 1.0f; 2.0f; 3.0f; 4.0f ]
            expectSame (run Reduction.CumSum (cum 0 false) [ x ]) (af32 [ 4 ] [ 1.0f; 3.0f; 6.0f; 10.0f ]) "forward"
            expectSame (run Reduction.CumSum (cum 0 true) [ x ]) (af32 [ 4 ] [ 10.0f; 9.0f; 7.0f; 4.0f ]) "reverse"
            let m = ai32 [ 2; 2 ] [ 1; 2; 3; 4 ]
            expectSame (run Reduction.CumSum (cum 0 false) [ m ]) (ai32 [ 2; 2 ] [ 1; 2; 4; 6 ]) "axis 0"
            expectSame (run Reduction.CumSum (cum 1 false) [ m ]) (ai32 [ 2; 2 ] [ 1; 3; 3; 7 ]) "axis 1"
            expectSame (run Reduction.CumSum (cum 1 true) [ m ]) (ai32 [ 2; 2 ] [ 3; 2; 7; 4 ]) "axis 1 reverse"
            expectSame (run Reduction.CumSum (cum 0 true) [ m ]) (ai32 [ 2; 2 ] [ 4; 6; 3; 4 ]) "axis 0 reverse"
        }
        test "cumsum edge cases" {
            expectSame (run Reduction.CumSum (cum 0 false) [ ai32 [ 3 ] [ Int32.MaxValue; 1; 1 ] ]) (ai32 [ 3 ] [ Int32.MaxValue; Int32.MinValue; Int32.MinValue + 1 ]) "i32 wraps"
            expectSame (run Reduction.CumSum (cum 0 false) [ af32 [ 3 ] [ 1e8f; 1.0f; -1e8f ] ]) (af32 [ 3 ] [ 1e8f; 1e8f; 1.0f ]) "each element rounds once"
            expectSame (run Reduction.CumSum (cum 0 false) [ af64 [ 3 ] [ 0.1; 0.2; 0.3 ] ]) (af64 [ 3 ] [ 0.1; 0.30000000000000004; 0.6 ]) "f64 compensated"
            expectSame (run Reduction.CumSum (cum 0 false) [ af32 [ 0 ] [] ]) (af32 [ 0 ] []) "empty"
            expectSame (run Reduction.CumSum (cum 0 true) [ af64 [ 2; 0 ] [] ]) (af64 [ 2; 0 ] []) "empty lanes"
            expectSame (run Reduction.CumSum (cum 0 false) [ af64 [ 3 ] [ 1.0; nan; 2.0 ] ]) (af64 [ 3 ] [ 1.0; nan; nan ]) "NaN onwards"
            expectSame (run Reduction.CumSum (cum 0 true) [ af64 [ 3 ] [ 1.0; infinity; -infinity ] ]) (af64 [ 3 ] [ nan; nan; -infinity ]) "inf - inf"
            expectSame (run Reduction.CumSum (cum 0 false) [ af32 [ 2 ] [ -0.0f; -0.0f ] ]) (af32 [ 2 ] [ -0.0f; -0.0f ]) "-0 stays -0"
        }
        test "cummax hand-computed" {
            let x = af64 [ 5 ] [ 1.0; 3.0; 2.0; 5.0; 4.0 ]
            expectSame (run Reduction.CumMax (cum 0 false) [ x ]) (af64 [ 5 ] [ 1.0; 3.0; 3.0; 5.0; 5.0 ]) "forward"
            expectSame (run Reduction.CumMax (cum 0 true) [ x ]) (af64 [ 5 ] [ 5.0; 5.0; 5.0; 5.0; 4.0 ]) "reverse"
            let m = ai32 [ 2; 3 ] [ Int32.MinValue; -5; 3; 2; 1; 0 ]
            expectSame (run Reduction.CumMax (cum 1 false) [ m ]) (ai32 [ 2; 3 ] [ Int32.MinValue; -5; 3; 2; 2; 2 ]) "i32 rows"
            expectSame (run Reduction.CumMax (cum 0 false) [ m ]) (ai32 [ 2; 3 ] [ Int32.MinValue; -5; 3; 2; 1; 3 ]) "i32 columns"
        }
        test "cummax with NaN and -0.0" {
            expectSame (run Reduction.CumMax (cum 0 false) [ af32 [ 3 ] [ 1.0f; nanf; 3.0f ] ]) (af32 [ 3 ] [ 1.0f; nanf; nanf ]) "NaN onwards"
            expectSame (run Reduction.CumMax (cum 0 true) [ af32 [ 3 ] [ 1.0f; nanf; 3.0f ] ]) (af32 [ 3 ] [ nanf; nanf; 3.0f ]) "NaN backwards"
            expectSame (run Reduction.CumMax (cum 0 false) [ af64 [ 3 ] [ -0.0; 0.0; -0.0 ] ]) (af64 [ 3 ] [ -0.0; 0.0; 0.0 ]) "+0 beats -0"
            expectSame (run Reduction.CumMax (cum 0 false) [ af64 [ 2 ] [ -infinity; -infinity ] ]) (af64 [ 2 ] [ -infinity; -infinity ]) "-inf"
        }
        test "cumulative shape rule and type errors" {
            Expect.equal (infer Reduction.CumSum (cum 2 true) [ f32 [ 2; 3; 4 ] ]) (f32 [ 2; 3; 4 ]) "same type"
            Expect.equal (infer Reduction.CumMax (cum 0 false) [ i32 [ 0 ] ]) (i32 [ 0 ]) "size 0 is fine"
            expectTypeError (fun () -> infer Reduction.CumSum (cum 2 false) [ f32 [ 3; 4 ] ]) [ "cumsum"; "axis=2"; "out of range"; "f32[3,4]" ]
            expectTypeError (fun () -> infer Reduction.CumMax (cum -1 false) [ f32 [ 3 ] ]) [ "cummax"; "axis=-1"; "out of range" ]
            expectTypeError (fun () -> infer Reduction.CumSum (cum 0 false) [ f64 [] ]) [ "scalar has no axes" ]
            expectTypeError (fun () -> infer Reduction.CumMax (cum 0 false) [ boolT [ 2 ] ]) [ "cummax"; "f32, f64 or i32"; "bool[2]" ]
        }
    ]

let paramsTests =
    testList "params" [
        test "params print in canonical form" {
            Expect.equal ((reduce [ 2; 0 ]).ToText()) "axes=[2,0]" "reduce"
            Expect.equal ((arg 1).ToText()) "axis=1" "arg"
            Expect.equal ((cum 1 false).ToText()) "axis=1, reverse=false" "default written too"
            let f = singleEquation Reduction.CumSum (cum 0 true) [ f32 [ 3 ] ]
            Expect.stringContains (string f) "cumsum[axis=0, reverse=true](" "printed equation"
        }
        test "params read back, with defaults" {
            let read (prim: Primitive) (pairs: (string * ParamValue) list) =
                prim.ReadParams(ParamReader(prim.Name, pairs |> List.map (fun (k, v) -> Collections.Generic.KeyValuePair(k, v))))
            for ps, prim in [ reduce [ 1; 0 ], (Reduction.ReduceSum :> Primitive); arg 2, Reduction.ArgMin; cum 1 true, Reduction.CumMax ] do
                Expect.equal (prim.ReadParams(ParamReader(prim.Name, ps.ToKeyValues()))) ps $"{prim.Name} round trip"
            Expect.equal (read Reduction.CumSum [ "axis", IntParam 1L ]) (cum 1 false) "reverse defaults to false"
            Expect.throwsT<ParamException> (fun () -> read Reduction.ReduceMax [] |> ignore) "axes is required"
            Expect.throwsT<ParamException> (fun () -> read Reduction.ArgMax [ "axis", IntParam 0L; "reverse", BoolParam true ] |> ignore) "unknown key"
            Expect.equal (reduce [ 0; 1 ]) (reduce [ 0; 1 ]) "params compare by value"
        }
        test "text form parses and prints back" {
            let text =
                "func f(x: f32[2,3]) -> (f32[2], i32[3], f32[2,3], f32[2,3]) {\n"
                + "  a: f32[2] = reduce_sum[axes=[1]](x)\n"
                + "  b: i32[3] = argmax[axis=0](x)\n"
                + "  c: f32[2,3] = cumsum[axis=1, reverse=true](x)\n"
                + "  d: f32[2,3] = cummax[axis=0, reverse=false](x)\n"
                + "  return (a, b, c, d)\n}\n"
            let parsed = IrParser.ParseFunction text
            TypeChecker.Check parsed
            Expect.equal (string parsed) text "parse then print gives the text back"
            let short = IrParser.ParseFunction "func f(x: i32[4]) -> (i32[4]) { a: i32[4] = cummax[axis=0](x) return (a) }"
            Expect.equal short.Equations.[0].Params (cum 0 false) "reverse omitted in text defaults to false"
            let bad = "func f(x: f32[2,3]) -> (f32[2]) { a: f32[2] = reduce_max[axes=[0]](x) return (a) }"
            Expect.throwsT<TypeError> (fun () -> TypeChecker.Check(IrParser.ParseFunction bad)) "declared type checked against the shape rule"
            let lit = "func f(x: f32[2]) -> (f32[]) { a: f32[] = reduce_sum[axes=[]](1.0) return (a) }"
            Expect.throws (fun () -> TypeChecker.Check(IrParser.ParseFunction lit)) "a literal operand is rejected"
        }
        test "no operand may be a literal" {
            for prim, ps in [ (Reduction.ReduceSum :> Primitive), reduce []; Reduction.ArgMax, arg 0; Reduction.CumSum, cum 0 false ] do
                Expect.isFalse (prim.LiteralDType(0, ps, ResizeArray [ null ], ResizeArray [])).HasValue $"{prim.Name} literal rule"
            let b = FunctionBuilder()
            expectTypeError (fun () -> b.Emit(Reduction.ReduceSum, reduce [], ResizeArray [ Literal.Of 1.0f :> Atom ])) [ "reduce_sum"; "literal" ]
        }
    ]

// ---------------------------------------------------------------------------------------------
// vmap = loop: every primitive x every batch placement (none included) x dtypes x B in {0,1,3}.

let reduceCases =
    [ [ 2; 3; 4 ], [ []; [ 0 ]; [ 1 ]; [ 2 ]; [ 0; 2 ]; [ 2; 0 ]; [ 1; 2 ]; [ 0; 1; 2 ] ]
      [ 2; 0; 3 ], [ [ 1 ]; [ 0; 2 ]; [] ]
      [ 5 ], [ [ 0 ]; [] ]
      [], [ [] ] ]

let argCases = [ [ 2; 3; 4 ], [ 0; 1; 2 ]; [ 0; 3 ], [ 1 ]; [ 5 ], [ 0 ] ]

let cumulativeCases = [ [ 2; 3; 4 ], [ 0; 1; 2 ]; [ 2; 0 ], [ 0; 1 ]; [ 5 ], [ 0 ] ]

let forEachVmapCase (f: Function) (dims: int list) (check: int option -> int -> unit) =
    for inAxis in placements dims.Length do
        for b in [ 0; 1; 3 ] do
            check inAxis b

let vmapCheck (prim: Primitive) (ps: PrimParams) (d: DType) (dims: int list) =
    let rng = Random(dims.Length * 31 + int d)
    let f = singleEquation prim ps [ aval d dims ]
    forEachVmapCase f dims (fun inAxis b ->
        checkVmapEqualsLoop rng f [ inAxis ] b
        checkVmapSpecial rng f [ inAxis ] b
        if inAxis.IsSome then
            expectNoMovesBefore prim (Vmap.Apply(f, b, ResizeArray [ Option.toNullable inAxis ])))

let vmapTests =
    testList "vmap" [
        for prim in [ Reduction.ReduceSum; Reduction.ReduceMax; Reduction.ReduceMin; Reduction.ReduceProd ] do
            test $"{prim.Name}/vmap = loop" {
                for dims, axesList in reduceCases do
                    for axes in axesList do
                        for d in numericDTypes do
                            vmapCheck prim (reduce axes) d dims
            }
        for prim in [ Reduction.ArgMax; Reduction.ArgMin ] do
            test $"{prim.Name}/vmap = loop" {
                for dims, axes in argCases do
                    for axis in axes do
                        for d in numericDTypes do
                            vmapCheck prim (arg axis) d dims
            }
        for prim in [ Reduction.CumSum; Reduction.CumMax ] do
            test $"{prim.Name}/vmap = loop" {
                for dims, axes in cumulativeCases do
                    for axis in axes do
                        for reverse in [ false; true ] do
                            for d in numericDTypes do
                                vmapCheck prim (cum axis reverse) d dims
            }
        test "reduce batching renumbers the axes past the batch axis" {
            let f = singleEquation Reduction.ReduceSum (reduce [ 0; 2 ]) [ f32 [ 2; 3; 4 ] ]
            let batched = Vmap.Apply(f, 5, ResizeArray [ Nullable 1 ], ResizeArray [ Nullable 0 ])
            let e = batched.Equations.[0]
            Expect.equal (e.Params.ToText()) "axes=[0,3]" "axes shifted past the batch axis"
            Expect.equal e.Outputs.[0].Type (f32 [ 5; 3 ]) "the batch axis lands at 0 among the kept dims"
            Expect.equal batched.Equations.Length 1 "no transpose needed"
        }
        test "nested vmap of reductions equals the loop" {
            let rng = Random 5
            for prim, ps in [ (Reduction.ReduceMax :> Primitive), reduce [ 1 ]; Reduction.ArgMin, arg 0; Reduction.CumSum, cum 1 true ] do
                let f = singleEquation prim ps [ f64 [ 2; 3 ] ]
                let inner = Vmap.Apply(f, 2, ResizeArray [ Nullable 1 ])
                for ax in [ Some 0; Some 2; Some -1 ] do
                    for b in [ 0; 3 ] do
                        checkVmapEqualsLoop rng inner [ ax ] b
        }
    ]

[<Tests>]
let tests = testList "reduction" [ reduceTests; argTests; cumulativeTests; paramsTests; vmapTests ]

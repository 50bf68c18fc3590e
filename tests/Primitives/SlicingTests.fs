module ArrayLang.Tests.Primitives.SlicingTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Primitives
open ArrayLang.Transforms
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.Primitives.ShapeTests.Helpers

let private rng () = Random 1190

let private idxT = i32 []
let private li (i: int) = L(Literal.Of i)

/// A literal of dtype d (a value every dtype can hold).
let private litOf (d: DType) = if d = DType.Bool then Literal.Of true else Literal(d, 7.0)

let private sliceCases (d: DType) =
    [ build Slicing.Slice (SliceParams([| 1; 0 |], [| 6; 5 |], [| 2; 3 |])) [ P(aval d [ 6; 5 ]) ]
      build Slicing.Slice (SliceParams([| 4 |], [| 4 |], [| 1 |])) [ P(aval d [ 4 ]) ]
      build Slicing.Slice (SliceParams([| 0; 1 |], [| 0; 3 |], [| 1; 1 |])) [ P(aval d [ 0; 3 ]) ]
      build Slicing.Slice (SliceParams([||], [||], [||])) [ P(aval d []) ] ]

let private concatenateCases (d: DType) =
    [ build Slicing.Concatenate (ConcatenateParams 0) [ P(aval d [ 2; 3 ]); P(aval d [ 1; 3 ]); P(aval d [ 0; 3 ]) ]
      build Slicing.Concatenate (ConcatenateParams 1) [ P(aval d [ 2; 1 ]); P(aval d [ 2; 2 ]) ]
      build Slicing.Concatenate (ConcatenateParams 0) [ P(aval d [ 3 ]) ] ]

let private padCases (d: DType) =
    [ build Slicing.Pad (PadParams([| 1; 0 |], [| 0; 2 |])) [ P(aval d [ 2; 3 ]); P(aval d []) ]
      build Slicing.Pad (PadParams([| 1 |], [| 2 |])) [ P(aval d [ 0 ]); P(aval d []) ]
      build Slicing.Pad (PadParams([| 0; 0 |], [| 0; 0 |])) [ P(aval d [ 2; 2 ]); P(aval d []) ]
      build Slicing.Pad (PadParams([| 2; 1 |], [| 1; 0 |])) [ P(aval d [ 2; 2 ]); L(litOf d) ] ]

let private dynamicSliceCases (d: DType) =
    [ build Slicing.DynamicSlice (DynamicSliceParams [| 2; 3 |]) [ P(aval d [ 5; 4 ]); P idxT; P idxT ]
      build Slicing.DynamicSlice (DynamicSliceParams [| 5; 1 |]) [ P(aval d [ 5; 4 ]); P idxT; P idxT ]
      build Slicing.DynamicSlice (DynamicSliceParams [| 0 |]) [ P(aval d [ 3 ]); P idxT ]
      build Slicing.DynamicSlice (DynamicSliceParams [| 0; 1 |]) [ P(aval d [ 0; 2 ]); P idxT; P idxT ]
      build Slicing.DynamicSlice (DynamicSliceParams [| 2; 2 |]) [ P(aval d [ 5; 3 ]); li 7; P idxT ]
      build Slicing.DynamicSlice (DynamicSliceParams [| 2 |]) [ P(aval d [ 5 ]); li -1 ]
      build Slicing.DynamicSlice (DynamicSliceParams [||]) [ P(aval d []) ] ]

let private dynamicUpdateSliceCases (d: DType) =
    [ build Slicing.DynamicUpdateSlice NoParams.Instance [ P(aval d [ 5; 4 ]); P(aval d [ 2; 3 ]); P idxT; P idxT ]
      build Slicing.DynamicUpdateSlice NoParams.Instance [ P(aval d [ 5; 4 ]); P(aval d [ 2; 4 ]); P idxT; P idxT ]
      build Slicing.DynamicUpdateSlice NoParams.Instance [ P(aval d [ 4 ]); P(aval d [ 4 ]); P idxT ]
      build Slicing.DynamicUpdateSlice NoParams.Instance [ P(aval d [ 4 ]); P(aval d [ 0 ]); P idxT ]
      build Slicing.DynamicUpdateSlice NoParams.Instance [ P(aval d [ 3; 0 ]); P(aval d [ 1; 0 ]); P idxT; P idxT ]
      build Slicing.DynamicUpdateSlice NoParams.Instance [ P(aval d [ 5; 3 ]); P(aval d [ 1; 2 ]); li 9; P idxT ]
      build Slicing.DynamicUpdateSlice NoParams.Instance [ P(aval d [ 5 ]); P(aval d [ 2 ]); li -4 ]
      build Slicing.DynamicUpdateSlice NoParams.Instance [ P(aval d []); P(aval d []) ] ]

let private takeCases (d: DType) =
    [ build Slicing.Take (TakeParams 0) [ P(aval d [ 4; 3 ]); P(i32 [ 2 ]) ]
      build Slicing.Take (TakeParams 1) [ P(aval d [ 4; 3 ]); P(i32 [ 2; 2 ]) ]
      build Slicing.Take (TakeParams 0) [ P(aval d [ 4 ]); P idxT ]
      build Slicing.Take (TakeParams 1) [ P(aval d [ 5; 2; 3 ]); P(i32 [ 2 ]) ]
      build Slicing.Take (TakeParams 0) [ P(aval d [ 0; 3 ]); P(i32 [ 0 ]) ]
      build Slicing.Take (TakeParams 0) [ P(aval d [ 2; 0 ]); P(i32 [ 3 ]) ]
      build Slicing.Take (TakeParams 0) [ P(aval d [ 1 ]); P(i32 [ 3 ]) ]
      build Slicing.Take (TakeParams 0) [ P(aval d [ 4 ]); li 6 ] ]

let private vmapTest name (cases: DType -> Function list) =
    test (name + "/vmap = loop") {
        let rng = rng ()
        for d in DTypes.All do
            for f in cases d do
                checkAllPlacements rng f
    }

/// vmap of an already batched function (every operand batched at 0, B = 2) equals the loop:
/// the rules hold on the equations they emit themselves (take, iota, elementwise, select).
let private nestedVmapTest name (cases: DType -> Function list) =
    test (name + "/vmap of vmap = loop") {
        let rng = rng ()
        for d in [ DType.F32; DType.I32 ] do
            for f in cases d do
                let inner = Vmap.Apply(f, 2, ResizeArray [ for _ in f.Params -> Nullable 0 ])
                TypeChecker.Check inner
                for axes in [ [ for _ in inner.Params -> Some 0 ]; [ for i, _ in Seq.indexed inner.Params -> if i = 0 then None else Some 1 ] ] do
                    for b in [ 0; 3 ] do
                        checkVmapEqualsLoop rng inner axes b
    }

[<Tests>]
let tests =
    testList "slicing" [
        testList "slice" [
            test "values with strides and empty slices" {
                let x = ai [ 10 ] [ 0 .. 9 ]
                expectBitwise (eval Slicing.Slice (SliceParams([| 1 |], [| 8 |], [| 3 |])) [ A x ]) (ai [ 3 ] [ 1; 4; 7 ]) "stride 3"
                expectBitwise (eval Slicing.Slice (SliceParams([| 0 |], [| 10 |], [| 2 |])) [ A x ]) (ai [ 5 ] [ 0; 2; 4; 6; 8 ]) "stride 2"
                expectBitwise (eval Slicing.Slice (SliceParams([| 9 |], [| 10 |], [| 5 |])) [ A x ]) (ai [ 1 ] [ 9 ]) "stride past the end"
                expectBitwise (eval Slicing.Slice (SliceParams([| 10 |], [| 10 |], [| 1 |])) [ A x ]) (ai [ 0 ] []) "empty at the end"
                expectBitwise (eval Slicing.Slice (SliceParams([| 3 |], [| 3 |], [| 4 |])) [ A x ]) (ai [ 0 ] []) "empty inside"
                let m = af [ 3; 3 ] [ 1.0f; 2.0f; 3.0f; 4.0f; 5.0f; 6.0f; 7.0f; 8.0f; 9.0f ]
                expectBitwise (eval Slicing.Slice (SliceParams([| 1; 0 |], [| 3; 3 |], [| 1; 2 |])) [ A m ]) (af [ 2; 2 ] [ 4.0f; 6.0f; 7.0f; 9.0f ]) "2-d"
            }
            test "stride defaults to all 1; text form" {
                let ints (xs: int list) = ListParam(Collections.Immutable.ImmutableArray.CreateRange(xs |> List.map (fun v -> IntParam(int64 v) :> ParamValue)))
                let p = Slicing.Slice.ReadParams(ParamReader("slice", [ Collections.Generic.KeyValuePair("start", ints [ 1; 0 ]); Collections.Generic.KeyValuePair("limit", ints [ 2; 3 ]) ]))
                Expect.equal p (SliceParams([| 1; 0 |], [| 2; 3 |], [| 1; 1 |]) :> PrimParams) "default stride"
                Expect.equal (p.ToText()) "start=[1,0], limit=[2,3], stride=[1,1]" "text writes every param"
            }
            test "shape rule" {
                Expect.equal (build Slicing.Slice (SliceParams([| 1 |], [| 8 |], [| 3 |])) [ P(f32 [ 10 ]) ]).ResultTypes.[0] (f32 [ 3 ]) "ceil"
                expectTypeError [ "slice"; "axis 0 of size 4"; "from 1 to 5"; "f32[4]" ] (fun () ->
                    build Slicing.Slice (SliceParams([| 1 |], [| 5 |], [| 1 |])) [ P(f32 [ 4 ]) ] |> ignore)
                expectTypeError [ "from 3 to 2" ] (fun () ->
                    build Slicing.Slice (SliceParams([| 3 |], [| 2 |], [| 1 |])) [ P(f32 [ 4 ]) ] |> ignore)
                expectTypeError [ "from -1 to 2" ] (fun () ->
                    build Slicing.Slice (SliceParams([| -1 |], [| 2 |], [| 1 |])) [ P(f32 [ 4 ]) ] |> ignore)
                expectTypeError [ "stride[0] = 0 must be >= 1" ] (fun () ->
                    build Slicing.Slice (SliceParams([| 0 |], [| 2 |], [| 0 |])) [ P(f32 [ 4 ]) ] |> ignore)
                expectTypeError [ "stride[0] = -1 must be >= 1" ] (fun () ->
                    build Slicing.Slice (SliceParams([| 0 |], [| 2 |], [| -1 |])) [ P(f32 [ 4 ]) ] |> ignore)
                expectTypeError [ "one entry per operand axis (2)" ] (fun () ->
                    build Slicing.Slice (SliceParams([| 0 |], [| 2 |], [| 1 |])) [ P(f32 [ 4; 4 ]) ] |> ignore)
            }
            vmapTest "slice" sliceCases
        ]
        testList "dynamic_slice" [
            test "values; run-time starts are clamped" {
                let x = ai [ 5 ] [ 10; 11; 12; 13; 14 ]
                let ds (i: int) size = eval Slicing.DynamicSlice (DynamicSliceParams [| size |]) [ A x; A(si i) ]
                expectBitwise (ds 1 2) (ai [ 2 ] [ 11; 12 ]) "in range"
                expectBitwise (ds -3 2) (ai [ 2 ] [ 10; 11 ]) "negative start gives 0"
                expectBitwise (ds 4 2) (ai [ 2 ] [ 13; 14 ]) "start 4 clamps to 3"
                expectBitwise (ds Int32.MaxValue 2) (ai [ 2 ] [ 13; 14 ]) "INT_MAX"
                expectBitwise (ds Int32.MinValue 2) (ai [ 2 ] [ 10; 11 ]) "INT_MIN"
                expectBitwise (ds 3 0) (ai [ 0 ] []) "size 0"
                expectBitwise (ds 2 5) x "whole axis: start clamps to 0"
                let m = af [ 3; 3 ] [ 1.0f; 2.0f; 3.0f; 4.0f; 5.0f; 6.0f; 7.0f; 8.0f; 9.0f ]
                let r = eval Slicing.DynamicSlice (DynamicSliceParams [| 2; 1 |]) [ A m; Lit(Literal.Of 5); A(si 1) ]
                expectBitwise r (af [ 2; 1 ] [ 5.0f; 8.0f ]) "2-d with a literal start"
                expectBitwise (eval Slicing.DynamicSlice (DynamicSliceParams [||]) [ A(ad [] [ nan ]) ]) (ad [] [ nan ]) "rank 0"
            }
            test "shape rule" {
                expectTypeError [ "dynamic_slice"; "sizes[1] = 4"; "axis size 3"; "f32[5,3]" ] (fun () ->
                    build Slicing.DynamicSlice (DynamicSliceParams [| 1; 4 |]) [ P(f32 [ 5; 3 ]); P idxT; P idxT ] |> ignore)
                expectTypeError [ "sizes[0] = -1" ] (fun () ->
                    build Slicing.DynamicSlice (DynamicSliceParams [| -1 |]) [ P(f32 [ 5 ]) ; P idxT ] |> ignore)
                expectTypeError [ "one start index per axis (3 operands for f32[5,3])"; "found 2" ] (fun () ->
                    build Slicing.DynamicSlice (DynamicSliceParams [| 1; 1 |]) [ P(f32 [ 5; 3 ]); P idxT ] |> ignore)
                expectTypeError [ "operand 2 must be an i32 scalar"; "f32[]" ] (fun () ->
                    build Slicing.DynamicSlice (DynamicSliceParams [| 1 |]) [ P(f32 [ 5 ]); P(f32 []) ] |> ignore)
                expectTypeError [ "operand 2 must be an i32 scalar"; "i32[1]" ] (fun () ->
                    build Slicing.DynamicSlice (DynamicSliceParams [| 1 |]) [ P(f32 [ 5 ]); P(i32 [ 1 ]) ] |> ignore)
                expectTypeError [ "sizes needs one entry per operand axis (1)" ] (fun () ->
                    build Slicing.DynamicSlice (DynamicSliceParams [| 1; 1 |]) [ P(f32 [ 5 ]); P idxT ] |> ignore)
            }
            test "literals: i32 starts only" {
                let b = FunctionBuilder()
                let x = b.AddParam(f32 [ 5 ])
                let ok = b.Emit1(Slicing.DynamicSlice, DynamicSliceParams [| 1 |], x, Literal.Of 2)
                TypeChecker.Check(b.Build("f", ResizeArray [ ok :> Atom ]))
                let b = FunctionBuilder()
                let x = b.AddParam(f32 [ 5 ])
                expectTypeError [ "must be an i32 scalar" ] (fun () -> b.Emit1(Slicing.DynamicSlice, DynamicSliceParams [| 1 |], x, Literal.Of 2.0f) |> ignore)
                let f =
                    Function("f", [], [ Equation([ Var("y", f32 [ 1 ]) ], Slicing.DynamicSlice, DynamicSliceParams [| 1 |], [ Literal.Of 2.0f :> Atom; Literal.Of 0 ]) ], [])
                expectTypeError [ "operand 1 may not be a literal" ] (fun () -> TypeChecker.Check f)
            }
            test "a shared start on a batched array stays one dynamic_slice (JAX #1190)" {
                let f = build Slicing.DynamicSlice (DynamicSliceParams [| 1; 3 |]) [ P(f32 [ 5; 3 ]); P idxT; li 0 ]
                for axis in [ 0; 1; 2 ] do
                    let g = Vmap.Apply(f, 4, ResizeArray [ Nullable axis; Nullable() ], ResizeArray [ Nullable axis ])
                    TypeChecker.Check g
                    Expect.equal (primitivesOf g) [ "dynamic_slice" ] (sprintf "one dynamic_slice, batch axis %d" axis)
                    let e = g.Equations |> Seq.find (fun e -> e.Primitive = (Slicing.DynamicSlice :> Primitive))
                    Expect.isTrue (e.Inputs |> Seq.exists (fun a -> Object.ReferenceEquals(a, g.Params.[1]))) "the counter stays a scalar operand"
                    Expect.equal (e.Inputs.[1 + axis]) (Literal.Of 0 :> Atom) "start 0 along the batch axis"
            }
            test "per-example starts gather without looping" {
                let f = build Slicing.DynamicSlice (DynamicSliceParams [| 2 |]) [ P(f32 [ 5 ]); P idxT ]
                let g = Vmap.Apply(f, 3, ResizeArray [ Nullable 0; Nullable 0 ])
                let prims = primitivesOf g
                Expect.contains prims "take" "a gather"
                Expect.isFalse (prims |> List.exists (fun p -> p = "scan" || p = "while" || p = "dynamic_slice")) "no loop"
                let xs = af [ 3; 5 ] [ for i in 0 .. 14 -> float32 i ]
                let r = ReferenceEvaluator.Evaluate(g, ResizeArray [ xs; ai [ 3 ] [ -2; 1; 9 ] ]).[0]
                expectBitwise r (af [ 3; 2 ] [ 0.0f; 1.0f; 6.0f; 7.0f; 13.0f; 14.0f ]) "clamped per example"
            }
            vmapTest "dynamic_slice" dynamicSliceCases
            nestedVmapTest "dynamic_slice" (fun d -> dynamicSliceCases d |> List.take 2)
        ]
        testList "dynamic_update_slice" [
            test "values; run-time starts are clamped" {
                let x = ai [ 5 ] [ 0; 0; 0; 0; 0 ]
                let u = ai [ 2 ] [ 1; 2 ]
                let dus (i: int) (u: NDArray) = eval Slicing.DynamicUpdateSlice NoParams.Instance [ A x; A u; A(si i) ]
                expectBitwise (dus 1 u) (ai [ 5 ] [ 0; 1; 2; 0; 0 ]) "in range"
                expectBitwise (dus 4 u) (ai [ 5 ] [ 0; 0; 0; 1; 2 ]) "start 4 clamps to 3"
                expectBitwise (dus -1 u) (ai [ 5 ] [ 1; 2; 0; 0; 0 ]) "negative start gives 0"
                expectBitwise (dus Int32.MinValue u) (ai [ 5 ] [ 1; 2; 0; 0; 0 ]) "INT_MIN"
                expectBitwise (dus 3 (ai [ 0 ] [])) x "empty update"
                expectBitwise (dus 3 (ai [ 5 ] [ 5; 6; 7; 8; 9 ])) (ai [ 5 ] [ 5; 6; 7; 8; 9 ]) "whole update"
                let m = ab [ 2; 3 ] [ false; false; false; false; false; false ]
                let r = eval Slicing.DynamicUpdateSlice NoParams.Instance [ A m; A(ab [ 1; 2 ] [ true; true ]); Lit(Literal.Of 7); A(si 1) ]
                expectBitwise r (ab [ 2; 3 ] [ false; false; false; false; true; true ]) "2-d bool with a literal start"
                Expect.isFalse (x.I32 |> Array.exists ((<>) 0)) "the operand is not mutated"
            }
            test "shape rule" {
                expectTypeError [ "dynamic_update_slice"; "larger than the operand"; "f32[2,4]"; "f32[3,3]"; "axis 1" ] (fun () ->
                    build Slicing.DynamicUpdateSlice NoParams.Instance [ P(f32 [ 3; 3 ]); P(f32 [ 2; 4 ]); P idxT; P idxT ] |> ignore)
                expectTypeError [ "dtype and rank"; "f32[3]"; "i32[2]" ] (fun () ->
                    build Slicing.DynamicUpdateSlice NoParams.Instance [ P(f32 [ 3 ]); P(i32 [ 2 ]); P idxT ] |> ignore)
                expectTypeError [ "dtype and rank"; "f32[1,1]" ] (fun () ->
                    build Slicing.DynamicUpdateSlice NoParams.Instance [ P(f32 [ 3 ]); P(f32 [ 1; 1 ]); P idxT ] |> ignore)
                expectTypeError [ "(3 operands for f32[3])"; "found 4" ] (fun () ->
                    build Slicing.DynamicUpdateSlice NoParams.Instance [ P(f32 [ 3 ]); P(f32 [ 1 ]); P idxT; P idxT ] |> ignore)
                expectTypeError [ "operand 3 must be an i32 scalar" ] (fun () ->
                    build Slicing.DynamicUpdateSlice NoParams.Instance [ P(f32 [ 3 ]); P(f32 [ 1 ]); P(boolT []) ] |> ignore)
            }
            test "a shared start on a batched array stays one dynamic_update_slice" {
                let f = build Slicing.DynamicUpdateSlice NoParams.Instance [ P(f32 [ 5; 3 ]); P(f32 [ 1; 3 ]); P idxT; li 0 ]
                let g = Vmap.Apply(f, 4, ResizeArray [ Nullable 1; Nullable 1; Nullable() ], ResizeArray [ Nullable 1 ])
                Expect.equal (primitivesOf g) [ "dynamic_update_slice" ] "one equation"
            }
            vmapTest "dynamic_update_slice" dynamicUpdateSliceCases
            nestedVmapTest "dynamic_update_slice" (fun d -> dynamicUpdateSliceCases d |> List.take 2)
        ]
        testList "concatenate" [
            test "values" {
                let r = eval Slicing.Concatenate (ConcatenateParams 0) [ A(ai [ 2 ] [ 1; 2 ]); A(ai [ 1 ] [ 3 ]); A(ai [ 0 ] []) ]
                expectBitwise r (ai [ 3 ] [ 1; 2; 3 ]) "1-d"
                let r = eval Slicing.Concatenate (ConcatenateParams 1) [ A(af [ 2; 1 ] [ 1.0f; 2.0f ]); A(af [ 2; 2 ] [ 3.0f; 4.0f; 5.0f; 6.0f ]) ]
                expectBitwise r (af [ 2; 3 ] [ 1.0f; 3.0f; 4.0f; 2.0f; 5.0f; 6.0f ]) "axis 1"
                expectBitwise (eval Slicing.Concatenate (ConcatenateParams 0) [ A(ab [ 1 ] [ true ]) ]) (ab [ 1 ] [ true ]) "one operand"
            }
            test "shape rule" {
                expectTypeError [ "concatenate"; "axis = 2 is out of range"; "rank 2" ] (fun () ->
                    build Slicing.Concatenate (ConcatenateParams 2) [ P(f32 [ 2; 3 ]); P(f32 [ 2; 3 ]) ] |> ignore)
                expectTypeError [ "axis = 0 is out of range"; "rank 0" ] (fun () ->
                    build Slicing.Concatenate (ConcatenateParams 0) [ P(f32 []); P(f32 []) ] |> ignore)
                expectTypeError [ "one dtype"; "operand 2 is i32[3]" ] (fun () ->
                    build Slicing.Concatenate (ConcatenateParams 0) [ P(f32 [ 2 ]); P(i32 [ 3 ]) ] |> ignore)
                expectTypeError [ "operand 2 (f32[2,4]) differs from operand 1 (f32[2,3]) in axis 1" ] (fun () ->
                    build Slicing.Concatenate (ConcatenateParams 0) [ P(f32 [ 2; 3 ]); P(f32 [ 2; 4 ]) ] |> ignore)
                expectTypeError [ "one rank" ] (fun () ->
                    build Slicing.Concatenate (ConcatenateParams 0) [ P(f32 [ 2; 3 ]); P(f32 [ 2 ]) ] |> ignore)
                expectTypeError [ "at least 1 operand" ] (fun () ->
                    build Slicing.Concatenate (ConcatenateParams 0) [] |> ignore)
            }
            vmapTest "concatenate" concatenateCases
        ]
        testList "pad" [
            test "values" {
                let r = eval Slicing.Pad (PadParams([| 1 |], [| 2 |])) [ A(ai [ 2 ] [ 1; 2 ]); A(si 9) ]
                expectBitwise r (ai [ 5 ] [ 9; 1; 2; 9; 9 ]) "1-d"
                let r = eval Slicing.Pad (PadParams([| 0; 1 |], [| 1; 0 |])) [ A(af [ 1; 2 ] [ 1.0f; 2.0f ]); Lit(Literal(DType.F32, -0.0)) ]
                expectBitwise r (af [ 2; 3 ] [ -0.0f; 1.0f; 2.0f; -0.0f; -0.0f; -0.0f ]) "2-d with a literal -0.0"
                let r = eval Slicing.Pad (PadParams([| 1 |], [| 1 |])) [ A(ad [ 0 ] []); A(ad [] [ nan ]) ]
                expectBitwise r (ad [ 2 ] [ nan; nan ]) "empty operand"
                let r = eval Slicing.Pad (PadParams([| 0 |], [| 0 |])) [ A(ab [ 2 ] [ true; false ]); Lit(Literal.Of true) ]
                expectBitwise r (ab [ 2 ] [ true; false ]) "no padding"
            }
            test "shape rule and literals" {
                expectTypeError [ "pad"; "low[0] = -1"; "must be >= 0" ] (fun () ->
                    build Slicing.Pad (PadParams([| -1 |], [| 0 |])) [ P(f32 [ 3 ]); P(f32 []) ] |> ignore)
                expectTypeError [ "high[0] = -2" ] (fun () ->
                    build Slicing.Pad (PadParams([| 0 |], [| -2 |])) [ P(f32 [ 3 ]); P(f32 []) ] |> ignore)
                expectTypeError [ "scalar of the operand's dtype f32[]"; "found i32[]" ] (fun () ->
                    build Slicing.Pad (PadParams([| 0 |], [| 0 |])) [ P(f32 [ 3 ]); P(i32 []) ] |> ignore)
                expectTypeError [ "found f32[1]" ] (fun () ->
                    build Slicing.Pad (PadParams([| 0 |], [| 0 |])) [ P(f32 [ 3 ]); P(f32 [ 1 ]) ] |> ignore)
                expectTypeError [ "one entry per operand axis (2)" ] (fun () ->
                    build Slicing.Pad (PadParams([| 0 |], [| 0 |])) [ P(f32 [ 3; 2 ]); P(f32 []) ] |> ignore)
                let x = Var("x", f64 [ 3 ])
                let eqn (v: Literal) = Equation([ Var("y", f64 [ 4 ]) ], Slicing.Pad, PadParams([| 1 |], [| 0 |]), [ x :> Atom; v ])
                TypeChecker.Check(Function("f", [ x ], [ eqn (Literal.Of 1.5) ], []))
                expectTypeError [ "literal operand 2 should be f64"; "found f32" ] (fun () -> TypeChecker.Check(Function("f", [ x ], [ eqn (Literal.Of 1.5f) ], [])))
            }
            test "a per-example value pads without arithmetic" {
                let f = build Slicing.Pad (PadParams([| 1; 0 |], [| 0; 2 |])) [ P(f32 [ 2; 3 ]); P(f32 []) ]
                let g = Vmap.Apply(f, 3, ResizeArray [ Nullable 1; Nullable 0 ], ResizeArray [ Nullable 1 ])
                Expect.isTrue (primitivesOf g |> List.forall (fun p -> List.contains p [ "broadcast_in_dim"; "concatenate" ])) "broadcast and concatenate only"
            }
            vmapTest "pad" padCases
        ]
        testList "take" [
            test "values; indices are clamped" {
                let x = ai [ 3 ] [ 10; 20; 30 ]
                let r = eval Slicing.Take (TakeParams 0) [ A x; A(ai [ 4 ] [ 2; -1; 5; 0 ]) ]
                expectBitwise r (ai [ 4 ] [ 30; 10; 30; 10 ]) "clamped"
                let r = eval Slicing.Take (TakeParams 0) [ A x; A(ai [ 2 ] [ Int32.MinValue; Int32.MaxValue ]) ]
                expectBitwise r (ai [ 2 ] [ 10; 30 ]) "extremes"
                let m = af [ 2; 3 ] [ 1.0f; 2.0f; 3.0f; 4.0f; 5.0f; 6.0f ]
                let r = eval Slicing.Take (TakeParams 1) [ A m; A(ai [ 2; 2 ] [ 2; 0; 1; 1 ]) ]
                expectBitwise r (af [ 2; 2; 2 ] [ 3.0f; 1.0f; 2.0f; 2.0f; 6.0f; 4.0f; 5.0f; 5.0f ]) "axis 1, 2-d indices"
                expectBitwise (eval Slicing.Take (TakeParams 0) [ A m; Lit(Literal.Of 1) ]) (af [ 3 ] [ 4.0f; 5.0f; 6.0f ]) "a scalar literal index"
                expectBitwise (eval Slicing.Take (TakeParams 1) [ A m; A(ai [ 0 ] []) ]) (af [ 2; 0 ] []) "no indices"
                expectBitwise (eval Slicing.Take (TakeParams 0) [ A(ab [ 0 ] []); A(ai [ 0 ] []) ]) (ab [ 0 ] []) "empty axis, no indices"
            }
            test "shape rule" {
                Expect.equal (build Slicing.Take (TakeParams 1) [ P(f32 [ 5; 2; 3 ]); P(i32 [ 4; 1 ]) ]).ResultTypes.[0] (f32 [ 5; 4; 1; 3 ]) "shape"
                expectTypeError [ "take"; "indices must be i32"; "f32[2]" ] (fun () ->
                    build Slicing.Take (TakeParams 0) [ P(f32 [ 3 ]); P(f32 [ 2 ]) ] |> ignore)
                expectTypeError [ "axis = 1 is out of range"; "f32[3]" ] (fun () ->
                    build Slicing.Take (TakeParams 1) [ P(f32 [ 3 ]); P(i32 [ 2 ]) ] |> ignore)
                expectTypeError [ "axis = -1 is out of range" ] (fun () ->
                    build Slicing.Take (TakeParams -1) [ P(f32 [ 3 ]); P(i32 [ 2 ]) ] |> ignore)
                expectTypeError [ "cannot take 2 element(s) along axis 0 of f32[0,3]" ] (fun () ->
                    build Slicing.Take (TakeParams 0) [ P(f32 [ 0; 3 ]); P(i32 [ 2 ]) ] |> ignore)
            }
            test "both batched: one take over the merged batch and axis" {
                let f = build Slicing.Take (TakeParams 0) [ P(f32 [ 4; 2 ]); P(i32 [ 3 ]) ]
                let g = Vmap.Apply(f, 2, ResizeArray [ Nullable 0; Nullable 0 ])
                Expect.equal (primitivesOf g |> List.filter ((=) "take")) [ "take" ] "one take"
                let xs = af [ 2; 4; 2 ] [ for i in 0 .. 15 -> float32 i ]
                let r = ReferenceEvaluator.Evaluate(g, ResizeArray [ xs; ai [ 2; 3 ] [ -5; 3; 9; 0; 1; 4 ] ]).[0]
                expectBitwise r (af [ 2; 3; 2 ] [ 0.0f; 1.0f; 6.0f; 7.0f; 6.0f; 7.0f; 8.0f; 9.0f; 10.0f; 11.0f; 14.0f; 15.0f ]) "never reads another example"
            }
            vmapTest "take" takeCases
            nestedVmapTest "take" (fun d -> takeCases d |> List.take 2)
        ]
    ]

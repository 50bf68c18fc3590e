module ArrayLang.Tests.Primitives.ShapeTests

open System
open System.Collections.Generic
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Primitives
open ArrayLang.Transforms
open ArrayLang.Tests.TestUtil

/// Helpers shared by the shape and slicing tests.
module Helpers =
    /// An operand of a test function: a parameter of a type, or a literal.
    type Arg =
        | P of AVal
        | L of Literal

    /// One equation `prim[ps](args)` over parameters and literals.
    let build (prim: Primitive) (ps: PrimParams) (args: Arg list) =
        let b = FunctionBuilder()
        let atoms = args |> List.map (function P t -> b.AddParam(t) :> Atom | L l -> l :> Atom)
        let outs = b.Emit(prim, ps, ResizeArray atoms)
        let f = b.Build("f", outs |> Seq.map (fun v -> v :> Atom) |> ResizeArray)
        TypeChecker.Check f
        f

    /// The first result of the reference evaluation of `prim[ps]` on `args` (arrays or literals).
    let eval (prim: Primitive) (ps: PrimParams) (args: Choice<NDArray, Literal> list) =
        let f = build prim ps (args |> List.map (function Choice1Of2 a -> P a.Type | Choice2Of2 l -> L l))
        let values = args |> List.choose (function Choice1Of2 a -> Some a | _ -> None)
        ReferenceEvaluator.Evaluate(f, ResizeArray values).[0]

    let A (a: NDArray) = Choice1Of2 a
    let Lit (l: Literal) = Choice2Of2 l
    let ai (dims: int list) (data: int list) = NDArray.Of(Array.ofList data, Array.ofList dims)
    let af (dims: int list) (data: float32 list) = NDArray.Of(Array.ofList data, Array.ofList dims)
    let ad (dims: int list) (data: float list) = NDArray.Of(Array.ofList data, Array.ofList dims)
    let ab (dims: int list) (data: bool list) = NDArray.Of(Array.ofList data, Array.ofList dims)
    let si (i: int) = NDArray.Of([| i |], [||])

    /// Asserts that `f` throws a TypeError whose message contains every one of `parts`.
    let expectTypeError (parts: string list) (f: unit -> unit) = ArrayLang.Tests.TestUtil.expectTypeError f parts

    /// Every batch placement of every parameter (none, or each axis of the batched form).
    let allAxes (f: Function) =
        let options (p: Var) = None :: [ for a in 0 .. p.Type.Rank -> Some a ]
        List.foldBack (fun (p: Var) acc -> [ for o in options p do for rest in acc -> o :: rest ]) (List.ofSeq f.Params) [ [] ]

    /// vmap = loop for every placement of every operand and B in {0, 1, 3}.
    let checkAllPlacements (rng: Random) (f: Function) =
        for axes in allAxes f do
            for b in [ 0; 1; 3 ] do
                checkVmapEqualsLoop rng f axes b

    /// The primitives named by the equations of a function.
    let primitivesOf (f: Function) = f.Equations |> Seq.map (fun e -> e.Primitive.Name) |> List.ofSeq

open Helpers

let private rng () = Random 20261126

let private reshapeCases (d: DType) =
    [ build ShapeOps.Reshape (ReshapeParams [| 3; 2 |]) [ P(aval d [ 2; 3 ]) ]
      build ShapeOps.Reshape (ReshapeParams [| 6 |]) [ P(aval d [ 2; 3 ]) ]
      build ShapeOps.Reshape (ReshapeParams [| 3; 0 |]) [ P(aval d [ 0; 3 ]) ]
      build ShapeOps.Reshape (ReshapeParams [| 1; 1 |]) [ P(aval d []) ]
      build ShapeOps.Reshape (ReshapeParams [||]) [ P(aval d [ 1 ]) ] ]

let private squeezeCases (d: DType) =
    [ build ShapeOps.Squeeze (SqueezeParams [| 2; 0 |]) [ P(aval d [ 1; 3; 1 ]) ]
      build ShapeOps.Squeeze (SqueezeParams [| 1 |]) [ P(aval d [ 2; 1; 0 ]) ]
      build ShapeOps.Squeeze (SqueezeParams [| 0 |]) [ P(aval d [ 1 ]) ]
      build ShapeOps.Squeeze (SqueezeParams [||]) [ P(aval d [ 2 ]) ] ]

let private expandDimsCases (d: DType) =
    [ build ShapeOps.ExpandDims (ExpandDimsParams [| 0 |]) [ P(aval d [ 2; 3 ]) ]
      build ShapeOps.ExpandDims (ExpandDimsParams [| 1; 3 |]) [ P(aval d [ 2; 3 ]) ]
      build ShapeOps.ExpandDims (ExpandDimsParams [| 2 |]) [ P(aval d [ 2; 3 ]) ]
      build ShapeOps.ExpandDims (ExpandDimsParams [| 4; 0; 1 |]) [ P(aval d [ 2; 3 ]) ]
      build ShapeOps.ExpandDims (ExpandDimsParams [| 0; 1 |]) [ P(aval d []) ]
      build ShapeOps.ExpandDims (ExpandDimsParams [| 1 |]) [ P(aval d [ 0 ]) ] ]

let private revCases (d: DType) =
    [ build ShapeOps.Rev (RevParams [| 0 |]) [ P(aval d [ 2; 3 ]) ]
      build ShapeOps.Rev (RevParams [| 1 |]) [ P(aval d [ 2; 3 ]) ]
      build ShapeOps.Rev (RevParams [| 1; 0 |]) [ P(aval d [ 2; 3 ]) ]
      build ShapeOps.Rev (RevParams [||]) [ P(aval d [ 3 ]) ]
      build ShapeOps.Rev (RevParams [| 0 |]) [ P(aval d [ 0; 2 ]) ] ]

let private transposeCases (d: DType) =
    [ build ShapeOps.Transpose (TransposeParams [| 2; 0; 1 |]) [ P(aval d [ 2; 3; 4 ]) ]
      build ShapeOps.Transpose (TransposeParams [| 1; 0 |]) [ P(aval d [ 0; 3 ]) ] ]

let private broadcastCases (d: DType) =
    [ build ShapeOps.BroadcastInDim (BroadcastInDimParams([| 2; 3 |], [| 1 |])) [ P(aval d [ 3 ]) ]
      build ShapeOps.BroadcastInDim (BroadcastInDimParams([| 4; 2; 3 |], [| 1; 2 |])) [ P(aval d [ 1; 3 ]) ]
      build ShapeOps.BroadcastInDim (BroadcastInDimParams([| 2; 0 |], [||])) [ P(aval d []) ] ]

let private vmapTest name (cases: DType -> Function list) =
    test (name + "/vmap = loop") {
        let rng = rng ()
        for d in DTypes.All do
            for f in cases d do
                checkAllPlacements rng f
    }

[<Tests>]
let tests =
    testList "shape" [
        testList "reshape" [
            test "row-major values" {
                let x = ai [ 2; 3 ] [ 0; 1; 2; 3; 4; 5 ]
                expectBitwise (eval ShapeOps.Reshape (ReshapeParams [| 3; 2 |]) [ A x ]) (ai [ 3; 2 ] [ 0; 1; 2; 3; 4; 5 ]) "[3,2]"
                expectBitwise (eval ShapeOps.Reshape (ReshapeParams [| 6 |]) [ A x ]) (ai [ 6 ] [ 0; 1; 2; 3; 4; 5 ]) "[6]"
                expectBitwise (eval ShapeOps.Reshape (ReshapeParams [| 0; 5 |]) [ A(af [ 0 ] []) ]) (af [ 0; 5 ] []) "empty"
                expectBitwise (eval ShapeOps.Reshape (ReshapeParams [||]) [ A(af [ 1; 1 ] [ -0.0f ]) ]) (af [] [ -0.0f ]) "to a scalar keeps -0.0"
            }
            test "shape rule" {
                Expect.equal (build ShapeOps.Reshape (ReshapeParams [| 4; 1; 3 |]) [ P(f32 [ 2; 6 ]) ]).ResultTypes.[0] (f32 [ 4; 1; 3 ]) "type"
                expectTypeError [ "reshape"; "shape=[4]"; "4 elements"; "f32[2,3]"; "6" ] (fun () ->
                    build ShapeOps.Reshape (ReshapeParams [| 4 |]) [ P(f32 [ 2; 3 ]) ] |> ignore)
                expectTypeError [ "negative"; "shape=[-1,6]" ] (fun () ->
                    build ShapeOps.Reshape (ReshapeParams [| -1; 6 |]) [ P(f32 [ 6 ]) ] |> ignore)
                Expect.equal ((ReshapeParams [| 2; 3 |]).ToText()) "shape=[2,3]" "text form"
            }
            vmapTest "reshape" reshapeCases
        ]
        testList "squeeze" [
            test "values" {
                let x = ai [ 1; 3; 1 ] [ 7; 8; 9 ]
                expectBitwise (eval ShapeOps.Squeeze (SqueezeParams [| 0; 2 |]) [ A x ]) (ai [ 3 ] [ 7; 8; 9 ]) "both"
                expectBitwise (eval ShapeOps.Squeeze (SqueezeParams [| 2 |]) [ A x ]) (ai [ 1; 3 ] [ 7; 8; 9 ]) "last"
                expectBitwise (eval ShapeOps.Squeeze (SqueezeParams [| 0 |]) [ A(ab [ 1 ] [ true ]) ]) (ab [] [ true ]) "to scalar"
            }
            test "shape rule" {
                expectTypeError [ "squeeze"; "axis 1 has size 3"; "dims=[1]"; "f32[1,3]" ] (fun () ->
                    build ShapeOps.Squeeze (SqueezeParams [| 1 |]) [ P(f32 [ 1; 3 ]) ] |> ignore)
                expectTypeError [ "dims[0] = 2 is out of range" ] (fun () ->
                    build ShapeOps.Squeeze (SqueezeParams [| 2 |]) [ P(f32 [ 1; 1 ]) ] |> ignore)
                expectTypeError [ "dims[0] = -1 is out of range" ] (fun () ->
                    build ShapeOps.Squeeze (SqueezeParams [| -1 |]) [ P(f32 [ 1 ]) ] |> ignore)
                expectTypeError [ "lists axis 0 twice" ] (fun () ->
                    build ShapeOps.Squeeze (SqueezeParams [| 0; 0 |]) [ P(f32 [ 1; 1 ]) ] |> ignore)
            }
            vmapTest "squeeze" squeezeCases
        ]
        testList "expand_dims" [
            test "values and shapes" {
                let x = af [ 2; 3 ] [ 1.0f; 2.0f; 3.0f; 4.0f; 5.0f; 6.0f ]
                let r = eval ShapeOps.ExpandDims (ExpandDimsParams [| 1; 3 |]) [ A x ]
                expectBitwise r (af [ 2; 1; 3; 1 ] [ 1.0f; 2.0f; 3.0f; 4.0f; 5.0f; 6.0f ]) "[2,1,3,1]"
                Expect.equal (build ShapeOps.ExpandDims (ExpandDimsParams [| 3; 0 |]) [ P(f32 [ 2; 3 ]) ]).ResultTypes.[0] (f32 [ 1; 2; 3; 1 ]) "unsorted dims"
                expectBitwise (eval ShapeOps.ExpandDims (ExpandDimsParams [| 0 |]) [ A(ai [] [ 5 ]) ]) (ai [ 1 ] [ 5 ]) "from scalar"
            }
            test "shape rule" {
                expectTypeError [ "expand_dims"; "dims[0] = 3 is out of range"; "result rank 3" ] (fun () ->
                    build ShapeOps.ExpandDims (ExpandDimsParams [| 3 |]) [ P(f32 [ 2; 3 ]) ] |> ignore)
                expectTypeError [ "lists axis 1 twice" ] (fun () ->
                    build ShapeOps.ExpandDims (ExpandDimsParams [| 1; 1 |]) [ P(f32 [ 2 ]) ] |> ignore)
            }
            vmapTest "expand_dims" expandDimsCases
        ]
        testList "rev" [
            test "values" {
                let x = ai [ 2; 3 ] [ 0; 1; 2; 3; 4; 5 ]
                expectBitwise (eval ShapeOps.Rev (RevParams [| 1 |]) [ A x ]) (ai [ 2; 3 ] [ 2; 1; 0; 5; 4; 3 ]) "axis 1"
                expectBitwise (eval ShapeOps.Rev (RevParams [| 0 |]) [ A x ]) (ai [ 2; 3 ] [ 3; 4; 5; 0; 1; 2 ]) "axis 0"
                expectBitwise (eval ShapeOps.Rev (RevParams [| 0; 1 |]) [ A x ]) (ai [ 2; 3 ] [ 5; 4; 3; 2; 1; 0 ]) "both"
                expectBitwise (eval ShapeOps.Rev (RevParams [||]) [ A x ]) x "none"
                expectBitwise (eval ShapeOps.Rev (RevParams [| 0 |]) [ A(ad [ 3 ] [ nan; -0.0; infinity ]) ]) (ad [ 3 ] [ infinity; -0.0; nan ]) "special floats"
                expectBitwise (eval ShapeOps.Rev (RevParams [| 1 |]) [ A(ab [ 2; 0 ] []) ]) (ab [ 2; 0 ] []) "empty"
            }
            test "shape rule" {
                expectTypeError [ "rev"; "dims[1] = 2 is out of range"; "f32[2,3]" ] (fun () ->
                    build ShapeOps.Rev (RevParams [| 0; 2 |]) [ P(f32 [ 2; 3 ]) ] |> ignore)
                expectTypeError [ "lists axis 0 twice" ] (fun () ->
                    build ShapeOps.Rev (RevParams [| 0; 0 |]) [ P(f32 [ 2; 3 ]) ] |> ignore)
            }
            vmapTest "rev" revCases
        ]
        testList "iota" [
            test "values per dtype" {
                expectBitwise (eval ShapeOps.Iota (IotaParams([| 2; 3 |], 1, DType.I32)) []) (ai [ 2; 3 ] [ 0; 1; 2; 0; 1; 2 ]) "dim 1"
                expectBitwise (eval ShapeOps.Iota (IotaParams([| 2; 3 |], 0, DType.F32)) []) (af [ 2; 3 ] [ 0.0f; 0.0f; 0.0f; 1.0f; 1.0f; 1.0f ]) "dim 0 f32"
                expectBitwise (eval ShapeOps.Iota (IotaParams([| 4 |], 0, DType.F64)) []) (ad [ 4 ] [ 0.0; 1.0; 2.0; 3.0 ]) "f64"
                expectBitwise (eval ShapeOps.Iota (IotaParams([| 0; 3 |], 1, DType.I32)) []) (ai [ 0; 3 ] []) "empty"
            }
            test "params: dtype defaults to i32, text order shape, dim, dtype" {
                let p = ShapeOps.Iota.ReadParams(ParamReader("iota", [ KeyValuePair("shape", ListParam(Collections.Immutable.ImmutableArray.Create<ParamValue>(IntParam 2L))); KeyValuePair("dim", IntParam 0L) ]))
                Expect.equal p (IotaParams([| 2 |], 0, DType.I32) :> PrimParams) "default dtype"
                Expect.equal ((IotaParams([| 2; 3 |], 1, DType.F32)).ToText()) "shape=[2,3], dim=1, dtype=f32" "text"
            }
            test "shape rule" {
                expectTypeError [ "iota"; "dtype f32, f64 or i32"; "bool" ] (fun () ->
                    build ShapeOps.Iota (IotaParams([| 2 |], 0, DType.Bool)) [] |> ignore)
                expectTypeError [ "dim = 1 is out of range"; "rank 1" ] (fun () ->
                    build ShapeOps.Iota (IotaParams([| 2 |], 1, DType.I32)) [] |> ignore)
                expectTypeError [ "dim = 0 is out of range"; "rank 0" ] (fun () ->
                    build ShapeOps.Iota (IotaParams([||], 0, DType.I32)) [] |> ignore)
                expectTypeError [ "negative size" ] (fun () ->
                    build ShapeOps.Iota (IotaParams([| -2 |], 0, DType.I32)) [] |> ignore)
                expectTypeError [ "takes no operands, found 1" ] (fun () ->
                    build ShapeOps.Iota (IotaParams([| 2 |], 0, DType.I32)) [ P(i32 [ 2 ]) ] |> ignore)
            }
            test "iota/vmap = loop" {
                let rng = rng ()
                for d in DTypes.Numeric do
                    let f = build ShapeOps.Iota (IotaParams([| 2; 3 |], 1, d)) []
                    for b in [ 0; 1; 3 ] do
                        checkVmapEqualsLoop rng f [] b
            }
            test "its batching rule explains that iota is never batched" {
                let rule = PrimitiveRegistry.Batching.Get ShapeOps.Iota
                let e = Expect.throwsC (fun () -> rule.Invoke(Unchecked.defaultof<_>, IotaParams([| 2 |], 0, DType.I32), ResizeArray(), ResizeArray()) |> ignore) id
                Expect.isTrue (e :? InvalidOperationException) "InvalidOperationException"
                Expect.stringContains e.Message "no operands" "explains"
            }
        ]
        testList "transpose" [ vmapTest "transpose" transposeCases ]
        testList "broadcast_in_dim" [ vmapTest "broadcast_in_dim" broadcastCases ]
        test "batching keeps the batch axis in place where it can" {
            let f = build ShapeOps.Rev (RevParams [| 0 |]) [ P(f32 [ 2; 3 ]) ]
            let g = Vmap.Apply(f, 4, ResizeArray [ Nullable 2 ], ResizeArray [ Nullable 2 ])
            Expect.equal (primitivesOf g) [ "rev" ] "rev needs no transpose"
            let f = build ShapeOps.ExpandDims (ExpandDimsParams [| 0; 2 |]) [ P(f32 [ 2; 3 ]) ]
            let g = Vmap.Apply(f, 4, ResizeArray [ Nullable 1 ], ResizeArray [ Nullable 2 ])
            Expect.equal (primitivesOf g) [ "expand_dims" ] "expand_dims needs no transpose"
            let f = build ShapeOps.Squeeze (SqueezeParams [| 0 |]) [ P(f32 [ 1; 3 ]) ]
            let g = Vmap.Apply(f, 4, ResizeArray [ Nullable 2 ], ResizeArray [ Nullable 1 ])
            Expect.equal (primitivesOf g) [ "squeeze" ] "squeeze needs no transpose"
        }
    ]

module ArrayLang.Tests.Primitives.ContractionTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Primitives
open ArrayLang.Transforms
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.Primitives.ReductionTests

let dg (lc: int list) (rc: int list) (lb: int list) (rb: int list) =
    DotGeneralParams(Array.ofList lc, Array.ofList rc, Array.ofList lb, Array.ofList rb) :> PrimParams

let dot (lc: int list) (rc: int list) = dg lc rc [] []

let isDot (e: Equation) = obj.ReferenceEquals(e.Primitive, Contraction.DotGeneral)
let isBroadcast (e: Equation) = obj.ReferenceEquals(e.Primitive, ShapeOps.BroadcastInDim)

/// Dimension-number configurations: name, lhs dims, rhs dims, params.
let configs =
    [ "dot product", [ 4 ], [ 4 ], dot [ 0 ] [ 0 ]
      "matvec", [ 3; 4 ], [ 4 ], dot [ 1 ] [ 0 ]
      "vecmat", [ 4 ], [ 4; 3 ], dot [ 0 ] [ 0 ]
      "matmul", [ 2; 3 ], [ 3; 4 ], dot [ 1 ] [ 0 ]
      "matmul with rhs transposed", [ 2; 3 ], [ 4; 3 ], dot [ 1 ] [ 1 ]
      "batched matmul", [ 2; 3; 4 ], [ 2; 4; 5 ], dg [ 2 ] [ 1 ] [ 0 ] [ 0 ]
      "batch dims not leading", [ 3; 2; 4 ], [ 4; 5; 2 ], dg [ 2 ] [ 0 ] [ 1 ] [ 2 ]
      "two batch dims in swapped order", [ 2; 3; 4; 5 ], [ 3; 2; 5; 2 ], dg [ 3 ] [ 2 ] [ 0; 1 ] [ 1; 0 ]
      "outer product", [ 3 ], [ 4 ], dot [] []
      "scalar times matrix", [], [ 2; 3 ], dot [] []
      "contract over two dims", [ 2; 3; 4 ], [ 4; 3; 5 ], dot [ 1; 2 ] [ 1; 0 ]
      "batch dims only", [ 3 ], [ 3 ], dg [] [] [ 0 ] [ 0 ]
      "empty contraction", [ 2; 0 ], [ 0; 3 ], dot [ 1 ] [ 0 ]
      "empty free dim", [ 0; 3 ], [ 3; 2 ], dot [ 1 ] [ 0 ] ]

let evalTests =
    testList "evaluate" [
        test "matvec, matmul and transposed products" {
            let a = af32 [ 2; 2 ] [ 1.0f; 2.0f; 3.0f; 4.0f ]
            let b = af32 [ 2; 2 ] [ 5.0f; 6.0f; 7.0f; 8.0f ]
            expectSame (run Contraction.DotGeneral (dot [ 1 ] [ 0 ]) [ a; af32 [ 2 ] [ 5.0f; 6.0f ] ]) (af32 [ 2 ] [ 17.0f; 39.0f ]) "matvec"
            expectSame (run Contraction.DotGeneral (dot [ 1 ] [ 0 ]) [ a; b ]) (af32 [ 2; 2 ] [ 19.0f; 22.0f; 43.0f; 50.0f ]) "matmul"
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ a; b ]) (af32 [ 2; 2 ] [ 26.0f; 30.0f; 38.0f; 44.0f ]) "a^T b"
            expectSame (run Contraction.DotGeneral (dot [ 1 ] [ 1 ]) [ a; b ]) (af32 [ 2; 2 ] [ 17.0f; 23.0f; 39.0f; 53.0f ]) "a b^T"
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ af64 [ 3 ] [ 1.0; 2.0; 3.0 ]; af64 [ 3 ] [ 4.0; -5.0; 6.0 ] ]) (af64 [] [ 12.0 ]) "dot product"
        }
        test "outer product, batches and several contracted dims" {
            expectSame (run Contraction.DotGeneral (dot [] []) [ ai32 [ 2 ] [ 1; 2 ]; ai32 [ 3 ] [ 3; 4; 5 ] ]) (ai32 [ 2; 3 ] [ 3; 4; 5; 6; 8; 10 ]) "outer"
            let l = af32 [ 2; 1; 2 ] [ 1.0f; 2.0f; 3.0f; 4.0f ]
            let r = af32 [ 2; 2; 1 ] [ 1.0f; 1.0f; 2.0f; 3.0f ]
            expectSame (run Contraction.DotGeneral (dg [ 2 ] [ 1 ] [ 0 ] [ 0 ]) [ l; r ]) (af32 [ 2; 1; 1 ] [ 3.0f; 18.0f ]) "batched matmul"
            let a = ai32 [ 2; 2 ] [ 1; 2; 3; 4 ]
            let b = ai32 [ 2; 2 ] [ 5; 6; 7; 8 ]
            expectSame (run Contraction.DotGeneral (dot [ 0; 1 ] [ 0; 1 ]) [ a; b ]) (ai32 [] [ 70 ]) "contract both dims"
            expectSame (run Contraction.DotGeneral (dot [ 0; 1 ] [ 1; 0 ]) [ a; b ]) (ai32 [] [ 69 ]) "contract both dims, paired crosswise"
        }
        test "result dims: batch dims, then lhs free dims, then rhs free dims" {
            // res[b,i,j] = l[b,i] * r[j,b]: the batch dim comes first although it is rhs's last dim.
            let l = af64 [ 2; 3 ] [ 1.0; 2.0; 3.0; 4.0; 5.0; 6.0 ]
            let r = af64 [ 4; 2 ] [ 1.0; 10.0; 2.0; 20.0; 3.0; 30.0; 4.0; 40.0 ]
            let expected =
                af64 [ 2; 3; 4 ]
                    [ 1.0; 2.0; 3.0; 4.0; 2.0; 4.0; 6.0; 8.0; 3.0; 6.0; 9.0; 12.0
                      40.0; 80.0; 120.0; 160.0; 50.0; 100.0; 150.0; 200.0; 60.0; 120.0; 180.0; 240.0 ]
            expectSame (run Contraction.DotGeneral (dg [] [] [ 0 ] [ 1 ]) [ l; r ]) expected "order"
            Expect.equal (infer Contraction.DotGeneral (dot [ 1 ] [ 0 ]) [ f32 [ 2; 3; 4 ]; f32 [ 3; 5 ] ]) (f32 [ 2; 4; 5 ]) "lhs free dims ascending"
            Expect.equal (infer Contraction.DotGeneral (dg [ 3 ] [ 2 ] [ 0; 1 ] [ 1; 0 ]) [ f32 [ 2; 3; 4; 5 ]; f32 [ 3; 2; 5; 2 ] ]) (f32 [ 2; 3; 4; 2 ]) "batch dims in listed order"
            Expect.equal (infer Contraction.DotGeneral (dg [ 0 ] [ 2 ] [ 2 ] [ 0 ]) [ i32 [ 5; 6; 7 ]; i32 [ 7; 8; 5 ] ]) (i32 [ 7; 6; 8 ]) "batch dims need not lead"
        }
        test "empty contractions give 0, empty free dims give empty results" {
            expectSame (run Contraction.DotGeneral (dot [ 1 ] [ 0 ]) [ af32 [ 2; 0 ] []; af32 [ 0; 3 ] [] ]) (af32 [ 2; 3 ] (List.replicate 6 0.0f)) "f32"
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ ai32 [ 0 ] []; ai32 [ 0 ] [] ]) (ai32 [] [ 0 ]) "i32"
            expectSame (run Contraction.DotGeneral (dot [ 1 ] [ 0 ]) [ af64 [ 0; 3 ] []; af64 [ 3; 2 ] [ 1.0; 2.0; 3.0; 4.0; 5.0; 6.0 ] ]) (af64 [ 0; 2 ] []) "f64"
        }
        test "i32 wraps and floats round once" {
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ ai32 [ 1 ] [ 65536 ]; ai32 [ 1 ] [ 65536 ] ]) (ai32 [] [ 0 ]) "2^32 wraps"
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ ai32 [ 2 ] [ Int32.MaxValue; 1 ]; ai32 [ 2 ] [ 2; 3 ] ]) (ai32 [] [ 1 ]) "INT_MAX*2 + 3"
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ af32 [ 3 ] [ 1e8f; 1.0f; -1e8f ]; af32 [ 3 ] [ 1.0f; 1.0f; 1.0f ] ]) (af32 [] [ 1.0f ]) "f32 rounds once"
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ af64 [ 3 ] [ 0.1; 0.2; 0.3 ]; af64 [ 3 ] [ 1.0; 1.0; 1.0 ] ]) (af64 [] [ 0.6 ]) "f64 compensated"
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ af64 [ 3 ] [ 1e16; 1.0; -1e16 ]; af64 [ 3 ] [ 1.0; 1.0; 1.0 ] ]) (af64 [] [ 1.0 ]) "f64 cancellation"
            // (1 + 2^-30)^2 - 1 = 2^-29 + 2^-60: the product's low bits survive only with an exact product.
            let e = 1.0 + Math.Pow(2.0, -30.0)
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ af64 [ 2 ] [ e; 1.0 ]; af64 [ 2 ] [ e; -1.0 ] ]) (af64 [] [ Math.Pow(2.0, -29.0) + Math.Pow(2.0, -60.0) ]) "f64 exact products"
        }
        test "NaN, infinities and -0.0" {
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ af64 [ 2 ] [ infinity; 1.0 ]; af64 [ 2 ] [ 0.0; 1.0 ] ]) (af64 [] [ nan ]) "inf * 0"
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ af32 [ 2 ] [ infinityf; 1.0f ]; af32 [ 2 ] [ 1.0f; 1.0f ] ]) (af32 [] [ infinityf ]) "inf"
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ af32 [ 2 ] [ nanf; 1.0f ]; af32 [ 2 ] [ 1.0f; 1.0f ] ]) (af32 [] [ nanf ]) "NaN"
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ af32 [ 1 ] [ 3e38f ]; af32 [ 1 ] [ 10.0f ] ]) (af32 [] [ infinityf ]) "f32 overflow"
            // The sum of the products alone (no extra +0 term), as IEEE addition gives it.
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ af32 [ 1 ] [ -0.0f ]; af32 [ 1 ] [ 1.0f ] ]) (af32 [] [ -0.0f ]) "-0 * 1"
            expectSame (run Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ af64 [ 2 ] [ -0.0; 0.0 ]; af64 [ 2 ] [ 1.0; 1.0 ] ]) (af64 [] [ 0.0 ]) "-0 + +0"
            expectSame (run Contraction.DotGeneral (dot [] []) [ af32 [ 1 ] [ -0.0f ]; af32 [ 1 ] [ 1.0f ] ]) (af32 [ 1; 1 ] [ -0.0f ]) "outer product keeps the sign"
        }
    ]

let typeTests =
    testList "types" [
        test "dot_general type errors" {
            expectTypeError (fun () -> infer Contraction.DotGeneral (dot [ 1 ] [ 0 ]) [ f32 [ 3; 4 ]; f32 [ 5 ] ])
                [ "dot_general"; "contracted lhs dim 1 has size 4"; "rhs dim 0 has size 5"; "f32[3,4]"; "f32[5]" ]
            expectTypeError (fun () -> infer Contraction.DotGeneral (dot [ 1 ] [ 0 ]) [ f32 [ 3; 4 ]; f64 [ 4 ] ]) [ "share one dtype"; "f32[3,4]"; "f64[4]" ]
            expectTypeError (fun () -> infer Contraction.DotGeneral (dot [ 2 ] [ 0 ]) [ f32 [ 3; 4 ]; f32 [ 4 ] ]) [ "lhs dim 2"; "out of range"; "rank 2" ]
            expectTypeError (fun () -> infer Contraction.DotGeneral (dot [ 0 ] [ -1 ]) [ f32 [ 4 ]; f32 [ 4 ] ]) [ "rhs dim -1"; "out of range" ]
            expectTypeError (fun () -> infer Contraction.DotGeneral (dg [ 1 ] [ 1 ] [ 1 ] [ 0 ]) [ f32 [ 3; 4 ]; f32 [ 3; 4 ] ]) [ "lhs dim 1"; "twice" ]
            expectTypeError (fun () -> infer Contraction.DotGeneral (dot [ 0; 0 ] [ 0; 1 ]) [ f32 [ 3; 3 ]; f32 [ 3; 3 ] ]) [ "lhs dim 0"; "twice" ]
            expectTypeError (fun () -> infer Contraction.DotGeneral (dot [ 0; 1 ] [ 0 ]) [ f32 [ 3; 4 ]; f32 [ 3 ] ]) [ "contract lists 2 lhs dim(s) but 1 rhs" ]
            expectTypeError (fun () -> infer Contraction.DotGeneral (dg [] [] [ 0 ] []) [ f32 [ 3 ]; f32 [ 3 ] ]) [ "batch lists 1 lhs dim(s) but 0 rhs" ]
            expectTypeError (fun () -> infer Contraction.DotGeneral (dg [] [] [ 0 ] [ 0 ]) [ f32 [ 3 ]; f32 [ 2 ] ]) [ "batch lhs dim 0 has size 3"; "rhs dim 0 has size 2" ]
            expectTypeError (fun () -> infer Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ boolT [ 3 ]; boolT [ 3 ] ]) [ "f32, f64 or i32 lhs"; "bool[3]" ]
            expectTypeError (fun () -> infer Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ f32 [ 3 ] ]) [ "expects 2 operands"; "found 1" ]
        }
        test "dot_general params: text, defaults, no literals" {
            Expect.equal ((dot [ 1 ] [ 0 ]).ToText()) "contract=([1],[0]), batch=([],[])" "default batch written"
            Expect.equal ((dg [ 2 ] [ 1 ] [ 0 ] [ 0 ]).ToText()) "contract=([2],[1]), batch=([0],[0])" "contract first"
            let read pairs =
                Contraction.DotGeneral.ReadParams(ParamReader("dot_general", pairs |> List.map (fun (k, v) -> Collections.Generic.KeyValuePair(k, v))))
            let ints (xs: int list) = ListParam(xs |> List.map (fun x -> IntParam(int64 x) :> ParamValue) |> Collections.Immutable.ImmutableArray.CreateRange)
            let pair l r = TupleParam(Collections.Immutable.ImmutableArray.Create<ParamValue>(ints l, ints r)) :> ParamValue
            Expect.equal (read [ "contract", pair [ 1 ] [ 0 ] ]) (dot [ 1 ] [ 0 ]) "batch defaults to ([],[])"
            Expect.equal (read [ "contract", pair [ 2 ] [ 1 ]; "batch", pair [ 0 ] [ 0 ] ]) (dg [ 2 ] [ 1 ] [ 0 ] [ 0 ]) "both"
            Expect.throwsT<ParamException> (fun () -> read [ "batch", pair [ 0 ] [ 0 ] ] |> ignore) "contract is required"
            let p = dg [ 2 ] [ 1 ] [ 0 ] [ 0 ]
            Expect.equal (Contraction.DotGeneral.ReadParams(ParamReader("dot_general", p.ToKeyValues()))) p "round trip"
            let f = singleEquation Contraction.DotGeneral (dot [ 1 ] [ 0 ]) [ f32 [ 3; 4 ]; f32 [ 4 ] ]
            Expect.stringContains (string f) "dot_general[contract=([1],[0]), batch=([],[])](" "printed equation"
            let text = "func f(l: f32[2,3,4], r: f32[2,4,5]) -> (f32[2,3,5]) {\n  a: f32[2,3,5] = dot_general[contract=([2],[1]), batch=([0],[0])](l, r)\n  return (a)\n}\n"
            let parsed = IrParser.ParseFunction text
            TypeChecker.Check parsed
            Expect.equal (string parsed) text "parse then print gives the text back"
            let short = IrParser.ParseFunction "func f(w: f32[3,4], x: f32[4]) -> (f32[3]) { a: f32[3] = dot_general[contract=([1],[0])](w, x) return (a) }"
            Expect.equal short.Equations.[0].Params (dot [ 1 ] [ 0 ]) "batch omitted in text defaults to ([],[])"
            for pos in [ 0; 1 ] do
                Expect.isFalse (Contraction.DotGeneral.LiteralDType(pos, dot [] [], ResizeArray [ null; null ], ResizeArray [])).HasValue "no literals"
            let b = FunctionBuilder()
            let x = b.AddParam(f32 [])
            expectTypeError (fun () -> b.Emit(Contraction.DotGeneral, dot [] [], ResizeArray [ x :> Atom; Literal.Of 2.0f ])) [ "operand 2 may not be a literal" ]
        }
    ]

let vmapCheckDot (lhsDims: int list) (rhsDims: int list) (p: PrimParams) (d: DType) =
    let rng = Random(lhsDims.Length * 7 + rhsDims.Length * 3 + int d)
    let f = singleEquation Contraction.DotGeneral p [ aval d lhsDims; aval d rhsDims ]
    for la in placements lhsDims.Length do
        for ra in placements rhsDims.Length do
            for b in [ 0; 1; 3 ] do
                checkVmapEqualsLoop rng f [ la; ra ] b
                checkVmapSpecial rng f [ la; ra ] b
                if la.IsSome || ra.IsSome then
                    let batched = Vmap.Apply(f, b, ResizeArray [ Option.toNullable la; Option.toNullable ra ])
                    let eqs = List.ofSeq batched.Equations
                    Expect.equal (eqs |> List.filter isDot |> List.length) 1 "exactly one dot_general"
                    Expect.isFalse (eqs |> List.exists isBroadcast) "no operand is broadcast"
                    Expect.isTrue (isDot eqs.Head) "the dot_general reads the arguments as they are"
                    if la.IsSome && ra.IsSome then
                        Expect.equal eqs.Length 1 "both batched: the batch pair leads, so the result needs no transpose"

let vmapTests =
    testList "vmap" [
        test "dot_general/vmap = loop" {
            for _, l, r, p in configs do
                for d in numericDTypes do
                    vmapCheckDot l r p d
        }
        test "dot_general/vmap of W x + b then tanh is one matrix product" {
            let fb = FunctionBuilder()
            let w = fb.AddParam(f32 [ 256; 256 ], "W")
            let bias = fb.AddParam(f32 [ 256 ], "b")
            let x = fb.AddParam(f32 [ 256 ], "x")
            let y = fb.Emit1(Contraction.DotGeneral, dot [ 1 ] [ 0 ], w, x)
            let z = fb.Emit1(Elementwise.Add, NoParams.Instance, y, bias)
            let t = fb.Emit1(Elementwise.Tanh, NoParams.Instance, z)
            let f = fb.Build("w3", ResizeArray [ t :> Atom ])
            let rng = Random 3
            for b in [ 0; 1; 3 ] do
                let batched = Vmap.Apply(f, b, ResizeArray [ Nullable(); Nullable(); Nullable 0 ])
                let dots = batched.Equations |> Seq.filter isDot |> List.ofSeq
                Expect.equal dots.Length 1 "exactly one dot_general"
                let d = dots.Head
                Expect.isTrue (obj.ReferenceEquals(d.Inputs.[1], batched.Params.[0])) "W is used as it is"
                Expect.equal (d.Params.ToText()) "contract=([1],[1]), batch=([],[])" "the examples' dim 1 against W's dim 1"
                Expect.equal d.Outputs.[0].Type (f32 [ b; 256 ]) "one matrix product f32[B,256], batch first"
                Expect.isFalse (batched.Equations |> Seq.exists (fun e -> e.Primitive.Name = "transpose")) "no transpose"
                let broadcastsW =
                    batched.Equations |> Seq.exists (fun e -> isBroadcast e && obj.ReferenceEquals(e.Inputs.[0], batched.Params.[0]))
                Expect.isFalse broadcastsW "W is not broadcast"
                checkVmapEqualsLoop rng f [ None; None; Some 0 ] b
        }
        test "dot_general batching: both batched become a leading batch pair" {
            let f = singleEquation Contraction.DotGeneral (dg [ 2 ] [ 1 ] [ 0 ] [ 0 ]) [ f32 [ 2; 3; 4 ]; f32 [ 2; 4; 5 ] ]
            let batched = Vmap.Apply(f, 6, ResizeArray [ Nullable 3; Nullable 1 ])
            let e = batched.Equations.[0]
            Expect.equal (e.Params.ToText()) "contract=([2],[2]), batch=([3,0],[1,0])" "batch axes prepended, dims shifted"
            Expect.equal e.Outputs.[0].Type (f32 [ 6; 2; 3; 5 ]) "batch axis 0"
            Expect.equal batched.Equations.Length 1 "nothing moved"
        }
        test "dot_general batching: one batched operand keeps its batch axis among its free dims" {
            // vecmat with the matrix batched in the middle: rhs [4,B,3], result [B,3] with batch axis 0.
            let f = singleEquation Contraction.DotGeneral (dot [ 0 ] [ 0 ]) [ f32 [ 4 ]; f32 [ 4; 3 ] ]
            let batched = Vmap.Apply(f, 5, ResizeArray [ Nullable(); Nullable 1 ])
            Expect.equal batched.Equations.Length 1 "no transpose: the batch axis lands at 0"
            Expect.equal (batched.Equations.[0].Params.ToText()) "contract=([0],[0]), batch=([],[])" "contract unchanged"
            // matmul with lhs batched last: lhs [2,3,B], result [2,B,4]: batch axis 1, moved to 0 only for out_axes.
            let g = singleEquation Contraction.DotGeneral (dot [ 1 ] [ 0 ]) [ f32 [ 2; 3 ]; f32 [ 3; 4 ] ]
            let gb = Vmap.Apply(g, 5, ResizeArray [ Nullable 2; Nullable() ], ResizeArray [ Nullable 1 ])
            Expect.equal gb.Equations.Length 1 "out_axes=1 is where the rule put it"
            Expect.equal gb.Equations.[0].Outputs.[0].Type (f32 [ 2; 5; 4 ]) "batch axis 1"
        }
        test "nested vmap of dot_general equals the loop" {
            let rng = Random 9
            let f = singleEquation Contraction.DotGeneral (dot [ 1 ] [ 0 ]) [ f64 [ 2; 3 ]; f64 [ 3; 4 ] ]
            for innerAxes in [ [ Some 0; None ]; [ None; Some 1 ]; [ Some 1; Some 0 ] ] do
                let inner = Vmap.Apply(f, 2, innerAxes |> List.map Option.toNullable |> ResizeArray)
                let ranks = inner.Params |> Seq.map (fun p -> p.Type.Rank) |> List.ofSeq
                for la in placements ranks.[0] do
                    for ra in placements ranks.[1] do
                        for b in [ 0; 3 ] do
                            checkVmapEqualsLoop rng inner [ la; ra ] b
        }
    ]

[<Tests>]
let tests = testList "contraction" [ evalTests; typeTests; vmapTests ]

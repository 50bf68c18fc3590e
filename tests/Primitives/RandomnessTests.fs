/// The randomness family: Threefry-2x32-20 known answers (Random123), the element layout of
/// random_bits / random_split / random_uniform, batched keys, shape rules, and vmap = loop.
module ArrayLang.Tests.Primitives.RandomnessTests

open System
open System.Collections.Generic
open Expecto
open ArrayLang.Ir
open ArrayLang.Primitives
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Transforms
open ArrayLang.Tests.TestUtil

let keyOf (words: int list) (dims: int list) = NDArray.Of(Array.ofList words, Array.ofList dims)

/// Evaluates `prim[ps](key)` through a type-checked one-equation function.
let evalKey (prim: Primitive) (ps: PrimParams) (key: NDArray) =
    let f = singleEquation prim ps [ key.Type ]
    TypeChecker.Check f
    (ReferenceEvaluator.Evaluate(f, ResizeArray [ key ])).[0]

let hash (k0: uint32) (k1: uint32) (c0: uint32) (c1: uint32) =
    let struct (a, b) = Threefry.Hash(k0, k1, c0, c1)
    a, b

let bits shape = RandomBitsParams(Array.ofList shape) :> PrimParams
let split n = RandomSplitParams n :> PrimParams
let uniform shape d = RandomUniformParams(Array.ofList shape, d) :> PrimParams

let threefryTests =
    testList "threefry" [
        test "Random123 known answers for threefry2x32_20" {
            Expect.equal (hash 0u 0u 0u 0u) (0x6b200159u, 0x99ba4efeu) "key 0, counter 0"
            Expect.equal (hash 0xffffffffu 0xffffffffu 0xffffffffu 0xffffffffu) (0x1cb996fcu, 0xbb002be7u) "all ones"
            Expect.equal (hash 0x13198a2eu 0x03707344u 0x243f6a88u 0x85a308d3u) (0xc4923a9cu, 0x483df7a0u) "pi digits"
        }
        test "element i uses the counter (hi32(i), lo32(i))" {
            let struct (b1, b2) = Threefry.Block(7u, 9u, 0x100000002L)
            Expect.equal (b1, b2) (hash 7u 9u 1u 2u) "hi word 1, lo word 2"
            Expect.equal (Threefry.Bits32(7u, 9u, 5L)) (let a, b = hash 7u 9u 0u 5u in a ^^^ b) "bits = b1 ^ b2"
        }
        test "uniform from bits" {
            Expect.equal (Threefry.UniformF32 0u) 0.0f "all zero bits give 0"
            Expect.equal (Threefry.UniformF32 0xffffffffu) (1.0f - 1.1920929e-07f) "all one bits give the float below 1"
            Expect.equal (Threefry.UniformF64(0u, 0u)) 0.0 "f64 zero"
            Expect.equal (Threefry.UniformF64(0xffffffffu, 0xffffffffu)) (1.0 - Math.Pow(2.0, -52.0)) "f64 below 1"
            Expect.equal (Threefry.UniformF64(0x80000000u, 0u)) 0.5 "f64 half"
        }
    ]

let valueTests =
    testList "values" [
        test "random_bits, split and uniform of key (0, 0), hand-computed" {
            let key = keyOf [ 0; 0 ] [ 2 ]
            // 0x6b200159 ^ 0x99ba4efe = 0xf29a4fa7
            expectBitwise (evalKey Randomness.RandomBits (bits [ 1 ]) key) (NDArray.Of([| -224768089 |], 1)) "random_bits"
            expectBitwise (evalKey Randomness.RandomBits (bits []) key) (NDArray.Scalar(DType.I32, -224768089.0)) "random_bits scalar"
            // row 0 is (0x6b200159, 0x99ba4efe) as i32
            expectBitwise (evalKey Randomness.RandomSplit (split 1) key) (NDArray.Of([| 1797259609; -1715843330 |], 1, 2)) "random_split"
            // bitcast((0xf29a4fa7 >>> 9) | 0x3F800000) - 1 = bitcast(0x3ff94d27) - 1
            expectBitwise (evalKey Randomness.RandomUniform (uniform [] DType.F32) key) (NDArray.Scalar(DType.F32, 0.9476670026779175)) "uniform f32"
            // bitcast(((0x6b200159 << 32 | 0x99ba4efe) >>> 12) | 0x3FF0000000000000) - 1 = bitcast(0x3ff6b20015999ba4) - 1
            expectBitwise (evalKey Randomness.RandomUniform (uniform [] DType.F64) key) (NDArray.Scalar(DType.F64, 0.41845711171638644)) "uniform f64"
        }
        test "elements follow the row-major index" {
            let key = keyOf [ 0x13198a2e; 0x03707344 ] [ 2 ]
            let k0, k1 = 0x13198a2eu, 0x03707344u
            let r = evalKey Randomness.RandomBits (bits [ 2; 3 ]) key
            Expect.equal r.Type (i32 [ 2; 3 ]) "type"
            for i in 0 .. 5 do
                let a, b = hash k0 k1 0u (uint32 i)
                Expect.equal r.I32.[i] (int (a ^^^ b)) $"element {i}"
            let s = evalKey Randomness.RandomSplit (split 4) key
            Expect.equal s.Type (i32 [ 4; 2 ]) "split type"
            for j in 0 .. 3 do
                let a, b = hash k0 k1 0u (uint32 j)
                Expect.equal (s.I32.[2 * j], s.I32.[2 * j + 1]) (int a, int b) $"split row {j}"
            let u = evalKey Randomness.RandomUniform (uniform [ 3 ] DType.F64) key
            for i in 0 .. 2 do
                let a, b = hash k0 k1 0u (uint32 i)
                Expect.equal u.F64.[i] (Threefry.UniformF64(a, b)) $"uniform f64 element {i}"
            let k = keyOf [ -1; -1 ] [ 2 ]
            let a, b = hash 0xffffffffu 0xffffffffu 0u 0u
            Expect.equal (evalKey Randomness.RandomBits (bits []) k).I32.[0] (int (a ^^^ b)) "negative key words are their bits"
        }
        test "a batch of keys equals each key on its own" {
            let keys = keyOf [ 1; 2; 3; 4; -5; 6; 0; 0; 7; -8; 9; 10 ] [ 3; 2; 2 ]
            let rows = [ for r in 0 .. 5 -> keyOf [ keys.I32.[2 * r]; keys.I32.[2 * r + 1] ] [ 2 ] ]
            for prim, ps in [ Randomness.RandomBits :> Primitive, bits [ 2; 3 ]; Randomness.RandomSplit, split 3
                              Randomness.RandomUniform, uniform [ 4 ] DType.F32; Randomness.RandomUniform, uniform [ 2 ] DType.F64 ] do
                let all = evalKey prim ps keys
                let one = evalKey prim ps rows.[0]
                Expect.equal all.Type (one.Type.WithShape(one.Shape.Insert(0, 2).Insert(0, 3))) $"{prim.Name} type"
                let flat = all.Reshape(Shape(Array.append [| 6 |] (one.Shape.ToArray())))
                for r in 0 .. 5 do
                    expectBitwise (ArrayOps.Index(flat, 0, r)) (evalKey prim ps rows.[r]) $"{prim.Name} key row {r}"
        }
        test "empty results" {
            let key = keyOf [ 1; 2 ] [ 2 ]
            Expect.equal (evalKey Randomness.RandomBits (bits [ 0; 3 ]) key).Type (i32 [ 0; 3 ]) "bits [0,3]"
            Expect.equal (evalKey Randomness.RandomSplit (split 0) key).Type (i32 [ 0; 2 ]) "split 0"
            Expect.equal (evalKey Randomness.RandomUniform (uniform [ 2; 0 ] DType.F64) key).Type (f64 [ 2; 0 ]) "uniform [2,0]"
            Expect.equal (evalKey Randomness.RandomBits (bits [ 3 ]) (NDArray.Zeros(DType.I32, 0, 2))).Type (i32 [ 0; 3 ]) "no keys"
        }
        test "uniform values lie in [0, 1) and look uniform; bits look balanced" {
            let key = keyOf [ 42; 0 ] [ 2 ]
            for d in [ DType.F32; DType.F64 ] do
                let u = evalKey Randomness.RandomUniform (uniform [ 20000 ] d) key
                let xs = [| for i in 0 .. u.Length - 1 -> u.GetDouble(int64 i) |]
                Expect.isTrue (xs |> Array.forall (fun x -> x >= 0.0 && x < 1.0)) "in [0, 1)"
                Expect.isLessThan (abs (Array.average xs - 0.5)) 0.01 "mean near 1/2"
                Expect.isLessThan (abs ((xs |> Array.filter (fun x -> x < 0.25) |> Array.length |> float) / 20000.0 - 0.25)) 0.01 "quarter below 1/4"
            let b = evalKey Randomness.RandomBits (bits [ 10000 ]) key
            let ones = b.I32 |> Array.sumBy (fun v -> Numerics.BitOperations.PopCount(uint32 v))
            Expect.isLessThan (abs (float ones / 320000.0 - 0.5)) 0.005 "half the bits are set"
            let s = evalKey Randomness.RandomSplit (split 1000) key
            let pairs = [ for j in 0 .. 999 -> s.I32.[2 * j], s.I32.[2 * j + 1] ] |> set
            Expect.equal pairs.Count 1000 "split keys are distinct"
            Expect.isFalse (pairs.Contains(42, 0)) "and differ from the parent key"
        }
    ]

let ruleTests =
    testList "shape rules" [
        test "result types" {
            let t prim ps key = (singleEquation prim ps [ key ]).Equations.[0].Outputs.[0].Type
            Expect.equal (t Randomness.RandomBits (bits [ 2; 3 ]) (i32 [ 2 ])) (i32 [ 2; 3 ]) "bits"
            Expect.equal (t Randomness.RandomBits (bits [ 2; 3 ]) (i32 [ 5; 4; 2 ])) (i32 [ 5; 4; 2; 3 ]) "bits, batched key"
            Expect.equal (t Randomness.RandomSplit (split 3) (i32 [ 2 ])) (i32 [ 3; 2 ]) "split"
            Expect.equal (t Randomness.RandomSplit (split 3) (i32 [ 7; 2 ])) (i32 [ 7; 3; 2 ]) "split, batched key"
            Expect.equal (t Randomness.RandomUniform (uniform [ 4 ] DType.F32) (i32 [ 2 ])) (f32 [ 4 ]) "uniform f32"
            Expect.equal (t Randomness.RandomUniform (uniform [] DType.F64) (i32 [ 3; 2 ])) (f64 [ 3 ]) "uniform f64, batched key"
        }
        test "bad keys and params are type errors" {
            let build prim ps types = fun () -> singleEquation prim ps types
            expectTypeError (build Randomness.RandomBits (bits [ 2 ]) [ f32 [ 2 ] ]) [ "random_bits"; "i32[2]"; "found f32[2]" ]
            expectTypeError (build Randomness.RandomBits (bits [ 2 ]) [ i32 [ 3 ] ]) [ "random_bits"; "found i32[3]" ]
            expectTypeError (build Randomness.RandomSplit (split 2) [ i32 [] ]) [ "random_split"; "found i32[]" ]
            expectTypeError (build Randomness.RandomSplit (split 2) [ i32 [ 2; 3 ] ]) [ "random_split"; "found i32[2,3]" ]
            expectTypeError (build Randomness.RandomUniform (uniform [ 2 ] DType.F32) [ i32 [ 2 ]; i32 [ 2 ] ]) [ "random_uniform"; "expects 1 operand" ]
            expectTypeError (build Randomness.RandomBits (bits [ 2; -1 ]) [ i32 [ 2 ] ]) [ "random_bits"; "negative" ]
            expectTypeError (build Randomness.RandomSplit (split -1) [ i32 [ 2 ] ]) [ "random_split"; "count=-1" ]
            expectTypeError (build Randomness.RandomUniform (uniform [ 2 ] DType.I32) [ i32 [ 2 ] ]) [ "random_uniform"; "f32 or f64"; "found i32" ]
            expectTypeError (build Randomness.RandomUniform (uniform [ 2 ] DType.Bool) [ i32 [ 2 ] ]) [ "random_uniform"; "found bool" ]
            expectTypeError (build Randomness.RandomBits (bits [ 65536; 65536 ]) [ i32 [ 2 ] ]) [ "random_bits"; "elements" ]
            expectTypeError (fun () -> Randomness.RandomBits.InferTypes(bits [ 2 ], ResizeArray [ Operand.Of(Literal.Of 1) ], ResizeArray [])) [ "random_bits"; "literal" ]
            let none = ResizeArray<Function>()
            Expect.isFalse (Randomness.RandomBits.LiteralDType(0, bits [ 2 ], ResizeArray [ null ], none).HasValue) "no literal key"
        }
        test "params: text form, defaults, equality" {
            Expect.equal ((uniform [ 2; 3 ] DType.F32).ToText()) "shape=[2,3], dtype=f32" "uniform writes shape then dtype"
            Expect.equal ((bits [ 4 ]).ToText()) "shape=[4]" "bits"
            Expect.equal ((split 5).ToText()) "count=5" "split"
            let read (p: Primitive) kvs = p.ReadParams(ParamReader(p.Name, kvs))
            let shape23 = KeyValuePair("shape", ListParam([ IntParam 2L :> ParamValue; IntParam 3L ] |> Collections.Immutable.ImmutableArray.CreateRange) :> ParamValue)
            Expect.equal (read Randomness.RandomUniform [ shape23 ]) (uniform [ 2; 3 ] DType.F32) "dtype defaults to f32"
            Expect.equal (read Randomness.RandomUniform [ shape23; KeyValuePair("dtype", DTypeParam DType.F64 :> ParamValue) ]) (uniform [ 2; 3 ] DType.F64) "dtype f64"
            Expect.equal (read Randomness.RandomBits [ shape23 ]) (bits [ 2; 3 ]) "bits read"
            Expect.equal (read Randomness.RandomSplit [ KeyValuePair("count", IntParam 4L :> ParamValue) ]) (split 4) "split read"
            Expect.throwsT<ParamException> (fun () -> read Randomness.RandomSplit [] |> ignore) "count is required"
            Expect.throwsT<ParamException> (fun () -> read Randomness.RandomBits [] |> ignore) "shape is required"
            Expect.notEqual (bits [ 2; 3 ]) (bits [ 3; 2 ]) "different shapes differ"
            let f = singleEquation Randomness.RandomUniform (uniform [ 3 ] DType.F64) [ i32 [ 2 ] ]
            Expect.stringContains (string f) "random_uniform[shape=[3], dtype=f64](" "printed"
        }
        test "the family is registered with batching rules" {
            for p in Randomness.All do
                Expect.isTrue (PrimitiveRegistry.Batching.Contains p) $"{p.Name} has a batching rule"
                Expect.isTrue (Object.ReferenceEquals(PrimitiveRegistry.Primitives.Get p.Name, p)) $"{p.Name} is registered"
        }
    ]

let vmapTests =
    let cases : (Primitive * PrimParams) list =
        [ Randomness.RandomBits, bits [ 3 ]; Randomness.RandomBits, bits []; Randomness.RandomBits, bits [ 2; 0 ]
          Randomness.RandomSplit, split 3; Randomness.RandomSplit, split 0
          Randomness.RandomUniform, uniform [ 2; 2 ] DType.F32; Randomness.RandomUniform, uniform [ 3 ] DType.F64 ]
    let caseFor (prim: Primitive) =
        test $"{prim.Name}/vmap = loop" {
            let rng = Random 99
            for p, ps in cases do
                if Object.ReferenceEquals(p, prim) then
                    for keyType, axes in [ i32 [ 2 ], [ None; Some 0; Some 1; Some -1 ]; i32 [ 4; 2 ], [ None; Some 0; Some 1; Some 2 ] ] do
                        let f = singleEquation prim ps [ keyType ]
                        for ax in axes do
                            for b in [ 0; 1; 3 ] do
                                checkVmapEqualsLoop rng f [ ax ] b
                                if ax.IsSome then
                                    // one primitive over the whole batch: no loop, at most a transpose of the key
                                    // before it and one placing the result's batch axis at 0 after it
                                    let batched = Vmap.Apply(f, b, ResizeArray [ Option.toNullable ax ])
                                    let names = batched.Equations |> Seq.map (fun e -> e.Primitive.Name) |> List.ofSeq
                                    Expect.equal (names |> List.filter (fun n -> n = prim.Name)) [ prim.Name ] $"one {prim.Name} for axis {ax}: {names}"
                                    Expect.isTrue (names |> List.forall (fun n -> n = prim.Name || n = "transpose")) $"batched IR for axis {ax}: {names}"
        }
    testList "randomness vmap" [
        for p in Randomness.All -> caseFor p
        test "a shared key gives every example the same numbers; a batched key its own" {
            let f = singleEquation Randomness.RandomBits (bits [ 4 ]) [ i32 [ 2 ] ]
            let shared = Vmap.Apply(f, 3, ResizeArray [ Nullable() ])
            let r = (ReferenceEvaluator.Evaluate(shared, ResizeArray [ keyOf [ 1; 2 ] [ 2 ] ])).[0]
            for b in 1 .. 2 do
                expectBitwise (ArrayOps.Index(r, 0, b)) (ArrayOps.Index(r, 0, 0)) $"example {b} = example 0"
            let batched = Vmap.Apply(f, 2, ResizeArray [ Nullable 0 ])
            let r2 = (ReferenceEvaluator.Evaluate(batched, ResizeArray [ keyOf [ 1; 2; 3; 4 ] [ 2; 2 ] ])).[0]
            Expect.isFalse ((ArrayOps.Index(r2, 0, 0)).BitwiseEquals(ArrayOps.Index(r2, 0, 1))) "different keys, different numbers"
        }
    ]

[<Tests>]
let tests = testList "randomness" [ threefryTests; valueTests; ruleTests; vmapTests ]

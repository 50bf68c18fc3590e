module ArrayLang.Tests.Primitives.ControlFlowTests

open System
open System.Collections.Generic
open Expecto
open ArrayLang.Ir
open ArrayLang.Primitives
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Transforms
open ArrayLang.Tests.TestUtil

// ---------------------------------------------------------------------------------------------
// Building functions with control flow

/// A function over parameters of the given types whose body emits equations and returns atoms.
let fn name (types: AVal list) (body: FunctionBuilder -> Atom[] -> Atom list) : Function =
    let b = FunctionBuilder()
    let ps = types |> List.map (fun t -> b.AddParam(t) :> Atom) |> Array.ofList
    let rs = body b ps
    b.Build(name, ResizeArray rs)

/// Emits an equation with sub-functions and returns its outputs as atoms.
let emit (b: FunctionBuilder) (prim: Primitive) (ps: PrimParams) (ins: Atom list) (subs: Function list) : Atom list =
    b.Emit(prim, ps, ResizeArray ins, ResizeArray subs) |> Seq.map (fun v -> v :> Atom) |> List.ofSeq

let add (b: FunctionBuilder) (x: Atom) (y: Atom) = b.Emit1(Elementwise.Add, NoParams.Instance, x, y) :> Atom
let neg (b: FunctionBuilder) (x: Atom) = b.Emit1(Elementwise.Neg, NoParams.Instance, x) :> Atom

/// A function of no parameters returning one literal.
let constFn (lit: Literal) = Function("k", Seq.empty, Seq.empty, [ lit :> Atom ])

/// `n > 0` for an i32[] n, written with control flow only: cond(n){ false true } (the index is clamped).
let isPositive (b: FunctionBuilder) (n: Atom) =
    emit b ControlFlow.Cond NoParams.Instance [ n ] [ constFn (Literal.Of false); constFn (Literal.Of true) ] |> List.head

let scanP length reverse consts carries = ScanParams(length, reverse, consts, carries) :> PrimParams
let whileP consts = WhileParams(consts) :> PrimParams

let eval (f: Function) (args: NDArray list) =
    TypeChecker.Check f
    ReferenceEvaluator.Evaluate(f, ResizeArray args)

let f32s (xs: float32 list) (dims: int list) = NDArray.Of(Array.ofList xs, Array.ofList dims)
let i32s (xs: int list) (dims: int list) = NDArray.Of(Array.ofList xs, Array.ofList dims)
let f32s0 (x: float32) = NDArray.Of([| x |])
let i32s0 (x: int) = NDArray.Of([| x |])
let bools0 (x: bool) = NDArray.Of([| x |])

/// Expects `action` to throw a TypeError whose message contains every one of `parts`.
/// TestUtil.expectTypeError with the fragments first (as this file reads best).
let expectTypeError (parts: string list) (action: unit -> unit) = ArrayLang.Tests.TestUtil.expectTypeError action parts

/// How many equations of `prim` a function holds, counting inside sub-functions.
let rec countPrim (prim: Primitive) (f: Function) : int =
    f.Equations |> Seq.sumBy (fun e ->
        (if obj.ReferenceEquals(e.Primitive, prim) then 1 else 0) + (e.SubFunctions |> Seq.sumBy (countPrim prim)))

/// vmap = loop, and the batched IR holds no more scan/while than the per-example IR (no loop over the batch).
let checkVmap (rng: Random) (f: Function) (axes: int option list) (b: int) =
    checkVmapEqualsLoop rng f axes b
    let batched = Vmap.Apply(f, b, axes |> List.map Option.toNullable |> ResizeArray)
    for prim in [ ControlFlow.Scan :> Primitive; ControlFlow.While ] do
        Expect.equal (countPrim prim batched) (countPrim prim f) $"the batched IR adds no {prim.Name} (never loops over the batch)"

/// Every combination of the given per-parameter axis choices.
let rec combos (choices: int option list list) : int option list list =
    match choices with
    | [] -> [ [] ]
    | c :: rest -> [ for x in c do for tail in combos rest -> x :: tail ]

let batchSizes = [ 0; 1; 3 ]

// ---------------------------------------------------------------------------------------------
// The functions under test

/// body(c, x) -> (c + x, c + x): a running sum.
let cumsumBody (dt: DType) = fn "body" [ aval dt []; aval dt [] ] (fun b p -> let s = add b p.[0] p.[1] in [ s; s ])

/// f(init: T[], xs: T[n]) = scan(init, xs){ running sum }: (final sum, prefix sums).
let cumsum (dt: DType) (n: int) (reverse: bool) =
    fn "f" [ aval dt []; aval dt [ n ] ] (fun b p -> emit b ControlFlow.Scan (scanP n reverse 0 1) [ p.[0]; p.[1] ] [ cumsumBody dt ])

/// body(w, a, c, cnt, x) -> (a + x, a + w, cnt + 1, c + x, -a, cnt): one const, three carries
/// where c depends on the previous a (two fixpoint rounds), three ys, one of them i32.
let multiBody (dt: DType) =
    fn "body" [ aval dt [ 2 ]; aval dt [ 2 ]; aval dt [ 2 ]; i32 []; aval dt [ 2 ] ] (fun b p ->
        let w, a, c, cnt, x = p.[0], p.[1], p.[2], p.[3], p.[4]
        [ add b a x; add b a w; add b cnt (Literal.Of 1); add b c x; neg b a; cnt ])

/// f(w: T[2], a0: T[2], c0: T[2], cnt0: i32[], xs: T[n,2]) = scan[consts=1, carries=3](...){ multiBody }.
let multiScan (dt: DType) (n: int) (reverse: bool) =
    fn "f" [ aval dt [ 2 ]; aval dt [ 2 ]; aval dt [ 2 ]; i32 []; aval dt [ n; 2 ] ] (fun b p ->
        emit b ControlFlow.Scan (scanP n reverse 1 3) (List.ofArray p) [ multiBody dt ])

/// Three branches over (x, y): (x + y, x), (-x, y), (y, y + y).
let threeBranches (dt: DType) (shape: int list) =
    let t = aval dt shape
    [ fn "b0" [ t; t ] (fun b p -> [ add b p.[0] p.[1]; p.[0] ])
      fn "b1" [ t; t ] (fun b p -> [ neg b p.[0]; p.[1] ])
      fn "b2" [ t; t ] (fun b p -> [ p.[1]; add b p.[1] p.[1] ]) ]

/// f(index, x: T[3], y: T[3]) = cond(index, x, y){ branches }.
let condOf (indexType: AVal) (branches: Function list) (dt: DType) =
    fn "f" [ indexType; aval dt [ 3 ]; aval dt [ 3 ] ] (fun b p -> emit b ControlFlow.Cond NoParams.Instance (List.ofArray p) branches)

/// f(step: T[2], n: i32[], acc: T[2], prev: T[2]) = while[consts=1]: while n > 0: n - 1, acc + step, prev = acc.
/// prev becomes batched only through acc (two fixpoint rounds when only step is batched).
let countdown (dt: DType) =
    let types = [ aval dt [ 2 ]; i32 []; aval dt [ 2 ]; aval dt [ 2 ] ]
    let condFn = fn "more" types (fun b p -> [ isPositive b p.[1] ])
    let body = fn "step" types (fun b p -> [ add b p.[1] (Literal.Of -1); add b p.[2] p.[0]; p.[2] ])
    fn "f" types (fun b p -> emit b ControlFlow.While (whileP 1) (List.ofArray p) [ condFn; body ])

let close (actual: NDArray) (expected: NDArray) msg =
    if not (ArrayOps.AllClose(actual, expected, 0.0, 0.0)) then failtestf "%s: expected %O, found %O" msg expected actual

// ---------------------------------------------------------------------------------------------

[<Tests>]
let tests =
    testList "control flow" [
        testList "params" [
            test "scan params write in the canonical order and read with defaults" {
                Expect.equal ((scanP 3 false 0 1).ToText()) "length=3, reverse=false, consts=0, carries=1" "text"
                let read = ControlFlow.Scan.ReadParams(ParamReader("scan", [ KeyValuePair("carries", IntParam 2L :> ParamValue); KeyValuePair("length", IntParam 5L) ]))
                Expect.equal read (scanP 5 false 0 2) "reverse=false and consts=0 by default"
                Expect.throwsT<ParamException> (fun () -> ControlFlow.Scan.ReadParams(ParamReader("scan", [ KeyValuePair("length", IntParam 5L :> ParamValue) ])) |> ignore) "carries is required"
            }
            test "while params default consts=0; cond takes none" {
                Expect.equal ((whileP 2).ToText()) "consts=2" "text"
                Expect.equal (ControlFlow.While.DefaultParams()) (whileP 0) "default"
                Expect.equal (ControlFlow.Cond.DefaultParams()) (NoParams.Instance :> PrimParams) "no params"
            }
        ]

        testList "text" [
            test "printing then parsing gives back an equal function" {
                let literalScan =
                    let body = fn "body" [ f64 []; f64 []; f64 [] ] (fun b p -> let s = add b (add b p.[0] p.[1]) p.[2] in [ s; s ])
                    fn "f" [ f64 [ 3 ] ] (fun b p -> emit b ControlFlow.Scan (scanP 3 false 1 1) [ Literal.Of 0.5; Literal.Of 100.0; p.[0] ] [ body ])
                let fs =
                    [ multiScan DType.F32 3 true; countdown DType.I32; condOf (i32 []) (threeBranches DType.F32 [ 3 ]) DType.F32
                      condOf (boolT []) (threeBranches DType.F64 [ 3 ] |> List.take 2) DType.F64; literalScan
                      Vmap.Apply(countdown DType.F32, 3, ResizeArray [ Nullable(); Nullable 0; Nullable(); Nullable 1 ])
                      Vmap.Apply(multiScan DType.F32 3 false, 2, ResizeArray [ Nullable(); Nullable(); Nullable(); Nullable(); Nullable 2 ]) ]
                for f in fs do
                    let back = IrParser.ParseFunction(string f)
                    TypeChecker.Check back
                    Expect.equal back f $"round trip of\n{f}"
            }
            test "omitted params take their defaults; a literal cond index is i32" {
                let text = "func f(x: f32[4]) -> (f32[], f32[4], f32[]) {\n  a: f32[], b: f32[4] = scan[length=4, carries=1](0.0, x) {\n    func body(c: f32[], x: f32[]) -> (f32[], f32[]) {\n      s: f32[] = add(c, x)\n      return (s, s)\n    }\n  }\n  d: f32[] = cond(-3, a) {\n    func b0(x: f32[]) -> (f32[]) {\n      return (x)\n    }\n    func b1(x: f32[]) -> (f32[]) {\n      y: f32[] = neg(x)\n      return (y)\n    }\n  }\n  return (a, b, d)\n}\n"
                let f = IrParser.ParseFunction(text)
                TypeChecker.Check f
                Expect.equal f.Equations.[0].Params (scanP 4 false 0 1) "reverse=false, consts=0"
                let r = ReferenceEvaluator.Evaluate(f, ResizeArray [ f32s [ 1.0f; 2.0f; 3.0f; 4.0f ] [ 4 ] ])
                expectBitwise r.[0] (f32s0 10.0f) "sum"
                expectBitwise r.[2] (f32s0 10.0f) "index -3 clamps to branch_0"
            }
        ]

        testList "scan reference" [
            test "forward running sum" {
                let r = eval (cumsum DType.F32 4 false) [ f32s0 10.0f; f32s [ 1.0f; 2.0f; 3.0f; 4.0f ] [ 4 ] ]
                expectBitwise r.[0] (f32s0 20.0f) "final carry"
                expectBitwise r.[1] (f32s [ 11.0f; 13.0f; 16.0f; 20.0f ] [ 4 ]) "ys"
            }
            test "reverse running sum: ys[t] is the output of the step that read xs[t]" {
                let r = eval (cumsum DType.F32 4 true) [ f32s0 10.0f; f32s [ 1.0f; 2.0f; 3.0f; 4.0f ] [ 4 ] ]
                expectBitwise r.[0] (f32s0 20.0f) "final carry"
                expectBitwise r.[1] (f32s [ 20.0f; 19.0f; 17.0f; 14.0f ] [ 4 ]) "ys"
            }
            test "length 0 keeps the carries and gives empty ys" {
                for reverse in [ false; true ] do
                    let r = eval (multiScan DType.F32 0 reverse) [ f32s [ 1.0f; 2.0f ] [ 2 ]; f32s [ 1.0f; 2.0f ] [ 2 ]; f32s [ 5.0f; 5.0f ] [ 2 ]; i32s0 7; f32s [] [ 0; 2 ] ]
                    expectBitwise r.[0] (f32s [ 1.0f; 2.0f ] [ 2 ]) "a"
                    expectBitwise r.[1] (f32s [ 5.0f; 5.0f ] [ 2 ]) "c"
                    expectBitwise r.[2] (i32s0 7) "cnt"
                    expectBitwise r.[3] (f32s [] [ 0; 2 ]) "ys 1"
                    expectBitwise r.[4] (f32s [] [ 0; 2 ]) "ys 2"
                    expectBitwise r.[5] (i32s [] [ 0 ]) "ys 3"
            }
            test "const, three carries and three ys, forward" {
                let args = [ f32s [ 1.0f; 2.0f ] [ 2 ]; f32s [ 1.0f; 2.0f ] [ 2 ]; f32s [ 5.0f; 5.0f ] [ 2 ]; i32s0 7; f32s [ 1.0f; 1.0f; 2.0f; 2.0f; 3.0f; 3.0f ] [ 3; 2 ] ]
                let r = eval (multiScan DType.F32 3 false) args
                expectBitwise r.[0] (f32s [ 7.0f; 8.0f ] [ 2 ]) "a"
                expectBitwise r.[1] (f32s [ 5.0f; 7.0f ] [ 2 ]) "c"
                expectBitwise r.[2] (i32s0 10) "cnt"
                expectBitwise r.[3] (f32s [ 6.0f; 6.0f; 4.0f; 6.0f; 6.0f; 8.0f ] [ 3; 2 ]) "c + x"
                expectBitwise r.[4] (f32s [ -1.0f; -2.0f; -2.0f; -3.0f; -4.0f; -5.0f ] [ 3; 2 ]) "-a"
                expectBitwise r.[5] (i32s [ 7; 8; 9 ] [ 3 ]) "cnt"
            }
            test "const, three carries and three ys, reverse" {
                let args = [ f32s [ 1.0f; 2.0f ] [ 2 ]; f32s [ 1.0f; 2.0f ] [ 2 ]; f32s [ 5.0f; 5.0f ] [ 2 ]; i32s0 7; f32s [ 1.0f; 1.0f; 2.0f; 2.0f; 3.0f; 3.0f ] [ 3; 2 ] ]
                let r = eval (multiScan DType.F32 3 true) args
                expectBitwise r.[0] (f32s [ 7.0f; 8.0f ] [ 2 ]) "a"
                expectBitwise r.[1] (f32s [ 7.0f; 9.0f ] [ 2 ]) "c"
                expectBitwise r.[2] (i32s0 10) "cnt"
                expectBitwise r.[3] (f32s [ 6.0f; 8.0f; 4.0f; 6.0f; 8.0f; 8.0f ] [ 3; 2 ]) "c + x"
                expectBitwise r.[4] (f32s [ -6.0f; -7.0f; -4.0f; -5.0f; -1.0f; -2.0f ] [ 3; 2 ]) "-a"
                expectBitwise r.[5] (i32s [ 9; 8; 7 ] [ 3 ]) "cnt"
            }
            test "i32 carries wrap around" {
                let r = eval (cumsum DType.I32 2 false) [ i32s0 Int32.MaxValue; i32s [ 1; 1 ] [ 2 ] ]
                expectBitwise r.[1] (i32s [ Int32.MinValue; Int32.MinValue + 1 ] [ 2 ]) "wraps"
            }
            test "literal carry and const operands take the body's scalar parameter types" {
                let body = fn "body" [ f64 []; f64 []; f64 [] ] (fun b p -> let s = add b (add b p.[0] p.[1]) p.[2] in [ s; s ])
                let f = fn "f" [ f64 [ 3 ] ] (fun b p -> emit b ControlFlow.Scan (scanP 3 false 1 1) [ Literal.Of 0.5; Literal.Of 100.0; p.[0] ] [ body ])
                Expect.stringContains (string f) "scan[length=3, reverse=false, consts=1, carries=1](0.5, 100.0, a)" "printed"
                let r = eval f [ NDArray.Of([| 1.0; 2.0; 3.0 |], 3) ]
                expectBitwise r.[1] (NDArray.Of([| 101.5; 104.0; 107.5 |], 3)) "ys"
            }
        ]

        testList "cond reference" [
            test "i32 index is clamped into [0, branches - 1]" {
                let f = condOf (i32 []) (threeBranches DType.F32 [ 3 ]) DType.F32
                let x, y = f32s [ 1.0f; 2.0f; 3.0f ] [ 3 ], f32s [ 10.0f; 20.0f; 30.0f ] [ 3 ]
                let b0 = f32s [ 11.0f; 22.0f; 33.0f ] [ 3 ]
                let b1 = f32s [ -1.0f; -2.0f; -3.0f ] [ 3 ]
                let b2 = y
                for index, expected in [ Int32.MinValue, b0; -5, b0; -1, b0; 0, b0; 1, b1; 2, b2; 3, b2; 7, b2; Int32.MaxValue, b2 ] do
                    let r = eval f [ i32s0 index; x; y ]
                    expectBitwise r.[0] expected $"index {index}"
            }
            test "bool index: false selects branch_0" {
                let f = condOf (boolT []) (threeBranches DType.I32 [ 3 ] |> List.take 2) DType.I32
                let x, y = i32s [ 1; 2; 3 ] [ 3 ], i32s [ 10; 20; 30 ] [ 3 ]
                expectBitwise (eval f [ bools0 false; x; y ]).[0] (i32s [ 11; 22; 33 ] [ 3 ]) "false"
                expectBitwise (eval f [ bools0 true; x; y ]).[0] (i32s [ -1; -2; -3 ] [ 3 ]) "true"
                expectBitwise (eval f [ bools0 true; x; y ]).[1] y "second result"
            }
            test "a literal index and literal operands" {
                let branches = [ fn "b0" [ f32 [] ] (fun b p -> [ neg b p.[0] ]); fn "b1" [ f32 [] ] (fun b p -> [ add b p.[0] p.[0] ]) ]
                let f = fn "f" [] (fun b p -> emit b ControlFlow.Cond NoParams.Instance [ Literal.Of 9; Literal.Of 2.5f ] branches)
                Expect.stringContains (string f) "cond(9, 2.5)" "printed"
                expectBitwise (eval f []).[0] (f32s0 5.0f) "clamped to branch_1"
            }
            test "a single branch runs for every index" {
                let f = fn "f" [ i32 []; f32 [] ] (fun b p -> emit b ControlFlow.Cond NoParams.Instance [ p.[0]; p.[1] ] [ fn "only" [ f32 [] ] (fun b q -> [ neg b q.[0] ]) ])
                for index in [ -3; 0; 4 ] do
                    expectBitwise (eval f [ i32s0 index; f32s0 2.0f ]).[0] (f32s0 -2.0f) $"index {index}"
            }
        ]

        testList "while reference" [
            test "counting loop with a const" {
                let r = eval (countdown DType.F32) [ f32s [ 0.5f; 2.0f ] [ 2 ]; i32s0 3; f32s [ 1.0f; 1.0f ] [ 2 ]; f32s [ 9.0f; 9.0f ] [ 2 ] ]
                expectBitwise r.[0] (i32s0 0) "n"
                expectBitwise r.[1] (f32s [ 2.5f; 7.0f ] [ 2 ]) "acc"
                expectBitwise r.[2] (f32s [ 2.0f; 5.0f ] [ 2 ]) "prev"
            }
            test "zero iterations return the initial carries" {
                for n in [ 0; -4; Int32.MinValue ] do
                    let r = eval (countdown DType.F64) [ NDArray.Of([| 0.5; 2.0 |], 2); i32s0 n; NDArray.Of([| 1.0; -0.0 |], 2); NDArray.Of([| nan; 9.0 |], 2) ]
                    expectBitwise r.[0] (i32s0 n) "n"
                    expectBitwise r.[1] (NDArray.Of([| 1.0; -0.0 |], 2)) "acc unchanged, -0.0 kept"
                    expectBitwise r.[2] (NDArray.Of([| nan; 9.0 |], 2)) "prev unchanged"
            }
            test "literal carries" {
                let types = [ i32 []; f32 [] ]
                let condFn = fn "more" types (fun b p -> [ isPositive b p.[0] ])
                let body = fn "step" types (fun b p -> [ add b p.[0] (Literal.Of -1); add b p.[1] (Literal.Of 1.5f) ])
                let f = fn "f" [] (fun b _ -> emit b ControlFlow.While (whileP 0) [ Literal.Of 4; Literal.Of 0.0f ] [ condFn; body ])
                let r = eval f []
                expectBitwise r.[0] (i32s0 0) "n"
                expectBitwise r.[1] (f32s0 6.0f) "acc"
            }
        ]

        testList "type errors" [
            test "scan body parameters must be the consts, carries and rows of xs" {
                expectTypeError [ "body parameter 1"; "carry 1"; "f32[]"; "i32[]" ] (fun () ->
                    fn "f" [ i32 []; f32 [ 3 ] ] (fun b p -> emit b ControlFlow.Scan (scanP 3 false 0 1) [ p.[0]; p.[1] ] [ cumsumBody DType.F32 ]) |> ignore)
                expectTypeError [ "body parameter 2"; "xs 1"; "f32[2]"; "f32[3,2]" ] (fun () ->
                    fn "f" [ f32 []; f32 [ 3; 2 ] ] (fun b p -> emit b ControlFlow.Scan (scanP 3 false 0 1) [ p.[0]; p.[1] ] [ cumsumBody DType.F32 ]) |> ignore)
                expectTypeError [ "takes 2 parameter(s)"; "passes 3" ] (fun () ->
                    fn "f" [ f32 []; f32 [ 3 ]; f32 [ 3 ] ] (fun b p -> emit b ControlFlow.Scan (scanP 3 false 0 1) (List.ofArray p) [ cumsumBody DType.F32 ]) |> ignore)
            }
            test "scan xs need leading dimension length" {
                expectTypeError [ "leading dimension length=3"; "f32[4]" ] (fun () ->
                    fn "f" [ f32 []; f32 [ 4 ] ] (fun b p -> emit b ControlFlow.Scan (scanP 3 false 0 1) [ p.[0]; p.[1] ] [ cumsumBody DType.F32 ]) |> ignore)
                expectTypeError [ "leading dimension"; "f32[]" ] (fun () ->
                    fn "f" [ f32 []; f32 [] ] (fun b p -> emit b ControlFlow.Scan (scanP 3 false 0 1) [ p.[0]; p.[1] ] [ cumsumBody DType.F32 ]) |> ignore)
            }
            test "scan carry outputs keep the carry types exactly" {
                let body = fn "body" [ f32 []; f32 [ 2 ] ] (fun b p -> [ p.[1]; p.[0] ])
                expectTypeError [ "result 1"; "f32[2]"; "carry 1 is f32[]"; "exactly" ] (fun () ->
                    fn "f" [ f32 []; f32 [ 3; 2 ] ] (fun b p -> emit b ControlFlow.Scan (scanP 3 false 0 1) [ p.[0]; p.[1] ] [ body ]) |> ignore)
                let few = fn "body" [ f32 []; f32 [] ] (fun b p -> [])
                expectTypeError [ "carries first"; "returns only 0" ] (fun () ->
                    fn "f" [ f32 []; f32 [ 3 ] ] (fun b p -> emit b ControlFlow.Scan (scanP 3 false 0 1) [ p.[0]; p.[1] ] [ few ]) |> ignore)
            }
            test "scan static params that do not fit" {
                expectTypeError [ "length must be >= 0" ] (fun () ->
                    fn "f" [ f32 [] ] (fun b p -> emit b ControlFlow.Scan (scanP -1 false 0 1) [ p.[0] ] [ fn "body" [ f32 [] ] (fun _ q -> [ q.[0] ]) ]) |> ignore)
                expectTypeError [ "consts=1 and carries=1"; "found 1" ] (fun () ->
                    fn "f" [ f32 [] ] (fun b p -> emit b ControlFlow.Scan (scanP 0 false 1 1) [ p.[0] ] [ fn "body" [ f32 [] ] (fun _ q -> [ q.[0] ]) ]) |> ignore)
                expectTypeError [ "one sub-function"; "found 2" ] (fun () ->
                    let body = cumsumBody DType.F32
                    fn "f" [ f32 []; f32 [ 3 ] ] (fun b p -> emit b ControlFlow.Scan (scanP 3 false 0 1) [ p.[0]; p.[1] ] [ body; body ]) |> ignore)
            }
            test "cond branches share the operands' signature and one result signature" {
                let good = threeBranches DType.F32 [ 3 ]
                let wrongResult = fn "odd" [ f32 [ 3 ]; f32 [ 3 ] ] (fun b p -> [ p.[0] ])
                expectTypeError [ "branch_2 (odd) returns (f32[3])"; "branch_0 (b0) returns (f32[3], f32[3])" ] (fun () ->
                    condOf (i32 []) [ good.[0]; good.[1]; wrongResult ] DType.F32 |> ignore)
                expectTypeError [ "branch_0"; "takes (f32[3], f32[3])"; "operands are (i32[3], i32[3])" ] (fun () ->
                    condOf (i32 []) good DType.I32 |> ignore)
            }
            test "cond index is i32[] or bool[] with exactly two branches" {
                expectTypeError [ "exactly 2 branches"; "found 3" ] (fun () -> condOf (boolT []) (threeBranches DType.F32 [ 3 ]) DType.F32 |> ignore)
                expectTypeError [ "i32[] or bool[]"; "f32[]" ] (fun () -> condOf (f32 []) (threeBranches DType.F32 [ 3 ]) DType.F32 |> ignore)
                expectTypeError [ "i32[] or bool[]"; "i32[2]" ] (fun () -> condOf (i32 [ 2 ]) (threeBranches DType.F32 [ 3 ]) DType.F32 |> ignore)
                expectTypeError [ "at least one branch" ] (fun () -> condOf (i32 []) [] DType.F32 |> ignore)
            }
            test "while cond_fn returns bool[], body_fn returns the carries" {
                let types = [ i32 []; f32 [] ]
                let intCond = fn "more" types (fun b p -> [ p.[0] ])
                let body = fn "step" types (fun b p -> [ p.[1] ])
                expectTypeError [ "cond_fn (more) must return (bool[])"; "(i32[])" ] (fun () ->
                    fn "f" types (fun b p -> emit b ControlFlow.While (whileP 0) (List.ofArray p) [ intCond; fn "step" types (fun b p -> List.ofArray p) ]) |> ignore)
                expectTypeError [ "body_fn (step) returns (f32[])"; "carries are (i32[], f32[])" ] (fun () ->
                    fn "f" types (fun b p -> emit b ControlFlow.While (whileP 0) (List.ofArray p) [ fn "more" types (fun b p -> [ isPositive b p.[0] ]); body ]) |> ignore)
                expectTypeError [ "body_fn (step) returns (i32[])"; "carries are (f32[])" ] (fun () ->
                    fn "f" types (fun b p -> emit b ControlFlow.While (whileP 1) (List.ofArray p) [ fn "more" types (fun b p -> [ isPositive b p.[0] ]); fn "step" types (fun b p -> [ p.[0] ]) ]) |> ignore)
                expectTypeError [ "takes (i32[])"; "(i32[], f32[])" ] (fun () ->
                    fn "f" types (fun b p -> emit b ControlFlow.While (whileP 0) (List.ofArray p) [ fn "more" [ i32 [] ] (fun b p -> [ isPositive b p.[0] ]); fn "step" types (fun b p -> List.ofArray p) ]) |> ignore)
                expectTypeError [ "two sub-functions"; "found 1" ] (fun () ->
                    fn "f" types (fun b p -> emit b ControlFlow.While (whileP 0) (List.ofArray p) [ body ]) |> ignore)
            }
            test "literal operands must fit a scalar parameter of the declared dtype" {
                let check (prim: Primitive) (ps: PrimParams) (ins: Atom list) (subs: Function list) (parts: string list) =
                    let b = FunctionBuilder()
                    let out = b.FreshVar(f32 [ 2 ])
                    b.Add(Equation([ out ], prim, ps, ins, subs))
                    expectTypeError parts (fun () -> TypeChecker.Check(b.Build("f", ResizeArray [ out :> Atom ])))
                let vecBody = fn "body" [ f32 [ 2 ] ] (fun _ p -> [ p.[0] ])
                check ControlFlow.Scan (scanP 0 false 0 1) [ Literal.Of 1.0f ] [ vecBody ] [ "operand 1 may not be a literal" ]
                check ControlFlow.Scan (scanP 0 false 0 1) [ Literal.Of 1 ] [ fn "body" [ f32 [] ] (fun _ p -> [ p.[0] ]) ] [ "should be f32"; "found i32" ]
                check ControlFlow.Scan (scanP 0 false 0 0) [ Literal.Of 1.0f ] [ fn "body" [ f32 [] ] (fun _ p -> []) ] [ "operand 1 may not be a literal" ]
                check ControlFlow.Cond NoParams.Instance [ Literal.Of 0; Literal.Of 1.0f ] [ vecBody ] [ "operand 2 may not be a literal" ]
                check ControlFlow.Cond NoParams.Instance [ Literal.Of true; ] [ constFn (Literal.Of 1.0f); constFn (Literal.Of 2.0f) ] [ "literal operand 1 should be i32" ]
                check ControlFlow.While (whileP 0) [ Literal.Of 1.0 ] [ fn "c" [ f32 [] ] (fun b p -> [ Literal.Of true ]); fn "s" [ f32 [] ] (fun _ p -> [ p.[0] ]) ] [ "should be f32"; "found f64" ]
            }
        ]

        testList "scan vmap" [
            test "scan/vmap = loop" {
                let rng = Random 11
                // w, a0, c0, cnt0, xs
                let choices = [ [ None; Some 0; Some 1 ]; [ None; Some 0; Some -1 ]; [ None; Some 1 ]; [ None; Some 0 ]; [ None; Some 0; Some 1; Some 2 ] ]
                for reverse in [ false; true ] do
                    let f = multiScan DType.F32 4 reverse
                    for axes in combos choices do
                        for b in batchSizes do
                            checkVmap rng f axes b
            }
            test "scan/vmap = loop for f64, i32 and length 0" {
                let rng = Random 12
                let choices = [ [ None; Some 1 ]; [ None; Some 0 ]; [ None ]; [ None; Some 0 ]; [ None; Some 0; Some 2 ] ]
                for dt in [ DType.F64; DType.I32 ] do
                    for n in [ 0; 3 ] do
                        let f = multiScan dt n (n = 3)
                        for axes in combos choices do
                            for b in batchSizes do
                                checkVmap rng f axes b
            }
            test "scan with literal operands/vmap = loop" {
                let rng = Random 13
                let body = fn "body" [ f32 []; f32 []; f32 [] ] (fun b p -> let s = add b (add b p.[0] p.[1]) p.[2] in [ s; s ])
                let f = fn "f" [ f32 [ 3 ] ] (fun b p -> emit b ControlFlow.Scan (scanP 3 false 1 1) [ Literal.Of 0.5f; Literal.Of 100.0f; p.[0] ] [ body ])
                for axes in [ [ Some 0 ]; [ Some 1 ] ] do
                    for b in batchSizes do
                        checkVmap rng f axes b
            }
            test "scan whose body returns literals/vmap = loop" {
                let rng = Random 15
                let body = fn "body" [ f32 []; f32 [] ] (fun b p -> [ Literal.Of 1.5f; add b p.[0] p.[1]; Literal.Of 2.0f ])
                let f = fn "f" [ f32 []; f32 [ 3 ] ] (fun b p -> emit b ControlFlow.Scan (scanP 3 false 0 1) [ p.[0]; p.[1] ] [ body ])
                for axes in combos [ [ None; Some 0 ]; [ None; Some 0; Some 1 ] ] do
                    for b in batchSizes do
                        checkVmap rng f axes b
            }
            test "batched carries are found by fixpoint; unbatched ones stay unbatched" {
                let f = multiScan DType.F32 4 false
                // Only xs batched: a becomes batched in round 1, c in round 2; w and cnt stay shared.
                let batched = Vmap.Apply(f, 5, ResizeArray [ Nullable(); Nullable(); Nullable(); Nullable(); Nullable 0 ])
                TypeChecker.Check batched
                let scan = batched.Equations |> Seq.find (fun e -> obj.ReferenceEquals(e.Primitive, ControlFlow.Scan))
                let types = scan.Inputs |> Seq.map (fun a -> string a.Type) |> List.ofSeq
                Expect.equal types [ "f32[2]"; "f32[5,2]"; "f32[5,2]"; "i32[]"; "f32[4,5,2]" ] "w shared, a and c batched at 0, cnt a scalar, xs batched at 1"
                let outs = scan.Outputs |> Seq.map (fun v -> string v.Type) |> List.ofSeq
                Expect.equal outs [ "f32[5,2]"; "f32[5,2]"; "i32[]"; "f32[4,5,2]"; "f32[4,5,2]"; "i32[4]" ] "ys batched at 1 except the counter's"
            }
            test "an unbatched counter carry in a dynamic_slice stays a scalar and a dynamic_slice" {
                let rng = Random 16
                let body =
                    fn "body" [ f32 [ 5; 2 ]; i32 []; f32 [ 1; 2 ] ] (fun b p ->
                        let row = b.Emit1(Slicing.DynamicSlice, DynamicSliceParams([| 1; 2 |]), p.[0], p.[1], Literal.Of 0)
                        [ add b p.[1] (Literal.Of 1); add b p.[2] row; row ])
                let f = fn "f" [ f32 [ 5; 2 ]; f32 [ 1; 2 ] ] (fun b p -> emit b ControlFlow.Scan (scanP 4 false 1 2) [ p.[0]; Literal.Of 0; p.[1] ] [ body ])
                for axes in combos [ [ None; Some 0; Some 2 ]; [ None; Some 0; Some 1 ] ] do
                    for b in batchSizes do
                        checkVmap rng f axes b
                let batched = Vmap.Apply(f, 3, ResizeArray [ Nullable 0; Nullable() ])
                TypeChecker.Check batched
                let scan = batched.Equations |> Seq.find (fun e -> obj.ReferenceEquals(e.Primitive, ControlFlow.Scan))
                let body' = scan.SubFunctions.[0]
                Expect.equal (string body'.Params.[1].Type) "i32[]" "the counter stays i32[]"
                Expect.equal (string scan.Inputs.[1]) "0" "the counter's initial value stays a literal"
                Expect.isGreaterThan (countPrim Slicing.DynamicSlice body') 0 "the body keeps a dynamic_slice"
            }
            test "nested vmap of scan = loop of vmap" {
                let rng = Random 14
                let f = multiScan DType.F32 3 true
                let inner = Vmap.Apply(f, 2, ResizeArray [ Nullable 0; Nullable(); Nullable(); Nullable(); Nullable 1 ])
                for axes in [ [ Some 1; Some 0; None; None; Some 0 ]; [ None; None; Some 0; Some 0; Some 3 ] ] do
                    for b in batchSizes do
                        checkVmap rng inner axes b
            }
        ]

        testList "cond vmap" [
            test "cond with an unbatched index/vmap = loop" {
                let rng = Random 21
                for dt in [ DType.F32; DType.I32 ] do
                    let f = condOf (i32 []) (threeBranches dt [ 3 ]) dt
                    for axes in combos [ [ None ]; [ None; Some 0; Some 1 ]; [ None; Some 0; Some 1 ] ] do
                        for b in batchSizes do
                            checkVmap rng f axes b
                    let g = condOf (boolT []) (threeBranches dt [ 3 ] |> List.take 2) dt
                    for axes in combos [ [ None ]; [ None; Some 0; Some 1 ]; [ None; Some 1 ] ] do
                        for b in batchSizes do
                            checkVmap rng g axes b
            }
            test "cond with a literal index and literal operands/vmap = loop" {
                let rng = Random 22
                let branches = [ fn "b0" [ f32 []; f32 [ 2 ] ] (fun b p -> [ neg b p.[1]; p.[0] ]); fn "b1" [ f32 []; f32 [ 2 ] ] (fun b p -> [ add b p.[1] p.[1]; neg b p.[0] ]) ]
                let f = fn "f" [ f32 [ 2 ] ] (fun b p -> emit b ControlFlow.Cond NoParams.Instance [ Literal.Of 1; Literal.Of 2.5f; p.[0] ] branches)
                for b in batchSizes do
                    checkVmap rng f [ Some 0 ] b
            }
            test "cond whose branches return literals/vmap = loop" {
                let rng = Random 23
                let t = f32 [ 3 ]
                let branches = [ fn "b0" [ f32 []; t ] (fun b p -> [ add b p.[0] p.[0]; p.[1] ]); fn "b1" [ f32 []; t ] (fun b p -> [ Literal.Of 2.0f; p.[1] ]) ]
                let f = fn "f" [ i32 []; f32 []; t ] (fun b p -> emit b ControlFlow.Cond NoParams.Instance (List.ofArray p) branches)
                for axes in combos [ [ None ]; [ None; Some 0 ]; [ None; Some 1 ] ] do
                    for b in batchSizes do
                        checkVmap rng f axes b
            }
            test "cond with a batched index/vmap = loop" {
                let rng = Random 24
                for dt in [ DType.F32; DType.I32 ] do
                    let f = condOf (i32 []) (threeBranches dt [ 3 ]) dt
                    for axes in combos [ [ Some 0 ]; [ None; Some 0; Some 1 ]; [ None; Some 0; Some 1 ] ] do
                        for b in batchSizes do
                            checkVmap rng f axes b
                    let g = condOf (boolT []) (threeBranches dt [ 3 ] |> List.take 2) dt
                    for axes in combos [ [ Some 0 ]; [ None; Some 0; Some 1 ]; [ None; Some 1 ] ] do
                        for b in batchSizes do
                            checkVmap rng g axes b
            }
            test "cond with a batched index, literal operands and results, one branch/vmap = loop" {
                let rng = Random 25
                let t = f32 [ 2 ]
                let branches = [ fn "b0" [ f32 []; t ] (fun b p -> [ add b p.[1] p.[1]; Literal.Of 7.0f ]); fn "b1" [ f32 []; t ] (fun b p -> [ neg b p.[1]; p.[0] ]) ]
                let f = fn "f" [ boolT []; t ] (fun b p -> emit b ControlFlow.Cond NoParams.Instance [ p.[0]; Literal.Of 2.5f; p.[1] ] branches)
                let one = fn "f" [ i32 []; t ] (fun b p -> emit b ControlFlow.Cond NoParams.Instance [ p.[0]; p.[1] ] [ fn "only" [ t ] (fun b q -> [ neg b q.[0]; Literal.Of 1 ]) ])
                for b in batchSizes do
                    for axes in [ [ Some 0; None ]; [ Some 0; Some 1 ] ] do
                        checkVmap rng f axes b
                        checkVmap rng one axes b
            }
            test "cond with a batched index and literal results of every kind/vmap = loop" {
                let rng = Random 26
                let t = f32 []
                let branch name (r: Atom[] -> FunctionBuilder -> Atom list) = fn name [ t ] (fun b p -> r p b)
                let branches =
                    [ branch "b0" (fun p b -> [ Literal.Of 1.0f; Literal.Of true; Literal.Of 5; Literal.Of 3.0f; Literal.Of false ])
                      branch "b1" (fun p b -> [ Literal.Of 2.0f; Literal.Of false; Literal.Of 5; p.[0]; Literal.Of false ])
                      branch "b2" (fun p b -> [ p.[0]; Literal.Of true; Literal.Of 5; Literal.Of -1.0f; Literal.Of true ]) ]
                let resultTypes = [ t; boolT []; i32 []; t; boolT [] ]
                let f = fn "f" [ i32 []; t ] (fun b p -> emit b ControlFlow.Cond NoParams.Instance (List.ofArray p) branches)
                Expect.equal (f.ResultTypes |> Seq.map string |> List.ofSeq) (resultTypes |> List.map string) "result types"
                for axes in [ [ Some 0; None ]; [ Some 0; Some 0 ] ] do
                    for b in batchSizes do
                        checkVmap rng f axes b
                let g = fn "g" [ boolT []; t ] (fun b p -> emit b ControlFlow.Cond NoParams.Instance (List.ofArray p) (List.take 2 branches))
                for axes in [ [ Some 0; None ]; [ Some 0; Some 0 ] ] do
                    for b in batchSizes do
                        checkVmap rng g axes b
            }
            test "a batched index runs every branch and selects per lane (no cond left)" {
                let f = condOf (i32 []) (threeBranches DType.F32 [ 3 ]) DType.F32
                let batched = Vmap.Apply(f, 4, ResizeArray [ Nullable 0; Nullable 1; Nullable() ])
                TypeChecker.Check batched
                Expect.equal (countPrim ControlFlow.Cond batched) 0 "branches are inlined"
                Expect.equal (countPrim Elementwise.Select batched) 4 "two selects per result for three branches"
                let text = string batched
                Expect.stringContains text "min(" "the index is clamped from above"
                Expect.stringContains text "max(" "and from below"
            }
            test "an unbatched index keeps one cond; results batched in some branch are batched in all" {
                let f = condOf (i32 []) (threeBranches DType.F32 [ 3 ]) DType.F32
                let batched = Vmap.Apply(f, 4, ResizeArray [ Nullable(); Nullable 1; Nullable() ])
                TypeChecker.Check batched
                Expect.equal (countPrim ControlFlow.Cond batched) 1 "one cond"
                let e = batched.Equations |> Seq.find (fun e -> obj.ReferenceEquals(e.Primitive, ControlFlow.Cond))
                Expect.equal (string e.Inputs.[0].Type) "i32[]" "the index stays a scalar"
                Expect.equal (string e.Inputs.[2].Type) "f32[3]" "y stays shared"
            }
        ]

        testList "while vmap" [
            test "while with an unbatched predicate/vmap = loop" {
                let rng = Random 31
                for dt in [ DType.F32; DType.I32 ] do
                    let f = countdown dt
                    for axes in combos [ [ None; Some 0; Some 1 ]; [ None ]; [ None; Some 0; Some -1 ]; [ None; Some 1 ] ] do
                        for b in batchSizes do
                            checkVmap rng f axes b
            }
            test "while with a batched predicate/vmap = loop (lanes finish at different times)" {
                let rng = Random 32
                for dt in [ DType.F32; DType.I32 ] do
                    let f = countdown dt
                    for axes in combos [ [ None; Some 0; Some 1 ]; [ Some 0 ]; [ None; Some 0; Some -1 ]; [ None; Some 1 ] ] do
                        for b in batchSizes do
                            checkVmap rng f axes b
            }
            test "while x < limit with lt/vmap = loop" {
                let rng = Random 33
                let types = [ f32 []; f32 []; i32 [] ]
                let condFn = fn "below" types (fun b p -> [ b.Emit1(Elementwise.Lt, NoParams.Instance, p.[1], p.[0]) ])
                let body = fn "step" types (fun b p -> [ add b p.[1] (Literal.Of 1.5f); add b p.[2] (Literal.Of 1) ])
                let f = fn "f" types (fun b p -> emit b ControlFlow.While (whileP 1) (List.ofArray p) [ condFn; body ])
                for axes in combos [ [ None; Some 0 ]; [ None; Some 0 ]; [ None; Some 0 ] ] do
                    for b in batchSizes do
                        checkVmap rng f axes b
            }
            test "while with literal carries/vmap = loop" {
                let rng = Random 35
                let types = [ f32 []; f32 []; i32 []; f32 [] ]
                let condFn = fn "below" types (fun b p -> [ b.Emit1(Elementwise.Lt, NoParams.Instance, p.[1], p.[0]) ])
                let body = fn "step" types (fun b p -> [ add b p.[1] (Literal.Of 1.5f); add b p.[2] (Literal.Of 1); add b p.[3] p.[3] ])
                // limit (const), x = 0.0, count = 0, doubling = w: limit batched makes the predicate batched;
                // w batched alone keeps it unbatched (w is batched through the fixpoint only).
                let f = fn "f" [ f32 []; f32 [] ] (fun b p -> emit b ControlFlow.While (whileP 1) [ p.[0]; Literal.Of 0.0f; Literal.Of 0; p.[1] ] [ condFn; body ])
                for axes in combos [ [ None; Some 0 ]; [ None; Some 0 ] ] do
                    for b in batchSizes do
                        checkVmap rng f axes b
            }
            test "lanes whose predicate is false keep their carries bitwise" {
                let f = countdown DType.F64
                let batched = Vmap.Apply(f, 3, ResizeArray [ Nullable(); Nullable 0; Nullable 0; Nullable 0 ])
                TypeChecker.Check batched
                Expect.equal (countPrim ControlFlow.While batched) 1 "one while"
                Expect.equal (countPrim ControlFlow.Cond batched) 0 "n > 0 written as cond(n){ false true } becomes not(eq(clamped n, 0))"
                let step = NDArray.Of([| 0.5; 2.0 |], 2)
                let n = i32s [ 0; 3; -1 ] [ 3 ]
                let acc = NDArray.Of([| -0.0; nan; 1.0; 1.0; infinity; -0.0 |], 3, 2)
                let prev = NDArray.Of([| nan; 4.0; 9.0; 9.0; -0.0; 5.0 |], 3, 2)
                let r = ReferenceEvaluator.Evaluate(batched, ResizeArray [ step; n; acc; prev ])
                expectBitwise r.[0] (i32s [ 0; 0; -1 ] [ 3 ]) "n"
                expectBitwise r.[1] (NDArray.Of([| -0.0; nan; 2.5; 7.0; infinity; -0.0 |], 3, 2)) "acc: lanes 0 and 2 untouched"
                expectBitwise r.[2] (NDArray.Of([| nan; 4.0; 2.0; 5.0; -0.0; 5.0 |], 3, 2)) "prev: lanes 0 and 2 untouched"
            }
            test "nested vmap of a while with a batched predicate = loop of vmap" {
                let rng = Random 34
                let inner = Vmap.Apply(countdown DType.F32, 2, ResizeArray [ Nullable(); Nullable 0; Nullable(); Nullable 0 ])
                for axes in [ [ Some 0; None; Some 1; None ]; [ None; Some 1; None; None ]; [ Some 1; Some 0; Some 0; Some 2 ] ] do
                    for b in batchSizes do
                        checkVmap rng inner axes b
            }
            test "while keeps an unbatched counter a scalar and finds batched carries by fixpoint" {
                let batched = Vmap.Apply(countdown DType.F32, 3, ResizeArray [ Nullable 0; Nullable(); Nullable(); Nullable() ])
                TypeChecker.Check batched
                let e = batched.Equations |> Seq.find (fun e -> obj.ReferenceEquals(e.Primitive, ControlFlow.While))
                let types = e.Inputs |> Seq.map (fun a -> string a.Type) |> List.ofSeq
                Expect.equal types [ "f32[3,2]"; "i32[]"; "f32[3,2]"; "f32[3,2]" ] "step batched, n shared, acc and prev batched"
            }
        ]
    ]

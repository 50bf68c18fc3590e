/// Each compile pass on its own: IR text before, the pass, IR text expected after (compared by
/// alpha-equivalence), and the reference evaluator's results on ordinary and special values
/// (signed zeros, NaN, infinities, INT_MIN) the same before and after.
module ArrayLang.Tests.Compile.PassesTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Transforms
open ArrayLang.Compile.Passes
open ArrayLang.Tests.TestUtil

/// Parses IR text and type-checks it.
let parse (text: string) =
    let f = IrParser.ParseFunction(text, "<test>", null, null)
    TypeChecker.Check f
    f

/// Special values first, then ordinary ones, cycling over the array.
let specialArray (t: AVal) (offset: int) =
    let floats = [| -0.0; 0.0; nan; infinity; -infinity; 1.0; -1.0; 3.5; -2.25; 1e-40; 0.5 |]
    let ints = [| Int32.MinValue; -1; 0; 1; Int32.MaxValue; 7; -3 |]
    let a = NDArray.Zeros t
    for i in 0 .. a.Length - 1 do
        let k = i + offset
        match t.DType with
        | DType.F32 | DType.F64 -> a.SetDouble(int64 i, floats.[k % floats.Length])
        | DType.I32 -> a.SetDouble(int64 i, float ints.[k % ints.Length])
        | _ -> a.SetDouble(int64 i, float (k % 2))
    a

/// NaN equals NaN (any payload); everything else bit for bit (so -0.0 differs from 0.0).
let sameBits (a: NDArray) (b: NDArray) =
    a.Type = b.Type
    && Seq.forall (fun i ->
        let x, y = a.GetDouble(int64 i), b.GetDouble(int64 i)
        (Double.IsNaN x && Double.IsNaN y) || BitConverter.DoubleToInt64Bits x = BitConverter.DoubleToInt64Bits y) (seq { 0 .. a.Length - 1 })

/// The two functions give bitwise equal results on special values and on random values.
let expectSameResults (f: Function) (g: Function) =
    let argSets =
        [ for offset in 0 .. 10 -> [ for i, p in Seq.indexed f.Params -> specialArray p.Type (offset + 3 * i) ] ]
        @ [ for seed in 1 .. 3 -> let rng = Random seed in [ for p in f.Params -> randomArray rng p.Type ] ]
    for args in argSets do
        let expected = ReferenceEvaluator.Evaluate(f, ResizeArray args)
        let actual = ReferenceEvaluator.Evaluate(g, ResizeArray args)
        for j in 0 .. expected.Length - 1 do
            if not (sameBits actual.[j] expected.[j]) then
                failtestf "result %d differs on inputs %s\nbefore: %O\nafter:  %O\nfunction before:\n%O\nafter:\n%O"
                    j (args |> List.map string |> String.concat ", ") expected.[j] actual.[j] f g

/// Runs `pass` on `before`, expects `after` (alpha-equivalence), a well-typed result and the same results.
let expectRewrite (pass: Pass) (before: string) (after: string) =
    let f = parse before
    let g = pass.Apply f
    TypeChecker.Check g
    let expected = parse after
    if g <> expected then failtestf "%s gave\n%O\nexpected\n%O" pass.Name g expected
    expectSameResults f g

/// The pass leaves the function as it is (the traps: rewrites that would change a result).
let expectUnchanged (pass: Pass) (text: string) = expectRewrite pass text text

/// Every type of a variable defined anywhere in `f`, sub-functions included.
let rec allTypes (f: Function) : AVal seq =
    seq {
        for p in f.Params do yield p.Type
        for e in f.Equations do
            for o in e.Outputs do yield o.Type
            for s in e.SubFunctions do yield! allTypes s
    }

/// W4 of BENCH.md as traced: per example `reduce_sum(outer(x, x) * 0.5, axis 1)`.
let w4Outer n =
    sprintf """func w4(x: f32[%d]) -> (f32[%d]) {
                 o: f32[%d,%d] = dot_general[contract=([],[]), batch=([],[])](x, x)
                 m: f32[%d,%d] = mul(o, 0.5)
                 r: f32[%d] = reduce_sum[axes=[1]](m)
                 return (r) }""" n n n n n n n

/// W4 with the outer product written as two broadcasts and a mul.
let w4Broadcast n =
    sprintf """func w4(x: f32[%d]) -> (f32[%d]) {
                 a: f32[%d,%d] = broadcast_in_dim[shape=[%d,%d], dims=[0]](x)
                 b: f32[%d,%d] = broadcast_in_dim[shape=[%d,%d], dims=[1]](x)
                 o: f32[%d,%d] = mul(a, b)
                 m: f32[%d,%d] = mul(o, 0.5)
                 r: f32[%d] = reduce_sum[axes=[1]](m)
                 return (r) }""" n n n n n n n n n n n n n n n

/// Equal up to the reassociation of the sum (a tight tolerance).
let expectClose (f: Function) (g: Function) =
    for seed in 1 .. 5 do
        let rng = Random seed
        let args = [ for p in f.Params -> randomArray rng p.Type ]
        let expected = ReferenceEvaluator.Evaluate(f, ResizeArray args)
        let actual = ReferenceEvaluator.Evaluate(g, ResizeArray args)
        for j in 0 .. expected.Length - 1 do
            if not (ArrayOps.AllClose(actual.[j], expected.[j], 1e-5, 1e-5)) then
                failtestf "result %d: expected %O, found %O\nafter:\n%O" j expected.[j] actual.[j] g

let private dce = CorePasses.Dce
let private cse = CorePasses.Cse

let dceTests =
    testList "dce" [
        test "drops equations whose results are unused" {
            expectRewrite dce
                "func f(x: f32[3]) -> (f32[3]) { a: f32[3] = exp(x)
                     b: f32[3] = sin(a)
                     c: f32[3] = cos(x)
                     return (c) }"
                "func f(x: f32[3]) -> (f32[3]) { c: f32[3] = cos(x)
                     return (c) }"
        }
        test "a function with no dead code comes back as the same object" {
            let f = parse "func f(x: f32[3]) -> (f32[3]) { a: f32[3] = exp(x)
                     return (a) }"
            Expect.isTrue (obj.ReferenceEquals(dce.Apply f, f)) "unchanged"
        }
        test "inside a scan body" {
            expectRewrite dce
                """func f(h: f32[], xs: f32[4]) -> (f32[]) {
                     r: f32[] = scan[length=4, reverse=false, consts=0, carries=1](h, xs) {
                       func body(c: f32[], x: f32[]) -> (f32[]) { d: f32[] = exp(x)
                     e: f32[] = add(c, x)
                     return (e) }
                     }
                     return (r) }"""
                """func f(h: f32[], xs: f32[4]) -> (f32[]) {
                     r: f32[] = scan[length=4, reverse=false, consts=0, carries=1](h, xs) {
                       func body(c: f32[], x: f32[]) -> (f32[]) { e: f32[] = add(c, x)
                     return (e) }
                     }
                     return (r) }"""
        }
        test "scan: unused ys, a carry only feeding itself, and an unused const go" {
            expectRewrite dce
                """func f(w: f32[], h: f32[], g: f32[], xs: f32[4]) -> (f32[]) {
                     r: f32[], s: f32[], ys: f32[4] = scan[length=4, reverse=true, consts=1, carries=2](w, h, g, xs) {
                       func body(w: f32[], c: f32[], d: f32[], x: f32[]) -> (f32[], f32[], f32[]) {
                         e: f32[] = add(c, x)
                     k: f32[] = mul(d, w)
                     y: f32[] = tanh(c)
                     return (e, k, y) }
                     }
                     return (r) }"""
                """func f(w: f32[], h: f32[], g: f32[], xs: f32[4]) -> (f32[]) {
                     r: f32[] = scan[length=4, reverse=true, consts=0, carries=1](h, xs) {
                       func body(c: f32[], x: f32[]) -> (f32[]) { e: f32[] = add(c, x)
                     return (e) }
                     }
                     return (r) }"""
        }
        test "scan: a carry that a used carry reads stays (fixpoint)" {
            expectUnchanged dce
                """func f(h: f32[], g: f32[], xs: f32[4]) -> (f32[]) {
                     r: f32[], s: f32[] = scan[length=4, reverse=false, consts=0, carries=2](h, g, xs) {
                       func body(c: f32[], d: f32[], x: f32[]) -> (f32[], f32[]) {
                         e: f32[] = add(c, d)
                     k: f32[] = mul(d, x)
                     return (e, k) }
                     }
                     return (r) }"""
        }
        test "while: a carry neither returned nor read by cond_fn or the kept carries goes" {
            expectRewrite dce
                """func f(n: i32[], x: f32[], y: f32[]) -> (f32[]) {
                     i: i32[], a: f32[], b: f32[] = while[consts=1](n, 0, x, y) {
                       func cond_fn(n: i32[], i: i32[], a: f32[], b: f32[]) -> (bool[]) { m: i32[] = min(n, 3)
                     p: bool[] = lt(i, m)
                     return (p) }
                       func body_fn(n: i32[], i: i32[], a: f32[], b: f32[]) -> (i32[], f32[], f32[]) {
                         j: i32[] = add(i, 1)
                     c: f32[] = sin(a)
                     d: f32[] = exp(b)
                     return (j, c, d) }
                     }
                     return (a) }"""
                """func f(n: i32[], x: f32[], y: f32[]) -> (f32[]) {
                     i: i32[], a: f32[] = while[consts=1](n, 0, x) {
                       func cond_fn(n: i32[], i: i32[], a: f32[]) -> (bool[]) { m: i32[] = min(n, 3)
                     p: bool[] = lt(i, m)
                     return (p) }
                       func body_fn(n: i32[], i: i32[], a: f32[]) -> (i32[], f32[]) {
                         j: i32[] = add(i, 1)
                     c: f32[] = sin(a)
                     return (j, c) }
                     }
                     return (a) }"""
        }
        test "cond: unused results and operands go from every branch" {
            expectRewrite dce
                """func f(p: bool[], x: f32[2], y: f32[2]) -> (f32[2]) {
                     a: f32[2], b: f32[2] = cond(p, x, y) {
                       func no(x: f32[2], y: f32[2]) -> (f32[2], f32[2]) { c: f32[2] = neg(x)
                     return (c, y) }
                       func yes(x: f32[2], y: f32[2]) -> (f32[2], f32[2]) { d: f32[2] = exp(y)
                     return (x, d) }
                     }
                     return (a) }"""
                """func f(p: bool[], x: f32[2], y: f32[2]) -> (f32[2]) {
                     a: f32[2] = cond(p, x) {
                       func no(x: f32[2]) -> (f32[2]) { c: f32[2] = neg(x)
                     return (c) }
                       func yes(x: f32[2]) -> (f32[2]) { return (x) }
                     }
                     return (a) }"""
        }
    ]

let cseTests =
    testList "cse" [
        test "merges a repeated equation" {
            expectRewrite cse
                "func f(x: f32[3]) -> (f32[3]) { a: f32[3] = exp(x)
                     b: f32[3] = exp(x)
                     c: f32[3] = add(a, b)
                     return (c) }"
                "func f(x: f32[3]) -> (f32[3]) { a: f32[3] = exp(x)
                     c: f32[3] = add(a, a)
                     return (c) }"
        }
        test "commutative operands in either order are one equation; sub is not commutative" {
            expectRewrite cse
                """func f(x: f32[3], y: f32[3]) -> (f32[3], f32[3], f32[3], f32[3]) {
                     a: f32[3] = add(x, y)
                     b: f32[3] = add(y, x)
                     c: f32[3] = sub(x, y)
                     d: f32[3] = sub(y, x)
                     return (a, b, c, d) }"""
                """func f(x: f32[3], y: f32[3]) -> (f32[3], f32[3], f32[3], f32[3]) {
                     a: f32[3] = add(x, y)
                     c: f32[3] = sub(x, y)
                     d: f32[3] = sub(y, x)
                     return (a, a, c, d) }"""
        }
        test "different params, literals of other bits (0.0 and -0.0) and other result dtypes stay apart" {
            expectUnchanged cse
                """func f(x: f32[2,3]) -> (f32[3], f32[2], f32[2,3], f32[2,3], f32[2], f64[2]) {
                     a: f32[3] = reduce_sum[axes=[0]](x)
                     b: f32[2] = reduce_sum[axes=[1]](x)
                     c: f32[2,3] = add(x, 0.0)
                     d: f32[2,3] = add(x, -0.0)
                     e: f32[2] = broadcast_in_dim[shape=[2], dims=[]](0.5)
                     g: f64[2] = broadcast_in_dim[shape=[2], dims=[]](0.5)
                     return (a, b, c, d, e, g) }"""
        }
        test "random draws from one key are one draw (they are functions of the key)" {
            expectRewrite cse
                "func f(k: i32[2]) -> (i32[3], i32[3]) { a: i32[3] = random_bits[shape=[3]](k)
                     b: i32[3] = random_bits[shape=[3]](k)
                     return (a, b) }"
                "func f(k: i32[2]) -> (i32[3], i32[3]) { a: i32[3] = random_bits[shape=[3]](k)
                     return (a, a) }"
        }
        test "inside sub-functions, and control flow with equal bodies" {
            expectRewrite cse
                """func f(h: f32[], xs: f32[4]) -> (f32[], f32[]) {
                     r: f32[] = scan[length=4, reverse=false, consts=0, carries=1](h, xs) {
                       func body(c: f32[], x: f32[]) -> (f32[]) { d: f32[] = sin(x)
                     e: f32[] = sin(x)
                     g: f32[] = add(d, e)
                     return (g) }
                     }
                     s: f32[] = scan[length=4, reverse=false, consts=0, carries=1](h, xs) {
                       func other_name(c: f32[], x: f32[]) -> (f32[]) { d: f32[] = sin(x)
                     g: f32[] = add(d, d)
                     return (g) }
                     }
                     return (r, s) }"""
                """func f(h: f32[], xs: f32[4]) -> (f32[], f32[]) {
                     r: f32[] = scan[length=4, reverse=false, consts=0, carries=1](h, xs) {
                       func body(c: f32[], x: f32[]) -> (f32[]) { d: f32[] = sin(x)
                     g: f32[] = add(d, d)
                     return (g) }
                     }
                     return (r, r) }"""
        }
    ]

let pipelineTests =
    testList "pipeline" [
        test "the standard pipeline reads as a list and runs its passes in order" {
            Expect.equal (string Pipeline.Standard) "[dce, cse, simplify, dce]" "standard"
            Expect.equal (string (Pipeline.StandardWith(SimplifyOptions(FactorReductions = false)))) "[dce, cse, simplify(no-factoring), dce]" "no factoring"
            let f = parse (w4Outer 4)
            let stages = Pipeline.Standard.Stages(f, true)
            Expect.equal (stages |> Seq.map (fun struct (p, _) -> p.Name) |> List.ofSeq) [ "dce"; "cse"; "simplify"; "dce" ] "stages"
        }
        test "an ill-typed pass output is reported with the pass's name" {
            let broken = Pass("broken", "drops the last equation", fun f ->
                Function(f.Name, f.Params, f.ConstMask, Seq.take (f.Equations.Length - 1) f.Equations, f.Results, f.ResultTypes))
            let f = parse (w4Outer 4)
            let e = Expect.throwsC (fun () -> Pipeline([ broken ]).Run(f, true) |> ignore) id
            Expect.stringContains e.Message "pass broken produced an ill-typed function" "names the pass"
        }
    ]

[<Tests>]
let tests = testList "passes" [ dceTests; cseTests; pipelineTests ]

/// The type checker: ill-typed programs are rejected with the location, the equation and the
/// expected and found types.
module ArrayLang.Tests.Ir.TypeCheckerTests

open Expecto
open ArrayLang.Ir
open ArrayLang.Primitives
open System
open System.Collections.Generic
open ArrayLang.Reference
open ArrayLang.Values
open ArrayLang.Tests.TestUtil

/// A test-only primitive with one sub-function, `call(args...){ func g(...) }`, which applies the
/// sub-function: it exercises sub-function scoping and literal typing by position without depending
/// on the control-flow family.
type CallOp() =
    inherit Primitive<NoParams>("call")
    override _.Read(_r: ParamReader) = NoParams.Instance
    override _.InferTypes(_p: NoParams, ops: IReadOnlyList<Operand>, subs: IReadOnlyList<Function>) : IReadOnlyList<AVal> =
        if subs.Count <> 1 then raise (TypeError(sprintf "call: expects 1 sub-function, found %d" subs.Count))
        let g = subs.[0]
        if ops.Count <> g.Params.Length then
            raise (TypeError(sprintf "call: the sub-function takes %d operand(s), found %d" g.Params.Length ops.Count))
        for i in 0 .. ops.Count - 1 do
            if ops.[i].Type <> g.Params.[i].Type then
                raise (TypeError(sprintf "call: operand %d should be %O, found %O" (i + 1) g.Params.[i].Type ops.[i].Type))
        g.ResultTypes :> IReadOnlyList<AVal>
    override _.LiteralDType(position: int, _p: NoParams, _ops: IReadOnlyList<AVal>, subs: IReadOnlyList<Function>) =
        if subs.Count = 1 && position < subs.[0].Params.Length && subs.[0].Params.[position].Type.IsScalar
        then Nullable subs.[0].Params.[position].Type.DType
        else Nullable()
    override _.Evaluate(_p: NoParams, inputs: IReadOnlyList<NDArray>, subs: IReadOnlyList<Function>) : IReadOnlyList<NDArray> =
        ReferenceEvaluator.Evaluate(subs.[0], inputs) :> IReadOnlyList<NDArray>

/// The built-in primitives that exist in the foundation plus `call`.
let table =
    let t = PrimitiveTable()
    for p in PrimitiveRegistry.Primitives.All do t.Add p
    t.Add(CallOp())
    t

/// Runs `f`, which must throw an exception of type 'e; returns it.
let throwsAs<'e when 'e :> exn> (f: unit -> unit) (msg: string) : 'e =
    try
        f ()
        failtestf "%s: expected %s, but nothing was thrown" msg typeof<'e>.Name
    with
    | :? 'e as e -> e
    | e when not (e :? AssertException) -> failtestf "%s: expected %s, got %O" msg typeof<'e>.Name e

let parse (text: string) = IrParser.ParseFile(text, "t.ir", table)
let parse1 (text: string) = IrParser.ParseFunction(text, "t.ir", null, table)


/// Asserts that the text parses but fails type checking with a message containing every fragment.
let expectTypeError (text: string) (fragments: string list) =
    try
        parse text |> ignore
        failtestf "expected a type error, but this checked:\n%s" text
    with
    | :? TypeError as e ->
        for f in fragments do Expect.stringContains e.Message f "message"
    | :? ParseException as e -> failtestf "expected a type error, got a parse error: %s" e.Message

/// Asserts that checking a built function fails with a message containing every fragment.
let expectCheckError (f: Function) (fragments: string list) =
    let e = throwsAs<TypeError> (fun () -> TypeChecker.Check f) "type error"
    for frag in fragments do Expect.stringContains e.Message frag "message"

[<Tests>]
let tests =
    testList "type checker" [
        test "a well-typed program checks" {
            parse "func f(x: f32[2,3], y: f32[3,2]) -> (f32[3,2]) {\n  t: f32[3,2] = transpose[perm=[1,0]](x)\n  s: f32[3,2] = add(t, y)\n  return (s)\n}" |> ignore
        }
        test "a declared result type that differs from the shape rule's" {
            expectTypeError "func f(x: f32[3]) -> (f32[4]) {\n  a: f32[4] = add(x, x)\n  return (a)\n}"
                [ "t.ir:2:3"; "in function f"; "equation `a: f32[4] = add(x, x)`"; "result 1 (a) is declared f32[4], but add gives f32[3]" ]
            expectTypeError "func f(x: f32[3]) -> (i32[3]) {\n  a: i32[3] = neg(x)\n  return (a)\n}"
                [ "declared i32[3], but neg gives f32[3]" ]
        }
        test "operands of different shapes" {
            expectTypeError "func f(x: f32[3], y: f32[4]) -> (f32[3]) {\n  a: f32[3] = add(x, y)\n  return (a)\n}"
                [ "t.ir:2:3"; "add: operands must have equal shapes"; "f32[3], f32[4]" ]
        }
        test "operands of different dtypes" {
            expectTypeError "func f(x: f32[3], y: i32[3]) -> (f32[3]) {\n  a: f32[3] = add(x, y)\n  return (a)\n}"
                [ "add: operands must share one dtype"; "f32[3], i32[3]" ]
        }
        test "a dtype the primitive does not take" {
            expectTypeError "func f(x: bool[3]) -> (bool[3]) {\n  a: bool[3] = neg(x)\n  return (a)\n}"
                [ "neg: expected f32 or f64 or i32 operands, found bool" ]
        }
        test "the wrong number of declared results or operands" {
            expectTypeError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3], b: f32[3] = neg(x)\n  return (a)\n}"
                [ "neg gives 1 result(s), but 2 are declared" ]
            expectTypeError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = neg(x, x)\n  return (a)\n}"
                [ "neg: expects 1 operand, found 2" ]
        }
        test "bad static params" {
            expectTypeError "func f(x: f32[2,3]) -> (f32[3,2]) {\n  a: f32[3,2] = transpose[perm=[0,0]](x)\n  return (a)\n}"
                [ "t.ir:2:3"; "perm=[0,0] is not a permutation of the 2 axes of f32[2,3]" ]
        }
        test "a returned value of another type than declared" {
            expectTypeError "func f(x: f32[3]) -> (f32[4]) {\n  return (x)\n}" [ "function f: result 1 is declared f32[4], found f32[3]" ]
        }
        test "errors inside a sub-function name the enclosing equation" {
            expectTypeError "func f(x: f32[3]) -> (f32[3]) {\n  y: f32[3] = call(x) {\n    func g(a: f32[3]) -> (f32[3]) {\n      b: f32[2] = neg(a)\n      return (b)\n    }\n  }\n  return (y)\n}"
                [ "t.ir:2:3"; "in its sub-function g"; "t.ir:4:7"; "declared f32[2], but neg gives f32[3]" ]
        }
        test "operand types that do not match a sub-function's parameters" {
            expectTypeError "func f(x: f32[3]) -> (f32[3]) {\n  y: f32[3] = call(x) {\n    func g(a: f32[4]) -> (f32[3]) {\n      b: f32[3] = neg(a)\n      return (b)\n    }\n  }\n  return (y)\n}"
                [ "declared f32[3], but neg gives f32[4]" ]
            expectTypeError "func f(x: f32[3]) -> (f32[4]) {\n  y: f32[4] = call(x) {\n    func g(a: f32[4]) -> (f32[4]) {\n      return (a)\n    }\n  }\n  return (y)\n}"
                [ "call: operand 1 should be f32[4], found f32[3]" ]
        }
        test "built functions: a variable used before its definition" {
            let b = FunctionBuilder()
            let x = b.AddParam(f32 [ 3 ], "x")
            let ghost = b.FreshVar(f32 [ 3 ], "ghost")
            let y = b.Emit1(Elementwise.Add, NoParams.Instance, x, ghost)
            expectCheckError (b.Build("f", ResizeArray [ y :> Atom ])) [ "operand 2 (ghost) is not defined before this equation" ]
        }
        test "built functions: a variable assigned twice" {
            let x = Var("x", f32 [ 3 ])
            let y = Var("y", f32 [ 3 ])
            let e1 = Equation([ y ], Elementwise.Neg, NoParams.Instance, [ x :> Atom ])
            let e2 = Equation([ y ], Elementwise.Neg, NoParams.Instance, [ x :> Atom ])
            expectCheckError (Function("f", [ x ], [ e1; e2 ], [ y :> Atom ])) [ "variable y is assigned more than once" ]
        }
        test "built functions: a literal of the wrong dtype or where none is allowed" {
            let x = Var("x", f32 [ 3 ])
            let y = Var("y", f32 [ 3 ])
            let e = Equation([ y ], Elementwise.Add, NoParams.Instance, [ x :> Atom; Literal.Of 1.0 :> Atom ])
            expectCheckError (Function("f", [ x ], [ e ], [ y :> Atom ])) [ "literal operand 2 should be f32, found f64 1.0" ]
            let e2 = Equation([ y ], Elementwise.Neg, NoParams.Instance, [ Literal.Of 1.0f :> Atom ])
            expectCheckError (Function("f", [ x ], [ e2 ], [ y :> Atom ])) [ "operand 1 may not be a literal here" ]
        }
        test "built functions: a returned variable that is never defined" {
            let x = Var("x", f32 [ 3 ])
            let z = Var("z", f32 [ 3 ])
            expectCheckError (Function("f", [ x ], [], [ z :> Atom ])) [ "returned value 1 (z) is not defined" ]
        }
    ]

/// One size rule for every value (TypeChecker.MaxElements): whatever primitive makes it.
[<Tests>]
let sizeTests =
    let big = "f32[65536,65536]"
    let tooLarge = [ "4,294,967,296 elements"; "more than one array holds (2,147,483,591)"; "--chunk K" ]
    testList "type checker sizes" [
        test "a value over the array limit is rejected whichever primitive makes it" {
            let cases =
                [ "broadcast_in_dim", sprintf "y: %s = broadcast_in_dim[shape=[65536,65536], dims=[]](x)" big
                  "iota", sprintf "y: %s = iota[shape=[65536,65536], dim=0, dtype=f32]()" big
                  "dot_general", "a: f32[65536] = broadcast_in_dim[shape=[65536], dims=[]](x)\n  "
                                 + sprintf "y: %s = dot_general[contract=([],[]), batch=([],[])](a, a)" big
                  "concatenate", "a: f32[16384,65536] = broadcast_in_dim[shape=[16384,65536], dims=[]](x)\n  "
                                 + sprintf "y: %s = concatenate[axis=0](a, a, a, a)" big
                  "pad", "a: f32[1,65536] = broadcast_in_dim[shape=[1,65536], dims=[]](x)\n  "
                         + sprintf "y: %s = pad[low=[0,0], high=[65535,0]](a, x)" big
                  "random_uniform", "k: i32[2] = iota[shape=[2], dim=0, dtype=i32]()\n  "
                                    + sprintf "y: %s = random_uniform[shape=[65536,65536], dtype=f32](k)" big ]
            for prim, eqs in cases do
                let text = sprintf "func f(x: f32[]) -> (%s) {\n  %s\n  return (y)\n}\n" big eqs
                try
                    parse text |> ignore
                    failtestf "%s: a %s result was accepted" prim big
                with
                | :? TypeError as e -> for frag in tooLarge do Expect.stringContains e.Message frag prim
        }
        test "a scan whose stacked outputs exceed the limit is rejected at the scan" {
            let text =
                "func f(x: f32[65536]) -> (f32[65536]) {\n"
                + sprintf "  c: f32[65536], ys: %s = scan[length=65536, reverse=false, consts=0, carries=1](x) {\n" big
                + "    func body(c: f32[65536]) -> (f32[65536], f32[65536]) {\n      return (c, c)\n    }\n  }\n  return (c)\n}\n"
            expectTypeError text ("t.ir:2:3" :: tooLarge)
        }
        test "a parameter over the limit is rejected" {
            expectTypeError (sprintf "func f(x: %s) -> (f32[]) {\n  return (1.0)\n}\n" big) ("parameter x" :: tooLarge)
        }
        test "a shape whose element count overflows a long is rejected, not wrapped around" {
            let dims = "2147483647,2147483647,2147483647"
            let e = throwsAs<TypeError> (fun () -> parse (sprintf "func f(x: f32[%s]) -> (f32[]) {\n  return (1.0)\n}\n" dims) |> ignore) "huge"
            Expect.stringContains e.Message "more than 9.2e18 elements" "saturated count"
        }
        test "the largest value an array holds is accepted" {
            parse "func f(x: f32[]) -> (f32[2147483591]) {\n  y: f32[2147483591] = broadcast_in_dim[shape=[2147483591], dims=[]](x)\n  return (y)\n}\n"
            |> ignore
        }
        test "NDArray.Zeros of a shape over the limit is an ArgumentException that says why" {
            let e = throwsAs<ArrayLang.Values.ArrayTooLargeException> (fun () -> ArrayLang.Values.NDArray.Zeros(DType.F32, 65536, 65536) |> ignore) "zeros"
            Expect.isTrue (box e :? ArgumentException) "an ArgumentException"
            for frag in tooLarge do Expect.stringContains e.Message frag "message"
        }
    ]

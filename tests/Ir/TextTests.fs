/// The IR text form: parsing IR.md's grammar, print/parse round trips, error positions and
/// messages, and the literal typing rules.
module ArrayLang.Tests.Ir.TextTests

open System
open System.Collections.Generic
open System.IO
open Expecto
open ArrayLang.Ir
open ArrayLang.Primitives
open ArrayLang.Reference
open ArrayLang.Values
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.Ir.TypeCheckerTests

/// Asserts that parsing fails with a ParseException at (line, column) whose message contains every fragment.
let expectParseError (text: string) (line: int) (column: int) (fragments: string list) =
    try
        parse text |> ignore
        failtestf "expected a parse error at %d:%d, but this parsed:\n%s" line column text
    with
    | :? ParseException as e ->
        Expect.equal (e.Line, e.Column) (line, column) (sprintf "position of: %s" e.Message)
        Expect.stringStarts e.Message (sprintf "line %d, column %d: " line column) "message names the position"
        for f in fragments do Expect.stringContains e.Message f "message"

/// Parses, prints, parses again: the two functions must be equal and print the same text.
let roundTrip (text: string) =
    let fs = parse text
    let printed = IrPrinter.Print fs
    let again = parse printed
    Expect.equal again.Count fs.Count "function count"
    for a, b in Seq.zip fs again do
        Expect.equal b a "print then parse gives an equal function"
        Expect.equal (IrPrinter.Print b) (IrPrinter.Print a) "and prints the same"
    fs

/// Where the shared IR examples live: /work/shared when present, else the copy in the repository.
let irExamplesDir =
    let shared = "/work/shared/ir-examples"
    if Directory.Exists shared then shared else Path.Combine(__SOURCE_DIRECTORY__, "..", "data", "ir-examples")

let irMdExample = """func f(x: f32[3], w: f32[3,3]) -> (f32[3]) {
  a: f32[3] = dot_general[contract=([1],[0]), batch=([],[])](w, x)
  b: f32[3] = tanh(a)
  c: f32[3] = add(b, 1.0)
  return (c)
}
"""

let literalOf (f: Function) (eq: int) (operand: int) =
    match f.Equations.[eq].Inputs.[operand] with
    | :? Literal as l -> l
    | a -> failtestf "operand %d of equation %d is %O, not a literal" operand eq a

let bits (d: float) = BitConverter.DoubleToInt64Bits d

[<Tests>]
let tests =
    testList "text" [
        testList "parse" [
            test "a function with comments, blank lines and odd spacing" {
                let f =
                    parse1 "# leading comment\n\n  func   g ( x : f32 [ 3 ] ,y:f32[3])->(f32[3],f32[3]){ # c\n a:f32[3]=add( x ,y )#c\n\tb: f32[3] = neg(a)\r\n return ( a , b ) }"
                Expect.equal f.Name "g" "name"
                Expect.equal (f.Params |> Seq.map (fun p -> p.Name) |> List.ofSeq) [ "x"; "y" ] "params"
                Expect.equal f.Equations.Length 2 "equations"
                Expect.equal (string f) "func g(x: f32[3], y: f32[3]) -> (f32[3], f32[3]) {\n  a: f32[3] = add(x, y)\n  b: f32[3] = neg(a)\n  return (a, b)\n}\n" "printed"
            }
            test "IR.md's example parses and prints unchanged" {
                let f = parse1 irMdExample
                Expect.equal (string f) irMdExample "printed form equals IR.md's"
                Expect.equal f.Equations.[0].Primitive.Name "dot_general" "primitive"
            }
            test "every shared ir-example program parses and prints unchanged" {
                let dirs = Directory.GetDirectories irExamplesDir
                Expect.isNonEmpty dirs "examples exist"
                for d in dirs do
                    let text = File.ReadAllText(Path.Combine(d, "program.ir"))
                    let fs = IrParser.ParseFile(text, "program.ir")
                    Expect.equal (IrPrinter.Print fs) text (sprintf "%s prints unchanged" d)
            }
            test "a file holds several functions; the first is the entry unless one is named" {
                let text = "func a(x: f32[]) -> (f32[]) {\n  return (x)\n}\nfunc b(x: i32[]) -> (i32[]) {\n  y: i32[] = neg(x)\n  return (y)\n}\n"
                let fs = parse text
                Expect.equal (fs |> Seq.map (fun f -> f.Name) |> List.ofSeq) [ "a"; "b" ] "names"
                Expect.equal (IrParser.ParseFunction(text, "t.ir", null, table)).Name "a" "first is the entry"
                Expect.equal (IrParser.ParseFunction(text, "t.ir", "b", table)).Name "b" "named entry"
                let e = throwsAs<IrException> (fun () -> IrParser.ParseFunction(text, "t.ir", "c", table) |> ignore) "unknown entry"
                Expect.stringContains e.Message "no function named 'c'" "message"
                Expect.stringContains e.Message "a, b" "lists the names"
            }
            test "const params, zero params, zero results and zero-size shapes" {
                let f = parse1 "func f(const w: f32[0,2], x: f32[0,2]) -> (f32[0,2]) {\n  y: f32[0,2] = add(w, x)\n  return (y)\n}"
                Expect.equal (List.ofSeq f.ConstMask) [ true; false ] "const mask"
                let g = parse1 "func g() -> () {\n  return ()\n}"
                Expect.equal g.Params.Length 0 "no params"
                Expect.equal g.Results.Length 0 "no results"
                roundTrip "func f(const w: f32[0,2], x: f32[0,2]) -> (f32[0,2]) {\n  y: f32[0,2] = add(w, x)\n  return (y)\n}" |> ignore
            }
            test "params are parsed with defaults and written in full" {
                let f = parse1 "func f(x: f32[2,3]) -> (f32[3,2], f32[4,2,3]) {\n  y: f32[3,2] = transpose[perm=[1, 0]](x)\n  z: f32[4,2,3] = broadcast_in_dim[dims=[1,2], shape=[4,2,3]](x)\n  return (y, z)\n}"
                Expect.equal (f.Equations.[0].Params.ToText()) "perm=[1,0]" "transpose params"
                Expect.equal (IrPrinter.PrintEquationHead f.Equations.[1]) "z: f32[4,2,3] = broadcast_in_dim[shape=[4,2,3], dims=[1,2]](x)" "canonical order"
            }
            test "each equation records its file, line and column" {
                let f = parse1 "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = neg(x)\n\n      b: f32[3] = neg(a)\n  return (b)\n}"
                Expect.equal f.Equations.[0].Location (SourceLocation("t.ir", 2, 3)) "first"
                Expect.equal f.Equations.[1].Location (SourceLocation("t.ir", 4, 7)) "second"
            }
            test "sub-functions see only their own params and may reuse outer names" {
                let text = "func f(x: f32[3], s: f32[]) -> (f32[3]) {\n  y: f32[3] = call(x, s) {\n    func g(x: f32[3], y: f32[]) -> (f32[3]) {\n      b: f32[3] = broadcast_in_dim[shape=[3], dims=[]](y)\n      a: f32[3] = add(x, b)\n      return (a)\n    }\n  }\n  return (y)\n}\n"
                let f = parse1 text
                Expect.equal f.Equations.[0].SubFunctions.Length 1 "one sub-function"
                Expect.equal (string f) text "prints unchanged"
                let r = ReferenceEvaluator.Evaluate(f, [| NDArray.Of([| 1.0f; 2.0f; 3.0f |], 3); NDArray.Scalar(DType.F32, 10.0) |])
                expectBitwise r.[0] (NDArray.Of([| 11.0f; 12.0f; 13.0f |], 3)) "evaluates"
                roundTrip text |> ignore
            }
            test "control flow with sub-functions and literal operands parses, evaluates and prints unchanged" {
                let text =
                    String.concat "\n" [
                        "func f(n: i32[], x: f32[4]) -> (i32[], f32[], f32[4], f32[]) {"
                        "  i: i32[], acc: f32[] = while[consts=1](n, 0, 0.0) {"
                        "    func c(n: i32[], i: i32[], acc: f32[]) -> (bool[]) {"
                        "      p: bool[] = lt(i, n)"
                        "      return (p)"
                        "    }"
                        "    func b(n: i32[], i: i32[], acc: f32[]) -> (i32[], f32[]) {"
                        "      j: i32[] = add(i, 1)"
                        "      a: f32[] = add(acc, 0.5)"
                        "      return (j, a)"
                        "    }"
                        "  }"
                        "  s: f32[], ys: f32[4] = scan[length=4, reverse=true, consts=0, carries=1](0.0, x) {"
                        "    func body(c: f32[], x: f32[]) -> (f32[], f32[]) {"
                        "      d: f32[] = add(c, x)"
                        "      return (d, d)"
                        "    }"
                        "  }"
                        "  p: bool[] = gt(s, 1.0)"
                        "  r: f32[] = cond(p, s) {"
                        "    func no(s: f32[]) -> (f32[]) {"
                        "      return (s)"
                        "    }"
                        "    func yes(s: f32[]) -> (f32[]) {"
                        "      t: f32[] = neg(s)"
                        "      return (t)"
                        "    }"
                        "  }"
                        "  return (i, acc, ys, r)"
                        "}"
                        "" ]
                let f = IrParser.ParseFunction text
                Expect.equal (string f) text "prints unchanged"
                Expect.equal (literalOf f 0 1).DType DType.I32 "while carry literal takes the body's i32"
                Expect.equal (literalOf f 0 2).DType DType.F32 "while carry literal takes the body's f32"
                Expect.equal (literalOf f 1 0).DType DType.F32 "scan carry literal"
                let r = ReferenceEvaluator.Evaluate(f, [| NDArray.Scalar(DType.I32, 3.0); NDArray.Of([| 1.0f; 2.0f; 3.0f; 4.0f |], 4) |])
                expectBitwise r.[0] (NDArray.Scalar(DType.I32, 3.0)) "while count"
                expectBitwise r.[1] (NDArray.Scalar(DType.F32, 1.5)) "while sum"
                expectBitwise r.[2] (NDArray.Of([| 10.0f; 9.0f; 7.0f; 4.0f |], 4)) "reverse scan: ys[t] is the step that read xs[t]"
                expectBitwise r.[3] (NDArray.Scalar(DType.F32, -10.0)) "cond: true selects branch 1"
                Expect.equal (IrParser.ParseFunction(string f)) f "round trip"
                // a scan's xs operand may not be a literal
                let bad = text.Replace("carries=1](0.0, x)", "carries=1](0.0, 1.0)")
                let e = throwsAs<ParseException> (fun () -> IrParser.ParseFunction bad |> ignore) "xs literal"
                Expect.stringContains e.Message "a literal is not allowed as operand 2 of scan" "message"
            }
            test "several sub-functions follow in order without commas" {
                let text = "func f(x: f32[]) -> (f32[]) {\n  y: f32[] = call(x) {\n    func g(x: f32[]) -> (f32[]) {\n      return (x)\n    }\n    func h(x: f32[]) -> (f32[]) {\n      return (x)\n    }\n  }\n  return (y)\n}"
                // call's shape rule wants one sub-function: the parser reads both, the type checker objects.
                let e = throwsAs<TypeError> (fun () -> parse text |> ignore) "two subs"
                Expect.stringContains e.Message "expects 1 sub-function, found 2" "message"
                Expect.stringContains e.Message "t.ir:2:3" "location"
            }
        ]

        testList "round trip" [
            test "literals of every dtype print and parse back bitwise" {
                let text =
                    String.concat "\n" [
                        "func f(x: f32[], d: f64[], i: i32[], b: bool[]) -> (f32[], f32[], f32[], f32[], f32[], f64[], f64[], f64[], i32[], i32[], bool[], bool[], f32[], f64[]) {"
                        "  a1: f32[] = add(x, -0.0)"
                        "  a2: f32[] = add(x, nan)"
                        "  a3: f32[] = add(x, inf)"
                        "  a4: f32[] = add(-inf, x)"
                        "  a5: f32[] = add(x, 0.1)"
                        "  a6: f64[] = add(d, 0.1)"
                        "  a7: f64[] = add(d, 1e300)"
                        "  a8: f64[] = add(d, 5e-324)"
                        "  a9: i32[] = add(i, -2147483648)"
                        "  a10: i32[] = add(i, 2147483647)"
                        "  return (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, true, false, 3.4028235e+38, -0.0)"
                        "}" ]
                let fs = roundTrip text
                let f = fs.[0]
                Expect.equal (bits (literalOf f 0 1).Value) (bits -0.0) "-0.0 kept"
                Expect.isTrue (Double.IsNaN (literalOf f 1 1).Value) "nan"
                Expect.equal (literalOf f 2 1).Value Double.PositiveInfinity "inf"
                Expect.equal (literalOf f 3 0).Value Double.NegativeInfinity "-inf"
                Expect.equal (literalOf f 4 1).Value (float 0.1f) "f32 0.1 is the float nearest 0.1"
                Expect.equal (literalOf f 5 1).Value 0.1 "f64 0.1"
                Expect.equal (literalOf f 7 1).Value 5e-324 "denormal"
                Expect.equal (literalOf f 8 1).Value (float Int32.MinValue) "INT_MIN"
                Expect.equal ((f.Results.[10] :?> Literal).DType) DType.Bool "returned true is bool"
                Expect.equal ((f.Results.[12] :?> Literal).Value) (float Single.MaxValue) "f32 max"
                Expect.equal ((f.Results.[13] :?> Literal).DType) DType.F64 "returned literal takes the declared type"
                Expect.stringContains (IrPrinter.Print f) "add(x, -0.0)" "printed -0.0"
                Expect.stringContains (IrPrinter.Print f) "add(d, 1e+300)" "printed exponent"
            }
            test "printed functions built with the builder parse back equal" {
                let b = FunctionBuilder()
                let x = b.AddParam(f32 [ 2; 3 ], "x")
                let w = b.AddParam(f32 [ 3; 2 ], "w", true)
                let t = b.Emit1(ShapeOps.Transpose, TransposeParams [| 1; 0 |], x)
                let s = b.Emit1(Elementwise.Add, NoParams.Instance, t, w)
                let n = b.Emit1(Elementwise.Neg, NoParams.Instance, s)
                let f = b.Build("built", ResizeArray [ n :> Atom; Literal.Of 2.5f :> Atom; t :> Atom ])
                TypeChecker.Check f
                let g = parse1 (string f)
                Expect.equal g f "equal"
                Expect.equal g.StableHash f.StableHash "same stable hash"
            }
            test "a vmapped function prints and parses back equal" {
                let f = parse1 "func f(x: f32[3], y: f32[3]) -> (f32[3]) {\n  a: f32[3] = add(x, y)\n  b: f32[3] = neg(a)\n  return (b)\n}"
                let g = ArrayLang.Transforms.Vmap.Apply(f, 4, ResizeArray [ Nullable 1; Nullable() ])
                Expect.equal (parse1 (string g)) g "equal"
            }
            test "every kind of param and literal position round-trips" {
                let text =
                    String.concat "\n" [
                        "func k(x: f32[2,3], i: i32[4], key: i32[2], p: bool[2,3]) -> (i32[2,3], f32[3], f32[3,3], f32[4,5], f32[1,2], f32[2,3], f32[3], i32[3], f32[2,2], f32[2,3], f32[4,3], f32[2,3], f32[6], f32[2,6], bool[2,3]) {"
                        "  a: i32[2,3] = convert[to=i32](x)"
                        "  b: f32[3] = iota[shape=[3], dim=0, dtype=f32]()"
                        "  c: f32[3,3] = dot_general[contract=([0],[0]), batch=([],[])](x, x)"
                        "  d: f32[4,5] = pad[low=[1,1], high=[1,1]](x, -0.0)"
                        "  e: f32[1,2] = dynamic_slice[sizes=[1,2]](x, 1, -5)"
                        "  f: f32[2,3] = select(p, x, 0.5)"
                        "  g: f32[3] = reduce_sum[axes=[0]](x)"
                        "  h: i32[3] = argmax[axis=0](x)"
                        "  r: f32[2,2] = random_uniform[shape=[2,2], dtype=f32](key)"
                        "  s: f32[2,3] = cumsum[axis=1, reverse=true](x)"
                        "  t: f32[4,3] = take[axis=0](x, i)"
                        "  u: f32[2,3] = dynamic_update_slice(x, e, 0, 1)"
                        "  v: f32[6] = reshape[shape=[6]](x)"
                        "  w: f32[2,6] = concatenate[axis=1](x, x)"
                        "  q: bool[2,3] = and(p, true)"
                        "  return (a, b, c, d, e, f, g, h, r, s, t, u, v, w, q)"
                        "}" ]
                let f = (IrParser.ParseFile text).[0]
                let g = IrParser.ParseFunction(IrPrinter.Print f)
                Expect.equal g f "print then parse gives an equal function"
                Expect.equal (IrPrinter.Print g) (IrPrinter.Print f) "and prints the same"
                Expect.equal (literalOf f 3 1) (Literal(DType.F32, -0.0)) "pad value takes the operand's dtype"
                Expect.equal (literalOf f 4 2) (Literal.Of -5) "indices are i32"
                Expect.equal (literalOf f 5 2) (Literal.Of 0.5f) "select's literal takes the operands' dtype"
                Expect.equal (literalOf f 14 1) (Literal.Of true) "and on bool takes a bool literal"
            }
            test "names that differ are alpha-equivalent; a different literal is not" {
                let a = parse1 "func f(x: f32[3]) -> (f32[3]) {\n  y: f32[3] = add(x, 1.0)\n  return (y)\n}"
                let b = parse1 "func other(q: f32[3]) -> (f32[3]) {\n  r: f32[3] = add(q, 1)\n  return (r)\n}"
                let c = parse1 "func f(x: f32[3]) -> (f32[3]) {\n  y: f32[3] = add(x, 1.5)\n  return (y)\n}"
                Expect.equal a b "alpha-equivalent (1 and 1.0 are the same f32)"
                Expect.notEqual a c "different literal"
            }
        ]

        testList "literal typing" [
            test "an INT fits any numeric dtype exactly" {
                let f = parse1 "func f(x: f32[2], d: f64[2], i: i32[2]) -> (f32[2], f64[2], i32[2]) {\n  a: f32[2] = add(x, 16777216)\n  b: f64[2] = add(d, -9007199254740992)\n  c: i32[2] = add(i, -7)\n  return (a, b, c)\n}"
                Expect.equal (literalOf f 0 1).DType DType.F32 "f32"
                Expect.equal (literalOf f 0 1).Value 16777216.0 "2^24"
                Expect.equal (literalOf f 1 1).Value -9007199254740992.0 "-2^53"
                Expect.equal (literalOf f 2 1).DType DType.I32 "i32"
            }
            test "an INT that is not exact in the dtype is rejected" {
                expectParseError "func f(x: f32[]) -> (f32[]) {\n  a: f32[] = add(x, 16777217)\n  return (a)\n}" 2 21
                    [ "16777217"; "not exactly representable in f32"; "operand 2 of add" ]
                expectParseError "func f(x: f64[]) -> (f64[]) {\n  a: f64[] = add(x, 9007199254740993)\n  return (a)\n}" 2 21
                    [ "not exactly representable in f64" ]
                expectParseError "func f(x: i32[]) -> (i32[]) {\n  a: i32[] = add(x, 2147483648)\n  return (a)\n}" 2 21
                    [ "2147483648"; "out of range for i32" ]
                expectParseError "func f(x: i32[]) -> (i32[]) {\n  a: i32[] = add(-2147483649, x)\n  return (a)\n}" 2 18
                    [ "out of range for i32" ]
            }
            test "a FLOAT fits only f32 and f64, rounded once" {
                expectParseError "func f(x: i32[]) -> (i32[]) {\n  a: i32[] = add(x, 1.0)\n  return (a)\n}" 2 21
                    [ "float literal 1.0"; "operand 2 of add takes i32" ]
                expectParseError "func f(x: i32[]) -> (i32[]) {\n  a: i32[] = add(x, nan)\n  return (a)\n}" 2 21 [ "nan" ]
                // Just above the midpoint between 1 and the next float: via double it would round to 1.
                let f = parse1 "func f(x: f32[]) -> (f32[]) {\n  a: f32[] = add(x, 1.000000059604644775390625000001)\n  return (a)\n}"
                Expect.equal (float32 (literalOf f 0 1).Value) (BitConverter.Int32BitsToSingle 0x3F800001) "rounded once, to nearest"
                expectParseError "func f(x: f32[]) -> (f32[]) {\n  a: f32[] = add(x, 1e39)\n  return (a)\n}" 2 21 [ "out of range for f32"; "inf" ]
                expectParseError "func f(x: f64[]) -> (f64[]) {\n  a: f64[] = add(x, -1e309)\n  return (a)\n}" 2 21 [ "out of range for f64" ]
            }
            test "true and false fit only bool" {
                expectParseError "func f(x: f32[]) -> (f32[]) {\n  a: f32[] = add(x, true)\n  return (a)\n}" 2 21
                    [ "'true' is a bool literal"; "takes f32" ]
                expectParseError "func f(x: bool[]) -> (bool[]) {\n  a: bool[] = add(x, 1)\n  return (a)\n}" 2 22
                    [ "cannot be bool"; "write true or false" ]
            }
            test "a literal where the primitive allows none is rejected" {
                expectParseError "func f(x: f32[2]) -> (f32[2]) {\n  a: f32[2] = neg(1.0)\n  return (a)\n}" 2 19
                    [ "a literal is not allowed as operand 1 of neg" ]
                expectParseError "func f(x: f32[]) -> (f32[]) {\n  a: f32[] = add(1.0, 2.0)\n  return (a)\n}" 2 18
                    [ "not allowed as operand 1 of add"; "at least one must be a variable" ]
                expectParseError "func f(x: f32[2,2]) -> (f32[2,2]) {\n  a: f32[2,2] = transpose[perm=[1,0]](3)\n  return (a)\n}" 2 39
                    [ "not allowed as operand 1 of transpose" ]
            }
            test "literal operands of a sub-function call take the sub-function's parameter types" {
                let f = parse1 "func f(x: f32[3]) -> (f32[3]) {\n  y: f32[3] = call(x, 2, true) {\n    func g(a: f32[3], n: i32[], p: bool[]) -> (f32[3]) {\n      return (a)\n    }\n  }\n  return (y)\n}"
                Expect.equal (literalOf f 0 1).DType DType.I32 "i32 from the sub-function"
                Expect.equal (literalOf f 0 2).DType DType.Bool "bool from the sub-function"
            }
            test "returned literals take the declared type, which must be a scalar" {
                let f = parse1 "func f() -> (i32[], f64[], bool[]) {\n  return (7, 7, false)\n}"
                Expect.equal (f.Results |> Seq.map (fun r -> (r :?> Literal).DType) |> List.ofSeq) [ DType.I32; DType.F64; DType.Bool ] "dtypes"
                expectParseError "func f() -> (f32[3]) {\n  return (1.0)\n}" 2 11 [ "returned literal 1.0 is a scalar"; "declared f32[3]" ]
                expectParseError "func f() -> (i32[]) {\n  return (1.5)\n}" 2 11 [ "result 1 of function f takes i32" ]
                expectParseError "func f(x: f32[]) -> (f32[], f32[]) {\n  return (x)\n}" 2 3 [ "declares 2 result type(s)"; "returns 1 value(s)" ]
            }
        ]

        testList "errors" [
            test "syntax errors name the line, the column and what was expected" {
                expectParseError "" 1 1 [ "expected 'func' to start a function, found end of input" ]
                expectParseError "fun f() -> () {\n  return ()\n}" 1 1 [ "expected 'func'"; "found 'fun'" ]
                expectParseError "func f(x: f32[3] y: f32[3]) -> () {\n  return ()\n}" 1 18 [ "expected ',' or ')' after a parameter, found 'y'" ]
                expectParseError "func f(x: f32[3]) (f32[3]) {\n  return (x)\n}" 1 19 [ "expected '->' after the parameters, found '('" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = neg(x\n  return (a)\n}" 3 3 [ "expected ',' or ')' after an operand, found 'return'" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] neg(x)\n  return (a)\n}" 2 13 [ "expected '='"; "found 'neg'" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = neg(x)\n  return (a)\n" 4 1 [ "expected '}'"; "found end of input" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = neg(x)\n}" 3 1 [ "expected an equation or 'return'"; "found '}'" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = neg(x,)\n  return (a)\n}" 2 21 [ "expected an operand"; "found ')'" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = neg x\n  return (a)\n}" 2 19 [ "expected '(' (or '[' for params) after the primitive neg, found 'x'" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  return (x)\n} extra" 3 3 [ "expected 'func'"; "found 'extra'" ]
            }
            test "malformed types are rejected" {
                expectParseError "func f(x: float[3]) -> () {\n  return ()\n}" 1 11 [ "expected a type such as f32[3]"; "found 'float'" ]
                expectParseError "func f(x: f32) -> () {\n  return ()\n}" 1 14 [ "expected '[' after the dtype f32 (a scalar is f32[])"; "found ')'" ]
                expectParseError "func f(x: f32[-1]) -> () {\n  return ()\n}" 1 15 [ "a dimension must be an integer from 0" ]
                expectParseError "func f(x: f32[2.0]) -> () {\n  return ()\n}" 1 15 [ "expected a dimension"; "found '2.0'" ]
                expectParseError "func f(x: f32[99999999999]) -> () {\n  return ()\n}" 1 15 [ "a dimension must be an integer" ]
            }
            test "bad characters and malformed numbers are lexical errors" {
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = add(x, @)\n  return (a)\n}" 2 22 [ "unexpected character '@'" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = add(x, 1.0e)\n  return (a)\n}" 2 22 [ "malformed number '1.0e'" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = add(x, 12ab)\n  return (a)\n}" 2 22 [ "malformed number '12ab'" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = add(x, - 1)\n  return (a)\n}" 2 22 [ "unexpected character '-'" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = add(x, 1.2.3)\n  return (a)\n}" 2 22 [ "malformed number '1.2.3'" ]
            }
            test "undefined variables are named, with close names suggested" {
                expectParseError "func f(value: f32[3]) -> (f32[3]) {\n  a: f32[3] = neg(valeu)\n  return (a)\n}" 2 19 [ "undefined variable 'valeu' in function f"; "did you mean 'value'" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = neg(x)\n  return (b)\n}" 3 11 [ "undefined variable 'b'" ]
                // a variable cannot be used by the equation that defines it, nor before
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = add(x, a)\n  return (a)\n}" 2 22 [ "undefined variable 'a'" ]
            }
            test "a sub-function cannot see the enclosing function's variables" {
                expectParseError "func f(x: f32[3], s: f32[]) -> (f32[3]) {\n  y: f32[3] = call(x) {\n    func g(a: f32[3]) -> (f32[3]) {\n      b: f32[3] = add(a, s)\n      return (b)\n    }\n  }\n  return (y)\n}" 4 26
                    [ "undefined variable 's' in function g"; "belongs to the enclosing function f"; "only its own parameters" ]
            }
            test "duplicate definitions are rejected with the first definition's position" {
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  x: f32[3] = neg(x)\n  return (x)\n}" 2 3 [ "'x' is already defined in function f (at line 1, column 8)" ]
                expectParseError "func f(x: f32[3], x: f32[3]) -> () {\n  return ()\n}" 1 19 [ "'x' is already defined" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3], a: f32[3] = neg(x)\n  return (a)\n}" 2 14 [ "'a' is already defined" ]
                expectParseError "func f() -> () {\n  return ()\n}\nfunc f() -> () {\n  return ()\n}" 4 6 [ "function 'f' is already defined at line 1, column 6" ]
            }
            test "unknown primitives list close names" {
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = ad(x, x)\n  return (a)\n}" 2 15 [ "unknown primitive 'ad'"; "did you mean"; "add" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = transpos[perm=[0]](x)\n  return (a)\n}" 2 15 [ "unknown primitive 'transpos'"; "transpose" ]
                expectParseError "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = zzzzzzzz(x)\n  return (a)\n}" 2 15 [ "unknown primitive 'zzzzzzzz'"; "known primitives:"; "neg" ]
            }
            test "reserved words cannot be names" {
                expectParseError "func f(f32: f32[]) -> () {\n  return ()\n}" 1 8 [ "reserved word 'f32'" ]
                expectParseError "func return() -> () {\n  return ()\n}" 1 6 [ "reserved word 'return'" ]
                expectParseError "func f(x: f32[]) -> (f32[]) {\n  inf: f32[] = neg(x)\n  return (inf)\n}" 2 3 [ "reserved word 'inf'" ]
                expectParseError "func f(x: f32[]) -> (f32[]) {\n  nan: f32[] = neg(x)\n  return (x)\n}" 2 3 [ "reserved word 'nan'" ]
                expectParseError "func f(const: f32[]) -> () {\n  return ()\n}" 1 13 [ "expected a parameter name after 'const'"; "found ':'" ]
                expectParseError "func f(x: f32[]) -> (f32[]) {\n  a: f32[] = add(x, i32)\n  return (a)\n}" 2 21 [ "expected an operand"; "found 'i32'" ]
            }
            test "ill-formed params are reported at the params" {
                expectParseError "func f(x: f32[2,2]) -> (f32[2,2]) {\n  a: f32[2,2] = neg[foo=1](x)\n  return (a)\n}" 2 20 [ "neg: unknown parameter 'foo'" ]
                expectParseError "func f(x: f32[2,2]) -> (f32[2,2]) {\n  a: f32[2,2] = transpose(x)\n  return (a)\n}" 2 17 [ "transpose: missing parameter 'perm'" ]
                expectParseError "func f(x: f32[2,2]) -> (f32[2,2]) {\n  a: f32[2,2] = transpose[perm=f32](x)\n  return (a)\n}" 2 26 [ "parameter 'perm' expects a list of integers"; "found f32" ]
                expectParseError "func f(x: f32[2,2]) -> (f32[2,2]) {\n  a: f32[2,2] = transpose[perm=[1,0], perm=[0,1]](x)\n  return (a)\n}" 2 26 [ "'perm' is given twice" ]
                expectParseError "func f(x: f32[2,2]) -> (f32[2,2]) {\n  a: f32[2,2] = transpose[perm=()](x)\n  return (a)\n}" 2 33 [ "a tuple has at least one item" ]
                expectParseError "func f(x: f32[2,2]) -> (f32[2,2]) {\n  a: f32[2,2] = transpose[](x)\n  return (a)\n}" 2 27 [ "expected a parameter name of transpose"; "found ']'" ]
                expectParseError "func f(x: f32[2,2]) -> (f32[2,2]) {\n  a: f32[2,2] = transpose[perm=[1,0]\n  return (a)\n}" 3 3 [ "expected ',' or ']' after a parameter"; "found 'return'" ]
                expectParseError "func f(x: f32[2,2]) -> (f32[2,2]) {\n  a: f32[2,2] = transpose[perm=foo](x)\n  return (a)\n}" 2 32 [ "expected a parameter value"; "found 'foo'" ]
            }
            test "every param value form parses" {
                // ParamReader sees the values as written; transpose rejects them by kind, which shows the parse.
                let value (v: string) =
                    try
                        parse (sprintf "func f(x: f32[2,2]) -> (f32[2,2]) {\n  a: f32[2,2] = transpose[perm=%s](x)\n  return (a)\n}" v) |> ignore
                        "ok"
                    with :? ParseException as e -> e.Message
                Expect.equal (value "[1,0]") "ok" "list"
                Expect.stringContains (value "([1],[0])") "found ([1],[0])" "tuple of lists"
                Expect.stringContains (value "(1)") "found (1)" "one-item tuple"
                Expect.stringContains (value "-2.5e-3") "found -0.0025" "float"
                Expect.stringContains (value "-inf") "found -inf" "-inf"
                Expect.stringContains (value "true") "found true" "bool"
                Expect.stringContains (value "([[1],[bool,2.0]])") "found ([[1],[bool,2.0]])" "nested"
            }
            test "ill-typed equations are the type checker's errors, with the file and line" {
                let e = throwsAs<TypeError> (fun () -> parse "func f(x: f32[3]) -> (f32[4]) {\n  a: f32[4] = neg(x)\n  return (a)\n}" |> ignore) "type error"
                Expect.stringContains e.Message "t.ir:2:3" "location"
                Expect.stringContains e.Message "declared f32[4], but neg gives f32[3]" "expected and found"
            }
        ]
    ]

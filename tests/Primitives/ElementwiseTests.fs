/// The elementwise family: hand-computed values for every primitive and dtype (edge cases of
/// IR.md's exact semantics included), the accurate scalar math behind them, shape and dtype
/// rules, literal rules, and vmap = loop for every batch placement.
module ArrayLang.Tests.Primitives.ElementwiseTests

open System
open System.Collections.Generic
open Expecto
open ArrayLang.Ir
open ArrayLang.Primitives
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Tests.TestUtil

let negZero = BitConverter.Int64BitsToDouble Int64.MinValue
let intMin = float Int32.MinValue
let intMax = float Int32.MaxValue
let ninf = -infinity

/// A 1-D array of `d` holding `values`, each converted as a literal would be (f32 rounds once).
let arrayOf (d: DType) (values: float list) =
    let a = NDArray.Zeros(AVal.Of(d, [| values.Length |]))
    values |> List.iteri (fun i v -> a.SetDouble(int64 i, v))
    a

/// Equal as values of one dtype: NaN matches any NaN, otherwise the bits must agree (so -0 <> +0).
let sameValue (a: float) (b: float) =
    (Double.IsNaN a && Double.IsNaN b) || BitConverter.DoubleToInt64Bits a = BitConverter.DoubleToInt64Bits b

let expectSame (actual: NDArray) (expected: NDArray) msg =
    Expect.equal actual.Type expected.Type (msg + ": result type")
    for i in 0 .. actual.Length - 1 do
        if not (sameValue (actual.GetDouble i) (expected.GetDouble i)) then
            failtestf "%s: element %d: expected %.17g, found %.17g (result %O)" msg i (expected.GetDouble i) (actual.GetDouble i) actual

/// An operand of a test equation: a variable bound to an array, or a literal.
type Arg =
    | V of NDArray
    | L of Literal

/// Builds `prim[ps](args)` (literals in place), type-checks it and evaluates it with the reference evaluator.
let evalPrim (prim: Primitive) (ps: PrimParams) (args: Arg list) =
    let b = FunctionBuilder()
    let atoms = args |> List.map (function V a -> b.AddParam(a.Type) :> Atom | L l -> l :> Atom)
    let outs = b.Emit(prim, ps, ResizeArray atoms)
    let f = b.Build("f", outs |> Seq.map (fun v -> v :> Atom) |> ResizeArray)
    TypeChecker.Check f
    let values = args |> List.choose (function V a -> Some a | L _ -> None)
    (ReferenceEvaluator.Evaluate(f, ResizeArray values)).[0]

let np = NoParams.Instance :> PrimParams

/// Checks `prim(x) = expected` for every case, as one 1-D array of dtype `d` (result dtype `rd`).
let checkUnaryTo (prim: Primitive) (d: DType) (rd: DType) (cases: (float * float) list) =
    let r = evalPrim prim np [ V(arrayOf d (List.map fst cases)) ]
    expectSame r (arrayOf rd (List.map snd cases)) $"{prim.Name} {d.Name()}"

let checkUnary prim d cases = checkUnaryTo prim d d cases

/// Checks `prim(x, y) = expected` for every case: as arrays, and again with each operand a literal.
let checkBinaryTo (prim: Primitive) (d: DType) (rd: DType) (cases: (float * float * float) list) =
    let xs = cases |> List.map (fun (x, _, _) -> x)
    let ys = cases |> List.map (fun (_, y, _) -> y)
    let es = cases |> List.map (fun (_, _, e) -> e)
    let name = $"{prim.Name} {d.Name()}"
    expectSame (evalPrim prim np [ V(arrayOf d xs); V(arrayOf d ys) ]) (arrayOf rd es) name
    for (x, y, e) in cases do
        let scalar v = (arrayOf d [ v ]).Reshape(Shape.Scalar)
        let expected = (arrayOf rd [ e ]).Reshape(Shape.Scalar)
        expectSame (evalPrim prim np [ V(scalar x); L(Literal(d, y)) ]) expected $"{name} ({x}, literal {y})"
        expectSame (evalPrim prim np [ L(Literal(d, x)); V(scalar y) ]) expected $"{name} (literal {x}, {y})"

let checkBinary prim d cases = checkBinaryTo prim d d cases

let floats = [ DType.F32; DType.F64 ]

let build (prim: Primitive) (ps: PrimParams) (types: AVal list) = fun () -> singleEquation prim ps types

let unaryValueTests =
    testList "unary values" [
        test "neg" {
            for d in floats do
                checkUnary Elementwise.Neg d [ 1.5, -1.5; 0.0, negZero; negZero, 0.0; infinity, ninf; nan, nan ]
            checkUnary Elementwise.Neg DType.I32 [ 5.0, -5.0; intMin, intMin; intMax, -intMax; 0.0, 0.0 ]
        }
        test "abs" {
            for d in floats do
                checkUnary Elementwise.Abs d [ -1.5, 1.5; negZero, 0.0; ninf, infinity; 2.0, 2.0; nan, nan ]
            checkUnary Elementwise.Abs DType.I32 [ -5.0, 5.0; intMin, intMin; 7.0, 7.0; intMax, intMax ]
        }
        test "sign" {
            for d in floats do
                checkUnary Elementwise.Sign d [ 2.5, 1.0; -0.125, -1.0; 0.0, 0.0; negZero, negZero; nan, nan; ninf, -1.0; infinity, 1.0; 1e-40, 1.0 ]
            checkUnary Elementwise.Sign DType.I32 [ -7.0, -1.0; 0.0, 0.0; 9.0, 1.0; intMin, -1.0; intMax, 1.0 ]
        }
        test "floor ceil" {
            for d in floats do
                checkUnary Elementwise.Floor d [ 1.5, 1.0; -1.5, -2.0; -0.5, -1.0; negZero, negZero; 0.5, 0.0; infinity, infinity; nan, nan; 3.0, 3.0 ]
                checkUnary Elementwise.Ceil d [ 1.5, 2.0; -1.5, -1.0; -0.5, negZero; negZero, negZero; 0.25, 1.0; ninf, ninf; nan, nan ]
            checkUnary Elementwise.Floor DType.F64 [ 4503599627370495.5, 4503599627370495.0 ]
        }
        test "round half away from zero" {
            for d in floats do
                checkUnary Elementwise.Round d
                    [ 0.5, 1.0; -0.5, -1.0; 1.5, 2.0; 2.5, 3.0; -2.5, -3.0; 0.25, 0.0; -0.25, negZero; negZero, negZero
                      infinity, infinity; nan, nan; 8388609.0, 8388609.0 ]
            checkUnary Elementwise.Round DType.F64 [ 0.49999999999999994, 0.0; 4503599627370497.0, 4503599627370497.0; -1e300, -1e300 ]
            checkUnary Elementwise.Round DType.F32 [ float 0.49999997f, 0.0 ]
        }
        test "exp log" {
            for d in floats do
                checkUnary Elementwise.Exp d [ 0.0, 1.0; 1.0, Math.E; ninf, 0.0; infinity, infinity; nan, nan; -1000.0, 0.0; 89.0, 4.4896128191743455e38 ]
                checkUnary Elementwise.Log d [ 1.0, 0.0; 2.0, 0.6931471805599453; 0.0, ninf; negZero, ninf; -1.0, nan; infinity, infinity; nan, nan ]
            checkUnary Elementwise.Exp DType.F64 [ 710.0, infinity; -745.2, 0.0 ]
        }
        test "log1p is accurate for small arguments" {
            for d in floats do
                checkUnary Elementwise.Log1p d [ 0.0, 0.0; negZero, negZero; -1.0, ninf; -2.0, nan; infinity, infinity; nan, nan; 1.0, 0.6931471805599453; -0.5, -0.6931471805599453 ]
            checkUnary Elementwise.Log1p DType.F64 [ 1e-10, 9.999999999500001e-11; -1e-12, -1.0000000000005e-12; 1e308, 709.1962086421661; 1e-300, 1e-300 ]
            // log(1 + x) in float would give 0 here.
            checkUnary Elementwise.Log1p DType.F32 [ float 1e-10f, float 1e-10f ]
        }
        test "expm1 is accurate for small arguments" {
            for d in floats do
                checkUnary Elementwise.Expm1 d [ 0.0, 0.0; negZero, negZero; ninf, -1.0; infinity, infinity; nan, nan; 1.0, 1.7182818284590453; 0.5, 0.6487212707001282; -50.0, -1.0 ]
            checkUnary Elementwise.Expm1 DType.F64 [ 1e-10, 1.00000000005e-10; -1e-12, -9.999999999995e-13; 710.0, infinity; 5e-324, 5e-324 ]
            checkUnary Elementwise.Expm1 DType.F32 [ float 1e-10f, float 1e-10f; 89.0, infinity ]
        }
        test "sqrt rsqrt" {
            for d in floats do
                checkUnary Elementwise.Sqrt d [ 4.0, 2.0; 2.0, 1.4142135623730951; negZero, negZero; 0.0, 0.0; -1.0, nan; infinity, infinity; nan, nan ]
                checkUnary Elementwise.Rsqrt d [ 4.0, 0.5; 0.0, infinity; negZero, ninf; infinity, 0.0; -1.0, nan; nan, nan; 0.25, 2.0 ]
            // 1 / Math.Sqrt(x) rounds twice and misses the correctly rounded value for 2 and 3.
            checkUnary Elementwise.Rsqrt DType.F64 [ 2.0, 0.7071067811865476; 3.0, 0.5773502691896257; 5e-324, 4.4989137945431964e+161 ]
        }
        test "sin cos tan tanh" {
            for d in floats do
                checkUnary Elementwise.Sin d [ 0.0, 0.0; negZero, negZero; infinity, nan; nan, nan ]
                checkUnary Elementwise.Cos d [ 0.0, 1.0; ninf, nan; nan, nan ]
                checkUnary Elementwise.Tan d [ 0.0, 0.0; negZero, negZero; infinity, nan ]
                checkUnary Elementwise.Tanh d [ 0.0, 0.0; negZero, negZero; infinity, 1.0; ninf, -1.0; 20.0, 1.0; 0.5, 0.46211715726000974; nan, nan ]
            checkUnary Elementwise.Sin DType.F64 [ Math.PI / 2.0, 1.0; 1.0, 0.8414709848078965 ]
            checkUnary Elementwise.Cos DType.F64 [ Math.PI, -1.0 ]
            checkUnary Elementwise.Tan DType.F64 [ Math.PI / 4.0, 0.9999999999999999 ]
            checkUnary Elementwise.Sin DType.F32 [ 1.0, 0.8414709848078965 ]
        }
        test "logistic is stable for large arguments" {
            for d in floats do
                checkUnary Elementwise.Logistic d
                    [ 0.0, 0.5; infinity, 1.0; ninf, 0.0; 1000.0, 1.0; -1000.0, 0.0; nan, nan
                      2.0, 0.8807970779778824; -2.0, 0.11920292202211756; -100.0, 3.720075976020836e-44 ]
            checkUnary Elementwise.Logistic DType.F64 [ -745.0, 5e-324 ]
        }
        test "erf" {
            for d in floats do
                checkUnary Elementwise.Erf d
                    [ 0.0, 0.0; negZero, negZero; 0.5, 0.5204998778130465; -0.5, -0.5204998778130465; 1.0, 0.8427007929497149
                      2.0, 0.9953222650189527; -2.5, -0.999593047982555; 3.0, 0.9999779095030014; 4.0, 0.9999999845827421
                      6.0, 1.0; infinity, 1.0; ninf, -1.0; nan, nan; 1e30, 1.0 ]
            checkUnary Elementwise.Erf DType.F64 [ 1e-300, 1.1283791670955126e-300; 5.0, 0.9999999999984626; 5.9, 0.9999999999999999 ]
        }
        test "is_finite" {
            for d in floats do
                checkUnaryTo Elementwise.IsFinite d DType.Bool [ 1.0, 1.0; infinity, 0.0; ninf, 0.0; nan, 0.0; 0.0, 1.0; negZero, 1.0; 3e38, 1.0 ]
            checkUnaryTo Elementwise.IsFinite DType.F64 DType.Bool [ Double.MaxValue, 1.0; 5e-324, 1.0 ]
        }
        test "not" {
            checkUnary Elementwise.Not DType.Bool [ 1.0, 0.0; 0.0, 1.0 ]
            checkUnary Elementwise.Not DType.I32 [ 0.0, -1.0; 5.0, -6.0; -1.0, 0.0; intMin, intMax ]
        }
        test "unary ops on scalars and empty arrays" {
            let s = evalPrim Elementwise.Neg np [ V(NDArray.Scalar(DType.I32, 3.0)) ]
            expectSame s (NDArray.Scalar(DType.I32, -3.0)) "scalar"
            let e = evalPrim Elementwise.Exp np [ V(NDArray.Zeros(DType.F32, 0, 2)) ]
            Expect.equal e.Type (f32 [ 0; 2 ]) "empty"
            let m = evalPrim Elementwise.Abs np [ V(NDArray.Of([| -1.0; 2.0; -3.0; 4.0; -5.0; 6.0 |], 2, 3)) ]
            expectSame m (NDArray.Of([| 1.0; 2.0; 3.0; 4.0; 5.0; 6.0 |], 2, 3)) "rank 2"
        }
    ]

let binaryValueTests =
    testList "binary values" [
        test "add sub mul" {
            for d in floats do
                checkBinary Elementwise.Add d [ 1.5, 2.25, 3.75; negZero, negZero, negZero; negZero, 0.0, 0.0; infinity, ninf, nan; nan, 1.0, nan ]
                checkBinary Elementwise.Sub d [ 5.0, 7.0, -2.0; 0.0, 0.0, 0.0; negZero, 0.0, negZero; infinity, infinity, nan ]
                checkBinary Elementwise.Mul d [ 1.5, -2.0, -3.0; negZero, 5.0, negZero; 0.0, infinity, nan; -0.5, -0.5, 0.25 ]
            checkBinary Elementwise.Add DType.F64 [ 1e308, 1e308, infinity; 1.0, 1e-16, 1.0 ]
            checkBinary Elementwise.Add DType.F32 [ 3e38, 3e38, infinity; 1.0, 5.960464477539063e-08, 1.0; 16777216.0, 1.0, 16777216.0 ]
            checkBinary Elementwise.Add DType.I32 [ intMax, 1.0, intMin; -3.0, 5.0, 2.0; intMin, intMin, 0.0 ]
            checkBinary Elementwise.Sub DType.I32 [ intMin, 1.0, intMax; 3.0, 5.0, -2.0; 0.0, intMin, intMin ]
            checkBinary Elementwise.Mul DType.I32 [ 65536.0, 65536.0, 0.0; intMax, 2.0, -2.0; -1.0, intMin, intMin; -6.0, 7.0, -42.0 ]
        }
        test "div" {
            for d in floats do
                checkBinary Elementwise.Div d [ 1.0, 0.0, infinity; -1.0, 0.0, ninf; 0.0, 0.0, nan; 1.0, negZero, ninf; 7.0, 2.0, 3.5; infinity, infinity, nan ]
            checkBinary Elementwise.Div DType.I32
                [ 7.0, 2.0, 3.0; -7.0, 2.0, -3.0; 7.0, -2.0, -3.0; -7.0, -2.0, 3.0; 5.0, 0.0, 0.0; -7.0, 0.0, 0.0
                  intMin, -1.0, intMin; intMin, 1.0, intMin; intMax, -1.0, -intMax; 0.0, 0.0, 0.0 ]
        }
        test "rem is C's fmod for floats and total for i32" {
            for d in floats do
                checkBinary Elementwise.Rem d
                    [ 5.5, 2.0, 1.5; -5.5, 2.0, -1.5; 5.5, -2.0, 1.5; 1.0, 0.0, nan; infinity, 2.0, nan; 3.0, infinity, 3.0
                      negZero, 1.0, negZero; -4.0, 2.0, negZero; -7.25, 0.5, -0.25; nan, 1.0, nan ]
            // fmod is exact; Math.IEEERemainder would give a negative value here.
            checkBinary Elementwise.Rem DType.F64 [ 123456789012.5, 0.1, 0.09999314677151461; 1e300, 3.0, 0.0 ]
            checkBinary Elementwise.Rem DType.I32
                [ 7.0, 3.0, 1.0; -7.0, 3.0, -1.0; 7.0, -3.0, 1.0; -7.0, -3.0, -1.0; 5.0, 0.0, 5.0; -5.0, 0.0, -5.0
                  intMin, -1.0, 0.0; intMin, 0.0, intMin; intMin, 3.0, -2.0 ]
        }
        test "max min propagate NaN and order -0 below +0" {
            for d in floats do
                checkBinary Elementwise.Max d
                    [ 1.0, 2.0, 2.0; nan, 1.0, nan; 1.0, nan, nan; negZero, 0.0, 0.0; 0.0, negZero, 0.0; negZero, negZero, negZero; ninf, 3.0, 3.0; infinity, nan, nan ]
                checkBinary Elementwise.Min d
                    [ 1.0, 2.0, 1.0; nan, 1.0, nan; 1.0, nan, nan; negZero, 0.0, negZero; 0.0, negZero, negZero; 0.0, 0.0, 0.0; ninf, 3.0, ninf ]
            checkBinary Elementwise.Max DType.I32 [ intMin, 5.0, 5.0; -3.0, -7.0, -3.0; intMax, intMin, intMax ]
            checkBinary Elementwise.Min DType.I32 [ intMin, 5.0, intMin; -3.0, -7.0, -7.0 ]
        }
        test "pow follows C's pow" {
            for d in floats do
                checkBinary Elementwise.Pow d
                    [ 2.0, 10.0, 1024.0; 1.0, nan, 1.0; nan, 0.0, 1.0; nan, negZero, 1.0; -1.0, infinity, 1.0; -1.0, ninf, 1.0
                      -2.0, 0.5, nan; 0.0, -1.0, infinity; negZero, -1.0, ninf; negZero, -2.0, infinity; negZero, -0.5, infinity
                      negZero, 3.0, negZero; negZero, 2.0, 0.0; 0.0, ninf, infinity; negZero, ninf, infinity; 0.5, infinity, 0.0
                      2.0, infinity, infinity; 0.5, ninf, infinity; 2.0, ninf, 0.0; -0.5, infinity, 0.0; -2.0, infinity, infinity
                      ninf, 3.0, ninf; ninf, -3.0, negZero; ninf, 2.0, infinity; ninf, -2.0, 0.0; ninf, 0.5, infinity
                      infinity, -1.0, 0.0; infinity, 0.5, infinity; -8.0, 1.0 / 3.0, nan; -2.0, 3.0, -8.0; -2.0, -2.0, 0.25
                      2.0, -1.0, 0.5; nan, 1.0, nan; 1.0, infinity, 1.0; 4.0, 0.5, 2.0 ]
            checkBinary Elementwise.Pow DType.F64 [ 10.0, 400.0, infinity; 10.0, -400.0, 0.0; -1.0, 1e300, 1.0 ]
            checkBinary Elementwise.Pow DType.F32 [ 10.0, 39.0, infinity; 2.0, -149.0, 1.401298464324817e-45 ]
        }
        test "atan2 follows C's atan2" {
            for d in floats do
                checkBinary Elementwise.Atan2 d
                    [ 0.0, 1.0, 0.0; 1.0, 0.0, Math.PI / 2.0; 0.0, negZero, Math.PI; negZero, negZero, -Math.PI
                      negZero, 0.0, negZero; 0.0, 0.0, 0.0; infinity, infinity, Math.PI / 4.0; ninf, ninf, -3.0 * Math.PI / 4.0
                      1.0, ninf, Math.PI; -1.0, ninf, -Math.PI; -1.0, infinity, negZero; nan, 1.0, nan; 1.0, nan, nan; -1.0, 0.0, -Math.PI / 2.0 ]
            checkBinary Elementwise.Atan2 DType.F64 [ 1.0, 1.0, 0.7853981633974483; 1.0, -1.0, 2.356194490192345 ]
        }
        test "and or xor" {
            let tt = [ 0.0, 0.0; 0.0, 1.0; 1.0, 0.0; 1.0, 1.0 ]
            let table (f: bool -> bool -> bool) = tt |> List.map (fun (x, y) -> x, y, (if f (x <> 0.0) (y <> 0.0) then 1.0 else 0.0))
            checkBinary Elementwise.And DType.Bool (table (&&))
            checkBinary Elementwise.Or DType.Bool (table (||))
            checkBinary Elementwise.Xor DType.Bool (table (<>))
            checkBinary Elementwise.And DType.I32 [ 12.0, 10.0, 8.0; -1.0, 77.0, 77.0; intMin, -1.0, intMin ]
            checkBinary Elementwise.Or DType.I32 [ 12.0, 10.0, 14.0; intMin, intMax, -1.0 ]
            checkBinary Elementwise.Xor DType.I32 [ 12.0, 10.0, 6.0; -1.0, 0.0, -1.0; intMin, intMax, -1.0 ]
        }
        test "a literal beside an empty or scalar operand" {
            let e = evalPrim Elementwise.Add np [ L(Literal.Of 1.0f); V(NDArray.Zeros(DType.F32, 0)) ]
            Expect.equal e.Type (f32 [ 0 ]) "literal + f32[0] is f32[0]"
            let e2 = evalPrim Elementwise.Lt np [ V(NDArray.Zeros(DType.I32, 0, 3)); L(Literal.Of 2) ]
            Expect.equal e2.Type (boolT [ 0; 3 ]) "lt(i32[0,3], 2) is bool[0,3]"
            let m = evalPrim Elementwise.Sub np [ L(Literal.Of 10); V(NDArray.Of([| 1; 2; 3; 4; 5; 6 |], 2, 3)) ]
            expectSame m (NDArray.Of([| 9; 8; 7; 6; 5; 4 |], 2, 3)) "10 - x over [2,3]"
            let s = evalPrim Elementwise.Mul np [ V(NDArray.Scalar(DType.F64, 3.0)); L(Literal.Of 0.5) ]
            expectSame s (NDArray.Scalar(DType.F64, 1.5)) "scalar variable * literal"
        }
    ]

let compareSelectConvertTests =
    testList "comparison, select, convert values" [
        test "comparisons on floats (NaN unordered, -0 = +0)" {
            let xs = [ 1.0, 2.0; 2.0, 1.0; 2.0, 2.0; nan, 1.0; 1.0, nan; nan, nan; negZero, 0.0; ninf, infinity; infinity, infinity ]
            let expect (prim: Primitive) (f: float -> float -> bool) =
                for d in floats do
                    checkBinaryTo prim d DType.Bool (xs |> List.map (fun (x, y) -> x, y, (if f x y then 1.0 else 0.0)))
            expect Elementwise.Eq (=)
            expect Elementwise.Ne (<>)
            expect Elementwise.Lt (<)
            expect Elementwise.Le (<=)
            expect Elementwise.Gt (>)
            expect Elementwise.Ge (>=)
            // spelled out, not through F#'s operators:
            checkBinaryTo Elementwise.Ne DType.F32 DType.Bool [ nan, nan, 1.0; negZero, 0.0, 0.0 ]
            checkBinaryTo Elementwise.Le DType.F64 DType.Bool [ nan, nan, 0.0; negZero, 0.0, 1.0; 0.0, negZero, 1.0 ]
        }
        test "comparisons on i32 and bool (false < true)" {
            checkBinaryTo Elementwise.Lt DType.I32 DType.Bool [ intMin, intMax, 1.0; intMax, intMin, 0.0; -1.0, -1.0, 0.0 ]
            checkBinaryTo Elementwise.Ge DType.I32 DType.Bool [ intMin, intMax, 0.0; -1.0, -1.0, 1.0; 3.0, -3.0, 1.0 ]
            checkBinaryTo Elementwise.Eq DType.I32 DType.Bool [ 16777217.0, 16777216.0, 0.0; 5.0, 5.0, 1.0 ]
            checkBinaryTo Elementwise.Lt DType.Bool DType.Bool [ 0.0, 1.0, 1.0; 1.0, 0.0, 0.0; 1.0, 1.0, 0.0; 0.0, 0.0, 0.0 ]
            checkBinaryTo Elementwise.Gt DType.Bool DType.Bool [ 0.0, 1.0, 0.0; 1.0, 0.0, 1.0; 1.0, 1.0, 0.0 ]
            checkBinaryTo Elementwise.Le DType.Bool DType.Bool [ 0.0, 1.0, 1.0; 1.0, 0.0, 0.0; 1.0, 1.0, 1.0 ]
            checkBinaryTo Elementwise.Ge DType.Bool DType.Bool [ 0.0, 1.0, 0.0; 0.0, 0.0, 1.0 ]
            checkBinaryTo Elementwise.Eq DType.Bool DType.Bool [ 0.0, 1.0, 0.0; 1.0, 1.0, 1.0; 0.0, 0.0, 1.0 ]
            checkBinaryTo Elementwise.Ne DType.Bool DType.Bool [ 0.0, 1.0, 1.0; 1.0, 1.0, 0.0 ]
        }
        test "select on every dtype, with literals" {
            let pred = arrayOf DType.Bool [ 1.0; 0.0; 1.0; 0.0 ]
            for d in DTypes.All do
                let a = arrayOf d [ 1.0; 0.0; 1.0; 1.0 ]
                let b = arrayOf d [ 0.0; 1.0; 0.0; 0.0 ]
                let r = evalPrim Elementwise.Select np [ V pred; V a; V b ]
                expectSame r (arrayOf d [ 1.0; 1.0; 1.0; 0.0 ]) $"select {d.Name()}"
            let x = arrayOf DType.F32 [ 1.5; nan; negZero; 4.0 ]
            expectSame (evalPrim Elementwise.Select np [ V pred; V x; L(Literal.Of 7.0f) ]) (arrayOf DType.F32 [ 1.5; 7.0; negZero; 7.0 ]) "on_false literal"
            expectSame (evalPrim Elementwise.Select np [ V pred; L(Literal(DType.F32, negZero)); V x ]) (arrayOf DType.F32 [ negZero; nan; negZero; 4.0 ]) "on_true literal"
            expectSame (evalPrim Elementwise.Select np [ L(Literal.Of true); V x; L(Literal.Of 0.0f) ]) x "pred literal true"
            expectSame (evalPrim Elementwise.Select np [ L(Literal.Of false); L(Literal.Of(-1)); V(arrayOf DType.I32 [ 5.0; 6.0 ]) ]) (arrayOf DType.I32 [ 5.0; 6.0 ]) "pred literal false"
            expectSame (evalPrim Elementwise.Select np [ V pred; V(arrayOf DType.Bool [ 0.0; 0.0; 1.0; 1.0 ]); L(Literal.Of true) ]) (arrayOf DType.Bool [ 0.0; 1.0; 1.0; 1.0 ]) "bool branches"
            let e = evalPrim Elementwise.Select np [ V(NDArray.Zeros(DType.Bool, 0)); L(Literal.Of 1); V(NDArray.Zeros(DType.I32, 0)) ]
            Expect.equal e.Type (i32 [ 0 ]) "empty"
        }
        test "convert float to i32 truncates, saturates, NaN gives 0" {
            let toI32 = ConvertParams(DType.I32)
            let check d (cases: (float * float) list) =
                let r = evalPrim Elementwise.Convert toI32 [ V(arrayOf d (List.map fst cases)) ]
                expectSame r (arrayOf DType.I32 (List.map snd cases)) $"convert {d.Name()} to i32"
            for d in floats do
                check d [ 1.9, 1.0; -1.9, -1.0; nan, 0.0; infinity, intMax; ninf, intMin; 3e9, intMax; -3e9, intMin; -0.5, 0.0; negZero, 0.0
                          2147483520.0, 2147483520.0; 2147483648.0, intMax; -2147483648.0, intMin ]
            check DType.F64 [ 2147483647.9, intMax; -2147483648.9, intMin; 2147483646.5, 2147483646.0; -2147483647.5, -2147483647.0 ]
        }
        test "convert between floats and from i32 rounds to nearest even" {
            let conv (d: DType) (to': DType) (cases: (float * float) list) =
                let r = evalPrim Elementwise.Convert (ConvertParams to') [ V(arrayOf d (List.map fst cases)) ]
                expectSame r (arrayOf to' (List.map snd cases)) $"convert {d.Name()} to {to'.Name()}"
            conv DType.F64 DType.F32 [ 0.1, float 0.1f; 1e300, infinity; -1e300, ninf; 1e-50, 0.0; -1e-50, negZero; nan, nan; negZero, negZero; 16777217.0, 16777216.0; 16777219.0, 16777220.0 ]
            conv DType.F32 DType.F64 [ float 0.1f, 0.10000000149011612; ninf, ninf; negZero, negZero; nan, nan ]
            conv DType.I32 DType.F32 [ 16777217.0, 16777216.0; 16777219.0, 16777220.0; intMax, 2147483648.0; intMin, intMin; -3.0, -3.0 ]
            conv DType.I32 DType.F64 [ intMax, intMax; intMin, intMin; 16777217.0, 16777217.0 ]
            conv DType.I32 DType.I32 [ intMin, intMin; 5.0, 5.0 ]
            conv DType.F32 DType.F32 [ nan, nan; negZero, negZero; 1.5, 1.5 ]
        }
        test "convert to and from bool" {
            let conv (d: DType) (to': DType) (cases: (float * float) list) =
                let r = evalPrim Elementwise.Convert (ConvertParams to') [ V(arrayOf d (List.map fst cases)) ]
                expectSame r (arrayOf to' (List.map snd cases)) $"convert {d.Name()} to {to'.Name()}"
            for d in floats do
                conv d DType.Bool [ 0.0, 0.0; negZero, 0.0; nan, 1.0; 0.1, 1.0; infinity, 1.0; -2.0, 1.0; 1e-45, 1.0 ]
            conv DType.I32 DType.Bool [ 0.0, 0.0; 1.0, 1.0; -1.0, 1.0; intMin, 1.0 ]
            conv DType.Bool DType.Bool [ 0.0, 0.0; 1.0, 1.0 ]
            for d in [ DType.F32; DType.F64; DType.I32 ] do
                conv DType.Bool d [ 0.0, 0.0; 1.0, 1.0 ]
        }
    ]

let scalarMathTests =
    testList "ScalarMath" [
        test "erf against high-precision values" {
            Expect.equal (ScalarMath.Erf 0.5) 0.5204998778130465 "erf(0.5) = 0.52049987781304653768..."
            Expect.equal (ScalarMath.Erf 3.0) 0.9999779095030014 "erf(3)"
            Expect.equal (ScalarMath.Erf 1.0) 0.8427007929497149 "erf(1)"
            Expect.equal (ScalarMath.Erf 0.1) 0.1124629160182849 "erf(0.1)"
            Expect.equal (ScalarMath.Erf 4.5) 0.9999999998033839 "erf(4.5)"
            Expect.equal (ScalarMath.Erf 1e-20) 1.1283791670955125e-20 "erf(tiny) = 2x/sqrt(pi)"
            Expect.equal (ScalarMath.Erf 27.0) 1.0 "erf(27)"
            Expect.equal (ScalarMath.Erf 1e300) 1.0 "erf(1e300)"
            for x in [ 0.001; 0.3; 0.77; 1.5; 2.2; 3.3; 3.999; 4.0; 5.5; 8.0 ] do
                Expect.equal (ScalarMath.Erf -x) (-(ScalarMath.Erf x)) $"erf(-{x}) = -erf({x})"
        }
        test "expm1 and log1p against high-precision values" {
            Expect.equal (ScalarMath.Expm1 1e-10) 1.00000000005e-10 "expm1(1e-10)"
            Expect.equal (ScalarMath.Expm1 -1e-12) -9.999999999995e-13 "expm1(-1e-12)"
            Expect.equal (ScalarMath.Expm1 -1.0) -0.6321205588285577 "expm1(-1)"
            Expect.equal (ScalarMath.Expm1 10.0) 22025.465794806718 "expm1(10)"
            Expect.equal (ScalarMath.Expm1 709.0) 8.218407461554972e+307 "expm1(709)"
            Expect.equal (ScalarMath.Expm1 -30.0) -0.9999999999999064 "expm1(-30)"
            Expect.equal (ScalarMath.Log1p -1e-12) -1.0000000000005e-12 "log1p(-1e-12)"
            Expect.equal (ScalarMath.Log1p 1e-10) 9.999999999500001e-11 "log1p(1e-10)"
            Expect.equal (ScalarMath.Log1p 0.3) 0.26236426446749106 "log1p(0.3)"
            Expect.equal (ScalarMath.Log1p -0.3) -0.35667494393873234 "log1p(-0.3)"
            Expect.equal (ScalarMath.Log1p -0.999999) -13.815510557935518 "log1p(-0.999999)"
            Expect.isTrue (ScalarMath.Log1p 1e-10 <> Math.Log(1.0 + 1e-10)) "the naive formula is wrong here"
        }
        test "rsqrt and logistic round once" {
            Expect.equal (ScalarMath.Rsqrt 2.0) 0.7071067811865476 "rsqrt(2)"
            Expect.equal (ScalarMath.Rsqrt 1e308) 9.9999999999999997e-155 "rsqrt(1e308)"
            Expect.equal (ScalarMath.Logistic 2.0) 0.8807970779778824 "logistic(2)"
            Expect.equal (ScalarMath.Logistic -2.0) 0.11920292202211756 "logistic(-2)"
            Expect.equal (ScalarMath.Logistic -745.0) 5e-324 "logistic(-745)"
        }
    ]

let typeErrorTests =
    testList "type errors" [
        test "float-only unary on i32" {
            for p in [ Elementwise.Sin; Elementwise.Floor; Elementwise.Erf; Elementwise.Rsqrt ] do
                expectTypeError (build p np [ i32 [ 3 ] ]) [ p.Name; "f32 or f64"; "found i32" ]
        }
        test "dtypes outside each primitive's list" {
            expectTypeError (build Elementwise.Neg np [ boolT [ 2 ] ]) [ "neg"; "found bool" ]
            expectTypeError (build Elementwise.Abs np [ boolT [ 2 ] ]) [ "abs"; "found bool" ]
            expectTypeError (build Elementwise.IsFinite np [ i32 [ 2 ] ]) [ "is_finite"; "found i32" ]
            expectTypeError (build Elementwise.Not np [ f32 [ 2 ] ]) [ "not"; "i32 or bool"; "found f32" ]
            expectTypeError (build Elementwise.And np [ f64 [ 2 ]; f64 [ 2 ] ]) [ "and"; "found f64" ]
            expectTypeError (build Elementwise.Add np [ boolT [ 2 ]; boolT [ 2 ] ]) [ "add"; "found bool" ]
            expectTypeError (build Elementwise.Pow np [ i32 [ 2 ]; i32 [ 2 ] ]) [ "pow"; "found i32" ]
            expectTypeError (build Elementwise.Max np [ boolT []; boolT [] ]) [ "max"; "found bool" ]
        }
        test "mismatched shapes and dtypes" {
            expectTypeError (build Elementwise.Add np [ f32 [ 3 ]; f32 [ 4 ] ]) [ "add"; "equal shapes"; "f32[3]"; "f32[4]" ]
            expectTypeError (build Elementwise.Add np [ f32 [ 3 ]; f32 [] ]) [ "add"; "equal shapes"; "f32[]" ]
            expectTypeError (build Elementwise.Mul np [ f32 [ 3 ]; f64 [ 3 ] ]) [ "mul"; "one dtype"; "f32[3]"; "f64[3]" ]
            expectTypeError (build Elementwise.Lt np [ i32 [ 3 ]; f32 [ 3 ] ]) [ "lt"; "one dtype" ]
            expectTypeError (build Elementwise.Select np [ boolT [ 3 ]; f32 [ 3 ]; f32 [ 2 ] ]) [ "select"; "equal shapes" ]
            expectTypeError (build Elementwise.Select np [ boolT [ 3 ]; f32 [ 3 ]; i32 [ 3 ] ]) [ "select"; "one dtype" ]
            expectTypeError (build Elementwise.Select np [ i32 [ 3 ]; f32 [ 3 ]; f32 [ 3 ] ]) [ "select"; "pred must be bool"; "i32[3]" ]
            expectTypeError (build Elementwise.Add np [ f32 [ 3 ] ]) [ "add"; "expects 2 operands, found 1" ]
            expectTypeError (build Elementwise.Select np [ boolT [ 3 ]; f32 [ 3 ] ]) [ "select"; "expects 3 operands" ]
            expectTypeError (build Elementwise.Neg np [ f32 [ 3 ]; f32 [ 3 ] ]) [ "neg"; "expects 1 operand" ]
        }
        test "literal-only equations" {
            let lit (l: Literal) = Operand.Of l
            let infer (p: Primitive) (ps: PrimParams) (ops: Operand list) = fun () -> p.InferTypes(ps, ResizeArray ops, ResizeArray<Function>())
            expectTypeError (infer Elementwise.Add np [ lit (Literal.Of 1.0f); lit (Literal.Of 2.0f) ]) [ "add"; "at least one operand must be a variable" ]
            expectTypeError (infer Elementwise.Neg np [ lit (Literal.Of 1.0f) ]) [ "neg"; "at least one operand must be a variable" ]
            expectTypeError (infer Elementwise.Convert (ConvertParams DType.F32) [ lit (Literal.Of 1) ]) [ "convert"; "variable" ]
            expectTypeError (infer Elementwise.Select np [ Operand(boolT [ 2 ], false); lit (Literal.Of 1); lit (Literal.Of 2) ]) [ "select"; "both be literals" ]
            expectTypeError (infer Elementwise.Add np [ Operand(i32 [ 2 ], false); lit (Literal.Of 1.5f) ]) [ "add"; "one dtype"; "a literal f32" ]
        }
        test "literal dtypes by position" {
            let none = ResizeArray<Function>()
            let ld (p: Primitive) (ps: PrimParams) pos (ops: AVal option list) =
                p.LiteralDType(pos, ps, ResizeArray(ops |> List.map Option.toObj), none) |> Option.ofNullable
            Expect.equal (ld Elementwise.Add np 1 [ Some(f64 [ 3 ]); None ]) (Some DType.F64) "add: the other operand's dtype"
            Expect.equal (ld Elementwise.Sub np 0 [ None; Some(i32 [ 3 ]) ]) (Some DType.I32) "sub: first position"
            Expect.equal (ld Elementwise.Add np 0 [ None; None ]) None "add: no variable operand"
            Expect.equal (ld Elementwise.Lt np 1 [ Some(i32 [ 3 ]); None ]) (Some DType.I32) "lt: the other operand's dtype, not bool"
            Expect.equal (ld Elementwise.Neg np 0 [ None ]) None "neg: no literal"
            Expect.equal (ld Elementwise.IsFinite np 0 [ None ]) None "is_finite: no literal"
            Expect.equal (ld Elementwise.Convert (ConvertParams DType.F32) 0 [ None ]) None "convert: no literal"
            Expect.equal (ld Elementwise.Select np 0 [ None; Some(f32 [ 2 ]); Some(f32 [ 2 ]) ]) (Some DType.Bool) "select pred: bool"
            Expect.equal (ld Elementwise.Select np 1 [ Some(boolT [ 2 ]); None; Some(i32 [ 2 ]) ]) (Some DType.I32) "select on_true: on_false's dtype"
            Expect.equal (ld Elementwise.Select np 2 [ None; Some(f64 [ 2 ]); None ]) (Some DType.F64) "select on_false: on_true's dtype"
            Expect.equal (ld Elementwise.Select np 1 [ Some(boolT [ 2 ]); None; None ]) None "select: both branches literal"
            Expect.equal (ld Elementwise.Select np 0 [ None; None; None ]) None "select: all literals"
        }
        test "the type checker rejects a literal of the wrong dtype" {
            let b = FunctionBuilder()
            let x = b.AddParam(i32 [ 3 ], "x")
            let out = b.FreshVar(i32 [ 3 ])
            b.Add(Equation([ out ], Elementwise.Add, NoParams.Instance, [ x :> Atom; Literal.Of 1.5f :> Atom ]))
            let f = b.Build("f", ResizeArray [ out :> Atom ])
            expectTypeError (fun () -> TypeChecker.Check f) [ "literal operand 2 should be i32"; "found f32" ]
            let b2 = FunctionBuilder()
            let y = b2.FreshVar(f32 [])
            b2.Add(Equation([ y ], Elementwise.Convert, ConvertParams DType.F32, [ Literal.Of 1 :> Atom ]))
            expectTypeError (fun () -> TypeChecker.Check(b2.Build("g", ResizeArray [ y :> Atom ]))) [ "may not be a literal" ]
        }
        test "convert params: text form, default-less, round trip" {
            let f = singleEquation Elementwise.Convert (ConvertParams DType.F32) [ i32 [ 2 ] ]
            Expect.stringContains (string f) "convert[to=f32](" "text form"
            Expect.equal (f.Equations.[0].Outputs.[0].Type) (f32 [ 2 ]) "result dtype"
            let read kvs = Elementwise.Convert.ReadParams(ParamReader("convert", kvs))
            Expect.equal (read [ KeyValuePair("to", DTypeParam DType.F64 :> ParamValue) ]) (ConvertParams DType.F64 :> PrimParams) "read"
            Expect.throwsT<ParamException> (fun () -> read [] |> ignore) "to is required"
            Expect.throwsT<ParamException> (fun () -> read [ KeyValuePair("to", IntParam 3L :> ParamValue) ] |> ignore) "to is a dtype"
            let s = singleEquation Elementwise.Select np [ boolT [ 2 ]; f64 [ 2 ]; f64 [ 2 ] ]
            Expect.stringContains (string s) "select(" "select prints without params"
            Expect.equal (Elementwise.Neg.ReadParams(ParamReader.Empty "neg")) (NoParams.Instance :> PrimParams) "no params"
        }
        test "the family lists every primitive once, registered with a batching rule" {
            let names = Elementwise.All |> Seq.map (fun p -> p.Name) |> List.ofSeq
            let expected =
                [ "neg"; "abs"; "sign"; "floor"; "ceil"; "round"; "exp"; "log"; "log1p"; "expm1"; "sqrt"; "rsqrt"; "sin"; "cos"; "tan"
                  "tanh"; "logistic"; "erf"; "is_finite"; "not"; "and"; "or"; "xor"; "add"; "sub"; "mul"; "div"; "rem"; "max"; "min"
                  "pow"; "atan2"; "eq"; "ne"; "lt"; "le"; "gt"; "ge"; "select"; "convert" ]
            Expect.equal names expected "names"
            for p in Elementwise.All do
                Expect.isTrue (PrimitiveRegistry.Batching.Contains p) $"{p.Name} has a batching rule"
                Expect.isTrue (Object.ReferenceEquals(PrimitiveRegistry.Primitives.Get p.Name, p)) $"{p.Name} is registered"
        }
    ]

// ---- vmap = loop for every primitive, dtype and batch placement ----

let perExample = [ 2; 3 ]
let placements = [ None; Some 0; Some 1; Some 2; Some -1 ]
let sizes = [ 0; 1; 3 ]

/// The dtypes each elementwise primitive accepts (convert: its source dtypes).
let dtypesOf (p: Primitive) : DType list =
    match p with
    | :? UnaryOp as u -> List.ofSeq u.DTypes
    | :? BinaryOp as b -> List.ofSeq b.DTypes
    | :? PredicateOp -> floats
    | _ -> List.ofSeq DTypes.All

/// A one-equation function with a literal at each `Some` position of `literals`.
let withLiterals (prim: Primitive) (ps: PrimParams) (operands: Choice<AVal, Literal> list) =
    let b = FunctionBuilder()
    let atoms = operands |> List.map (function Choice1Of2 t -> b.AddParam(t) :> Atom | Choice2Of2 l -> l :> Atom)
    let outs = b.Emit(prim, ps, ResizeArray atoms)
    b.Build("f", outs |> Seq.map (fun v -> v :> Atom) |> ResizeArray)

let rec combos n : int option list list =
    if n = 0 then [ [] ] else [ for a in placements do for rest in combos (n - 1) -> a :: rest ]

let vmapTests =
    let caseFor (p: Primitive) =
        test $"{p.Name}/vmap = loop" {
            let rng = Random 1234
            let arities, literalCases =
                match p with
                | :? SelectOp -> 3, true
                | :? BinaryOp | :? CompareOp -> 2, true
                | _ -> 1, false
            let paramSets : (PrimParams * DType) list =
                match p with
                | :? ConvertOp -> [ for s in DTypes.All do for t in DTypes.All -> (ConvertParams t :> PrimParams), s ]
                | _ -> [ for d in dtypesOf p -> np, d ]
            for ps, d in paramSets do
                let types = [ for i in 0 .. arities - 1 -> if arities = 3 && i = 0 then boolT perExample else aval d perExample ]
                let f = singleEquation p ps types
                for axes in combos arities do
                    for b in sizes do
                        checkVmapEqualsLoop rng f axes b
                if literalCases then
                    // a literal at each position (not both branches of select), the others batched anywhere
                    for litPos in 0 .. arities - 1 do
                        let lit = if arities = 3 && litPos = 0 then Literal.Of true else Literal(d, 1.0)
                        let operands = types |> List.mapi (fun i t -> if i = litPos then Choice2Of2 lit else Choice1Of2 t)
                        let f = withLiterals p ps operands
                        for axes in combos (arities - 1) do
                            for b in sizes do
                                checkVmapEqualsLoop rng f axes b
        }
    testList "elementwise vmap" [ for p in Elementwise.All -> caseFor p ]

[<Tests>]
let tests =
    testList "elementwise" [ unaryValueTests; binaryValueTests; compareSelectConvertTests; scalarMathTests; typeErrorTests; vmapTests ]

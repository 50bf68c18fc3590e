module ArrayLang.Tests.Ir.IrCoreTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Primitives
open ArrayLang.Tests.TestUtil

[<Tests>]
let tests =
    testList "ir" [
        test "builder and printer" {
            let b = FunctionBuilder()
            let x = b.AddParam(f32 [ 3 ], "x")
            let y = b.Emit1(Elementwise.Add, NoParams.Instance, x, Literal.Of 1.0f)
            let f = b.Build("f", ResizeArray [ y :> Atom ])
            TypeChecker.Check f
            Expect.equal (string f) "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = add(x, 1.0)\n  return (a)\n}\n" "text"
        }
        test "alpha-equivalent functions are equal and hash the same" {
            let make (n: string) =
                let b = FunctionBuilder()
                let x = b.AddParam(f32 [ 2 ], n)
                let y = b.Emit1(Elementwise.Neg, NoParams.Instance, x)
                b.Build(n, ResizeArray [ y :> Atom ])
            Expect.equal (make "p") (make "q") "equal"
            Expect.equal ((make "p").StableHash) ((make "q").StableHash) "hash"
            Expect.equal ((make "p").StableHash) 12215922048244034436UL "hash is stable across processes"
        }
        test "literals compare bitwise" {
            Expect.equal (Literal(DType.F32, nan)) (Literal(DType.F32, nan)) "nan = nan"
            Expect.notEqual (Literal(DType.F32, -0.0)) (Literal(DType.F32, 0.0)) "-0 <> 0"
            Expect.equal (string (Literal(DType.F32, -0.0))) "-0.0" "-0.0 text"
            Expect.equal (string (Literal(DType.F64, 1e300))) "1e+300" "exponent text"
        }
        test "vmap of add with a shared operand equals the loop" {
            let rng = Random 1
            let f = singleEquation Elementwise.Add NoParams.Instance [ f32 [ 3 ]; f32 [ 3 ] ]
            for axes in [ [ Some 0; None ]; [ None; Some 1 ]; [ Some 1; Some 0 ]; [ Some -1; Some 0 ] ] do
                for b in [ 0; 1; 4 ] do
                    checkVmapEqualsLoop rng f axes b
        }
    ]

module ArrayLang.Tests.Transforms.VmapTests

open Expecto

open System
open ArrayLang.Ir
open ArrayLang.Primitives
open ArrayLang.Transforms
open ArrayLang.Tests.TestUtil

let private parse text = IrParser.ParseFunction(text, "<test>", null, null)

[<Tests>]
let tests =
    testList "vmap" [
        test "a returned literal becomes a broadcast constant that type-checks and parses back" {
            let f = parse "func f(x: f32[2]) -> (f32[2], f32[]) {\n  a: f32[2] = neg(x)\n  return (a, -0.0)\n}"
            let g = Vmap.Apply(f, 3, ResizeArray [ Nullable 0 ])
            TypeChecker.Check g
            Expect.stringContains (string g) "broadcast_in_dim[shape=[3], dims=[]](-0.0)" "the literal is broadcast"
            Expect.equal (parse (string g)) g "round trip"
            checkVmapEqualsLoop (Random 1) f [ Some 0 ] 3
            let h = Vmap.Apply(g, 2, ResizeArray [ Nullable -1 ], ResizeArray [ Nullable 1; Nullable 0 ])
            TypeChecker.Check h
        }
        test "vmap keeps the parameters' order, const parameters included" {
            let f = parse "func f(x: f32[2], const w: f32[2]) -> (f32[2]) {\n  a: f32[2] = mul(x, w)\n  return (a)\n}"
            let g = Vmap.Apply(f, 4, ResizeArray [ Nullable 0; Nullable() ])
            Expect.equal (g.Params |> Seq.map (fun p -> p.Name) |> List.ofSeq) [ "x"; "w" ] "order"
            Expect.sequenceEqual g.ConstMask [ false; true ] "const mask"
        }
        test "batching a const parameter is an error naming it" {
            let f = parse "func f(x: f32[2], const w: f32[2]) -> (f32[2]) {\n  a: f32[2] = mul(x, w)\n  return (a)\n}"
            let e = Expect.throwsC (fun () -> Vmap.Apply(f, 4, ResizeArray [ Nullable 0; Nullable 0 ]) |> ignore) id
            ()
        }
    ]

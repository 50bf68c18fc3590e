module ArrayLang.Tests.Transforms.VmapTests

open Expecto

open System
open ArrayLang.Ir
open ArrayLang.Primitives
open ArrayLang.Transforms
open ArrayLang.Tests.TestUtil
open ArrayLang.Reference

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

[<Tests>]
let chunkTests =
    testList "chunked vmap" [
        test "a scan over chunks plus a remainder, equal to vmap" {
            let f = parse "func f(x: f32[3], w: f32[3]) -> (f32[], f32[3]) {\n  a: f32[3] = mul(x, w)\n  s: f32[] = reduce_sum[axes=[0]](a)\n  return (s, w)\n}"
            let axes = ResizeArray [ Nullable 1; Nullable() ]
            let outs = ResizeArray [ Nullable 0; Nullable() ]
            let g = Vmap.Chunked(f, 10, axes, outs, 4)
            TypeChecker.Check g
            let text = string g
            Expect.stringContains text "scan[length=2" "two full chunks of 4"
            Expect.stringContains text "f32[2,4,3]" "chunked input"
            let plain = Vmap.Apply(f, 10, axes, outs)
            Expect.sequenceEqual (g.Params |> Seq.map (fun p -> p.Type)) (plain.Params |> Seq.map (fun p -> p.Type)) "same signature"
            let rng = Random 5
            let args = [ for p in g.Params -> randomArray rng p.Type ] |> ResizeArray
            let a = ReferenceEvaluator.Evaluate(g, args)
            let e = ReferenceEvaluator.Evaluate(plain, args)
            for j in 0 .. 1 do expectBitwise a.[j] e.[j] (sprintf "result %d" j)
        }
        test "a chunk size of at least B is plain vmap" {
            let f = parse "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = neg(x)\n  return (a)\n}"
            Expect.equal (Vmap.Chunked(f, 5, ResizeArray [ Nullable 0 ], null, 5)) (Vmap.Apply(f, 5, ResizeArray [ Nullable 0 ])) "same function"
        }
        test "the budget gives the largest chunk that fits, and says how" {
            // W4's shape: per example an outer product of 512 floats (1 MiB) that is summed.
            let f = parse "func f(x: f32[512]) -> (f32[512]) {\n  o: f32[512,512] = dot_general[contract=([],[]), batch=([],[])](x, x)\n  h: f32[512,512] = mul(o, 0.5)\n  s: f32[512] = reduce_sum[axes=[1]](h)\n  return (s)\n}"
            let plan = Vmap.ChunkSizeForBudget(f, 1024, ResizeArray [ Nullable 0 ], 64L * 1024L * 1024L)
            Expect.equal plan.BytesPerExample (2L * 1024L * 1024L) "two 1 MiB intermediates live at once per example"
            Expect.isLessThanOrEqual plan.PeakBytes (64L * 1024L * 1024L) "fits the budget"
            Expect.isGreaterThan (plan.PeakBytes + plan.BytesPerExample) (64L * 1024L * 1024L) "one more example would not"
            let g = Vmap.Chunked(f, 1024, ResizeArray [ Nullable 0 ], null, plan.ChunkSize)
            let body = g.Equations |> Seq.find (fun e -> e.Primitive.Name = "scan")
            Expect.isLessThanOrEqual (ArrayLang.Compile.MemoryEstimate.PeakBytes body.SubFunctions.[0]) (64L * 1024L * 1024L) "a chunk's intermediates fit"
            Expect.stringContains (string plan) "chunk size" "explains itself"
        }
        test "a chunk size below 1 is an error" {
            let f = parse "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = neg(x)\n  return (a)\n}"
            Expect.throwsC (fun () -> Vmap.Chunked(f, 5, ResizeArray [ Nullable 0 ], null, 0) |> ignore)
                (fun e -> Expect.stringContains e.Message "at least 1" "message")
        }
    ]

[<Tests>]
let errorTests =
    let f = parse "func f(x: f32[3], y: f32[3]) -> (f32[3], f32[3]) {\n  a: f32[3] = add(x, y)\n  return (a, y)\n}"
    let expectMessage (parts: string list) (action: unit -> unit) =
        Expect.throwsC action (fun e -> for p in parts do Expect.stringContains e.Message p (sprintf "message mentions %s" p))
    testList "vmap errors" [
        test "batch sizes that disagree name the arguments and the sizes" {
            expectMessage [ "x"; "y"; "4"; "5"; "disagree" ] (fun () ->
                Vmap.InferAxisSize(f, ResizeArray [ f32 [ 4; 3 ]; f32 [ 5; 3 ] ], ResizeArray [ Nullable 0; Nullable 0 ]) |> ignore)
        }
        test "an axis out of range names the argument and its rank" {
            expectMessage [ "in_axes[1] = 2"; "y"; "rank 2" ] (fun () -> Vmap.Apply(f, 4, ResizeArray [ Nullable 0; Nullable 2 ]) |> ignore)
            expectMessage [ "out_axes[0] = -3" ] (fun () -> Vmap.Apply(f, 4, ResizeArray [ Nullable 0; Nullable 0 ], ResizeArray [ Nullable -3; Nullable 0 ]) |> ignore)
        }
        test "out_axes none on a batched result is an error; on a shared one it is fine" {
            expectMessage [ "out_axes[0] is none"; "result 1" ] (fun () ->
                Vmap.Apply(f, 4, ResizeArray [ Nullable 0; Nullable() ], ResizeArray [ Nullable(); Nullable() ]) |> ignore)
            let g = Vmap.Apply(f, 4, ResizeArray [ Nullable 0; Nullable() ], ResizeArray [ Nullable 0; Nullable() ])
            Expect.equal (g.ResultTypes.[1]) (f32 [ 3 ]) "the shared result keeps its type"
        }
        test "no batched argument and no axis_size is an error that says to give axis_size" {
            expectMessage [ "no argument is batched"; "axis_size" ] (fun () ->
                Vmap.InferAxisSize(f, ResizeArray [ f32 [ 3 ]; f32 [ 3 ] ], ResizeArray [ Nullable(); Nullable() ]) |> ignore)
            Expect.equal (Vmap.InferAxisSize(f, ResizeArray [ f32 [ 3 ]; f32 [ 3 ] ], ResizeArray [ Nullable(); Nullable() ], Nullable 7)) 7 "axis_size given"
        }
        test "in_axes of the wrong length names the parameters" {
            expectMessage [ "in_axes has 1"; "2 argument" ] (fun () -> Vmap.Apply(f, 4, ResizeArray [ Nullable 0 ]) |> ignore)
        }
    ]

/// Errors at the user's level: a shape mismatch inside a traced F# or C# function names the
/// operation, the shapes and the user's source line; misuse of vmap names the argument and the line.
module ArrayLang.Tests.FrontEnds.ErrorTests

open System.IO
open Expecto
open ArrayLang.Tracing
open ArrayLang.FSharp
open FrontEnds.CSharpFixtures

let private raises (f: unit -> unit) = try f (); failtest "expected a TraceException" with :? TraceException as e -> e

// NoInlining: an optimized build (the test project is built in Release) may inline a small
// function into its caller, and a stack trace then shows the caller's line (docs/fsharp.md).
[<System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)>]
let mismatch (x: Tensor) (y: Tensor) = x + Tensor.stack 0 [ y; y; y ]
let mismatchLine = __LINE__ |> int |> (+) -1

let inLoop (x: Tensor) =
    vectorize {
        let s = state x
        for _ in 0 .. 3 do
            s.Value <- s.Value * Tensor.concat 0 [ x; x; x ]
        return s.Value
    }
let inLoopLine = __LINE__ |> int |> (+) -3

let private expectAt (e: TraceException) (file: string) (line: int) =
    let location = Option.ofObj e.Location |> Option.defaultWith (fun () -> failtest "no location was found")
    Expect.stringContains location.File file "the user's file"
    Expect.equal location.Line line "the user's line"
    Expect.stringContains e.Message $"%s{file}:%d{line}" "the message starts with the place"

[<Tests>]
let tests =
    testList "front ends/errors" [
        test "F#: a shape mismatch inside a vmapped function names the operation, the shapes and the line" {
            let batched : float32[,] -> float32[] -> float32[,] = vmap mismatch
            let e = raises (fun () -> batched (array2D [ [ 1.0f; 2.0f ]; [ 3.0f; 4.0f ] ]) [| 3.0f; 4.0f |] |> ignore)
            Expect.stringContains e.Message "add" "operation"
            Expect.stringContains e.Message "operands f32[2], f32[3]" "the shapes (per example)"
            expectAt e "ErrorTests.fs" mismatchLine
        }
        test "F#: a shape mismatch in a lambda given to vmap is located in the lambda" {
            let batched : float32[,] -> float32[,] = vmap (fun (x: Tensor) -> x * Tensor.concat 0 [ x; x ])
            let line = int __LINE__ - 1
            let e = raises (fun () -> batched (array2D [ [ 1.0f; 2.0f; 3.0f ] ]) |> ignore)
            Expect.stringContains e.Message "operands f32[3], f32[6]" "the shapes"
            expectAt e "ErrorTests.fs" line
        }
        test "F#: a shape mismatch in a vectorize loop body is located in the body" {
            let e = raises (fun () -> lower [ ArrayLang.Ir.AVal.Of(ArrayLang.Ir.DType.F32, 2) ] inLoop |> ignore)
            Expect.stringContains e.Message "mul" "operation"
            expectAt e "ErrorTests.fs" inLoopLine
        }
        test "F#: a let mutable written in a loop body (not carried) is a located trace error that says what to do" {
            let mutableLoop (x: Tensor) =
                vectorize {
                    let mutable h = x // captured by the loop body as a hidden ref cell
                    for _ in 0 .. 3 do
                        h <- h + 1.0
                    return h
                }
            let batched : float32[] -> float32[] = jit (vmap mutableLoop)
            for run in [ (fun () -> lower [ ArrayLang.Ir.AVal.Scalar ArrayLang.Ir.DType.F32 ] mutableLoop |> ignore); (fun () -> batched [| 1.0f |] |> ignore) ] do
                let e = raises run
                Expect.stringContains e.Message "exists only there: carry it out" "what to do"
                Expect.stringContains (Option.ofObj e.Location |> Option.map (fun l -> l.File) |> Option.defaultValue "") "ErrorTests.fs" "located in the user's file"
        }
        test "C#: a shape mismatch in a lambda is located at the user's C# line (no caller info for operators)" {
            let e = raises (fun () -> Fixtures.Mismatch() |> ignore)
            Expect.stringContains e.Message "add" "operation"
            Expect.stringContains e.Message "f32[3], f32[4]" "the shapes"
            let file = (Option.ofObj e.Location |> Option.get).File
            let line = File.ReadAllLines file |> Array.findIndex (fun l -> l.Contains "// MISMATCH LINE") |> (+) 1
            expectAt e "Fixtures.cs" line
        }
        test "C#: a shape mismatch inside a lambda of several lines, run through Vmap and Jit on arrays, names the lambda's line" {
            let e = raises (fun () -> Fixtures.MismatchInBody() |> ignore)
            Expect.stringContains e.Message "dot_general" "operation"
            Expect.stringContains e.Message "f32[1,3], f32[2]" "the shapes (per example)"
            let file = (Option.ofObj e.Location |> Option.get).File
            let line = File.ReadAllLines file |> Array.findIndex (fun l -> l.Contains "// BODY MISMATCH LINE") |> (+) 1
            expectAt e "Fixtures.cs" line
        }
        test "vmap misuse: the number of in_axes, an axis out of range, batch sizes that disagree" {
            let f (x: Tensor) (y: Tensor) = x + y
            let tooMany : float32[] -> float32[] -> float32[] = vmapWith { VmapConfig.Default with InAxes = [ Some 0; Some 0; Some 0 ] } f
            let e = raises (fun () -> tooMany [| 1.0f |] [| 2.0f |] |> ignore)
            Expect.stringContains e.Message "in_axes has 3 entries, but the function takes 2 argument(s)" "count"
            Expect.stringContains e.Message "ErrorTests.fs" "located"
            let outOfRange : float32[] -> float32[] -> float32[] = vmapWith { VmapConfig.Default with InAxes = [ Some 1; Some 0 ] } f
            let e = raises (fun () -> outOfRange [| 1.0f |] [| 2.0f |] |> ignore)
            Expect.stringContains e.Message "in_axes[0] = 1 is out of range for argument 1 of type f32[1]" "axis"
            let batched : float32[] -> float32[] -> float32[] = vmap f
            let e = raises (fun () -> batched [| 1.0f; 2.0f |] [| 3.0f |] |> ignore)
            Expect.stringContains e.Message "batch sizes disagree" "sizes"
            Expect.stringContains e.Message "ErrorTests.fs" "located"
        }
    ]

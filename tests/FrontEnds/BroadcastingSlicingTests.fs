/// NumPy broadcasting and slicing in the F# and C# front ends, on the examples users write first:
/// softmax with rank-0 reductions, a matrix minus its row means, F# slices and C# ranges, a traced
/// index, and the errors for shapes that do not broadcast or indices out of range.
module ArrayLang.Tests.FrontEnds.BroadcastingSlicingTests

open System.IO
open Expecto
open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.FSharp
open FrontEnds.CSharpFixtures

let softmax (x: Tensor) = exp (x - Tensor.maxAll x) / Tensor.sum (exp (x - Tensor.maxAll x))

let private softmaxLoop (rows: float32[][]) =
    rows |> Array.map (fun r ->
        let m = Array.max r
        let e = r |> Array.map (fun v -> exp (float v - float m))
        e |> Array.map (fun v -> float32 (v / Array.sum e)))

let private batch = [| [| 1.0f; 2.0f; 3.0f |]; [| -1.0f; 0.5f; 4.0f |]; [| 0.0f; 0.0f; 0.0f |]; [| 10.0f; -10.0f; 2.0f |] |]
let private batchArray = NDArray.Of(Array.concat batch, 4, 3)

let private expectClose (got: float32[]) (want: float32[]) what =
    Expect.equal got.Length want.Length $"%s{what}: length"
    Array.iteri2 (fun i (g: float32) w -> Expect.floatClose Accuracy.medium (float g) (float w) $"%s{what}: element %d{i}") got want

let private raises (f: unit -> unit) = try f (); failtest "expected a TraceException" with :? TraceException as e -> e

[<System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)>]
let incompatible (x: Tensor) (y: Tensor) = x * y
let incompatibleLine = __LINE__ |> int |> (+) -1

[<Tests>]
let tests =
    testList "front ends/broadcasting and slicing" [
        test "F#: softmax with rank-0 reductions traces with explicit broadcast_in_dim, vmaps and equals the loop" {
            let ir = lower [ AVal.Of(DType.F32, 3) ] softmax
            Expect.stringContains (string ir) "broadcast_in_dim[shape=[3], dims=[]]" "the rank-0 maximum is broadcast explicitly"
            let want = softmaxLoop batch |> Array.concat
            let batched : NDArray -> NDArray = vmap softmax
            expectClose (batched batchArray).F32 want "vmap, op by op"
            let compiled : NDArray -> NDArray = jit (vmap softmax)
            expectClose (compiled batchArray).F32 want "jit (vmap) on the default backend"
        }
        test "C#: softmax with rank-0 reductions vmaps and equals the loop" {
            let want = softmaxLoop batch |> Array.concat
            expectClose (Fixtures.Softmax.Vmap().Invoke(batchArray)).F32 want "Vmap"
            expectClose (Fixtures.Softmax.Vmap().Jit().Invoke(batchArray)).F32 want "Vmap().Jit()"
        }
        test "size-1 axes broadcast: f32[3,1] + f32[1,4] is f32[3,4], and a matrix minus its row means (C#)" {
            let f (x: Tensor) (y: Tensor) = x + y
            let ir = lower [ AVal.Of(DType.F32, 3, 1); AVal.Of(DType.F32, 1, 4) ] f
            Expect.equal (string ir.ResultTypes.[0]) "f32[3,4]" "the broadcast shape"
            let run : NDArray -> NDArray -> NDArray = jit f
            let r = run (NDArray.Of([| 1.0f; 2.0f; 3.0f |], 3, 1)) (NDArray.Of([| 10.0f; 20.0f; 30.0f; 40.0f |], 1, 4))
            Expect.equal r.F32 [| for i in 1 .. 3 do for j in 1 .. 4 -> float32 (i + 10 * j) |] "values"
            let centered = Fixtures.CenterRows.Invoke(NDArray.Of([| 1.0f; 3.0f; 10.0f; 20.0f |], 2, 2))
            Expect.equal centered.F32 [| -1.0f; 1.0f; -5.0f; 5.0f |] "rows minus their means"
        }
        test "operands of one shape record no broadcast (the IR is what it was)" {
            let ir = lower [ AVal.Of(DType.F32, 3); AVal.Of(DType.F32, 3) ] (fun (x: Tensor) (y: Tensor) -> x * y + 1.0)
            Expect.isFalse ((string ir).Contains "broadcast_in_dim") "no broadcast"
        }
        test "Tensor.where broadcasts its three operands" {
            let ir = lower [ AVal.Of(DType.F32, 2, 3); AVal.Scalar DType.F32 ] (fun (x: Tensor) (t: Tensor) -> Tensor.where (x .> t) x (Tensor.scalar 0.0))
            Expect.equal (string ir.ResultTypes.[0]) "f32[2,3]" "the common shape"
        }
        test "F#: shapes that do not broadcast name both shapes, the operation and the user's line" {
            let e = raises (fun () -> lower [ AVal.Of(DType.F32, 3); AVal.Of(DType.F32, 2) ] incompatible |> ignore)
            Expect.stringContains e.Message "f32[3], f32[2] do not broadcast" "the shapes"
            Expect.stringContains e.Message "mul" "the operation"
            Expect.stringContains e.Message $"BroadcastingSlicingTests.fs:%d{incompatibleLine}" "the user's line"
        }
        test "C#: shapes that do not broadcast name the user's C# line" {
            let e = raises (fun () -> Fixtures.BroadcastMismatch() |> ignore)
            Expect.stringContains e.Message "f32[3], f32[2] do not broadcast" "the shapes"
            let file = (Option.ofObj e.Location |> Option.get).File
            let line = File.ReadAllLines file |> Array.findIndex (fun l -> l.Contains "// BROADCAST MISMATCH LINE") |> (+) 1
            Expect.equal e.Location.Line line "the line"
        }
        test "F# slices: x.[1..3] includes its end, x.[*, 0], x.[..1, -1], x.[1.., 1], x.[i] with a traced index" {
            let m = NDArray.Of([| 0.0f .. 11.0f |], 3, 4)
            let run (f: Tensor -> Tensor) = (jit f : NDArray -> NDArray) m
            Expect.equal (run (fun x -> x.[1..2])).F32 [| 4.0f .. 11.0f |] "rows 1 to 2"
            Expect.equal (run (fun x -> x.[*, 0])).F32 [| 0.0f; 4.0f; 8.0f |] "column 0"
            Expect.equal (run (fun x -> x.[..1, -1])).F32 [| 3.0f; 7.0f |] "rows up to 1, the last column (a negative position counts from the end)"
            Expect.equal (run (fun x -> x.[1.., 1])).F32 [| 5.0f; 9.0f |] "rows from 1, column 1"
            Expect.equal (run (fun x -> x.[1, 1..2])).F32 [| 5.0f; 6.0f |] "row 1, columns 1 to 2"
            Expect.equal (run (fun x -> x.[2..1])).Shape.[0] 0 "an empty range stays empty, as for F# arrays"
            let rowAt : NDArray -> NDArray -> NDArray = jit (fun (x: Tensor) (i: Tensor) -> x.[i])
            Expect.equal (rowAt m (NDArray.Of([| 2 |], [||]))).F32 [| 8.0f .. 11.0f |] "a traced row"
            Expect.equal (rowAt m (NDArray.Of([| 7 |], [||]))).F32 [| 8.0f .. 11.0f |] "clamped into range"
            let perExample : NDArray -> NDArray = vmap (fun (x: Tensor) -> x.[1..2] - x.[0..1])
            Expect.equal (perExample (NDArray.Of([| 1.0f; 2.0f; 4.0f; 10.0f; 20.0f; 40.0f |], 2, 3))).F32 [| 1.0f; 2.0f; 10.0f; 20.0f |] "under vmap"
        }
        test "C# ranges and indices: v[1..^1], v[^1], m[.., 0], m[^2.., 1..], m[i, ..] with a traced i" {
            let v = NDArray.Of([| 1.0f; 2.0f; 3.0f; 4.0f |])
            let m = NDArray.Of([| 0.0f .. 8.0f |], 3, 3)
            let r = Fixtures.Slices.InvokeAll(v, m)
            Expect.equal r.[0].F32 [| 2.0f; 3.0f |] "v[1..^1]"
            Expect.equal r.[1].F32 [| 4.0f |] "v[^1]"
            Expect.equal r.[1].Shape.Rank 0 "a position removes the axis"
            Expect.equal r.[2].F32 [| 0.0f; 3.0f; 6.0f |] "m[.., 0]"
            Expect.equal r.[3].F32 [| 4.0f; 5.0f; 7.0f; 8.0f |] "m[^2.., 1..]"
            let rows = Fixtures.RowAt.Vmap(inAxes = [| System.Nullable(); System.Nullable 0 |]).Jit().InvokeAll(m, NDArray.Of([| 2; 0 |]))
            Expect.equal rows.[0].F32 [| 6.0f; 7.0f; 8.0f; 0.0f; 1.0f; 2.0f |] "a traced row per example"
            Expect.equal rows.[1].F32 [| 6.0f; 0.0f |] "a traced element per example"
        }
        test "an index out of range names the index, the axis, the type and the user's line" {
            let e = raises (fun () -> lower [ AVal.Of(DType.F32, 3) ] (fun (x: Tensor) -> x.[*, 0]) |> ignore)
            Expect.stringContains e.Message "2 indices were given for a f32[3] tensor of rank 1" "too many"
            let line = int __LINE__ - 2
            Expect.stringContains e.Message $"BroadcastingSlicingTests.fs:%d{line}" "the line"
            let e = raises (fun () -> lower [ AVal.Of(DType.F32, 3) ] (fun (x: Tensor) -> x.[1..5]) |> ignore)
            Expect.stringContains e.Message "out of range for axis 0 of a f32[3] tensor" "a range past the end"
            let e = raises (fun () -> lower [ AVal.Of(DType.F32, 3) ] (fun (x: Tensor) -> x.[-4]) |> ignore)
            Expect.stringContains e.Message "index ^4 is out of range for axis 0" "a position before the start"
        }
    ]

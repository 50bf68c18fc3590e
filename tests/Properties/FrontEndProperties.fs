/// Properties of what the front ends insert while tracing (Note [broadcasting while tracing], the
/// indexing of Tensor.Index): on random shapes, a random NumPy broadcast or basic-indexing slice
/// gives NumPy's values, and under vmap (random in_axes, batch sizes 0, 1 and larger) equals the loop.
module ArrayLang.Tests.Properties.FrontEndProperties

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Tracing
open ArrayLang.FSharp
open ArrayLang.Tests.TestUtil

/// How many random cases each property checks (a few hundred: each traces and evaluates small arrays).
let private cases = max 200 (Settings.programCount / 20)

let private strides (shape: int[]) =
    let s = Array.create shape.Length 1
    for i in shape.Length - 2 .. -1 .. 0 do s.[i] <- s.[i + 1] * shape.[i + 1]
    s

/// Every multi-index of `shape`, row-major.
let private indices (shape: int[]) =
    let total = shape |> Array.fold (*) 1
    let st = strides shape
    [ for flat in 0 .. total - 1 -> Array.init shape.Length (fun a -> (flat / st.[a]) % shape.[a]) ]

let private at (a: NDArray) (ix: int[]) =
    let st = strides (a.Shape.ToArray())
    a.GetDouble(int64 (Array.fold2 (fun acc i s -> acc + i * s) 0 ix st))

let private batchSize (rng: Random) = [| 0; 1; 3 |].[rng.Next 3]

let private randomAxes (rng: Random) (f: Function) =
    [ for p in f.Params -> match rng.Next 3 with 0 -> None | 1 -> Some 0 | _ -> Some (-1) ]
    |> fun axes -> if axes |> List.forall Option.isNone then Some 0 :: List.tail axes else axes

let private binaryOps : (string * (Tensor -> Tensor -> Tensor) * (float -> float -> float)) list =
    [ "add", (+), (+)
      "sub", (-), (-)
      "mul", (*), (*)
      "max", (fun x y -> Tensor.Max(x, y)), (fun x y -> Math.Max(x, y))
      "where", (fun x y -> Tensor.where (x .> y) x (y * 2.0)), (fun x y -> if x > y then x else y * 2.0) ]

let private runCases name (check: Random -> unit) =
    test name {
        let seed = Settings.seed
        let rng = Random seed
        for k in 1 .. cases do
            try check rng
            with e -> failtestf "%s: case %d of seed %d (ARRAYLANG_SEED=%d replays it):\n%s" name k seed seed (e.ToString())
    }

/// Two shapes that broadcast and their broadcast: a result shape, and per operand a suffix of it
/// with some axes set to 1 (rank 0 and size-1 axes included).
let private broadcastPair (rng: Random) =
    let full = Array.init (rng.Next 4) (fun _ -> rng.Next(1, 4))
    let operand () =
        let rank = rng.Next(full.Length + 1)
        full.[full.Length - rank ..] |> Array.map (fun d -> if rng.Next 3 = 0 then 1 else d)
    let sx, sy = operand (), operand ()
    // NumPy's result: the longer rank, each axis the larger of the aligned sizes (one of them is 1 or both equal)
    let rank = max sx.Length sy.Length
    let dim (s: int[]) k = let j = k - (rank - s.Length) in if j < 0 then 1 else s.[j]
    Array.init rank (fun k -> max (dim sx k) (dim sy k)), sx, sy

/// NumPy's value of `op x y` at the result index `ix`: each operand read at the trailing axes, index 0 on size-1 axes.
let private broadcastRead (a: NDArray) (ix: int[]) =
    let shape = a.Shape.ToArray()
    at a (Array.init shape.Length (fun k -> if shape.[k] = 1 then 0 else ix.[ix.Length - shape.Length + k]))

/// One axis of a random basic index, with the NumPy value it keeps: a position, a range or a traced index.
type private AxisCase =
    | Position of int
    | Span of int * int
    | Traced of int

let private axisCase (rng: Random) (n: int) =
    match rng.Next 4 with
    | 0 -> Position (rng.Next n - (if rng.Next 2 = 0 then n else 0)) // negative counts from the end
    | 1 -> Traced (rng.Next(-2, n + 2))                                // out of range: clamped
    | _ -> let s = rng.Next(n + 1) in Span (s, rng.Next(s, n + 1))

[<Tests>]
let tests =
    testList "properties/front ends" [
        runCases "a random broadcast gives NumPy's values, and under vmap equals the loop" (fun rng ->
            let result, sx, sy = broadcastPair rng
            let name, op, scalarOp = binaryOps.[rng.Next binaryOps.Length]
            let f = lower [ f32 (List.ofArray sx); f32 (List.ofArray sy) ] op
            Expect.sequenceEqual (f.ResultTypes.[0].Shape.ToArray()) result $"%s{name} of %A{sx} and %A{sy}: NumPy's broadcast shape"
            let x, y = randomArray rng (f32 (List.ofArray sx)), randomArray rng (f32 (List.ofArray sy))
            let got = ReferenceEvaluator.Evaluate(f, ResizeArray [ x; y ]).[0]
            for ix in indices result do
                let want = float32 (scalarOp (broadcastRead x ix) (broadcastRead y ix))
                Expect.equal (float32 (at got ix)) want $"%s{name} of %A{sx} and %A{sy} at %A{ix}"
            checkVmapEqualsLoop rng f (randomAxes rng f) (batchSize rng))

        runCases "a random slice gives NumPy's values, and under vmap equals the loop" (fun rng ->
            let shape = Array.init (rng.Next(1, 4)) (fun _ -> rng.Next(1, 5))
            let given = rng.Next(1, shape.Length + 1)
            let axisCases = [ for a in 0 .. given - 1 -> axisCase rng shape.[a] ]
            let tracedCount = axisCases |> List.filter (function Traced _ -> true | _ -> false) |> List.length
            let argTypes = f32 (List.ofArray shape) :: List.replicate tracedCount (i32 [])
            let f =
                Trace.Function(ResizeArray argTypes, (fun (args: Collections.Generic.IReadOnlyList<Tensor>) ->
                    let x = args.[0]
                    let mutable traced = List.ofSeq args |> List.tail
                    let spec =
                        axisCases
                        |> List.map (function
                            | Position p -> AxisIndex.op_Implicit p
                            | Span (s, e) -> AxisIndex.Between(Nullable s, Nullable e)
                            | Traced _ -> let t = List.head traced in traced <- List.tail traced; AxisIndex.op_Implicit t)
                    ResizeArray [ x.Index(Array.ofList spec) ] :> Collections.Generic.IReadOnlyList<Tensor>), "f").Function
            // NumPy's result: kept axes are the ranges and the axes not given; positions and traced indices go.
            let keptShape =
                [| for a in 0 .. shape.Length - 1 do
                     match List.tryItem a axisCases with
                     | Some (Span (s, e)) -> yield e - s
                     | Some _ -> ()
                     | None -> yield shape.[a] |]
            Expect.sequenceEqual (f.ResultTypes.[0].Shape.ToArray()) keptShape $"the shape of %A{axisCases} on %A{shape}"
            let x = randomArray rng (f32 (List.ofArray shape))
            let tracedValues = axisCases |> List.choose (function Traced i -> Some i | _ -> None)
            let args = x :: [ for i in tracedValues -> NDArray.Of([| i |], [||]) ]
            let got = ReferenceEvaluator.Evaluate(f, ResizeArray args).[0]
            for ix in indices keptShape do
                let mutable k = 0
                let source =
                    Array.init shape.Length (fun a ->
                        let n = shape.[a]
                        match List.tryItem a axisCases with
                        | Some (Position p) -> if p < 0 then p + n else p
                        | Some (Traced i) -> min (max i 0) (n - 1)
                        | Some (Span (s, _)) -> k <- k + 1; s + ix.[k - 1]
                        | None -> k <- k + 1; ix.[k - 1])
                Expect.equal (at got ix) (at x source) $"%A{axisCases} on %A{shape} at %A{ix}"
            checkVmapEqualsLoop rng f (randomAxes rng f) (batchSize rng))
    ]

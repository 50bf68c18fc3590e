/// The vectorize { } builder and the Loop functions it is built from: loops and branches become one
/// scan, while or cond each, carry the states they write, and the functions batch like any other.
module ArrayLang.Tests.FrontEnds.VectorizeTests

open Expecto
open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.FSharp

let private s32 = AVal.Scalar DType.F32
let private count (what: string) (text: string) = (text.Split what).Length - 1

/// An RNN step count: h_{t+1} = tanh(a h_t + x_t), and how many steps had h > 0.
let rnn (a: Tensor) (xs: Tensor) (h0: Tensor) =
    vectorize {
        let h = state h0
        let positive = state (Tensor.zerosLike h0)
        for x in xs do
            h.Value <- tanh (a * h.Value + x)
            branchIf (h.Value .> 0.0) (fun () -> positive.Value <- positive.Value + 1.0)
        return h.Value, positive.Value
    }

/// The number of Collatz steps from n down to 1 (a while with a per-example condition).
let collatz (n: Tensor) =
    vectorize {
        let n = state n
        let steps = state (Tensor.zerosLike n.Value)
        while n.Value .> 1 do
            branch (n.Value % 2 .= 0) (fun () -> n.Value <- n.Value / 2) (fun () -> n.Value <- 3 * n.Value + 1)
            steps.Value <- steps.Value + 1
        return steps.Value
    }

/// A record state: a generic record, as any structured value.
type Acc<'T> = { Sum: 'T; Digits: 'T }

let rec private plainCollatz n k = if n <= 1 then k elif n % 2 = 0 then plainCollatz (n / 2) (k + 1) else plainCollatz (3 * n + 1) (k + 1)

[<Tests>]
let tests =
    testList "front ends/vectorize" [
        test "for x in xs with a branch: one scan holding one cond; vmap equals a plain loop" {
            let ir = string (lower [ s32; AVal.Of(DType.F32, 5); s32 ] rnn)
            Expect.equal (count "scan[" ir) 1 "one scan"
            Expect.equal (count "cond(" ir) 1 "one cond"
            Expect.stringContains ir "carries=2" "h and positive are carried"
            let batched : float32 -> float32[,] -> float32[] -> float32[] * float32[] =
                vmapWith { VmapConfig.Default with InAxes = [ None; Some 0; Some 0 ] } rnn
            let xs = Array2D.init 3 5 (fun i t -> float32 (sin (float (i * 5 + t))))
            let h0 = [| 0.0f; 0.5f; -0.5f |]
            let hs, ps = batched 0.9f xs h0
            for i in 0 .. 2 do
                let mutable h, p = h0.[i], 0.0f
                for t in 0 .. 4 do
                    h <- float32 (tanh (float (0.9f * h + xs.[i, t])))
                    if h > 0.0f then p <- p + 1.0f
                Expect.floatClose Accuracy.high (float hs.[i]) (float h) "h"
                Expect.equal ps.[i] p "positive steps"
        }
        test "while with a per-example condition and a branch: one while; jit (vmap) equals a plain loop" {
            let ir = string (lower [ AVal.Scalar DType.I32 ] collatz)
            Expect.equal (count "while[" ir) 1 "one while"
            Expect.equal (count "cond(" ir) 1 "one cond"
            let g : int[] -> int[] = jit (vmap collatz)
            let ns = [| 1; 2; 3; 6; 7; 27; 97 |]
            Expect.equal (g ns) (ns |> Array.map (fun n -> plainCollatz n 0)) "Collatz steps"
        }
        test "for i in a range: i is a traced index; any arithmetic range; nested loops" {
            let f (xs: Tensor) =
                vectorize {
                    let acc = state (Tensor.zerosLike xs.[0])
                    for i in 1 .. 2 .. 7 do
                        for j in 0 .. 1 do
                            acc.Value <- acc.Value + xs.[i] * Tensor.cast DType.F32 (i + j)
                    return acc.Value
                }
            let ir = string (lower [ AVal.Of(DType.F32, 8) ] f)
            Expect.equal (count "scan[" ir) 2 "a scan inside a scan"
            let g : float32[,] -> float32[] = vmap f
            let xs = Array2D.init 2 8 (fun b i -> float32 (b * 8 + i))
            let plain b = Seq.sum (seq { for i in 1 .. 2 .. 7 do for j in 0 .. 1 -> xs.[b, i] * float32 (i + j) })
            Expect.equal (g xs) [| plain 0; plain 1 |] "sum of x_i (2i + 1)"
        }
        test "an F# if on a real bool is decided while tracing; states of tuples; state created in a loop stays local" {
            let f (useSquare: bool) (x: Tensor) =
                vectorize {
                    let pair = state (x, Tensor.zerosLike x)
                    for _ in 0 .. 2 do
                        let local = state (fst pair.Value)
                        local.Value <- local.Value + 1.0
                        if useSquare then pair.Value <- (local.Value * local.Value, snd pair.Value + 1.0)
                        else pair.Value <- (local.Value, snd pair.Value + 1.0)
                    return pair.Value
                }
            let sq : float32[] -> float32[] * float32[] = vmap (f true)
            Expect.equal (sq [| 0.0f; 1.0f |]) ([| 25.0f; 676.0f |], [| 3.0f; 3.0f |]) "((0+1)^2+1)^2+1)^2 ..."
            let ir = string (lower [ s32 ] (f false))
            Expect.stringContains ir "carries=3" "the counter and the pair are carried; the local state is not"
        }
        test "descending and empty ranges, a record state, a while inside a for: jit (vmap) equals a plain loop" {
            let f (xs: Tensor) =
                vectorize {
                    let acc = state { Sum = Tensor.zerosLike xs.[0]; Digits = Tensor.zerosLike xs.[0] }
                    for i in 9 .. -3 .. 0 do // 9, 6, 3, 0
                        acc.Value <- { acc.Value with Digits = acc.Value.Digits * 10.0 + Tensor.cast DType.F32 i }
                    for _ in 0 .. -1 do // no step
                        acc.Value <- { acc.Value with Digits = Tensor.zerosLike xs.[0] }
                    for x in xs do
                        let k = state x
                        while k.Value .< 10.0 do
                            k.Value <- k.Value * 2.0
                        acc.Value <- { acc.Value with Sum = acc.Value.Sum + k.Value }
                    return acc.Value
                }
            let g : float32[,] -> Acc<float32[]> = jit (vmap f)
            let xs = array2D [ [ 1.0f; 3.0f ]; [ 20.0f; 6.0f ] ]
            let rec doubled (v: float32) = if v < 10.0f then doubled (v * 2.0f) else v
            let r = g xs
            Expect.equal r.Digits [| 9630.0f; 9630.0f |] "descending range, then an empty one"
            Expect.equal r.Sum [| doubled 1.0f + doubled 3.0f; doubled 20.0f + doubled 6.0f |] "while per row"
        }
        test "a loop that writes no state records a scan with only its counter" {
            let f (x: Tensor) =
                vectorize {
                    for _ in 0 .. 3 do
                        ()
                    return x * 2.0
                }
            let g : float32[] -> float32[] = vmap f
            Expect.equal (g [| 1.0f; 2.0f |]) [| 2.0f; 4.0f |] "unchanged"
        }
        test "errors: a range that is not arithmetic, a state that changes type" {
            let raises (f: unit -> unit) = try f (); failtest "expected an error" with :? TraceException as e -> e
            let notArithmetic (x: Tensor) =
                vectorize {
                    let s = state x
                    for _ in [ 0; 1; 5 ] do
                        s.Value <- s.Value + 1.0
                    return s.Value
                }
            let e = raises (fun () -> lower [ s32 ] notArithmetic |> ignore)
            Expect.stringContains e.Message "arithmetic range" "the range"
            let changesType (x: Tensor) =
                vectorize {
                    let s = state x
                    for _ in 0 .. 2 do
                        s.Value <- Tensor.expandDims 0 s.Value
                    return s.Value
                }
            let e = raises (fun () -> lower [ s32 ] changesType |> ignore)
            Expect.stringContains e.Message "initial carry's types" "the carry"
            let intCounter (x: Tensor) =
                vectorize {
                    let k = state 0 // an F# int: fixed while tracing, it cannot be carried
                    for _ in 0 .. 2 do
                        k.Value <- k.Value + 1
                    return x
                }
            let e = raises (fun () -> lower [ s32 ] intCounter |> ignore)
            Expect.stringContains e.Message "holds a Int32, not a tensor" "the state's type"
            Expect.stringContains e.Message "VectorizeTests.fs" "located"
            let mutableLocal (x: Tensor) =
                vectorize {
                    let mutable h = x // captured by the loop body as a hidden ref cell: not carried
                    for _ in 0 .. 3 do
                        h <- h + 1.0
                    return h
                }
            let message = try lower [ s32 ] mutableLocal |> ignore; "" with :? ArrayLang.Ir.IrException as e -> e.Message
            Expect.stringContains message "exists only there: carry it out" "a let mutable written in a loop body says what to do"
        }
        test "Loop.forRange, forEach, whileTrue and branch work outside the builder too" {
            let f (xs: Tensor) =
                let total = Loop.state (Tensor.zerosLike xs.[0])
                Loop.forEach xs (fun x -> total.Value <- total.Value + x)
                let n = Loop.state total.Value
                Loop.whileTrue (fun () -> n.Value .< 100.0) (fun () -> n.Value <- n.Value * 2.0 + 1.0)
                Loop.branch (n.Value .> 200.0) (fun () -> n.Value <- n.Value - 200.0) ignore
                total.Value, n.Value
            let g : float32[,] -> float32[] * float32[] = vmap f
            Expect.equal (g (array2D [ [ 1.0f; 2.0f ]; [ 30.0f; 40.0f ] ])) ([| 3.0f; 70.0f |], [| 127.0f; 141.0f |]) "3 -> 7 -> ... -> 127 and 70 -> 141, neither above 200"
        }
    ]

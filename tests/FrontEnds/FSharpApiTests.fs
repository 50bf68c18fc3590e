/// The F# front end: vmap, vmapWith, jit and lower on plain and structured values, the operators and
/// math functions, and the control-flow combinators, each checked against a plain F# loop or the IR.
module ArrayLang.Tests.FrontEnds.FSharpApiTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.FSharp

let private s32 = AVal.Scalar DType.F32
let private v32 (n: int) = AVal.Of(DType.F32, [| n |])
let private close (a: float32[]) (b: float32[]) = Array.forall2 (fun (x: float32) y -> abs (x - y) <= 1e-5f * (1.0f + abs y)) a b

type Lin<'T> = { W: 'T; B: 'T }

/// Per-example functions written where TensorMath shadows FSharp.Core's max, min and ** (the rest of
/// this file uses FSharp.Core's own).
module private WithTensorMath =
    open ArrayLang.FSharp.TensorMath
    let maxMin (x: Tensor) = max x 0 + min 1.0 x
    let mixed (x: Tensor) = [ 1 - x; 2.0f * x; x + 1.0f; 1.0 / x; x / 2; 3 % x; 2.0 ** x; x ** 2; x ** 0.5f; 3 ** x; 0.5f ** x; -x ]
    let onNumbers () = 2.0 ** 3.0, 2.0f ** 0.5f, max 2 3, min 2.5 1.5

[<Tests>]
let tests =
    testList "front ends/F#" [
        test "vmap of a curried function is called on F# arrays and equals a plain loop" {
            let f (x: Tensor) (y: Tensor) = x * y + sin x
            let batched : float32[] -> float32[] -> float32[] = vmap f
            let xs, ys = [| 1.0f; -2.0f; 0.5f |], [| 3.0f; 0.25f; -1.0f |]
            let plain = Array.map2 (fun (x: float32) y -> x * y + float32 (sin (float x))) xs ys
            Expect.equal (batched xs ys) plain "vmap f"
            let compiled : NDArray -> NDArray -> NDArray = jit (vmap f)
            Expect.equal (compiled (NDArray.Of xs) (NDArray.Of ys)).F32 plain "jit (vmap f) on NDArray"
        }
        test "vmapWith: shared arguments (None), out axes and the batch size taken from the arguments" {
            let f (w: Tensor) (x: Tensor) = Tensor.dot w x
            let g : float32[,] -> float32[,] -> float32[,] = vmapWith { VmapConfig.Default with InAxes = [ None; Some 1 ]; OutAxes = [ Some 1 ] } f
            let w = Array2D.init 2 3 (fun i j -> float32 (i + j))
            let xs = Array2D.init 3 4 (fun j b -> float32 (j * b) - 1.0f) // 4 examples along axis 1
            let r = g w xs
            Expect.equal (Array2D.length1 r, Array2D.length2 r) (2, 4) "batch axis at 1"
            for i in 0 .. 1 do
                for b in 0 .. 3 do
                    Expect.equal r.[i, b] (Seq.sum (Seq.init 3 (fun j -> w.[i, j] * xs.[j, b]))) "w . x_b"
        }
        test "vmapWith: axis size with no batched argument, and a result with no batch axis" {
            let f (x: Tensor) = x * 2.0, x + 1.0
            let g : float32 -> float32[] * float32 = vmapWith { VmapConfig.Default with InAxes = [ None ]; OutAxes = [ Some 0; None ]; AxisSize = Some 3 } f
            Expect.equal (g 5.0f) ([| 10.0f; 10.0f; 10.0f |], 6.0f) "broadcast result and shared result"
        }
        test "nested vmap equals the double loop" {
            let f (x: Tensor) (y: Tensor) = x * y
            let outer : float32[] -> float32[] -> float32[,] =
                vmapWith { VmapConfig.Default with InAxes = [ Some 0; None ] } (vmapWith { VmapConfig.Default with InAxes = [ None; Some 0 ] } f)
            let r = outer [| 1.0f; 2.0f |] [| 10.0f; 20.0f; 30.0f |]
            Expect.equal r (Array2D.init 2 3 (fun i j -> float32 (i + 1) * float32 (10 * (j + 1)))) "outer product"
        }
        test "a vmap inside a traced function uses the enclosing function's tensors (shared)" {
            let f (a: Tensor) (xs: Tensor) = (vmap (fun (x: Tensor) -> a * x + 1.0) : Tensor -> Tensor) xs |> Tensor.sum
            let g : float32 -> float32[] -> float32 = jit f
            Expect.equal (g 2.0f [| 1.0f; 2.0f; 3.0f |]) 15.0f "sum of 2x + 1"
            let batched : float32[] -> float32[,] -> float32[] = vmap f
            Expect.equal (batched [| 1.0f; 2.0f |] (array2D [ [ 1.0f; 2.0f ]; [ 3.0f; 4.0f ] ])) [| 5.0f; 16.0f |] "vmap of it"
        }
        test "tuples and generic records flatten to arguments and back (pytrees)" {
            let f (p: Lin<Tensor>) (x: Tensor, y: Tensor) = { W = p.W * x; B = p.B + y }
            let g : Lin<NDArray> -> float32[] * float32[] -> Lin<float32[]> = vmapWith { VmapConfig.Default with InAxes = [ None; Some 0 ] } f
            let r = g { W = NDArray.Of([| 2.0f |], [||]); B = NDArray.Of([| 1.0f |], [||]) } ([| 1.0f; 2.0f |], [| 10.0f; 20.0f |])
            Expect.equal r { W = [| 2.0f; 4.0f |]; B = [| 11.0f; 21.0f |] } "record result"
            let h (xs: Tensor list) = List.sum xs, [| xs.Head; xs.Head * 2.0 |]
            let hb : float32[] list -> float32[] * float32[][] = vmap h
            Expect.equal (hb [ [| 1.0f; 2.0f |]; [| 3.0f; 4.0f |] ]) ([| 4.0f; 6.0f |], [| [| 1.0f; 2.0f |]; [| 2.0f; 4.0f |] |]) "lists and arrays"
        }
        test "a single tuple argument takes one in axis per component" {
            let f (w: Tensor, x: Tensor) = w * x
            let g : float32 * float32[] -> float32[] = vmapWith { VmapConfig.Default with InAxes = [ None; Some 0 ] } f
            Expect.equal (g (3.0f, [| 1.0f; 2.0f |])) [| 3.0f; 6.0f |] "w shared"
        }
        test "jit traces once per argument types and caches" {
            let mutable traces = 0
            let f (x: Tensor) = traces <- traces + 1; x * x
            let g : float32[] -> float32[] = jit f
            g [| 1.0f; 2.0f |] |> ignore
            g [| 3.0f; 4.0f |] |> ignore
            Expect.equal traces 1 "same types: traced once"
            Expect.equal (g [| 1.0f; 2.0f; 3.0f |]) [| 1.0f; 4.0f; 9.0f |] "another shape"
            Expect.equal traces 2 "another shape: traced again"
        }
        test "chunked vmap (chunk size or memory budget) equals plain vmap and records a scan over chunks" {
            let f (x: Tensor) = Tensor.sum (Tensor.dot (Tensor.expandDims 1 x) (Tensor.expandDims 0 x)) * 0.5
            let xs = Array2D.init 10 4 (fun i j -> float32 (i - j) * 0.25f)
            let plain : float32[,] -> float32[] = vmap f
            for chunking in [ ChunkSize 3; MemoryBudget 256L ] do
                let chunked : float32[,] -> float32[] = vmapWith { VmapConfig.Default with Chunking = chunking } f
                Expect.equal (chunked xs) (plain xs) $"%A{chunking}"
            let ir = lower [ AVal.Of(DType.F32, 10, 4) ] (vmapWith { VmapConfig.Default with Chunking = ChunkSize 3 } f : NDArray -> NDArray)
            Expect.stringContains (string ir) "scan[length=3" "three chunks of 3 in a scan"
        }
        test "F#'s own math, pown, **, literals of every kind, List.sum, max/min and comparisons trace" {
            let f (x: Tensor) = pown x 3 + x ** 2.0 + 2 * x + 1.5f + List.sum [ x; abs x ] + WithTensorMath.maxMin x
            let text = string (lower [ v32 3 ] f)
            for op in [ "mul(x, x)"; "pow(x, 2.0)"; "mul(2.0, x)"; ", 1.5)"; "abs(x)"; "max(x, 0.0)"; "min(1.0, x)" ] do
                Expect.stringContains text op op
            let g : float32[] -> float32[] = jit f
            let plain (x: float32) = x * x * x + float32 (Math.Pow(float x, 2.0)) + 2.0f * x + 1.5f + (0.0f + x + abs x) + max x 0.0f + min 1.0f x
            Expect.isTrue (close (g [| -1.5f; 0.5f; 2.0f |]) (Array.map plain [| -1.5f; 0.5f; 2.0f |])) "values"
            let c (x: Tensor) = [ x .< 1; x .> 1.0; x .<= 1.0f; x .>= x; x .= 0; x .<> 2.0 ] |> List.map (Tensor.cast DType.I32) |> List.sum
            let cb : float32[] -> int[] = jit c
            Expect.equal (cb [| 0.0f; 1.0f; 2.0f |]) [| 5; 3; 2 |] "comparisons"
        }
        test "scan over a sequence (W5) under vmap equals a plain loop" {
            let w5 (a: Tensor) (h0: Tensor) (xs: Tensor) = scan (fun (h: Tensor) (x: Tensor) -> let h' = tanh (a * h + x) in h', h') h0 xs
            let b : float32[] -> float32[] -> float32[,] -> float32[] * float32[,] = vmap w5
            let a, h0, xs = [| 0.5f; -0.3f |], [| 0.1f; 0.2f |], Array2D.init 2 6 (fun i t -> float32 (i + t) * 0.1f)
            let hT, hs = b a h0 xs
            for i in 0 .. 1 do
                let mutable h = h0.[i]
                for t in 0 .. 5 do
                    h <- float32 (tanh (float (a.[i] * h + xs.[i, t])))
                    Expect.floatClose Accuracy.high (float hs.[i, t]) (float h) "h_t"
                Expect.floatClose Accuracy.high (float hT.[i]) (float h) "final h"
        }
        test "scanReverse, scanSteps and foriLoop with structured carries" {
            let f (xs: Tensor) =
                let last, _ = scanReverse (fun (c: Tensor) (x: Tensor) -> x, c) (Tensor.zerosLike xs.[0]) xs
                let (a, b), fib = scanSteps 6 (fun (a: Tensor, b: Tensor) -> (b, a + b), a) (Tensor.scalar 0.0, Tensor.scalar 1.0)
                let total = foriLoop 4 (fun i acc -> acc + Tensor.cast DType.F32 i) (Tensor.scalar 0.0)
                last, fib, a + b + total
            let g : float32[] -> float32 * float32[] * float32 = jit f
            Expect.equal (g [| 7.0f; 8.0f; 9.0f |]) (7.0f, [| 0.0f; 1.0f; 1.0f; 2.0f; 3.0f; 5.0f |], 8.0f + 13.0f + 6.0f) "first row, Fibonacci, sum of 0..3"
        }
        test "cond, switch and whileLoop decide per example under vmap" {
            let f (x: Tensor) =
                let r = cond (x .>= 0.0) (fun () -> sqrt x) (fun () -> -x)
                let s = switch (Tensor.cast DType.I32 x) [ (fun () -> x * 0.0); (fun () -> x * 10.0); (fun () -> x * 100.0) ]
                let n = whileLoop (fun (v: Tensor, _) -> v .< 10.0) (fun (v, k: Tensor) -> v * 2.0 + 1.0, k + 1.0) (abs x, Tensor.zerosLike x) |> snd
                r, s, n
            let g : float32[] -> float32[] * float32[] * float32[] = vmap f
            let r, s, n = g [| 4.0f; -3.0f; 1.0f; 2.0f |]
            Expect.equal r [| 2.0f; 3.0f; 1.0f; float32 (sqrt 2.0) |] "cond"
            Expect.equal s [| 400.0f; -0.0f; 10.0f; 200.0f |] "switch (index clamped)"
            Expect.equal n [| 2.0f; 2.0f; 3.0f; 2.0f |] "while: 4 -> 9 -> 19; 3 -> 7 -> 15; 1 -> 3 -> 7 -> 15; 2 -> 5 -> 11"
        }
        test "control-flow bodies use the enclosing tensors; one equation each" {
            let f (a: Tensor) (xs: Tensor) = scan (fun (h: Tensor) (x: Tensor) -> cond (x .> 0.0) (fun () -> h + a * x) (fun () -> h), h) (Tensor.zerosLike a) xs |> fst
            let ir = string (lower [ s32; v32 4 ] f)
            Expect.stringContains ir "scan[length=4, reverse=false, consts=1, carries=1](a, " "a is a const of the scan"
            Expect.stringContains ir "cond(" "the branch is a cond inside the body"
            let g : float32[] -> float32[,] -> float32[] = vmap f
            Expect.equal (g [| 2.0f; 3.0f |] (array2D [ [ 1.0f; -1.0f; 2.0f; 0.0f ]; [ -1.0f; -1.0f; 1.0f; 1.0f ] ])) [| 6.0f; 6.0f |] "sum of a*x over positive x"
        }
        test "a function typed for arrays is still usable inside jit and vmap" {
            let f (x: Tensor) = x * 3.0
            let onArrays : float32[] -> float32[] = vmap f
            let compiled : float32[] -> float32[] = jit onArrays
            Expect.equal (compiled [| 1.0f; 2.0f |]) [| 3.0f; 6.0f |] "jit of a vmapped function typed for arrays"
            let nested : float32[,] -> float32[,] = vmap onArrays
            Expect.equal (nested (array2D [ [ 1.0f ]; [ 2.0f ] ])) (array2D [ [ 3.0f ]; [ 6.0f ] ]) "vmap of it"
        }
        test "numbers of every kind on either side of every operator, and ** with a number on the left (TensorMath)" {
            let f = WithTensorMath.mixed
            let text = string (lower [ s32 ] f)
            for op in [ "sub(1.0, x)"; "mul(2.0, x)"; "add(x, 1.0)"; "div(1.0, x)"; "div(x, 2.0)"; "rem(3.0, x)"; "pow(2.0, x)"; "pow(x, 2.0)"; "pow(x, 0.5)"; "pow(3.0, x)"; "pow(0.5, x)"; "neg(x)" ] do
                Expect.stringContains text op op
            let g : float32[] -> float32[] list = jit (vmap f)
            let xs = [| 0.5f; 1.25f; 2.0f |]
            let pow (a: float32) (b: float32) = float32 (Math.Pow(float a, float b))
            let plain (x: float32) = [ 1.0f - x; 2.0f * x; x + 1.0f; 1.0f / x; x / 2.0f; 3.0f % x; pow 2.0f x; pow x 2.0f; pow x 0.5f; pow 3.0f x; pow 0.5f x; -x ]
            let expected = List.transpose (xs |> Array.map plain |> List.ofArray)
            List.iteri2 (fun i (got: float32[]) (want: float32 list) -> Expect.isTrue (close got (Array.ofList want)) $"expression %d{i}") (g xs) expected
            let p, q, m, n = WithTensorMath.onNumbers ()
            Expect.equal (p, m, n) (8.0, 3, 1.5) "TensorMath's ** max and min still work on numbers"
            Expect.floatClose Accuracy.high (float q) (sqrt 2.0) "float32 **"
        }
        test "jit takes and returns records and tuples (pytrees), nested" {
            let f (p: Lin<Tensor>) (x: Tensor, y: Tensor) = { W = p.W * x; B = p.B + y }, (Tensor.sum x, (x, y))
            let g : Lin<float32[]> -> float32[] * float32[] -> Lin<float32[]> * (float32 * (float32[] * NDArray)) = jit f
            let lin, (total, (x, y)) = g { W = [| 2.0f; 3.0f |]; B = [| 1.0f; 1.0f |] } ([| 1.0f; 2.0f |], [| 10.0f; 20.0f |])
            Expect.equal lin { W = [| 2.0f; 6.0f |]; B = [| 11.0f; 21.0f |] } "record result"
            Expect.equal (total, x, y.F32) (3.0f, [| 1.0f; 2.0f |], [| 10.0f; 20.0f |]) "nested tuple result, an NDArray leaf where declared"
        }
        test "vmapWith: negative axes, and chunking (size or budget) with axes elsewhere, equal a plain loop" {
            // per example: w [2,3] shared, x [3] taken along the last axis of xs [3,B]; results w.x (batch axis last) and sum x
            let f (w: Tensor) (x: Tensor) = Tensor.dot w x, Tensor.sum x
            let w = Array2D.init 2 3 (fun i j -> float32 (i - j) * 0.5f)
            let b = 7
            let xs = Array2D.init 3 b (fun j e -> float32 (j * b + e) * 0.1f)
            let plainDot = Array2D.init 2 b (fun i e -> Seq.sum (Seq.init 3 (fun j -> w.[i, j] * xs.[j, e])))
            let plainSum = Array.init b (fun e -> Seq.sum (Seq.init 3 (fun j -> xs.[j, e])))
            for chunking in [ NoChunking; ChunkSize 3; ChunkSize 1; MemoryBudget 64L; MemoryBudget 1L ] do
                let config = { VmapConfig.Default with InAxes = [ None; Some -1 ]; OutAxes = [ Some -1; Some 0 ]; Chunking = chunking }
                let g : float32[,] -> float32[,] -> float32[,] * float32[] = vmapWith config f
                let d, t = g w xs
                Expect.isTrue (close (Seq.cast<float32> d |> Array.ofSeq) (Seq.cast<float32> plainDot |> Array.ofSeq)) $"w . x_e, %A{chunking}"
                Expect.isTrue (close t plainSum) $"sum x_e, %A{chunking}"
        }
        test "vmapWith: a memory budget picks the chunk: a small one records a scan over chunks, a large one none" {
            let f (x: Tensor) = Tensor.sum (Tensor.dot (Tensor.expandDims 1 x) (Tensor.expandDims 0 x)) // a [64,64] intermediate per example
            let lowered budget = string (lower [ AVal.Of(DType.F32, 100, 64) ] (vmapWith { VmapConfig.Default with Chunking = MemoryBudget budget } f : NDArray -> NDArray))
            Expect.stringContains (lowered (64L * 1024L)) "scan[" "64 KiB holds a few examples' [64,64] intermediates, not 100"
            Expect.isFalse ((lowered (1L <<< 30)).Contains "scan[") "1 GiB holds the whole batch: no chunks"
        }
        test "the IR's parameters are named after the F# function's, through vmap and jit" {
            let rnn (a: Tensor) (xs: Tensor) (h0: Tensor) = scan (fun (h: Tensor) (x: Tensor) -> let h' = tanh (a * h + x) in h', h') h0 xs |> fst
            Expect.stringContains (string (lower [ s32; v32 4; s32 ] rnn)) "func f(a: f32[], xs: f32[4], h0: f32[])" "per example"
            let batched : float32 -> NDArray -> NDArray -> NDArray = vmapWith { VmapConfig.Default with InAxes = [ None; Some 0; Some 0 ] } rnn
            Expect.stringContains (string (lower [ s32; AVal.Of(DType.F32, 5, 4); v32 5 ] batched)) "func f(a: f32[], xs: f32[5,4], h0: f32[5])" "batched"
            let record (p: Lin<Tensor>) (x: Tensor) = p.W * x + p.B
            Expect.stringContains (string (lower [ s32; s32; s32 ] record)) "func f(W: f32[], B: f32[], x: f32[])" "record fields"
        }
        test "structural errors of the combinators name what changed" {
            let raises (f: unit -> unit) = try f (); failtest "expected an error" with :? TraceException as e -> e
            let badScan (xs: Tensor) = scan (fun (c: Tensor) (x: Tensor) -> Tensor.expandDims 0 c, x) (Tensor.scalar 0.0) xs |> fst
            let e = raises (fun () -> lower [ v32 3 ] badScan |> ignore)
            Expect.stringContains e.Message "scan: the step must return a carry of the initial carry's types" "scan carry"
            Expect.stringContains e.Message "f32[1]" "the found type"
            let badCond (x: Tensor) = cond (x .> 0.0) (fun () -> x) (fun () -> Tensor.expandDims 0 x)
            let e = raises (fun () -> lower [ s32 ] badCond |> ignore)
            Expect.stringContains e.Message "every branch must return the same types" "cond branches"
            let badPred (x: Tensor) = cond x (fun () -> x) (fun () -> x)
            let e = raises (fun () -> lower [ s32 ] badPred |> ignore)
            Expect.stringContains e.Message "bool scalar" "cond predicate"
        }
    ]

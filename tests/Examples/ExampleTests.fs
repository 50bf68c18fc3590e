/// Smoke tests of the examples: each runs an example's computation on a small input and compares it
/// with a plain F# loop written without ArrayLang (CLARIFICATIONS, "Front ends").
module ArrayLang.Tests.Examples.ExampleTests

open System
open Expecto
open ArrayLang.Values

/// The largest |a - b| / (1 + |b|) over two sequences of numbers.
let private maxRelError (a: seq<float32>) (b: seq<float32>) =
    Seq.map2 (fun (x: float32) (y: float32) -> abs (float x - float y) / (1.0 + abs (float y))) a b |> Seq.fold max 0.0

/// Threefry-2x32 with 20 rounds (Random123), written from its specification for the Monte Carlo check.
module private PlainThreefry =
    let private rotations = [| 13; 15; 26; 6; 17; 29; 16; 24 |]
    let hash (k0: uint32) (k1: uint32) (c0: uint32) (c1: uint32) =
        let ks = [| k0; k1; 0x1BD11BDAu ^^^ k0 ^^^ k1 |]
        let mutable x0 = c0 + ks.[0]
        let mutable x1 = c1 + ks.[1]
        for round in 0 .. 19 do
            x0 <- x0 + x1
            let r = rotations.[round % 8]
            x1 <- (x1 <<< r) ||| (x1 >>> (32 - r))
            x1 <- x1 ^^^ x0
            if round % 4 = 3 then
                let s = (round + 1) / 4
                x0 <- x0 + ks.[s % 3]
                x1 <- x1 + ks.[(s + 1) % 3] + uint32 s
        x0, x1
    /// Row j of random_split: the block at counter (0, j).
    let split (k0: uint32, k1: uint32) (count: int) = Array.init count (fun j -> hash k0 k1 0u (uint32 j))
    /// random_uniform f32 element i.
    let uniform (k0: uint32, k1: uint32) (i: int) =
        let b1, b2 = hash k0 k1 0u (uint32 i)
        BitConverter.UInt32BitsToSingle(((b1 ^^^ b2) >>> 9) ||| 0x3F800000u) - 1.0f

let private f32 (x: float) = float32 x
let private f32op (f: float -> float) (x: float32) = float32 (f (float x)) // an f32 function: computed in double, rounded once

[<Tests>]
let tests =
    testList "examples" [
        test "Quickstart: loop, vmap and jit(vmap) equal a plain F# loop" {
            let xs, ys = Quickstart.Program.inputs 500
            let plain = Array.map2 (fun (x: float32) (y: float32) -> x * y + f32op sin x) xs ys
            for name, r in [ "loop", Quickstart.Program.loop xs ys; "vmap", Quickstart.Program.batched xs ys; "jit(vmap)", Quickstart.Program.compiled xs ys ] do
                // The default backend is the CPU: its sin is VectorMath's (a few ulp, docs/backends.md) and it may
                // contract x*y + s into one FMA (IR.md), so agreement is to a few f32 ulp, not bitwise.
                Expect.isLessThanOrEqual (maxRelError r plain) 1e-6 name
        }
        test "QuickstartCSharp: loop, vmap and jit(vmap) equal a plain loop" {
            let xs, ys = QuickstartCSharp.Quickstart.Inputs 500 |> fun struct (a, b) -> a, b
            let plain = Array.map2 (fun (x: float32) (y: float32) -> x * y + f32op sin x) xs ys
            for name, r in [ "loop", QuickstartCSharp.Quickstart.Loop(xs, ys); "vmap", QuickstartCSharp.Quickstart.Vmap(xs, ys); "jit(vmap)", QuickstartCSharp.Quickstart.JitVmap(xs, ys) ] do
                // The default backend is the CPU: its sin is VectorMath's (a few ulp, docs/backends.md) and it may
                // contract x*y + s into one FMA (IR.md), so agreement is to a few f32 ulp, not bitwise.
                Expect.isLessThanOrEqual (maxRelError r plain) 1e-6 name
        }
        test "LogisticRegression: per-example predictions and losses equal a plain loop" {
            let n, d = 300, 5
            let w, b, xs, ys = LogisticRegression.Program.data n d
            let p, l = LogisticRegression.Program.batch w b xs ys
            let plainZ i = float (Seq.sum (Seq.init d (fun j -> float w.[j] * float xs.[i, j])) + float b)
            let plainP = Array.init n (fun i -> float32 (1.0 / (1.0 + exp (-(plainZ i)))))
            let plainL = Array.init n (fun i -> let z = plainZ i in float32 (log (1.0 + exp (-(abs z))) + max z 0.0 - float ys.[i] * z))
            Expect.isLessThan (maxRelError p plainP) 1e-5 "predictions"
            Expect.isLessThan (maxRelError l plainL) 1e-5 "losses"
        }
        test "MonteCarloOptions: every path's payoffs equal a plain loop with the same random keys" {
            let m = { MonteCarloOptions.Program.market with Steps = 16 }
            let paths = 64
            let keys = PlainThreefry.split (0u, 9u) paths
            let keyArray = NDArray.Of(keys |> Array.collect (fun (a, b) -> [| int a; int b |]), paths, 2)
            let european, asian = MonteCarloOptions.Program.payoffs m keyArray
            let dt = m.Maturity / float m.Steps
            let drift, vol = f32 ((m.Rate - 0.5 * m.Volatility * m.Volatility) * dt), f32 (m.Volatility * sqrt dt)
            let discount = f32 (exp (-m.Rate * m.Maturity))
            let plain =
                keys |> Array.map (fun key ->
                    let halves = PlainThreefry.split key 2
                    let z t =
                        let u1 = 1.0f - PlainThreefry.uniform halves.[0] t
                        let u2 = PlainThreefry.uniform halves.[1] t
                        f32op sqrt (-2.0f * f32op log u1) * f32op cos (f32 (2.0 * Math.PI) * u2)
                    let mutable s = f32 m.Spot
                    let mutable total = 0.0f
                    for t in 0 .. m.Steps - 1 do
                        s <- s * f32op exp (drift + vol * z t)
                        total <- total + s
                    discount * max (s - f32 m.Strike) 0.0f, discount * max (total / float32 m.Steps - f32 m.Strike) 0.0f)
            Expect.isLessThan (maxRelError european (Array.map fst plain)) 1e-4 "European payoffs"
            Expect.isLessThan (maxRelError asian (Array.map snd plain)) 1e-4 "Asian payoffs"
            Expect.isTrue (Array.exists (fun p -> p > 0.0f) european) "some paths end in the money"
        }
        test "OdeRk4: every trajectory equals a plain RK4 loop" {
            let steps, dt = 200, 0.01
            let mus, y0s, v0s = [| 0.5f; 1.0f; 2.0f |], [| 1.0f; -0.5f; 0.2f |], [| 0.0f; 0.3f; -1.0f |]
            let (y, v), path = OdeRk4.Program.integrate steps dt mus y0s v0s
            for i in 0 .. mus.Length - 1 do
                let mu = mus.[i]
                let f (y: float32, v: float32) = v, mu * (1.0f - y * y) * v - y
                let h, h2, h6 = f32 dt, f32 (dt / 2.0), f32 (dt / 6.0)
                let mutable state = y0s.[i], v0s.[i]
                let plainPath = Array.zeroCreate steps
                for t in 0 .. steps - 1 do
                    let y0, v0 = state
                    let axpy (a: float32) (dy, dv) = y0 + a * dy, v0 + a * dv
                    let k1 = f state
                    let k2 = f (axpy h2 k1)
                    let k3 = f (axpy h2 k2)
                    let k4 = f (axpy h k3)
                    let comb a1 a2 a3 a4 = (a1 + 2.0f * a2 + 2.0f * a3 + a4) * h6
                    state <- y0 + comb (fst k1) (fst k2) (fst k3) (fst k4), v0 + comb (snd k1) (snd k2) (snd k3) (snd k4)
                    plainPath.[t] <- fst state
                Expect.isLessThan (maxRelError [ y.[i]; v.[i] ] [ fst state; snd state ]) 1e-4 $"final state %d{i}"
                Expect.isLessThan (maxRelError (Array.init steps (fun t -> path.[i, t])) plainPath) 1e-4 $"path %d{i}"
        }
        test "Ensemble: every model on every example equals a plain double loop" {
            let models, inputs, hidden, n = 3, 4, 5, 7
            let p, xs = Ensemble.Program.data models inputs hidden n
            let ys = Ensemble.Program.predictEnsemble p xs
            let at (a: NDArray) (idx: int list) =
                let strides = a.Shape.Strides()
                a.F32.[List.sum (List.mapi (fun k i -> i * strides.[k]) idx)]
            for m in 0 .. models - 1 do
                for e in 0 .. n - 1 do
                    let h = Array.init hidden (fun j -> tanh (Seq.sum (Seq.init inputs (fun k -> float (at p.W1 [ m; j; k ]) * float (at xs [ e; k ]))) + float (at p.B1 [ m; j ])))
                    let plain = Seq.sum (Seq.init hidden (fun j -> float (at p.W2 [ m; j ]) * h.[j])) + float (at p.B2 [ m ])
                    Expect.isLessThan (maxRelError [ ys.[m, e] ] [ float32 plain ]) 1e-5 $"model %d{m}, example %d{e}"
        }
    ]

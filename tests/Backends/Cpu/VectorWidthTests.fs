/// The CPU backend at the vector width this process runs (Note [vector widths]): CI runs the CPU
/// tests three times, plain (AVX-512 where present), with DOTNET_EnableAVX512=0 (AVX2) and with
/// DOTNET_EnableAVX2=0 (128-bit, the width of Arm's NEON). The results checked here are pinned to
/// width-independent definitions (the reference's bits, the canonical association of reductions,
/// the contraction order of the matrix product), so equal results in the three runs mean the same
/// bits on every width.
module ArrayLang.Tests.Backends.Cpu.VectorWidthTests

open System
open System.Runtime.Intrinsics
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Backends.Cpu
open ArrayLang.Tests.TestUtil

let private parse (text: string) = IrParser.ParseFunction(text)

let private envOff name = Environment.GetEnvironmentVariable name = "0"

let private sameBits (got: NDArray) (expected: NDArray) what =
    Expect.isTrue (ArrayOps.AllClose(got, expected, 0.0, 0.0)) (sprintf "%s at %d bits: %O vs %O" what VectorWidth.Bits got expected)

/// The canonical association of a reduction (Note [vector widths]): with at least two 64-byte
/// blocks, one partial result per position in a block, combined in order, then the tail.
let private canonical (combine: 'T -> 'T -> 'T) (start: 'T) (block: int) (x: 'T[]) =
    let mutable acc = start
    let mutable i = 0
    if x.Length >= 2 * block then
        let partial = Array.sub x 0 block
        i <- block
        while i <= x.Length - block do
            for l in 0 .. block - 1 do partial.[l] <- combine partial.[l] x.[i + l]
            i <- i + block
        for l in 0 .. block - 1 do acc <- combine acc partial.[l]
    while i < x.Length do
        acc <- combine acc x.[i]
        i <- i + 1
    acc

[<Tests>]
let tests =
    testList "cpu vector width" [
        test "the backend runs the widest width the hardware accelerates, and the one CI asked for" {
            let widest = if Vector512.IsHardwareAccelerated then 512 elif Vector256.IsHardwareAccelerated then 256 else 128
            printfn "CPU vector width: %d bits (DOTNET_EnableAVX512=%s, DOTNET_EnableAVX2=%s)" VectorWidth.Bits
                (Environment.GetEnvironmentVariable "DOTNET_EnableAVX512") (Environment.GetEnvironmentVariable "DOTNET_EnableAVX2")
            Expect.equal VectorWidth.Bits widest "the widest accelerated width"
            if envOff "DOTNET_EnableAVX512" then Expect.isLessThanOrEqual VectorWidth.Bits 256 "AVX-512 switched off"
            if envOff "DOTNET_EnableAVX2" then Expect.equal VectorWidth.Bits 128 "AVX2 switched off: 128-bit vectors"
        }
        test "a simple chain runs as a register loop at this width, with the reference's bits" {
            if not Vector128.IsHardwareAccelerated then skiptest "no vector hardware"
            for dtype in [ "f32"; "f64"; "i32" ] do
                let div, three = if dtype = "i32" then "max", "3" else "div", "3.0"
                let f =
                    parse (sprintf """func f(x: %s[1003], y: %s[1003]) -> (%s[1003]) {
                      a: %s[1003] = mul(x, y)  b: %s[1003] = sub(a, x)  c: %s[1003] = %s(b, y)  p: bool[1003] = gt(c, x)
                      d: %s[1003] = add(c, %s)  r: %s[1003] = select(p, d, a)  return (r) }""" dtype dtype dtype dtype dtype dtype div dtype three dtype)
                let exe = CpuBackend.Instance.Compile f :?> CpuExecutable
                Expect.equal exe.RegisterLoops 1 (sprintf "%s: one register loop at %d bits" dtype VectorWidth.Bits)
                let rng = Random 5
                let args = ResizeArray [ for p in f.Params -> randomArray rng p.Type ]
                sameBits (exe.Run(args).[0]) (ReferenceEvaluator.Evaluate(f, args).[0]) dtype
        }
        test "reductions combine in the canonical order on every width" {
            let rng = Random 11
            for n in [ 5; 31; 32; 33; 100; 1000; 1027 ] do
                let xs = Array.init (3 * n) (fun _ -> float32 (rng.NextDouble() * 2.0 - 1.0))
                let f = parse (sprintf "func f(x: f32[3,%d]) -> (f32[3], f32[3]) { s: f32[3] = reduce_sum[axes=[1]](x)  p: f32[3] = reduce_prod[axes=[1]](x)  return (s, p) }" n)
                let got = CpuBackend.Instance.Compile(f).Run(ResizeArray [ NDArray.Of(xs, 3, n) ])
                let rows = [| for r in 0 .. 2 -> Array.sub xs (r * n) n |]
                sameBits got.[0] (NDArray.Of([| for row in rows -> canonical (+) -0.0f 16 row |], 3)) (sprintf "f32 sum of %d" n)
                sameBits got.[1] (NDArray.Of([| for row in rows -> canonical (*) 1.0f 16 row |], 3)) (sprintf "f32 product of %d" n)
                let xd = Array.init n (fun _ -> rng.NextDouble() * 2.0 - 1.0)
                let g = parse (sprintf "func g(x: f64[%d]) -> (f64[]) { s: f64[] = reduce_sum[axes=[0]](x)  return (s) }" n)
                let gotD = CpuBackend.Instance.Compile(g).Run(ResizeArray [ NDArray.Of(xd, n) ])
                sameBits gotD.[0] (NDArray.Of([| canonical (+) -0.0 8 xd |])) (sprintf "f64 sum of %d" n)
        }
        test "fused multiply-adds (float contraction opted in) give the correctly rounded bits, FMA hardware or not" {
            // Without FMA instructions f32 lanes are emulated in double rounded to odd (Note [fused
            // multiply-add without FMA hardware]); CI's DOTNET_EnableAVX2=0 run takes that path.
            printfn "FMA hardware: %b" System.Runtime.Intrinsics.X86.Fma.IsSupported
            let rng = Random 23
            let special = [| 0.0f; -0.0f; 1.0f; -1.0f; Single.PositiveInfinity; Single.NegativeInfinity; Single.NaN; Single.MaxValue
                             Single.Epsilon; -Single.Epsilon; 1.17549435e-38f; 3.0f; 0.1f |]
            let pick () =
                match rng.Next 4 with
                | 0 -> special.[rng.Next special.Length]
                | 1 -> float32 (rng.NextDouble() * 2.0 - 1.0)
                | _ -> float32 ((rng.NextDouble() * 2.0 - 1.0) * Math.Pow(2.0, float (rng.Next(-140, 128))))
            let n = 20000
            let x = Array.init n (fun _ -> pick ())
            let y = Array.init n (fun _ -> pick ())
            // Half of the addends cancel most of the product, the other half are arbitrary; and the
            // double-rounding traps: an exact product on a float midpoint plus a tiny addend.
            let z = Array.init n (fun i -> if i % 2 = 0 then -(x.[i] * y.[i]) * (1.0f + float32 (rng.Next(-3, 4)) * 1.1920929e-07f) else pick ())
            let midpoint = 1.0f + 1.0f / 4096.0f // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24
            for i, tiny in List.indexed [ 8.47e-22f; -8.47e-22f; 0.0f; 1e-30f; -1e-30f ] do
                x.[i] <- midpoint; y.[i] <- midpoint; z.[i] <- tiny
                x.[10 + i] <- -midpoint; y.[10 + i] <- midpoint; z.[10 + i] <- tiny
            let f = parse (sprintf "func f(x: f32[%d], y: f32[%d], z: f32[%d]) -> (f32[%d]) { m: f32[%d] = mul(x, y)  r: f32[%d] = add(m, z)  return (r) }" n n n n n n)
            let got = CpuBackend(ArrayLang.Compile.CompileOptions(ContractFloat = true)).Compile(f).Run(ResizeArray [ NDArray.Of(x, n); NDArray.Of(y, n); NDArray.Of(z, n) ])
            sameBits got.[0] (NDArray.Of(Array.init n (fun i -> MathF.FusedMultiplyAdd(x.[i], y.[i], z.[i])), n)) "contracted a*b+c"
        }
        test "matrix products accumulate each element in contraction order with fused multiply-adds on every width" {
            let rng = Random 17
            // The last two go past Kc = 256 contraction steps (sums carried on through C between slices,
            // Note [gemm blocking]), with many row blocks, leftover rows and a partial last panel.
            for (m, k, n) in [ (37, 50, 45); (8, 3, 32); (13, 129, 70); (1, 1, 1); (203, 600, 70); (50, 513, 33) ] do
                let a = Array.init (m * k) (fun _ -> rng.NextDouble() * 2.0 - 1.0)
                let b = Array.init (k * n) (fun _ -> rng.NextDouble() * 2.0 - 1.0)
                let product (fma: 'T -> 'T -> 'T -> 'T) (zero: 'T) (a: 'T[]) (b: 'T[]) =
                    Array.init (m * n) (fun ij ->
                        let i, j = ij / n, ij % n
                        let mutable acc = zero
                        for p in 0 .. k - 1 do acc <- fma a.[i * k + p] b.[p * n + j] acc
                        acc)
                for dtype in [ "f32"; "f64" ] do
                    let f = parse (sprintf "func f(a: %s[%d,%d], b: %s[%d,%d]) -> (%s[%d,%d]) { c: %s[%d,%d] = dot_general[contract=([1],[0]), batch=([],[])](a, b)  return (c) }" dtype m k dtype k n dtype m n dtype m n)
                    let args, expected =
                        if dtype = "f32" then
                            let af, bf = Array.map float32 a, Array.map float32 b
                            ResizeArray [ NDArray.Of(af, m, k); NDArray.Of(bf, k, n) ], NDArray.Of(product (fun x y z -> MathF.FusedMultiplyAdd(x, y, z)) -0.0f af bf, m, n)
                        else ResizeArray [ NDArray.Of(a, m, k); NDArray.Of(b, k, n) ], NDArray.Of(product (fun x y z -> Math.FusedMultiplyAdd(x, y, z)) -0.0 a b, m, n)
                    sameBits (CpuBackend.Instance.Compile(f).Run(args).[0]) expected (sprintf "%s [%d,%d] x [%d,%d]" dtype m k k n)
        }
    ]

/// The CUDA kernels that use groups of threads: contractions as tiled products in shared memory
/// (Note [tiled contraction]) and long reductions as block reductions (Note [block reductions]).
/// On the CPU accelerator they run with its small groups (4 x 4 threads of 2 x 2 elements, 16
/// threads per reduction); the PTX test compiles the GPU's shapes offline.
module ArrayLang.Tests.Backends.Cuda.CudaKernelShapeTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Backends.Cpu
open ArrayLang.Backends.Cuda
open ArrayLang.Backends.Cuda.Runtime
open ArrayLang.Tests.TestUtil

let private parse (text: string) = IrParser.ParseFunction(text)

/// The bits of every element, to compare results exactly (-0 and NaN payloads included).
let private bits (a: NDArray) : int64[] =
    match a.DType with
    | DType.F32 -> a.F32 |> Array.map (BitConverter.SingleToInt32Bits >> int64)
    | DType.F64 -> a.F64 |> Array.map BitConverter.DoubleToInt64Bits
    | DType.I32 -> a.I32 |> Array.map int64
    | _ -> a.Bool |> Array.map (fun b -> if b then 1L else 0L)

let private argsOf (seed: int) (f: Function) =
    let rng = Random seed
    [ for p in f.Params -> randomArray rng p.Type ]

/// Contractions whose sizes are not multiples of the tiles, with batch axes, a transposed
/// operand, several steps along the contraction and an epilogue.
let private contractions =
    [ "batched f32 with a bias",
      """func f(a: f32[2,13,19], b: f32[2,19,11], c: f32[11]) -> (f32[2,13,11]) {
           p: f32[2,13,11] = dot_general[contract=([2],[1]), batch=([0],[0])](a, b)
           cb: f32[2,13,11] = broadcast_in_dim[shape=[2,13,11], dims=[2]](c)
           r: f32[2,13,11] = add(p, cb)
           return (r) }"""
      "f64, the lhs contracted along its first axis",
      """func f(a: f64[37,5], b: f64[37,9]) -> (f64[5,9]) {
           p: f64[5,9] = dot_general[contract=([0],[0]), batch=([],[])](a, b)
           return (p) }"""
      "f32, many steps along the contraction",
      """func f(a: f32[40,64], b: f32[64,24]) -> (f32[40,24]) {
           p: f32[40,24] = dot_general[contract=([1],[0]), batch=([],[])](a, b)
           return (p) }"""
      "both operands transposed (the threads read along their contiguous axes)",
      """func f(a: f32[21,13], b: f32[17,21]) -> (f32[13,17]) {
           p: f32[13,17] = dot_general[contract=([0],[1]), batch=([],[])](a, b)
           return (p) }"""
      "i32 wraps",
      """func f(a: i32[9,37], b: i32[37,5]) -> (i32[9,5]) {
           p: i32[9,5] = dot_general[contract=([1],[0]), batch=([],[])](a, b)
           return (p) }"""
      "a matrix times a vector",
      """func f(a: f32[17,33], x: f32[33]) -> (f32[17]) {
           p: f32[17] = dot_general[contract=([1],[0]), batch=([],[])](a, x)
           return (p) }""" ]

/// Sums, max and min over 1,000 elements per kept element (block reductions), with an
/// elementwise result computed along the way.
let private longReductions =
    parse """func r(x: f32[3,1000], y: i32[3,1000], z: f64[2,700]) -> (f32[3], f32[3], f32[3,1000], i32[3], f64[2], f64[2]) {
      s: f32[3] = reduce_sum[axes=[1]](x)
      m: f32[3] = reduce_max[axes=[1]](x)
      e: f32[3,1000] = mul(x, 2.0)
      si: i32[3] = reduce_sum[axes=[1]](y)
      sz: f64[2] = reduce_sum[axes=[1]](z)
      mz: f64[2] = reduce_min[axes=[1]](z)
      return (s, m, e, si, sz, mz) }"""

[<Tests>]
let tests =
    testSequenced <| testList "cuda kernel shapes" [
        for name, text in contractions do
            test (sprintf "a tiled contraction gives the CPU backend's bits: %s" name) {
                let f = parse text
                let args = argsOf 11 f
                let exe = CudaBackend.Default.Compile f :?> CudaExecutable
                Expect.isTrue (exe.Kernels |> Seq.exists (fun struct (_, m) -> PtxLink.IsExplicitlyGrouped m)) "a grouped (tiled) kernel"
                let actual = exe.Run(ResizeArray args)
                let cpu = CpuBackend.Instance.Compile(f).Run(ResizeArray args)
                let reference = ReferenceEvaluator.Evaluate(f, ResizeArray args)
                for j in 0 .. actual.Length - 1 do
                    Expect.sequenceEqual (bits actual.[j]) (bits cpu.[j]) (sprintf "result %d: the CPU backend's order and rounding" j)
                    Expect.isTrue (ArrayOps.AllClose(actual.[j], reference.[j], 1e-5, 1e-5)) (sprintf "result %d: within the conformance tolerance of the reference" j)
            }
        test "long reductions run as block reductions, in a fixed order, within an ulp of the reference" {
            let args = argsOf 5 longReductions
            let exe = CudaBackend.Default.Compile longReductions :?> CudaExecutable
            Expect.isTrue (exe.Kernels |> Seq.exists (fun struct (_, m) -> PtxLink.IsExplicitlyGrouped m)) "a grouped (block) reduction kernel"
            let first = exe.Run(ResizeArray args)
            let again = exe.Run(ResizeArray args)
            let reference = ReferenceEvaluator.Evaluate(longReductions, ResizeArray args)
            for j in 0 .. first.Length - 1 do
                Expect.sequenceEqual (bits again.[j]) (bits first.[j]) (sprintf "result %d: the same bits on every run" j)
                // Compensated partials: the sums round once, like the reference's (one ulp of f32 is 1.2e-7 relative).
                Expect.isTrue (ArrayOps.AllClose(first.[j], reference.[j], 2.4e-7, 0.0)) (sprintf "result %d: %O vs %O" j first.[j] reference.[j])
        }
        test "the GPU's tiled contraction and block reduction compile offline to PTX with shared memory and barriers" {
            let f =
                parse """func g(a: f32[70,130], b: f32[130,66], x: f32[4,600]) -> (f32[70,66], f32[4]) {
                  p: f32[70,66] = dot_general[contract=([1],[0]), batch=([],[])](a, b)
                  t: f32[70,66] = tanh(p)
                  s: f32[4] = reduce_sum[axes=[1]](x)
                  return (t, s) }"""
            let ptx = CudaBackend.Default.KernelSource f
            Expect.stringContains ptx ".shared" "tiles and partials in shared memory"
            Expect.stringContains ptx "bar.sync" "group barriers"
            Expect.stringContains ptx "fma.rn.f32" "one rounding per term"
            Expect.isFalse (ptx.Contains ".extern") "no undefined function"
        }
    ]

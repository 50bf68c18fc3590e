/// The CUDA backend beyond conformance: device-resident arrays (Put, RunOnDevice, ToHost,
/// Dispose) and that many calls leak no device memory, the kernel cache, general control flow
/// through the host driver, and the backend's name.
module ArrayLang.Tests.Backends.Cuda.CudaBackendTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Compile
open ArrayLang.Backends.Cuda
open ArrayLang.Backends.Cuda.Runtime
open ArrayLang.Tests.TestUtil

let private parse (text: string) = IrParser.ParseFunction(text)

let private axpy =
    parse """func axpy(a: f32[], x: f32[4], y: f32[4]) -> (f32[4]) {
      b: f32[4] = broadcast_in_dim[shape=[4], dims=[]](a)  p: f32[4] = mul(b, x)  r: f32[4] = add(p, y)  return (r) }"""

/// How many device-resident calls the leak test makes: 10^5 on a GPU (the GPU script sets
/// ARRAYLANG_CUDA_LEAK_CALLS), 2,000 on the CPU accelerator, whose launches take about a millisecond.
let private leakCalls () =
    match Environment.GetEnvironmentVariable "ARRAYLANG_CUDA_LEAK_CALLS" with
    | null | "" -> if DeviceContext.Default.Kind = CudaDeviceKind.Gpu then 100000 else 2000
    | n -> int n

[<Tests>]
let tests =
    testSequenced <| testList "cuda backend" [
        test "the name says which device runs the kernels" {
            let b = CudaBackend.Default
            let expected = if b.Device.Kind = CudaDeviceKind.Gpu then "cuda" else "cuda/cpu-emulator"
            Expect.equal b.Name expected "default name"
            Expect.equal (CudaBackend(CompileOptions(Fuse = false)).Name) (expected + "/nofusion") "options suffix"
        }
        test "Put, RunOnDevice and ToHost keep values on the device between calls" {
            let b = CudaBackend.Default
            let exe = b.Compile axpy
            let a = b.Put(NDArray.Scalar(DType.F32, 2.0))
            let x = b.Put(NDArray.Of([| 1.0f; 2.0f; 3.0f; 4.0f |], 4))
            let y = b.Put(NDArray.Of([| 0.5f; 0.5f; 0.5f; 0.5f |], 4))
            let r1 = exe.RunOnDevice([| a; x; y |]).[0]
            // The result of one call is the argument of the next, without a host copy.
            let r2 = exe.RunOnDevice([| a; r1; y |]).[0]
            r2.BlockUntilReady()
            Expect.sequenceEqual (r2.ToHost().F32) [| 5.5f; 9.5f; 13.5f; 17.5f |] "2 (2x + 0.5) + 0.5"
            for d in [ a; x; y; r1; r2 ] do d.Dispose()
            Expect.isTrue r2.IsDisposed "disposed"
            Expect.throws (fun () -> r2.ToHost() |> ignore) "a disposed array cannot be read"
        }
        test "an argument from another backend is refused with a message naming both" {
            let exe = CudaBackend.Default.Compile axpy
            let host = ReferenceBackend.Instance :> IBackend
            let args = [| host.Put(NDArray.Scalar(DType.F32, 1.0)); host.Put(NDArray.Zeros(AVal(DType.F32, Shape [| 4 |]))); host.Put(NDArray.Zeros(AVal(DType.F32, Shape [| 4 |]))) |]
            let e = Expect.throwsC (fun () -> exe.RunOnDevice args |> ignore) id
            Expect.stringContains e.Message "reference" "names the argument's backend"
        }
        test "device-resident calls leak no device memory" {
            let b = CudaBackend.Default
            let exe = b.Compile axpy
            let device = b.Device
            let a = b.Put(NDArray.Scalar(DType.F32, 1.0))
            let x = b.Put(NDArray.Of([| 1.0f; 2.0f; 3.0f; 4.0f |], 4))
            let before = device.LiveBuffers
            let mutable y = b.Put(NDArray.Of([| 0.0f; 0.0f; 0.0f; 0.0f |], 4))
            let calls = leakCalls ()
            for _ in 1 .. calls do
                let next = exe.RunOnDevice([| a; x; y |]).[0]
                y.Dispose()
                y <- next
            let r = y.ToHost().F32
            Expect.sequenceEqual r [| for v in 1 .. 4 -> float32 (v * calls) |] "y accumulated x once per call"
            Expect.equal device.LiveBuffers (before + 1L) (sprintf "after %d calls only the last result is live" calls)
            for d in [ a; x; y ] do d.Dispose()
            Expect.equal device.LiveBuffers (before - 2L) "and none after disposing it"
            Expect.isLessThanOrEqual device.PooledBytes DeviceMemory.MaxPooledBytes "free buffers kept for reuse stay within the pool's bound"
        }
        test "an executable reports the device bytes it keeps and gives its arena back on ReleaseIdle (jit cache eviction)" {
            let b = CudaBackend.Default
            let f = ArrayLang.Ir.IrParser.ParseFunction "func f(x: f32[64]) -> (f32[64]) {\n  s: f32[] = reduce_sum[axes=[0]](x)\n  m: f32[64] = broadcast_in_dim[shape=[64], dims=[]](s)\n  d: f32[64] = sub(x, m)\n  return (d)\n}"
            use exe = b.Compile f :?> CudaExecutable
            Expect.isTrue (exe.Lowered.Plan.ArenaBytes > 0L) "the program has an intermediate in an arena"
            let x = NDArray.Of(Array.init 64 float32, 64)
            let first = exe.Run(ResizeArray [ x ])
            let held = (exe :> IExecutable).RetainedBytes
            Expect.isTrue (held >= exe.Lowered.Plan.ArenaBytes) (sprintf "the arena is kept between calls (%d bytes reported)" held)
            let live = b.Device.LiveBuffers
            (exe :> IExecutable).ReleaseIdle()
            Expect.equal b.Device.LiveBuffers (live - 1L) "the arena goes back to the pool"
            Expect.isLessThan (exe :> IExecutable).RetainedBytes held "and is no longer counted"
            let again = exe.Run(ResizeArray [ x ])
            Expect.sequenceEqual (again.[0].F32) (first.[0].F32) "the executable still runs, with the same bits"
        }
        test "device out of memory is a ResourceLimitException that says what was asked and the way out" {
            let device = CudaBackend.Default.Device
            let live = device.LiveBuffers
            let e = Expect.throwsC (fun () -> device.Allocate(1L <<< 60) |> ignore) id
            Expect.isTrue (e :? ResourceLimitException) (sprintf "a limit, not an internal error: %s" (e.GetType().Name))
            Expect.stringContains e.Message "out of memory" "says what happened"
            Expect.stringContains e.Message "--chunk" "and the way out"
            Expect.equal device.LiveBuffers live "nothing is counted as allocated"
        }
        test "a device array given back lends its buffer to the next call, which computes its own result" {
            let b = CudaBackend.Default
            let exe = b.Compile axpy
            let a = b.Put(NDArray.Scalar(DType.F32, 1.0))
            let x = b.Put(NDArray.Of([| 1.0f; 2.0f; 3.0f; 4.0f |], 4))
            let r1 = exe.RunOnDevice([| a; x; x |]).[0]
            r1.Dispose()
            // r2 reuses r1's buffer (stream order makes that safe) and holds its own result.
            let r2 = exe.RunOnDevice([| a; x; x |]).[0]
            Expect.sequenceEqual (r2.ToHost().F32) [| 2.0f; 4.0f; 6.0f; 8.0f |] "x + x"
            for d in [ a; x; r2 ] do d.Dispose()
        }
        test "the same function compiled twice loads no new kernel" {
            let f = parse "func g(x: f32[5]) -> (f32[5]) { y: f32[5] = exp(x)  z: f32[5] = mul(y, 3.0)  return (z) }"
            let b = CudaBackend.Default
            let first = b.Compile f
            let loaded = b.Device.LoadedKernels
            let second = b.Compile f
            Expect.equal b.Device.LoadedKernels loaded "cached by the kernel's text"
            let args = ResizeArray [ NDArray.Of([| 0.0f; 1.0f; -1.0f; 2.0f; 0.5f |], 5) ]
            Expect.isTrue (ArrayOps.AllClose(second.Run(args).[0], first.Run(args).[0], 0.0, 0.0)) "same results"
        }
        test "arraylang kernels --backend cuda prints the linked PTX for sm_90" {
            let path = IO.Path.Combine(IO.Path.GetTempPath(), sprintf "cuda-kernels-%d.ir" (Random().Next()))
            IO.File.WriteAllText(path, "func f(x: f32[]) -> (f32[]) {\n  y: f32[] = exp(x)\n  return (y)\n}")
            use out = new IO.StringWriter()
            use err = new IO.StringWriter()
            let code = ArrayLang.Cli.CliMain.Run([| "kernels"; path; "--backend"; "cuda"; "--vmap"; "0"; "--batch-size"; "4" |], out, err)
            IO.File.Delete path
            Expect.equal code 0 (sprintf "exit code (stderr: %s)" (string err))
            let ptx = string out
            Expect.stringContains ptx ".target sm_" "PTX"
            Expect.stringContains ptx "fma.rn.f64" "our own exp, its fused multiply-adds linked"
            Expect.isFalse (ptx.Contains ".extern") "no undefined function"
        }
        test "a general scan (not lane-parallel) runs through the host driver" {
            let f =
                parse """func cs(xs: f32[4,3]) -> (f32[3], f32[4,3]) {
                  z: f32[3] = broadcast_in_dim[shape=[3], dims=[]](0.0)
                  c: f32[3], ys: f32[4,3] = scan[length=4, consts=0, carries=1](z, xs) {
                    func body(c: f32[3], x: f32[3]) -> (f32[3], f32[3]) {
                      s: f32[] = reduce_sum[axes=[0]](x)  b: f32[3] = broadcast_in_dim[shape=[3], dims=[]](s)
                      n: f32[3] = add(c, b)  return (n, n) } }
                  return (c, ys) }"""
            let args = [ randomArray (Random 4) (AVal(DType.F32, Shape [| 4; 3 |])) ]
            let exe = CudaBackend.Default.Compile f :?> CudaExecutable
            Expect.stringContains (string exe.Lowered) "scan" "a scan kernel"
            let actual = exe.Run(ResizeArray args)
            let expected = ReferenceEvaluator.Evaluate(f, ResizeArray args)
            for j in 0 .. 1 do Expect.isTrue (ArrayOps.AllClose(actual.[j], expected.[j], 1e-5, 1e-5)) (sprintf "result %d" j)
        }
    ]

/// The OpenCL backend on whatever OpenCL device is present (POCL's CPU device in CI): the shared
/// conformance suite (Conformance.fs: every op record fused and unfused, random programs under
/// vmap, vmap of vmap and chunked vmap), plus the accurate f32 and f64 math against the reference
/// within its ulp bounds (and the fp64 requirement), random primitives on the device bit for bit,
/// device-resident arrays (no leaked buffers over 10^5 calls), out of memory as a user error, the
/// program cache, device selection, build errors and the generated source. Without an OpenCL device every test
/// is skipped with the reason. Sums differ from the reference in their order (Note [opencl
/// reduction order]), within the suite's tolerance.
module ArrayLang.Tests.Backends.OpenCL.OpenClTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Compile
open ArrayLang.Backends.OpenCL
open ArrayLang.Backends.OpenCL.Runtime
open ArrayLang.Tests
open ArrayLang.Tests.Backends
open ArrayLang.Tests.Properties

/// The number of random programs per property on OpenCL: a 125th of the CPU suite's (each
/// program is built by the OpenCL compiler once), which keeps the OpenCL suite within a few
/// minutes on POCL.
let programs = max 20 (Settings.programCount / 125)

let private parse text = ArrayLang.Ir.IrParser.ParseFunction text

/// Distance in ulps between two floats of one sign (NaNs and infinities compared separately).
let private ulps (a: float32) (b: float32) =
    if Single.IsNaN a || Single.IsNaN b then (if Single.IsNaN a && Single.IsNaN b then 0L else Int64.MaxValue)
    elif a = b then 0L
    else
        let key (x: float32) =
            let i = int64 (BitConverter.SingleToInt32Bits x)
            if i < 0L then -(i &&& 0x7fffffffL) else i
        abs (key a - key b)

/// Inputs for a unary function: special values, a log-spaced sweep of both signs and random values.
let private mathInputs (rng: Random) (lo: float) (hi: float) =
    [| yield! [ 0.0f; -0.0f; 1.0f; -1.0f; infinityf; -infinityf; nanf; 1e-40f; -1e-40f; 1e-30f; 88.7f; -87.3f; 0.5f; 1e6f; 131072.0f; 1e30f ]
       for i in 0 .. 3999 do
           let t = float i / 4000.0
           let v = Math.Exp(Math.Log 1e-6 + t * (Math.Log(max hi 1e-5) - Math.Log 1e-6))
           yield float32 v
           yield float32 (-v)
       for _ in 0 .. 3999 -> float32 (lo + (hi - lo) * rng.NextDouble()) |]

let private unaryMath =
    [ "exp", 1L, (-104.0, 89.0); "expm1", 1L, (-20.0, 89.0); "log", 1L, (0.0, 1e30); "log1p", 1L, (-1.0, 1e30)
      "sin", 2L, (-1e6, 1e6); "cos", 2L, (-1e6, 1e6); "tan", 1L, (-1e4, 1e4); "tanh", 1L, (-20.0, 20.0)
      "logistic", 2L, (-100.0, 100.0); "erf", 1L, (-5.0, 5.0) ]

let private mathTests (backend: unit -> IBackend) =
    [ for name, bound, (lo, hi) in unaryMath ->
        test (sprintf "f32 %s is within %d ulp of the reference" name bound) {
            let xs = mathInputs (Random 5) lo hi
            let f = parse (sprintf "func f(x: f32[%d]) -> (f32[%d]) {\n  y: f32[%d] = %s(x)\n  return (y)\n}" xs.Length xs.Length xs.Length name)
            let arg = NDArray(DType.F32, Shape [| xs.Length |], xs)
            let expected = (ReferenceEvaluator.Evaluate(f, ResizeArray [ arg ])).[0].Data :?> float32[]
            let actual = (backend().Compile(f).Run(ResizeArray [ arg ])).[0].Data :?> float32[]
            for i in 0 .. xs.Length - 1 do
                let d = ulps actual.[i] expected.[i]
                if d > bound then failtestf "%s(%g) = %g on OpenCL, reference %g: %d ulp (bound %d)" name xs.[i] actual.[i] expected.[i] d bound
        }
      for name in [ "pow"; "atan2" ] ->
        test (sprintf "f32 %s is within 1 ulp of the reference" name) {
            let rng = Random 9
            let specials = [| 0.0f; -0.0f; 1.0f; -1.0f; 2.0f; -2.0f; 0.5f; 3.0f; -3.0f; infinityf; -infinityf; nanf; 1e-40f |]
            let pairs = [| for a in specials do for b in specials -> a, b
                           for _ in 0 .. 3999 -> float32 (rng.NextDouble() * 20.0 - 5.0), float32 (rng.NextDouble() * 20.0 - 10.0) |]
            let n = pairs.Length
            let f = parse (sprintf "func f(x: f32[%d], y: f32[%d]) -> (f32[%d]) {\n  z: f32[%d] = %s(x, y)\n  return (z)\n}" n n n n name)
            let args = ResizeArray [ NDArray(DType.F32, Shape [| n |], Array.map fst pairs); NDArray(DType.F32, Shape [| n |], Array.map snd pairs) ]
            let expected = (ReferenceEvaluator.Evaluate(f, args)).[0].Data :?> float32[]
            let actual = (backend().Compile(f).Run(args)).[0].Data :?> float32[]
            for i in 0 .. n - 1 do
                let d = ulps actual.[i] expected.[i]
                if d > 1L then failtestf "%s(%g, %g) = %g on OpenCL, reference %g: %d ulp" name (fst pairs.[i]) (snd pairs.[i]) actual.[i] expected.[i] d
        } ]

/// Distance in ulps between two doubles (0 for two NaNs, Int64.MaxValue for one NaN).
let private ulps64 (a: float) (b: float) =
    if Double.IsNaN a || Double.IsNaN b then (if Double.IsNaN a && Double.IsNaN b then 0L else Int64.MaxValue)
    elif a = b then 0L
    else
        let key (x: float) =
            let i = BitConverter.DoubleToInt64Bits x
            if i < 0L then -(bigint (i &&& Int64.MaxValue)) else bigint i
        let d = abs (key a - key b)
        if d > bigint Int64.MaxValue then Int64.MaxValue else int64 d

/// Doubles that stress f64 math: specials, subnormals, the largest finite values, the edge of
/// the Payne-Hanek path (2^20 pi/2), values near multiples of pi/2, a log-spaced sweep of both
/// signs over [1e-310, hi], random values in [lo, hi] and random huge ones (m 2^e, e up to 1023).
let private mathInputs64 (rng: Random) (lo: float) (hi: float) =
    [| yield! [ 0.0; -0.0; 1.0; -1.0; infinity; -infinity; nan; 5e-324; -5e-324; 2.2250738585072014e-308; -2.225e-308
                1e-300; 0.5; 3.999999999999; 4.0; 4.000000000001; 27.5; 709.78; -745.1; 1e22; -1e22
                1647099.3291652855; 1647099.329165285; 1647099.3291652858; 1.7976931348623157e308; -1.7976931348623157e308
                Math.PI; Math.PI / 2.0 ]
       for i in 0 .. 1999 do
           let t = float i / 2000.0
           let v = Math.Exp(Math.Log 1e-310 + t * (Math.Log(max hi 1e-300) - Math.Log 1e-310))
           yield v
           yield -v
       for _ in 0 .. 1999 -> lo + (hi - lo) * rng.NextDouble()
       for k in 1 .. 400 -> float k * Math.PI / 2.0 * (1.0 + 1e-16 * (rng.NextDouble() - 0.5))
       for _ in 0 .. 1999 -> (if rng.Next 2 = 0 then 1.0 else -1.0) * (1.0 + rng.NextDouble()) * Math.Pow(2.0, float (rng.Next(20, 1024))) |]

/// f64 functions, their documented bound (VectorMath's double bounds; erf, pow, atan2 and huge
/// trigonometric arguments: Note [opencl f64 erf, pow, atan2], Note [opencl f64 math]) and the
/// range of their random inputs.
let private unaryMath64 =
    [ "exp", 2L, (-746.0, 710.0); "expm1", 2L, (-40.0, 710.0); "log", 2L, (0.0, 1e300); "log1p", 2L, (-1.0, 1e300)
      "sin", 2L, (-1e7, 1e7); "cos", 2L, (-1e7, 1e7); "tan", 3L, (-1e7, 1e7); "tanh", 4L, (-30.0, 30.0)
      "logistic", 3L, (-750.0, 750.0); "erf", 1L, (-6.0, 6.0) ]

/// Runs a one-result f64 function on OpenCL and the reference; fails past the bound and returns the largest ulp error.
let private maxUlps64 (backend: unit -> IBackend) (f: Function) (args: NDArray list) (describe: int -> string) bound =
    let expected = (ReferenceEvaluator.Evaluate(f, ResizeArray args)).[0].Data :?> float[]
    let actual = (backend().Compile(f).Run(ResizeArray args)).[0].Data :?> float[]
    let failures =
        [ for i in 0 .. expected.Length - 1 do
            let d = ulps64 actual.[i] expected.[i]
            if d > bound then yield sprintf "%s = %.17g on OpenCL, reference %.17g: %d ulp" (describe i) actual.[i] expected.[i] d ]
    if not failures.IsEmpty then
        failtestf "%d of %d beyond %d ulp:\n%s" failures.Length expected.Length bound (String.Join("\n", List.truncate 20 failures))
    Array.map2 ulps64 actual expected |> Array.max

let private math64Tests (backend: unit -> IBackend) =
    [ for name, bound, (lo, hi) in unaryMath64 ->
        test (sprintf "f64 %s is within %d ulp of the reference" name bound) {
            let xs = mathInputs64 (Random 11) lo hi
            let n = xs.Length
            let f = parse (sprintf "func f(x: f64[%d]) -> (f64[%d]) {\n  y: f64[%d] = %s(x)\n  return (y)\n}" n n n name)
            let worst = maxUlps64 backend f [ NDArray(DType.F64, Shape [| n |], xs) ] (fun i -> sprintf "%s(%.17g)" name xs.[i]) bound
            printfn "opencl f64 %s: max %d ulp over %d inputs (bound %d)" name worst n bound
        }
      for name in [ "pow"; "atan2" ] ->
        test (sprintf "f64 %s is within 1 ulp of the reference" name) {
            let rng = Random 13
            let specials = [| 0.0; -0.0; 1.0; -1.0; 2.0; -2.0; 0.5; 3.0; -3.0; -2.5; 1.5; infinity; -infinity; nan; 5e-324; -5e-324
                              1e-300; 1e300; -1e300; 9007199254740992.0; -9007199254740990.0; 1.7976931348623157e308 |]
            let signed () = if rng.Next 2 = 0 then 1.0 else -1.0
            let pairs =
                [| for a in specials do for b in specials -> a, b
                   // Results across the whole range, overflow and subnormal underflow included.
                   for _ in 0 .. 2999 do
                       let x = Math.Exp(rng.NextDouble() * 100.0 - 50.0)
                       let t = rng.NextDouble() * 1490.0 - 760.0
                       yield (if name = "pow" then x, t / Math.Log x else signed () * x, signed () * Math.Exp(rng.NextDouble() * 100.0 - 50.0))
                   // Bases near 1 with large exponents, negative bases with integer exponents.
                   for _ in 0 .. 999 -> 1.0 + (rng.NextDouble() - 0.5) * 1e-6, (rng.NextDouble() - 0.5) * 1e9
                   for _ in 0 .. 999 -> -(rng.NextDouble() * 10.0), float (rng.Next(-300, 300))
                   // Magnitudes over the whole double range, and near-equal ones (atan2's reduction edges).
                   for _ in 0 .. 1999 -> signed () * Math.Pow(2.0, rng.NextDouble() * 2090.0 - 1070.0), signed () * Math.Pow(2.0, rng.NextDouble() * 2090.0 - 1070.0)
                   for _ in 0 .. 1999 do
                       let x = signed () * Math.Pow(2.0, rng.NextDouble() * 200.0 - 100.0)
                       yield x * (rng.NextDouble() * 1.2), x |]
            let n = pairs.Length
            let f = parse (sprintf "func f(x: f64[%d], y: f64[%d]) -> (f64[%d]) {\n  z: f64[%d] = %s(x, y)\n  return (z)\n}" n n n n name)
            let args = [ NDArray(DType.F64, Shape [| n |], Array.map fst pairs); NDArray(DType.F64, Shape [| n |], Array.map snd pairs) ]
            let worst = maxUlps64 backend f args (fun i -> sprintf "%s(%.17g, %.17g)" name (fst pairs.[i]) (snd pairs.[i])) 1L
            printfn "opencl f64 %s: max %d ulp over %d pairs (bound 1)" name worst n
        }
      test "f64 sin, cos and tan of huge arguments match known answers" {
        // Correctly rounded values (mpmath, 3000 bits). 6381956970095103 * 2^797 is the double
        // closest to a multiple of pi/2 (its reduced argument is 4.7e-19): there the reference's
        // Math.Cos and Math.Tan (the C library's) are 8 and 14 ulp off, so it is checked here and
        // not against them.
        let cases = [ 6381956970095103.0 * Math.Pow(2.0, 797.0), (1.0, -4.687165924254628e-19, -2.133485385753704e+18)
                      1e22, (-0.8522008497671888, 0.523214785395139, -1.6287782256068988)
                      1.5 * Math.Pow(2.0, 1023.0), (0.6237626581778968, 0.7816138088997944, 0.7980445727486697) ]
        let xs = cases |> List.map fst |> Array.ofList
        let n = xs.Length
        let f = parse (sprintf "func f(x: f64[%d]) -> (f64[%d], f64[%d], f64[%d]) {\n  s: f64[%d] = sin(x)\n  c: f64[%d] = cos(x)\n  t: f64[%d] = tan(x)\n  return (s, c, t)\n}" n n n n n n n)
        let rs = (backend ()).Compile(f).Run(ResizeArray [ NDArray(DType.F64, Shape [| n |], xs) ])
        cases |> List.iteri (fun i (x, (s, c, t)) ->
            for name, r, expected in [ "sin", rs.[0], s; "cos", rs.[1], c; "tan", rs.[2], t ] do
                let actual = (r.Data :?> float[]).[i]
                let d = ulps64 actual expected
                if d > 1L then failtestf "%s(%.17g) = %.17g on OpenCL, correctly rounded %.17g: %d ulp" name x actual expected d)
      }
      test "f64 on a device without fp64 is refused with the operation and the device named" {
        let noFp64 = ClDeviceInfo(0, "test platform", "a device without fp64", false, false, true, 256L, 32768L)
        let refused text =
            let f = parse text
            try
                ArrayLang.Backends.OpenCL.Codegen.ClProgramCompiler.Compile(Compiler.Lower(f, CompileOptions.Default), noFp64) |> ignore
                failtest "expected the compile to be refused"
                ""
            with :? NotSupportedException as e -> e.Message
        let m = refused "func f(x: f64[4]) -> (f64[4]) {\n  y: f64[4] = erf(x)\n  return (y)\n}"
        Expect.stringContains m "erf on f64" "names the operation"
        Expect.stringContains m "a device without fp64" "names the device"
        Expect.stringContains m "ARRAYLANG_OPENCL_DEVICE" "says the way out"
        let m32 = refused "func f(x: f32[4], y: f32[4]) -> (f32[4]) {\n  z: f32[4] = pow(x, y)\n  return (z)\n}"
        Expect.stringContains m32 "pow on f32" "f32 pow computes in double"
        let plain = parse "func f(x: f32[4]) -> (f32[4]) {\n  y: f32[4] = exp(x)\n  return (y)\n}"
        let compiled = ArrayLang.Backends.OpenCL.Codegen.ClProgramCompiler.Compile(Compiler.Lower(plain, CompileOptions.Default), noFp64)
        Expect.isFalse (compiled.Source.Contains "cl_khr_fp64 : enable") "f32 exp needs no fp64"
      } ]

let private small = parse "func f(x: f32[4], y: f32[4]) -> (f32[4], f32[]) {\n  a: f32[4] = mul(x, y)\n  b: f32[4] = sin(a)\n  s: f32[] = reduce_sum[axes=[0]](b)\n  return (b, s)\n}"

/// The message of the OpenCL error <paramref name="f"/> throws.
let private errorOf (f: unit -> unit) =
    try
        f ()
        failtest "expected an OpenClException"
        ""
    with :? OpenClException as e -> e.Message

/// The device's live buffers once unreferenced executables are finalized: their finalizers release
/// device memory (Note [bounded jit cache]), which would otherwise land in the middle of a count.
let private settledLiveBuffers (b: OpenClBackend) =
    GC.Collect()
    GC.WaitForPendingFinalizers()
    GC.Collect()
    b.Device.LiveBuffers

let private runtimeTests (backend: unit -> OpenClBackend) =
    [ test "10^5 device-resident calls and 10^3 host calls leak no device buffer" {
        let b = backend ()
        use exe = b.Compile small :?> OpenClExecutable
        let x = NDArray(DType.F32, Shape [| 4 |], [| 1.0f; 2.0f; 3.0f; 4.0f |])
        use dx = (b :> IBackend).Put x
        use dy = (b :> IBackend).Put x
        let before = settledLiveBuffers b
        for _ in 1 .. 100000 do
            let rs = exe.RunOnDevice [| dx; dy |]
            for r in rs do r.Dispose()
        for _ in 1 .. 1000 do exe.Run(ResizeArray [ x; x ]) |> ignore
        b.Device.Finish()
        Expect.equal (settledLiveBuffers b) before "every buffer a call allocates is released (the arena is allocated once)"
      }
      test "an executable reports the device bytes it keeps and gives its arena back on ReleaseIdle (jit cache eviction)" {
        let b = backend ()
        let f = parse "func f(x: f32[64]) -> (f32[64]) {\n  s: f32[] = reduce_sum[axes=[0]](x)\n  m: f32[64] = broadcast_in_dim[shape=[64], dims=[]](s)\n  d: f32[64] = sub(x, m)\n  return (d)\n}"
        use exe = b.Compile f :?> OpenClExecutable
        Expect.isTrue (exe.Lowered.Plan.ArenaBytes > 0L) "the program has an intermediate in an arena"
        let x = NDArray(DType.F32, Shape [| 64 |], Array.init 64 float32)
        let first = exe.Run(ResizeArray [ x ])
        let held = (exe :> IExecutable).RetainedBytes
        Expect.isTrue (held >= exe.Lowered.Plan.ArenaBytes) (sprintf "the arena is kept between calls (%d bytes reported)" held)
        let live = settledLiveBuffers b
        (exe :> IExecutable).ReleaseIdle()
        Expect.equal (settledLiveBuffers b) (live - 1L) "the arena is released"
        Expect.equal (exe :> IExecutable).RetainedBytes (held - exe.Lowered.Plan.ArenaBytes) "and no longer counted"
        let again = exe.Run(ResizeArray [ x ])
        Expect.isTrue (ArrayOps.AllClose(again.[0], first.[0], 0.0, 0.0)) "the executable still runs, with the same bits"
      }
      test "running out of device memory is a ResourceLimitException naming the way out" {
        let b = backend ()
        // 12.8 GB of results: more than POCL (and most GPUs) allocate in one buffer.
        let f = parse "func f(k: i32[2]) -> (f64[40000,40000]) {\n  u: f64[40000,40000] = random_uniform[shape=[40000,40000], dtype=f64](k)\n  return (u)\n}"
        let exe = b.Compile f :?> OpenClExecutable
        use key = (b :> IBackend).Put(NDArray(DType.I32, Shape [| 2 |], [| 1; 2 |]))
        let before = settledLiveBuffers b
        let e = Expect.throwsC (fun () -> exe.RunOnDevice [| key |] |> ignore) id
        Expect.equal (e.GetType()) typeof<ResourceLimitException> "a user error, not an internal one"
        Expect.stringContains e.Message "12,800,000,000 bytes" "names the size"
        Expect.stringContains e.Message "chunks" "names the way out"
        Expect.equal (settledLiveBuffers b) before "nothing is left allocated"
        // What drivers report when memory runs out at allocation or at first use (Note [opencl out of memory]).
        for status in [ -4; -5; -6 ] do
            Expect.throwsT<ResourceLimitException> (fun () -> ClDevice.Check(status, "clEnqueueNDRangeKernel(k0)")) (sprintf "status %d" status)
        Expect.throwsT<OpenClException> (fun () -> ClDevice.Check(-30, "clSetKernelArg(0)")) "other failures stay OpenCL errors"
      }
      test "device-resident results equal host results, and chain without copies" {
        let b = backend ()
        let exe = b.Compile small
        let x = NDArray(DType.F32, Shape [| 4 |], [| 0.5f; -2.0f; 3.0f; 4.0f |])
        use dx = (b :> IBackend).Put x
        let rs = exe.RunOnDevice [| dx; dx |]
        let again = exe.RunOnDevice [| rs.[0]; dx |]
        let host = exe.Run(ResizeArray [ x; x ])
        let host2 = exe.Run(ResizeArray [ host.[0]; x ])
        Expect.isTrue (ArrayOps.AllClose(rs.[0].ToHost(), host.[0], 0.0, 0.0)) "first result"
        Expect.isTrue (ArrayOps.AllClose(again.[1].ToHost(), host2.[1], 0.0, 0.0)) "chained result"
        for r in Array.append rs again do r.Dispose()
        Expect.throws (fun () -> rs.[0].ToHost() |> ignore) "a disposed array cannot be read"
      }
      test "the program cache builds a source once" {
        let b = backend ()
        b.Compile small |> ignore
        let n = b.Device.CachedPrograms
        b.Compile small |> ignore
        Expect.equal b.Device.CachedPrograms n "the second compile of the same function reuses the built program"
      }
      test "a failed build reports the build log and the numbered source" {
        let b = backend ()
        let message = errorOf (fun () -> b.Device.Build "__kernel void broken( { }" |> ignore)
        Expect.stringContains message "build log" "names the log"
        Expect.stringContains message "__kernel void broken" "shows the source"
      }
      test "devices are selected by index or by a substring of their name" {
        let devices = OpenClBackend.Devices
        let first = devices.[0]
        Expect.equal (ClDevice.Select(devices, "0")).Index 0 "by index"
        Expect.equal (ClDevice.Select(devices, first.Name.Substring(0, 4).ToUpperInvariant())).Index first.Index "by name, any case"
        let message = errorOf (fun () -> ClDevice.Select(devices, "no such device xyz") |> ignore)
        Expect.stringContains message "no such device xyz" "the message names the selector"
      }
      test "the generated source has no float contraction by default and uses fma when opted in" {
        let f = parse "func f(x: f32[8], y: f32[8]) -> (f32[8]) {\n  a: f32[8] = mul(x, y)\n  b: f32[8] = add(a, x)\n  return (b)\n}"
        let plain = (backend ()).KernelSource f
        Expect.stringContains plain "#pragma OPENCL FP_CONTRACT OFF" "contraction off"
        Expect.isFalse (plain.Contains "fma(") "no fma in plain elementwise code"
        let contracted = OpenClBackend(CompileOptions(ContractFloat = true)).KernelSource f
        Expect.stringContains contracted "fma(" "ContractFloat uses fma"
      }
      test "arraylang kernels --backend opencl prints the generated OpenCL C" {
        let path = IO.Path.Combine(IO.Path.GetTempPath(), sprintf "opencl-kernels-%d.ir" (Random().Next()))
        IO.File.WriteAllText(path, "func f(x: f32[]) -> (f32[]) {\n  y: f32[] = exp(x)\n  return (y)\n}")
        use out = new IO.StringWriter()
        use err = new IO.StringWriter()
        let code = ArrayLang.Cli.CliMain.Run([| "kernels"; path; "--backend"; "opencl"; "--vmap"; "0"; "--batch-size"; "4" |], out, err)
        IO.File.Delete path
        Expect.equal code 0 (sprintf "exit code (stderr: %s)" (string err))
        Expect.stringContains (string out) "__kernel void" "a kernel"
        Expect.stringContains (string out) "al_exp_f32" "our own exp"
      }
      test "random_bits, random_split and random_uniform run on the device with the reference's bits" {
        // Batched keys (three rows) and odd sizes, so that rows, counters and the tail work-group show.
        let f = parse """func f(k: i32[3,2]) -> (i32[3,5,7], i32[3,9,2], f32[3,33], f64[3,4,3]) {
  b: i32[3,5,7] = random_bits[shape=[5,7]](k)
  s: i32[3,9,2] = random_split[count=9](k)
  u: f32[3,33] = random_uniform[shape=[33], dtype=f32](k)
  d: f64[3,4,3] = random_uniform[shape=[4,3], dtype=f64](k)
  return (b, s, u, d)
}"""
        let key = NDArray(DType.I32, Shape [| 3; 2 |], [| 0; 0; 42; -7; Int32.MinValue; Int32.MaxValue |])
        let exe = (backend ()).Compile f :?> OpenClExecutable
        Expect.equal exe.HostSteps 0 "no step runs on the host"
        Expect.stringContains exe.Source "al_threefry" "the device computes Threefry"
        let expected = ReferenceEvaluator.Evaluate(f, ResizeArray [ key ])
        let actual = exe.Run(ResizeArray [ key ])
        for j in 0 .. expected.Length - 1 do
            let bits (a: NDArray) = Array.init a.Length (fun i -> BitConverter.DoubleToInt64Bits(a.GetDouble(int64 i)))
            Expect.sequenceEqual (bits actual.[j]) (bits expected.[j]) (sprintf "result %d equals the reference bit for bit" j)
        // Threefry's known answer: key (0, 0), counter (0, 0) gives (0x6b200159, 0x99ba4efe).
        Expect.equal (actual.[1].I32.[0], actual.[1].I32.[1]) (0x6b200159, int 0x99ba4efeu) "the known answer"
      }
      test "i32 division, remainder, conversions and max/min give the reference's bits" {
        let f = parse """func f(a: i32[6], b: i32[6], x: f32[6], y: f32[6]) -> (i32[6], i32[6], i32[6], f32[6], f32[6], f32[6]) {
  q: i32[6] = div(a, b)
  r: i32[6] = rem(a, b)
  c: i32[6] = convert[to=i32](x)
  m: f32[6] = max(x, y)
  n: f32[6] = min(x, y)
  o: f32[6] = round(x)
  return (q, r, c, m, n, o)
}"""
        let i32s (xs: int[]) = NDArray(DType.I32, Shape [| 6 |], xs)
        let f32s (xs: float32[]) = NDArray(DType.F32, Shape [| 6 |], xs)
        let args = ResizeArray [ i32s [| Int32.MinValue; 7; -7; 5; 0; 3 |]; i32s [| -1; 0; 2; -2; 0; Int32.MinValue |]
                                 f32s [| nanf; 3e9f; -3e9f; -2.5f; 0.0f; -0.0f |]; f32s [| 1.0f; nanf; 0.0f; 2.5f; -0.0f; 0.0f |] ]
        let expected = ReferenceEvaluator.Evaluate(f, args)
        let actual = (backend ()).Compile(f).Run(args)
        for j in 0 .. expected.Length - 1 do
            let bits (a: NDArray) = Array.init a.Length (fun i -> BitConverter.DoubleToInt64Bits(a.GetDouble(int64 i)))
            let nan (a: NDArray) = Array.init a.Length (fun i -> Double.IsNaN(a.GetDouble(int64 i)))
            if nan expected.[j] <> nan actual.[j] || (Array.zip3 (bits expected.[j]) (bits actual.[j]) (nan expected.[j]) |> Array.exists (fun (e, a, n) -> not n && e <> a)) then
                failtestf "result %d: OpenCL %O, reference %O" j actual.[j] expected.[j]
      } ]

[<Tests>]
let tests =
    let backend () = OpenClBackend.Instance
    // One at a time: the runtime tests count the shared device's live buffers.
    testSequencedGroup "opencl device" <| testList "opencl" [
        Conformance.deviceSuite OpenClBackendProvider.Instance programs []
        match Option.ofObj OpenClBackend.Unavailable with
        | Some why -> ptestCase (sprintf "opencl runtime and math skipped: %s" why) ignore
        | None ->
            testList "opencl math" (mathTests (fun () -> backend () :> IBackend))
            testList "opencl f64 math" (math64Tests (fun () -> backend () :> IBackend))
            testSequenced (testList "opencl runtime" (runtimeTests backend)) ]

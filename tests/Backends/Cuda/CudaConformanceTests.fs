/// The conformance suite of the CUDA backend, run on the device the backend finds: a GPU where
/// one is at hand, else ILGPU's CPU accelerator (an emulator: sizes stay small so that this part
/// of the run takes a few minutes). For every op record and batch placement (B = 0, 1, 3) and for
/// random programs, the CUDA backend's results equal the reference evaluator's within the CPU
/// suite's tolerance (Note [CPU tolerance] in CpuConformanceTests.fs, the same helpers). Then every
/// kernel the suite compiled is compiled again to PTX for sm_90 offline and checked (Note [ptx link]).
module ArrayLang.Tests.Backends.Cuda.CudaConformanceTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Transforms
open ArrayLang.Compile
open ArrayLang.Backends.Cuda
open ArrayLang.Backends.Cuda.Runtime
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.Primitives
open ArrayLang.Tests.Properties
open ArrayLang.Tests.Backends

/// How many random programs (vmap; a quarter of that for chunked vmap and vmap of vmap): every
/// one compiles a few kernels, which the emulator compiles and runs slowly.
let randomPrograms = max 8 (Settings.programCount / 625)

let private ptxCheck =
    test "every kernel compiled so far compiles offline to PTX for sm_90, linked (Note [ptx link])" {
        let methods = DeviceContext.Default.LoadedMethods |> Seq.toList
        Expect.isGreaterThan methods.Length 20 "the suite compiled kernels"
        let failures =
            [ for KeyValue(key, m) in methods do
                match (try Ok(PtxLink.OfflinePtx m) with e -> Error e.Message) with
                | Ok ptx ->
                    if not (ptx.Contains ".target sm_") || ptx.Contains ".extern" then yield sprintf "%s: PTX without a target or with an external function" key
                    for op in [ "mul.f32"; "add.f32"; "sub.f32"; "mul.f64"; "add.f64"; "sub.f64" ] do
                        if ptx.Contains(op + " ") || ptx.Contains(op + "\t") then yield sprintf "%s: an unrounded %s could be contracted" key op
                | Error e -> yield sprintf "%s\n  -> %s" key e ]
        printfn "offline PTX: %d kernel(s) compiled for sm_90, %d failure(s)" methods.Length failures.Length
        if not failures.IsEmpty then failtestf "%d of %d kernels failed the offline PTX check:\n%s" failures.Length methods.Length (String.concat "\n" (List.truncate 10 failures))
    }

[<Tests>]
let tests =
    printfn "cuda backend: device %s" (match CudaBackendProvider.Instance.Unavailable with null -> DeviceContext.Default.Description | why -> "none: " + why)
    testSequenced (Conformance.deviceSuite CudaBackendProvider.Instance randomPrograms [ ptxCheck ])

/// The OpenCL backend against the reference evaluator, on whatever OpenCL device is present (POCL's
/// CPU device in CI): every op record fused and unfused, random programs (vmap, vmap of vmap,
/// chunked vmap), the accurate math against the reference within its ulp bounds, device-resident
/// arrays (no leaked buffers over 10^5 calls), the program cache, device selection and build
/// errors. Without an OpenCL device every test is skipped with the reason.
/// Tolerances are the CPU conformance suite's (Note [CPU tolerance] there): the reductions'
/// order differs from the reference's (Note [opencl reduction order]).
module ArrayLang.Tests.Backends.OpenCL.OpenClTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Transforms
open ArrayLang.Compile
open ArrayLang.Backends.OpenCL
open ArrayLang.Backends.OpenCL.Runtime
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.Primitives
open ArrayLang.Tests.Properties
open ArrayLang.Tests.Backends.Cpu

/// Why the tests are skipped, or None when a device is present.
let unavailable = OpenClBackend.Unavailable |> Option.ofObj

let private backends () : (string * IBackend) list =
    [ "fused", OpenClBackend.Instance :> IBackend
      "unfused", OpenClBackend(OpenClOptions(Fuse = false)) :> IBackend ]

/// A test that runs only where OpenCL is present and says why it is skipped elsewhere.
let private clTest name body =
    match unavailable with
    | Some reason -> test name { skiptest (sprintf "no OpenCL device: %s" reason) }
    | None -> test name { body () }

let private opRecordTests =
    let byPrim = OpRecords.all |> List.groupBy (fun r -> r.Prim.Name)
    [ for name, records in byPrim do
        for label in [ "fused"; "unfused" ] ->
            clTest (sprintf "%s/opencl %s = reference" name label) (fun () ->
                let backend = backends () |> List.find (fun (l, _) -> l = label) |> snd
                let rng = Random 11
                for r in records do
                    let f = OpRecords.functionOf r
                    for axes in OpRecords.placements r.Operands do
                        for b in [ 0; 1; 3 ] do
                            let batched = Vmap.Apply(f, b, axes |> List.map Option.toNullable |> ResizeArray)
                            let args = [ for p in batched.Params -> randomArray rng p.Type ]
                            CpuConformanceTests.expectSame 1e-5 1e-5 backend batched args (sprintf "%s in_axes %A B = %d" r.Label axes b)) ]

/// The number of random programs per property: a quarter of the CPU suite's, which keeps the
/// OpenCL part of a test run within a few minutes on POCL (each program is built once).
let private programs () = max 20 (Settings.programCount / 4)

let private checkCase (backend: IBackend) (_: VmapProperties.Stats option) (c: VmapProperties.VmapCase) =
    let batched = VmapProperties.batchedFunction c
    let rng = Random c.InputSeed
    let args = [ for p in batched.Params -> randomArray rng p.Type ]
    let property = sprintf "%s (%s)" backend.Name (if c.Levels.Length > 1 then "vmap of vmap" else "vmap")
    CpuConformanceTests.expectSameOrIllConditioned property backend batched batched args (sprintf "random case%O" c)

let private checkChunked (backend: IBackend) (_: VmapProperties.Stats option) (c: VmapProperties.VmapCase) =
    let l = c.Levels.Head
    let rng = Random c.InputSeed
    let k = 1 + rng.Next(max 1 (l.B + 1))
    let axes (xs: int option list) = xs |> List.map Option.toNullable |> ResizeArray
    let plain = Vmap.Apply(c.Program, l.B, axes l.InAxes, axes l.OutAxes)
    let chunked = Vmap.Chunked(c.Program, l.B, axes l.InAxes, axes l.OutAxes, k)
    let args = [ for p in plain.Params -> randomArray rng p.Type ]
    CpuConformanceTests.expectSameOrIllConditioned (sprintf "%s (chunked vmap)" backend.Name) backend plain chunked args
        (sprintf "chunked vmap (chunk size %d) of random case%O" k c)

let private propertyTests =
    testSequenced <| testList "random programs" [
        for label in [ "fused"; "unfused" ] do
            let backend () = backends () |> List.find (fun (l, _) -> l = label) |> snd
            clTest (sprintf "opencl %s = reference (vmap)" label) (fun () ->
                let b = backend ()
                CpuConformanceTests.runExcusing (sprintf "%s (vmap)" b.Name) (programs ()) (VmapProperties.genCase false) (checkCase b))
            clTest (sprintf "opencl %s = reference (chunked vmap)" label) (fun () ->
                let b = backend ()
                CpuConformanceTests.runExcusing (sprintf "%s (chunked vmap)" b.Name) (max 5 (programs () / 4)) (VmapProperties.genCase false) (checkChunked b))
            clTest (sprintf "opencl %s = reference (vmap of vmap)" label) (fun () ->
                let b = backend ()
                CpuConformanceTests.runExcusing (sprintf "%s (vmap of vmap)" b.Name) (max 5 (programs () / 4)) (VmapProperties.genCase true) (checkCase b))
    ]

[<Tests>]
let tests =
    testList "opencl conformance" [ testList "op records" opRecordTests; propertyTests ]

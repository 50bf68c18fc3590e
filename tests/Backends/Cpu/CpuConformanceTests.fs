/// The conformance suite of the CPU backend: for every op record and every batch placement, and
/// for random programs (vmap and vmap of vmap), the CPU backend's result equals the reference
/// evaluator's on the same batched function, fused and unfused. Tolerance (Note [CPU tolerance]):
/// i32 and bool results are exact; floats agree within rtol 1e-5 + atol 1e-5 for one primitive
/// (sums, products and contractions are reassociated, and the reference rounds them once), and
/// within 1e-4 for random programs, where those differences travel through a chain of operations.
/// The transcendental functions go through one adapter (Backends/Cpu/Ops/VectorMathAdapter.cs);
/// their own bound is tested where they are defined.
module ArrayLang.Tests.Backends.Cpu.CpuConformanceTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Transforms
open ArrayLang.Compile
open ArrayLang.Backends.Cpu
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.Primitives
open ArrayLang.Tests.Properties

/// The backends under test: fused and op by op.
let backends: (string * IBackend) list =
    [ "fused", CpuBackend.Instance :> IBackend
      "unfused", CpuBackend(CpuOptions(Fuse = false)) :> IBackend ]

/// Compares every result; on a mismatch the message holds the function, its lowered form, the inputs and both results.
let expectSame (rtol: float) (atol: float) (backend: IBackend) (f: Function) (args: NDArray list) (context: string) =
    let expected = ReferenceEvaluator.Evaluate(f, ResizeArray args)
    let exe = backend.Compile f
    let actual = exe.Run(ResizeArray args)
    for j in 0 .. expected.Length - 1 do
        if not (ArrayOps.AllClose(actual.[j], expected.[j], rtol, atol)) then
            let lowered = match exe with :? CpuExecutable as c -> string c.Lowered | _ -> ""
            failtestf "%s: %s result %d differs from the reference\nfunction:\n%O\nlowered:\n%s\ninputs:\n%s\ncpu:       %O\nreference: %O"
                backend.Name context j f lowered (args |> List.map string |> String.concat "\n") actual.[j] expected.[j]

/// The op records: every placement of the batch axis, B = 0, 1 and 3.
let private opRecordTests =
    let byPrim = OpRecords.all |> List.groupBy (fun r -> r.Prim.Name)
    [ for name, records in byPrim do
        for label, backend in backends ->
            test (sprintf "%s/cpu %s = reference" name label) {
                let rng = Random 11
                for r in records do
                    let f = OpRecords.functionOf r
                    for axes in OpRecords.placements r.Operands do
                        for b in [ 0; 1; 3 ] do
                            let batched = Vmap.Apply(f, b, axes |> List.map Option.toNullable |> ResizeArray)
                            let args = [ for p in batched.Params -> randomArray rng p.Type ]
                            expectSame 1e-5 1e-5 backend batched args (sprintf "%s in_axes %A B = %d" r.Label axes b)
            } ]

/// CPU(vmap f) = reference(vmap f) on a random case (its levels applied, as in the vmap properties).
let private checkCase (backend: IBackend) (stats: VmapProperties.Stats option) (c: VmapProperties.VmapCase) =
    let batched = VmapProperties.batchedFunction c
    let rng = Random c.InputSeed
    let args = [ for p in batched.Params -> randomArray rng p.Type ]
    stats |> Option.iter (fun s -> s.Record(c.Program, ReferenceEvaluator.Evaluate(batched, ResizeArray args) |> List.ofArray))
    expectSame 1e-4 1e-4 backend batched args (sprintf "random case%O" c)

let private propertyTests =
    testSequenced <| testList "random programs" [
        for label, backend in backends do
            test (sprintf "cpu %s = reference (vmap)" label) {
                VmapProperties.runProperty (sprintf "cpu %s (vmap)" label) Settings.programCount
                    (VmapProperties.genCase false) (checkCase backend)
            }
            test (sprintf "cpu %s = reference (vmap of vmap)" label) {
                VmapProperties.runProperty (sprintf "cpu %s (vmap of vmap)" label) (max 1 (Settings.programCount / 4))
                    (VmapProperties.genCase true) (checkCase backend)
            }
    ]

[<Tests>]
let tests = testList "cpu conformance" [ testList "op records" opRecordTests; propertyTests ]

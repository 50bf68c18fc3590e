/// The CPU backend's conformance: the shared suite (Conformance.fs) plus the check that register
/// loops and tile routines give the same bits.
module ArrayLang.Tests.Backends.Cpu.CpuConformanceTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Transforms
open ArrayLang.Compile
open ArrayLang.Backends.Cpu
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.Properties
open ArrayLang.Tests.Backends

/// Every float, int and bool result of two runs has the same bits (NaN payloads included).
let private expectBitwise (a: NDArray[]) (b: NDArray[]) (context: string) =
    for j in 0 .. a.Length - 1 do
        let bits (x: NDArray) = Array.init x.Length (fun i -> BitConverter.DoubleToInt64Bits(x.GetDouble(int64 i)))
        if bits a.[j] <> bits b.[j] then failtestf "%s: result %d differs\nregister loops: %O\ntile routines:  %O" context j a.[j] b.[j]

/// Note [register kernels]: the compiled register loops give the same bits as the tile routines
/// they replace, fused and op by op.
let private checkRegisterLoops (stats: VmapProperties.Stats option) (c: VmapProperties.VmapCase) =
    // A batch of 17 to 80 so that loops run whole 64-byte vectors and a tail, not only the tail.
    let rng = Random c.InputSeed
    let l = c.Levels.Head
    let axes (xs: int option list) = xs |> List.map Option.toNullable |> ResizeArray
    let batched = Vmap.Apply(c.Program, 17 + rng.Next 64, axes l.InAxes, axes l.OutAxes)
    let args = ResizeArray [ for p in batched.Params -> randomArray rng p.Type ]
    for fuse in [ true; false ] do
        let compiled = CpuBackend(CompileOptions(Fuse = fuse)).Compile(batched).Run(args)
        let tiles = CpuBackend(CompileOptions(Fuse = fuse), CpuOptions(RegisterKernels = false)).Compile(batched).Run(args)
        expectBitwise compiled tiles (sprintf "fuse = %b, random case%O" fuse c)
        if fuse then stats |> Option.iter (fun s -> s.Record(c.Program, List.ofArray compiled))

[<Tests>]
let tests =
    Conformance.suite CpuBackendProvider.Instance Settings.programCount [
        test "register loops = tile routines, bit for bit" {
            VmapProperties.runProperty "register loops = tile routines" (max 1 (Settings.programCount / 4))
                (VmapProperties.genCase false) checkRegisterLoops |> ignore
        }
        test "with float contraction opted in, the escape-time results change (the bit-for-bit test can see contraction)" {
            let batched, args = Conformance.escapeTimeCase ()
            let exact = CpuBackend.Instance.Compile(batched).Run(args)
            let contracted = CpuBackend(CompileOptions(ContractFloat = true)).Compile(batched).Run(args)
            Expect.equal (CpuBackend(CompileOptions(ContractFloat = true)).Name) "cpu/contract" "the name says so"
            let differs = Seq.exists2 (fun (a: float32) b -> BitConverter.SingleToInt32Bits a <> BitConverter.SingleToInt32Bits b)
                            (exact.[1].Data :?> float32[]) (contracted.[1].Data :?> float32[])
            Expect.isTrue differs "zx*zy + cx contracted rounds once: some of 16,000 results differ"
        } ]

/// Issue 12: compile cost grows linearly with the nesting depth of control flow (Note [linear
/// structural identity] in Core.CSharp/Ir/Function.cs). A 1,000-deep nest of scans once took over
/// 120 s and 5.2 GB on the CPU backend; the bound here is loose (a shared CI machine) but far below
/// what a cost quadratic in the depth would need.
module ArrayLang.Tests.Compile.NestingCostTests

open System
open System.Threading
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Backends.Cpu

/// <c>f(x) = x + 1</c> inside <paramref name="depth"/> nested scans of length 1.
let nestedScans (depth: int) =
    let mutable body = "func b(c: f32[]) -> (f32[]) { r: f32[] = add(c, 1.0)  return (r) }"
    for _ in 1 .. depth do
        body <- sprintf "func b(c: f32[]) -> (f32[]) { r: f32[] = scan[length=1, reverse=false, consts=0, carries=1](c) { %s }  return (r) }" body
    "func f" + body.Substring("func b".Length)

/// Runs <paramref name="work"/> on a thread with a large stack (parsing is recursive in the depth),
/// returning its result, its time and the bytes it allocated.
let private measured (work: unit -> 'a) =
    let mutable result = Unchecked.defaultof<'a>
    let mutable error: exn = null
    let mutable seconds, bytes = 0.0, 0L
    let t =
        Thread((fun () ->
            try
                let before = GC.GetAllocatedBytesForCurrentThread()
                let sw = Diagnostics.Stopwatch.StartNew()
                result <- work ()
                seconds <- sw.Elapsed.TotalSeconds
                bytes <- GC.GetAllocatedBytesForCurrentThread() - before
            with e -> error <- e), 256 * 1024 * 1024)
    t.Start()
    t.Join()
    if not (isNull error) then raise error
    result, seconds, bytes

[<Tests>]
let tests =
    testList "nesting cost" [
        test "a 1,000-deep scan nest compiles for the CPU in under 30 s and 400 MB allocated, and runs" {
            let text = nestedScans 1000
            let (exe: ArrayLang.Compile.IExecutable), seconds, bytes =
                measured (fun () -> CpuBackend.Instance.Compile(IrParser.ParseFunction text))
            printfn "1,000 nested scans: compiled in %.2f s, %.0f MB allocated" seconds (float bytes / 1e6)
            Expect.isLessThan seconds 30.0 "compile time linear in the depth"
            Expect.isLessThan bytes 400_000_000L "compile memory linear in the depth"
            let r, _, _ = measured (fun () -> exe.Run(ResizeArray [ NDArray.Scalar(DType.F32, 1.0) ]))
            Expect.equal (r.[0].GetDouble 0L) 2.0 "x + 1"
        }
        test "compile memory grows linearly: 800 levels allocate less than 3x what 400 do" {
            let cost depth =
                let text = nestedScans depth
                let _, _, bytes = measured (fun () -> CpuBackend.Instance.Compile(IrParser.ParseFunction text))
                bytes
            cost 100 |> ignore // warm the code paths up
            let (a, b) = cost 400, cost 800
            printfn "nested scans: 400 levels %.0f MB, 800 levels %.0f MB" (float a / 1e6) (float b / 1e6)
            Expect.isLessThan (float b) (3.0 * float a) "doubling the depth less than triples the allocations"
        }
    ]

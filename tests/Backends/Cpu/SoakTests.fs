/// The soak test (issue 12, bounded memory): 10^5 calls from 16 threads through the jit cache on a
/// mix of compiled functions, two of them with big arenas, every result checked; afterwards, once
/// CpuBackend.ReleaseIdleMemory and a full collection ran, managed memory, the arenas held and the
/// process's private resident bytes and working set come back to within a stated margin of where they started.
module ArrayLang.Tests.Backends.Cpu.SoakTests

open System
open System.Diagnostics
open System.Runtime
open System.Threading
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Compile
open ArrayLang.Backends.Cpu
open ArrayLang.Tests.TestUtil

let private parse (text: string) = IrParser.ParseFunction(text)

/// sin, a reversal and a product of 4M floats: a 16 MB arena per concurrent call.
let private big =
    parse """func big(x: f32[4000000]) -> (f32[]) {
      a: f32[4000000] = sin(x)  b: f32[4000000] = rev[dims=[0]](a)  c: f32[4000000] = mul(a, b)
      s: f32[] = reduce_sum[axes=[0]](c)  return (s) }"""

/// The same over 256K floats: a 1 MB arena.
let private medium =
    parse """func medium(x: f32[262144]) -> (f32[]) {
      a: f32[262144] = tanh(x)  b: f32[262144] = rev[dims=[0]](a)  c: f32[262144] = add(a, b)
      s: f32[] = reduce_max[axes=[0]](c)  return (s) }"""

let private small =
    [ parse "func e(x: f32[64], y: f32[64]) -> (f32[64]) { a: f32[64] = mul(x, y)  b: f32[64] = exp(a)  return (b) }"
      parse """func m(w: f32[16,16], v: f32[16]) -> (f32[16]) {
        a: f32[16] = dot_general[contract=([1],[0]), batch=([],[])](w, v)  b: f32[16] = tanh(a)  return (b) }"""
      parse """func s(h: f32[8], xs: f32[5,8]) -> (f32[8], f32[5,8]) {
        c: f32[8], ys: f32[5,8] = scan[length=5, consts=0, carries=1](h, xs) {
          func body(h: f32[8], x: f32[8]) -> (f32[8], f32[8]) { u: f32[8] = mul(h, 0.5)  v: f32[8] = add(u, x)  return (v, v) } }
        return (c, ys) }"""
      parse """func w(n: i32[], x: f64[4]) -> (f64[4]) {
        i: i32[], y: f64[4] = while[consts=1](n, 0, x) {
          func go(n: i32[], i: i32[], y: f64[4]) -> (bool[]) { p: bool[] = lt(i, n)  return (p) }
          func step(n: i32[], i: i32[], y: f64[4]) -> (i32[], f64[4]) { j: i32[] = add(i, 1)  z: f64[4] = mul(y, 1.5)  return (j, z) } }
        return (y) }""" ]

/// A field of /proc/self/status in bytes (Linux), or None elsewhere.
let private procStatus (field: string) =
    let path = "/proc/self/status"
    if not (IO.File.Exists path) then None
    else
        IO.File.ReadAllLines path
        |> Array.tryFind (fun l -> l.StartsWith(field + ":"))
        |> Option.map (fun l -> 1024L * int64 (l.Substring(field.Length + 1).Trim().Split(' ').[0]))

/// The process's private resident bytes: anonymous resident memory on Linux (RssAnon; .NET's
/// PrivateMemorySize64 there is VmData, address space that counts glibc's per-thread malloc
/// reservations, resident or not), PrivateMemorySize64 elsewhere.
let private privateResident () =
    match procStatus "RssAnon" with
    | Some b -> b
    | None -> use p = Process.GetCurrentProcess() in p.PrivateMemorySize64

/// Managed bytes, private resident bytes and working set once idle arenas are released and a
/// full, compacting collection returned what it could to the operating system.
let private settledMemory () =
    CpuBackend.ReleaseIdleMemory()
    for _ in 1 .. 2 do
        GCSettings.LargeObjectHeapCompactionMode <- GCLargeObjectHeapCompactionMode.CompactOnce
        GC.Collect(2, GCCollectionMode.Aggressive, true, true)
        GC.WaitForPendingFinalizers()
    use p = Process.GetCurrentProcess()
    GC.GetTotalMemory false, privateResident (), p.WorkingSet64

let private mb (bytes: int64) = float bytes / 1048576.0

/// The margins: managed memory within 8 MB of the start (less than one big arena, 16 MB), private
/// resident bytes and working set within 64 MB (four big arenas; 16 threads once left 1 GB held).
let managedMargin = 8L <<< 20
let processMargin = 64L <<< 20

[<Tests>]
let tests =
    testSequenced <| testList "memory soak" [
        test "10^5 calls from 16 threads: results right, memory back within the margins after ReleaseIdleMemory" {
            let rng = Random 5
            let cases =
                [| for f in big :: medium :: small ->
                    let args = ResizeArray [ for p in f.Params -> if p.Type.DType = DType.I32 then NDArray.Scalar(DType.I32, 3.0) else randomArray rng p.Type ]
                    f, args, Jit.Compile(f, CpuBackend.Instance).Run(args) |] // also warms every path up
            let bigArena = (Jit.Compile(big, CpuBackend.Instance) :?> CpuExecutable).Lowered.Plan.ArenaBytes
            Expect.isGreaterThan bigArena (15L <<< 20) "the big function's arena is 16 MB"
            let mediumArena = (Jit.Compile(medium, CpuBackend.Instance) :?> CpuExecutable).Lowered.Plan.ArenaBytes
            let managed0, private0, working0 = settledMemory ()
            let held0 = CpuBackend.IdleArenaBytes
            let cached0 = Jit.CachedCount
            let calls = 100_000
            let threads = 16
            let errors = Collections.Concurrent.ConcurrentBag<string>()
            let mutable peakHeld = 0L
            let barrier = new Barrier(threads)
            let sw = Stopwatch.StartNew()
            let workers =
                [ for t in 0 .. threads - 1 ->
                    Thread(fun () ->
                        barrier.SignalAndWait()
                        for i in 0 .. calls / threads - 1 do
                            // Every thread starts on the big function at once (16 arenas wanted together),
                            // then mostly small calls, a medium one every 50th, a big one every 1,000th.
                            let k = if i % 1000 = 0 then 0 elif i % 50 = 0 then 1 else 2 + (i + t) % small.Length
                            let f, args, expected = cases.[k]
                            let actual = Jit.Compile(f, CpuBackend.Instance).Run(args)
                            for j in 0 .. expected.Length - 1 do
                                if not (actual.[j].BitwiseEquals expected.[j]) then errors.Add(sprintf "thread %d call %d: %s result %d differs" t i f.Name j)
                            if i % 1000 = 0 then
                                let held = CpuBackend.IdleArenaBytes
                                let mutable seen = Volatile.Read &peakHeld
                                while held > seen && Interlocked.CompareExchange(&peakHeld, held, seen) <> seen do
                                    seen <- Volatile.Read &peakHeld) ]
            for w in workers do w.Start()
            for w in workers do w.Join()
            let elapsed = sw.Elapsed
            let heldBefore = CpuBackend.IdleArenaBytes
            let peakResident = procStatus "VmHWM"
            let managed1, private1, working1 = settledMemory ()
            printfn "memory soak: %d calls on %d threads in %.1f s; idle arenas %.1f MB at most during, %.1f MB after, %d B after ReleaseIdleMemory; managed %.1f -> %.1f MB, private resident %.1f -> %.1f MB, working set %.1f -> %.1f MB (peak %s)"
                calls threads elapsed.TotalSeconds (mb peakHeld) (mb heldBefore) CpuBackend.IdleArenaBytes
                (mb managed0) (mb managed1) (mb private0) (mb private1) (mb working0) (mb working1)
                (match peakResident with Some b -> sprintf "%.1f MB" (mb b) | None -> "unknown")
            Expect.isEmpty errors "every result has the bits of the first call"
            Expect.equal Jit.CachedCount cached0 "no new cache entries: every call was a hit"
            // Two idle arenas per program at most: the big and medium ones, and well under 1 MB for the small ones.
            Expect.isLessThanOrEqual (heldBefore - held0) (2L * (bigArena + mediumArena) + (1L <<< 20)) "at most two idle arenas per program (Note [bounded arenas])"
            Expect.equal CpuBackend.IdleArenaBytes 0L "no idle arena after ReleaseIdleMemory"
            Expect.isLessThanOrEqual (managed1 - managed0) managedMargin "managed memory back within 8 MB"
            Expect.isLessThanOrEqual (private1 - private0) processMargin "private resident bytes back within 64 MB"
            Expect.isLessThanOrEqual (working1 - working0) processMargin "working set back within 64 MB"
        } ]

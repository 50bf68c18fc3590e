/// The bounded jit cache (Note [bounded jit cache] in Core.CSharp/Compile/Jit.cs): 5,000 distinct
/// functions leave at most the bound, the bytes bound holds, the least recently used executable goes
/// first, an evicted executable keeps working (its idle arenas released), a failed compile is not
/// cached, 16 threads race on a cache smaller than their working set, and the environment variables
/// set the bounds. The tests change the process-wide bounds, so they run sequenced (after the
/// parallel tests) and restore them.
module ArrayLang.Tests.Compile.JitCacheTests

open System
open System.Threading
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Compile
open ArrayLang.Backends.Cpu
open ArrayLang.Tests
open ArrayLang.Tests.TestUtil

/// An executable that only counts: the cache, not a backend, is under test.
type private CountingExecutable(f: Function, backend: IBackend, bytes: int64) =
    let mutable released = 0
    member _.Released = Volatile.Read &released
    interface IExecutable with
        member _.Function = f
        member _.Backend = backend
        member _.Run args = Array.ofSeq args
        member _.RetainedBytes = bytes
        member _.ReleaseIdle() = Interlocked.Increment &released |> ignore

/// A backend whose executables report <paramref name="bytes"/> retained; counts its compiles and
/// throws for functions named "broken" while <c>Failing</c> is set.
type private CountingBackend(name: string, bytes: int64) =
    let mutable compiles = 0
    member val Failing = false with get, set
    member _.Compiles = Volatile.Read &compiles
    interface IBackend with
        member _.Name = name
        member this.Compile f =
            Interlocked.Increment &compiles |> ignore
            if this.Failing && f.Name = "broken" then failwith "this backend cannot compile it now"
            CountingExecutable(f, this, bytes) :> IExecutable

/// Function number <paramref name="k"/>: distinct for every k (its literal and its shape differ).
let private numbered (k: int) =
    IrParser.ParseFunction(sprintf "func f(x: f32[%d]) -> (f32[%d]) { a: f32[%d] = add(x, %d.0)  return (a) }" (1 + k % 7) (1 + k % 7) (1 + k % 7) k)

/// Runs <paramref name="work"/> with the cache's bounds set, then restores them and empties the cache.
let private withBounds (entries: int) (bytes: int64) (work: unit -> unit) =
    let entries0, bytes0 = Jit.MaxEntries, Jit.MaxBytes
    try
        Jit.Clear()
        Jit.MaxEntries <- entries
        Jit.MaxBytes <- bytes
        work ()
    finally
        Jit.MaxEntries <- entries0
        Jit.MaxBytes <- bytes0
        Jit.Clear()

let private run1 (exe: IExecutable) (x: NDArray) = exe.Run(ResizeArray [ x ]).[0]

[<Tests>]
let tests =
    testSequenced <| testList "jit cache" [
        test "5,000 distinct functions on the CPU leave at most Jit.MaxEntries executables" {
            withBounds Jit.DefaultMaxEntries Jit.DefaultMaxBytes (fun () ->
                let evicted0 = Jit.Evictions
                for k in 0 .. 4999 do
                    let exe = Jit.Compile(numbered k, CpuBackend.Instance)
                    if k % 1000 = 0 then
                        let x = NDArray.Zeros(DType.F32, 1 + k % 7)
                        Expect.equal ((run1 exe x).GetDouble 0L) (float k) "the executable computes its own function"
                Expect.isLessThanOrEqual Jit.CachedCount Jit.DefaultMaxEntries "bounded in entries"
                Expect.equal Jit.CachedCount Jit.DefaultMaxEntries "full, not emptied"
                Expect.isGreaterThanOrEqual (Jit.Evictions - evicted0) (5000L - int64 Jit.DefaultMaxEntries) "the rest evicted"
                Expect.isLessThanOrEqual Jit.CachedBytes Jit.MaxBytes "bounded in bytes"
                Expect.isTrue (Jit.IsCached(numbered 4999, CpuBackend.Instance)) "the newest is kept"
                Expect.isFalse (Jit.IsCached(numbered 0, CpuBackend.Instance)) "the oldest is gone")
        }
        test "the bytes bound keeps the most recent executables that fit" {
            let backend = CountingBackend("counting/bytes", 1_000_000L)
            withBounds 1000 10_000_000L (fun () ->
                let exes = [ for k in 0 .. 49 -> Jit.Compile(numbered k, backend) :?> CountingExecutable ]
                Expect.equal Jit.CachedCount 10 "ten executables of 1 MB fit in 10 MB"
                Expect.equal Jit.CachedBytes 10_000_000L "their bytes are counted"
                for k in 0 .. 49 do
                    Expect.equal (Jit.IsCached(numbered k, backend)) (k >= 40) (sprintf "function %d cached only if among the last ten" k)
                    Expect.equal exes.[k].Released (if k < 40 then 1 else 0) (sprintf "function %d released its idle memory when evicted" k))
        }
        test "an executable larger than Jit.MaxBytes is still cached, not compiled on every call" {
            let backend = CountingBackend("counting/huge", 1L <<< 40)
            withBounds 1000 1_000_000L (fun () ->
                let a = Jit.Compile(numbered 1, backend)
                let b = Jit.Compile(numbered 1, backend)
                Expect.isTrue (obj.ReferenceEquals(a, b)) "the second call is a hit"
                Expect.equal backend.Compiles 1 "compiled once"
                Jit.Compile(numbered 2, backend) |> ignore
                Expect.isFalse (Jit.IsCached(numbered 1, backend)) "the next one evicts it"
                Expect.isTrue (Jit.IsCached(numbered 2, backend)) "and stays itself")
        }
        test "the least recently used executable is evicted first" {
            let backend = CountingBackend("counting/lru", 0L)
            withBounds 4 Int64.MaxValue (fun () ->
                let compile k = Jit.Compile(numbered k, backend) |> ignore
                for k in 1 .. 4 do compile k
                compile 1 // 1 is now the most recently used, 2 the least
                compile 5
                let cached () = [ for k in 1 .. 6 do if Jit.IsCached(numbered k, backend) then k ]
                Expect.equal (cached ()) [ 1; 3; 4; 5 ] "2 went"
                compile 3
                compile 6
                Expect.equal (cached ()) [ 1; 3; 5; 6 ] "then 4 (3 was used again)"
                Expect.equal backend.Compiles 6 "hits compiled nothing")
        }
        test "an evicted CPU executable keeps working; its idle arenas are released" {
            withBounds 1 Int64.MaxValue (fun () ->
                let f = IrParser.ParseFunction """func f(x: f32[100000]) -> (f32[]) {
                          a: f32[100000] = sin(x)  b: f32[100000] = rev[dims=[0]](a)  c: f32[100000] = mul(a, b)
                          s: f32[] = reduce_sum[axes=[0]](c)  return (s) }"""
                let x = randomArray (Random 3) (AVal(DType.F32, Shape [| 100000 |]))
                let exe = Jit.Compile(f, CpuBackend.Instance) :?> CpuExecutable
                Expect.isGreaterThan exe.RetainedBytes 400_000L "its arena is counted"
                let first = run1 exe x
                Expect.equal exe.IdleArenas 1 "one idle arena after a call"
                Jit.Compile(numbered 7, CpuBackend.Instance) |> ignore
                Expect.isFalse (Jit.IsCached(f, CpuBackend.Instance)) "evicted"
                Expect.equal exe.IdleArenas 0 "its idle arena released on eviction"
                expectBitwise (run1 exe x) first "the evicted executable still runs, with the same bits"
                Expect.isFalse (obj.ReferenceEquals(Jit.Compile(f, CpuBackend.Instance), exe)) "a later Jit.Compile compiles anew")
        }
        test "a compile that throws is not cached" {
            let backend = CountingBackend("counting/failing", 0L, Failing = true)
            withBounds 100 Int64.MaxValue (fun () ->
                let broken = IrParser.ParseFunction "func broken(x: f32[]) -> (f32[]) { return (x) }"
                Expect.throws (fun () -> Jit.Compile(broken, backend) |> ignore) "the backend's error"
                Expect.isFalse (Jit.IsCached(broken, backend)) "not cached"
                backend.Failing <- false
                Jit.Compile(broken, backend) |> ignore
                Expect.equal backend.Compiles 2 "compiled again once it can")
        }
        test "16 threads share a cache smaller than their working set" {
            // 32 CPU functions over a cache of 24: hits and evictions race on every call.
            withBounds 24 Int64.MaxValue (fun () ->
                let fs = Array.init 32 numbered
                let inputs = fs |> Array.map (fun f -> NDArray.Zeros(f.Params.[0].Type))
                let errors = Collections.Concurrent.ConcurrentBag<string>()
                let barrier = new Barrier(16)
                let threads =
                    [ for t in 0 .. 15 ->
                        Thread(fun () ->
                            barrier.SignalAndWait()
                            for i in 0 .. 299 do
                                let k = (i * 7 + t * 5) % fs.Length
                                let r = run1 (Jit.Compile(fs.[k], CpuBackend.Instance)) inputs.[k]
                                if r.GetDouble 0L <> float k then errors.Add(sprintf "thread %d: function %d gave %g" t k (r.GetDouble 0L))) ]
                for t in threads do t.Start()
                for t in threads do t.Join()
                Expect.isEmpty errors "every call ran its own function"
                Expect.isLessThanOrEqual Jit.CachedCount 24 "bounded"
                Expect.isGreaterThan Jit.Evictions 0L "evictions happened"
                Jit.Clear()
                Expect.equal Jit.CachedCount 0 "cleared"
                Expect.equal Jit.CachedBytes 0L "the byte count returns to zero: nothing counted twice or lost")
        }
        test "ARRAYLANG_JIT_CACHE_ENTRIES and ARRAYLANG_JIT_CACHE_BYTES set the bounds; a bad value is a clear error" {
            let child env =
                ChildProcess.runDotnetWith env ChildProcess.testsDll [ "--child"; "jit-bounds" ] (TimeSpan.FromSeconds 60.0)
            let ok = child [ Jit.EntriesVariable, "7"; Jit.BytesVariable, "123456" ]
            Expect.equal ok.ExitCode (Some 0) ok.Stderr
            Expect.stringContains ok.Stdout "entries 7, bytes 123456" "the bounds"
            let bad = child [ Jit.EntriesVariable, "lots" ]
            Expect.equal bad.ExitCode (Some 0) bad.Stderr
            Expect.stringContains bad.Stdout "ArgumentException: ARRAYLANG_JIT_CACHE_ENTRIES=lots: expected a whole number" "the message"
        }
    ]

/// The child scenario of the environment test: prints the bounds, then compiles one function.
let childMain () =
    printfn "entries %d, bytes %d" Jit.MaxEntries Jit.MaxBytes
    try
        Jit.Compile(numbered 1, CpuBackend.Instance) |> ignore
        printfn "compiled"
    with :? ArgumentException as e -> printfn "ArgumentException: %s" e.Message
    0

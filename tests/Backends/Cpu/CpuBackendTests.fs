/// The CPU backend beyond conformance: results that do not depend on the thread count, one
/// executable run by many threads at once, the op tables covering IR.md, the jit cache, names.
module ArrayLang.Tests.Backends.Cpu.CpuBackendTests

open System
open System.Threading.Tasks
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Primitives
open ArrayLang.Compile
open ArrayLang.Compile.Passes
open ArrayLang.Compile.Lowering
open ArrayLang.Reference
open ArrayLang.Backends.Cpu
open ArrayLang.Tests.TestUtil

let private parse (text: string) = IrParser.ParseFunction(text)

/// Reductions long enough to be split into chunks, a product large enough for many row blocks, a
/// scan over many lane tiles: every kind of kernel item partition.
let private heavy =
    parse """func f(x: f32[300000], m: f32[300,1000], w: f32[1000,64], h: f32[3000], xs: f32[20,3000]) -> (f32[], f32[300], f32[300,64], f32[3000]) {
      a: f32[300000] = sin(x)  s: f32[] = reduce_sum[axes=[0]](a)
      b: f32[300,1000] = mul(m, m)  t: f32[300] = reduce_max[axes=[1]](b)
      p: f32[300,64] = dot_general[contract=([1],[0]), batch=([],[])](m, w)  q: f32[300,64] = tanh(p)
      r: f32[3000] = scan[length=20, consts=0, carries=1](h, xs) {
        func body(h: f32[3000], x: f32[3000]) -> (f32[3000]) { u: f32[3000] = mul(h, 0.5)  v: f32[3000] = add(u, x)  return (v) } }
      return (s, t, q, r) }"""

let private heavyArgs () =
    let rng = Random 3
    [ for p in heavy.Params -> randomArray rng p.Type ]

[<Tests>]
let tests =
    testList "cpu backend" [
        test "results do not depend on the number of threads (bitwise)" {
            let args = ResizeArray(heavyArgs ())
            let one = CpuBackend(CpuOptions(MaxThreads = 1)).Compile(heavy).Run(args)
            for threads in [ 2; 3; 8 ] do
                let many = CpuBackend(CpuOptions(MaxThreads = threads)).Compile(heavy).Run(args)
                for j in 0 .. one.Length - 1 do
                    expectBitwise many.[j] one.[j] (sprintf "result %d with %d threads" j threads)
        }
        test "the heavy function agrees with the reference" {
            let args = ResizeArray(heavyArgs ())
            let expected = ReferenceEvaluator.Evaluate(heavy, args)
            let actual = CpuBackend.Instance.Compile(heavy).Run(args)
            for j in 0 .. expected.Length - 1 do
                Expect.isTrue (ArrayOps.AllClose(actual.[j], expected.[j], 1e-4, 1e-3)) (sprintf "result %d" j)
        }
        test "a per-lane while runs as a while kernel and agrees with the reference" {
            let f =
                parse """func f(l: i32[], n: i32[], a: f32[]) -> (i32[], f32[]) {
                  r: i32[], s: f32[] = while[consts=1](l, n, a) {
                    func c(l: i32[], n: i32[], a: f32[]) -> (bool[]) { b: bool[] = lt(n, l)  return (b) }
                    func b(l: i32[], n: i32[], a: f32[]) -> (i32[], f32[]) { m: i32[] = add(n, 1)  h: f32[] = mul(a, 0.5)  k: f32[] = add(h, 1.0)  return (m, k) }
                  }
                  return (r, s) }"""
            let b = 5000
            let g = ArrayLang.Transforms.Vmap.Apply(f, b, ResizeArray [ Nullable 0; Nullable 0; Nullable 0 ])
            let exe = CpuBackend.Instance.Compile g :?> CpuExecutable
            Expect.equal exe.Lowered.KernelSummary "while 1" "one lane-parallel while kernel"
            let rng = Random 9
            // Lanes of the first tile stop after at most 3 steps, the others run up to 40.
            let limits = Array.init b (fun i -> if i < 2048 then rng.Next 4 else rng.Next 41)
            let args = ResizeArray [ NDArray.Of(limits, b); NDArray.Of(Array.zeroCreate<int> b, b); randomArray rng (AVal.Of(DType.F32, b)) ]
            let expected = ReferenceEvaluator.Evaluate(g, args)
            for threads in [ 1; 4 ] do
                let actual = CpuBackend(CpuOptions(MaxThreads = threads)).Compile(g).Run(args)
                expectBitwise actual.[0] expected.[0] "iteration counts"
                expectBitwise actual.[1] expected.[1] "carried values"
        }
        test "a per-lane while over many chunks retires finished lanes and refills their places, bit for bit" {
            // Lanes far more than one working set, counts from 0 to 60: retirement, refill from the
            // chunk and compaction at its end all happen (Note [retiring lanes]).
            let f =
                parse """func f(l: i32[], n: i32[], a: f32[]) -> (i32[], f32[]) {
                  r: i32[], s: f32[] = while[consts=1](l, n, a) {
                    func c(l: i32[], n: i32[], a: f32[]) -> (bool[]) { b: bool[] = lt(n, l)  return (b) }
                    func b(l: i32[], n: i32[], a: f32[]) -> (i32[], f32[]) { m: i32[] = add(n, 1)  h: f32[] = mul(a, 0.75)  k: f32[] = add(h, 0.25)  return (m, k) }
                  }
                  return (r, s) }"""
            let b = 150_001
            let g = ArrayLang.Transforms.Vmap.Apply(f, b, ResizeArray [ Nullable 0; Nullable 0; Nullable 0 ])
            let rng = Random 5
            let limits = Array.init b (fun i -> if i % 7 = 0 then rng.Next 61 else rng.Next 8)
            let starts = Array.init b (fun _ -> rng.Next 3)
            let args = ResizeArray [ NDArray.Of(limits, b); NDArray.Of(starts, b); randomArray rng (AVal.Of(DType.F32, b)) ]
            let expected = ReferenceEvaluator.Evaluate(g, args)
            for threads in [ 1; 3 ] do
                let exe = CpuBackend(CpuOptions(MaxThreads = threads)).Compile(g) :?> CpuExecutable
                Expect.equal exe.Lowered.KernelSummary "while 1" "one lane-parallel while kernel"
                let actual = exe.Run(args)
                expectBitwise actual.[0] expected.[0] "iteration counts"
                expectBitwise actual.[1] expected.[1] "carried values"
        }
        test "a scan writes its stacked ys straight into a batch-first result, forward and reversed" {
            for reverse in [ false; true ] do
                let f =
                    parse (sprintf """func f(s: f32[], z: f32[37]) -> (f32[37], f32[]) {
                      c: f32[], ys: f32[37] = scan[length=37, reverse=%b, consts=0, carries=1](s, z) {
                        func body(s: f32[], z: f32[]) -> (f32[], f32[]) { h: f32[] = mul(s, 0.5)  n: f32[] = add(h, z)  return (n, n) } }
                      return (ys, c) }""" reverse)
                let b = 3001
                let g = ArrayLang.Transforms.Vmap.Apply(f, b, ResizeArray [ Nullable 0; Nullable 0 ])
                let exe = CpuBackend.Instance.Compile g :?> CpuExecutable
                Expect.equal exe.Lowered.KernelSummary "scan 1" "no copy after the scan"
                let rng = Random 11
                let args = ResizeArray [ for p in g.Params -> randomArray rng p.Type ]
                let expected = ReferenceEvaluator.Evaluate(g, args)
                let actual = exe.Run(args)
                expectBitwise actual.[0] expected.[0] (sprintf "stacked ys (reverse=%b)" reverse)
                expectBitwise actual.[1] expected.[1] (sprintf "final carry (reverse=%b)" reverse)
        }
        test "many threads may run one executable at once" {
            let exe = Jit.Compile(heavy, CpuBackend.Instance)
            let args = ResizeArray(heavyArgs ())
            let expected = exe.Run(args)
            let results = Array.zeroCreate 12
            Parallel.For(0, results.Length, fun i -> results.[i] <- exe.Run(args)) |> ignore
            for r in results do
                for j in 0 .. expected.Length - 1 do expectBitwise r.[j] expected.[j] (sprintf "concurrent result %d" j)
        }
        test "16 threads leave at most two idle arenas, and idle arenas are released (Note [bounded arenas])" {
            // 4M floats of intermediates: a 16 MB arena per concurrent call.
            let f = parse """func f(x: f32[4000000]) -> (f32[]) {
                      a: f32[4000000] = sin(x)  b: f32[4000000] = rev[dims=[0]](a)  c: f32[4000000] = mul(a, b)
                      s: f32[] = reduce_sum[axes=[0]](c)  return (s) }"""
            let exe = CpuBackend(CompileOptions(Passes = Pipeline([]))).Compile f :?> CpuExecutable
            Expect.isGreaterThan exe.Lowered.Plan.ArenaBytes 10_000_000L "the program has a large arena"
            let args = ResizeArray [ NDArray.Zeros(DType.F32, 4000000) ]
            let barrier = new System.Threading.Barrier(16)
            let threads =
                [ for _ in 1 .. 16 ->
                    System.Threading.Thread(fun () -> barrier.SignalAndWait(); exe.Run(args) |> ignore) ]
            for t in threads do t.Start()
            for t in threads do t.Join()
            Expect.isLessThanOrEqual exe.IdleArenas 2 "a bounded pool, not one arena per thread that called"
            CpuBackend.ReleaseIdleMemory()
            Expect.equal exe.IdleArenas 0 "released on demand (and after 10 s idle)"
            Expect.equal (exe.Run(args).[0].GetDouble 0L) 0.0 "still runs afterwards"
        }
        test "the jit cache gives one executable per function and configuration" {
            let f = parse "func f(x: f32[4]) -> (f32[4]) { a: f32[4] = exp(x)  return (a) }"
            let g = parse "func g(y: f32[4]) -> (f32[4]) { b: f32[4] = exp(y)  return (b) }"
            let a = Jit.Compile(f, CpuBackend.Instance)
            Expect.isTrue (obj.ReferenceEquals(a, Jit.Compile(g, CpuBackend.Instance))) "alpha-equivalent functions share an executable"
            let unfused = Jit.Compile(f, CpuBackend(CompileOptions(Fuse = false)))
            Expect.isFalse (obj.ReferenceEquals(a, unfused)) "a differently configured backend compiles its own"
        }
        test "backend names say their configuration" {
            Expect.equal CpuBackend.Instance.Name "cpu" "default"
            Expect.equal (CpuBackend(CompileOptions(Fuse = false)).Name) "cpu/nofusion" "op by op"
            let noFactoring = CompileOptions(Passes = Pipeline.StandardWith(SimplifyOptions(FactorReductions = false)))
            Expect.equal (CpuBackend(noFactoring).Name) "cpu/[dce, cse, simplify(no-factoring), dce]" "other passes"
        }
        test "every elementwise primitive has a CPU routine for every dtype it accepts" {
            let expected =
                [ for p in Elementwise.All do
                    match p with
                    | :? UnaryOp as u -> for d in u.DTypes -> p, d, d
                    | :? BinaryOp as b -> for d in b.DTypes -> p, d, d
                    | :? CompareOp -> for d in DTypes.All -> p, d, DType.Bool
                    | :? PredicateOp -> for d in DTypes.Floats -> p, d, DType.Bool
                    | :? SelectOp -> for d in DTypes.All -> p, d, d
                    | :? ConvertOp -> for d in DTypes.All do for t in DTypes.All -> p, d, t
                    | _ -> failtestf "unknown elementwise primitive %s" p.Name ]
            Expect.isGreaterThan expected.Length 100 "the table is enumerated"
            let missing =
                [ for p, d, r in expected do
                    if not (CpuBackend.HasRoutine(p, d, r)) then yield sprintf "%s %s -> %s" p.Name (d.Name()) (r.Name()) ]
            Expect.isEmpty missing "elementwise routines missing from the CPU op table"
        }
        test "every other primitive is a view, a reduction, a contraction or has a primitive-kernel routine" {
            for p in PrimitiveRegistry.Primitives.All do
                let covered =
                    Lowering.ElementwisePrimitives.Contains p || Lowering.ViewPrimitives.Contains p
                    || Lowering.ReducePrimitives.Contains p || p = (Contraction.DotGeneral :> Primitive)
                    || CpuBackend.HasPrimitiveKernel p
                Expect.isTrue covered (sprintf "primitive %s has no lowering on the CPU backend" p.Name)
        }
        test "intermediates beyond one array's reach are refused with a way out; fused, they never exist" {
            let f =
                parse """func f(x: f32[]) -> (f32[]) {
                  a: f32[1024,1024,600] = broadcast_in_dim[shape=[1024,1024,600], dims=[]](x)  b: f32[1024,1024,600] = mul(a, 2.0)
                  c: f32[] = reduce_sum[axes=[0,1,2]](b)  return (c) }"""
            let unfused = CpuBackend(CompileOptions(Fuse = false, Passes = Pipeline([])))
            let exe = unfused.Compile f
            Expect.throwsT<ResourceLimitException> (fun () -> exe.Run(ResizeArray [ NDArray.Scalar(DType.F32, 1.0) ]) |> ignore) "too large"
            let fusedExe = CpuBackend(CompileOptions(Passes = Pipeline([]))).Compile f :?> CpuExecutable
            Expect.equal fusedExe.PeakBytes 4L "fused: only the scalar result is allocated"
        }
        test "an elementwise chain on one element type runs as one register loop; bool work stays on tiles" {
            let chain = parse "func f(x: f32[5000], y: f32[5000]) -> (f32[5000]) { a: f32[5000] = mul(x, y)  b: f32[5000] = sin(x)  c: f32[5000] = add(a, b)  return (c) }"
            let exe = CpuBackend.Instance.Compile chain :?> CpuExecutable
            Expect.equal exe.RegisterLoops 1 "one kernel, one loop"
            let tiles = CpuBackend(CpuOptions(RegisterKernels = false)).Compile chain :?> CpuExecutable
            Expect.equal tiles.RegisterLoops 0 "switched off"
            let rng = Random 3
            let args = ResizeArray [ for p in chain.Params -> randomArray rng p.Type ]
            Expect.isTrue (ArrayOps.AllClose(exe.Run(args).[0], tiles.Run(args).[0], 0.0, 0.0)) "same results"
            let masks = parse "func g(x: f32[64]) -> (f32[64]) { p: bool[64] = gt(x, 0.0)  n: f32[64] = neg(x)  r: f32[64] = select(p, x, n)  return (r) }"
            Expect.equal (CpuBackend.Instance.Compile masks :?> CpuExecutable).RegisterLoops 1 "bools inside the loop are lane masks"
            let converting = parse "func h(x: f32[64]) -> (i32[64]) { a: f32[64] = mul(x, 3.0)  r: i32[64] = convert[to=i32](a)  return (r) }"
            Expect.equal (CpuBackend.Instance.Compile converting :?> CpuExecutable).RegisterLoops 0 "a conversion between sizes runs on tiles"
        }
        test "a select skips a branch no lane of a vector (or tile) takes, with the same results" {
            // vmap of a cond on a per-lane predicate: both branches and a select (Note [skipped branches]).
            let f =
                parse """func f(x: f32[100]) -> (f32[100]) {
                  p: bool[100] = gt(x, 0.0)  a: f32[100] = exp(x)  b: f32[100] = mul(a, x)  c: f32[100] = sin(x)  d: f32[100] = add(c, 1.0)
                  r: f32[100] = select(p, b, d)  return (r) }"""
            let exe = CpuBackend.Instance.Compile f :?> CpuExecutable
            Expect.equal exe.RegisterLoops 1 "one loop"
            let tiles = CpuBackend(CpuOptions(RegisterKernels = false)).Compile f
            for values in [ Array.create 100 2.0f; Array.create 100 -2.0f; Array.init 100 (fun i -> float32 (i % 7) - 3.0f); Array.init 100 (fun i -> if i < 50 then 1.0f else -1.0f) ] do
                let args = ResizeArray [ NDArray.Of(values, 100) ]
                let expected = ReferenceEvaluator.Evaluate(f, args)
                let got = exe.Run args
                Expect.isTrue (ArrayOps.AllClose(got.[0], tiles.Run(args).[0], 0.0, 0.0)) "same bits as the tile routines"
                Expect.isTrue (ArrayOps.AllClose(got.[0], expected.[0], 1e-6, 1e-6)) (sprintf "agrees with the reference: %O vs %O" got.[0] expected.[0])
            // A branch with a conversion keeps the kernel on the tile routines, which skip it per tile.
            let mixed =
                parse """func g(x: f32[5000]) -> (f32[5000]) {
                  p: bool[5000] = gt(x, 0.0)  a: i32[5000] = convert[to=i32](x)  b: f32[5000] = convert[to=f32](a)  c: f32[5000] = mul(b, 2.0)
                  r: f32[5000] = select(p, c, x)  return (r) }"""
            let mixedExe = CpuBackend.Instance.Compile mixed :?> CpuExecutable
            Expect.equal mixedExe.RegisterLoops 0 "tile routines"
            for values in [ Array.create 5000 2.5f; Array.create 5000 -2.5f; Array.init 5000 (fun i -> if i < 2500 then 1.5f else -1.5f); Array.init 5000 (fun i -> float32 (i % 5) - 2.0f) ] do
                let args = ResizeArray [ NDArray.Of(values, 5000) ]
                Expect.isTrue (ArrayOps.AllClose(mixedExe.Run(args).[0], ReferenceEvaluator.Evaluate(mixed, args).[0], 0.0, 0.0)) "tile routines with skipped branches agree with the reference"
        }
        test "a wrong argument is reported with its position and types" {
            let f = parse "func f(x: f32[4]) -> (f32[4]) { a: f32[4] = exp(x)  return (a) }"
            let exe = CpuBackend.Instance.Compile f
            Expect.throwsT<IrException> (fun () -> exe.Run(ResizeArray [ NDArray.Zeros(DType.F32, 3) ]) |> ignore) "wrong shape"
        }
    ]

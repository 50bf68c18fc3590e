/// Note [conformance hash]: one stable hash of the bits of every result of the conformance
/// programs on the CPU backend, for CI to compare across vector widths (issue 12, item 7): `.ci/run`
/// runs `--conformance-hash` plainly (AVX-512 where present), with DOTNET_EnableAVX512=0 and with
/// DOTNET_EnableAVX2=0, and fails when the hashes differ. The programs are fixed (seeded), so the
/// hash depends only on the results:
/// - the op records, every batch placement, B = 0, 1, 3 and 67, fused and op by op; elementwise
///   records also at B = 20,011 with every operand batched (120,066 elements: whole vectors of
///   every width and a tail);
/// - reductions, cumulative sums, products and argmax long enough to split into vector partial
///   results (Note [vector widths]), in f32 and f64;
/// - a fixed-seed set of random programs (the generator of the vmap properties), each at its own
///   batch level and at a batch of 17 to 80, fused and op by op;
/// - the IR examples of tests/data/ir-examples on their inputs, and the fuzzers' seed programs.
/// The hash is 64-bit FNV-1a over each case's label, each result's dtype, shape and bits. NaN
/// payloads are not part of the semantics (IR.md), so every NaN hashes as one canonical NaN; all
/// other bits count, -0.0 included. A case that throws hashes its exception's type and message.
module ArrayLang.Tests.Backends.Cpu.ConformanceHash

open System
open System.IO
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Npy
open ArrayLang.Primitives
open ArrayLang.Transforms
open ArrayLang.Compile
open ArrayLang.Backends.Cpu
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.Primitives
open ArrayLang.Tests.Properties

/// 64-bit FNV-1a.
type Fnv() =
    let mutable h = 14695981039346656037UL
    member _.Value = h
    member _.Byte(b: byte) = h <- (h ^^^ uint64 b) * 1099511628211UL
    member f.UInt64(x: uint64) = for i in 0 .. 7 do f.Byte(byte (x >>> (8 * i)))
    member f.String(s: string) =
        for b in Text.Encoding.UTF8.GetBytes s do f.Byte b
        f.Byte 0uy

    /// An array's dtype, shape and element bits (NaNs canonical).
    member f.Array(a: NDArray) =
        f.String(string a.Type)
        match a.Data with
        | :? (float32[]) as xs -> for x in xs do f.UInt64(uint64 (uint32 (BitConverter.SingleToInt32Bits(if Single.IsNaN x then Single.NaN else x))))
        | :? (float[]) as xs -> for x in xs do f.UInt64(uint64 (BitConverter.DoubleToInt64Bits(if Double.IsNaN x then Double.NaN else x)))
        | :? (int[]) as xs -> for x in xs do f.UInt64(uint64 (uint32 x))
        | :? (bool[]) as xs -> for x in xs do f.Byte(if x then 1uy else 0uy)
        | d -> failwithf "no hash for arrays of %s" (d.GetType().Name)

/// One conformance case: a label, the backend, the function and its arguments (made on demand).
type Case = { Label: string; Backend: IBackend; Make: unit -> Function * NDArray list }

let private fused = CpuBackend.Instance :> IBackend
let private unfused = CpuBackend(CompileOptions(Fuse = false)) :> IBackend
let private nullable (xs: int option list) = xs |> List.map Option.toNullable |> ResizeArray

let private argsFor (seed: int) (f: Function) =
    let rng = Random seed
    [ for p in f.Params -> randomArray rng p.Type ]

let private opRecordCases () =
    [ for i, r in List.indexed OpRecords.all do
        let f = OpRecords.functionOf r
        let elementwise = Elementwise.All |> Seq.exists (fun p -> obj.ReferenceEquals(p, r.Prim))
        let wide = if elementwise then [ r.Operands |> List.map (fun _ -> Some 0), 20011 ] else []
        let placed = [ for axes in OpRecords.placements r.Operands do for b in [ 0; 1; 3; 67 ] -> axes, b ]
        for j, (axes, b) in List.indexed (placed @ wide) do
            for backend in [ fused; unfused ] ->
                { Label = sprintf "op record %s in_axes %A B = %d" r.Label axes b
                  Backend = backend
                  Make = fun () ->
                    let g = Vmap.Apply(f, b, nullable axes)
                    g, argsFor (i * 1000 + j) g } ]

/// Long reductions and products (Note [vector widths]: partial results per vector position).
let private longCases () =
    let texts =
        [ for d in [ "f32"; "f64" ] do
            for op in [ "reduce_sum"; "reduce_prod"; "reduce_max"; "reduce_min" ] do
                yield sprintf "func r(x: %s[1000003]) -> (%s[]) { s: %s[] = %s[axes=[0]](x)  return (s) }" d d d op
                yield sprintf "func r(x: %s[997,1031]) -> (%s[997], %s[1031]) { a: %s[997] = %s[axes=[1]](x)  b: %s[1031] = %s[axes=[0]](x)  return (a, b) }" d d d d op d op
            yield sprintf "func c(x: %s[100003]) -> (%s[100003]) { s: %s[100003] = cumsum[axis=0](x)  return (s) }" d d d
            yield sprintf "func a(x: %s[1000003]) -> (i32[]) { s: i32[] = argmax[axis=0](x)  return (s) }" d
            yield sprintf "func d(a: %s[203,301], b: %s[301,107]) -> (%s[203,107]) { p: %s[203,107] = dot_general[contract=([1],[0]), batch=([],[])](a, b)  return (p) }" d d d d
            yield sprintf "func v(a: %s[1000003], b: %s[1000003]) -> (%s[]) { m: %s[1000003] = mul(a, b)  s: %s[] = reduce_sum[axes=[0]](m)  return (s) }" d d d d d ]
    [ for i, text in List.indexed texts do
        for backend in [ fused; unfused ] ->
            { Label = sprintf "long %d: %s" i text
              Backend = backend
              Make = fun () -> let f = IrParser.ParseFunction text in f, argsFor (7000 + i) f } ]

/// How many random programs the hash covers.
let randomPrograms = 1000

let private randomCases () =
    [ for seed in 1 .. randomPrograms do
        for backend in [ fused; unfused ] do
            yield { Label = sprintf "random program %d" seed
                    Backend = backend
                    Make = fun () ->
                        let c = VmapProperties.caseOfSeed false seed
                        let g = VmapProperties.batchedFunction c
                        g, argsFor c.InputSeed g }
            yield { Label = sprintf "random program %d, batch 17-80" seed
                    Backend = backend
                    Make = fun () ->
                        let c = VmapProperties.caseOfSeed false seed
                        let l = c.Levels.Head
                        let g = Vmap.Apply(c.Program, 17 + seed % 64, nullable l.InAxes, nullable l.OutAxes)
                        g, argsFor c.InputSeed g } ]

let private dataDir = Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "data", "ir-examples")
let private seedsDir = Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "Fuzz", "seeds")

/// The levels of an example's `args` (`--vmap AXES` innermost first, then `--out-axes AXES`).
let private exampleLevels (args: string) =
    let axes (s: string) = s.Split ',' |> Array.map (fun a -> if a = "none" then None else Some(int a)) |> List.ofArray
    let rec go tokens vmaps outAxes =
        match tokens with
        | "--vmap" :: a :: rest -> go rest (vmaps @ [ axes a ]) outAxes
        | "--out-axes" :: a :: rest -> go rest vmaps (Some(axes a))
        | [] -> vmaps, outAxes
        | t :: _ -> failwithf "%s: unexpected %s" dataDir t
    go (args.Split([| ' '; '\n' |], StringSplitOptions.RemoveEmptyEntries) |> List.ofArray) [] None

/// The example's function batched to its inputs: each level's batch size read from its first batched input.
let private batchExample (f: Function) (levels: int option list list) (outAxes: int option list option) (inputs: NDArray list) =
    // Batch sizes, outermost first: the outer axes index the inputs as given; slicing one example
    // off the outer level exposes the next level's axes.
    let rec sizes (levels: int option list list) (xs: NDArray list) =
        match List.rev levels with
        | [] -> []
        | outer :: innerRev ->
            let normalize (x: NDArray) a = if a < 0 then a + x.Shape.Rank else a
            let x, a = List.zip xs outer |> List.pick (fun (x, a) -> a |> Option.map (fun a -> x, normalize x a))
            let b = x.Shape.[a]
            let sliced = List.map2 (fun (x: NDArray) a -> match a with Some a -> ArrayOps.Index(x, normalize x a, 0) | None -> x) xs outer
            b :: sizes (List.rev innerRev) sliced
    let bs = sizes levels inputs |> List.rev
    List.zip levels bs
    |> List.fold (fun (g: Function, k) (axes, b) ->
        let isOuter = k = levels.Length - 1
        let out = if isOuter then outAxes |> Option.map nullable |> Option.toObj else null
        Vmap.Apply(g, b, nullable axes, out), k + 1) (f, 0)
    |> fst

let private exampleCases () =
    [ if Directory.Exists dataDir then
        for d in Directory.GetDirectories dataDir |> Array.sort do
            let name = Path.GetFileName d
            yield { Label = sprintf "ir example %s" name
                    Backend = fused
                    Make = fun () ->
                        let f = IrParser.ParseFunction(File.ReadAllText(Path.Combine(d, "program.ir")))
                        let inputs = [ for i in 0 .. f.Params.Length - 1 -> NpyFile.Read(Path.Combine(d, sprintf "in%d.npy" i)) ]
                        let levels, outAxes = exampleLevels (File.ReadAllText(Path.Combine(d, "args")))
                        batchExample f levels outAxes inputs, inputs }
      for p in Directory.GetFiles(seedsDir, "*.ir") |> Array.sort do
        for backend in [ fused; unfused ] ->
            { Label = sprintf "fuzz seed %s" (Path.GetFileName p)
              Backend = backend
              Make = fun () -> let f = IrParser.ParseFunction(File.ReadAllText p, p) in f, argsFor 99 f } ]

/// Every case, in a fixed order.
let allCases () = opRecordCases () @ longCases () @ randomCases () @ exampleCases ()

/// The hash of one case's results on its backend.
let hashCase (c: Case) =
    let h = Fnv()
    h.String c.Label
    h.String c.Backend.Name
    try
        let f, args = c.Make()
        for r in c.Backend.Compile(f).Run(ResizeArray args) do h.Array r
    with e -> h.String(sprintf "error %s: %s" (e.GetType().Name) e.Message)
    h.Value

/// Hashes every case: the hash of all, and one line per case (label, backend, hash).
let run (cases: Case list) =
    let all = Fnv()
    let lines =
        [ for c in cases ->
            let v = hashCase c
            all.UInt64 v
            sprintf "%016x  %s  %s" v c.Backend.Name c.Label ]
    all.Value, lines

/// `--conformance-hash [--out FILE]`: prints the hash (and writes the per-case lines to FILE).
let main (args: string list) =
    let out =
        match args with
        | [] -> None
        | [ "--out"; path ] -> Some path
        | _ -> failwithf "usage: --conformance-hash [--out FILE], found %A" args
    let sw = Diagnostics.Stopwatch.StartNew()
    let cases = allCases ()
    let hash, lines = run cases
    out |> Option.iter (fun p -> File.WriteAllLines(p, lines))
    printfn "conformance hash %016x: %d cases (op records, long reductions, %d random programs, examples) on the CPU backend at %d-bit vectors, fused and op by op, in %.1f s"
        hash cases.Length randomPrograms VectorWidth.Bits sw.Elapsed.TotalSeconds
    0

[<Tests>]
let tests =
    testList "conformance hash" [
        test "a sample of the cases runs without error and hashes the same twice" {
            let sample = allCases () |> List.indexed |> List.filter (fun (i, c) -> i % 40 = 0 || c.Label.StartsWith "ir example") |> List.map snd
            for c in sample do
                try
                    let f, args = c.Make()
                    c.Backend.Compile(f).Run(ResizeArray args) |> ignore
                with e -> failtestf "%s on %s: %s" c.Label c.Backend.Name e.Message
            Expect.equal (fst (run sample)) (fst (run sample)) "the same hash on a second run"
        }
        test "one flipped bit changes the hash, a different NaN payload does not" {
            let hashOf (xs: float32[]) = let h = Fnv() in h.Array(NDArray(DType.F32, Shape [| xs.Length |], xs)); h.Value
            let xs = [| 1.0f; -0.0f; Single.NaN |]
            let flipped = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits 1.0f ^^^ 1)
            Expect.notEqual (hashOf xs) (hashOf [| flipped; -0.0f; Single.NaN |]) "last bit of one element"
            Expect.notEqual (hashOf xs) (hashOf [| 1.0f; 0.0f; Single.NaN |]) "-0.0 differs from 0.0"
            Expect.equal (hashOf xs) (hashOf [| 1.0f; -0.0f; BitConverter.Int32BitsToSingle 0x7fc00123 |]) "NaN payloads are not compared"
        }
    ]

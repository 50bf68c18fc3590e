/// The central property on random well-typed programs: vmap f equals a loop of f (and vmap of
/// vmap equals the double loop), with random in_axes, out_axes and batch sizes 0, 1 and larger.
/// Failures shrink to a small program printed in IR text with its inputs.
module ArrayLang.Tests.Properties.VmapProperties

open System
open System.Collections.Generic
open System.Diagnostics
open Expecto
open FsCheck
open FsCheck.FSharp
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Primitives
open ArrayLang.Transforms
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.Generators

/// One level of vmap: an axis per parameter (None: shared), an axis per result, the batch size.
type Level =
    { InAxes: int option list
      OutAxes: int option list
      B: int }

/// A random program with the vmap levels applied to it (innermost first) and the seed of its inputs.
type VmapCase =
    { Program: Function
      Levels: Level list
      InputSeed: int }

    override c.ToString() =
        let levels =
            c.Levels
            |> List.map (fun l ->
                let ax xs = xs |> List.map (function Some a -> string a | None -> "none") |> String.concat ","
                sprintf "--vmap %s --out-axes %s (B = %d)" (ax l.InAxes) (ax l.OutAxes) l.B)
            |> String.concat "; "
        sprintf "\n%O\nlevels (innermost first): %s\ninput seed: %d" c.Program levels c.InputSeed

let private nullable (xs: int option list) = xs |> List.map Option.toNullable |> ResizeArray

/// The function after applying every level (innermost first).
let batchedFunction (c: VmapCase) =
    c.Levels |> List.fold (fun (f: Function) l -> Vmap.Apply(f, l.B, nullable l.InAxes, nullable l.OutAxes)) c.Program

/// The per-level parameter types: level k's function takes arguments of these types.
let private levelFunctions (c: VmapCase) =
    c.Levels |> List.scan (fun (f: Function) l -> Vmap.Apply(f, l.B, nullable l.InAxes, nullable l.OutAxes)) c.Program

let private normalize (rank: int) (a: int option) = a |> Option.map (fun a -> if a < 0 then a + rank else a)

/// Evaluates by explicit loops: for the outermost level, slice each batched argument per example,
/// evaluate the inner levels, and stack the results along the out axes.
let rec loopEvaluate (f: Function) (levels: Level list) (fs: Function list) (args: NDArray list) : NDArray list =
    match levels with
    | [] -> ReferenceEvaluator.Evaluate(f, ResizeArray args) |> List.ofArray
    | _ ->
        let outer = List.last levels
        let inner = levels |> List.take (levels.Length - 1)
        let innerF = fs.[levels.Length - 1]
        let axes = List.map2 (fun (x: NDArray) a -> normalize x.Shape.Rank a) args outer.InAxes
        let perExample =
            [ for b in 0 .. outer.B - 1 ->
                let sliced = List.map2 (fun (x: NDArray) a -> match a with Some ax -> ArrayOps.Index(x, ax, b) | None -> x) args axes
                loopEvaluate f inner fs sliced ]
        [ for j in 0 .. innerF.Results.Length - 1 ->
            match outer.OutAxes.[j] with
            | Some o ->
                let t = innerF.ResultTypes.[j]
                ArrayOps.Stack(ResizeArray [ for r in perExample -> r.[j] ], normalize (t.Rank + 1) (Some o) |> Option.get, t)
            | None ->
                // An unbatched result is the same for every example. With B = 0 there is no example,
                // so compute it from any per-example arguments: zeros where they would be sliced.
                match perExample with
                | r :: _ -> r.[j]
                | [] ->
                    let stand = List.map2 (fun (x: NDArray) a ->
                                    match a with
                                    | Some ax -> NDArray.Zeros(x.Type.WithShape(x.Shape.Remove ax))
                                    | None -> x) args axes
                    (loopEvaluate f inner fs stand).[j] ]

/// Statistics reported after a run: primitives used and the share of finite float results.
type Stats() =
    let histogram = SortedDictionary<string, int>()
    member val FiniteElements = 0L with get, set
    member val FloatElements = 0L with get, set
    member val Cases = 0 with get, set
    member _.Histogram = histogram
    member s.Record(f: Function, results: NDArray list) =
        s.Cases <- s.Cases + 1
        for p in ProgramGen.primitivesOf f do
            histogram.[p] <- (match histogram.TryGetValue p with | true, n -> n + 1 | _ -> 1)
        for r in results do
            if r.DType.IsFloat() then
                for i in 0 .. r.Length - 1 do
                    s.FloatElements <- s.FloatElements + 1L
                    if Double.IsFinite(r.GetDouble(int64 i)) then s.FiniteElements <- s.FiniteElements + 1L
    member s.Report(name: string, elapsed: TimeSpan) =
        let share = if s.FloatElements = 0L then 1.0 else float s.FiniteElements / float s.FloatElements
        let hist = s.Histogram |> Seq.map (fun kv -> sprintf "%s %d" kv.Key kv.Value) |> String.concat ", "
        printfn "%s: %d programs in %.1f s; %d float result elements, %.1f%% finite; primitives used (%d kinds): %s"
            name s.Cases elapsed.TotalSeconds s.FloatElements (100.0 * share) s.Histogram.Count hist

/// Checks one case; the failure message holds everything needed to paste it into a regression test.
let checkCase (stats: Stats option) (c: VmapCase) =
    let fs = levelFunctions c
    let batched = List.last fs
    TypeChecker.Check batched
    let rng = Random c.InputSeed
    let args = [ for p in batched.Params -> randomArray rng p.Type ]
    let expected = loopEvaluate c.Program c.Levels fs args
    let actual = ReferenceEvaluator.Evaluate(batched, ResizeArray args) |> List.ofArray
    stats |> Option.iter (fun s -> s.Record(c.Program, expected))
    List.iteri2 (fun j (a: NDArray) (e: NDArray) ->
        if not (ArrayOps.AllClose(a, e, 1e-5, 1e-6)) then
            failwithf "vmap = loop failed for result %d of%O\nbatched:\n%O\ninputs:\n%s\nvmap: %O\nloop: %O"
                j c batched (args |> List.map string |> String.concat "\n") a e) actual expected

/// A random level for `f`: each parameter batched (at a random axis, negative ones too) or shared,
/// a random batch size (0, 1 and larger), and out axes (none where the result does not depend on the batch).
let randomLevel (rng: Random) (f: Function) =
    let b = match rng.Next 10 with 0 -> 0 | 1 | 2 -> 1 | _ -> 2 + rng.Next 3
    let inAxes =
        [ for p, isConst in Seq.zip f.Params f.ConstMask ->
            if isConst || rng.Next 10 < 3 then None
            else
                let r = p.Type.Rank + 1
                Some(rng.Next(-r, r)) ]
    let struct (_, natural) = Vmap.Batch(f, nullable inAxes, null, b, PrimitiveRegistry.Batching)
    let outAxes =
        [ for j in 0 .. f.Results.Length - 1 ->
            if not natural.[j].HasValue && rng.Next 2 = 0 then None
            else Some(rng.Next(f.ResultTypes.[j].Rank + 1)) ]
    { InAxes = inAxes; OutAxes = outAxes; B = b }

/// Programs of up to 10 equations, control flow nested two deep.
let config = { ProgramGen.GenConfig.Default with MaxEquations = 10; ControlFlowDepth = 2 }

/// The case of one seed: a random program, its levels (two when nested) and its input seed.
let caseOfSeed (nested: bool) (seed: int) =
    let rng = Random seed
    let f = ProgramGen.generate rng config
    let l1 = randomLevel rng f
    let levels =
        if nested then
            let g = Vmap.Apply(f, l1.B, nullable l1.InAxes, nullable l1.OutAxes)
            [ l1; randomLevel rng g ]
        else [ l1 ]
    { Program = f; Levels = levels; InputSeed = rng.Next() }

let genCase (nested: bool) : Gen<VmapCase> =
    Gen.choose (0, Int32.MaxValue - 1) |> Gen.map (caseOfSeed nested)

/// Smaller cases: fewer results, equations cut into parameters, smaller batches.
let shrinkCase (c: VmapCase) : VmapCase seq =
    let single = c.Levels.Length = 1
    seq {
        if single then
            let l = c.Levels.Head
            if l.B > 1 then yield { c with Levels = [ { l with B = 1 } ] }
            let f = c.Program
            if f.Results.Length > 1 then
                for j in 0 .. f.Results.Length - 1 do
                    yield { c with Program = Shrink.keepResults f [ j ]; Levels = [ { l with OutAxes = [ l.OutAxes.[j] ] } ] }
            for k in f.Equations.Length - 1 .. -1 .. 0 do
                let cutF = Shrink.cut f k
                let added = cutF.Params.Length - f.Params.Length
                for newAxis in [ Some 0; None ] do
                    let g, kept = Shrink.dropUnusedParams cutF
                    let axes = l.InAxes @ List.replicate added newAxis
                    let level = { l with InAxes = kept |> List.map (fun i -> axes.[i]); OutAxes = l.OutAxes |> List.map (fun _ -> Some 0) }
                    if g.Params.Length > 0 then yield { c with Program = g; Levels = [ level ] }
    }
    |> Seq.filter (fun c ->
        // Keep only candidates that are still valid cases (e.g. a batch size still known).
        try batchedFunction c |> ignore; true with _ -> false)

/// Runs `count` cases of `gen` through `check`, shrinking failures, then reports the statistics.
let runProperty name (count: int) (gen: Gen<VmapCase>) (check: Stats option -> VmapCase -> unit) =
    let stats = Stats()
    let sw = Stopwatch.StartNew()
    let arb = Arb.fromGenShrink (gen, shrinkCase)
    let prop = Prop.forAll arb (fun c -> check (Some stats) c)
    let cfg = Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true).WithReplay(Some { Rnd = Rnd(uint64 Settings.seed, 0x9E3779B97F4A7C15UL); Size = None })
    Check.One(cfg, prop)
    stats.Report(name, sw.Elapsed)
    stats

/// Chunked vmap equals plain vmap, for a random chunk size (smaller than, equal to or larger than B).
let checkChunked (stats: Stats option) (c: VmapCase) =
    let l = c.Levels.Head
    let rng = Random c.InputSeed
    let k = 1 + rng.Next(max 1 (l.B + 1))
    let plain = Vmap.Apply(c.Program, l.B, nullable l.InAxes, nullable l.OutAxes)
    let chunked = Vmap.Chunked(c.Program, l.B, nullable l.InAxes, nullable l.OutAxes, k)
    TypeChecker.Check chunked
    let args = [ for p in plain.Params -> randomArray rng p.Type ]
    let expected = ReferenceEvaluator.Evaluate(plain, ResizeArray args) |> List.ofArray
    let actual = ReferenceEvaluator.Evaluate(chunked, ResizeArray args) |> List.ofArray
    stats |> Option.iter (fun s -> s.Record(c.Program, expected))
    List.iteri2 (fun j (a: NDArray) (e: NDArray) ->
        if not (ArrayOps.AllClose(a, e, 1e-5, 1e-6)) then
            failwithf "chunked vmap (chunk size %d) <> vmap for result %d of%O\nchunked:\n%O\ninputs:\n%s\nchunked: %O\nvmap: %O"
                k j c chunked (args |> List.map string |> String.concat "\n") a e) actual expected

[<Tests>]
let tests =
    testSequenced <| testList "properties" [
        test "random programs/chunked vmap = vmap" {
            runProperty "chunked vmap = vmap" (max 1 (Settings.programCount / 4)) (genCase false) checkChunked |> ignore
        }
        test "random programs/vmap = loop" {
            let stats = runProperty "vmap = loop" Settings.programCount (genCase false) checkCase
            // CLARIFICATIONS: every primitive, control flow included, appears in a CI run.
            let missing =
                PrimitiveRegistry.Primitives.All
                |> Seq.filter (fun p -> not (p :? CustomPrimitive) && not (stats.Histogram.ContainsKey p.Name))
                |> Seq.map (fun p -> p.Name) |> List.ofSeq
            if not missing.IsEmpty then failtestf "the random programs never used: %s" (String.concat ", " missing)
        }
        test "random programs/vmap of vmap = double loop" {
            runProperty "vmap of vmap = double loop" (max 1 (Settings.programCount / 4)) (genCase true) checkCase |> ignore
        }
    ]

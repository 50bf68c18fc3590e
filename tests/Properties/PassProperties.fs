/// The compile passes on random well-typed programs (and on vmapped ones): the standard pipeline
/// and each pass alone never change the reference evaluator's results (bit for bit, NaN equal to
/// NaN, for every pass that does not reassociate; for floats within a tight tolerance where the
/// factoring of reductions reassociates a sum), every output type-checks after every pass, and
/// running the pipeline again does not grow the program.
module ArrayLang.Tests.Properties.PassProperties

open System
open System.Diagnostics
open Expecto
open FsCheck
open FsCheck.FSharp
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Compile.Passes
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.Generators

/// A program to run the passes on, and the seed of its inputs.
type PassCase =
    { Program: Function
      InputSeed: int }

    override c.ToString() = sprintf "\n%O\ninput seed: %d" c.Program c.InputSeed

/// Equations in `f`, sub-functions included.
let rec size (f: Function) : int =
    f.Equations |> Seq.sumBy (fun e -> 1 + (e.SubFunctions |> Seq.sumBy size))

let private noFactoring = SimplifyOptions(FactorReductions = false)

/// What is checked: a name, the rewrite as a pipeline (type-checked after every pass), and whether
/// it must be exact (false only where the factoring of reductions may reassociate a sum).
let configurations =
    [ "dce", Pipeline([ CorePasses.Dce ]), true
      "cse", Pipeline([ CorePasses.Cse ]), true
      "simplify(no-factoring)", Pipeline([ CorePasses.SimplifyWith noFactoring ]), true
      "standard(no-factoring)", Pipeline.StandardWith noFactoring, true
      "simplify", Pipeline([ CorePasses.Simplify ]), false
      "standard", Pipeline.Standard, false ]

/// NaN equals NaN (any payload); everything else bit for bit.
let sameBits (a: NDArray) (b: NDArray) = ArrayLang.Tests.Compile.PassesTests.sameBits a b

/// Floats within a reassociation's error: relative 1e-4, and absolute 1e-5 of the array's largest
/// magnitude (a reassociated sum errs relative to its terms, not to its possibly cancelled result).
/// NaN must meet NaN and an infinity the same infinity. Ints and bools bit for bit.
let closeEnough (a: NDArray) (e: NDArray) =
    if a.Type <> e.Type then false
    elif not (e.DType.IsFloat()) then sameBits a e
    else
        let scale =
            seq { 0 .. e.Length - 1 } |> Seq.map (fun i -> e.GetDouble(int64 i)) |> Seq.filter Double.IsFinite
            |> Seq.fold (fun m v -> max m (abs v)) 0.0
        ArrayOps.AllClose(a, e, 1e-4, 1e-5 * (1.0 + scale))

/// Counts reported after a run.
type PassStats() =
    member val Cases = 0 with get, set
    member val EquationsBefore = 0L with get, set
    member val EquationsAfter = 0L with get, set
    member val Factored = 0 with get, set
    member val Changed = Collections.Generic.Dictionary<string, int>()
    member val Idempotent = 0 with get, set
    /// The smallest program on whose pipeline output the pipeline still changes something.
    member val NotFixpoint: (Function * Function) option = None with get, set
    member s.Report(name: string, elapsed: TimeSpan) =
        let changed = s.Changed |> Seq.map (fun kv -> sprintf "%s %d" kv.Key kv.Value) |> String.concat ", "
        printfn "%s: %d programs in %.1f s; equations %d -> %d after the standard pipeline; programs changed by: %s; factoring applied in %d; pipeline a fixpoint on its output in %d"
            name s.Cases elapsed.TotalSeconds s.EquationsBefore s.EquationsAfter changed s.Factored s.Idempotent
        s.NotFixpoint |> Option.iter (fun (once, twice) -> printfn "smallest program the pipeline changes again (size never grows):\n%O\nagain:\n%O" once twice)

/// Checks one program under every configuration; the failure message holds the program, the
/// rewritten program and the inputs.
let checkCase (stats: PassStats option) (c: PassCase) =
    let f = c.Program
    TypeChecker.Check f
    let rng = Random c.InputSeed
    let args = ResizeArray [ for p in f.Params -> randomArray rng p.Type ]
    let expected = ReferenceEvaluator.Evaluate(f, args)
    // Signed zeros, NaN, infinities, INT_MIN...: where the exact passes' traps are.
    let special = ResizeArray [ for i, p in Seq.indexed f.Params -> ArrayLang.Tests.Compile.PassesTests.specialArray p.Type (c.InputSeed % 11 + 3 * i) ]
    let expectedSpecial = ReferenceEvaluator.Evaluate(f, special)
    let outputs = Collections.Generic.Dictionary<string, Function>()
    for name, pipeline, exact in configurations do
        let g =
            try pipeline.Run(f, true)
            with e -> failwithf "%s failed on%O\n%s" name c e.Message
        outputs.[name] <- g
        let actual = ReferenceEvaluator.Evaluate(g, args)
        for j in 0 .. expected.Length - 1 do
            let ok = if exact then sameBits actual.[j] expected.[j] else closeEnough actual.[j] expected.[j]
            if not ok then
                failwithf "%s changed result %d of%O\nafter %s:\n%O\ninputs:\n%s\nbefore: %O\nafter:  %O"
                    name j c name g (args |> Seq.map string |> String.concat "\n") expected.[j] actual.[j]
        if exact then
            let actualSpecial = ReferenceEvaluator.Evaluate(g, special)
            for j in 0 .. expected.Length - 1 do
                if not (sameBits actualSpecial.[j] expectedSpecial.[j]) then
                    failwithf "%s changed result %d on special values of%O\nafter %s:\n%O\ninputs:\n%s\nbefore: %O\nafter:  %O"
                        name j c name g (special |> Seq.map string |> String.concat "\n") expectedSpecial.[j] actualSpecial.[j]
        stats |> Option.iter (fun s -> if g <> f then s.Changed.[name] <- (match s.Changed.TryGetValue name with | true, n -> n + 1 | _ -> 1))
    let once = outputs.["standard"]
    let twice = Pipeline.Standard.Run(once, true)
    if size twice > size once then
        failwithf "running the standard pipeline again grew the program from %d to %d equations:%O\nonce:\n%O\ntwice:\n%O" (size once) (size twice) c once twice
    stats |> Option.iter (fun s ->
        s.Cases <- s.Cases + 1
        s.EquationsBefore <- s.EquationsBefore + int64 (size f)
        s.EquationsAfter <- s.EquationsAfter + int64 (size once)
        if once <> outputs.["standard(no-factoring)"] then s.Factored <- s.Factored + 1
        if twice = once then s.Idempotent <- s.Idempotent + 1
        elif s.NotFixpoint |> Option.forall (fun (o, _) -> size once < size o) then s.NotFixpoint <- Some(once, twice))

/// Random programs as the vmap properties generate them.
let genPlain: Gen<PassCase> =
    Gen.choose (0, Int32.MaxValue - 1)
    |> Gen.map (fun seed ->
        let rng = Random seed
        { Program = ProgramGen.generate rng VmapProperties.config; InputSeed = rng.Next() })

/// Random programs after one random level of vmap (random in_axes, out_axes and batch size).
let genVmapped: Gen<PassCase> =
    VmapProperties.genCase false
    |> Gen.map (fun v -> { Program = VmapProperties.batchedFunction v; InputSeed = v.InputSeed })

/// Sums of products of broadcast factors: the programs the factoring of reductions rewrites
/// (random programs rarely hold one). Each factor is a parameter broadcast along a random subset
/// of the axes (some of its dims of size 1), sometimes transposed first, negated, or a literal;
/// outer products are written as `dot_general` without contracted dims. The sum runs over a random
/// non-empty subset of the axes and is sometimes fed to a comparison, so ints and bools downstream
/// are checked too.
let genProducts: Gen<PassCase> =
    Gen.choose (0, Int32.MaxValue - 1)
    |> Gen.map (fun seed ->
        let rng = Random seed
        let dtype = match rng.Next 6 with 0 -> DType.F64 | 1 -> DType.I32 | _ -> DType.F32
        let rank = 1 + rng.Next 3
        let dims = Array.init rank (fun _ -> if rng.Next 25 = 0 then 0 else 1 + rng.Next 4)
        let full = AVal(dtype, Shape dims)
        let b = FunctionBuilder()
        let factor () : Atom =
            match rng.Next 8 with
            | 0 -> ProgramGen.randomLiteral rng dtype :> Atom
            | 1 when rank >= 2 ->
                // outer product of a vector along axis i and one along axis j (i < j), broadcast to the full shape
                let i = rng.Next(rank - 1)
                let j = i + 1 + rng.Next(rank - 1 - i)
                let u = b.AddParam(AVal.Of(dtype, dims.[i]))
                let v = b.AddParam(AVal.Of(dtype, dims.[j]))
                let o = b.Emit1(ArrayLang.Primitives.Contraction.DotGeneral, ArrayLang.Primitives.DotGeneralParams([||], [||]), u, v)
                b.Emit1(ArrayLang.Primitives.ShapeOps.BroadcastInDim, ArrayLang.Primitives.BroadcastInDimParams(dims, [| i; j |]), o) :> Atom
            | _ ->
                let axes = [| for a in 0 .. rank - 1 do if rng.Next 2 = 0 then yield a |]
                let sizes = axes |> Array.map (fun a -> if rng.Next 5 = 0 then 1 else dims.[a])
                let x =
                    if axes.Length >= 2 && rng.Next 3 = 0 then
                        // a transposed parameter: reversed axes, transposed back
                        let p = b.AddParam(AVal.Of(dtype, Array.rev sizes))
                        b.Emit1(ArrayLang.Primitives.ShapeOps.Transpose, ArrayLang.Primitives.TransposeParams(Array.init sizes.Length (fun k -> sizes.Length - 1 - k)), p)
                    else b.AddParam(AVal.Of(dtype, sizes))
                let x = if dtype <> DType.I32 || rng.Next 4 <> 0 then x else b.Emit1(ArrayLang.Primitives.Elementwise.Neg, NoParams.Instance, x)
                b.Emit1(ArrayLang.Primitives.ShapeOps.BroadcastInDim, ArrayLang.Primitives.BroadcastInDimParams(dims, axes), x) :> Atom
        let factors = [ for _ in 0 .. rng.Next 4 -> factor () ]
        let factors = if factors |> List.exists (fun f -> f :? Var) then factors else factors @ [ factor (); (b.AddParam full :> Atom) ]
        let first = factors |> List.find (fun f -> f :? Var)
        let product =
            factors |> List.filter (fun f -> not (obj.ReferenceEquals(f, first)))
            |> List.fold (fun acc f -> b.Emit1(ArrayLang.Primitives.Elementwise.Mul, NoParams.Instance, acc, f) :> Atom) first
        let reduced = [| for a in 0 .. rank - 1 do if rng.Next 2 = 0 then yield a |]
        let reduced = if reduced.Length = 0 then [| rng.Next rank |] else reduced
        let sum = b.Emit1(ArrayLang.Primitives.Reduction.ReduceSum, ArrayLang.Primitives.ReduceParams reduced, product)
        let results: Atom list =
            match rng.Next 4 with
            | 0 -> [ sum; b.Emit1(ArrayLang.Primitives.Elementwise.Gt, NoParams.Instance, sum, Literal(dtype, (if dtype = DType.I32 then 1.0 else 0.37))) ]
            | 1 -> [ sum; product ]
            | _ -> [ sum ]
        let f = b.Build("products", ResizeArray results)
        TypeChecker.Check f
        { Program = f; InputSeed = rng.Next() })

/// Smaller programs: equations cut into parameters, unused parameters dropped, single results.
let shrinkCase (c: PassCase) : PassCase seq =
    let f = c.Program
    seq {
        if f.Results.Length > 1 then
            for j in 0 .. f.Results.Length - 1 do yield { c with Program = Shrink.keepResults f [ j ] }
        for k in f.Equations.Length - 1 .. -1 .. 0 do
            yield { c with Program = Shrink.cut f k |> Shrink.dropUnusedParams |> fst }
    }

let runProperty name (count: int) (gen: Gen<PassCase>) =
    let stats = PassStats()
    let sw = Stopwatch.StartNew()
    let prop = Prop.forAll (Arb.fromGenShrink (gen, shrinkCase)) (fun c -> checkCase (Some stats) c)
    let cfg = Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true).WithReplay(Some { Rnd = Rnd(uint64 Settings.seed, 0x2545F4914F6CDD1DUL); Size = None })
    Check.One(cfg, prop)
    stats.Report(name, sw.Elapsed)
    Expect.equal stats.Cases count "every case was checked"

[<Tests>]
let tests =
    testSequenced <| testList "properties" [
        test "random programs/passes keep the results" {
            runProperty "passes keep the results" Settings.programCount genPlain
        }
        test "random programs/passes keep the results of sums of products (factoring)" {
            runProperty "passes keep the results (sums of products)" (max 1 (Settings.programCount / 5)) genProducts
        }
        test "random programs/passes keep the results of vmapped programs" {
            runProperty "passes keep the results (vmapped)" (max 1 (Settings.programCount / 2)) genVmapped
        }
    ]

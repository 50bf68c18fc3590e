/// Fuzzing in CI: thousands of mutants of the test programs and .npy files (Mutators.fs) go
/// through the parser, the type checker, the printer, vmap, the reference evaluator and the .npy
/// reader. Each must end in a documented error (an IrException: parse, type, params, nesting,
/// .npy) or a valid result (a program that prints and parses back equal, an array that writes and
/// reads back the same bits); never another exception, a crash, or more than 5 s on one input.
module ArrayLang.Tests.Fuzz.FuzzTests

open System
open System.IO
open System.Threading.Tasks
open Expecto
open ArrayLang.Ir
open ArrayLang.Npy
open ArrayLang.Primitives
open ArrayLang.Reference
open ArrayLang.Transforms
open ArrayLang.Values
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.Fuzz.Mutators

/// Inputs per fuzzer and run (the issue asks for at least 2,000 in all).
let inputsPerFuzzer = 2000

/// The longest one input may take.
let perInputLimit = TimeSpan.FromSeconds 5.0

let private seedsDir = Path.Combine(__SOURCE_DIRECTORY__, "seeds")

/// The IR seeds: the programs in tests/Fuzz/seeds (the shared IR examples among them) and random
/// well-typed programs of the property suites' generator, printed.
let irSeeds =
    let files = Directory.GetFiles(seedsDir, "*.ir") |> Array.sort |> Array.map File.ReadAllText
    let rng = Random 20261204
    let cfg = { ArrayLang.Tests.Generators.ProgramGen.GenConfig.Default with ControlFlowDepth = 2 }
    let generated = Array.init 40 (fun _ -> IrPrinter.Print(ArrayLang.Tests.Generators.ProgramGen.generate rng cfg))
    Array.append files generated

/// The .npy seeds: the IR examples' inputs and outputs and one small array of each dtype and rank.
let npySeeds =
    let files =
        Directory.GetFiles(Path.Combine(__SOURCE_DIRECTORY__, "..", "data", "ir-examples"), "*.npy", SearchOption.AllDirectories)
        |> Array.sort |> Array.map File.ReadAllBytes
    let rng = Random 7
    let made =
        [| for dtype in [ DType.F32; DType.F64; DType.I32; DType.Bool ] do
               for dims in [ [||]; [| 0 |]; [| 3 |]; [| 2; 3 |] ] do
                   use ms = new MemoryStream()
                   NpyFile.Write(ms, randomArray rng (AVal.Of(dtype, dims)))
                   yield ms.ToArray() |]
    Array.append files made

/// A bound on the reference evaluator's work for a function (elements produced, times scan
/// lengths), and whether it loops (a while, whose count a mutant can make endless).
let rec private work (f: Function) =
    let mutable total = 0L
    let mutable loops = false
    for e in f.Equations do
        for o in e.Outputs do total <- total + o.Type.Shape.ElementCount
        for sub in e.SubFunctions do
            let w, l = work sub
            let times = match e.Params with :? ScanParams as p -> int64 (max 1 p.Length) | _ -> 1L
            total <- total + min (w * times) (Int64.MaxValue / 4L)
            loops <- loops || l
        loops <- loops || e.Primitive = (ControlFlow.While :> Primitive)
    total, loops

/// What an accepted program must satisfy: it prints and parses back equal, its vmap is well typed
/// (or a documented error), and a small one evaluates (or fails with a documented error).
let private exerciseProgram (rng: Random) (f: Function) =
    let again = IrParser.ParseFunction(IrPrinter.Print f, "printed.ir")
    if not (again.Equals f) then failwithf "printing and parsing back changed the function:\n%O\n%O" f again
    let axes = Array.init f.Params.Length (fun i -> if f.ConstMask.[i] then Nullable() else Nullable 0)
    try TypeChecker.Check(Vmap.Apply(f, 2, axes)) with :? IrException -> ()
    match work f with
    | w, false when w < 200_000L ->
        let args = f.Params |> Seq.map (fun p -> randomArray rng p.Type) |> Array.ofSeq
        try ReferenceEvaluator.Evaluate(f, args) |> ignore with :? IrException -> ()
    | _ -> ()

/// Runs one IR input; an undocumented exception propagates. True when the input was accepted.
let checkIr (rng: Random) (text: string) =
    match (try Some(IrParser.ParseFile(text, "fuzz.ir")) with :? IrException -> None) with
    | Some functions ->
        for f in functions do exerciseProgram rng f
        true
    | None -> false

/// Runs one .npy input; an undocumented exception propagates. True when the input was accepted.
let checkNpy (bytes: byte array) =
    match (try Some(NpyFile.Read(new MemoryStream(bytes), "fuzz.npy")) with :? NpyException -> None) with
    | Some a ->
        use ms = new MemoryStream()
        NpyFile.Write(ms, a)
        let b = NpyFile.Read(new MemoryStream(ms.ToArray()), "again.npy")
        if b.Type <> a.Type then failwithf "read back as %O, written as %O" b.Type a.Type
        expectBitwise b a "an accepted array writes and reads back the same bits"
        true
    | None -> false

/// Runs <paramref name="count"/> inputs made by <paramref name="make"/> from seeded Randoms, each
/// under the time limit; fails listing the first inputs that broke the rules, with their numbers.
/// Returns how many inputs were accepted.
let private fuzz (name: string) (count: int) (make: Random -> 'a) (show: 'a -> string) (check: Random -> 'a -> bool) =
    let failures = ResizeArray()
    let mutable accepted = 0
    for i in 0 .. count - 1 do
        if failures.Count < 5 then
            let rng = Random(1000 + i)
            let input = make rng
            let run = Task.Run(fun () -> check rng input)
            let finished = try run.Wait perInputLimit with _ -> true
            if not finished then failures.Add(sprintf "input %d ran past %O:\n%s" i perInputLimit (show input))
            elif run.IsFaulted then
                let e = run.Exception.InnerException
                failures.Add(sprintf "input %d: %s: %s\n%s\n--- input:\n%s" i (e.GetType().Name) e.Message e.StackTrace (show input))
            elif run.Result then accepted <- accepted + 1
    if failures.Count > 0 then failtestf "%s: %d input(s) broke the rules:\n%s" name failures.Count (String.Join("\n\n", failures))
    eprintfn "fuzz %s: %d inputs, %d accepted" name count accepted
    accepted

let private showText (s: string) =
    let s = if s.Length > 3000 then s.Substring(0, 3000) + "..." else s
    s.Replace("\000", "\\0")

let private showBytes (b: byte array) = Convert.ToHexString(b, 0, min b.Length 400)

[<Tests>]
let tests =
    testList "fuzz" [
        test "the seeds are valid programs and arrays" {
            for text in irSeeds do IrParser.ParseFile(text, "seed.ir") |> ignore
            for bytes in npySeeds do NpyFile.Read(new MemoryStream(bytes), "seed.npy") |> ignore
        }
        test "IR mutants: a documented error or a valid program, never another exception or a hang" {
            let accepted = fuzz "IR" inputsPerFuzzer (fun rng -> mutateIr rng irSeeds) showText checkIr
            // Mutants that all fail to parse would test the parser's errors only.
            Expect.isGreaterThan accepted (inputsPerFuzzer / 40) "a share of the mutants are valid programs"
        }
        test ".npy mutants: an NpyException or an array that round-trips, never another exception or a hang" {
            let accepted = fuzz ".npy" inputsPerFuzzer (fun rng -> mutateNpy rng npySeeds) showBytes (fun _ b -> checkNpy b)
            Expect.isGreaterThan accepted (inputsPerFuzzer / 40) "a share of the mutants are valid arrays"
        }
    ]

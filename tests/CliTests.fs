/// The arraylang command line, run in-process: check, print, run and vmap, usage errors, and the
/// shared IR examples.
module ArrayLang.Tests.CliTests

open System
open System.IO
open Expecto
open ArrayLang.Cli
open ArrayLang.Ir
open ArrayLang.Npy
open ArrayLang.Values
open ArrayLang.Tests.TestUtil

/// A temporary directory, deleted after the test.
let withTempDir (body: string -> unit) =
    let dir = Path.Combine(Path.GetTempPath(), sprintf "arraylang-cli-%O" (Guid.NewGuid()))
    Directory.CreateDirectory dir |> ignore
    try body dir
    finally Directory.Delete(dir, true)

/// Runs the CLI; returns (exit code, stdout, stderr).
let cli (args: string list) =
    use out = new StringWriter()
    use err = new StringWriter()
    let rc = CliMain.Run(Array.ofList args, out, err)
    rc, out.ToString(), err.ToString()

let write (dir: string) (name: string) (text: string) =
    let p = Path.Combine(dir, name)
    File.WriteAllText(p, text)
    p

let writeNpy (dir: string) (name: string) (a: NDArray) =
    let p = Path.Combine(dir, name)
    NpyFile.Write(p, a)
    p

let expectRc (expected: int) (rc: int, out: string, err: string) =
    if rc <> expected then failtestf "exit code %d, expected %d\nstdout: %s\nstderr: %s" rc expected out err

let addNeg = "func f(x: f32[3], y: f32[3]) -> (f32[3], f32[3]) {\n  a: f32[3] = add(x, y)\n  b: f32[3] = neg(a)\n  return (a, b)\n}\n"

let examplesDir = ArrayLang.Tests.Ir.TextTests.irExamplesDir

/// IR-examples tolerance: relative 1e-3 / absolute 1e-4 for f32, 5e-11 / 5e-12 for f64, exact otherwise.
let closeEnough (actual: NDArray) (expected: NDArray) =
    match expected.DType with
    | DType.F32 -> ArrayOps.AllClose(actual, expected, 1e-3, 1e-4)
    | DType.F64 -> ArrayOps.AllClose(actual, expected, 5e-11, 5e-12)
    | _ -> ArrayOps.AllClose(actual, expected, 0.0, 0.0)

/// Runs one shared IR example exactly as its README says and compares every result.
/// Runs one shared IR example with extra options (e.g. --chunk) and compares every result.
let runExampleWith (case: string) (options: string list) =
    withTempDir (fun dir ->
        let caseDir = Path.Combine(examplesDir, case)
        let ins = Directory.GetFiles(caseDir, "in*.npy") |> Array.sort |> List.ofArray
        let expected = Directory.GetFiles(caseDir, "expected*.npy") |> Array.sort |> List.ofArray
        let outs = expected |> List.mapi (fun i _ -> Path.Combine(dir, sprintf "out%d.npy" i))
        let extra = File.ReadAllText(Path.Combine(caseDir, "args")).Split([| ' '; '\n'; '\r'; '\t' |], StringSplitOptions.RemoveEmptyEntries) |> List.ofArray
        let args = [ "run"; Path.Combine(caseDir, "program.ir"); "--in" ] @ ins @ [ "--out" ] @ outs @ extra @ (if List.contains "--backend" options then [] else [ "--backend"; "reference" ]) @ options
        cli args |> expectRc 0
        for o, e in List.zip outs expected do
            let a = NpyFile.Read o
            let b = NpyFile.Read e
            Expect.equal a.Type b.Type (sprintf "%s: type of %s" case (Path.GetFileName e))
            if not (closeEnough a b) then failtestf "%s: %s differs\nactual:   %O\nexpected: %O" case (Path.GetFileName e) a b)

let runExample (case: string) = runExampleWith case []

[<Tests>]
let tests =
    testList "cli" [
        testList "check and print" [
            test "check accepts a good file" {
                withTempDir (fun dir ->
                    let p = write dir "ok.ir" (addNeg + "func g(x: i32[]) -> (i32[]) {\n  return (x)\n}\n")
                    let rc, out, _ = cli [ "check"; p ]
                    Expect.equal rc 0 "exit 0"
                    Expect.equal (out.Trim()) "ok: 2 function(s)" "output")
            }
            test "check reports a parse error with the file, line and column, exit 1" {
                withTempDir (fun dir ->
                    let p = write dir "bad.ir" "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[3] = nope(x)\n  return (a)\n}\n"
                    let rc, _, err = cli [ "check"; p ]
                    Expect.equal rc 1 "exit 1"
                    Expect.stringContains err (p + ": line 2, column 15: unknown primitive 'nope'") "message")
            }
            test "check reports a type error with its location, exit 1" {
                withTempDir (fun dir ->
                    let p = write dir "bad.ir" "func f(x: f32[3]) -> (f32[3]) {\n  a: f32[4] = neg(x)\n  return (a)\n}\n"
                    let rc, _, err = cli [ "check"; p ]
                    Expect.equal rc 1 "exit 1"
                    Expect.stringContains err (p + ":2:3") "location"
                    Expect.stringContains err "declared f32[4], but neg gives f32[3]" "types")
            }
            test "print writes the canonical text" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" "# comment\nfunc f(x: f32[3],y: f32[3])->(f32[3],f32[3]){a: f32[3]=add(x,y) b:f32[3]=neg(a) return(a,b)}"
                    let rc, out, _ = cli [ "print"; p ]
                    Expect.equal rc 0 "exit 0"
                    Expect.equal out addNeg "canonical text"
                    let rc2, out2, _ = cli [ "print"; write dir "g.ir" (addNeg + "func g(x: i32[]) -> (i32[]) {\n  return (x)\n}\n"); "--entry"; "g" ]
                    Expect.equal rc2 0 "exit 0"
                    Expect.equal out2 "func g(x: i32[]) -> (i32[]) {\n  return (x)\n}\n" "only the entry"
                    let rc3, out3, _ = cli [ "print"; p; "--canonical" ]
                    Expect.equal rc3 0 "exit 0"
                    Expect.equal out3 (IrParser.ParseFunction addNeg).CanonicalText "canonical names")
            }
        ]

        testList "run" [
            test "runs a function on .npy inputs and writes one .npy per result" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let x = writeNpy dir "x.npy" (NDArray.Of([| 1.0f; 2.0f; 3.0f |], 3))
                    let y = writeNpy dir "y.npy" (NDArray.Of([| 10.0f; 20.0f; 30.0f |], 3))
                    let r = Path.Combine(dir, "r.npy")
                    let s = Path.Combine(dir, "s.npy")
                    cli [ "run"; p; "--in"; x; y; "--out"; r; s ] |> expectRc 0
                    expectBitwise (NpyFile.Read r) (NDArray.Of([| 11.0f; 22.0f; 33.0f |], 3)) "sum"
                    expectBitwise (NpyFile.Read s) (NDArray.Of([| -11.0f; -22.0f; -33.0f |], 3)) "negated")
            }
            test "without --out the results are printed" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" "func f(x: i32[2]) -> (i32[2]) {\n  a: i32[2] = add(x, 1)\n  return (a)\n}\n"
                    let x = writeNpy dir "x.npy" (NDArray.Of([| 1; 2 |], 2))
                    let rc, out, _ = cli [ "run"; p; "--in"; x ]
                    Expect.equal rc 0 "exit 0"
                    Expect.stringContains out "i32[2] [2, 3]" "printed")
            }
            test "--vmap batches; the batch size comes from the inputs; --out-axes places the batch axis" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let rng = Random 3
                    let xa = randomArray rng (f32 [ 3; 4 ])   // batched along axis 1, B = 4
                    let ya = randomArray rng (f32 [ 3 ])      // shared
                    let x = writeNpy dir "x.npy" xa
                    let y = writeNpy dir "y.npy" ya
                    let r = Path.Combine(dir, "r.npy")
                    let s = Path.Combine(dir, "s.npy")
                    cli [ "run"; p; "--in"; x; y; "--out"; r; s; "--vmap"; "1,none"; "--out-axes"; "0,-1" ] |> expectRc 0
                    let f = ArrayLang.Ir.IrParser.ParseFunction addNeg
                    let expected = loopOf f [ Some 1; None ] [ 0; 1 ] 4 [ xa; ya ]
                    expectBitwise (NpyFile.Read r) expected.[0] "result 1, batch axis 0"
                    expectBitwise (NpyFile.Read s) expected.[1] "result 2, batch axis last")
            }
            test "repeated --vmap nests, the first innermost, each level's size from the inputs" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let rng = Random 4
                    // inner level: --vmap 0,0 (B_in = 2); outer level: --vmap 1,none (B_out = 5).
                    let xa = randomArray rng (f32 [ 2; 5; 3 ])
                    let ya = randomArray rng (f32 [ 2; 3 ])
                    let x = writeNpy dir "x.npy" xa
                    let y = writeNpy dir "y.npy" ya
                    let r = Path.Combine(dir, "r.npy")
                    let s = Path.Combine(dir, "s.npy")
                    cli [ "run"; p; "--in"; x; y; "--out"; r; s; "--vmap"; "0,0"; "--vmap"; "1,none" ] |> expectRc 0
                    let f = ArrayLang.Ir.IrParser.ParseFunction addNeg
                    // out[o][i] = f(x[i, o], y[i])
                    let expected =
                        [ for o in 0 .. 4 ->
                            loopOf f [ Some 0; Some 0 ] [ 0; 0 ] 2 [ ArrayOps.Index(xa, 1, o); ya ] ]
                    let stacked j = ArrayOps.Stack(ResizeArray [ for e in expected -> e.[j] ], 0, f32 [ 2; 3 ])
                    expectBitwise (NpyFile.Read r) (stacked 0) "nested result 1"
                    expectBitwise (NpyFile.Read s) (stacked 1) "nested result 2")
            }
            test "a const parameter declared after others is passed in file order" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" "func f(x: f32[2], const w: f32[2]) -> (f32[2]) {\n  a: f32[2] = add(x, w)\n  return (a)\n}\n"
                    let x = writeNpy dir "x.npy" (NDArray.Of([| 1.0f; 2.0f; 3.0f; 4.0f; 5.0f; 6.0f |], 3, 2))
                    let w = writeNpy dir "w.npy" (NDArray.Of([| 10.0f; 100.0f |], 2))
                    let r = Path.Combine(dir, "r.npy")
                    cli [ "run"; p; "--in"; x; w; "--out"; r; "--vmap"; "0,none" ] |> expectRc 0
                    expectBitwise (NpyFile.Read r) (NDArray.Of([| 11.0f; 102.0f; 13.0f; 104.0f; 15.0f; 106.0f |], 3, 2)) "result")
            }
            test "usage errors exit 2 with a message" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let x = writeNpy dir "x.npy" (NDArray.Of([| 1.0f; 2.0f; 3.0f |], 3))
                    let x4 = writeNpy dir "x4.npy" (NDArray.Of([| 1.0f; 2.0f; 3.0f; 4.0f |], 4))
                    let xi = writeNpy dir "xi.npy" (NDArray.Of([| 1; 2; 3 |], 3))
                    let r = Path.Combine(dir, "r.npy")
                    let expectUsage args (fragments: string list) =
                        let rc, _, err = cli args
                        Expect.equal rc 2 (sprintf "exit 2 for %A (stderr: %s)" args err)
                        for f in fragments do Expect.stringContains err f (sprintf "message for %A" args)
                    expectUsage [ "run"; Path.Combine(dir, "missing.ir"); "--in"; x; x ] [ "no such file"; "missing.ir" ]
                    expectUsage [ "run"; p; "--in"; x; Path.Combine(dir, "nope.npy") ] [ "no such input file"; "nope.npy" ]
                    expectUsage [ "run"; p; "--in"; x ] [ "function f takes 2 argument(s)"; "x: f32[3], y: f32[3]"; "1 --in file(s)" ]
                    expectUsage [ "run"; p; "--in"; x; x4 ] [ "input 2"; "parameter y should be f32[3]"; "found f32[4]" ]
                    expectUsage [ "run"; p; "--in"; xi; x ] [ "parameter x should be f32[3]"; "found i32[3]" ]
                    expectUsage [ "run"; p; "--in"; x; x; "--out"; r ] [ "returns 2 result(s)"; "1 --out file(s)" ]
                    expectUsage [ "run"; p; "--in"; x; x; "--frobnicate" ] [ "unknown option '--frobnicate'" ]
                    expectUsage [ "run"; p; "--in"; x; x; "--backend"; "nosuch" ] [ "unknown backend 'nosuch'"; "available backends: cpu" ]
                    expectUsage [ "run"; p; "--in"; x; x; "--vmap"; "0" ] [ "--vmap 0 gives 1 axis entry"; "takes 2 argument(s)" ]
                    expectUsage [ "run"; p; "--in"; x; x; "--vmap"; "0,zero" ] [ "'zero' is neither an axis" ]
                    expectUsage [ "run"; p; "--in"; x; x; "--vmap"; "1,none" ] [ "axis 1 is out of range for input 1" ]
                    expectUsage [ "run"; p; "--in"; x; x4; "--vmap"; "0,0" ] [ "batch sizes disagree" ]
                    expectUsage [ "run"; p; "--in"; x; x; "--vmap"; "none,none" ] [ "no argument is batched at this level" ]
                    expectUsage [ "run"; p; "--in"; x; x; "--vmap"; "0,0"; "--out-axes"; "0" ] [ "--out-axes 0 gives 1 entry"; "returns 2 result(s)" ]
                    expectUsage [ "run"; p; "--in"; x; x; "--out-axes"; "0,0" ] [ "--out-axes needs at least one --vmap" ]
                    expectUsage [ "run"; p; "--in"; x; x; "--entry"; "g" ] [ "no function named 'g'" ]
                    expectUsage [ "run"; p ] [ "run needs --in" ]
                    expectUsage [ "run"; p; "--in" ] [ "--in needs at least one file" ]
                    expectUsage [ "run"; p; p; "--in"; x; x ] [ "takes one .ir file" ]
                    expectUsage [ "frob"; p ] [ "unknown command 'frob'" ]
                    expectUsage [] [ "no command given" ])
            }
            test "a malformed input .npy is an error naming the file, exit 1" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let bad = write dir "bad.npy" "not numpy"
                    let rc, _, err = cli [ "run"; p; "--in"; bad; bad ]
                    Expect.equal rc 1 "exit 1"
                    Expect.stringContains err (bad + ": not a .npy file") "message")
            }
            test "help prints the usage" {
                for args in [ [ "help" ]; [ "--help" ]; [ "run"; "--help" ] ] do
                    let rc, out, _ = cli args
                    Expect.equal rc 0 "exit 0"
                    Expect.stringContains out "usage: arraylang" "usage"
                    Expect.stringContains out "default: 8" "vmap's default batch size is documented"
            }
        ]

        testList "vmap" [
            test "prints the batched function, which parses back; the default batch size is 8" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let rc, out, err = cli [ "vmap"; p; "--vmap"; "0,none" ]
                    Expect.equal rc 0 err
                    let g = IrParser.ParseFunction out
                    Expect.equal (List.ofSeq g.ParamTypes) [ f32 [ 8; 3 ]; f32 [ 3 ] ] "batched params"
                    let f = IrParser.ParseFunction addNeg
                    Expect.equal g (ArrayLang.Transforms.Vmap.Apply(f, 8, ResizeArray [ Nullable 0; Nullable() ])) "equals Vmap.Apply")
            }
            test "--batch-size, nesting and --out-axes" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let rc, out, err = cli [ "vmap"; p; "--vmap"; "0,0"; "--vmap"; "none,1"; "--batch-size"; "3"; "--out-axes"; "2,none" ]
                    // result 2 depends on the batch, so out_axes none is rejected by vmap (exit 1)
                    Expect.equal rc 1 (sprintf "exit 1: %s %s" out err)
                    Expect.stringContains err "out_axes[1] is none" "message"
                    let rc2, out2, err2 = cli [ "vmap"; p; "--vmap"; "0,0"; "--vmap"; "none,1"; "--batch-size"; "3"; "--out-axes"; "2,0" ]
                    Expect.equal rc2 0 err2
                    let g = IrParser.ParseFunction out2
                    Expect.equal (List.ofSeq g.ParamTypes) [ f32 [ 3; 3 ]; f32 [ 3; 3; 3 ] ] "nested params"
                    Expect.equal (List.ofSeq g.ResultTypes) [ f32 [ 3; 3; 3 ]; f32 [ 3; 3; 3 ] ] "nested results")
            }
            test "vmap needs --vmap" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let rc, _, err = cli [ "vmap"; p ]
                    Expect.equal rc 2 "exit 2"
                    Expect.stringContains err "at least one --vmap" "message"
                    let rc2, _, err2 = cli [ "vmap"; p; "--vmap"; "0,0"; "--batch-size"; "-3" ]
                    Expect.equal rc2 2 "exit 2"
                    Expect.stringContains err2 "--batch-size expects a non-negative integer" "message")
            }
        ]

        testList "ir-examples" [
            for d in Directory.GetDirectories examplesDir |> Array.sort do
                let case = Path.GetFileName d
                test (sprintf "%s through arraylang run" case) { runExample case }
                test (sprintf "%s through arraylang run --chunk 2" case) { runExampleWith case [ "--chunk"; "2" ] }
                test (sprintf "%s through arraylang run --memory-budget 64" case) { runExampleWith case [ "--memory-budget"; "64" ] }
                test (sprintf "%s through arraylang run --backend cpu" case) { runExampleWith case [ "--backend"; "cpu" ] }
            test "ex3_matvec_shared_weights without --vmap on one example's slice" {
                withTempDir (fun dir ->
                    let case = Path.Combine(examplesDir, "ex3_matvec_shared_weights")
                    let xs = NpyFile.Read(Path.Combine(case, "in2.npy"))
                    let expected = NpyFile.Read(Path.Combine(case, "expected0.npy"))
                    for b in [ 0; xs.Shape.[0] - 1 ] do
                        let x = writeNpy dir "x.npy" (ArrayOps.Index(xs, 0, b))
                        let r = Path.Combine(dir, "r.npy")
                        cli [ "run"; Path.Combine(case, "program.ir"); "--in"; Path.Combine(case, "in0.npy"); Path.Combine(case, "in1.npy"); x; "--out"; r ] |> expectRc 0
                        let e = ArrayOps.Index(expected, 0, b)
                        let a = NpyFile.Read r
                        if not (closeEnough a e) then failtestf "example %d: %O, expected %O" b a e)
            }
        ]
    ]

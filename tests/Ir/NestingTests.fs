/// Note [nesting depth]: deep inputs are clean errors or work, never a process abort. Each deep
/// case runs in a child process (the CLI, or this test assembly started with --child), since a
/// stack overflow would kill the test runner.
module ArrayLang.Tests.Ir.NestingTests

open System
open System.IO
open System.Text
open Expecto
open ArrayLang.Ir
open ArrayLang.Primitives
open ArrayLang.Reference
open ArrayLang.Transforms
open ArrayLang.Values
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.ChildProcess

/// A function of f32[] made of <paramref name="scans"/> scans, each nested in the body of the one
/// before, around one add: it has depth scans + 2 (the outer function and the innermost body).
let nestedScans (scans: int) =
    let sb = StringBuilder()
    for level in scans .. -1 .. 1 do
        sb.Append(if level = scans then "func f" else "func b")
          .Append("(x: f32[]) -> (f32[]) {\n")
          .Append("  y: f32[] = scan[length=1, reverse=false, consts=0, carries=1](x) {\n") |> ignore
    sb.Append("func b(x: f32[]) -> (f32[]) {\n  y: f32[] = add(x, 1.0)\n  return (y)\n}\n") |> ignore
    for _ in 1 .. scans do sb.Append("  }\n  return (y)\n}\n") |> ignore
    sb.ToString()

/// A neg equation whose param value is a list nested <paramref name="n"/> brackets deep.
let nestedBrackets (n: int) =
    "func f(x: f32[3]) -> (f32[3]) {\n  y: f32[3] = neg[foo=" + String('[', n) + String(']', n) + "](x)\n  return (y)\n}\n"

/// The child scenario: parse a nest of scans on a large stack, then do OP on a thread whose stack
/// is STACK_KB; prints "ok" or "clean TYPE: message" (an IrException), anything else is a failure.
let childMain (args: string list) =
    match args with
    | [ op; scans; stackKb ] ->
        let text = nestedScans (int scans)
        let f = onThread (64 <<< 20) (fun () -> if op = "parse" then None else Some(IrParser.ParseFunction(text, "deep.ir")))
        let work () =
            match op, f with
            | "parse", _ -> IrParser.ParseFunction(text, "deep.ir") |> ignore
            | "check", Some f -> TypeChecker.Check f
            | "print", Some f -> IrPrinter.Print f |> ignore
            | "canonical", Some f -> f.StableHash |> ignore
            | "vmap", Some f -> Vmap.Apply(f, 2, [| Nullable 0 |]) |> ignore
            | "eval", Some f -> ReferenceEvaluator.Evaluate(f, [| NDArray.Scalar(DType.F32, 1.0) |]) |> ignore
            | _ -> failwithf "unknown operation %s" op
        try
            onThread (int stackKb * 1024) work
            printfn "ok"
        with :? IrException as e ->
            printfn "clean %s: %s" (e.GetType().Name) (e.Message.Substring(0, min 300 e.Message.Length))
        0
    | _ ->
        eprintfn "usage: --child nesting OP SCANS STACK_KB"
        2

let private writeTemp (text: string) =
    let p = Path.Combine(Path.GetTempPath(), sprintf "arraylang-deep-%O.ir" (Guid.NewGuid()))
    File.WriteAllText(p, text)
    p

let private withFile (text: string) (body: string -> unit) =
    let p = writeTemp text
    try body p finally File.Delete p

/// A child run ended normally (no abort, no hang) with the exit code expected.
let private expectExit (code: int) (r: ChildResult) =
    match r.ExitCode with
    | None -> failtestf "the child ran past its time limit\nstdout: %s\nstderr: %s" r.Stdout r.Stderr
    | Some c when c <> code ->
        let tail (s: string) = if s.Length > 2000 then s.Substring(s.Length - 2000) else s
        failtestf "exit code %d, expected %d\nstdout: %s\nstderr: %s" c code (tail r.Stdout) (tail r.Stderr)
    | Some _ -> ()

[<Tests>]
let tests =
    testList "nesting" [
        testCase "12,100 nested brackets in a param value are a parse error naming the limit and the line" <| fun () ->
            for n in [ 12100; 100000 ] do
                withFile (nestedBrackets n) (fun p ->
                    let r = runCli [ "check"; p ]
                    expectExit 1 r
                    Expect.stringContains r.Stderr "line 2, column " "the line"
                    Expect.stringContains r.Stderr (sprintf "more than %d levels deep" Nesting.MaxParamDepth) "the limit")

        testCase "3,000 nested scans through check are a parse error naming the limit and the line" <| fun () ->
            withFile (nestedScans 3000) (fun p ->
                let r = runCli [ "check"; p ]
                expectExit 1 r
                // Functions nest one per two lines: level L starts on line 2L - 1.
                let line = 2 * (Nesting.MaxFunctionDepth + 1) - 1
                Expect.stringContains r.Stderr (sprintf "line %d, column 1" line) "the line of the first function too deep"
                Expect.stringContains r.Stderr (sprintf "more than %d levels deep" Nesting.MaxFunctionDepth) "the limit")

        testCase "2,500 nested scans under vmap are a clean error; the deepest allowed run through check, vmap, print and run" <| fun () ->
            withFile (nestedScans 2500) (fun p ->
                let r = runCli [ "vmap"; p; "--vmap"; "0" ]
                expectExit 1 r
                Expect.stringContains r.Stderr "the limit" "names the limit")
            // The deepest a function may be: the outer function, the scans and the innermost body.
            let deepest = Nesting.MaxFunctionDepth - 2
            withFile (nestedScans deepest) (fun p ->
                expectExit 0 (runCli [ "check"; p ])
                let v = runCli [ "vmap"; p; "--vmap"; "0" ]
                expectExit 0 v
                Expect.stringContains v.Stdout "f32[8]" "the batched function is printed"
                expectExit 0 (runCli [ "print"; p; "--canonical" ])
                let dir = Path.Combine(Path.GetTempPath(), sprintf "arraylang-deep-%O" (Guid.NewGuid()))
                Directory.CreateDirectory dir |> ignore
                try
                    let x = Path.Combine(dir, "x.npy")
                    ArrayLang.Npy.NpyFile.Write(x, NDArray.Scalar(DType.F32, 2.0))
                    let run = runCli [ "run"; p; "--backend"; "reference"; "--in"; x ]
                    expectExit 0 run
                    Expect.stringContains run.Stdout "3" "2 + 1 through the one-step scans"
                finally Directory.Delete(dir, true))

        testCase "on a small stack every walk over a deep function is a clean error or succeeds" <| fun () ->
            for op in [ "parse"; "check"; "print"; "canonical"; "vmap"; "eval" ] do
                let r = runDotnet testsDll [ "--child"; "nesting"; op; string (Nesting.MaxFunctionDepth - 2); "256" ] (TimeSpan.FromSeconds 120.0)
                expectExit 0 r
                let line = r.Stdout.Trim()
                let clean = line.StartsWith "clean NestingException:" || line.StartsWith "clean ParseException:" && line.Contains "nests too deeply"
                if not (line = "ok" || clean) then
                    failtestf "%s on a 256 KiB stack: %s\nstderr: %s" op line r.Stderr

        testCase "a function nested deeper than the limit cannot be built" <| fun () ->
            // Built bottom-up, one level at a time: no recursion, so this is safe in-process.
            let scan = ScanParams(1, false, 0, 1)
            let mutable body =
                let b = FunctionBuilder()
                let x = b.AddParam(f32 [])
                let y = b.Emit1(Elementwise.Add, NoParams.Instance, x, Literal(DType.F32, 1.0))
                b.Build("b", [ y :> Atom ])
            let e =
                raises<NestingException> (fun () ->
                    for _ in 1 .. Nesting.MaxFunctionDepth do
                        let b = FunctionBuilder()
                        let x = b.AddParam(f32 [])
                        let y = b.Emit(ControlFlow.Scan, scan, [ x :> Atom ], [ body ])
                        body <- b.Build("b", [ y.[0] :> Atom ]))
            Expect.equal body.Depth Nesting.MaxFunctionDepth "the deepest function built"
            Expect.stringContains e.Message (sprintf "the limit is %d" Nesting.MaxFunctionDepth) "names the limit"
    ]

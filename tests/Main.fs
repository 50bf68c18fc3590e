module ArrayLang.Tests.Main

open Expecto

/// Counts taken from Expecto's summary, printed as the plain line CI reads once the run is over.
let mutable private counts = None

let private recordingCounts (printer: Impl.TestPrinters) =
    { printer with
        summary = fun config summary -> async {
            do! printer.summary config summary
            counts <- Some(summary.passed.Length, summary.failed.Length + summary.errored.Length, summary.ignored.Length) } }

/// `--conformance-hash [--out FILE]` prints the hash of the CPU conformance results (Note
/// [conformance hash] in Backends/Cpu/ConformanceHash.fs), for CI to compare across vector widths.
/// `--child NAME ARGS...` runs one scenario that might abort the process, for a test that starts
/// this assembly as a child process (ChildProcess.fs); anything else runs the tests.
let private runChild (args: string list) =
    match args with
    | "nesting" :: rest -> ArrayLang.Tests.Ir.NestingTests.childMain rest
    | [ "jit-bounds" ] -> ArrayLang.Tests.Compile.JitCacheTests.childMain ()
    | _ ->
        eprintfn "unknown child scenario: %A" args
        2

let private runTests (argv: string array) =
    // Plain output by default: no spinner, no colour codes in CI logs.
    let defaults = [| "--no-spinner"; "--colours"; "0" |]
    let exitCode =
        runTestsInAssemblyWithCLIArgs [ CLIArguments.Printer(recordingCounts defaultConfig.printer) ] (Array.append defaults argv)
    match counts with
    | Some(passed, failed, skipped) ->
        // Errored tests count as failed. This line is what CI reads: keep it alone on its line.
        // Written on a fresh stream: Expecto's console writer pads lines it did not start.
        stdout.Flush()
        use raw = new System.IO.StreamWriter(System.Console.OpenStandardOutput())
        raw.Write(sprintf "\n%d passed, %d failed, %d skipped\n" passed failed skipped)
    | None -> ()
    exitCode

[<EntryPoint>]
let main argv =
    if argv.Length > 0 && argv.[0] = "--child" then runChild (List.ofArray argv.[1..])
    elif argv.Length > 0 && argv.[0] = "--conformance-hash" then ArrayLang.Tests.Backends.Cpu.ConformanceHash.main (List.ofArray argv.[1..])
    else runTests argv

/// Runs a program in a child process, for tests whose failure mode is a process abort (a stack
/// overflow cannot be caught): the test runner survives and reports the child's exit code and output.
module ArrayLang.Tests.ChildProcess

open System
open System.Diagnostics
open System.IO
open System.Threading

/// What a child process did: its exit code (None when it was killed for running too long) and output.
type ChildResult = { ExitCode: int option; Stdout: string; Stderr: string; Elapsed: TimeSpan }

/// The arraylang command, built next to the tests (the tests project references it).
let cliDll = Path.Combine(AppContext.BaseDirectory, "arraylang.dll")

/// This test assembly, which runs one child scenario when started with --child (Main.fs).
let testsDll = typeof<ChildResult>.Assembly.Location

/// Runs `dotnet DLL ARGS` with environment variables <paramref name="env"/> added and a time
/// limit; output is collected whatever its size.
let runDotnetWith (env: (string * string) list) (dll: string) (args: string list) (timeout: TimeSpan) =
    let psi = ProcessStartInfo("dotnet", RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
    for name, value in env do psi.Environment.[name] <- value
    psi.ArgumentList.Add dll
    for a in args do psi.ArgumentList.Add a
    let sw = Stopwatch.StartNew()
    use p = Process.Start psi
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()
    let exited = p.WaitForExit(int timeout.TotalMilliseconds)
    if not exited then p.Kill true
    p.WaitForExit()
    { ExitCode = (if exited then Some p.ExitCode else None); Stdout = out.Result; Stderr = err.Result; Elapsed = sw.Elapsed }

/// Runs `dotnet DLL ARGS` with a time limit; output is collected whatever its size.
let runDotnet (dll: string) (args: string list) (timeout: TimeSpan) = runDotnetWith [] dll args timeout

/// Runs the arraylang command in a child process.
let runCli (args: string list) = runDotnet cliDll args (TimeSpan.FromSeconds 120.0)

/// Runs <paramref name="work"/> on a new thread with a stack of <paramref name="stackBytes"/> and
/// returns its result or rethrows its exception.
let onThread (stackBytes: int) (work: unit -> 'a) : 'a =
    let mutable result = Unchecked.defaultof<'a>
    let mutable error: exn option = None
    let t = Thread((fun () -> try result <- work () with e -> error <- Some e), stackBytes)
    t.Start()
    t.Join()
    match error with
    | Some e -> System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw(); result
    | None -> result

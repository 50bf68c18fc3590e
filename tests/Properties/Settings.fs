/// Settings of the property suites. The number of random programs is an environment variable so
/// that a developer can run many more than CI does:
///   ARRAYLANG_PROGRAMS=20000 dotnet run --project tests -c Release -- --filter-test-list properties
module ArrayLang.Tests.Properties.Settings

open System

/// How many random programs each program property checks (CI default 5000).
let programCount =
    match Environment.GetEnvironmentVariable "ARRAYLANG_PROGRAMS" with
    | null | "" -> 5000
    | s ->
        match Int32.TryParse s with
        | true, n when n > 0 -> n
        | _ -> failwithf "ARRAYLANG_PROGRAMS must be a positive integer, found '%s'" s

/// A fixed seed when ARRAYLANG_SEED is set (to replay a run), else a fresh one per run.
let seed =
    match Environment.GetEnvironmentVariable "ARRAYLANG_SEED" with
    | null | "" -> Random.Shared.Next()
    | s -> int s

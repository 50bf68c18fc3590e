/// The arraylang command under failure: outputs written all or nothing (Note [atomic outputs]),
/// paths checked before any work, limits reported as one-line errors, zero-parameter functions,
/// tiny memory budgets, and inputs that are not what they claim.
module ArrayLang.Tests.CliReliabilityTests

open System
open System.Diagnostics
open System.IO
open Expecto
open ArrayLang.Cli
open ArrayLang.Npy
open ArrayLang.Values
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.CliTests

let private bytes (path: string) = File.ReadAllBytes path

/// No temporary output file is left in <paramref name="dir"/>.
let private noTemps (dir: string) =
    let left = Directory.GetFileSystemEntries(dir, "*.arraylang-tmp")
    Expect.isEmpty left "temporary files removed"

/// Asserts a one-line error on stderr: no stack trace, no "internal error".
let private oneLine (err: string) =
    Expect.isFalse (err.Contains "internal error") (sprintf "not reported as a bug: %s" err)
    Expect.isFalse (err.Contains "   at ") (sprintf "no stack trace: %s" err)

let private old = NDArray.Of([| 7.0f; 7.0f; 7.0f |], 3)

let private expectBitwiseNpy (path: string) (expected: NDArray) = expectBitwise (NpyFile.Read path) expected path

[<Tests>]
let tests =
    testList "cli reliability" [
        testList "outputs" [
            test "--out old.npy missing/dir.npy fails before any work and leaves old.npy untouched" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let x = writeNpy dir "x.npy" (NDArray.Of([| 1.0f; 2.0f; 3.0f |], 3))
                    let oldPath = writeNpy dir "old.npy" old
                    let before = bytes oldPath
                    let missing = Path.Combine(dir, "missing", "dir.npy")
                    let rc, _, err = cli [ "run"; p; "--in"; x; x; "--out"; oldPath; missing ]
                    Expect.equal rc 2 "a usage error"
                    Expect.stringContains err "does not exist" "names the missing directory"
                    Expect.stringContains err (Path.Combine(dir, "missing")) "the directory"
                    Expect.equal (bytes oldPath) before "old.npy unchanged"
                    noTemps dir)
            }
            test "--out a.npy a.npy is rejected, also when the two names are one file" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let x = writeNpy dir "x.npy" (NDArray.Of([| 1.0f; 2.0f; 3.0f |], 3))
                    let a = Path.Combine(dir, "a.npy")
                    let rc, _, err = cli [ "run"; p; "--in"; x; x; "--out"; a; a ]
                    Expect.equal rc 2 "a usage error"
                    Expect.stringContains err "given twice" "says why"
                    let other = Path.Combine(dir, ".", "sub", "..", "a.npy")
                    Directory.CreateDirectory(Path.Combine(dir, "sub")) |> ignore
                    let rc2, _, err2 = cli [ "run"; p; "--in"; x; x; "--out"; a; other ]
                    Expect.equal rc2 2 "a usage error"
                    Expect.stringContains err2 "are the same file" "says why"
                    Expect.isFalse (File.Exists a) "nothing written"
                    noTemps dir)
            }
            test "--out naming a directory is rejected before any work" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let x = writeNpy dir "x.npy" (NDArray.Of([| 1.0f; 2.0f; 3.0f |], 3))
                    let rc, _, err = cli [ "run"; p; "--in"; x; x; "--out"; Path.Combine(dir, "r.npy"); dir ]
                    Expect.equal rc 2 "a usage error"
                    Expect.stringContains err "is a directory" "says why"
                    Expect.isFalse (File.Exists(Path.Combine(dir, "r.npy"))) "the first result not written"
                    noTemps dir)
            }
            test "a run that fails after the outputs are checked leaves the old files intact" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let x = writeNpy dir "x.npy" (NDArray.Of([| 1.0f; 2.0f; 3.0f |], 3))
                    let bad = Path.Combine(dir, "bad.npy")
                    File.WriteAllBytes(bad, Array.append [| 0x93uy |] "NUMPY not really"B)
                    let r = writeNpy dir "r.npy" old
                    let s = writeNpy dir "s.npy" old
                    let before = bytes r
                    let rc, _, err = cli [ "run"; p; "--in"; x; bad; "--out"; r; s ]
                    Expect.equal rc 1 "the data is rejected"
                    oneLine err
                    Expect.equal (bytes r) before "r.npy unchanged"
                    Expect.equal (bytes s) before "s.npy unchanged"
                    noTemps dir)
            }
            test "a result that cannot be written leaves every old file intact, the ones before it too" {
                withTempDir (fun dir ->
                    let r = writeNpy dir "r.npy" old
                    let s = writeNpy dir "s.npy" old
                    let before = bytes r
                    use files = OutputFiles.Prepare([ r; s ])
                    // Sabotage the second temporary file: a directory where the file should be.
                    let temp = Directory.GetFiles(dir, ".s.npy.*.arraylang-tmp") |> Array.exactlyOne
                    File.Delete temp
                    Directory.CreateDirectory temp |> ignore
                    let e = Expect.throwsC (fun () -> files.WriteAll([ NDArray.Of([| 1.0f |], 1); NDArray.Of([| 2.0f |], 1) ])) id
                    Expect.isTrue (e :? IOException) (sprintf "an IOException, found %O" e)
                    Expect.stringContains e.Message "no result was written" "says that nothing changed"
                    (files :> IDisposable).Dispose()
                    Directory.Delete temp
                    Expect.equal (bytes r) before "r.npy unchanged although result 1 was written"
                    Expect.equal (bytes s) before "s.npy unchanged"
                    noTemps dir)
            }
            test "every result replaces its old file when the run succeeds" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let x = writeNpy dir "x.npy" (NDArray.Of([| 1.0f; 2.0f; 3.0f |], 3))
                    let r = writeNpy dir "r.npy" old
                    let s = writeNpy dir "s.npy" old
                    cli [ "run"; p; "--in"; x; x; "--out"; r; s ] |> expectRc 0
                    expectBitwiseNpy r (NDArray.Of([| 2.0f; 4.0f; 6.0f |], 3))
                    expectBitwiseNpy s (NDArray.Of([| -2.0f; -4.0f; -6.0f |], 3))
                    noTemps dir)
            }
        ]

        testList "inputs and options" [
            test "a function with no parameters runs without --in" {
                withTempDir (fun dir ->
                    let p = write dir "z.ir" "func f() -> (f32[3]) {\n  y: f32[3] = iota[dtype=f32, shape=[3], dim=0]()\n  return (y)\n}\n"
                    let rc, out, err = cli [ "run"; p ]
                    Expect.equal rc 0 (sprintf "exit 0: %s" err)
                    Expect.stringContains out "f32[3] [0, 1, 2]" "printed"
                    let r = Path.Combine(dir, "r.npy")
                    cli [ "run"; p; "--out"; r ] |> expectRc 0
                    expectBitwiseNpy r (NDArray.Of([| 0.0f; 1.0f; 2.0f |], 3)))
            }
            test "a directory given as --in or as the .ir file is named as a directory" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let rc, _, err = cli [ "run"; p; "--in"; dir; dir ]
                    Expect.equal rc 2 "a usage error"
                    Expect.stringContains err "is a directory" "says what it is"
                    let rc2, _, err2 = cli [ "check"; dir ]
                    Expect.equal rc2 2 "a usage error"
                    Expect.stringContains err2 "is a directory" "says what it is")
            }
            test "--memory-budget below one example or under 1 KiB is warned on stderr; a sane one is not" {
                withTempDir (fun dir ->
                    let p = write dir "f.ir" addNeg
                    let x = writeNpy dir "x.npy" (NDArray.Of(Array.init 12 float32, 4, 3))
                    let run budget = cli [ "run"; p; "--in"; x; x; "--vmap"; "0,0"; "--memory-budget"; budget ]
                    let rc, _, err = run "1"
                    Expect.equal rc 0 "still runs"
                    Expect.stringContains err "warning: --memory-budget 1 bytes is less than one example needs" "warned"
                    let rc2, _, err2 = run "1000"
                    Expect.equal rc2 0 "still runs"
                    Expect.stringContains err2 "warning: --memory-budget 1000 is under 1024 bytes" "warned"
                    let rc3, _, err3 = run "268435456"
                    Expect.equal rc3 0 "runs"
                    Expect.equal err3 "" "no warning")
            }
            test "check /dev/zero stops at the input cap quickly" {
                if File.Exists "/dev/zero" then
                    let sw = Stopwatch.StartNew()
                    let rc, _, err = cli [ "check"; "/dev/zero" ]
                    Expect.equal rc 2 "refused"
                    Expect.stringContains err "larger than 64 MiB" "names the cap"
                    Expect.isLessThan sw.Elapsed.TotalSeconds 10.0 "quickly"
                else skiptest "no /dev/zero here"
            }
            test "an .ir file over the cap is refused with its size limit" {
                withTempDir (fun dir ->
                    let p = Path.Combine(dir, "huge.ir")
                    use fs = new FileStream(p, FileMode.Create)
                    fs.SetLength(int64 CliMain.MaxIrFileBytes + 1L)
                    fs.Close()
                    let rc, _, err = cli [ "check"; p ]
                    Expect.equal rc 2 "refused"
                    Expect.stringContains err "64 MiB" "names the cap")
            }
        ]

        testList "limits" [
            test "check rejects a result of f32[65536,65536] with the element count and the limit" {
                withTempDir (fun dir ->
                    let p =
                        write dir "big.ir"
                            "func f(x: f32[]) -> (f32[65536,65536]) {\n  y: f32[65536,65536] = broadcast_in_dim[shape=[65536,65536], dims=[]](x)\n  return (y)\n}\n"
                    let rc, _, err = cli [ "check"; p ]
                    Expect.equal rc 1 "rejected"
                    oneLine err
                    Expect.stringContains err "4,294,967,296 elements" "the size"
                    Expect.stringContains err "2,147,483,591" "the limit"
                    Expect.stringContains err ":2:3" "the line")
            }
            test "intermediates beyond one array at run time are one line with the way out" {
                withTempDir (fun dir ->
                    let p =
                        write dir "outer.ir"
                            ("func f(x: f32[]) -> (f32[]) {\n  a: f32[32768] = broadcast_in_dim[shape=[32768], dims=[]](x)\n"
                             + "  b: f32[20000] = broadcast_in_dim[shape=[20000], dims=[]](x)\n"
                             + "  c: f32[32768,20000] = dot_general[contract=([],[]), batch=([],[])](a, b)\n"
                             + "  d: f32[32768,20000] = sin(c)\n  e: f32[] = reduce_sum[axes=[0,1]](d)\n  return (e)\n}\n")
                    let x = writeNpy dir "x.npy" (NDArray.Scalar(ArrayLang.Ir.DType.F32, 1.0))
                    let rc, _, err = cli [ "run"; p; "--in"; x ]
                    Expect.equal rc 1 "an error"
                    oneLine err
                    Expect.stringContains err "--chunk K / --memory-budget BYTES" "the way out"
                    Expect.equal (err.Trim().Split('\n').Length) 1 "one line")
            }
        ]
    ]

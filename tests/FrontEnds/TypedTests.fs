/// The compile-time typed path (Typed.vmap, Typed.jit): results equal the generic transforms', and a
/// wrong annotation is a compile error (checked by compiling a script with dotnet fsi).
module ArrayLang.Tests.FrontEnds.TypedTests

open System
open System.Diagnostics
open System.IO
open Expecto
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.FSharp

let private perExample (x: Tensor) (y: Tensor) = x * y + sin x
let private affine (w: Tensor) (b: Tensor) (x: Tensor) = Tensor.dot w x + b

/// Runs `dotnet fsi` on a script that references the built front end; the exit code and the output.
let private fsi (body: string) =
    let dir = Path.Combine(Path.GetTempPath(), $"arraylang-typed-{Guid.NewGuid():N}")
    Directory.CreateDirectory dir |> ignore
    try
        let refs =
            [ typeof<NDArray>.Assembly.Location; typeof<VmapConfig>.Assembly.Location ]
            |> List.map (fun p -> $"#r @\"%s{p}\"")
        let script = Path.Combine(dir, "typed.fsx")
        File.WriteAllText(script, String.Join("\n", refs @ [ "open ArrayLang.Tracing"; "open ArrayLang.Values"; "open ArrayLang.FSharp"; body ]))
        let info = ProcessStartInfo("dotnet", $"fsi --quiet \"%s{script}\"", RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
        use p = Process.Start info
        let out = p.StandardOutput.ReadToEndAsync()
        let err = p.StandardError.ReadToEnd()
        p.WaitForExit()
        p.ExitCode, out.Result + err
    finally
        Directory.Delete(dir, true)

[<Tests>]
let tests =
    testList "front ends/typed path" [
        test "Typed.jit (Typed.vmap f) equals the generic jit (vmap f), for one, two and three tensors" {
            let xs = NDArray.ofArray [| 1.0f; 2.0f; 3.0f |]
            let ys = NDArray.ofArray [| 0.5f; -1.0f; 2.0f |]
            let typed = Typed.jit (Typed.vmap perExample)
            let generic : NDArray -> NDArray -> NDArray = jit (vmap perExample)
            Expect.equal (NDArray.toArray (typed xs ys) : float32[]) (NDArray.toArray (generic xs ys)) "two tensors"
            let one = Typed.jit (Typed.vmap (fun (x: Tensor) -> x * 2.0))
            Expect.equal (NDArray.toArray (one xs) : float32[]) [| 2.0f; 4.0f; 6.0f |] "one tensor"
            let w = NDArray.ofArray2D (array2D [ [ 1.0f; 0.0f ]; [ 0.0f; 2.0f ] ])
            let b = NDArray.ofArray [| 1.0f; 1.0f |]
            let batch = NDArray.ofArray2D (array2D [ [ 1.0f; 2.0f ]; [ 3.0f; 4.0f ]; [ 5.0f; 6.0f ] ])
            let three = Typed.jit (Typed.vmap (affine, { VmapConfig.Default with InAxes = [ None; None; Some 0 ] }))
            Expect.equal (NDArray.toArray2D (three w b batch) : float32[,]) (array2D [ [ 2.0f; 5.0f ]; [ 4.0f; 9.0f ]; [ 6.0f; 13.0f ] ]) "three tensors, shared weights"
            let direct = Typed.jit perExample
            let generic : NDArray -> NDArray -> NDArray = jit perExample
            let two, three' = NDArray.scalar 2.0f, NDArray.scalar 3.0f
            Expect.equal (NDArray.toArray (direct two three') : float32[]) (NDArray.toArray (generic two three')) "jit of the per-example function"
        }
        test "a wrong annotation on the typed path is a compile error; the generic path compiles it and fails when run" {
            let code, output = fsi "let f (x: Tensor) (y: Tensor) = x * y\nlet g : NDArray -> NDArray = Typed.vmap f"
            Expect.notEqual code 0 $"the script must not compile: %s{output}"
            Expect.stringContains output "error FS" "a compile error"
            let code, output = fsi "let f (x: Tensor) (y: Tensor) = x * y\nlet g : NDArray -> NDArray = vmap f\ng (NDArray.ofArray [| 1.0f |]) |> ignore"
            Expect.isFalse (output.Contains "error FS") $"the generic path compiles: %s{output}"
            Expect.notEqual code 0 $"and fails when run: %s{output}"
        }
    ]

// The F# front end without a backend, in F# Interactive (packages from ./feed as in
// Interactive.fsx): tracing and lowering work, and the first run is an error that names the package
// to add.
//   dotnet fsi NoBackend.fsx
#r "nuget: ArrayLang.FSharp"

open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.FSharp

let double (x: Tensor) = x * 2.0f
printfn "%O" (lower [ AVal.Of(DType.F32, 3) ] (vmap double : NDArray -> NDArray))
let message =
    try
        (jit (vmap double) : float32[] -> float32[]) [| 1.0f |] |> ignore
        failwith "ran without a backend"
    with :? System.InvalidOperationException as e -> e.Message
printfn "without a backend: %s" message
if not (message.Contains "ArrayLang.Backends.Cpu") then failwith "the error does not name the package to add"

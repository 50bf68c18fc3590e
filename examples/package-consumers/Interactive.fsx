// ArrayLang in F# Interactive from packages: the front end and the CPU backend from the local folder
// feed ./feed (README.md here says how to make it), everything else from nuget.org, as the
// nuget.config beside this script says. Run it from that folder:
//   dotnet fsi Interactive.fsx
// Elsewhere, name the feed first: #i "nuget: /absolute/path/to/feed" (#i takes no relative path).
#r "nuget: ArrayLang.FSharp"
#r "nuget: ArrayLang.Backends.Cpu"

open ArrayLang.Compile
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.FSharp

fsi.AddPrinter Display.ndarray

let softmax (x: Tensor) = exp (x - Tensor.maxAll x) / Tensor.sum (exp (x - Tensor.maxAll x))
let batched : float32[,] -> float32[,] = jit (vmap softmax)
let rows = batched (array2D [ [ 1.0f; 2.0f; 3.0f ]; [ 0.0f; 0.0f; 0.0f ] ])
printfn "softmax rows: %A" rows
printfn "default backend: %s, ArrayLang.FSharp from %s" DefaultBackend.Instance.Name (typeof<VmapConfig>.Assembly.Location)

// Each row of a softmax sums to one.
for i in 0 .. 1 do
    let total = Array.sum rows.[i, *]
    if abs (total - 1.0f) > 1e-5f then failwithf "row %d sums to %f, not 1" i total

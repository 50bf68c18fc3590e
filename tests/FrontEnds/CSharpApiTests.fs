/// The C# front end, through functions written in C# (tests/FrontEnds/CSharpFixtures) and called
/// from here: Fn.Of with 1 to 6 arguments, Vmap, Chunk, MemoryBudget, Jit, Invoke, Lower, the
/// control-flow combinators, and the NDArray conversions.
module ArrayLang.Tests.FrontEnds.CSharpApiTests

open System
open System.IO
open Expecto
open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.CSharp
open FrontEnds.CSharpFixtures

let private nd (xs: float32[]) = NDArrayConversions.From xs

[<Tests>]
let tests =
    testList "front ends/C#" [
        test "Vmap with shared weights, Jit, Invoke and Lower" {
            let w = NDArrayConversions.From(array2D [ [ 1.0f; 0.0f ]; [ 0.5f; -1.0f ] ])
            let b = nd [| 0.1f; 0.2f |]
            let xs = NDArrayConversions.From(array2D [ [ 1.0f; 2.0f ]; [ 3.0f; 4.0f ]; [ -1.0f; 0.0f ] ])
            let f = Fixtures.Layer.Vmap([| Nullable(); Nullable(); Nullable 0 |]).Jit()
            let r = f.Invoke(w, b, xs).ToArray2D<float32>()
            for i in 0 .. 2 do
                for j in 0 .. 1 do
                    let plain = tanh (float (w.F32.[2 * j] * xs.F32.[2 * i] + w.F32.[2 * j + 1] * xs.F32.[2 * i + 1] + b.F32.[j]))
                    Expect.floatClose Accuracy.high (float r.[i, j]) plain "tanh(w x + b)"
            let ir = string (f.Lower(AVal.Of(DType.F32, 2, 2), AVal.Of(DType.F32, 2), AVal.Of(DType.F32, 3, 2)))
            Expect.stringContains ir "func f(w: f32[2,2], b: f32[2], x: f32[3,2])" "the lambda's parameter names"
            Expect.stringContains ir "dot_general" "one matrix product"
            Expect.equal f.TraceCount 1 "traced once"
            f.Invoke(w, b, xs) |> ignore
            Expect.equal f.TraceCount 1 "cached"
        }
        test "Vmap with a negative in axis, an out axis elsewhere, and an axis size equals plain loops" {
            let w = array2D [ [ 1.0f; 0.5f ]; [ -1.0f; 2.0f ] ]
            let b = [| 0.1f; -0.2f |]
            let xs = Array2D.init 2 5 (fun j e -> float32 (j + e) * 0.3f - 0.5f) // 5 examples along the last axis
            let f = Fixtures.Layer.Vmap(inAxes = [| Nullable(); Nullable(); Nullable -1 |], outAxes = [| Nullable 1 |])
            let r = f.Invoke(NDArrayConversions.From w, nd b, NDArrayConversions.From xs).ToArray2D<float32>()
            Expect.equal (Array2D.length1 r, Array2D.length2 r) (2, 5) "the batch axis last"
            for i in 0 .. 1 do
                for e in 0 .. 4 do
                    let plain = tanh (float w.[i, 0] * float xs.[0, e] + float w.[i, 1] * float xs.[1, e] + float b.[i])
                    Expect.floatClose Accuracy.high (float r.[i, e]) plain "tanh(w x_e + b)"
            let rs = Fixtures.SumAndProduct.Vmap(inAxes = [| Nullable(); Nullable() |], axisSize = 3).InvokeAll(NDArrayConversions.Scalar 2.0f, NDArrayConversions.Scalar 5.0f)
            Expect.equal (rs |> Array.map (fun a -> a.ToArray<float32>())) [| [| 7.0f; 7.0f; 7.0f |]; [| 10.0f; 10.0f; 10.0f |] |] "no batched argument: axisSize examples"
        }
        test "several results, six arguments, out axes, and InvokeAll" {
            let rs = Fixtures.SumAndProduct.Vmap().InvokeAll(nd [| 1.0f; 2.0f |], nd [| 3.0f; 4.0f |])
            Expect.equal (rs |> Array.map (fun a -> a.ToArray<float32>())) [| [| 4.0f; 6.0f |]; [| 3.0f; 8.0f |] |] "sum and product"
            Expect.throwsT<TraceException> (fun () -> Fixtures.SumAndProduct.Invoke(nd [| 1.0f |], nd [| 2.0f |]) |> ignore) "Invoke needs one result"
            let a = [| 1.0f; 2.0f |]
            let r = Fixtures.Six.Vmap(outAxes = [| Nullable 0 |]).Invoke(nd a, nd a, nd a, nd a, nd a, nd a).ToArray<float32>()
            Expect.equal r [| 1.0f + 1.0f - 1.0f; 4.0f + 4.0f - 1.0f |] "a*b + c*d - e/f"
            let four = Fixtures.Four.Vmap().Jit().InvokeAll(nd a, nd [| 3.0f; 4.0f |], nd a, nd [| 0.5f; 0.5f |]) |> Array.map (fun x -> x.ToArray<float32>())
            Expect.equal four [| [| 3.0f; 8.0f |]; [| 0.5f; 1.5f |] |] "four arguments: a*b and c-d"
            let five = Fixtures.Five.Vmap().InvokeAll(nd a, nd a, nd a, nd a, nd [| 10.0f; 20.0f |]) |> Array.map (fun x -> x.ToArray<float32>())
            Expect.equal five [| [| 14.0f; 28.0f |]; [| 10.0f; 40.0f |] |] "five arguments, an array of results"
        }
        test "Chunk and MemoryBudget equal plain Vmap; Chunk without Vmap is an error" {
            let xs = NDArrayConversions.From(Array2D.init 2 7 (fun i t -> float32 (i + t) * 0.1f))
            let a, h0 = nd [| 0.5f; 0.9f |], nd [| 0.0f; 0.1f |]
            let plain = Fixtures.Recurrence.Vmap().Invoke(a, h0, xs).ToArray<float32>()
            for f in [ Fixtures.Recurrence.Vmap().Chunk 1; Fixtures.Recurrence.Vmap().MemoryBudget 64L ] do
                Expect.equal (f.Invoke(a, h0, xs).ToArray<float32>()) plain "chunked"
            for i in 0 .. 1 do
                let mutable h = h0.F32.[i]
                for t in 0 .. 6 do h <- float32 (tanh (float (a.F32.[i] * h + xs.F32.[7 * i + t])))
                Expect.floatClose Accuracy.high (float plain.[i]) (float h) "plain recurrence"
            Expect.throwsT<TraceException> (fun () -> Fixtures.Recurrence.Chunk 2 |> ignore) "Chunk needs Vmap"
        }
        test "Control.While, Cond and ForLoop under vmap equal plain loops" {
            let rec collatz n k = if n <= 1 then k elif n % 2 = 0 then collatz (n / 2) (k + 1) else collatz (3 * n + 1) (k + 1)
            let ns = [| 1; 6; 7; 27 |]
            Expect.equal (Fixtures.CollatzSteps.Vmap().Jit().Invoke(NDArrayConversions.From ns).ToArray<int>()) (ns |> Array.map (fun n -> collatz n 0)) "while"
            Expect.equal (Fixtures.SafeSqrt.Vmap().Invoke(nd [| 4.0f; -1.0f |]).ToArray<float32>()) [| 2.0f; -0.0f |] "cond"
            Expect.equal (Fixtures.WeightedSum.Vmap().Invoke(nd [| 1.0f; 2.0f |]).ToArray<float32>()) [| 10.0f; 20.0f |] "for loop: (0+1+2+3+4) x"
        }
        test "a vmapped Fn invoked on tensors inside another: nested vmap equals the double loop" {
            let w = NDArrayConversions.From(array2D [ [ 1.0f; 2.0f ]; [ 3.0f; 4.0f ]; [ 0.0f; 1.0f ] ]) // 3 models
            let xs = NDArrayConversions.From(array2D [ [ 1.0f; 0.0f ]; [ 0.0f; 1.0f ] ]) // 2 examples
            let r = Fixtures.Ensemble.Invoke(w, xs).ToArray2D<float32>()
            Expect.equal r (array2D [ [ 1.0f; 2.0f ]; [ 3.0f; 4.0f ]; [ 0.0f; 1.0f ] ]) "w_m . x_e"
        }
        test "NDArray converts from and to T[], T[,], T[,,], spans with a shape, scalars and .npy files" {
            let a3 = Array3D.init 2 3 4 (fun i j k -> i * 100 + j * 10 + k)
            let n3 = NDArrayConversions.From a3
            Expect.equal (n3.Type.ToString()) "i32[2,3,4]" "rank 3"
            Expect.equal (NDArrayConversions.ToArray3D<int> n3) a3 "round trip"
            let span = NDArrayConversions.From(ReadOnlySpan [| 1.0; 2.0; 3.0; 4.0; 5.0; 6.0 |], 2, 3)
            Expect.equal (NDArrayConversions.ToArray2D<float> span) (array2D [ [ 1.0; 2.0; 3.0 ]; [ 4.0; 5.0; 6.0 ] ]) "span with a shape"
            Expect.equal (NDArrayConversions.ToScalar<bool>(NDArrayConversions.Scalar true)) true "scalar"
            let dest = Array.zeroCreate<int> 24
            NDArrayConversions.CopyTo(n3, Span dest)
            Expect.equal dest.[23] 123 "copy to a span"
            let path = Path.Combine(Path.GetTempPath(), $"arraylang-{Guid.NewGuid()}.npy")
            try
                NDArrayConversions.Save(n3, path)
                Expect.isTrue ((NDArrayConversions.Load path).BitwiseEquals n3) ".npy round trip"
            finally File.Delete path
            Expect.throwsT<InvalidOperationException> (fun () -> NDArrayConversions.ToArray<float32> n3 |> ignore) "wrong element type"
            Expect.throwsT<ArgumentException> (fun () -> NDArrayConversions.From(ReadOnlySpan [| 1.0f; 2.0f |], 3) |> ignore) "wrong shape"
        }
    ]

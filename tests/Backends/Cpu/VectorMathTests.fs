/// The CPU backend's vector math (Backends/Cpu/VectorMath): every float and double function against
/// the reference evaluator's scalar math on a few million sampled inputs (log-uniform over the whole
/// range plus uniform over the interesting one) and on the edge values where the algorithms switch
/// paths, asserting the documented ulp bound (VectorMath.MaxUlpError) and exact special values; and
/// that the Vector512, Vector256, scalar and span forms give the same bits for every lane. The
/// exhaustive sweep over all 2^32 floats is tools/VectorMathSweep, not part of CI.
module ArrayLang.Tests.Backends.Cpu.VectorMathTests

open System
open System.Runtime.Intrinsics
open System.Threading.Tasks
open Expecto
open ArrayLang.Ir
open ArrayLang.Reference
open ArrayLang.Backends.Cpu

// ---- ulps -------------------------------------------------------------------------------------

let private orderedF (x: float32) =
    let b = BitConverter.SingleToInt32Bits x
    if b >= 0 then int64 b else -(int64 (b &&& Int32.MaxValue))

let private orderedD (x: float) =
    let b = BitConverter.DoubleToInt64Bits x
    if b >= 0L then b else -(b &&& Int64.MaxValue)

/// Floats between a and b (+0 and -0 equal; both NaN 0; one NaN: Int64.MaxValue).
let ulpF (a: float32) (b: float32) =
    if Single.IsNaN a || Single.IsNaN b then (if Single.IsNaN a && Single.IsNaN b then 0L else Int64.MaxValue)
    else abs (orderedF a - orderedF b)

let ulpD (a: float) (b: float) =
    if Double.IsNaN a || Double.IsNaN b then (if Double.IsNaN a && Double.IsNaN b then 0L else Int64.MaxValue)
    else abs (orderedD a - orderedD b)

let private bitsF (x: float32) = BitConverter.SingleToInt32Bits x
let private bitsD (x: float) = BitConverter.DoubleToInt64Bits x
let private isSpecialF (x: float32) = Single.IsNaN x || Single.IsInfinity x || x = 0.0f
let private isSpecialD (x: float) = Double.IsNaN x || Double.IsInfinity x || x = 0.0

/// Same value as results must agree: NaN matches any NaN, otherwise the bits (so -0 <> +0).
let sameF (a: float32) (b: float32) = (Single.IsNaN a && Single.IsNaN b) || bitsF a = bitsF b
let sameD (a: float) (b: float) = (Double.IsNaN a && Double.IsNaN b) || bitsD a = bitsD b

// ---- the functions under test -------------------------------------------------------------------

/// A float function in all its forms, with the reference evaluator's definition.
type F32Function =
    { Name: string
      Span: float32[] -> float32[] -> float32[] -> unit   // x, y (binary only), result
      V512: Vector512<float32> -> Vector512<float32> -> Vector512<float32>
      V256: Vector256<float32> -> Vector256<float32> -> Vector256<float32>
      Scalar: float32 -> float32 -> float32
      Reference: float -> float -> float
      Binary: bool
      /// Where the function is interesting, for uniform samples.
      Range: float * float }

let private unary name span (v512: Vector512<float32> -> Vector512<float32>) (v256: Vector256<float32> -> Vector256<float32>)
                  (scalar: float32 -> float32) (reference: float -> float) range =
    { Name = name; Span = (fun x _ r -> span x r); V512 = (fun a _ -> v512 a); V256 = (fun a _ -> v256 a)
      Scalar = (fun a _ -> scalar a); Reference = (fun a _ -> reference a); Binary = false; Range = range }

let f32Functions =
    [ unary "exp" (fun x r -> VectorMath.Exp(ReadOnlySpan x, Span r)) VectorMath.Exp VectorMath.Exp VectorMath.Exp Math.Exp (-104.0, 89.0)
      unary "log" (fun x r -> VectorMath.Log(ReadOnlySpan x, Span r)) VectorMath.Log VectorMath.Log VectorMath.Log Math.Log (0.0, 4.0)
      unary "log1p" (fun x r -> VectorMath.Log1p(ReadOnlySpan x, Span r)) VectorMath.Log1p VectorMath.Log1p VectorMath.Log1p ScalarMath.Log1p (-1.0, 3.0)
      unary "expm1" (fun x r -> VectorMath.Expm1(ReadOnlySpan x, Span r)) VectorMath.Expm1 VectorMath.Expm1 VectorMath.Expm1 ScalarMath.Expm1 (-20.0, 89.0)
      unary "sin" (fun x r -> VectorMath.Sin(ReadOnlySpan x, Span r)) VectorMath.Sin VectorMath.Sin VectorMath.Sin Math.Sin (-200.0, 200.0)
      unary "cos" (fun x r -> VectorMath.Cos(ReadOnlySpan x, Span r)) VectorMath.Cos VectorMath.Cos VectorMath.Cos Math.Cos (-200.0, 200.0)
      unary "tan" (fun x r -> VectorMath.Tan(ReadOnlySpan x, Span r)) VectorMath.Tan VectorMath.Tan VectorMath.Tan Math.Tan (-200.0, 200.0)
      unary "tanh" (fun x r -> VectorMath.Tanh(ReadOnlySpan x, Span r)) VectorMath.Tanh VectorMath.Tanh VectorMath.Tanh Math.Tanh (-10.0, 10.0)
      unary "logistic" (fun x r -> VectorMath.Logistic(ReadOnlySpan x, Span r)) VectorMath.Logistic VectorMath.Logistic VectorMath.Logistic ScalarMath.Logistic (-110.0, 30.0)
      unary "erf" (fun x r -> VectorMath.Erf(ReadOnlySpan x, Span r)) VectorMath.Erf VectorMath.Erf VectorMath.Erf ScalarMath.Erf (-4.5, 4.5)
      { Name = "pow"; Span = (fun x y r -> VectorMath.Pow(ReadOnlySpan x, ReadOnlySpan y, Span r))
        V512 = (fun a b -> VectorMath.Pow(a, b)); V256 = (fun a b -> VectorMath.Pow(a, b)); Scalar = (fun a b -> VectorMath.Pow(a, b))
        Reference = (fun a b -> ScalarMath.Pow(a, b)); Binary = true; Range = (0.0, 8.0) }
      { Name = "atan2"; Span = (fun y x r -> VectorMath.Atan2(ReadOnlySpan y, ReadOnlySpan x, Span r))
        V512 = (fun a b -> VectorMath.Atan2(a, b)); V256 = (fun a b -> VectorMath.Atan2(a, b)); Scalar = (fun a b -> VectorMath.Atan2(a, b))
        Reference = (fun a b -> Math.Atan2(a, b)); Binary = true; Range = (-10.0, 10.0) } ]

/// A double function in all its forms.
type F64Function =
    { Name: string
      Span: float[] -> float[] -> float[] -> unit
      V512: Vector512<float> -> Vector512<float> -> Vector512<float>
      V256: Vector256<float> -> Vector256<float> -> Vector256<float>
      Scalar: float -> float -> float
      Reference: float -> float -> float
      Binary: bool
      Range: float * float }

let private unary64 name span (v512: Vector512<float> -> Vector512<float>) (v256: Vector256<float> -> Vector256<float>)
                    (scalar: float -> float) (reference: float -> float) range =
    { Name = name; Span = (fun x _ r -> span x r); V512 = (fun a _ -> v512 a); V256 = (fun a _ -> v256 a)
      Scalar = (fun a _ -> scalar a); Reference = (fun a _ -> reference a); Binary = false; Range = range }

let f64Functions : F64Function list =
    [ unary64 "exp" (fun x r -> VectorMath.Exp(ReadOnlySpan<float> x, Span<float> r)) VectorMath.Exp VectorMath.Exp VectorMath.Exp Math.Exp (-746.0, 710.0)
      unary64 "log" (fun x r -> VectorMath.Log(ReadOnlySpan<float> x, Span<float> r)) VectorMath.Log VectorMath.Log VectorMath.Log Math.Log (0.0, 4.0)
      unary64 "log1p" (fun x r -> VectorMath.Log1p(ReadOnlySpan<float> x, Span<float> r)) VectorMath.Log1p VectorMath.Log1p VectorMath.Log1p ScalarMath.Log1p (-1.0, 3.0)
      unary64 "expm1" (fun x r -> VectorMath.Expm1(ReadOnlySpan<float> x, Span<float> r)) VectorMath.Expm1 VectorMath.Expm1 VectorMath.Expm1 ScalarMath.Expm1 (-40.0, 710.0)
      unary64 "sin" (fun x r -> VectorMath.Sin(ReadOnlySpan<float> x, Span<float> r)) VectorMath.Sin VectorMath.Sin VectorMath.Sin Math.Sin (-1e4, 1e4)
      unary64 "cos" (fun x r -> VectorMath.Cos(ReadOnlySpan<float> x, Span<float> r)) VectorMath.Cos VectorMath.Cos VectorMath.Cos Math.Cos (-1e4, 1e4)
      unary64 "tan" (fun x r -> VectorMath.Tan(ReadOnlySpan<float> x, Span<float> r)) VectorMath.Tan VectorMath.Tan VectorMath.Tan Math.Tan (-1e4, 1e4)
      unary64 "tanh" (fun x r -> VectorMath.Tanh(ReadOnlySpan<float> x, Span<float> r)) VectorMath.Tanh VectorMath.Tanh VectorMath.Tanh Math.Tanh (-25.0, 25.0)
      unary64 "logistic" (fun x r -> VectorMath.Logistic(ReadOnlySpan<float> x, Span<float> r)) VectorMath.Logistic VectorMath.Logistic VectorMath.Logistic ScalarMath.Logistic (-750.0, 50.0)
      unary64 "erf" (fun x r -> VectorMath.Erf(ReadOnlySpan<float> x, Span<float> r)) VectorMath.Erf VectorMath.Erf VectorMath.Erf ScalarMath.Erf (-6.0, 6.0)
      { Name = "pow"; Span = (fun x y r -> VectorMath.Pow(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> r))
        V512 = (fun a b -> VectorMath.Pow(a, b)); V256 = (fun a b -> VectorMath.Pow(a, b)); Scalar = (fun a b -> VectorMath.Pow(a, b))
        Reference = (fun a b -> ScalarMath.Pow(a, b)); Binary = true; Range = (0.0, 8.0) }
      { Name = "atan2"; Span = (fun y x r -> VectorMath.Atan2(ReadOnlySpan<float> y, ReadOnlySpan<float> x, Span<float> r))
        V512 = (fun a b -> VectorMath.Atan2(a, b)); V256 = (fun a b -> VectorMath.Atan2(a, b)); Scalar = (fun a b -> VectorMath.Atan2(a, b))
        Reference = (fun a b -> Math.Atan2(a, b)); Binary = true; Range = (-10.0, 10.0) } ]

// ---- inputs ------------------------------------------------------------------------------------

let private fromBits (b: uint32) = BitConverter.UInt32BitsToSingle b

/// x and its two neighbouring floats.
let private around (x: float32) = [ MathF.BitDecrement x; x; MathF.BitIncrement x ]
let private aroundD (x: float) = [ Math.BitDecrement x; x; Math.BitIncrement x ]

/// Values every float function meets: zeros, denormals, the ends of the range, infinities, NaN, small integers.
let private commonEdgesF =
    [ 0.0f; -0.0f; Single.Epsilon; fromBits 0x007fffffu; fromBits 0x00800000u; Single.MaxValue
      infinityf; nanf; 1.0f; 0.5f; 2.0f; 3.0f; 10.0f; 1e-10f; 1e10f; 1e30f; 1e-30f ]
    |> List.collect (fun v -> [ v; -v ])
    |> List.append (around 1.0f @ around -1.0f)

/// Where each float algorithm switches path (thresholds, table and interval boundaries).
let private edgesFor name =
    let piOver2 k = float32 (float k * Math.PI / 2.0)
    match name with
    | "exp" | "logistic" ->
        around 88.7228317f @ around 88.7228394f @ around -87.3365448f @ around -103.972084f @ around -103.278931f
        @ around 87.6832962f @ around -87.6832962f @ around 0.346573591f @ around -0.346573591f @ [ 89.0f; -104.0f; 17.0f; -17.0f; 100.0f; -200.0f ]
    | "expm1" ->
        around 0.693147182f @ around -0.693147182f @ around 88.7228317f @ around 88.7228394f @ around -17.3286800f
        @ [ -18.0f; -25.0f; 1e-8f; -1e-8f; 5.9604645e-8f; 100.0f ]
    | "log" | "log1p" ->
        let tableEdges = [ for i in 0..16 -> fromBits (0x3f330000u + (uint32 i <<< 19)) ]
        tableEdges @ [ for t in tableEdges -> t - 1.0f ] @ around -1.0f @ around -0.5f @ [ 16777216.0f; 1.7e38f; -2.0f; 1e-40f; 1e-45f ]
    | "sin" | "cos" | "tan" ->
        [ for k in 1..64 do yield! around (piOver2 k) ]
        @ [ for k in [ 1000; 65535; 65536; 83443; 83444; 1 <<< 20; 1 <<< 24 ] do yield! around (piOver2 k) ]
        @ around 131072.0f @ around 131071.0f @ around 0.785398185f @ [ 1e20f; 1e38f; 3.3e38f; 16777216.0f; 2.0f ** 64.0f; 8388607.5f ]
    | "tanh" -> around 0.75f @ around -0.75f @ around 9.01f @ around 44.36f @ [ 22.0f; 20.0f; 1e-20f; 1e-38f ]
    | "erf" -> [ for k in 0..17 do yield! around (float32 k / 4.0f) ] @ around 3.9193f @ [ 1e-38f; 1e-44f; 5.0f; 10.0f ]
    | _ -> []
    |> fun specific -> commonEdgesF @ specific @ (specific |> List.map (fun v -> -v))

let private edgesD =
    [ 0.0; -0.0; Double.Epsilon; BitConverter.Int64BitsToDouble 0x000fffffffffffffL; 2.2250738585072014e-308; Double.MaxValue
      infinity; nan; 1.0; 0.5; 2.0; 3.0; 10.0; 1e-10; 1e10; 1e300; 1e-300; 709.782712893384; 710.0; 745.0; 746.0
      0.75; 22.0; 1647099.3291652855; 1e20; Math.PI / 2.0; Math.PI; 0.6931471805599453 ]
    |> List.collect (fun v -> [ v; -v ])
    |> List.append (aroundD 1.0 @ aroundD -1.0 @ aroundD 709.782712893384)

/// Pow's special cases and the values around them (C99 Annex F.9.4.4).
let private powEdgesX =
    [ 0.0f; Single.Epsilon; 0.5f; 1.0f; 2.0f; 3.0f; 1e10f; infinityf; nanf; MathF.BitIncrement 1.0f; MathF.BitDecrement 1.0f; 0.25f ]
    |> List.collect (fun v -> [ v; -v ])

let private powEdgesY =
    [ 0.0f; 1.0f; 2.0f; 3.0f; 0.5f; 1.5f; 2.5f; 127.0f; 128.0f; 149.0f; 150.0f; 16777216.0f; 16777218.0f; 33554432.0f
      8388607.5f; 1e10f; infinityf; nanf; Single.Epsilon ]
    |> List.collect (fun v -> [ v; -v ])

let private atan2Edges =
    [ 0.0f; Single.Epsilon; 1.0f; 2.0f; Single.MaxValue; infinityf; nanf; 1e-30f ] |> List.collect (fun v -> [ v; -v ])

/// n inputs: even indices any bit pattern (every magnitude and the specials), odd ones uniform in the range.
let private sampleF (rng: Random) (lo: float, hi: float) n =
    Array.init n (fun i ->
        if i % 2 = 0 then BitConverter.UInt32BitsToSingle(uint32 (rng.NextInt64(0L, 1L <<< 32)))
        else float32 (lo + (hi - lo) * rng.NextDouble()))

let private sampleD (rng: Random) (lo: float, hi: float) n =
    Array.init n (fun i ->
        if i % 2 = 0 then BitConverter.Int64BitsToDouble(rng.NextInt64(Int64.MinValue, Int64.MaxValue))
        else lo + (hi - lo) * rng.NextDouble())

/// Second operands for pow: any bits, uniform in [-8, 8], or integers and half-integers (negative bases).
let private powExponents (rng: Random) n =
    Array.init n (fun i ->
        match i % 4 with
        | 0 -> BitConverter.UInt32BitsToSingle(uint32 (rng.NextInt64(0L, 1L <<< 32)))
        | 1 -> float32 (rng.NextDouble() * 16.0 - 8.0)
        | 2 -> float32 (rng.Next(-40, 41))
        | _ -> float32 (rng.Next(-40, 41)) + 0.5f)

// ---- checks ------------------------------------------------------------------------------------

/// Compares results with the reference: exact for special inputs and special reference values, else
/// within the bound. Fails with the first few offending inputs.
let private checkF32 (f: F32Function) (x: float32[]) (y: float32[]) (result: float32[]) =
    let bound = int64 (VectorMath.MaxUlpError(f.Name, DType.F32))
    let bad = Collections.Concurrent.ConcurrentBag<string>()
    let worst = ref 0L
    Parallel.For(0, x.Length, fun i ->
        let reference = float32 (f.Reference (float x.[i]) (float y.[i]))
        let r = result.[i]
        let special = isSpecialF x.[i] || (f.Binary && isSpecialF y.[i])
        let wrong =
            if Single.IsNaN r || Single.IsNaN reference || (r = 0.0f && reference = 0.0f) || special then not (sameF r reference)
            else
                let d = ulpF r reference
                lock worst (fun () -> worst.Value <- max worst.Value d)
                d > bound
        if wrong && bad.Count < 5 then
            bad.Add(sprintf "%s(%.9g%s) = %.9g (0x%08x), reference %.9g (0x%08x), %d ulp (bound %d)" f.Name x.[i]
                        (if f.Binary then sprintf ", %.9g" y.[i] else "") r (bitsF r) reference (bitsF reference) (ulpF r reference) bound))
    |> ignore
    if not bad.IsEmpty then failtestf "%d+ wrong results:\n%s" bad.Count (String.Join("\n", bad))
    worst.Value

let private checkF64 (f: F64Function) (x: float[]) (y: float[]) (result: float[]) =
    let bound = int64 (VectorMath.MaxUlpError(f.Name, DType.F64))
    let bad = Collections.Concurrent.ConcurrentBag<string>()
    Parallel.For(0, x.Length, fun i ->
        let reference = f.Reference x.[i] y.[i]
        let r = result.[i]
        let special = isSpecialD x.[i] || (f.Binary && isSpecialD y.[i])
        let wrong =
            if Double.IsNaN r || Double.IsNaN reference || (r = 0.0 && reference = 0.0) || special then not (sameD r reference)
            else ulpD r reference > bound
        if wrong && bad.Count < 5 then
            bad.Add(sprintf "%s(%.17g%s) = %.17g, reference %.17g, %d ulp (bound %d)" f.Name x.[i]
                        (if f.Binary then sprintf ", %.17g" y.[i] else "") r reference (ulpD r reference) bound))
    |> ignore
    if not bad.IsEmpty then failtestf "%d+ wrong results:\n%s" bad.Count (String.Join("\n", bad))

let private runF32 (f: F32Function) (x: float32[]) (y: float32[]) =
    let result = Array.zeroCreate x.Length
    f.Span x y result
    result

let private runF64 (f: F64Function) (x: float[]) (y: float[]) =
    let result = Array.zeroCreate x.Length
    f.Span x y result
    result

/// The inputs of the float edge grid: unary functions their edges; pow and atan2 every pair.
let private edgeInputsF (f: F32Function) =
    match f.Name with
    | "pow" -> [| for a in powEdgesX do for b in powEdgesY -> a, b |]
    | "atan2" -> [| for a in atan2Edges do for b in atan2Edges -> a, b |]
    | name -> [| for a in edgesFor name -> a, 0.0f |]

/// An array in which every 16-lane block mixes ordinary values with edge values (huge arguments,
/// specials, denormals), for the lane-independence checks.
let private mixedF (f: F32Function) (rng: Random) n =
    let edges = edgeInputsF f
    let x = sampleF rng f.Range n
    let y = if f.Binary then (if f.Name = "pow" then powExponents rng n else sampleF rng f.Range n) else Array.zeroCreate n
    for i in 0 .. 5 .. n - 1 do
        let a, b = edges.[rng.Next edges.Length]
        x.[i] <- a
        if f.Binary then y.[i] <- b
    x, y

let private mixedD (f: F64Function) (rng: Random) n =
    let x = sampleD rng f.Range n
    let y = sampleD rng (-5.0, 5.0) n
    for i in 0 .. 5 .. n - 1 do
        x.[i] <- edgesD.[rng.Next edgesD.Length]
        if f.Binary then y.[i] <- edgesD.[rng.Next edgesD.Length]
    x, y

// ---- the tests ---------------------------------------------------------------------------------

/// Samples per float function: half any bit pattern, half uniform over the interesting range; half as
/// many where the reference is ScalarMath's double-double arithmetic (slow), to keep CI under 20 s.
let private samplesFor name =
    match name with
    | "expm1" | "log1p" | "logistic" | "erf" -> 1_000_000
    | _ -> 2_000_000

let private samplesD = 500_000

let private f32SampleTests =
    f32Functions
    |> List.map (fun f ->
        let n = samplesFor f.Name
        testCase $"{f.Name} f32: {n:N0} samples within the bound" <| fun () ->
            let rng = Random(20261126 + f.Name.Length)
            let x = sampleF rng f.Range n
            let y =
                match f.Name with
                | "pow" -> powExponents rng n
                | "atan2" -> sampleF rng f.Range n
                | _ -> Array.zeroCreate n
            checkF32 f x y (runF32 f x y) |> ignore)

let private f32EdgeTests =
    f32Functions
    |> List.map (fun f ->
        testCase $"{f.Name} f32: edge values exact or within the bound" <| fun () ->
            let x, y = edgeInputsF f |> Array.unzip
            checkF32 f x y (runF32 f x y) |> ignore)

let private f64SampleTests =
    f64Functions
    |> List.map (fun f ->
        testCase $"{f.Name} f64: {samplesD:N0} samples and the edge values within the bound" <| fun () ->
            let rng = Random(1126 + f.Name.Length)
            let n = if f.Name = "erf" then samplesD / 10 else samplesD // ScalarMath.Erf is slow, and erf is the reference itself
            let x = Array.append (sampleD rng f.Range n) (List.toArray edgesD)
            let y =
                if not f.Binary then Array.zeroCreate x.Length
                else Array.append (sampleD rng (-8.0, 8.0) n) (List.toArray (List.rev edgesD))
            checkF64 f x y (runF64 f x y))

/// Every form gives the same bits per lane: span (body and padded tail), Vector512, Vector256, scalar.
let private lanesAgreeF (f: F32Function) =
    testCase $"{f.Name} f32: span, Vector512, Vector256 and scalar agree bit for bit" <| fun () ->
        let rng = Random(7)
        let n = 4096
        let x, y = mixedF f rng n
        let spanResult = runF32 f x y
        let describe i form (v: float32) =
            sprintf "%s(%.9g, %.9g): span 0x%08x, %s 0x%08x" f.Name x.[i] y.[i] (bitsF spanResult.[i]) form (bitsF v)
        for i in 0 .. n - 1 do
            let s = f.Scalar x.[i] y.[i]
            if bitsF s <> bitsF spanResult.[i] then failtest (describe i "scalar" s)
        for block in 0 .. n / 16 - 1 do
            let v = f.V512 (Vector512.Create<float32>(ReadOnlySpan<float32>(x, block * 16, 16))) (Vector512.Create<float32>(ReadOnlySpan<float32>(y, block * 16, 16)))
            for lane in 0 .. 15 do
                let i = block * 16 + lane
                if bitsF v.[lane] <> bitsF spanResult.[i] then failtest (describe i "Vector512" v.[lane])
        for block in 0 .. n / 8 - 1 do
            let v = f.V256 (Vector256.Create<float32>(ReadOnlySpan<float32>(x, block * 8, 8))) (Vector256.Create<float32>(ReadOnlySpan<float32>(y, block * 8, 8)))
            for lane in 0 .. 7 do
                let i = block * 8 + lane
                if bitsF v.[lane] <> bitsF spanResult.[i] then failtest (describe i "Vector256" v.[lane])
        // Every length and start: the tail never changes a result.
        for length in 0 .. 40 do
            for start in 0 .. 3 do
                let xs = x.[start .. start + length - 1]
                let ys = y.[start .. start + length - 1]
                let r = runF32 f xs ys
                for i in 0 .. length - 1 do
                    if bitsF r.[i] <> bitsF spanResult.[start + i] then
                        failtestf "%s: span of length %d from %d differs at %d" f.Name length start i
        // In place: the result span is the input span.
        let inPlace = Array.copy x
        f.Span inPlace y inPlace
        for i in 0 .. n - 1 do
            if bitsF inPlace.[i] <> bitsF spanResult.[i] then failtestf "%s: in-place result differs at %d" f.Name i

let private lanesAgreeD (f: F64Function) =
    testCase $"{f.Name} f64: span, Vector512, Vector256 and scalar agree bit for bit" <| fun () ->
        let rng = Random(8)
        let n = 1024
        let x, y = mixedD f rng n
        let spanResult = runF64 f x y
        for i in 0 .. n - 1 do
            let s = f.Scalar x.[i] y.[i]
            if bitsD s <> bitsD spanResult.[i] then failtestf "%s(%.17g, %.17g): span %.17g, scalar %.17g" f.Name x.[i] y.[i] spanResult.[i] s
        for block in 0 .. n / 8 - 1 do
            let v = f.V512 (Vector512.Create<float>(ReadOnlySpan<float>(x, block * 8, 8))) (Vector512.Create<float>(ReadOnlySpan<float>(y, block * 8, 8)))
            for lane in 0 .. 7 do
                if bitsD v.[lane] <> bitsD spanResult.[block * 8 + lane] then failtestf "%s: Vector512 lane %d of block %d differs" f.Name lane block
        for block in 0 .. n / 4 - 1 do
            let v = f.V256 (Vector256.Create<float>(ReadOnlySpan<float>(x, block * 4, 4))) (Vector256.Create<float>(ReadOnlySpan<float>(y, block * 4, 4)))
            for lane in 0 .. 3 do
                if bitsD v.[lane] <> bitsD spanResult.[block * 4 + lane] then failtestf "%s: Vector256 lane %d of block %d differs" f.Name lane block
        for length in 0 .. 20 do
            let r = runF64 f x.[1 .. length] y.[1 .. length]
            for i in 0 .. length - 1 do
                if bitsD r.[i] <> bitsD spanResult.[1 + i] then failtestf "%s: span of length %d differs at %d" f.Name length i

let private expectF name (actual: float32) (expected: float32) =
    if not (sameF actual expected) then
        failtestf "%s: expected %.9g (0x%08x), found %.9g (0x%08x)" name expected (bitsF expected) actual (bitsF actual)

let private expectD name (actual: float) (expected: float) =
    if not (sameD actual expected) then failtestf "%s: expected %.17g, found %.17g" name expected actual

/// C's (and IR.md's) values at the edges, written out by hand rather than taken from the reference.
let private cSemanticsF32 =
    testCase "f32 special values follow C" <| fun () ->
        let pi = float32 Math.PI
        let f32 name = (f32Functions |> List.find (fun f -> f.Name = name)).Scalar
        for name, x, expected in
            [ "sin", -0.0f, -0.0f; "sin", 0.0f, 0.0f; "tan", -0.0f, -0.0f
              "tanh", -0.0f, -0.0f; "expm1", -0.0f, -0.0f; "log1p", -0.0f, -0.0f
              "erf", -0.0f, -0.0f; "cos", -0.0f, 1.0f
              "exp", -infinityf, 0.0f; "exp", infinityf, infinityf; "exp", nanf, nanf
              "exp", 89.0f, infinityf; "exp", -104.0f, 0.0f; "exp", 0.0f, 1.0f
              "exp", -103.278931f, Single.Epsilon
              "log", 0.0f, -infinityf; "log", -0.0f, -infinityf; "log", -1.0f, nanf
              "log", infinityf, infinityf; "log", 1.0f, 0.0f; "log", -infinityf, nanf
              "log1p", -1.0f, -infinityf; "log1p", -2.0f, nanf; "log1p", infinityf, infinityf
              "log1p", Single.Epsilon, Single.Epsilon
              "expm1", -infinityf, -1.0f; "expm1", infinityf, infinityf; "expm1", 100.0f, infinityf
              "expm1", 1e-30f, 1e-30f
              "sin", infinityf, nanf; "cos", -infinityf, nanf; "tan", infinityf, nanf
              "sin", nanf, nanf; "sin", Single.Epsilon, Single.Epsilon
              "tanh", infinityf, 1.0f; "tanh", -infinityf, -1.0f; "tanh", 1e-30f, 1e-30f
              "logistic", -infinityf, 0.0f; "logistic", infinityf, 1.0f
              "logistic", 0.0f, 0.5f; "logistic", nanf, nanf
              "erf", infinityf, 1.0f; "erf", -infinityf, -1.0f; "erf", nanf, nanf ] do
            expectF $"{name}({x})" (f32 name x 0.0f) expected
        // Denormal results are kept: e^x and logistic near the bottom of the range.
        Expect.isTrue (VectorMath.Exp -100.0f > 0.0f && VectorMath.Exp -100.0f < 1.17549435e-38f) "exp(-100) is a denormal"
        Expect.equal (VectorMath.Logistic -100.0f) (VectorMath.Exp -100.0f) "logistic(-100) = exp(-100), a denormal"
        // tan is large but finite on either side of pi/2.
        let below, above = VectorMath.Tan 1.57079625f, VectorMath.Tan 1.57079637f
        Expect.isTrue (below > 1e7f && Single.IsFinite below) $"tan just below pi/2 is large and positive: {below}"
        Expect.isTrue (above < -1e7f && Single.IsFinite above) $"tan just above pi/2 is large and negative: {above}"
        for name, x, y, expected in
            [ "pow(nan, 0)", nanf, 0.0f, 1.0f; "pow(inf, -0)", infinityf, -0.0f, 1.0f; "pow(-0, 0)", -0.0f, 0.0f, 1.0f
              "pow(1, nan)", 1.0f, nanf, 1.0f; "pow(1, inf)", 1.0f, infinityf, 1.0f; "pow(-1, inf)", -1.0f, infinityf, 1.0f
              "pow(-1, -inf)", -1.0f, -infinityf, 1.0f; "pow(-2, 3)", -2.0f, 3.0f, -8.0f; "pow(-2, 2)", -2.0f, 2.0f, 4.0f
              "pow(-2, 0.5)", -2.0f, 0.5f, nanf; "pow(-2, -1)", -2.0f, -1.0f, -0.5f; "pow(+0, -1)", 0.0f, -1.0f, infinityf
              "pow(-0, -1)", -0.0f, -1.0f, -infinityf; "pow(-0, -2)", -0.0f, -2.0f, infinityf; "pow(-0, -0.5)", -0.0f, -0.5f, infinityf
              "pow(-0, 3)", -0.0f, 3.0f, -0.0f; "pow(-0, 2)", -0.0f, 2.0f, 0.0f; "pow(-0, inf)", -0.0f, infinityf, 0.0f
              "pow(0, -inf)", 0.0f, -infinityf, infinityf; "pow(0.5, inf)", 0.5f, infinityf, 0.0f; "pow(0.5, -inf)", 0.5f, -infinityf, infinityf
              "pow(-2, inf)", -2.0f, infinityf, infinityf; "pow(2, -inf)", 2.0f, -infinityf, 0.0f
              "pow(-inf, 3)", -infinityf, 3.0f, -infinityf; "pow(-inf, -3)", -infinityf, -3.0f, -0.0f; "pow(-inf, 2)", -infinityf, 2.0f, infinityf
              "pow(-inf, 0.5)", -infinityf, 0.5f, infinityf; "pow(-inf, -0.5)", -infinityf, -0.5f, 0.0f; "pow(inf, -1)", infinityf, -1.0f, 0.0f
              "pow(nan, 1)", nanf, 1.0f, nanf; "pow(2, nan)", 2.0f, nanf, nanf; "pow(2, 128)", 2.0f, 128.0f, infinityf
              "pow(2, -150)", 2.0f, -150.0f, 0.0f; "pow(2, -149)", 2.0f, -149.0f, Single.Epsilon; "pow(-3, 16777217)", -3.0f, 16777216.0f, infinityf
              "pow(-0.5, 16777218)", -0.5f, 16777218.0f, 0.0f; "pow(10, 2)", 10.0f, 2.0f, 100.0f; "pow(2, 0.5)", 2.0f, 0.5f, float32 (Math.Sqrt 2.0) ] do
            expectF name (VectorMath.Pow(x, y)) expected
        for name, y, x, expected in
            [ "atan2(+0, +0)", 0.0f, 0.0f, 0.0f; "atan2(-0, +0)", -0.0f, 0.0f, -0.0f; "atan2(+0, -0)", 0.0f, -0.0f, pi
              "atan2(-0, -0)", -0.0f, -0.0f, -pi; "atan2(+0, -1)", 0.0f, -1.0f, pi; "atan2(-0, -1)", -0.0f, -1.0f, -pi
              "atan2(+0, 1)", 0.0f, 1.0f, 0.0f; "atan2(-0, 1)", -0.0f, 1.0f, -0.0f; "atan2(-1, +0)", -1.0f, 0.0f, -pi / 2.0f
              "atan2(1, -0)", 1.0f, -0.0f, pi / 2.0f; "atan2(1, -inf)", 1.0f, -infinityf, pi; "atan2(-1, -inf)", -1.0f, -infinityf, -pi
              "atan2(1, inf)", 1.0f, infinityf, 0.0f; "atan2(-1, inf)", -1.0f, infinityf, -0.0f; "atan2(inf, 3)", infinityf, 3.0f, pi / 2.0f
              "atan2(-inf, -3)", -infinityf, -3.0f, -pi / 2.0f; "atan2(inf, -inf)", infinityf, -infinityf, float32 (3.0 * Math.PI / 4.0)
              "atan2(-inf, inf)", -infinityf, infinityf, float32 (-Math.PI / 4.0); "atan2(nan, 1)", nanf, 1.0f, nanf
              "atan2(1, nan)", 1.0f, nanf, nanf; "atan2(1, 1)", 1.0f, 1.0f, float32 (Math.PI / 4.0)
              "atan2(1e-45, 1e-45)", Single.Epsilon, Single.Epsilon, float32 (Math.PI / 4.0) ] do
            expectF name (VectorMath.Atan2(y, x)) expected

let private cSemanticsF64 =
    testCase "f64 special values follow C" <| fun () ->
        let f64 name = (f64Functions |> List.find (fun f -> f.Name = name)).Scalar
        for name, x, expected in
            [ "sin", -0.0, -0.0; "tan", -0.0, -0.0; "tanh", -0.0, -0.0
              "expm1", -0.0, -0.0; "log1p", -0.0, -0.0; "erf", -0.0, -0.0
              "cos", -0.0, 1.0; "exp", -infinity, 0.0; "exp", infinity, infinity
              "exp", 710.0, infinity; "exp", -746.0, 0.0; "exp", -744.44007192138122, Double.Epsilon
              "log", 0.0, -infinity; "log", -1.0, nan; "log", infinity, infinity
              "log", Double.Epsilon, -744.44007192138122; "log1p", -1.0, -infinity
              "log1p", -2.0, nan; "expm1", -infinity, -1.0; "expm1", 710.0, infinity
              "sin", infinity, nan; "cos", nan, nan; "tanh", -infinity, -1.0
              "logistic", -infinity, 0.0; "logistic", infinity, 1.0; "erf", infinity, 1.0 ] do
            expectD $"{name}({x})" (f64 name x 0.0) expected
        expectD "pow(nan, 0)" (VectorMath.Pow(nan, 0.0)) 1.0
        expectD "pow(-0, -1)" (VectorMath.Pow(-0.0, -1.0)) -infinity
        expectD "pow(-2, 0.5)" (VectorMath.Pow(-2.0, 0.5)) nan
        expectD "atan2(+0, -0)" (VectorMath.Atan2(0.0, -0.0)) Math.PI
        expectD "atan2(-inf, -inf)" (VectorMath.Atan2(-infinity, -infinity)) (-3.0 * Math.PI / 4.0)

let private errorTests =
    testList "errors" [
        testCase "a result span of another length is rejected, naming both lengths" <| fun () ->
            let message =
                try
                    VectorMath.Exp(ReadOnlySpan(Array.zeroCreate<float32> 10), Span(Array.zeroCreate<float32> 9))
                    failtest "no exception"
                with :? ArgumentException as e -> e.Message
            Expect.stringContains message "9" "the result's length"
            Expect.stringContains message "10" "the input's length"
        testCase "pow's second operand of another length is rejected" <| fun () ->
            Expect.throwsT<ArgumentException> (fun () ->
                VectorMath.Pow(ReadOnlySpan(Array.zeroCreate<float32> 4), ReadOnlySpan(Array.zeroCreate<float32> 3), Span(Array.zeroCreate<float32> 4)))
            |> ignore
        testCase "bounds exist for every function and only for floats" <| fun () ->
            for name in VectorMath.Functions do
                Expect.isGreaterThanOrEqual (VectorMath.MaxUlpError(name, DType.F32)) 0 name
                Expect.isLessThanOrEqual (VectorMath.MaxUlpError(name, DType.F32)) 4 name
            Expect.throwsT<ArgumentException> (fun () -> VectorMath.MaxUlpError("sqrt", DType.F32) |> ignore) |> ignore
            Expect.throwsT<ArgumentException> (fun () -> VectorMath.MaxUlpError("exp", DType.I32) |> ignore) |> ignore ]

[<Tests>]
let tests =
    testList "Backends/Cpu/VectorMath" [
        testList "f32 samples" f32SampleTests
        testList "f32 edges" f32EdgeTests
        cSemanticsF32
        cSemanticsF64
        testList "lanes agree" (List.map lanesAgreeF f32Functions @ List.map lanesAgreeD f64Functions)
        testList "f64" f64SampleTests
        errorTests ]

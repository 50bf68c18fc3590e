/// The CUDA backend's device math (Backends/Cuda/Device/DeviceMath.cs) against the reference
/// evaluator: the same static methods ILGPU compiles into kernels, called here as plain .NET, on
/// random samples and special values. The bounds asserted are the ones docs/backends.md states
/// ("CUDA device math"), in ulps of the reference's result.
module ArrayLang.Tests.Backends.Cuda.DeviceMathTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Backends.Cuda.Device

/// The distance in ulps of the reference's value; 0 when both are the same NaN or infinity.
let ulp64 (a: float) (b: float) =
    if Double.IsNaN a && Double.IsNaN b then 0.0
    elif a = b then 0.0
    elif Double.IsNaN a || Double.IsNaN b || Double.IsInfinity a || Double.IsInfinity b then infinity
    else abs (a - b) / Math.Max(Math.BitIncrement(abs b) - abs b, Double.Epsilon)

let ulp32 (a: float32) (b: float32) =
    if Single.IsNaN a && Single.IsNaN b then 0.0
    elif a = b then 0.0
    elif Single.IsNaN a || Single.IsNaN b || Single.IsInfinity a || Single.IsInfinity b then infinity
    else float (abs (float a - float b)) / float (MathF.BitIncrement(abs b) - abs b)

let private specials = [| 0.0; -0.0; 1.0; -1.0; 0.5; -0.5; 1e-300; -1e-300; 1e300; infinity; -infinity; nan; 1e-8; 700.0; -700.0; 2.0; 3.0 |]

/// The reference evaluator's result of one elementwise primitive on arrays.
let private reference (name: string) (d: DType) (xs: float[]) (ys: float[] option) =
    let n = xs.Length
    let t = sprintf "%s[%d]" (d.Name()) n
    let text =
        match ys with
        | None -> sprintf "func f(x: %s) -> (%s) { y: %s = %s(x) return (y) }" t t t name
        | Some _ -> sprintf "func f(x: %s, z: %s) -> (%s) { y: %s = %s(x, z) return (y) }" t t t t name
    let arr (v: float[]) = if d = DType.F32 then NDArray.Of(Array.map float32 v, n) else NDArray.Of(v, n)
    let args = match ys with None -> [| arr xs |] | Some y -> [| arr xs; arr y |]
    ReferenceEvaluator.Evaluate(IrParser.ParseFunction text, args).[0]

/// The largest ulp error of the device function over samples in [lo, hi] and the special values.
let private maxError name (lo: float, hi: float) binary (f64: float -> float -> float) (f32: float32 -> float32 -> float32) =
    // A seed from the name that is the same in every process (string.GetHashCode is randomized).
    let rng = Random(name |> Seq.fold (fun h c -> h * 31 + int c) 17)
    // Note [device math]: trigonometric arguments beyond 2^30 are outside the stated bounds.
    let trig = List.contains name [ "sin"; "cos"; "tan" ]
    let specials = specials |> Array.filter (fun x -> not trig || not (abs x >= 1073741824.0 && Double.IsFinite x))
    let xs = Array.append (Array.init 4000 (fun _ -> lo + (hi - lo) * rng.NextDouble())) specials
    let ys = if binary then Some(Array.init xs.Length (fun i -> if i < 4000 then -4.0 + 8.0 * rng.NextDouble() else [| 2.0; 3.0; -1.0; 0.5 |].[i % 4])) else None
    let y i = match ys with Some y -> y.[i] | None -> 0.0
    let r64 = reference name DType.F64 xs ys
    let r32 = reference name DType.F32 xs ys
    let e64 = Array.init xs.Length (fun i -> ulp64 (f64 xs.[i] (y i)) r64.F64.[i]) |> Array.max
    let e32 = Array.init xs.Length (fun i -> ulp32 (f32 (float32 xs.[i]) (float32 (y i))) r32.F32.[i]) |> Array.max
    e64, e32

/// (primitive, sample range, binary, f64 bound in ulps, f32 bound in ulps, f64 routine, f32 routine)
let private cases : (string * (float * float) * bool * float * float * (float -> float -> float) * (float32 -> float32 -> float32)) list =
    [ "exp", (-750.0, 710.0), false, 1.0, 1.0, (fun x _ -> DeviceMath.ExpF64 x), (fun x _ -> DeviceMath.ExpF32 x)
      "expm1", (-3.0, 3.0), false, 2.0, 1.0, (fun x _ -> DeviceMath.Expm1F64 x), (fun x _ -> DeviceMath.Expm1F32 x)
      "log", (0.0, 1e6), false, 2.0, 1.0, (fun x _ -> DeviceMath.LogF64 x), (fun x _ -> DeviceMath.LogF32 x)
      "log", (0.5, 2.0), false, 2.0, 1.0, (fun x _ -> DeviceMath.LogF64 x), (fun x _ -> DeviceMath.LogF32 x)
      "log1p", (-0.99, 4.0), false, 2.0, 1.0, (fun x _ -> DeviceMath.Log1pF64 x), (fun x _ -> DeviceMath.Log1pF32 x)
      "sin", (-1e4, 1e4), false, 2.0, 1.0, (fun x _ -> DeviceMath.SinF64 x), (fun x _ -> DeviceMath.SinF32 x)
      "cos", (-1e4, 1e4), false, 2.0, 1.0, (fun x _ -> DeviceMath.CosF64 x), (fun x _ -> DeviceMath.CosF32 x)
      "tan", (-10.0, 10.0), false, 3.0, 1.0, (fun x _ -> DeviceMath.TanF64 x), (fun x _ -> DeviceMath.TanF32 x)
      "tanh", (-20.0, 20.0), false, 3.0, 1.0, (fun x _ -> DeviceMath.TanhF64 x), (fun x _ -> DeviceMath.TanhF32 x)
      "logistic", (-60.0, 60.0), false, 2.0, 1.0, (fun x _ -> DeviceMath.LogisticF64 x), (fun x _ -> DeviceMath.LogisticF32 x)
      "erf", (-7.0, 7.0), false, 16.0, 1.0, (fun x _ -> DeviceMath.ErfF64 x), (fun x _ -> DeviceMath.ErfF32 x)
      "pow", (0.0, 10.0), true, 4.0, 1.0, (fun x y -> DeviceMath.PowF64(x, y)), (fun x y -> DeviceMath.PowF32(x, y))
      "atan2", (-10.0, 10.0), true, 3.0, 1.0, (fun x y -> DeviceMath.Atan2F64(x, y)), (fun x y -> DeviceMath.Atan2F32(x, y))
      "rsqrt", (0.0, 100.0), false, 0.0, 0.0, (fun x _ -> DeviceOps.RsqrtF64 x), (fun x _ -> DeviceOps.RsqrtF32 x)
      "rem", (-100.0, 100.0), true, 0.0, 0.0, (fun x y -> DeviceOps.RemF64(x, y)), (fun x y -> DeviceOps.RemF32(x, y)) ]

[<Tests>]
let tests =
    testList "cuda device math" [
        for name, range, binary, bound64, bound32, f64, f32 in cases do
            yield test (sprintf "%s on [%g, %g] within %g ulp (f64) and %g ulp (f32) of the reference" name (fst range) (snd range) bound64 bound32) {
                let e64, e32 = maxError name range binary f64 f32
                Expect.isLessThanOrEqual e64 bound64 (sprintf "%s f64: %g ulp" name e64)
                Expect.isLessThanOrEqual e32 bound32 (sprintf "%s f32: %g ulp" name e32)
            }
        yield test "round is half away from zero and keeps the sign of zero" {
            for x, r in [ 0.5, 1.0; -0.5, -1.0; 2.5, 3.0; -0.4, -0.0; 1e20, 1e20; nan, nan ] do
                Expect.equal (BitConverter.DoubleToInt64Bits(DeviceOps.RoundF64 x)) (BitConverter.DoubleToInt64Bits r) (sprintf "round %g" x)
                Expect.equal (BitConverter.SingleToInt32Bits(DeviceOps.RoundF32(float32 x))) (BitConverter.SingleToInt32Bits(float32 r)) (sprintf "round %g f32" x)
        }
        yield test "integer division and conversion edge cases" {
            Expect.equal (DeviceOps.DivI32(7, 0)) 0 "x / 0 = 0"
            Expect.equal (DeviceOps.RemI32(7, 0)) 7 "x rem 0 = x"
            Expect.equal (DeviceOps.DivI32(Int32.MinValue, -1)) Int32.MinValue "INT_MIN / -1 wraps"
            Expect.equal (DeviceOps.F64ToI32 nan) 0 "NaN converts to 0"
            Expect.equal (DeviceOps.F64ToI32 1e10) Int32.MaxValue "saturates above"
            Expect.equal (DeviceOps.F32ToI32 -1e10f) Int32.MinValue "saturates below"
            Expect.equal (DeviceOps.MaxF32(-0.0f, 0.0f) |> BitConverter.SingleToInt32Bits) 0 "max(-0, +0) = +0"
            Expect.isTrue (Single.IsNaN(DeviceOps.MinF32(1.0f, nanf))) "min propagates NaN"
        }
    ]

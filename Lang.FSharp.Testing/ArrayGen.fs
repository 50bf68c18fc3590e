namespace ArrayLang.FsCheck

open System
open FsCheck
open FsCheck.FSharp
open ArrayLang.Ir
open ArrayLang.Values

/// <summary>The values a generated array holds: floats uniform in [Low, High] (rounded to 3 decimals, so that
/// failures print readably), i32 in [IntLow, IntHigh], bools either way.</summary>
type ValueRange =
    { Low: float; High: float; IntLow: int; IntHigh: int }
    /// <summary>Floats in [-3, 3], ints in [-10, 10].</summary>
    static member Default = { Low = -3.0; High = 3.0; IntLow = -10; IntHigh = 10 }

/// <summary>FsCheck generators and shrinkers of arrays (<c>NDArray</c>) for a given aval.</summary>
/// <example><code>
/// let xs = ArrayGen.ofAVal (AVal.Of(DType.F32, 3, 4)) |> Gen.sample 10
/// </code></example>
[<RequireQualifiedAccess>]
module ArrayGen =

    let private element (range: ValueRange) (dtype: DType) : Gen<float> =
        match dtype with
        | DType.F32 | DType.F64 ->
            Gen.choose (0, 1_000_000) |> Gen.map (fun k -> Math.Round(range.Low + (range.High - range.Low) * float k / 1e6, 3))
        | DType.I32 -> Gen.choose (range.IntLow, range.IntHigh) |> Gen.map float
        | _ -> Gen.elements [ 0.0; 1.0 ]

    /// <summary>Arrays of type <paramref name="t"/> with values in <paramref name="range"/>.</summary>
    let ofAValIn (range: ValueRange) (t: AVal) : Gen<NDArray> =
        Gen.arrayOfLength (int t.Shape.ElementCount) (element range t.DType)
        |> Gen.map (fun values ->
            let a = NDArray.Zeros t
            values |> Array.iteri (fun i v -> a.SetDouble(int64 i, v))
            a)

    /// <summary>Arrays of type <paramref name="t"/> with values in <see cref="ValueRange.Default"/>.</summary>
    let ofAVal (t: AVal) : Gen<NDArray> = ofAValIn ValueRange.Default t

    /// <summary>A batch of <paramref name="b"/> arrays of per-example type <paramref name="t"/> stacked along
    /// <paramref name="axis"/> (negative counts from the end of the batched shape); <c>None</c>: one shared array.</summary>
    let batchOf (range: ValueRange) (t: AVal) (axis: int option) (b: int) : Gen<NDArray> =
        match axis with
        | None -> ofAValIn range t
        | Some a ->
            let a = if a < 0 then a + t.Rank + 1 else a
            if a < 0 || a > t.Rank then invalidArg "axis" $"axis %d{a} is out of range for a batch of %O{t}"
            ofAValIn range (t.WithShape(t.Shape.Insert(a, b)))

    /// <summary>Avals of <paramref name="dtype"/> with up to <paramref name="maxRank"/> axes of 0 to <paramref name="maxDim"/> elements.</summary>
    let avalOf (dtype: DType) (maxRank: int) (maxDim: int) : Gen<AVal> =
        gen {
            let! rank = Gen.choose (0, maxRank)
            let! dims = Gen.arrayOfLength rank (Gen.choose (0, maxDim))
            return AVal.Of(dtype, dims)
        }

    /// <summary>Smaller versions of an array: all zeros, then each element set to zero or rounded, one at a time.</summary>
    let shrink (a: NDArray) : seq<NDArray> =
        seq {
            let zeros = NDArray.Zeros a.Type
            if not (a.BitwiseEquals zeros) then yield zeros
            for i in 0 .. a.Length - 1 do
                let v = a.GetDouble(int64 i)
                for smaller in [ 0.0; Math.Truncate v ] |> List.distinct do
                    if smaller <> v then
                        let b = a.Clone()
                        b.SetDouble(int64 i, smaller)
                        yield b
        }

    /// <summary>An FsCheck arbitrary of arrays of type <paramref name="t"/> (generator and shrinker).</summary>
    let arb (t: AVal) : Arbitrary<NDArray> = Arb.fromGenShrink (ofAVal t, shrink)

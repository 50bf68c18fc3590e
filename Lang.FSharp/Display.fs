namespace ArrayLang.FSharp

open System
open System.Globalization
open System.Text
open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Values

/// <summary>
/// Text for values at an F# Interactive prompt, abbreviated like NumPy's: an array of more than
/// <c>threshold</c> elements shows the first and last <c>edgeItems</c> positions of each axis around
/// <c>...</c>. Register them in a script with <c>fsi.AddPrinter Display.ndarray</c>,
/// <c>fsi.AddPrinter Display.tensor</c> and <c>fsi.AddPrinter Display.func</c> (a library cannot
/// reach <c>fsi</c> itself).
/// </summary>
/// <example><code>
/// fsi.AddPrinter Display.ndarray
/// NDArray.init [ 2000 ] (fun ix -> float32 ix.[0])   // f32[2000] [0, 1, 2, ..., 1997, 1998, 1999]
/// </code></example>
[<RequireQualifiedAccess>]
module Display =

    /// <summary>Arrays with more elements than this are abbreviated (NumPy's default, 1000).</summary>
    let threshold = 1000

    /// <summary>How many positions an abbreviated axis shows at each end (NumPy's default, 3).</summary>
    let edgeItems = 3

    let private element (a: NDArray) (i: int) =
        match a.Data with
        | :? (bool[]) as b -> if b.[i] then "true" else "false"
        | :? (int[]) as n -> n.[i].ToString(CultureInfo.InvariantCulture)
        | :? (float32[]) as f -> f.[i].ToString("G7", CultureInfo.InvariantCulture)
        | :? (float[]) as d -> d.[i].ToString("G10", CultureInfo.InvariantCulture)
        | _ -> "?"

    /// <summary>The elements of <paramref name="a"/> in nested brackets, with at most
    /// <paramref name="edge"/> positions at each end of an axis when <paramref name="abbreviate"/>.</summary>
    let private render (a: NDArray) (abbreviate: bool) (edge: int) =
        let shape = a.Shape.ToArray()
        let strides = Array.init shape.Length (fun k -> Array.fold (*) 1 shape.[k + 1 ..])
        let sb = StringBuilder()
        let rec go (axis: int) (offset: int) =
            if axis = shape.Length then sb.Append(element a offset) |> ignore
            else
                let n = shape.[axis]
                let shown =
                    if abbreviate && n > 2 * edge then [ yield! [ 0 .. edge - 1 ]; yield -1; yield! [ n - edge .. n - 1 ] ]
                    else [ 0 .. n - 1 ]
                sb.Append('[') |> ignore
                shown |> List.iteri (fun k i ->
                    if k > 0 then sb.Append(if axis = shape.Length - 1 then ", " else ",\n" + String(' ', axis + 1)) |> ignore
                    if i < 0 then sb.Append("...") |> ignore else go (axis + 1) (offset + i * strides.[axis]))
                sb.Append(']') |> ignore
        go 0 0
        sb.ToString()

    /// <summary>An array as its type and its elements, e.g. <c>f32[2,2] [[1, 2],\n [3, 4]]</c>, abbreviated beyond <see cref="threshold"/> elements.</summary>
    let ndarray (a: NDArray) : string =
        $"%O{a.Type} %s{render a (a.Length > threshold) edgeItems}"

    /// <summary>A traced value: its type and the IR variable it stands for (it has no value while tracing).</summary>
    let tensor (t: Tensor) : string =
        match t.Atom with
        | :? Var as v -> $"Tensor %O{t.Type} (%s{v.Name})"
        | literal -> $"Tensor %O{t.Type} (literal %O{literal})"

    /// <summary>An IR function as its text (what <c>lower</c> returns).</summary>
    let func (f: Function) : string = f.ToString()

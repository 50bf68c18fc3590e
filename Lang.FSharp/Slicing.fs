namespace ArrayLang.FSharp

open System.Runtime.CompilerServices
open System.Runtime.InteropServices
open ArrayLang.Tracing

/// <summary>
/// F# slicing on tensors, with F#'s meaning: <c>x.[1..3]</c> keeps positions 1, 2 and 3 (the end is
/// included, as for F# arrays), <c>x.[*, 0]</c> takes column 0, <c>x.[*, -1]</c> the last column (a
/// negative position counts from the end, as in NumPy), <c>x.[2]</c> and <c>x.[i]</c> (a traced i32
/// index, clamped into range) take one row.
/// A position removes its axis and a range keeps it; axes after the last one given are kept whole.
/// Up to four axes in one expression (<c>Tensor.slice</c> takes any rank). The trace records one
/// <c>slice</c>, a <c>dynamic_slice</c> for traced indices and a <c>squeeze</c>. The slice expression
/// passes its caller information, so an error names its line also in a build without symbols.
/// </summary>
[<AutoOpen>]
module Slicing =
    // F# ranges include their end; an empty range (finish before start) stays empty, as for F# arrays.
    let private span (start: int option) (finish: int option) =
        let s = defaultArg start 0
        AxisIndex.Between(System.Nullable s, finish |> Option.map (fun f -> max s (f + 1)) |> Option.toNullable)

    // The slice, with the slice expression's line as the user's line (caller information; a leaf
    // call: the user's frame may be gone, left by a tail call).
    let private at (file: string) (line: int) (x: Tensor) (indices: AxisIndex[]) =
        use _ = UserSource.CallingLeaf(file, line)
        x.Index indices

    type Tensor with
        /// <summary><c>x.[*]</c>: a slice of a rank-1 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0 |]
        /// <summary><c>x.[*, *]</c>: a slice of a rank-2 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, s1: int option, f1: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; span s1 f1 |]
        /// <summary><c>x.[*, i]</c>: a slice of a rank-2 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, i1: int, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; AxisIndex.op_Implicit i1 |]
        /// <summary><c>x.[i, *]</c>: a slice of a rank-2 prefix (see the module).</summary>
        member x.GetSlice(i0: int, s1: int option, f1: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| AxisIndex.op_Implicit i0; span s1 f1 |]
        /// <summary><c>x.[*, *, *]</c>: a slice of a rank-3 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, s1: int option, f1: int option, s2: int option, f2: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; span s1 f1; span s2 f2 |]
        /// <summary><c>x.[*, *, i]</c>: a slice of a rank-3 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, s1: int option, f1: int option, i2: int, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; span s1 f1; AxisIndex.op_Implicit i2 |]
        /// <summary><c>x.[*, i, *]</c>: a slice of a rank-3 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, i1: int, s2: int option, f2: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; AxisIndex.op_Implicit i1; span s2 f2 |]
        /// <summary><c>x.[*, i, i]</c>: a slice of a rank-3 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, i1: int, i2: int, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; AxisIndex.op_Implicit i1; AxisIndex.op_Implicit i2 |]
        /// <summary><c>x.[i, *, *]</c>: a slice of a rank-3 prefix (see the module).</summary>
        member x.GetSlice(i0: int, s1: int option, f1: int option, s2: int option, f2: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| AxisIndex.op_Implicit i0; span s1 f1; span s2 f2 |]
        /// <summary><c>x.[i, *, i]</c>: a slice of a rank-3 prefix (see the module).</summary>
        member x.GetSlice(i0: int, s1: int option, f1: int option, i2: int, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| AxisIndex.op_Implicit i0; span s1 f1; AxisIndex.op_Implicit i2 |]
        /// <summary><c>x.[i, i, *]</c>: a slice of a rank-3 prefix (see the module).</summary>
        member x.GetSlice(i0: int, i1: int, s2: int option, f2: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| AxisIndex.op_Implicit i0; AxisIndex.op_Implicit i1; span s2 f2 |]
        /// <summary><c>x.[*, *, *, *]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, s1: int option, f1: int option, s2: int option, f2: int option, s3: int option, f3: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; span s1 f1; span s2 f2; span s3 f3 |]
        /// <summary><c>x.[*, *, *, i]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, s1: int option, f1: int option, s2: int option, f2: int option, i3: int, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; span s1 f1; span s2 f2; AxisIndex.op_Implicit i3 |]
        /// <summary><c>x.[*, *, i, *]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, s1: int option, f1: int option, i2: int, s3: int option, f3: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; span s1 f1; AxisIndex.op_Implicit i2; span s3 f3 |]
        /// <summary><c>x.[*, *, i, i]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, s1: int option, f1: int option, i2: int, i3: int, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; span s1 f1; AxisIndex.op_Implicit i2; AxisIndex.op_Implicit i3 |]
        /// <summary><c>x.[*, i, *, *]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, i1: int, s2: int option, f2: int option, s3: int option, f3: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; AxisIndex.op_Implicit i1; span s2 f2; span s3 f3 |]
        /// <summary><c>x.[*, i, *, i]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, i1: int, s2: int option, f2: int option, i3: int, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; AxisIndex.op_Implicit i1; span s2 f2; AxisIndex.op_Implicit i3 |]
        /// <summary><c>x.[*, i, i, *]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, i1: int, i2: int, s3: int option, f3: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; AxisIndex.op_Implicit i1; AxisIndex.op_Implicit i2; span s3 f3 |]
        /// <summary><c>x.[*, i, i, i]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(s0: int option, f0: int option, i1: int, i2: int, i3: int, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| span s0 f0; AxisIndex.op_Implicit i1; AxisIndex.op_Implicit i2; AxisIndex.op_Implicit i3 |]
        /// <summary><c>x.[i, *, *, *]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(i0: int, s1: int option, f1: int option, s2: int option, f2: int option, s3: int option, f3: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| AxisIndex.op_Implicit i0; span s1 f1; span s2 f2; span s3 f3 |]
        /// <summary><c>x.[i, *, *, i]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(i0: int, s1: int option, f1: int option, s2: int option, f2: int option, i3: int, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| AxisIndex.op_Implicit i0; span s1 f1; span s2 f2; AxisIndex.op_Implicit i3 |]
        /// <summary><c>x.[i, *, i, *]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(i0: int, s1: int option, f1: int option, i2: int, s3: int option, f3: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| AxisIndex.op_Implicit i0; span s1 f1; AxisIndex.op_Implicit i2; span s3 f3 |]
        /// <summary><c>x.[i, *, i, i]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(i0: int, s1: int option, f1: int option, i2: int, i3: int, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| AxisIndex.op_Implicit i0; span s1 f1; AxisIndex.op_Implicit i2; AxisIndex.op_Implicit i3 |]
        /// <summary><c>x.[i, i, *, *]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(i0: int, i1: int, s2: int option, f2: int option, s3: int option, f3: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| AxisIndex.op_Implicit i0; AxisIndex.op_Implicit i1; span s2 f2; span s3 f3 |]
        /// <summary><c>x.[i, i, *, i]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(i0: int, i1: int, s2: int option, f2: int option, i3: int, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| AxisIndex.op_Implicit i0; AxisIndex.op_Implicit i1; span s2 f2; AxisIndex.op_Implicit i3 |]
        /// <summary><c>x.[i, i, i, *]</c>: a slice of a rank-4 prefix (see the module).</summary>
        member x.GetSlice(i0: int, i1: int, i2: int, s3: int option, f3: int option, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string,
                          [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) =
            at file line x [| AxisIndex.op_Implicit i0; AxisIndex.op_Implicit i1; AxisIndex.op_Implicit i2; span s3 f3 |]

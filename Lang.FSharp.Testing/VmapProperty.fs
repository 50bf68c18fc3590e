namespace ArrayLang.FsCheck

open System
open FsCheck
open FsCheck.FSharp
open ArrayLang.Ir
open ArrayLang.Compile
open ArrayLang.Values
open ArrayLang.Tracing
open ArrayLang.Staging
open ArrayLang.FSharp

/// <summary>
/// How <c>VmapProperty.equalsLoop</c> checks a function: the vmap axes (as <c>vmapWith</c> takes them),
/// the backend both sides run on, the tolerance for floats (<c>|a - b| &lt;= Absolute + Relative * |b|</c>;
/// ints and bools must be equal), the largest batch, and the range of generated values.
/// </summary>
type VmapCheck =
    { InAxes: int option list
      OutAxes: int option list
      Backend: IBackend
      RelativeTolerance: float
      AbsoluteTolerance: float
      MaxBatch: int
      Values: ValueRange }

    /// <summary>Every argument and result batched along axis 0, the default backend, 1e-5 relative and 1e-6
    /// absolute tolerance, batches of 0 to 8 examples, values in <see cref="ValueRange.Default"/>.</summary>
    static member Default =
        { InAxes = []; OutAxes = []; Backend = DefaultBackend.Instance
          RelativeTolerance = 1e-5; AbsoluteTolerance = 1e-6; MaxBatch = 8; Values = ValueRange.Default }

/// <summary>One generated case: the batch size and the arrays for every leaf of every argument.</summary>
type VmapCase =
    { BatchSize: int
      Arguments: NDArray list }
    override c.ToString() =
        let args = c.Arguments |> List.mapi (fun i a -> $"  argument leaf %d{i}: %O{a}") |> String.concat "\n"
        $"B = %d{c.BatchSize}\n%s{args}"

/// <summary>
/// The ready property "this function's vmap equals its loop": for random batch sizes and random
/// inputs, <c>jitWith backend (vmapWith axes f)</c> on the batch equals <c>jitWith backend f</c> called on
/// each example and stacked along the out axes. It drops into Expecto (<c>testProperty</c>) or xUnit
/// (<c>Check.QuickThrowOnFailure</c>).
/// </summary>
/// <example><code>
/// let perExample (w: Tensor) (x: Tensor) = tanh (Tensor.dot w x)
/// testProperty "my model batches" (
///     VmapProperty.equalsLoop { VmapCheck.Default with InAxes = [ None; Some 0 ] }
///         [ AVal.Of(DType.F32, 3, 4); AVal.Of(DType.F32, 4) ] perExample)
/// </code></example>
[<RequireQualifiedAccess>]
module VmapProperty =

    let private applyAll (f: obj) (args: obj list) = Dynamic.apply f args

    /// Per-example argument values (in the array world) from leaves, for the function's parameter types.
    let private arguments (trees: Tree list) (types: Type list) (leaves: NDArray list) =
        List.map3 (fun tree ty (ls: NDArray list) ->
            Tree.build typeof<NDArray> (fun _ v -> v) tree (Tree.mapType typeof<NDArray> ty) [ for l in ls -> box l ])
            trees types (Engine.split trees leaves)

    let private results (r: obj) =
        let tree, leaves = Tree.flatten r
        tree, leaves |> List.map Tree.toNDArray

    let private axisOf (t: AVal) (a: Nullable<int>) = if a.HasValue then Some (if a.Value < 0 then a.Value + t.Rank + 1 else a.Value) else None

    /// <summary>
    /// The property for <paramref name="f"/>, whose parameters take values of <paramref name="argumentTypes"/>
    /// (one aval per tensor; a parameter typed as a tuple or record of tensors takes one per field, in order).
    /// </summary>
    let equalsLoop (check: VmapCheck) (argumentTypes: AVal list) (f: 'a -> 'b) : Property =
        let fType = typeof<'a -> 'b>
        let n = Dynamic.arityOf f fType
        let paramTypes, _ = Dynamic.signature fType n
        let trees = paramTypes |> List.map Tree.ofType
        if trees |> List.sumBy Tree.leafCount <> argumentTypes.Length then
            invalidArg "argumentTypes" $"the function's parameters hold %d{trees |> List.sumBy Tree.leafCount} tensor(s), but %d{argumentTypes.Length} type(s) were given"
        let inAxes = Engine.inAxes check.InAxes trees |> List.ofSeq
        let perExample : obj = jitWith check.Backend f
        let batched : obj = jitWith check.Backend (vmapWith { VmapConfig.Default with InAxes = check.InAxes; OutAxes = check.OutAxes } f)
        // the structure and types of one example's results (also for a batch of zero examples)
        let zeros = argumentTypes |> List.map NDArray.Zeros
        let resultTree, resultLeaves = results (applyAll perExample (arguments trees paramTypes zeros))
        let outAxes = Engine.outAxes check.OutAxes resultTree |> List.ofSeq

        let gen =
            gen {
                let! b = Gen.choose (0, check.MaxBatch)
                let! args = List.map2 (fun t (a: Nullable<int>) -> ArrayGen.batchOf check.Values t (axisOf t a) b) argumentTypes inAxes |> Gen.sequenceToList
                return { BatchSize = b; Arguments = args }
            }
        let shrink (c: VmapCase) =
            seq {
                // fewer examples: the first b - 1
                if c.BatchSize > 0 then
                    let keep = c.BatchSize - 1
                    let args =
                        List.map3 (fun (t: AVal) (a: Nullable<int>) (x: NDArray) ->
                            match axisOf t a with
                            | Some ax -> ArrayOps.Stack(ResizeArray [ for i in 0 .. keep - 1 -> ArrayOps.Index(x, ax, i) ], ax, t)
                            | None -> x) argumentTypes inAxes c.Arguments
                    yield { c with BatchSize = keep; Arguments = args }
                // simpler values, one argument at a time
                for i in 0 .. c.Arguments.Length - 1 do
                    for smaller in ArrayGen.shrink c.Arguments.[i] |> Seq.truncate 4 do
                        yield { c with Arguments = c.Arguments |> List.mapi (fun j a -> if j = i then smaller else a) }
            }
        let property (c: VmapCase) =
            let _, got = results (applyAll batched (arguments trees paramTypes c.Arguments))
            let examples =
                [ for i in 0 .. c.BatchSize - 1 ->
                    let sliced = List.map3 (fun (t: AVal) a x -> match axisOf t a with Some ax -> ArrayOps.Index(x, ax, i) | None -> x) argumentTypes inAxes c.Arguments
                    snd (results (applyAll perExample (arguments trees paramTypes sliced))) ]
            // A result with no batch axis is the same for every example; with no example, compute it from
            // the shared arguments and zeros in place of the batched ones.
            let unbatched =
                lazy (
                    let standIn = List.map3 (fun (t: AVal) a (x: NDArray) -> if (axisOf t a).IsSome then NDArray.Zeros t else x) argumentTypes inAxes c.Arguments
                    snd (results (applyAll perExample (arguments trees paramTypes standIn))))
            let expected =
                resultLeaves |> List.mapi (fun j (r: NDArray) ->
                    match axisOf r.Type outAxes.[j] with
                    | Some ax -> ArrayOps.Stack(ResizeArray [ for e in examples -> e.[j] ], ax, r.Type)
                    | None -> match examples with e :: _ -> e.[j] | [] -> unbatched.Value.[j])
            let mismatches =
                List.zip got expected
                |> List.indexed
                |> List.filter (fun (_, (g, e)) -> not (ArrayOps.AllClose(g, e, check.RelativeTolerance, check.AbsoluteTolerance)))
            mismatches.IsEmpty
            |> Prop.label (
                mismatches
                |> List.map (fun (j, (g, e)) -> $"result leaf %d{j}: vmap gave %O{g}\n  the loop gave %O{e}")
                |> String.concat "\n")
        Prop.forAll (Arb.fromGenShrink (gen, shrink)) property

    /// <summary><see cref="equalsLoop"/> with <see cref="VmapCheck.Default"/> (every argument batched along axis 0).</summary>
    let equalsLoopDefault (argumentTypes: AVal list) (f: 'a -> 'b) : Property = equalsLoop VmapCheck.Default argumentTypes f

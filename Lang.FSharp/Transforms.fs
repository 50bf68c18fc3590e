namespace ArrayLang.FSharp

open System
open System.Collections.Concurrent
open System.Collections.Generic
open ArrayLang.Ir
open ArrayLang.Compile
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.Staging

/// <summary>How a vmap computes its batch: all at once, or a chunk of examples at a time.</summary>
type Chunking =
    /// Every example at once.
    | NoChunking
    /// This many examples at a time (a <c>scan</c> over chunks): the same result, intermediates for one chunk.
    | ChunkSize of int
    /// The largest chunk whose estimated intermediates fit this many bytes.
    | MemoryBudget of int64

/// <summary>
/// The options of <c>vmapWith</c>, as JAX's <c>vmap(f, in_axes, out_axes, axis_size)</c> plus chunking.
/// An axis is <c>Some k</c> (negative counts from the end) or <c>None</c> (shared by every example /
/// the same for every example). An empty list means <c>Some 0</c> for everything.
/// </summary>
type VmapConfig =
    {
      /// <summary>Per argument (curried arguments, or the components of a single tuple argument), its batch
      /// axis; it applies to every leaf of a structured argument.</summary>
      InAxes: int option list
      /// <summary>Per result (the components when the result is a tuple), where its batch axis goes.</summary>
      OutAxes: int option list
      /// <summary>The batch size when no argument is batched.</summary>
      AxisSize: int option
      /// <summary>All examples at once, or in chunks.</summary>
      Chunking: Chunking }

    /// <summary>Every argument and result batched along axis 0, no chunking.</summary>
    static member Default = { InAxes = []; OutAxes = []; AxisSize = None; Chunking = NoChunking }

/// The machinery behind vmap and jit: the closure they return works on tensors inside a traced
/// function (it records itself) and on arrays (traced once per argument structure and types,
/// compiled, cached, run). Note [transformed closures] in Dynamic.fs.
module internal Engine =

    let asTensor (what: string) (o: obj) =
        match o with
        | :? Tensor as t -> t
        | _ -> raise (Batching.UserError $"%s{what}: a traced function must return tensors (or tuples, records, arrays and lists of them), found a %s{o.GetType().Name}")

    /// IR parameter names for the leaves: the F# parameter names where known (Dynamic.parameterNames),
    /// else x, y, z (x0, x1, ... beyond three), with record field names and indices below them.
    let argNames (names: string option list) (trees: Tree list) =
        let n = trees.Length
        trees
        |> List.mapi (fun i t ->
            let fallback = if n <= 3 then string "xyz".[i] else $"x%d{i}"
            Tree.leafNames (match List.tryItem i names with Some (Some name) -> name | _ -> fallback) t)
        |> List.concat

    /// Splits `leaves` into consecutive groups of the trees' leaf counts.
    let split (trees: Tree list) (leaves: 'T list) : 'T list list =
        let rec go trees leaves =
            match trees with
            | [] -> []
            | t :: rest ->
                let n = Tree.leafCount t
                List.take n leaves :: go rest (List.skip n leaves)
        go trees leaves

    /// Builds the tensor-side arguments for a function with parameter types `types` (obj: natural).
    let buildTensorArgs (trees: Tree list) (types: Type list) (leaves: Tensor list) : obj list =
        List.map3 (fun tree ty ls -> Tree.build typeof<Tensor> (fun _ v -> v) tree ty (List.map box ls)) trees types (split trees leaves)

    let private isTensorCall (leaves: obj list) =
        leaves |> List.exists (fun l -> l :? Tensor) || (leaves.IsEmpty && Trace.IsActive)

    /// The closure of F# type `declared` taking `arity` arguments: `tensorImpl` on tensor-side values,
    /// or traced, compiled for `backend` (op by op when None) and run on array-side values.
    let make (declared: Type) (arity: int) (tensorTypes: Type list) (names: string option list) (backend: IBackend option) (what: string)
             (tensorImpl: obj list -> obj) : obj =
        let _, declaredResult = Dynamic.signature declared arity
        let staged = ConcurrentDictionary<string, Staged>()
        let impl (args: obj list) : obj =
            let flat = args |> List.map Tree.flatten
            let leaves = flat |> List.collect snd
            if isTensorCall leaves then
                if leaves |> List.exists (fun l -> not (l :? Tensor)) then
                    raise (Batching.UserError $"%s{what}: called with a mix of tensors and arrays; inside a traced function pass tensors (Tensor.constant turns an array into one)")
                tensorImpl args
            else
                let trees = List.map fst flat
                let key = Tree.key trees
                let body =
                    match staged.TryGetValue key with
                    | true, b -> b
                    | _ ->
                    staged.GetOrAdd(key, fun _ ->
                        let types =
                            List.map2 (fun (t: Type) (a: obj) -> if t <> typeof<obj> then t elif isNull a then typeof<unit> else Tree.mapType typeof<Tensor> (a.GetType()))
                                tensorTypes args
                        Staged(
                            (fun ts ->
                                let r = tensorImpl (buildTensorArgs trees types (List.ofSeq ts))
                                let rt, rl = Tree.flatten r
                                struct (ResizeArray(rl |> List.map (asTensor what)) :> IReadOnlyList<Tensor>, box rt)),
                            Option.toObj backend, "f", ResizeArray(argNames names trees)))
                let arrays = leaves |> List.map Tree.toNDArray
                let compiled = body.Compile(ResizeArray(arrays |> List.map (fun a -> a.Type)))
                let outs = compiled.Run(ResizeArray arrays)
                Tree.build typeof<NDArray> (fun t o -> Tree.ofNDArray t (o :?> NDArray)) (compiled.Info :?> Tree) declaredResult [ for o in outs -> box o ]
        Dynamic.makeCurried declared arity names impl

    let private expand (what: string) (axes: int option list) (trees: Tree list) (describe: string) : IReadOnlyList<Nullable<int>> =
        let toNullable = function Some a -> Nullable a | None -> Nullable()
        let perTree =
            match axes, trees with
            | [], _ -> trees |> List.map (fun _ -> Some 0)
            | _ when axes.Length = trees.Length -> axes
            | [ a ], _ -> trees |> List.map (fun _ -> a)
            | _ -> raise (Batching.UserError $"vmap: %s{what} has %d{axes.Length} entries, but %s{describe}")
        List.map2 (fun a t -> List.replicate (Tree.leafCount t) (toNullable a)) perTree trees |> List.concat |> ResizeArray :> _

    /// Per leaf, the in axis: `axes` per curried argument, or per component of a single tuple argument.
    let inAxes (axes: int option list) (trees: Tree list) =
        match trees with
        | [ Tuple (_, ks) ] when axes.Length = ks.Length && ks.Length > 1 -> expand "in_axes" axes ks "the function takes one tuple"
        | _ -> expand "in_axes" axes trees $"the function takes %d{trees.Length} argument(s)"

    /// Per leaf, the out axis: `axes` per component of a tuple result, or one for the whole result.
    let outAxes (axes: int option list) (tree: Tree) =
        match tree with
        | Tuple (_, ks) when axes.Length = ks.Length && ks.Length > 1 -> expand "out_axes" axes ks "the function returns a tuple"
        | _ -> expand "out_axes" axes [ tree ] "the function returns one value"

/// <summary>
/// The transforms, as JAX's: each takes a function and returns a function. A per-example function
/// takes and returns tensors (or tuples, records, arrays and lists of them); the transformed function
/// is called on arrays (<c>NDArray</c>, F# arrays of numbers, numbers, and the same containers), and it
/// is traced at the first call for each structure and types of its arguments, then cached. Inside
/// another traced function it is called on tensors and records itself there, so transforms nest:
/// <c>jit (vmap (vmap f))</c>.
/// </summary>
/// <remarks>
/// The F# type of a transformed function is the one you give it, the array-side twin of the
/// per-example type (Note [two worlds] on <see cref="Tree"/>): <c>let batched : NDArray -&gt; NDArray
/// -&gt; NDArray = vmap f</c> for <c>f : Tensor -&gt; Tensor -&gt; Tensor</c>. Inside a traced function F#
/// infers the tensor-side type from the use.
/// </remarks>
[<AutoOpen>]
module Transforms =

    /// <summary>vmap with options: in_axes, out_axes, axis_size, chunk size or memory budget (see <see cref="VmapConfig"/>).</summary>
    /// <example><code>
    /// // shared weights w (not batched), a batch of x along axis 0
    /// let predict (w: Tensor) (x: Tensor) = Tensor.logistic (Tensor.dot w x)
    /// let batched : NDArray -&gt; NDArray -&gt; NDArray = vmapWith { VmapConfig.Default with InAxes = [ None; Some 0 ] } predict
    /// </code></example>
    let vmapWith (config: VmapConfig) (f: 'a -> 'b) : 'c -> 'd =
        let fType = typeof<'a -> 'b>
        let n = Dynamic.arityOf f fType
        let fParams, _ = Dynamic.signature fType n
        let names = Dynamic.parameterNames f n
        let spec inAxes =
            VmapSpec(
                InAxes = inAxes,
                AxisSize = Option.toNullable config.AxisSize,
                ChunkSize = (match config.Chunking with ChunkSize k -> Nullable k | _ -> Nullable()),
                MemoryBudgetBytes = (match config.Chunking with MemoryBudget b -> Nullable b | _ -> Nullable()))
        let tensorImpl (args: obj list) : obj =
            let flat = args |> List.map Tree.flatten
            let trees = List.map fst flat
            let leaves = flat |> List.collect snd |> List.map (Engine.asTensor "vmap")
            let mutable outTree = Leaf
            let perExample (ts: IReadOnlyList<Tensor>) : IReadOnlyList<Tensor> =
                let r = Dynamic.apply f (Engine.buildTensorArgs trees fParams (List.ofSeq ts))
                let rt, rl = Tree.flatten r
                outTree <- rt
                ResizeArray(rl |> List.map (Engine.asTensor "vmap")) :> _
            let spec = spec (Engine.inAxes config.InAxes trees)
            let outs =
                Batching.Call(Func<_, _> perExample, ResizeArray leaves, spec,
                    Func<int, IReadOnlyList<Nullable<int>>>(fun _ -> Engine.outAxes config.OutAxes outTree), "f",
                    ResizeArray(Engine.argNames names trees))
            Tree.build typeof<Tensor> (fun _ v -> v) outTree typeof<obj> [ for o in outs -> box o ]
        Engine.make typeof<'c -> 'd> n (List.replicate n typeof<obj>) names None "vmap" tensorImpl :?> ('c -> 'd)

    /// <summary>vmap: the function of a batch, every argument and result batched along axis 0.</summary>
    /// <example><code>
    /// let perExample (x: Tensor) (y: Tensor) = x * y + sin x
    /// let batched : NDArray -&gt; NDArray -&gt; NDArray = vmap perExample
    /// let r = batched (NDArray.Of([| 1.0f; 2.0f |])) (NDArray.Of([| 3.0f; 4.0f |]))
    /// </code></example>
    let vmap (f: 'a -> 'b) : 'c -> 'd = vmapWith VmapConfig.Default f

    /// <summary>jit for a backend: called on arrays, the function is traced once per argument types,
    /// compiled for <paramref name="backend"/> and cached; inside a traced function it records itself.</summary>
    let jitWith (backend: IBackend) (f: 'a -> 'b) : 'c -> 'd =
        let fType = typeof<'a -> 'b>
        let n = Dynamic.arityOf f fType
        let fParams, _ = Dynamic.signature fType n
        Engine.make typeof<'c -> 'd> n fParams (Dynamic.parameterNames f n) (Some backend) "jit" (Dynamic.apply f) :?> ('c -> 'd)

    /// <summary>jit on the default backend compiling with <paramref name="options"/>, e.g.
    /// <c>jitWithOptions (CompileOptions(ContractFloat = true)) (vmap f)</c> to allow fused
    /// multiply-adds (faster; results may then differ from the reference in the last bit).</summary>
    let jitWithOptions (options: CompileOptions) (f: 'a -> 'b) : 'c -> 'd = jitWith (DefaultBackend.WithOptions options) f

    /// <summary>jit on the default backend (<c>DefaultBackend.Instance</c>).</summary>
    /// <example><code>
    /// let fast : NDArray -&gt; NDArray -&gt; NDArray = jit (vmap perExample)
    /// </code></example>
    let jit (f: 'a -> 'b) : 'c -> 'd = jitWith DefaultBackend.Instance f

    /// <summary>
    /// The IR of <paramref name="f"/> for arguments of the given types (one per leaf, in order; a
    /// parameter typed as a tuple or record of tensors takes one per field).
    /// </summary>
    /// <example><code>
    /// printfn "%O" (lower [ AVal.Scalar DType.F32; AVal.Scalar DType.F32 ] perExample)
    /// </code></example>
    let lower (argumentTypes: AVal list) (f: 'a -> 'b) : Function =
        let fType = typeof<'a -> 'b>
        let n = Dynamic.arityOf f fType
        let fParams, _ = Dynamic.signature fType n
        let trees = fParams |> List.map Tree.ofType
        let fParams = fParams |> List.map (Tree.mapType typeof<Tensor>) // a transformed function may be typed for arrays
        let want = trees |> List.sumBy Tree.leafCount
        if want <> argumentTypes.Length then
            raise (Batching.UserError $"lower: the function's parameters hold %d{want} tensor(s), but %d{argumentTypes.Length} type(s) were given")
        let traced =
            try
                Trace.Function(ResizeArray argumentTypes, (fun ts ->
                    let r = Dynamic.apply f (Engine.buildTensorArgs trees fParams (List.ofSeq ts))
                    ResizeArray(snd (Tree.flatten r) |> List.map (Engine.asTensor "lower")) :> IReadOnlyList<Tensor>), "f", ResizeArray(Engine.argNames (Dynamic.parameterNames f n) trees))
            with
            | :? TraceException -> reraise ()
            | :? IrException as e -> raise (Batching.Located e)
        traced.Function

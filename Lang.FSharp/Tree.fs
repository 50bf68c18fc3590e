namespace ArrayLang.FSharp

open System
open System.Collections.Generic
open Microsoft.FSharp.Reflection
open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.Staging

/// <summary>
/// The shape of a structured value (JAX's pytree): where its leaves are. Inside traced code the
/// leaves are tensors; at the call of a transformed function they are arrays: <c>NDArray</c>, F#
/// arrays of <c>float32</c>/<c>float</c>/<c>int</c>/<c>bool</c> (rank 1 to 3) or single numbers.
/// Containers are F# tuples, records, arrays and lists of structured values, and unit.
/// </summary>
/// <remarks>
/// Note [two worlds]: a record used on both sides is generic in its leaf type,
/// <c>type Mlp&lt;'T&gt; = { W: 'T; B: 'T }</c>: the per-example function takes <c>Mlp&lt;Tensor&gt;</c> and the
/// batched function is called with <c>Mlp&lt;NDArray&gt;</c>. Tuples, arrays and lists map the same way.
/// </remarks>
type Tree =
    /// A tensor or an array.
    | Leaf
    /// An F# tuple (the runtime type of the value it was read from).
    | Tuple of Type * Tree list
    /// An F# record (the runtime type of the value it was read from).
    | Record of Type * Tree list
    /// A .NET array of structured values (the element type it was read with).
    | Array of Type * Tree list
    /// An F# list of structured values (the element type it was read with).
    | List of Type * Tree list
    /// The unit value.
    | Unit

/// <summary>Flattening structured values to their leaves and building them back, in either world.</summary>
[<RequireQualifiedAccess>]
module Tree =

    let private numberTypes = HashSet<Type>([ typeof<float32>; typeof<float>; typeof<int>; typeof<bool> ])

    /// <summary>True for the .NET types that are leaves on the array side: NDArray, numbers and F# arrays of numbers.</summary>
    let isArrayLeafType (t: Type) =
        t = typeof<NDArray>
        || numberTypes.Contains t
        || (t.IsArray && numberTypes.Contains(t.GetElementType()) && t.GetArrayRank() <= 3)

    /// <summary>True for the .NET types that are leaves: <c>Tensor</c> and the array-side leaf types.</summary>
    let isLeafType (t: Type) = t = typeof<Tensor> || isArrayLeafType t

    let private isList (t: Type) = t.IsGenericType && t.GetGenericTypeDefinition() = typedefof<list<int>>

    let private unsupported (t: Type) =
        (
            $"a structured value is made of tensors (or arrays), F# tuples, records, arrays and lists; %s{t.Name} is none of these")

    /// <summary>The structure of <paramref name="value"/> and its leaves, left to right (record fields in declaration order).</summary>
    let flatten (value: obj) : Tree * obj list =
        match value with
        | :? Tensor | :? NDArray -> Leaf, [ value ] // the common case, without reflection
        | _ ->
        let leaves = ResizeArray<obj>()
        let rec go (v: obj) =
            match v with
            | null -> Unit
            | :? Tensor
            | :? NDArray -> leaves.Add v; Leaf
            | _ ->
                let t = v.GetType()
                if isArrayLeafType t then leaves.Add v; Leaf
                elif FSharpType.IsTuple t then Tuple(t, FSharpValue.GetTupleFields v |> Seq.map go |> List.ofSeq)
                elif FSharpType.IsRecord(t, true) then Record(t, FSharpValue.GetRecordFields(v, true) |> Seq.map go |> List.ofSeq)
                elif t.IsArray && t.GetArrayRank() = 1 then
                    Array(t.GetElementType(), [ for x in (v :?> System.Array) -> go x ])
                elif isList t then List(t.GetGenericArguments().[0], [ for x in (v :?> System.Collections.IEnumerable) -> go x ])
                else raise (Batching.UserError(unsupported t))
        let tree = go value
        tree, List.ofSeq leaves

    /// <summary>The number of leaves.</summary>
    let rec leafCount tree =
        match tree with
        | Leaf -> 1
        | Unit -> 0
        | Tuple (_, ks) | Record (_, ks) | Array (_, ks) | List (_, ks) -> List.sumBy leafCount ks

    /// <summary>
    /// <paramref name="t"/> with its leaf types replaced by <paramref name="leaf"/> (<c>Tensor</c> or
    /// <c>NDArray</c>): <c>Mlp&lt;NDArray&gt;</c> becomes <c>Mlp&lt;Tensor&gt;</c>, <c>float32[] * NDArray</c>
    /// becomes <c>Tensor * Tensor</c>. Note [two worlds].
    /// </summary>
    let rec mapType (leaf: Type) (t: Type) : Type =
        if isLeafType t then leaf
        elif t = typeof<obj> || t = typeof<unit> then t
        elif FSharpType.IsTuple t then FSharpType.MakeTupleType(FSharpType.GetTupleElements t |> Array.map (mapType leaf))
        elif t.IsArray then (mapType leaf (t.GetElementType())).MakeArrayType()
        elif t.IsGenericType then t.GetGenericTypeDefinition().MakeGenericType(t.GetGenericArguments() |> Array.map (mapType leaf))
        elif FSharpType.IsRecord(t, true)
             && FSharpType.GetRecordFields(t, true) |> Array.exists (fun p -> isLeafType p.PropertyType && p.PropertyType <> leaf) then
            let holds = if leaf = typeof<Tensor> then "arrays" else "tensors"
            raise (Batching.UserError(
                $"the record %s{t.Name} holds %s{holds} in its fields, so it cannot "
                + "stand for the other side of a transformed function; make it generic in its leaf type, e.g. "
                + $"type %s{t.Name}<'T> = {{ W: 'T; ... }}, and use %s{t.Name}<Tensor> inside and %s{t.Name}<NDArray> outside"))
        else t

    /// <summary>The type a value of shape <paramref name="tree"/> gets when built with no declared type: leaves
    /// of type <paramref name="leaf"/>, containers as read.</summary>
    let rec naturalType (leaf: Type) tree =
        match tree with
        | Leaf -> leaf
        | Unit -> typeof<unit>
        | Tuple (_, ks) -> FSharpType.MakeTupleType(ks |> List.map (naturalType leaf) |> Array.ofList)
        | Record (t, _) -> mapType leaf t
        | Array (e, _) -> (mapType leaf e).MakeArrayType()
        | List (e, _) -> typedefof<list<int>>.MakeGenericType(mapType leaf e)

    let private isKnown (t: Type) = t <> typeof<obj> && not t.IsGenericParameter

    /// <summary>
    /// Builds a value of shape <paramref name="tree"/> and .NET type <paramref name="target"/> (or its natural
    /// type with <paramref name="leaf"/> leaves when <paramref name="target"/> is <c>obj</c>) from
    /// <paramref name="leaves"/>, converting each leaf with <paramref name="convert"/> (given the declared leaf type).
    /// </summary>
    let build (leaf: Type) (convert: Type -> obj -> obj) (tree: Tree) (target: Type) (leaves: obj list) : obj =
        match tree, leaves with
        | Leaf, [ one ] -> convert (if isKnown target then target else leaf) one
        | _ ->
        let queue = Queue<obj>(leaves)
        let rec go tree (target: Type) : obj =
            let target = if isKnown target then target else naturalType leaf tree
            match tree with
            | Leaf -> convert target (queue.Dequeue())
            | Unit -> box ()
            | Tuple (_, ks) ->
                let elems =
                    if FSharpType.IsTuple target && FSharpType.GetTupleElements(target).Length = ks.Length then FSharpType.GetTupleElements target
                    else raise (Batching.UserError $"a tuple of %d{ks.Length} values cannot be a %s{target.Name}")
                FSharpValue.MakeTuple(List.map2 go ks (List.ofArray elems) |> Array.ofList, target)
            | Record (_, ks) ->
                if not (FSharpType.IsRecord(target, true)) then raise (Batching.UserError $"a record cannot be a %s{target.Name}")
                let fields = FSharpType.GetRecordFields(target, true)
                FSharpValue.MakeRecord(target, List.map2 go ks [ for f in fields -> f.PropertyType ] |> Array.ofList, true)
            | Array (_, ks) ->
                if not target.IsArray then raise (Batching.UserError $"an array cannot be a %s{target.Name}")
                let e = target.GetElementType()
                let a = System.Array.CreateInstance(e, ks.Length)
                ks |> List.iteri (fun i k -> a.SetValue(go k e, i))
                box a
            | List (_, ks) ->
                if not (isList target) then raise (Batching.UserError $"a list cannot be a %s{target.Name}")
                let e = target.GetGenericArguments().[0]
                let cons = target.GetMethod("Cons")
                let empty = target.GetProperty("Empty").GetValue(null)
                List.foldBack (fun k acc -> cons.Invoke(null, [| go k e; acc |])) ks empty
        let v = go tree target
        if queue.Count <> 0 then raise (Batching.UserError $"%d{queue.Count} leaves were left over building %A{tree}")
        v

    /// <summary>An array-side leaf (NDArray, a number, or an F# array of numbers) as an NDArray.</summary>
    let toNDArray (v: obj) : NDArray =
        match v with
        | :? NDArray as a -> a
        | :? float32 as x -> NDArray.Of([| x |], [||])
        | :? float as x -> NDArray.Of([| x |], [||])
        | :? int as x -> NDArray.Of([| x |], [||])
        | :? bool as x -> NDArray.Of([| x |], [||])
        | :? (float32[]) as a -> NDArray.ofArray a
        | :? (float[]) as a -> NDArray.ofArray a
        | :? (int[]) as a -> NDArray.ofArray a
        | :? (bool[]) as a -> NDArray.ofArray a
        | :? (float32[,]) as a -> NDArray.ofArray2D a
        | :? (float[,]) as a -> NDArray.ofArray2D a
        | :? (int[,]) as a -> NDArray.ofArray2D a
        | :? (bool[,]) as a -> NDArray.ofArray2D a
        | :? (float32[,,]) as a -> NDArray.ofArray3D a
        | :? (float[,,]) as a -> NDArray.ofArray3D a
        | :? (int[,,]) as a -> NDArray.ofArray3D a
        | :? (bool[,,]) as a -> NDArray.ofArray3D a
        | :? Tensor as t -> raise (Batching.UserError $"a tensor ({t.Type}) was passed where an array is expected")
        | _ -> raise (Batching.UserError(unsupported (v.GetType())))

    /// <summary>An NDArray converted to a declared array-side leaf type (<c>NDArray</c>, an F# array or a number).</summary>
    let ofNDArray (target: Type) (a: NDArray) : obj =
        let need (rank: int) =
            if a.Shape.Rank <> rank then
                raise (Batching.UserError $"an array of type {a.Type} cannot be a %s{target.Name} (rank %d{rank})")
        let elem (t: Type) =
            let want = NDArray.ElementType a.DType
            if t <> want then raise (Batching.UserError $"an array of type {a.Type} holds %s{want.Name} elements, not %s{t.Name}")
        if target = typeof<NDArray> || target = typeof<obj> then box a
        elif numberTypes.Contains target then need 0; elem target; a.Data.GetValue 0
        elif target.IsArray then
            let e = target.GetElementType()
            elem e
            need (target.GetArrayRank())
            let dims = a.Shape.ToArray()
            let r = System.Array.CreateInstance(e, dims)
            Buffer.BlockCopy(a.Data, 0, r, 0, Buffer.ByteLength a.Data)
            box r
        else raise (Batching.UserError $"an array result cannot be a %s{target.Name}")

    /// <summary>Names for the leaves, from <paramref name="name"/> and the record fields on the way.</summary>
    let leafNames (name: string) tree : string list =
        let rec go (name: string) tree =
            match tree with
            | Leaf -> [ name ]
            | Unit -> []
            | Tuple (_, ks) | Array (_, ks) | List (_, ks) -> ks |> List.mapi (fun i k -> go $"%s{name}%d{i}" k) |> List.concat
            | Record (t, ks) ->
                let fields = FSharpType.GetRecordFields(t, true)
                List.map2 (fun (f: Reflection.PropertyInfo) k -> go f.Name k) (List.ofArray fields) ks |> List.concat
        go name tree

    /// <summary>
    /// The shape a value of static type <paramref name="t"/> must have when the type alone decides it:
    /// a leaf type (or <c>obj</c>, taken as one tensor), a tuple, or a record of such. Arrays and lists
    /// have no fixed length, so they need a value.
    /// </summary>
    let rec ofType (t: Type) : Tree =
        if isLeafType t || t = typeof<obj> then Leaf
        elif t = typeof<unit> then Unit
        elif FSharpType.IsTuple t then Tuple(t, FSharpType.GetTupleElements t |> Seq.map ofType |> List.ofSeq)
        elif FSharpType.IsRecord(t, true) then Record(t, FSharpType.GetRecordFields(t, true) |> Seq.map (fun p -> ofType p.PropertyType) |> List.ofSeq)
        else raise (Batching.UserError $"the structure of a %s{t.Name} depends on its value (its length); give values, not types")

    /// <summary>A short text that is equal for equal structures (a cache key).</summary>
    let key (trees: Tree list) : string =
        if trees |> List.forall (function Leaf -> true | _ -> false) then String('L', trees.Length) else
        let sb = Text.StringBuilder()
        let rec go tree =
            match tree with
            | Leaf -> sb.Append 'L' |> ignore
            | Unit -> sb.Append 'U' |> ignore
            | Tuple (_, ks) -> sb.Append '(' |> ignore; List.iter go ks; sb.Append ')' |> ignore
            | Record (t, ks) -> sb.Append('{').Append(t.FullName) |> ignore; List.iter go ks; sb.Append '}' |> ignore
            | Array (_, ks) -> sb.Append '[' |> ignore; List.iter go ks; sb.Append ']' |> ignore
            | List (_, ks) -> sb.Append '<' |> ignore; List.iter go ks; sb.Append '>' |> ignore
        for t in trees do go t; sb.Append ';' |> ignore
        sb.ToString()


namespace ArrayLang.FSharp

open System
open System.Collections.Generic
open ArrayLang.Tracing
open ArrayLang.Staging

/// <summary>
/// Control flow inside a traced function, as JAX's <c>lax.scan</c>, <c>lax.cond</c>,
/// <c>lax.switch</c>, <c>lax.while_loop</c> and <c>lax.fori_loop</c>: each body is traced once into a
/// sub-function and one <c>scan</c>, <c>cond</c> or <c>while</c> equation is recorded. Carries, operands
/// and results are structured values of tensors (tuples, records, arrays, lists). Bodies are
/// closures: the tensors of the enclosing function they use are passed in for you.
/// </summary>
[<AutoOpen>]
module ControlFlow =

    let private tensors (what: string) (v: obj) =
        let tree, leaves = Tree.flatten v
        tree, leaves |> List.map (Engine.asTensor what)

    let private list (ts: Tensor list) = ResizeArray ts :> IReadOnlyList<Tensor>

    let private build<'T> (tree: Tree) (ts: seq<Tensor>) : 'T =
        Tree.build typeof<Tensor> (fun _ v -> v) tree typeof<'T> [ for t in ts -> box t ] :?> 'T

    let private sameShape (what: string) (expected: Tree) (found: Tree) =
        if Tree.key [ expected ] <> Tree.key [ found ] then
            raise (Batching.UserError $"%s{what}: the structure changed: expected %A{expected}, found %A{found}")

    let private scanImpl (reverse: bool) (length: int option) (step: 'c -> 'x -> 'c * 'y) (init: 'c) (xs: 'x) : 'c * 'y =
        let cTree, cLeaves = tensors "scan" (box init)
        let xTree, xLeaves = tensors "scan" (box xs)
        let mutable yTree = Leaf
        let body =
            Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>, struct (IReadOnlyList<Tensor> * IReadOnlyList<Tensor>)>(fun c x ->
                let c', y = step (build<'c> cTree c) (build<'x> xTree x)
                let cTree', cl = tensors "scan" (box c')
                sameShape "scan: the step's carry" cTree cTree'
                let yt, yl = tensors "scan" (box y)
                yTree <- yt
                struct (list cl, list yl))
        let struct (carry, ys) = ControlCombinators.Scan(body, list cLeaves, list xLeaves, Option.toNullable length, reverse)
        build<'c> cTree carry, build<'y> yTree ys

    /// <summary>
    /// <c>scan step init xs</c>: runs <c>step carry x</c> for each row <c>x</c> of <paramref name="xs"/>
    /// (every leaf of it has the number of steps as its leading dimension) and returns the final carry and
    /// the per-step outputs stacked along a new leading axis.
    /// </summary>
    /// <example><code>
    /// // h_{t+1} = tanh(a * h_t + x_t), with every h_t
    /// let rnn (a: Tensor) (h0: Tensor) (xs: Tensor) = scan (fun h x -> let h' = tanh (a * h + x) in h', h') h0 xs
    /// </code></example>
    let scan (step: 'c -> 'x -> 'c * 'y) (init: 'c) (xs: 'x) : 'c * 'y = scanImpl false None step init xs

    /// <summary><c>scan</c> from the last row of <paramref name="xs"/> to the first (output <c>t</c> still comes from row <c>t</c>).</summary>
    let scanReverse (step: 'c -> 'x -> 'c * 'y) (init: 'c) (xs: 'x) : 'c * 'y = scanImpl true None step init xs

    /// <summary><c>scan</c> with no sequence: <paramref name="length"/> steps of <c>step carry</c>.</summary>
    let scanSteps (length: int) (step: 'c -> 'c * 'y) (init: 'c) : 'c * 'y =
        scanImpl false (Some length) (fun c () -> step c) init ()

    /// <summary>
    /// <c>foriLoop n body init</c>: <c>body i carry</c> for <c>i = 0 .. n-1</c> (an i32 scalar tensor),
    /// recorded as a scan whose counter stays a scalar under vmap.
    /// </summary>
    /// <example><code>
    /// let power (x: Tensor) = foriLoop 10 (fun _ acc -> acc * x) (Tensor.onesLike x)
    /// </code></example>
    let foriLoop (count: int) (body: Tensor -> 'c -> 'c) (init: 'c) : 'c =
        let tree, leaves = tensors "foriLoop" (box init)
        let out =
            ControlCombinators.ForLoop(count, Func<Tensor, IReadOnlyList<Tensor>, IReadOnlyList<Tensor>>(fun i c ->
                let c' = body i (build<'c> tree c)
                let tree', l = tensors "foriLoop" (box c')
                sameShape "foriLoop: the body's carry" tree tree'
                list l), list leaves)
        build<'c> tree out

    let private branches (what: string) (index: Tensor) (bodies: (unit -> 'a) list) (call: Func<IReadOnlyList<Tensor>> list -> IReadOnlyList<Tensor>) : 'a =
        let mutable tree = None
        let traced =
            bodies |> List.map (fun b ->
                Func<IReadOnlyList<Tensor>>(fun () ->
                    let t, l = tensors what (box (b ()))
                    match tree with
                    | None -> tree <- Some t
                    | Some t0 -> sameShape $"%s{what}: the branches return different structures" t0 t
                    list l))
        let outs = call traced
        build<'a> tree.Value outs

    /// <summary>
    /// <c>cond pred onTrue onFalse</c>: the value of <paramref name="onTrue"/> where <paramref name="pred"/>
    /// (a bool scalar) holds, else of <paramref name="onFalse"/>; both return the same types. Under vmap with
    /// a per-example predicate, each example takes its own branch.
    /// </summary>
    /// <example><code>
    /// let safeSqrt (x: Tensor) = cond (x .&gt;= 0.0) (fun () -&gt; sqrt x) (fun () -&gt; Tensor.zerosLike x)
    /// </code></example>
    let cond (pred: Tensor) (onTrue: unit -> 'a) (onFalse: unit -> 'a) : 'a =
        branches "cond" pred [ onTrue; onFalse ] (fun fs -> ControlCombinators.Cond(pred, fs.[0], fs.[1]))

    /// <summary><c>switch index branches</c>: the value of branch <paramref name="index"/> (an i32 scalar, clamped into range).</summary>
    let switch (index: Tensor) (branchList: (unit -> 'a) list) : 'a =
        branches "switch" index branchList (fun fs -> ControlCombinators.Switch(index, ResizeArray fs))

    /// <summary>
    /// <c>whileLoop condition body init</c>: applies <paramref name="body"/> to the carry while
    /// <paramref name="condition"/> (a bool scalar of the carry) holds. Under vmap with a per-example
    /// condition the loop runs until every example is done; finished examples keep their values.
    /// </summary>
    /// <example><code>
    /// let collatzSteps (n: Tensor) =
    ///     whileLoop (fun (n, _) -&gt; n .&gt; 1) (fun (n, k) -&gt; Tensor.where (n % 2 .= 0) (n / 2) (3 * n + 1), k + 1) (n, Tensor.zerosLike n) |&gt; snd
    /// </code></example>
    let whileLoop (condition: 'c -> Tensor) (body: 'c -> 'c) (init: 'c) : 'c =
        let tree, leaves = tensors "whileLoop" (box init)
        let out =
            ControlCombinators.While(
                Func<IReadOnlyList<Tensor>, Tensor>(fun c -> condition (build<'c> tree c)),
                Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>>(fun c ->
                    let tree', l = tensors "whileLoop" (box (body (build<'c> tree c)))
                    sameShape "whileLoop: the body's carry" tree tree'
                    list l),
                list leaves)
        build<'c> tree out

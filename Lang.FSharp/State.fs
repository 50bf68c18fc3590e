namespace ArrayLang.FSharp

open System
open System.Collections.Generic
open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Staging

/// A piece of loop state seen without its type (what the loops carry).
type internal IState =
    abstract Get: unit -> obj
    abstract Set: obj -> unit
    abstract Type: Type

/// Note [state discovery]: a loop carries the states its body writes. To learn which, the body is
/// first traced once in a throwaway nested trace while a write log is open; the states written there
/// (and created before the loop) are the carries, and their values are put back. Then the body is
/// traced for real with those states bound to the loop's carries. Logs nest (an inner loop's writes
/// are writes of the outer loop's body too), so a body is traced twice per enclosing loop level.
module internal WriteLog =
    type Log = { Written: List<IState>; Original: Dictionary<IState, obj>; Created: HashSet<IState> }

    type private Logs() =
        [<ThreadStatic; DefaultValue>]
        static val mutable private stack: Stack<Log>
        static member Active =
            if isNull Logs.stack then Logs.stack <- Stack<Log>()
            Logs.stack

    let private active () = Logs.Active

    let created (s: IState) =
        for log in active () do log.Created.Add s |> ignore

    let writing (s: IState) =
        for log in active () do
            if not (log.Created.Contains s) && not (log.Original.ContainsKey s) then
                log.Original.[s] <- s.Get()
                log.Written.Add s

    /// The states (created before) that `run` writes; their values are restored afterwards.
    let discover (inputs: AVal list) (run: Tensor list -> unit) : IState list =
        let log = { Written = List(); Original = Dictionary(HashIdentity.Reference); Created = HashSet(HashIdentity.Reference) }
        active().Push log
        try
            Trace.Nested(ResizeArray inputs, (fun ts -> run (List.ofSeq ts); ResizeArray() :> IReadOnlyList<Tensor>), "discover") |> ignore
        finally
            active().Pop() |> ignore
            for s in log.Written do s.Set log.Original.[s]
        List.ofSeq log.Written

/// <summary>
/// Loop state for <c>vectorize { }</c> and the <c>Loop</c> functions: a mutable cell holding a tensor
/// (or a tuple, record, array or list of tensors). A loop body is a closure traced once: a
/// <c>let mutable</c> it writes (F# turns it into a hidden ref cell) changes while tracing but is not
/// carried from step to step, and using it after the loop is an error. A loop or branch carries the
/// states its body writes.
/// </summary>
[<Sealed>]
type State<'T> internal (init: 'T) as this =
    let mutable value = init
    do WriteLog.created this

    /// <summary>The current value; setting it inside a loop body makes it a carry of that loop.</summary>
    member _.Value
        with get () = value
        and set (v: 'T) =
            WriteLog.writing this
            value <- v

    interface IState with
        member _.Get() = box value
        member _.Set v = value <- unbox<'T> v
        member _.Type = typeof<'T>

/// <summary>
/// Loops and branches over <c>State</c> cells: the imperative form of <c>scan</c>, <c>while</c> and
/// <c>cond</c> that <c>vectorize { }</c> is built from. Bodies read and write states; what they write is
/// carried (Note [state discovery]); everything else they use is captured.
/// </summary>
[<RequireQualifiedAccess>]
module Loop =

    /// <summary>A new state holding <paramref name="init"/>.</summary>
    let state (init: 'T) = State<'T>(init)

    let private asCarry (leaf: obj) =
        match leaf with
        | :? Tensor as t -> t
        | _ ->
            raise (Batching.UserError(
                $"a loop or branch carries the states its body writes, and one of them holds a %s{leaf.GetType().Name}, not a tensor: "
                + "an F# value is fixed while tracing and cannot change from one step to the next; make it a tensor, "
                + "e.g. state (Tensor.scalarOf DType.I32 0.0) for a counter"))

    let private flat (states: IState list) =
        let parts = states |> List.map (fun s -> Tree.flatten (s.Get()))
        parts |> List.map fst, parts |> List.collect snd |> List.map asCarry

    let private assign (states: IState list) (trees: Tree list) (leaves: seq<Tensor>) =
        let groups = Engine.split trees (List.ofSeq leaves)
        List.zip3 states trees groups
        |> List.iter (fun (s, t, ls) -> s.Set(Tree.build typeof<Tensor> (fun _ v -> v) t s.Type [ for l in ls -> box l ]))

    let private read (what: string) (states: IState list) (trees: Tree list) =
        let trees', leaves = flat states
        if Tree.key trees <> Tree.key trees' then
            raise (Batching.UserError $"%s{what}: a state changed its structure inside the body: %A{trees} became %A{trees'}")
        ResizeArray leaves :> IReadOnlyList<Tensor>

    /// <summary>A loop over <c>i = start, start + step, ...</c> (<paramref name="count"/> values; <c>i</c> an i32
    /// scalar tensor) recorded as one <c>scan</c> carrying the states the body writes.</summary>
    let forRange (start: int) (step: int) (count: int) (body: Tensor -> unit) : unit =
        let states = WriteLog.discover [ AVal.Scalar DType.I32 ] (fun ts -> body ts.Head)
        let trees, leaves = flat states
        let out =
            ControlCombinators.ForLoop(count, Func<Tensor, IReadOnlyList<Tensor>, IReadOnlyList<Tensor>>(fun i c ->
                assign states trees c
                body i
                read "for loop" states trees), ResizeArray leaves, start, step)
        assign states trees out

    /// <summary>A loop over the rows of <paramref name="xs"/> recorded as one <c>scan</c> carrying the states the body writes.</summary>
    let forEach (xs: Tensor) (body: Tensor -> unit) : unit =
        if xs.Rank = 0 then raise (Batching.UserError $"for x in xs: xs must have a leading axis to loop over, found {xs.Type}")
        let row = xs.Type.WithShape(xs.Shape.Remove 0)
        let states = WriteLog.discover [ row ] (fun ts -> body ts.Head)
        let trees, leaves = flat states
        let step =
            Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>, struct (IReadOnlyList<Tensor> * IReadOnlyList<Tensor>)>(fun c x ->
                assign states trees c
                body x.[0]
                struct (read "for loop" states trees, ResizeArray() :> IReadOnlyList<Tensor>))
        let struct (out, _) = ControlCombinators.Scan(step, ResizeArray leaves, ResizeArray [ xs ])
        assign states trees out

    /// <summary>A loop that runs <paramref name="body"/> while <paramref name="condition"/> (a bool scalar tensor)
    /// holds, recorded as one <c>while</c> carrying the states the body writes.</summary>
    let whileTrue (condition: unit -> Tensor) (body: unit -> unit) : unit =
        let states = WriteLog.discover [] (fun _ -> condition () |> ignore; body ())
        let trees, leaves = flat states
        let out =
            ControlCombinators.While(
                Func<IReadOnlyList<Tensor>, Tensor>(fun c -> assign states trees c; condition ()),
                Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>>(fun c ->
                    assign states trees c
                    body ()
                    read "while loop" states trees),
                ResizeArray leaves)
        assign states trees out

    /// <summary>Runs <paramref name="onTrue"/> where <paramref name="pred"/> (a bool scalar tensor) holds, else
    /// <paramref name="onFalse"/>, recorded as one <c>cond</c> whose results are the states either branch writes.</summary>
    let branch (pred: Tensor) (onTrue: unit -> unit) (onFalse: unit -> unit) : unit =
        let states = WriteLog.discover [] (fun _ -> onTrue (); onFalse ())
        if not states.IsEmpty then
            let trees, leaves = flat states
            let run (b: unit -> unit) =
                Func<IReadOnlyList<Tensor>>(fun () ->
                    b ()
                    let r = read "branch" states trees
                    assign states trees leaves // the other branch starts from the same values
                    r)
            let out = ControlCombinators.Cond(pred, run onTrue, run onFalse)
            assign states trees out

    /// <summary>Runs <paramref name="body"/> where <paramref name="pred"/> holds (see <see cref="branch"/>).</summary>
    let branchIf (pred: Tensor) (body: unit -> unit) : unit = branch pred body ignore

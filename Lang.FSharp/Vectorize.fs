namespace ArrayLang.FSharp

open System.Runtime.CompilerServices
open System.Runtime.InteropServices
open ArrayLang.Tracing
open ArrayLang.Staging

/// <summary>
/// The <c>vectorize { }</c> builder: per-example code with loops that become IR control flow. Inside it,
/// <list type="bullet">
/// <item><c>let s = state x0</c> makes loop state (read and write <c>s.Value</c>);</item>
/// <item><c>for i in 0 .. n-1 do ...</c> becomes one <c>scan</c> of n steps; <c>i</c> is an i32 scalar
/// <b>tensor</b> (use it as a run-time index, <c>xs.[i]</c>); any arithmetic range of ints works;</item>
/// <item><c>for x in xs do ...</c> (<c>xs</c> a tensor) becomes a <c>scan</c> over its rows;</item>
/// <item><c>while cond do ...</c> with <c>cond</c> a bool scalar tensor becomes one <c>while</c>;</item>
/// <item><c>branch p (fun () -&gt; ...) (fun () -&gt; ...)</c> (or <c>branchIf</c>) becomes one <c>cond</c>;</item>
/// <item><c>return v</c> gives the result; an F# <c>if</c> on a real <c>bool</c> is decided while tracing.</item>
/// </list>
/// Each loop carries the states its body writes. The function containing the block is an ordinary
/// per-example function: <c>vmap</c> and <c>jit</c> it like any other. The builder's methods take
/// caller information (F# passes it to the calls a block desugars into), so that an error inside a
/// loop names the loop's line, and elsewhere in the block the block's line, also in a build without
/// symbols (docs/fsharp.md, "Errors").
/// </summary>
/// <example><code>
/// // h_{t+1} = tanh(a * h_t + x_t), and how many steps had h &gt; 0
/// let rnn (a: Tensor) (xs: Tensor) (h0: Tensor) =
///     vectorize {
///         let h = state h0
///         let positive = state (Tensor.zerosLike h0)
///         for x in xs do
///             h.Value &lt;- tanh (a * h.Value + x)
///             branchIf (h.Value .&gt; 0.0) (fun () -&gt; positive.Value &lt;- positive.Value + 1.0)
///         return h.Value, positive.Value
///     }
/// let batched : NDArray -&gt; NDArray -&gt; NDArray -&gt; NDArray * NDArray = vmapWith { VmapConfig.Default with InAxes = [ None; Some 0; Some 0 ] } rnn
/// </code></example>
type VectorizeBuilder() =
    /// <summary>Nothing to do (an <c>if</c> without <c>else</c>, an empty loop body).</summary>
    member _.Zero() : unit -> unit = ignore
    /// <summary>The result of the block.</summary>
    member _.Return(value: 'T) : unit -> 'T = fun () -> value
    /// <summary>Runs the statements when the block runs (while tracing).</summary>
    member _.Delay(f: unit -> (unit -> 'T)) : unit -> 'T = fun () -> f () ()
    /// <summary>Runs the block: the value of <c>vectorize { ... }</c>.</summary>
    member _.Run(f: unit -> 'T, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string, [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) : 'T =
        use _ = UserSource.Calling(file, line)
        f ()
    /// <summary>One statement after another.</summary>
    member _.Combine(first: unit -> unit, rest: unit -> 'T) : unit -> 'T = fun () -> first (); rest ()

    /// <summary><c>for i in start .. step .. stop do</c>: one <c>scan</c>; <c>i</c> is an i32 scalar tensor.</summary>
    member _.For(range: seq<int>, body: Tensor -> (unit -> unit), [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string, [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) : unit -> unit =
        fun () ->
            use _ = UserSource.Calling(file, line)
            let start, step, count = VectorizeBuilder.Arithmetic range
            Loop.forRange start step count (fun i -> body i ())

    /// <summary><c>for x in xs do</c>: one <c>scan</c> over the rows of <paramref name="xs"/>.</summary>
    member _.For(xs: Tensor, body: Tensor -> (unit -> unit), [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string, [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) : unit -> unit =
        fun () ->
            use _ = UserSource.Calling(file, line)
            Loop.forEach xs (fun x -> body x ())

    /// <summary><c>while cond do</c>: one <c>while</c>; the condition is a bool scalar tensor.</summary>
    member _.While(condition: unit -> Tensor, body: unit -> unit, [<CallerFilePath; Optional; DefaultParameterValue("")>] file: string, [<CallerLineNumber; Optional; DefaultParameterValue(0)>] line: int) : unit -> unit =
        fun () ->
            use _ = UserSource.Calling(file, line)
            Loop.whileTrue condition body

    /// <summary>The first value, the step and the count of an arithmetic sequence of ints, or an error.</summary>
    static member Arithmetic(range: seq<int>) : int * int * int =
        use e = range.GetEnumerator()
        if not (e.MoveNext()) then 0, 1, 0
        else
            let start = e.Current
            if not (e.MoveNext()) then start, 1, 1
            else
                let step = e.Current - start
                let mutable count = 2
                let mutable last = e.Current
                while e.MoveNext() do
                    if e.Current - last <> step then
                        raise (Batching.UserError $"vectorize: a for loop needs an arithmetic range of ints (start .. step .. stop); %d{last} is followed by %d{e.Current}, not %d{last + step}")
                    last <- e.Current
                    count <- count + 1
                start, step, count

/// <summary>The <c>vectorize { }</c> builder and its loop state.</summary>
[<AutoOpen>]
module Vectorize =
    /// <summary>Per-example code whose loops and branches become <c>scan</c>, <c>while</c> and <c>cond</c>; see <see cref="VectorizeBuilder"/>.</summary>
    let vectorize = VectorizeBuilder()
    /// <summary>A new piece of loop state holding <paramref name="init"/>.</summary>
    let state (init: 'T) = Loop.state init
    /// <summary>Runs one of two blocks per example, as one <c>cond</c> (see <c>Loop.branch</c>).</summary>
    let branch (pred: Tensor) (onTrue: unit -> unit) (onFalse: unit -> unit) = Loop.branch pred onTrue onFalse
    /// <summary>Runs a block where the predicate holds, as one <c>cond</c> (see <c>Loop.branchIf</c>).</summary>
    let branchIf (pred: Tensor) (body: unit -> unit) = Loop.branchIf pred body

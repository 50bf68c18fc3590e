namespace ArrayLang.FSharp

open ArrayLang.Compile
open ArrayLang.Tracing
open ArrayLang.Values

/// <summary>
/// <c>vmap</c> and <c>jit</c> with types fixed at compile time, for per-example functions of one to
/// three tensors with one tensor result: the function of a batch is <c>NDArray -&gt; ... -&gt; NDArray</c>,
/// so a wrong annotation (<c>let g : NDArray -&gt; NDArray = Typed.vmap f2</c>, a function of two
/// tensors) is a compile error, where the generic <c>vmap</c> and <c>jit</c>, whose results are typed
/// as annotated, find it at the first call. Overloaded methods: <c>open type Typed</c> calls them
/// unqualified. Structured values, F# arrays and more arities go through the generic functions.
/// </summary>
/// <example><code>
/// let perExample (x: Tensor) (y: Tensor) = x * y + sin x
/// let batched = Typed.jit (Typed.vmap perExample)          // NDArray -&gt; NDArray -&gt; NDArray
/// </code></example>
[<AbstractClass; Sealed>]
type Typed =
    /// <summary>vmap of a function of one tensor (every axis 0, or as <paramref name="config"/> says).</summary>
    static member vmap(f: Tensor -> Tensor, ?config: VmapConfig) : NDArray -> NDArray =
        vmapWith (defaultArg config VmapConfig.Default) f

    /// <summary>vmap of a function of two tensors (every axis 0, or as <paramref name="config"/> says).</summary>
    static member vmap(f: Tensor -> Tensor -> Tensor, ?config: VmapConfig) : NDArray -> NDArray -> NDArray =
        vmapWith (defaultArg config VmapConfig.Default) f

    /// <summary>vmap of a function of three tensors (every axis 0, or as <paramref name="config"/> says).</summary>
    static member vmap(f: Tensor -> Tensor -> Tensor -> Tensor, ?config: VmapConfig) : NDArray -> NDArray -> NDArray -> NDArray =
        vmapWith (defaultArg config VmapConfig.Default) f

    /// <summary>jit of a function of one tensor, for the default backend or <paramref name="backend"/>.</summary>
    static member jit(f: Tensor -> Tensor, ?backend: IBackend) : NDArray -> NDArray =
        jitWith (defaultArg backend DefaultBackend.Instance) f

    /// <summary>jit of a function of two tensors, for the default backend or <paramref name="backend"/>.</summary>
    static member jit(f: Tensor -> Tensor -> Tensor, ?backend: IBackend) : NDArray -> NDArray -> NDArray =
        jitWith (defaultArg backend DefaultBackend.Instance) f

    /// <summary>jit of a function of three tensors, for the default backend or <paramref name="backend"/>.</summary>
    static member jit(f: Tensor -> Tensor -> Tensor -> Tensor, ?backend: IBackend) : NDArray -> NDArray -> NDArray -> NDArray =
        jitWith (defaultArg backend DefaultBackend.Instance) f

    /// <summary>jit of a function of one array (a <c>Typed.vmap</c>), for the default backend or <paramref name="backend"/>.</summary>
    static member jit(f: NDArray -> NDArray, ?backend: IBackend) : NDArray -> NDArray =
        jitWith (defaultArg backend DefaultBackend.Instance) f

    /// <summary>jit of a function of two arrays (a <c>Typed.vmap</c>), for the default backend or <paramref name="backend"/>.</summary>
    static member jit(f: NDArray -> NDArray -> NDArray, ?backend: IBackend) : NDArray -> NDArray -> NDArray =
        jitWith (defaultArg backend DefaultBackend.Instance) f

    /// <summary>jit of a function of three arrays (a <c>Typed.vmap</c>), for the default backend or <paramref name="backend"/>.</summary>
    static member jit(f: NDArray -> NDArray -> NDArray -> NDArray, ?backend: IBackend) : NDArray -> NDArray -> NDArray -> NDArray =
        jitWith (defaultArg backend DefaultBackend.Instance) f

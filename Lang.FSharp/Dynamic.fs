namespace ArrayLang.FSharp

open System
open System.Reflection
open System.Runtime.CompilerServices
open System.Runtime.ExceptionServices
open Microsoft.FSharp.Reflection

/// Curried F# functions handled through reflection: their arity, parameter types and application,
/// and the making of the curried closures that vmap and jit return. Note [transformed closures]:
/// a transformed function's F# type is chosen where it is used (`NDArray -> NDArray` on arrays,
/// `Tensor -> Tensor` inside a traced function, `obj -> obj` when one transform feeds another), so
/// the closure is built for that type at run time and remembers its arity in a weak table.
module internal Dynamic =

    let private arities = ConditionalWeakTable<obj, StrongBox<int>>()

    let rec private arrows (t: Type) =
        if FSharpType.IsFunction t then 1 + arrows (snd (FSharpType.GetFunctionElements t)) else 0

    /// The number of curried arguments of `f`, whose static type is `staticType`.
    let arityOf (f: obj) (staticType: Type) =
        match arities.TryGetValue f with
        | true, n -> n.Value
        | _ -> max 1 (arrows staticType)

    /// The first `n` parameter types of a function type (obj where the type does not say) and its result type.
    let signature (staticType: Type) (n: int) : Type list * Type =
        let rec go (t: Type) k =
            if k = 0 then [], t
            elif FSharpType.IsFunction t then
                let a, r = FSharpType.GetFunctionElements t
                let ps, res = go r (k - 1)
                a :: ps, res
            else List.replicate k typeof<obj>, typeof<obj>
        go staticType n

    let private rethrowInner (e: TargetInvocationException) : 'a =
        ExceptionDispatchInfo.Capture(e.InnerException).Throw()
        Unchecked.defaultof<'a>

    /// Applies the curried function `f` to `args` (any number, one at a time).
    let apply (f: obj) (args: obj list) : obj =
        args
        |> List.fold (fun (g: obj) a ->
            let invoke = g.GetType().GetMethods() |> Array.find (fun m -> m.Name = "Invoke" && m.GetParameters().Length = 1)
            try invoke.Invoke(g, [| a |]) with :? TargetInvocationException as e -> rethrowInner e) f

    /// A curried closure of F# type `funcType` taking `n` arguments and computing `impl args`. Where
    /// `funcType` runs out of arrows before `n`, the remaining levels are `obj -> obj`.
    let makeCurried (funcType: Type) (n: int) (impl: obj list -> obj) : obj =
        let rec level (t: Type) k (acc: obj list) : obj =
            let t = if FSharpType.IsFunction t then t else typeof<obj -> obj>
            let _, r = FSharpType.GetFunctionElements t
            let f =
                FSharpValue.MakeFunction(t, fun a ->
                    let acc = a :: acc
                    if k = 1 then impl (List.rev acc) else level r (k - 1) acc)
            arities.AddOrUpdate(f, StrongBox k)
            f
        level funcType n []

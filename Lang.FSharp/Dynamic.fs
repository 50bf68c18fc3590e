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

    /// What a closure made by makeCurried is: its arity, its untyped body and the parameter names of
    /// the function it transforms (so that jit (vmap f) names its IR parameters as f does).
    type Made(arity: int, impl: obj list -> obj, names: string option list) =
        member _.Arity = arity
        member _.Impl = impl
        member _.Names = names

    let private made = ConditionalWeakTable<obj, Made>()

    let rec private arrows (t: Type) =
        if FSharpType.IsFunction t then 1 + arrows (snd (FSharpType.GetFunctionElements t)) else 0

    /// The number of curried arguments of `f`, whose static type is `staticType`.
    let arityOf (f: obj) (staticType: Type) =
        match made.TryGetValue f with
        | true, m -> m.Arity
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

    let private isUserName (name: string) =
        not (isNull name) && name.Length > 0 && name.[0] <> '_' && not (name.Contains '@')
        && name <> "tupledArg" && not (name.StartsWith "unitVar")

    /// The names F# kept for the first `n` parameters of the closure `f` (a lambda, or a function
    /// passed as a value: its Invoke method has them), for readable IR as C#'s lambdas give; None
    /// where it kept none (a compiler-generated name). A closure made by makeCurried has the names of
    /// the function it transforms.
    let parameterNames (f: obj) (n: int) : string option list =
        let none = List.replicate n None
        if isNull f then none else
        match made.TryGetValue f with
        | true, m -> if m.Names.Length = n then m.Names else none
        | _ ->
            f.GetType().GetMethods(BindingFlags.Public ||| BindingFlags.Instance ||| BindingFlags.DeclaredOnly)
            |> Array.tryFind (fun m -> m.Name = "Invoke" && m.GetParameters().Length = n)
            |> Option.map (fun m -> [ for p in m.GetParameters() -> if isUserName p.Name then Some p.Name else None ])
            |> Option.defaultValue none

    let private rethrowInner (e: TargetInvocationException) : 'a =
        ExceptionDispatchInfo.Capture(e.InnerException).Throw()
        Unchecked.defaultof<'a>

    /// Applies the curried function `f` to `args` (any number, one at a time). A closure made by
    /// makeCurried is called through its untyped body: a function typed for arrays
    /// (`NDArray -> NDArray`) is then also callable on tensors, as transforms of it need.
    let apply (f: obj) (args: obj list) : obj =
        match made.TryGetValue f with
        | true, m when m.Arity = args.Length -> m.Impl args
        | _ ->
        args
        |> List.fold (fun (g: obj) a ->
            let invoke = g.GetType().GetMethods() |> Array.find (fun m -> m.Name = "Invoke" && m.GetParameters().Length = 1)
            try invoke.Invoke(g, [| a |]) with :? TargetInvocationException as e -> rethrowInner e) f

    /// Makes F# closures of a given type without reflection per call (a delegate made once per type).
    type Lambda =
        /// A closure `'A -> 'B` calling `f`.
        static member Make<'A, 'B>(f: Func<obj, obj>) : obj = box (fun (a: 'A) -> unbox<'B> (f.Invoke(box a)))

    let private factories = System.Collections.Concurrent.ConcurrentDictionary<Type, Func<Func<obj, obj>, obj>>()

    let private factory (t: Type) =
        factories.GetOrAdd(t, fun t ->
            let a, r = FSharpType.GetFunctionElements t
            typeof<Lambda>.GetMethod("Make", BindingFlags.Public ||| BindingFlags.NonPublic ||| BindingFlags.Static).MakeGenericMethod(a, r).CreateDelegate<Func<Func<obj, obj>, obj>>())

    /// A curried closure of F# type `funcType` taking `n` arguments and computing `impl args`. Where
    /// `funcType` runs out of arrows before `n`, the remaining levels are `obj -> obj`.
    let makeCurried (funcType: Type) (n: int) (names: string option list) (impl: obj list -> obj) : obj =
        let levels =
            let rec go (t: Type) k =
                if k = 0 then []
                else
                    let t = if FSharpType.IsFunction t then t else typeof<obj -> obj>
                    factory t :: go (snd (FSharpType.GetFunctionElements t)) (k - 1)
            go funcType n |> Array.ofList
        let rec level k (acc: obj list) : obj =
            levels.[k].Invoke(Func<obj, obj>(fun a ->
                let acc = a :: acc
                if k = n - 1 then impl (List.rev acc) else level (k + 1) acc))
        let f = level 0 []
        made.AddOrUpdate(f, Made(n, impl, names))
        f

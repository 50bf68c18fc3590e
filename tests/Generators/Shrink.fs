/// Shrinking of IR functions for failing properties: smaller programs that stay well typed.
/// Two moves, both type-preserving: keep only some results, and "cut" an equation (its outputs
/// become new parameters of the function, so everything that fed only it disappears). After each
/// move, dead equations are removed.
module ArrayLang.Tests.Generators.Shrink

open System.Collections.Generic
open ArrayLang.Ir

/// Removes equations none of whose outputs reach a result (sub-functions are kept whole).
let deadCodeElimination (f: Function) =
    let live = HashSet<Var>(HashIdentity.Reference)
    for r in f.Results do match r with :? Var as v -> live.Add v |> ignore | _ -> ()
    let kept = ResizeArray<Equation>()
    for e in Seq.rev f.Equations do
        if e.Outputs |> Seq.exists live.Contains then
            kept.Add e
            for a in e.Inputs do match a with :? Var as v -> live.Add v |> ignore | _ -> ()
    kept.Reverse()
    Function(f.Name, f.Params, f.ConstMask, kept, f.Results, f.ResultTypes)

/// `f` with only the results at `keep`.
let keepResults (f: Function) (keep: int list) =
    Function(f.Name, f.Params, f.ConstMask, f.Equations,
             keep |> List.map (fun i -> f.Results.[i]), keep |> List.map (fun i -> f.ResultTypes.[i]))
    |> deadCodeElimination

/// `f` with equation `k` removed and its outputs turned into new (last) parameters.
let cut (f: Function) (k: int) =
    let e = f.Equations.[k]
    let ps = Seq.append f.Params e.Outputs
    let mask = Seq.append f.ConstMask (Seq.replicate e.Outputs.Length false)
    let eqs = f.Equations |> Seq.indexed |> Seq.filter (fun (i, _) -> i <> k) |> Seq.map snd
    Function(f.Name, ps, mask, eqs, f.Results, f.ResultTypes) |> deadCodeElimination

/// Parameters no equation or result uses are removed; returns the function and the kept indices.
let dropUnusedParams (f: Function) =
    let used = HashSet<Var>(HashIdentity.Reference)
    for e in f.Equations do for a in e.Inputs do match a with :? Var as v -> used.Add v |> ignore | _ -> ()
    for r in f.Results do match r with :? Var as v -> used.Add v |> ignore | _ -> ()
    let keep = [ for i in 0 .. f.Params.Length - 1 do if used.Contains f.Params.[i] then yield i ]
    Function(f.Name, keep |> List.map (fun i -> f.Params.[i]), keep |> List.map (fun i -> f.ConstMask.[i]),
             f.Equations, f.Results, f.ResultTypes), keep

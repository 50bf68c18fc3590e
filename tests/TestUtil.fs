/// Helpers shared by the test files: building functions, random inputs, and the central check
/// "vmap f equals a loop of f" against the reference evaluator.
module ArrayLang.Tests.TestUtil

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Values
open ArrayLang.Reference
open ArrayLang.Transforms

/// An aval from a dtype and dimensions.
let aval (d: DType) (dims: int list) = AVal.Of(d, Array.ofList dims)

let f32 dims = aval DType.F32 dims
let f64 dims = aval DType.F64 dims
let i32 dims = aval DType.I32 dims
let boolT dims = aval DType.Bool dims

/// Builds a one-equation function `prim[params](params...)` over parameters of the given types;
/// `literals` places literal atoms at given operand positions instead of parameters.
let singleEquation (prim: ArrayLang.Primitives.Primitive) (ps: PrimParams) (argTypes: AVal list) =
    let b = FunctionBuilder()
    let args = argTypes |> List.map (fun t -> b.AddParam(t) :> Atom)
    let outs = b.Emit(prim, ps, ResizeArray args)
    b.Build("f", outs |> Seq.map (fun v -> v :> Atom) |> ResizeArray)

/// Random values for an aval: floats in [-3, 3], ints in [-10, 10], bools.
let randomArray (rng: Random) (t: AVal) =
    let a = NDArray.Zeros t
    for i in 0 .. a.Length - 1 do
        match t.DType with
        | DType.F32 | DType.F64 -> a.SetDouble(int64 i, Math.Round(rng.NextDouble() * 6.0 - 3.0, 3))
        | DType.I32 -> a.SetDouble(int64 i, float (rng.Next(-10, 11)))
        | _ -> a.SetDouble(int64 i, float (rng.Next 2))
    a

/// The batched type of a per-example aval with a batch axis of size b at `axis`.
let batchedType (t: AVal) (axis: int option) (b: int) =
    match axis with
    | Some ax -> t.WithShape(t.Shape.Insert((if ax < 0 then ax + t.Rank + 1 else ax), b))
    | None -> t

/// A possibly negative axis of a batched argument of per-example rank `rank`, made non-negative.
let normalizeAxis (rank: int) (axis: int option) =
    axis |> Option.map (fun a -> if a < 0 then a + rank + 1 else a)

/// Evaluates `f` per example (slicing every batched argument) and stacks along `outAxes`.
let loopOf (f: Function) (inAxes: int option list) (outAxes: int list) (b: int) (args: NDArray list) =
    let perExample =
        [ for i in 0 .. b - 1 ->
            let sliced = List.map2 (fun (x: NDArray) ax -> match ax with Some a -> ArrayOps.Index(x, a, i) | None -> x) args inAxes
            ReferenceEvaluator.Evaluate(f, ResizeArray sliced) ]
    [ for j in 0 .. f.Results.Length - 1 ->
        ArrayOps.Stack(ResizeArray [ for r in perExample -> r.[j] ], outAxes.[j], f.ResultTypes.[j]) ]

/// Asserts that vmap(f) with the given axes equals the loop on random inputs (exact for ints and
/// bools, 1e-5 relative for floats since the reference evaluator must agree with itself closely).
let checkVmapEqualsLoop (rng: Random) (f: Function) (inAxes: int option list) (b: int) =
    TypeChecker.Check f
    let axes = inAxes |> List.map Option.toNullable |> ResizeArray
    let batched = Vmap.Apply(f, b, axes)
    TypeChecker.Check batched
    let args = [ for p, ax in List.zip (List.ofSeq f.Params) inAxes -> randomArray rng (batchedType p.Type ax b) ]
    let normalized = List.map2 (fun (p: Var) ax -> normalizeAxis p.Type.Rank ax) (List.ofSeq f.Params) inAxes
    let expected = loopOf f normalized (List.replicate f.Results.Length 0) b args
    let actual = ReferenceEvaluator.Evaluate(batched, ResizeArray args)
    for j in 0 .. expected.Length - 1 do
        if not (ArrayOps.AllClose(actual.[j], expected.[j], 1e-5, 1e-6)) then
            failtestf "vmap = loop failed for result %d\nfunction:\n%O\nin_axes: %A, B = %d\nbatched:\n%O\ninputs:\n%s\nvmap:  %O\nloop:  %O"
                j f inAxes b batched (args |> List.map string |> String.concat "\n") actual.[j] expected.[j]

/// Asserts that two arrays are bitwise equal (dtype, shape and every bit).
let expectBitwise (actual: NDArray) (expected: NDArray) msg =
    if not (actual.BitwiseEquals expected) then failtestf "%s: expected %O, found %O" msg expected actual

/// Runs `f`, expecting it to throw an `'e`, and returns that exception.
let raises<'e when 'e :> exn> (f: unit -> unit) : 'e =
    let thrown = try f (); None with :? 'e as e -> Some e
    match thrown with
    | Some e -> e
    | None -> failtestf "expected a %s, but nothing was thrown" typeof<'e>.Name

/// Expects `f` to throw a TypeError whose message contains every fragment.
let expectTypeError (f: unit -> 'a) (fragments: string list) =
    let e = raises<TypeError> (fun () -> f () |> ignore)
    for s in fragments do Expect.stringContains e.Message s "the type error names the problem"

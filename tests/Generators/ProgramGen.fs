/// Random well-typed IR programs: the seed of the property suites. Every primitive of IR.md can
/// appear, control flow included (scan, cond and while with generated sub-functions), over varied
/// dtypes and shapes (size-0 dimensions too). Values are kept in range so that results are mostly
/// finite (NNSmith's lesson): each float variable carries a bound on its magnitude, and an operation
/// that could overflow or leave its domain first squashes its operand (tanh, abs + 1).
module ArrayLang.Tests.Generators.ProgramGen

open System
open System.Collections.Generic
open ArrayLang.Ir
open ArrayLang.Primitives

/// Sizes of generated programs.
type GenConfig =
    { MaxParams: int
      MaxEquations: int
      MaxRank: int
      MaxDim: int
      /// How deep control flow may nest (0: none).
      ControlFlowDepth: int }

    static member Default =
        { MaxParams = 3; MaxEquations = 8; MaxRank = 3; MaxDim = 4; ControlFlowDepth = 1 }

/// Magnitude bound assumed for generated float inputs and the int range of generated i32 inputs.
let inputFloatBound = 3.0
let inputIntBound = 10.0

let private pick (rng: Random) (xs: 'a list) = xs.[rng.Next xs.Length]
let private chance (rng: Random) p = rng.NextDouble() < p

let private isNumeric (t: AVal) = t.DType <> DType.Bool
let private isFloat (t: AVal) = t.DType = DType.F32 || t.DType = DType.F64

/// A random literal of a dtype, small and exactly representable.
let randomLiteral (rng: Random) (d: DType) =
    match d with
    | DType.F32 | DType.F64 -> Literal(d, float (rng.Next(-8, 9)) * 0.25)
    | DType.I32 -> Literal(d, float (rng.Next(-5, 6)))
    | _ -> Literal(d, float (rng.Next 2))

/// A random aval: mostly f32, some f64, i32 and bool; rank up to maxRank; dims 1..maxDim, rarely 0.
let randomAVal (rng: Random) (cfg: GenConfig) =
    let d =
        match rng.Next 20 with
        | n when n < 10 -> DType.F32
        | n when n < 13 -> DType.F64
        | n when n < 18 -> DType.I32
        | _ -> DType.Bool
    let rank = rng.Next(cfg.MaxRank + 1)
    let dims = Array.init rank (fun _ -> if chance rng 0.04 then 0 else rng.Next(1, cfg.MaxDim + 1))
    AVal(d, Shape dims)

/// One function scope being generated: its builder, the variables in scope and their bounds.
type private Scope(rng: Random, cfg: GenConfig, depth: int, builder: FunctionBuilder) =
    let pool = ResizeArray<Var>()
    let bounds = Dictionary<Var, float>(HashIdentity.Reference)

    member _.Rng = rng
    member _.Cfg = cfg
    member _.Depth = depth
    member _.Builder = builder
    member _.Pool = pool

    member _.Bound(a: Atom) =
        match a with
        | :? Literal as l -> abs l.Value
        | :? Var as v -> match bounds.TryGetValue v with | true, b -> b | _ -> inputFloatBound
        | _ -> inputFloatBound

    member _.Define(v: Var, bound: float) =
        pool.Add v
        bounds.[v] <- (if Double.IsNaN bound then Double.PositiveInfinity else bound)

    member s.Param(t: AVal) =
        let v = builder.AddParam t
        s.Define(v, (match t.DType with DType.I32 -> inputIntBound | DType.Bool -> 1.0 | _ -> inputFloatBound))
        v

    /// Emits one equation and defines its outputs with the given bound.
    member s.Emit(p: Primitive, ps: PrimParams, inputs: Atom list, ?subs: Function list, ?bound: float) =
        let outs = builder.Emit(p, ps, ResizeArray inputs, (match subs with Some l -> ResizeArray l | None -> ResizeArray()))
        let b = defaultArg bound inputFloatBound
        for v in outs do s.Define(v, b)
        List.ofSeq outs

    member s.Emit1(p, ps, inputs, ?bound) =
        match s.Emit(p, ps, inputs, bound = defaultArg bound inputFloatBound) with
        | [ v ] -> v
        | outs -> failwithf "%s gave %d results" (p.Name) outs.Length

    /// A random variable in scope satisfying `pred`, preferring recent ones (so most equations stay live).
    member _.Pick(pred: AVal -> bool) =
        let candidates = pool |> Seq.filter (fun v -> pred v.Type) |> List.ofSeq
        match candidates with
        | [] -> None
        | cs ->
            let n = cs.Length
            // Half of the time one of the three most recent, else uniform.
            let i = if chance rng 0.5 then max 0 (n - 1 - rng.Next(min 3 n)) else rng.Next n
            Some cs.[i]

    /// `x` squashed into [-1, 1] by tanh when it is a float whose bound exceeds `limit`.
    member s.Bounded(x: Var, limit: float) : Var =
        if isFloat x.Type && s.Bound x > limit then s.Emit1(Elementwise.Tanh, NoParams.Instance, [ x ], bound = 1.0) else x

    /// A float `x` made >= 1 (abs then add 1), for log, sqrt, rsqrt, pow's base and divisors.
    member s.AtLeastOne(x: Var) : Var =
        let a = s.Emit1(Elementwise.Abs, NoParams.Instance, [ s.Bounded(x, 1e6) ], bound = s.Bound x)
        s.Emit1(Elementwise.Add, NoParams.Instance, [ a; Literal(x.Type.DType, 1.0) ], bound = s.Bound a + 1.0)

/// A second operand for a binary op on `x`: a same-typed variable, `x` itself, or a literal.
let private secondOperand (s: Scope) (x: Var) : Atom =
    if chance s.Rng 0.25 then randomLiteral s.Rng x.Type.DType :> Atom
    else match s.Pick(fun t -> t = x.Type) with Some y -> y :> Atom | None -> x :> Atom

let private unaryNumeric = [ Elementwise.Neg; Elementwise.Abs; Elementwise.Sign ]

let private genUnary (s: Scope) =
    match s.Pick isNumeric with
    | None -> false
    | Some x ->
        let p = pick s.Rng unaryNumeric
        s.Emit1(p, NoParams.Instance, [ x ], bound = s.Bound x) |> ignore
        true

let private genUnaryFloat (s: Scope) =
    match s.Pick isFloat with
    | None -> false
    | Some x ->
        let ps = NoParams.Instance
        let b = s.Bound x
        match s.Rng.Next 15 with
        | 0 -> s.Emit1(Elementwise.Floor, ps, [ x ], bound = b + 1.0) |> ignore
        | 1 -> s.Emit1(Elementwise.Ceil, ps, [ x ], bound = b + 1.0) |> ignore
        | 2 -> s.Emit1(Elementwise.Round, ps, [ x ], bound = b + 1.0) |> ignore
        | 3 -> let y = s.Bounded(x, 5.0) in s.Emit1(Elementwise.Exp, ps, [ y ], bound = exp (s.Bound y)) |> ignore
        | 4 -> let y = s.AtLeastOne x in s.Emit1(Elementwise.Log, ps, [ y ], bound = log (s.Bound y) + 1.0) |> ignore
        | 5 ->
            let y = s.Emit1(Elementwise.Abs, ps, [ s.Bounded(x, 1e6) ], bound = b)
            s.Emit1(Elementwise.Log1p, ps, [ y ], bound = log (s.Bound y + 1.0) + 1.0) |> ignore
        | 6 -> let y = s.Bounded(x, 5.0) in s.Emit1(Elementwise.Expm1, ps, [ y ], bound = exp (s.Bound y)) |> ignore
        | 7 -> let y = s.AtLeastOne x in s.Emit1(Elementwise.Sqrt, ps, [ y ], bound = sqrt (s.Bound y)) |> ignore
        | 8 -> let y = s.AtLeastOne x in s.Emit1(Elementwise.Rsqrt, ps, [ y ], bound = 1.0) |> ignore
        | 9 -> s.Emit1(Elementwise.Sin, ps, [ x ], bound = 1.0) |> ignore
        | 10 -> s.Emit1(Elementwise.Cos, ps, [ x ], bound = 1.0) |> ignore
        | 11 -> let y = s.Bounded(x, 1.0) in s.Emit1(Elementwise.Tan, ps, [ y ], bound = 1.6) |> ignore
        | 12 -> s.Emit1(Elementwise.Tanh, ps, [ x ], bound = 1.0) |> ignore
        | 13 -> s.Emit1(Elementwise.Logistic, ps, [ x ], bound = 1.0) |> ignore
        | _ -> s.Emit1(Elementwise.Erf, ps, [ x ], bound = 1.0) |> ignore
        true

let private genBinary (s: Scope) =
    match s.Pick isNumeric with
    | None -> false
    | Some x0 ->
        let x = s.Bounded(x0, 1e3)
        let y = secondOperand s x
        let y = match y with :? Var as v -> s.Bounded(v, 1e3) :> Atom | l -> l
        let bx, by = s.Bound x, s.Bound y
        let ps = NoParams.Instance
        match s.Rng.Next 7 with
        | 0 -> s.Emit1(Elementwise.Add, ps, [ x; y ], bound = bx + by)
        | 1 -> s.Emit1(Elementwise.Sub, ps, [ x; y ], bound = bx + by)
        | 2 -> s.Emit1(Elementwise.Mul, ps, [ x; y ], bound = bx * by)
        | 3 | 4 ->
            // Float divisors are kept >= 1 in magnitude; integer division by zero is defined (0).
            let d = if isFloat x.Type then (match y with :? Var as v -> s.AtLeastOne v :> Atom | _ -> Literal(x.Type.DType, 1.5) :> Atom) else y
            let p = if s.Rng.Next 2 = 0 then Elementwise.Div else Elementwise.Rem
            s.Emit1(p, ps, [ x; d ], bound = bx)
        | 5 -> s.Emit1(Elementwise.Max, ps, [ x; y ], bound = max bx by)
        | _ -> s.Emit1(Elementwise.Min, ps, [ x; y ], bound = max bx by)
        |> ignore
        true

let private genBinaryFloat (s: Scope) =
    match s.Pick isFloat with
    | None -> false
    | Some x ->
        let y = match secondOperand s x with :? Var as v -> v | _ -> x
        if s.Rng.Next 2 = 0 then
            let b = s.AtLeastOne(s.Bounded(x, 3.0))
            let e = s.Emit1(Elementwise.Tanh, NoParams.Instance, [ y ], bound = 1.0)
            s.Emit1(Elementwise.Pow, NoParams.Instance, [ b; e ], bound = s.Bound b) |> ignore
        else
            s.Emit1(Elementwise.Atan2, NoParams.Instance, [ x; y ], bound = 3.2) |> ignore
        true

let private comparisons = [ Elementwise.Eq; Elementwise.Ne; Elementwise.Lt; Elementwise.Le; Elementwise.Gt; Elementwise.Ge ]

let private genCompare (s: Scope) =
    match s.Pick(fun _ -> true) with
    | None -> false
    | Some x ->
        s.Emit1(pick s.Rng comparisons, NoParams.Instance, [ x; secondOperand s x ], bound = 1.0) |> ignore
        true

let private genLogic (s: Scope) =
    match s.Pick(fun t -> t.DType = DType.Bool || t.DType = DType.I32) with
    | None -> false
    | Some x ->
        match s.Rng.Next 4 with
        | 0 -> s.Emit1(Elementwise.Not, NoParams.Instance, [ x ], bound = inputIntBound * 2.0)
        | k -> s.Emit1([ Elementwise.And; Elementwise.Or; Elementwise.Xor ].[k - 1], NoParams.Instance, [ x; secondOperand s x ], bound = 1e9)
        |> ignore
        true

let private genSelect (s: Scope) =
    match s.Pick(fun _ -> true) with
    | None -> false
    | Some x ->
        let pred =
            match s.Pick(fun t -> t.DType = DType.Bool && t.Shape = x.Type.Shape) with
            | Some p when chance s.Rng 0.7 -> p
            | _ ->
                let z = if x.Type.DType = DType.Bool then Literal.Of true else Literal(x.Type.DType, 0.0)
                s.Emit1(Elementwise.Gt, NoParams.Instance, [ x; z ], bound = 1.0)
        let other = secondOperand s x
        let args: Atom list = if chance s.Rng 0.5 then [ pred; x; other ] else [ pred; other; x ]
        s.Emit1(Elementwise.Select, NoParams.Instance, args, bound = max (s.Bound x) (s.Bound other)) |> ignore
        true

let private genConvert (s: Scope) =
    match s.Pick(fun _ -> true) with
    | None -> false
    | Some x ->
        let toD = pick s.Rng [ DType.F32; DType.F64; DType.I32; DType.Bool ]
        let b = if toD = DType.Bool then 1.0 else s.Bound x
        s.Emit1(Elementwise.Convert, ConvertParams toD, [ x ], bound = b) |> ignore
        true

let private genIsFinite (s: Scope) =
    match s.Pick isFloat with
    | None -> false
    | Some x -> s.Emit1(Elementwise.IsFinite, NoParams.Instance, [ x ], bound = 1.0) |> ignore; true

let private genBroadcast (s: Scope) =
    match s.Pick(fun t -> t.Rank < s.Cfg.MaxRank) with
    | None -> false
    | Some x ->
        let t = x.Type
        // Insert 1 or 2 new axes at random positions; expand size-1 axes now and then.
        let extra = 1 + s.Rng.Next(min 2 (s.Cfg.MaxRank - t.Rank))
        let rank = t.Rank + extra
        let newAxes = Seq.init rank id |> Seq.sortBy (fun _ -> s.Rng.Next()) |> Seq.take extra |> Set.ofSeq
        let dims = [| for i in 0 .. rank - 1 do if not (newAxes.Contains i) then yield i |]
        let shape = Array.init rank (fun i -> if newAxes.Contains i then s.Rng.Next(1, 4) else 0)
        dims |> Array.iteri (fun k d -> shape.[d] <- (if t.Shape.[k] = 1 && chance s.Rng 0.3 then s.Rng.Next(1, 4) else t.Shape.[k]))
        s.Emit1(ShapeOps.BroadcastInDim, BroadcastInDimParams(shape, dims), [ x ], bound = s.Bound x) |> ignore
        true

let private genReshape (s: Scope) =
    match s.Pick(fun _ -> true) with
    | None -> false
    | Some x ->
        let dims = x.Type.Shape.ToArray()
        let n = dims |> Array.fold (*) 1
        let target =
            match s.Rng.Next 4 with
            | 0 -> [| n |]
            | 1 -> Array.rev dims
            | 2 -> Array.append dims [| 1 |]
            | _ -> dims |> Array.filter (fun d -> d <> 1)
        let target = if n = 0 then dims else target
        s.Emit1(ShapeOps.Reshape, ReshapeParams target, [ x ], bound = s.Bound x) |> ignore
        true

let private genTranspose (s: Scope) =
    match s.Pick(fun t -> t.Rank >= 1) with
    | None -> false
    | Some x ->
        let perm = Array.init x.Type.Rank id |> Array.sortBy (fun _ -> s.Rng.Next())
        s.Emit1(ShapeOps.Transpose, TransposeParams perm, [ x ], bound = s.Bound x) |> ignore
        true

let private genSqueezeExpandRev (s: Scope) =
    match s.Pick(fun _ -> true) with
    | None -> false
    | Some x ->
        let t = x.Type
        let ones = [ for i in 0 .. t.Rank - 1 do if t.Shape.[i] = 1 then yield i ]
        match s.Rng.Next 3 with
        | 0 when not ones.IsEmpty ->
            let dims = ones |> List.filter (fun _ -> chance s.Rng 0.7)
            let dims = if dims.IsEmpty then [ ones.Head ] else dims
            s.Emit1(ShapeOps.Squeeze, SqueezeParams(Array.ofList dims), [ x ], bound = s.Bound x) |> ignore
        | 1 when t.Rank < s.Cfg.MaxRank ->
            s.Emit1(ShapeOps.ExpandDims, ExpandDimsParams [| s.Rng.Next(t.Rank + 1) |], [ x ], bound = s.Bound x) |> ignore
        | _ ->
            let dims = [| for i in 0 .. t.Rank - 1 do if chance s.Rng 0.5 then yield i |]
            s.Emit1(ShapeOps.Rev, RevParams dims, [ x ], bound = s.Bound x) |> ignore
        true

let private genIota (s: Scope) =
    let rank = 1 + s.Rng.Next(max 1 s.Cfg.MaxRank)
    let shape = Array.init rank (fun _ -> s.Rng.Next(1, s.Cfg.MaxDim + 1))
    let d = pick s.Rng [ DType.I32; DType.F32; DType.F64 ]
    s.Emit1(ShapeOps.Iota, IotaParams(shape, s.Rng.Next rank, d), [], bound = float (Array.max shape)) |> ignore
    true

let private genSlice (s: Scope) =
    match s.Pick(fun t -> t.Rank >= 1) with
    | None -> false
    | Some x ->
        let dims = x.Type.Shape.ToArray()
        let start = dims |> Array.map (fun d -> s.Rng.Next(d + 1))
        let limit = Array.map2 (fun (st: int) d -> st + s.Rng.Next(d - st + 1)) start dims
        let stride = dims |> Array.map (fun _ -> if chance s.Rng 0.3 then 2 else 1)
        s.Emit1(Slicing.Slice, SliceParams(start, limit, stride), [ x ], bound = s.Bound x) |> ignore
        true

/// A run-time index: an i32 scalar in scope, or a literal that may be out of range (it is clamped).
let private indexAtom (s: Scope) (dim: int) : Atom =
    match s.Pick(fun t -> t.DType = DType.I32 && t.Rank = 0) with
    | Some v when chance s.Rng 0.6 -> v :> Atom
    | _ -> Literal(DType.I32, float (s.Rng.Next(-2, dim + 3))) :> Atom

let private genDynamicSlice (s: Scope) =
    match s.Pick(fun t -> t.Rank >= 1) with
    | None -> false
    | Some x ->
        let dims = x.Type.Shape.ToArray()
        let sizes = dims |> Array.map (fun d -> s.Rng.Next(d + 1))
        let idx = dims |> Array.map (indexAtom s) |> List.ofArray
        s.Emit1(Slicing.DynamicSlice, DynamicSliceParams sizes, (x :> Atom) :: idx, bound = s.Bound x) |> ignore
        true

let private genDynamicUpdateSlice (s: Scope) =
    match s.Pick(fun t -> t.Rank >= 1) with
    | None -> false
    | Some x ->
        let dims = x.Type.Shape.ToArray()
        // The update: a same-typed variable that fits, else a slice of x with a unary op on it.
        let fits (t: AVal) = t.DType = x.Type.DType && t.Rank = x.Type.Rank && Seq.forall2 (<=) t.Shape dims
        let update =
            match s.Pick fits with
            | Some u when chance s.Rng 0.5 -> u
            | _ ->
                let sizes = dims |> Array.map (fun d -> s.Rng.Next(d + 1))
                let part = s.Emit1(Slicing.Slice, SliceParams(Array.zeroCreate dims.Length, sizes, Array.create dims.Length 1), [ x ], bound = s.Bound x)
                let p = if x.Type.DType = DType.Bool then Elementwise.Not else Elementwise.Neg
                s.Emit1(p, NoParams.Instance, [ part ], bound = s.Bound x)
        let idx = dims |> Array.map (indexAtom s) |> List.ofArray
        s.Emit1(Slicing.DynamicUpdateSlice, NoParams.Instance, (x :> Atom) :: (update :> Atom) :: idx, bound = max (s.Bound x) (s.Bound update)) |> ignore
        true

let private genConcatenate (s: Scope) =
    match s.Pick(fun t -> t.Rank >= 1) with
    | None -> false
    | Some x ->
        let axis = s.Rng.Next x.Type.Rank
        let fits (t: AVal) =
            t.DType = x.Type.DType && t.Rank = x.Type.Rank
            && Seq.forall (fun i -> i = axis || t.Shape.[i] = x.Type.Shape.[i]) (seq { 0 .. t.Rank - 1 })
        let others = [ for _ in 1 .. 1 + s.Rng.Next 2 -> match s.Pick fits with Some y -> y | None -> x ]
        let parts = x :: others |> List.sortBy (fun _ -> s.Rng.Next()) |> List.map (fun v -> v :> Atom)
        s.Emit1(Slicing.Concatenate, ConcatenateParams axis, parts, bound = (parts |> List.map s.Bound |> List.max)) |> ignore
        true

let private genPad (s: Scope) =
    match s.Pick(fun t -> t.Rank >= 1) with
    | None -> false
    | Some x ->
        let r = x.Type.Rank
        let low = Array.init r (fun _ -> s.Rng.Next 3)
        let high = Array.init r (fun _ -> s.Rng.Next 3)
        let v = randomLiteral s.Rng x.Type.DType
        s.Emit1(Slicing.Pad, PadParams(low, high), [ x; v ], bound = max (s.Bound x) (abs v.Value)) |> ignore
        true

let private genTake (s: Scope) =
    // Taking from an empty axis is a type error (no index can be clamped into it).
    match s.Pick(fun t -> t.Shape |> Seq.exists (fun d -> d > 0)) with
    | None -> false
    | Some x ->
        let axis = pick s.Rng [ for i in 0 .. x.Type.Rank - 1 do if x.Type.Shape.[i] > 0 then yield i ]
        let idx =
            match s.Pick(fun t -> t.DType = DType.I32 && t.Rank <= 2) with
            | Some i when chance s.Rng 0.7 -> i
            | _ -> s.Emit1(ShapeOps.Iota, IotaParams([| s.Rng.Next(0, 5) |], 0, DType.I32), [], bound = 5.0)
        s.Emit1(Slicing.Take, TakeParams axis, [ x; idx ], bound = s.Bound x) |> ignore
        true

let private randomAxes (s: Scope) (rank: int) =
    [| for i in 0 .. rank - 1 do if chance s.Rng 0.5 then yield i |]

let private genReduce (s: Scope) =
    match s.Pick isNumeric with
    | None -> false
    | Some x0 ->
        let axes = randomAxes s x0.Type.Rank
        let n = axes |> Array.fold (fun acc a -> acc * float x0.Type.Shape.[a]) 1.0
        match s.Rng.Next 4 with
        | 0 -> let x = s.Bounded(x0, 1e3) in s.Emit1(Reduction.ReduceSum, ReduceParams axes, [ x ], bound = s.Bound x * n)
        | 1 -> s.Emit1(Reduction.ReduceMax, ReduceParams axes, [ x0 ], bound = s.Bound x0)
        | 2 -> s.Emit1(Reduction.ReduceMin, ReduceParams axes, [ x0 ], bound = s.Bound x0)
        | _ ->
            // Products of many terms overflow: keep float factors in [-1, 1] (tanh).
            let x = s.Bounded(x0, 1.0)
            s.Emit1(Reduction.ReduceProd, ReduceParams axes, [ x ], bound = (if isFloat x.Type then 1.0 else 1e9))
        |> ignore
        true

let private genArg (s: Scope) =
    match s.Pick(fun t -> isNumeric t && t.Rank >= 1 && Seq.exists (fun d -> d > 0) t.Shape) with
    | None -> false
    | Some x ->
        let axes = [ for i in 0 .. x.Type.Rank - 1 do if x.Type.Shape.[i] > 0 then yield i ]
        let p = if s.Rng.Next 2 = 0 then Reduction.ArgMax else Reduction.ArgMin
        s.Emit1(p, ArgParams(pick s.Rng axes), [ x ], bound = float s.Cfg.MaxDim) |> ignore
        true

let private genCumulative (s: Scope) =
    match s.Pick(fun t -> isNumeric t && t.Rank >= 1) with
    | None -> false
    | Some x0 ->
        let x = s.Bounded(x0, 1e3)
        let axis = s.Rng.Next x.Type.Rank
        let reverse = chance s.Rng 0.3
        if s.Rng.Next 2 = 0 then
            s.Emit1(Reduction.CumSum, CumulativeParams(axis, reverse), [ x ], bound = s.Bound x * float x.Type.Shape.[axis])
        else
            s.Emit1(Reduction.CumMax, CumulativeParams(axis, reverse), [ x ], bound = s.Bound x)
        |> ignore
        true

let private genDotGeneral (s: Scope) =
    match s.Pick(fun t -> isNumeric t && t.Rank >= 1) with
    | None -> false
    | Some x0 ->
        let x = s.Bounded(x0, 1e2)
        let y =
            match s.Pick(fun t -> t.DType = x.Type.DType && t.Rank >= 1 && t.Rank + x.Type.Rank <= 5) with
            | Some y when chance s.Rng 0.7 -> s.Bounded(y, 1e2)
            | _ -> x
        let xs, ys = x.Type.Shape, y.Type.Shape
        // Pair equal-sized axes: some become contracted, at most one a batch pair.
        let pairs =
            [ for i in 0 .. xs.Rank - 1 do
                for j in 0 .. ys.Rank - 1 do
                    if xs.[i] = ys.[j] then yield (i, j) ]
            |> List.sortBy (fun _ -> s.Rng.Next())
        let chosen = ResizeArray<int * int>()
        for (i, j) in pairs do
            if chosen.Count < 2 && not (chosen |> Seq.exists (fun (a, b) -> a = i || b = j)) && chance s.Rng 0.7 then chosen.Add((i, j))
        let batch, contract =
            if chosen.Count = 2 && chance s.Rng 0.4 then [ chosen.[0] ], [ chosen.[1] ]
            elif chosen.Count >= 1 && chance s.Rng 0.2 then [ chosen.[0] ], (chosen |> Seq.skip 1 |> List.ofSeq)
            else [], List.ofSeq chosen
        let ps = DotGeneralParams(contract |> List.map fst |> Array.ofList, contract |> List.map snd |> Array.ofList,
                                  batch |> List.map fst |> Array.ofList, batch |> List.map snd |> Array.ofList)
        let n = contract |> List.fold (fun acc (i, _) -> acc * float xs.[i]) 1.0
        s.Emit1(Contraction.DotGeneral, ps, [ x; y ], bound = s.Bound x * s.Bound y * n) |> ignore
        true

/// A key i32[2] in scope, or one made from an i32 value (so a batched value gives batched keys).
let private keyFor (s: Scope) =
    match s.Pick(fun t -> t.DType = DType.I32 && t.Rank = 1 && t.Shape.[0] = 2) with
    | Some k when chance s.Rng 0.7 -> k
    | _ ->
        match s.Pick(fun t -> t.DType = DType.I32) with
        | Some v ->
            let scalar = s.Emit1(Reduction.ReduceSum, ReduceParams(Array.init v.Type.Rank id), [ v ], bound = 1e9)
            let pair = s.Emit1(ShapeOps.BroadcastInDim, BroadcastInDimParams([| 2 |], [||]), [ scalar ], bound = 1e9)
            let io = s.Emit1(ShapeOps.Iota, IotaParams([| 2 |], 0, DType.I32), [], bound = 2.0)
            s.Emit1(Elementwise.Add, NoParams.Instance, [ pair; io ], bound = 1e9)
        | None -> s.Emit1(ShapeOps.Iota, IotaParams([| 2 |], 0, DType.I32), [], bound = 2.0)

let private genRandom (s: Scope) =
    let key = keyFor s
    let shape = Array.init (s.Rng.Next 3) (fun _ -> s.Rng.Next(1, 4))
    match s.Rng.Next 3 with
    | 0 -> s.Emit1(Randomness.RandomBits, RandomBitsParams shape, [ key ], bound = 3e9)
    | 1 -> s.Emit1(Randomness.RandomSplit, RandomSplitParams(1 + s.Rng.Next 3), [ key ], bound = 3e9)
    | _ -> s.Emit1(Randomness.RandomUniform, RandomUniformParams(shape, pick s.Rng [ DType.F32; DType.F64 ]), [ key ], bound = 1.0)
    |> ignore
    true

// ---- control flow: sub-functions are generated by the same machinery, one level shallower ----

/// The latest variable of exactly type `t` in scope (a parameter of that type always exists where used).
let private latestOfType (s: Scope) (t: AVal) =
    s.Pool |> Seq.filter (fun v -> v.Type = t) |> Seq.last

let rec private genBody (rng: Random) (cfg: GenConfig) (depth: int) (paramTypes: AVal list) (paramBounds: float list)
                        (steps: int) (finish: Scope -> Var list -> Atom list) =
    let b = FunctionBuilder()
    let s = Scope(rng, cfg, depth, b)
    let ps = List.map2 (fun (t: AVal) bnd -> let v = b.AddParam t in s.Define(v, bnd); v) paramTypes paramBounds
    for _ in 1 .. steps do genStep s |> ignore
    let results = finish s ps
    b.Build("body", ResizeArray results)

/// A carry's new value: the latest same-typed variable, squashed when its bound grew (so loops stay finite).
and private carryResult (s: Scope) (t: AVal) : Atom =
    let v = latestOfType s t
    (if isFloat t && s.Bound v > inputFloatBound then s.Bounded(v, inputFloatBound) else v) :> Atom

and private genScan (s: Scope) =
    if s.Depth <= 0 then false else
    let carries = [ for _ in 1 .. 1 + s.Rng.Next 2 do match s.Pick(fun t -> t.Rank <= 1) with Some v -> yield v | None -> () ]
    if carries.IsEmpty then false else
    let consts = [ for _ in 1 .. s.Rng.Next 2 do match s.Pick(fun _ -> true) with Some v -> yield v | None -> () ]
    let xs = [ for _ in 1 .. s.Rng.Next 2 do match s.Pick(fun t -> t.Rank >= 1 && t.Rank <= 2) with Some v -> yield v | None -> () ]
    let length = match xs with x :: _ -> x.Type.Shape.[0] | [] -> s.Rng.Next 4
    let xs = xs |> List.filter (fun x -> x.Type.Shape.[0] = length)
    let xTypes = xs |> List.map (fun x -> x.Type.WithShape(x.Type.Shape.Remove 0))
    let carryTypes = carries |> List.map (fun c -> c.Type)
    let nY = s.Rng.Next 2
    let mutable yTypes = []
    let body =
        genBody s.Rng s.Cfg (s.Depth - 1)
            ((consts |> List.map (fun c -> c.Type)) @ carryTypes @ xTypes)
            ((consts |> List.map s.Bound) @ (carryTypes |> List.map (fun _ -> inputFloatBound)) @ (xs |> List.map s.Bound))
            (1 + s.Rng.Next 4)
            (fun bs _ ->
                let carryOut = carryTypes |> List.map (carryResult bs)
                let ys = [ for _ in 1 .. nY -> match bs.Pick(fun _ -> true) with Some v -> bs.Bounded(v, 1e3) :> Atom | None -> carryOut.Head ]
                yTypes <- ys |> List.map (fun a -> a.Type)
                carryOut @ ys)
    let ps = ScanParams(length, chance s.Rng 0.3, consts.Length, carries.Length)
    let inputs = (consts @ carries @ xs) |> List.map (fun v -> v :> Atom)
    s.Emit(ControlFlow.Scan, ps, inputs, subs = [ body ], bound = 1e3) |> ignore
    true

and private genCond (s: Scope) =
    if s.Depth <= 0 then false else
    let operands = [ for _ in 1 .. 1 + s.Rng.Next 2 do match s.Pick(fun _ -> true) with Some v -> yield v | None -> () ]
    if operands.IsEmpty then false else
    let index, branches =
        match s.Pick(fun t -> t.Rank = 0 && (t.DType = DType.I32 || t.DType = DType.Bool)) with
        | Some v when v.Type.DType = DType.Bool -> (v :> Atom), 2
        | Some v -> (v :> Atom), 2 + s.Rng.Next 2
        | None -> (Literal(DType.I32, float (s.Rng.Next(-1, 4))) :> Atom), 2 + s.Rng.Next 2
    let types = operands |> List.map (fun o -> o.Type)
    let resultTypes = [ for _ in 1 .. 1 + s.Rng.Next 2 -> pick s.Rng types ]
    let subs =
        [ for _ in 1 .. branches ->
            genBody s.Rng s.Cfg (s.Depth - 1) types (operands |> List.map s.Bound) (s.Rng.Next 4)
                (fun bs _ -> resultTypes |> List.map (carryResult bs)) ]
    s.Emit(ControlFlow.Cond, NoParams.Instance, index :: (operands |> List.map (fun v -> v :> Atom)), subs = subs, bound = inputFloatBound) |> ignore
    true

and private genWhile (s: Scope) =
    if s.Depth <= 0 then false else
    // A counting loop: carry (counter, others...), const limit in [0, 4] so it always ends.
    let limit: Atom =
        match s.Pick(fun t -> t.DType = DType.I32 && t.Rank = 0) with
        | Some v when chance s.Rng 0.7 ->
            let lo = s.Emit1(Elementwise.Max, NoParams.Instance, [ v; Literal(DType.I32, 0.0) ], bound = inputIntBound)
            s.Emit1(Elementwise.Min, NoParams.Instance, [ lo; Literal(DType.I32, 4.0) ], bound = 4.0) :> Atom
        | _ -> Literal(DType.I32, float (s.Rng.Next 4)) :> Atom
    let others = [ for _ in 1 .. s.Rng.Next 3 do match s.Pick(fun t -> t.Rank <= 1) with Some v -> yield v | None -> () ]
    let i32s = AVal.Scalar DType.I32
    let carryTypes = i32s :: (others |> List.map (fun v -> v.Type))
    let paramTypes = i32s :: carryTypes
    let condFn =
        let b = FunctionBuilder()
        let lim = b.AddParam(i32s, "limit")
        let ps = carryTypes |> List.map (fun t -> b.AddParam t)
        let p = b.Emit1(Elementwise.Lt, NoParams.Instance, ps.Head, lim)
        b.Build("cond_fn", ResizeArray [ p :> Atom ])
    let bodyFn =
        genBody s.Rng s.Cfg (s.Depth - 1) paramTypes (4.0 :: 4.0 :: (others |> List.map (fun _ -> inputFloatBound))) (s.Rng.Next 4)
            (fun bs ps ->
                let counter = bs.Emit1(Elementwise.Add, NoParams.Instance, [ ps.[1]; Literal(DType.I32, 1.0) ], bound = 5.0)
                (counter :> Atom) :: (others |> List.map (fun o -> carryResult bs o.Type)))
    let counter0 = Literal(DType.I32, 0.0) :> Atom
    let inputs = limit :: counter0 :: (others |> List.map (fun v -> v :> Atom))
    s.Emit(ControlFlow.While, WhileParams 1, inputs, subs = [ condFn; bodyFn ], bound = inputFloatBound) |> ignore
    true

/// One random equation (or a few, when operands need preparing); false when nothing fit.
and private genStep (s: Scope) : bool =
    let recipes: (Scope -> bool) list =
        [ genUnary; genUnaryFloat; genUnaryFloat; genBinary; genBinary; genBinaryFloat; genCompare; genLogic; genSelect
          genConvert; genIsFinite; genBroadcast; genReshape; genTranspose; genSqueezeExpandRev; genIota; genSlice
          genDynamicSlice; genDynamicUpdateSlice; genConcatenate; genPad; genTake; genReduce; genArg; genCumulative
          genDotGeneral; genDotGeneral; genRandom; genScan; genCond; genWhile ]
    (pick s.Rng recipes) s

/// A random well-typed function. Its results are 1-3 variables, mostly recent ones.
let generate (rng: Random) (cfg: GenConfig) : Function =
    let b = FunctionBuilder()
    let s = Scope(rng, cfg, cfg.ControlFlowDepth, b)
    for _ in 1 .. 1 + rng.Next cfg.MaxParams do s.Param(randomAVal rng cfg) |> ignore
    let steps = 1 + rng.Next cfg.MaxEquations
    let mutable emitted = 0
    let mutable tries = 0
    while emitted < steps && tries < steps * 4 do
        if genStep s then emitted <- emitted + 1
        tries <- tries + 1
    let nResults = 1 + rng.Next 3
    let results =
        [ for _ in 1 .. nResults ->
            if chance rng 0.04 then randomLiteral rng (randomAVal rng cfg).DType :> Atom
            else (s.Pick(fun _ -> true) |> Option.get) :> Atom ]
    let f = b.Build("f", ResizeArray results)
    TypeChecker.Check f
    f

/// Every primitive used by `f`, sub-functions included, with multiplicity.
let rec primitivesOf (f: Function) : string seq =
    seq {
        for e in f.Equations do
            yield e.Primitive.Name
            for sub in e.SubFunctions do yield! primitivesOf sub
    }

/// The op-record table (JAX's lax_vmap_op_test style): every primitive with params and operand
/// types per dtype it accepts. It drives the generated tests "<prim>/vmap = loop" (every
/// batch-axis placement of every operand, none included, for B = 0, 1, 3), "<prim>/no loop over
/// the batch", and the coverage test that fails when a primitive has no record or no rule.
module ArrayLang.Tests.Primitives.OpRecords

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Primitives
open ArrayLang.Transforms
open ArrayLang.Tests.TestUtil

/// One primitive application: params, operand types and sub-functions.
type OpRecord =
    { Prim: Primitive
      Params: PrimParams
      Operands: AVal list
      Subs: Function list }

    member r.Label = sprintf "%s %s" r.Prim.Name (r.Operands |> List.map string |> String.concat ",")

let private rec0 prim ps operands = { Prim = prim; Params = ps; Operands = operands; Subs = [] }
let private none = NoParams.Instance :> PrimParams
let private m (d: DType) = aval d [ 2; 3 ]
let private scalarOf (d: DType) = aval d []

/// A sub-function built with the builder: `body` maps the parameters to the results.
let private subFunction (name: string) (types: AVal list) (body: FunctionBuilder -> Var list -> Atom list) =
    let b = FunctionBuilder()
    let ps = types |> List.map (fun t -> b.AddParam t)
    b.Build(name, ResizeArray(body b ps))

let private emit1 (b: FunctionBuilder) p (args: Atom list) = b.Emit1(p, NoParams.Instance, Array.ofList args) :> Atom

let private elementwiseRecords =
    [ for p in Elementwise.All do
        match p with
        | :? UnaryOp as u -> for d in u.DTypes do yield rec0 p none [ m d ]
        | :? BinaryOp as b -> for d in b.DTypes do yield rec0 p none [ m d; m d ]
        | _ -> () ]
    @ [ for d in DTypes.All do
            for p in [ Elementwise.Eq; Elementwise.Ne; Elementwise.Lt; Elementwise.Le; Elementwise.Gt; Elementwise.Ge ] do
                yield rec0 p none [ m d; m d ]
            yield rec0 Elementwise.Select none [ m DType.Bool; m d; m d ]
            for t in DTypes.All do yield rec0 Elementwise.Convert (ConvertParams t) [ m d ] ]
    @ [ for d in DTypes.Floats -> rec0 Elementwise.IsFinite none [ m d ] ]

let private shapeRecords =
    [ for d in DTypes.All do
        yield rec0 ShapeOps.Transpose (TransposeParams [| 1; 0 |]) [ m d ]
        yield rec0 ShapeOps.BroadcastInDim (BroadcastInDimParams([| 4; 2; 3 |], [| 1; 2 |])) [ m d ]
        yield rec0 ShapeOps.BroadcastInDim (BroadcastInDimParams([| 2; 3 |], [| 1 |])) [ aval d [ 1 ] ]
        yield rec0 ShapeOps.Reshape (ReshapeParams [| 3; 2 |]) [ m d ]
        yield rec0 ShapeOps.Squeeze (SqueezeParams [| 1 |]) [ aval d [ 2; 1; 3 ] ]
        yield rec0 ShapeOps.ExpandDims (ExpandDimsParams [| 0; 3 |]) [ m d ]
        yield rec0 ShapeOps.Rev (RevParams [| 1 |]) [ m d ] ]
    @ [ for d in DTypes.Numeric -> rec0 ShapeOps.Iota (IotaParams([| 2; 3 |], 1, d)) [] ]

let private slicingRecords =
    [ for d in DTypes.All do
        let i = scalarOf DType.I32
        yield rec0 Slicing.Slice (SliceParams([| 0; 1 |], [| 2; 3 |], [| 1; 2 |])) [ m d ]
        yield rec0 Slicing.DynamicSlice (DynamicSliceParams [| 1; 2 |]) [ m d; i; i ]
        yield rec0 Slicing.DynamicUpdateSlice none [ m d; aval d [ 1; 2 ]; i; i ]
        yield rec0 Slicing.Concatenate (ConcatenateParams 1) [ m d; aval d [ 2; 1 ] ]
        yield rec0 Slicing.Pad (PadParams([| 1; 0 |], [| 0; 2 |])) [ m d; scalarOf d ]
        yield rec0 Slicing.Take (TakeParams 1) [ m d; aval DType.I32 [ 4 ] ] ]

let private reductionRecords =
    [ for d in DTypes.Numeric do
        for p in [ Reduction.ReduceSum; Reduction.ReduceMax; Reduction.ReduceMin; Reduction.ReduceProd ] do
            yield rec0 p (ReduceParams [| 1 |]) [ m d ]
            yield rec0 p (ReduceParams [| 0; 1 |]) [ m d ]
        for p in [ Reduction.ArgMax; Reduction.ArgMin ] do yield rec0 p (ArgParams 0) [ m d ]
        for p in [ Reduction.CumSum; Reduction.CumMax ] do
            yield rec0 p (CumulativeParams(1, false)) [ m d ]
            yield rec0 p (CumulativeParams(0, true)) [ m d ]
        yield rec0 Contraction.DotGeneral (DotGeneralParams([| 1 |], [| 0 |], [||], [||])) [ m d; aval d [ 3 ] ]
        yield rec0 Contraction.DotGeneral (DotGeneralParams([| 1 |], [| 1 |], [| 0 |], [| 0 |])) [ m d; m d ] ]

let private randomRecords =
    let key = aval DType.I32 [ 2 ]
    [ rec0 Randomness.RandomBits (RandomBitsParams [| 3 |]) [ key ]
      rec0 Randomness.RandomSplit (RandomSplitParams 3) [ key ]
      rec0 Randomness.RandomUniform (RandomUniformParams([| 2 |], DType.F32)) [ key ]
      rec0 Randomness.RandomUniform (RandomUniformParams([| 2 |], DType.F64)) [ key ] ]

let private controlFlowRecords =
    let f = aval DType.F32 []
    let v = aval DType.F32 [ 3 ]
    let i = aval DType.I32 []
    // scan: h' = tanh(a*h + x), y = h'; consts a, carry h, xs of length 4.
    let scanBody =
        subFunction "body" [ f; f; f ] (fun b ps ->
            let t = emit1 b Elementwise.Mul [ ps.[0]; ps.[1] ]
            let u = emit1 b Elementwise.Add [ t; ps.[2] ]
            let h = emit1 b Elementwise.Tanh [ u ]
            [ h; h ])
    let branch0 = subFunction "branch_0" [ v; f ] (fun b ps -> [ emit1 b Elementwise.Neg [ ps.[0] ] ])
    let branch1 =
        subFunction "branch_1" [ v; f ] (fun b ps ->
            let s = b.Emit1(ShapeOps.BroadcastInDim, BroadcastInDimParams([| 3 |], [||]), ps.[1])
            [ emit1 b Elementwise.Mul [ ps.[0]; s ] ])
    let branch2 = subFunction "branch_2" [ v; f ] (fun _ ps -> [ ps.[0] ])
    // while: (limit; counter, acc) -> counter < limit; (counter + 1, acc * 0.5 + 1)
    let condFn = subFunction "cond_fn" [ i; i; v ] (fun b ps -> [ emit1 b Elementwise.Lt [ ps.[1]; ps.[0] ] ])
    let bodyFn =
        subFunction "body_fn" [ i; i; v ] (fun b ps ->
            let c = emit1 b Elementwise.Add [ ps.[1]; Literal(DType.I32, 1.0) ]
            let h = emit1 b Elementwise.Mul [ ps.[2]; Literal(DType.F32, 0.5) ]
            [ c; emit1 b Elementwise.Add [ h; Literal(DType.F32, 1.0) ] ])
    [ { Prim = ControlFlow.Scan; Params = ScanParams(4, false, 1, 1); Operands = [ f; f; aval DType.F32 [ 4 ] ]; Subs = [ scanBody ] }
      { Prim = ControlFlow.Scan; Params = ScanParams(4, true, 1, 1); Operands = [ f; f; aval DType.F32 [ 4 ] ]; Subs = [ scanBody ] }
      { Prim = ControlFlow.Cond; Params = none; Operands = [ i; v; f ]; Subs = [ branch0; branch1; branch2 ] }
      { Prim = ControlFlow.Cond; Params = none; Operands = [ aval DType.Bool []; v; f ]; Subs = [ branch0; branch1 ] }
      { Prim = ControlFlow.While; Params = WhileParams 1; Operands = [ i; i; v ]; Subs = [ condFn; bodyFn ] } ]

/// Every op record.
let all =
    elementwiseRecords @ shapeRecords @ slicingRecords @ reductionRecords @ randomRecords @ controlFlowRecords

/// The one-equation function of a record.
let functionOf (r: OpRecord) =
    let b = FunctionBuilder()
    let args = r.Operands |> List.map (fun t -> b.AddParam t :> Atom)
    let outs = b.Emit(r.Prim, r.Params, ResizeArray args, ResizeArray r.Subs)
    b.Build(r.Prim.Name, outs |> Seq.map (fun v -> v :> Atom) |> ResizeArray)

/// Every batch placement of every operand: None, or each axis of its batched form.
let placements (operands: AVal list) =
    operands
    |> List.map (fun t -> None :: [ for a in 0 .. t.Rank -> Some a ])
    |> List.fold (fun acc choices -> [ for prefix in acc do for c in choices -> prefix @ [ c ] ]) [ [] ]

/// How many scan and while equations a function holds, sub-functions included.
let rec loopCount (f: Function) : int =
    f.Equations
    |> Seq.sumBy (fun e ->
        (if e.Primitive = (ControlFlow.Scan :> Primitive) || e.Primitive = (ControlFlow.While :> Primitive) then 1 else 0)
        + (e.SubFunctions |> Seq.sumBy loopCount))

[<Tests>]
let tests =
    let byPrim = all |> List.groupBy (fun r -> r.Prim.Name)
    testList "op records" [
        for name, records in byPrim do
            test (sprintf "%s/vmap = loop" name) {
                let rng = Random 7
                for r in records do
                    let f = functionOf r
                    for axes in placements r.Operands do
                        for b in [ 0; 1; 3 ] do
                            checkVmapEqualsLoop rng f axes b
            }
            test (sprintf "%s/no loop over the batch" name) {
                for r in records do
                    let f = functionOf r
                    for axes in placements r.Operands do
                        let batched = Vmap.Apply(f, 3, axes |> List.map Option.toNullable |> ResizeArray)
                        if loopCount batched > loopCount f then
                            failtestf "the batching rule of %s loops over the batch for in_axes %A:\n%O" name axes batched
            }
        test "params/equal when their written forms are equal" {
            for r in all do
                let again = r.Prim.ReadParams(ParamReader(r.Prim.Name, r.Params.ToKeyValues()))
                Expect.equal again r.Params (sprintf "%s params read back from their own text" r.Prim.Name)
                Expect.equal (again.GetHashCode()) (r.Params.GetHashCode()) (sprintf "%s params hash" r.Prim.Name)
        }
        test "coverage/every primitive has an op record and a batching rule" {
            let recorded = all |> List.map (fun r -> r.Prim.Name) |> Set.ofList
            for p in PrimitiveRegistry.Primitives.All |> Seq.filter (fun p -> not (p :? CustomPrimitive)) do
                Expect.isTrue (recorded.Contains p.Name) (sprintf "primitive %s has no op record" p.Name)
                Expect.isTrue (PrimitiveRegistry.Batching.Contains p) (sprintf "primitive %s has no batching rule" p.Name)
        }
        test "coverage/every primitive of IR.md is registered" {
            let irMd =
                [ "neg"; "abs"; "sign"; "floor"; "ceil"; "round"; "exp"; "log"; "log1p"; "expm1"; "sqrt"; "rsqrt"; "sin"
                  "cos"; "tan"; "tanh"; "logistic"; "erf"; "is_finite"; "not"; "and"; "or"; "xor"; "add"; "sub"; "mul"
                  "div"; "rem"; "max"; "min"; "pow"; "atan2"; "eq"; "ne"; "lt"; "le"; "gt"; "ge"; "select"; "convert"
                  "broadcast_in_dim"; "reshape"; "transpose"; "squeeze"; "expand_dims"; "rev"; "slice"; "dynamic_slice"
                  "dynamic_update_slice"; "concatenate"; "pad"; "take"; "iota"; "reduce_sum"; "reduce_max"; "reduce_min"
                  "reduce_prod"; "argmax"; "argmin"; "cumsum"; "cummax"; "dot_general"; "scan"; "cond"; "while"
                  "random_bits"; "random_split"; "random_uniform" ]
            for name in irMd do
                Expect.isTrue (fst (PrimitiveRegistry.Primitives.TryGet name)) (sprintf "IR.md's primitive %s is not registered" name)
            let builtIn = PrimitiveRegistry.Primitives.All |> Seq.filter (fun p -> not (p :? CustomPrimitive)) |> Seq.length
            Expect.equal builtIn irMd.Length "no built-in primitive beyond IR.md's table"
        }
    ]

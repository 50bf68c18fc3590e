/// Lowering: the kernels a function becomes (fusion of elementwise chains with the views feeding
/// them and the reductions they feed, contraction epilogues, in-kernel scan loops, one kernel per
/// equation without fusion) and the buffer plan (liveness-based reuse, peak bytes).
module ArrayLang.Tests.Compile.LoweringTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Transforms
open ArrayLang.Compile.Lowering
open ArrayLang.Tests.Generators

let parse (text: string) = IrParser.ParseFunction(text)

let fused (f: Function) = Lowering.Lower(f, LoweringOptions(Fuse = true))
let unfused (f: Function) = Lowering.Lower(f, LoweringOptions(Fuse = false))

let kinds (p: LoweredProgram) = p.Kernels |> Seq.map (fun k -> k.KindName) |> List.ofSeq

let vmapAll (f: Function) (b: int) (axes: int option list) =
    Vmap.Apply(f, b, axes |> List.map Option.toNullable |> ResizeArray)

let w1 = parse "func f(x: f32[], y: f32[]) -> (f32[]) { a: f32[] = mul(x, y)  b: f32[] = sin(x)  c: f32[] = add(a, b)  return (c) }"

let w3 =
    parse """func f(w: f32[256,256], b: f32[256], x: f32[256]) -> (f32[256]) {
      a: f32[256] = dot_general[contract=([1],[0]), batch=([],[])](w, x)  c: f32[256] = add(a, b)  d: f32[256] = tanh(c)  return (d) }"""

let w4 =
    parse """func f(x: f32[512]) -> (f32[512]) {
      a: f32[512,512] = broadcast_in_dim[shape=[512,512], dims=[0]](x)  b: f32[512,512] = broadcast_in_dim[shape=[512,512], dims=[1]](x)
      c: f32[512,512] = mul(a, b)  d: f32[512,512] = mul(c, 0.5)  e: f32[512] = reduce_sum[axes=[1]](d)  return (e) }"""

let w5 =
    parse """func f(h: f32[], a: f32[], x: f32[1000]) -> (f32[]) {
      r: f32[] = scan[length=1000, reverse=false, consts=1, carries=1](a, h, x) {
        func body(a: f32[], h: f32[], x: f32[]) -> (f32[]) { t: f32[] = mul(a, h)  u: f32[] = add(t, x)  v: f32[] = tanh(u)  return (v) } }
      return (r) }"""

/// Every pair of intermediates whose live ranges overlap occupies disjoint bytes of the arena.
let checkPlan (p: LoweredProgram) =
    let n = p.Buffers.Length
    let first = Array.create n Int32.MaxValue
    let last = Array.create n -1
    p.Kernels |> Seq.iteri (fun k kernel ->
        for b in Seq.append kernel.Reads kernel.Writes do
            first.[b] <- min first.[b] k
            last.[b] <- max last.[b] k)
    let inter = p.Intermediates |> List.ofSeq
    for a in inter do
        let oa = p.Plan.Offsets.[a.Id]
        Expect.isGreaterThanOrEqual oa 0L "an intermediate has an arena offset"
        Expect.isLessThanOrEqual (oa + a.Bytes) p.Plan.ArenaBytes "an intermediate fits the arena"
        for b in inter do
            if a.Id < b.Id && first.[a.Id] <= last.[b.Id] && first.[b.Id] <= last.[a.Id] then
                let ob = p.Plan.Offsets.[b.Id]
                if oa < ob + b.Bytes && ob < oa + a.Bytes then
                    failtestf "b%d and b%d are live together but overlap in the arena\n%O" a.Id b.Id p

[<Tests>]
let tests =
    testList "lowering" [
        test "W1 fuses into one elementwise kernel; unfused it is one kernel per equation" {
            let batched = vmapAll w1 1000 [ Some 0; Some 0 ]
            let p = fused batched
            Expect.equal (kinds p) [ "elementwise" ] "one kernel"
            let k = p.Kernels.[0] :?> ElementwiseKernel
            Expect.equal k.Instructions.Length 3 "mul, sin, add"
            Expect.equal p.Plan.ArenaBytes 0L "no intermediate buffer"
            Expect.equal (kinds (unfused batched)) [ "elementwise"; "elementwise"; "elementwise" ] "three kernels"
            Expect.stringContains (string p) "%1 = sin(in0) : f32" "the printed kernel shows its instructions"
        }
        test "views fold into index maps: transpose and broadcast feed a fused kernel without copies" {
            let f =
                parse """func f(x: f32[3,4], b: f32[3]) -> (f32[4,3]) {
                  t: f32[4,3] = transpose[perm=[1,0]](x)  c: f32[4,3] = broadcast_in_dim[shape=[4,3], dims=[1]](b)
                  r: f32[4,3] = rev[dims=[0]](t)  s: f32[4,3] = add(r, c)  u: f32[4,3] = mul(s, 2.0)  return (u) }"""
            let p = fused f
            Expect.equal (kinds p) [ "elementwise" ] "one kernel, no copy of the views"
            let k = p.Kernels.[0] :?> ElementwiseKernel
            let maps = k.Inputs |> Seq.map (fun i -> i.Map.Offset, List.ofSeq i.Map.Strides) |> Set.ofSeq
            Expect.equal maps (set [ (3L, [ -1L; 4L ]); (0L, [ 0L; 1L ]) ]) "rev of transpose reads x backwards by column; b is broadcast along rows"
        }
        test "a chain feeding a reduction is one kernel, and W4's outer product is never built" {
            let batched = vmapAll w4 1024 [ Some 0 ]
            let p = fused batched
            Expect.equal (kinds p) [ "elementwise" ] "broadcasts, products and the sum in one kernel"
            let k = p.Kernels.[0] :?> ElementwiseKernel
            Expect.equal (List.ofSeq k.ReduceAxes) [ 2 ] "reduces the inner axis"
            Expect.equal k.Reductions.Length 1 "one reduction output"
            Expect.equal p.Plan.PeakBytes (1024L * 512L * 4L) "only the result is allocated (no 1 GiB intermediate)"
            Expect.isGreaterThan (unfused batched).Plan.PeakBytes (1024L * 512L * 512L * 4L) "without fusion the outer product exists"
        }
        test "vmap of a matrix-vector product is one contraction with the bias and tanh as its epilogue" {
            let p = fused (vmapAll w3 4096 [ None; None; Some 0 ])
            Expect.equal (kinds p) [ "contraction" ] "one kernel"
            let k = p.Kernels.[0] :?> ContractionKernel
            Expect.equal (k.Instructions |> Seq.map (fun i -> i.Primitive.Name) |> List.ofSeq) [ "add"; "tanh" ] "epilogue"
        }
        test "vmap of an elementwise scan runs the time loop in one scan kernel, reading xs through its view" {
            let p = fused (vmapAll w5 64 [ Some 0; Some 0; Some 0 ])
            Expect.equal (kinds p) [ "scan" ] "no copy of xs, no kernel per step"
            let k = p.Kernels.[0] :?> ScanKernel
            Expect.equal k.LaneShape (Shape [| 64 |]) "the batch is the lane axis"
            Expect.equal (List.ofSeq k.Operands.[2].Map.Strides) [ 1L; 1000L ] "xs read transposed: time stride 1, lane stride 1000"
            let u = unfused (vmapAll w5 64 [ Some 0; Some 0; Some 0 ])
            Expect.contains (kinds u) "primitive" "without fusion the scan runs its body as a sub-program per step"
        }
        test "vmap of a scan with stacked ys writes them through the inverse transpose into the result" {
            let f =
                parse """func f(s: f32[], z: f32[20]) -> (f32[20]) {
                  c: f32[], ys: f32[20] = scan[length=20, reverse=false, consts=0, carries=1](s, z) {
                    func body(s: f32[], z: f32[]) -> (f32[], f32[]) { e: f32[] = exp(z)  n: f32[] = mul(s, e)  return (n, n) } }
                  return (ys) }"""
            let p = fused (vmapAll f 64 [ Some 0; Some 0 ])
            Expect.equal (kinds p) [ "scan" ] "no transpose copy after the scan"
            let k = p.Kernels.[0] :?> ScanKernel
            let ys = k.Results.[1]
            Expect.equal ys.Buffer p.Outputs.[0] "ys go straight to the output buffer"
            Expect.equal (List.ofSeq ys.Map.Strides) [ 1L; 20L ] "time stride 1, lane stride 20: the batch-first layout"
            Expect.isLessThan p.Plan.PeakBytes (2L * 64L * 20L * 4L) "no second copy of the ys at the peak"
        }
        test "a scan whose body is not elementwise is a primitive kernel with a lowered body" {
            let f =
                parse """func f(h: f32[3], x: f32[5,3]) -> (f32[3]) {
                  r: f32[3] = scan[length=5, consts=0, carries=1](h, x) {
                    func body(h: f32[3], x: f32[3]) -> (f32[3]) { a: f32[3] = rev[dims=[0]](h)  b: f32[3] = add(a, x)  return (b) } }
                  return (r) }"""
            let p = fused f
            Expect.equal (kinds p) [ "primitive" ] "general scan"
            let k = p.Kernels.[0] :?> PrimitiveKernel
            Expect.equal k.SubPrograms.Length 1 "the body is a sub-program"
            Expect.equal (kinds k.SubPrograms.[0]) [ "elementwise" ] "its rev and add fuse"
        }
        test "vmap of a while with a per-lane predicate is a lane-parallel while kernel" {
            let f =
                parse """func f(x: f32[], t: f32[]) -> (f32[], i32[]) {
                  r: f32[], n: i32[] = while[consts=1](t, x, 0) {
                    func c(t: f32[], x: f32[], n: i32[]) -> (bool[]) { a: f32[] = abs(x)  b: bool[] = gt(a, t)  return (b) }
                    func b(t: f32[], x: f32[], n: i32[]) -> (f32[], i32[]) { y: f32[] = mul(x, 0.5)  m: i32[] = add(n, 1)  return (y, m) }
                  }
                  return (r, n) }"""
            let batched = ArrayLang.Compile.Passes.Pipeline.Standard.Run(vmapAll f 8 [ Some 0; Some 0 ])
            let p = fused batched
            Expect.contains (kinds p) "while" "a lane-parallel while kernel"
            let k = p.Kernels |> Seq.pick (function :? WhileKernel as w -> Some w | _ -> None)
            Expect.equal k.LaneShape (Shape [| 8 |]) "the batch is the lane axis"
            Expect.equal (k.CondInstructions |> Seq.map (fun i -> i.Primitive.Name) |> List.ofSeq) [ "abs"; "gt" ] "the per-lane predicate"
            Expect.contains (kinds (unfused batched)) "primitive" "without fusion it runs its sub-programs"
        }
        test "a value used after a kernel boundary is written once and read from its buffer" {
            let f =
                parse """func f(x: f32[8], i: i32[]) -> (f32[8], f32[2]) {
                  a: f32[8] = exp(x)  b: f32[8] = mul(a, 2.0)  c: f32[2] = dynamic_slice[sizes=[2]](a, i)  return (b, c) }"""
            let p = fused f
            Expect.equal (kinds p) [ "elementwise"; "primitive"; ] "exp and mul in one kernel, then the slice"
            let k = p.Kernels.[0] :?> ElementwiseKernel
            Expect.equal k.Outputs.Length 2 "writes a (for the slice) and b (a result)"
        }
        test "buffer plan: an unfused chain reuses intermediate buffers, and peak bytes are known" {
            let f =
                parse """func f(x: f32[1000]) -> (f32[1000]) {
                  a: f32[1000] = exp(x)  b: f32[1000] = mul(a, 2.0)  c: f32[1000] = add(b, 1.0)  d: f32[1000] = sin(c)
                  e: f32[1000] = neg(d)  return (e) }"""
            let p = unfused f
            Expect.equal p.Plan.IntermediateBytes (4L * 4032L) "four intermediates of 4000 bytes (aligned to 64)"
            Expect.equal p.Plan.ArenaBytes (2L * 4032L) "two live at a time"
            Expect.equal p.Plan.PeakBytes (2L * 4032L + 4000L) "arena plus the result"
            checkPlan p
        }
        test "buffer plan: live intermediates never overlap, on random programs fused and unfused" {
            let rng = Random 5
            for _ in 1 .. 300 do
                let f = ProgramGen.generate rng { ProgramGen.GenConfig.Default with MaxEquations = 12 }
                checkPlan (fused f)
                checkPlan (unfused f)
        }
    ]

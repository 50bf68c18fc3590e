/// The simplifier on its own (read after DCE, which drops what it leaves dead): IR text before
/// and expected after, with the reference evaluator's results the same on ordinary and special
/// values (bit for bit), or within a reassociation's error where a sum is factored.
module ArrayLang.Tests.Compile.SimplifyTests

open System
open Expecto
open ArrayLang.Ir
open ArrayLang.Transforms
open ArrayLang.Compile.Passes
open ArrayLang.Tests.Compile.PassesTests

/// The simplifier leaves dead equations to DCE; its tests read its output after DCE.
let private thenDce (p: Pass) = Pass(p.Name + "; dce", p.Description, fun f -> CorePasses.Dce.Apply(p.Apply f))
let private simplify = thenDce CorePasses.Simplify
let private noFactoring = thenDce (CorePasses.SimplifyWith(SimplifyOptions(FactorReductions = false)))

let simplifyIdentityTests =
    testList "simplify/identities" [
        test "x + (-0.0), x - 0.0, x * 1, x / 1 are x; -0.0 - x is -x" {
            expectRewrite simplify
                """func f(x: f32[3]) -> (f32[3], f32[3], f32[3], f32[3], f32[3]) {
                     a: f32[3] = add(x, -0.0)
                     b: f32[3] = sub(x, 0.0)
                     c: f32[3] = mul(1.0, x)
                     d: f32[3] = div(x, 1.0)
                     e: f32[3] = sub(-0.0, x)
                     return (a, b, c, d, e) }"""
                """func f(x: f32[3]) -> (f32[3], f32[3], f32[3], f32[3], f32[3]) {
                     e: f32[3] = neg(x)
                     return (x, x, x, x, e) }"""
        }
        test "float traps stay: x + 0.0, x - (-0.0), x * 0.0, x - x, 0.0 - x, x == x" {
            expectUnchanged simplify
                """func f(x: f32[3]) -> (f32[3], f32[3], f32[3], f32[3], f32[3], bool[3], bool[3]) {
                     a: f32[3] = add(x, 0.0)
                     b: f32[3] = sub(x, -0.0)
                     c: f32[3] = mul(x, 0.0)
                     d: f32[3] = sub(x, x)
                     e: f32[3] = sub(0.0, x)
                     g: bool[3] = eq(x, x)
                     h: bool[3] = ne(x, x)
                     return (a, b, c, d, e, g, h) }"""
        }
        test "i32 ring identities: x + 0, x * 0, x - x, x / -1, x == x" {
            expectRewrite simplify
                """func f(x: i32[3]) -> (i32[3], i32[3], i32[3], i32[3], bool[3]) {
                     a: i32[3] = add(0, x)
                     b: i32[3] = mul(x, 0)
                     c: i32[3] = sub(x, x)
                     d: i32[3] = div(x, -1)
                     e: bool[3] = le(x, x)
                     return (a, b, c, d, e) }"""
                """func f(x: i32[3]) -> (i32[3], i32[3], i32[3], i32[3], bool[3]) {
                     z: i32[3] = broadcast_in_dim[shape=[3], dims=[]](0)
                     d: i32[3] = neg(x)
                     t: bool[3] = broadcast_in_dim[shape=[3], dims=[]](true)
                     return (x, z, z, d, t) }"""
        }
        test "neg(neg x), not(not p), abs(neg x), max(x, x), min(x, inf), pow(x, 1), select with a known predicate" {
            expectRewrite simplify
                """func f(x: f32[3], p: bool[3], y: f32[3]) -> (f32[3], bool[3], f32[3], f32[3], f32[3], f32[3], f32[3], f32[3]) {
                     a: f32[3] = neg(x)
                     b: f32[3] = neg(a)
                     c: bool[3] = not(p)
                     d: bool[3] = not(c)
                     e: f32[3] = abs(a)
                     g: f32[3] = max(x, x)
                     h: f32[3] = min(inf, x)
                     k: f32[3] = pow(x, 1.0)
                     m: f32[3] = select(true, x, y)
                     n: f32[3] = select(c, x, y)
                     return (b, d, e, g, h, k, m, n) }"""
                """func f(x: f32[3], p: bool[3], y: f32[3]) -> (f32[3], bool[3], f32[3], f32[3], f32[3], f32[3], f32[3], f32[3]) {
                     e: f32[3] = abs(x)
                     n: f32[3] = select(p, y, x)
                     return (x, p, e, x, x, x, x, n) }"""
        }
        test "max(x, inf) and min(x, -inf) stay for floats (NaN propagates)" {
            expectUnchanged simplify
                """func f(x: f32[3]) -> (f32[3], f32[3]) {
                     a: f32[3] = max(x, inf)
                     b: f32[3] = min(x, -inf)
                     return (a, b) }"""
        }
        test "convert to the same dtype, and through a dtype that holds every value" {
            expectRewrite simplify
                """func f(x: f32[3], i: i32[3]) -> (f32[3], f32[3], i32[3], f32[3]) {
                     a: f32[3] = convert[to=f32](x)
                     b: f64[3] = convert[to=f64](x)
                     c: f32[3] = convert[to=f32](b)
                     d: f64[3] = convert[to=f64](i)
                     e: i32[3] = convert[to=i32](d)
                     g: f32[3] = convert[to=f32](i)
                     h: i32[3] = convert[to=i32](g)
                     k: f32[3] = convert[to=f32](h)
                     return (a, c, e, k) }"""
                """func f(x: f32[3], i: i32[3]) -> (f32[3], f32[3], i32[3], f32[3]) {
                     g: f32[3] = convert[to=f32](i)
                     h: i32[3] = convert[to=i32](g)
                     k: f32[3] = convert[to=f32](h)
                     return (x, x, i, k) }"""
        }
    ]

let simplifyShapeTests =
    testList "simplify/shapes" [
        test "no-op copies go: identity transpose, same-shape reshape and broadcast, full slice, zero pad, one concatenate, empty rev" {
            expectRewrite simplify
                """func f(x: f32[2,3]) -> (f32[2,3], f32[2,3], f32[2,3], f32[2,3], f32[2,3], f32[2,3], f32[2,3], f32[2,3]) {
                     a: f32[2,3] = transpose[perm=[0,1]](x)
                     b: f32[2,3] = reshape[shape=[2,3]](x)
                     c: f32[2,3] = broadcast_in_dim[shape=[2,3], dims=[0,1]](x)
                     d: f32[2,3] = slice[start=[0,0], limit=[2,3], stride=[1,1]](x)
                     e: f32[2,3] = pad[low=[0,0], high=[0,0]](x, 0.0)
                     g: f32[2,3] = concatenate[axis=1](x)
                     h: f32[2,3] = rev[dims=[]](x)
                     k: f32[2,3] = reduce_sum[axes=[]](x)
                     return (a, b, c, d, e, g, h, k) }"""
                """func f(x: f32[2,3]) -> (f32[2,3], f32[2,3], f32[2,3], f32[2,3], f32[2,3], f32[2,3], f32[2,3], f32[2,3]) {
                     return (x, x, x, x, x, x, x, x) }"""
        }
        test "a partial slice, a real pad and a strided slice stay" {
            expectUnchanged simplify
                """func f(x: f32[4]) -> (f32[2], f32[6], f32[2]) {
                     a: f32[2] = slice[start=[1], limit=[3], stride=[1]](x)
                     b: f32[6] = pad[low=[1], high=[1]](x, 0.0)
                     c: f32[2] = slice[start=[0], limit=[4], stride=[2]](x)
                     return (a, b, c) }"""
        }
        test "transpose of transpose is one transpose (or none)" {
            expectRewrite simplify
                """func f(x: f32[2,3,4]) -> (f32[2,3,4], f32[4,3,2]) {
                     a: f32[3,4,2] = transpose[perm=[1,2,0]](x)
                     b: f32[2,3,4] = transpose[perm=[2,0,1]](a)
                     c: f32[4,3,2] = transpose[perm=[1,0,2]](a)
                     return (b, c) }"""
                """func f(x: f32[2,3,4]) -> (f32[2,3,4], f32[4,3,2]) {
                     c: f32[4,3,2] = transpose[perm=[2,1,0]](x)
                     return (x, c) }"""
        }
        test "broadcast of broadcast is one broadcast; transpose of broadcast is a broadcast" {
            expectRewrite simplify
                """func f(x: f32[3], y: f32[2,3]) -> (f32[4,2,3], f32[3,2], f32[3,5,2]) {
                     a: f32[2,3] = broadcast_in_dim[shape=[2,3], dims=[1]](x)
                     b: f32[4,2,3] = broadcast_in_dim[shape=[4,2,3], dims=[1,2]](a)
                     c: f32[3,2] = transpose[perm=[1,0]](a)
                     d: f32[2,5,3] = broadcast_in_dim[shape=[2,5,3], dims=[0,2]](y)
                     e: f32[3,5,2] = transpose[perm=[2,1,0]](d)
                     return (b, c, e) }"""
                """func f(x: f32[3], y: f32[2,3]) -> (f32[4,2,3], f32[3,2], f32[3,5,2]) {
                     b: f32[4,2,3] = broadcast_in_dim[shape=[4,2,3], dims=[2]](x)
                     c: f32[3,2] = broadcast_in_dim[shape=[3,2], dims=[0]](x)
                     t: f32[3,2] = transpose[perm=[1,0]](y)
                     e: f32[3,5,2] = broadcast_in_dim[shape=[3,5,2], dims=[0,2]](t)
                     return (b, c, e) }"""
        }
        test "chains of reshape, squeeze and expand_dims are one reshape; rev of rev is nothing" {
            expectRewrite simplify
                """func f(x: f32[2,3]) -> (f32[3,2], f32[2,3]) {
                     a: f32[1,2,3] = expand_dims[dims=[0]](x)
                     b: f32[6] = reshape[shape=[6]](a)
                     c: f32[3,2] = reshape[shape=[3,2]](b)
                     d: f32[2,3] = rev[dims=[0,1]](x)
                     e: f32[2,3] = rev[dims=[1,0]](d)
                     return (c, e) }"""
                """func f(x: f32[2,3]) -> (f32[3,2], f32[2,3]) {
                     c: f32[3,2] = reshape[shape=[3,2]](x)
                     return (c, x) }"""
        }
        test "reductions over size-1 axes are reshapes, over zero elements the identity" {
            expectRewrite simplify
                """func f(x: f32[3,1], z: f32[0,2]) -> (f32[3], f32[2], f32[2]) {
                     a: f32[3] = reduce_sum[axes=[1]](x)
                     b: f32[2] = reduce_max[axes=[0]](z)
                     c: f32[2] = reduce_prod[axes=[0]](z)
                     return (a, b, c) }"""
                """func f(x: f32[3,1], z: f32[0,2]) -> (f32[3], f32[2], f32[2]) {
                     a: f32[3] = reshape[shape=[3]](x)
                     b: f32[2] = broadcast_in_dim[shape=[2], dims=[]](-inf)
                     c: f32[2] = broadcast_in_dim[shape=[2], dims=[]](1.0)
                     return (a, b, c) }"""
        }
        test "a cond with a known index, or with equal branches, is its branch" {
            expectRewrite simplify
                """func f(x: f32[2], i: i32[]) -> (f32[2], f32[2]) {
                     a: f32[2] = cond(7, x) {
                       func b0(x: f32[2]) -> (f32[2]) { y: f32[2] = neg(x)
                       return (y) }
                       func b1(x: f32[2]) -> (f32[2]) { y: f32[2] = exp(x)
                       return (y) }
                     }
                     b: f32[2] = cond(i, a) {
                       func c0(u: f32[2]) -> (f32[2]) { v: f32[2] = sin(u)
                       return (v) }
                       func c1(w: f32[2]) -> (f32[2]) { z: f32[2] = sin(w)
                       return (z) }
                     }
                     return (a, b) }"""
                """func f(x: f32[2], i: i32[]) -> (f32[2], f32[2]) {
                     a: f32[2] = exp(x)
                     b: f32[2] = sin(a)
                     return (a, b) }"""
        }
    ]

let simplifyConstantTests =
    testList "simplify/constants" [
        test "elementwise equations on constants fold, whatever their size" {
            expectRewrite simplify
                """func f(x: f32[100,100]) -> (f32[100,100], f32[]) {
                     c: f32[100,100] = broadcast_in_dim[shape=[100,100], dims=[]](2.0)
                     d: f32[100,100] = exp(c)
                     e: f32[100,100] = mul(d, x)
                     s: f32[] = broadcast_in_dim[shape=[], dims=[]](0.25)
                     t: f32[] = sqrt(s)
                     return (e, t) }"""
                """func f(x: f32[100,100]) -> (f32[100,100], f32[]) {
                     e: f32[100,100] = mul(7.389056, x)
                     return (e, 0.5) }"""
        }
        test "a known constant becomes a literal where one may stand, and stays an array elsewhere" {
            expectRewrite simplify
                """func f(x: f32[3], k: f32[3,3]) -> (f32[3], f32[3]) {
                     c: f32[3] = broadcast_in_dim[shape=[3], dims=[]](1.5)
                     a: f32[3] = add(x, c)
                     d: f32[3] = dot_general[contract=([1],[0]), batch=([],[])](k, c)
                     return (a, d) }"""
                """func f(x: f32[3], k: f32[3,3]) -> (f32[3], f32[3]) {
                     c: f32[3] = broadcast_in_dim[shape=[3], dims=[]](1.5)
                     a: f32[3] = add(x, 1.5)
                     d: f32[3] = dot_general[contract=([1],[0]), batch=([],[])](k, c)
                     return (a, d) }"""
        }
        test "moving a constant gives the constant; small reductions of constants are evaluated; iota stays" {
            expectRewrite simplify
                """func f(x: f32[4]) -> (f32[4,2], f32[2], f32[], i32[3]) {
                     c: f32[2,4] = broadcast_in_dim[shape=[2,4], dims=[]](3.0)
                     t: f32[4,2] = transpose[perm=[1,0]](c)
                     r: f32[2] = reduce_sum[axes=[1]](c)
                     big: f32[1000] = broadcast_in_dim[shape=[1000], dims=[]](-0.0)
                     m: f32[] = reduce_max[axes=[0]](big)
                     i: i32[3] = iota[shape=[3], dim=0, dtype=i32]()
                     return (t, r, m, i) }"""
                """func f(x: f32[4]) -> (f32[4,2], f32[2], f32[], i32[3]) {
                     t: f32[4,2] = broadcast_in_dim[shape=[4,2], dims=[]](3.0)
                     r: f32[2] = broadcast_in_dim[shape=[2], dims=[]](12.0)
                     i: i32[3] = iota[shape=[3], dim=0, dtype=i32]()
                     return (t, r, -0.0, i) }"""
        }
        test "a reduction of a large constant is not evaluated when factoring is off" {
            expectUnchanged noFactoring
                """func f(x: f32[4]) -> (f32[]) {
                     c: f32[1000] = broadcast_in_dim[shape=[1000], dims=[]](0.1)
                     r: f32[] = reduce_sum[axes=[0]](c)
                     return (r) }"""
        }
        test "i32 folding wraps and divides as IR.md says" {
            expectRewrite simplify
                """func f(x: i32[2]) -> (i32[2], i32[2]) {
                     c: i32[2] = broadcast_in_dim[shape=[2], dims=[]](-2147483648)
                     d: i32[2] = div(c, -1)
                     e: i32[2] = sub(c, 1)
                     g: i32[2] = add(x, d)
                     h: i32[2] = rem(e, 0)
                     return (g, h) }"""
                """func f(x: i32[2]) -> (i32[2], i32[2]) {
                     h: i32[2] = broadcast_in_dim[shape=[2], dims=[]](2147483647)
                     g: i32[2] = add(x, -2147483648)
                     return (g, h) }"""
        }
    ]

let factoringTests =
    testList "simplify/factoring" [
        test "W4 per example: the outer product goes, x * reduce_sum(x) * 0.5 stays" {
            let expected =
                """func w4(x: f32[8]) -> (f32[8]) {
                     s: f32[] = reduce_sum[axes=[0]](x)
                     b: f32[8] = broadcast_in_dim[shape=[8], dims=[]](s)
                     p: f32[8] = mul(x, b)
                     r: f32[8] = mul(p, 0.5)
                     return (r) }"""
            for text in [ w4Outer 8; w4Broadcast 8 ] do
                let f = parse text
                let g = Pipeline.Standard.Run(f, true)
                Expect.equal g (parse expected) "factored"
                expectClose f g
        }
        test "W4 vmapped (B = 1024, x: f32[512]): no f32[1024,512,512] and no [512,512] intermediate after the pipeline" {
            for text in [ w4Outer 512; w4Broadcast 512 ] do
                let f = parse text
                let batched = Vmap.Apply(f, 1024, ResizeArray [ Nullable 0 ])
                let big = AVal.Of(DType.F32, 1024, 512, 512)
                Expect.contains (allTypes batched) big "vmap builds the batched outer product"
                let g = Pipeline.Standard.Run(batched, true)
                let types = allTypes g |> List.ofSeq
                Expect.isFalse (types |> List.exists (fun t -> t.Shape.ElementCount > 1024L * 512L)) (sprintf "nothing larger than the input in\n%O" g)
                let expected =
                    """func w4(x: f32[1024,512]) -> (f32[1024,512]) {
                         s: f32[1024] = reduce_sum[axes=[1]](x)
                         b: f32[1024,512] = broadcast_in_dim[shape=[1024,512], dims=[0]](s)
                         p: f32[1024,512] = mul(x, b)
                         r: f32[1024,512] = mul(p, 0.5)
                         return (r) }"""
                Expect.equal g (parse expected) "factored batched W4"
                // The same rewrite on a small batch, evaluated: equal up to reassociation.
                let small = Vmap.Apply(parse (w4Outer 6), 5, ResizeArray [ Nullable 0 ])
                expectClose small (Pipeline.Standard.Run(small, true))
        }
        test "chunked W4: the factoring applies inside the scan over chunks, and is off on request" {
            let f = parse (w4Outer 16)
            let chunked = Chunk.Apply(f, 10, ResizeArray [ Nullable 0 ], null, 4)
            let outerOfChunk (g: Function) = allTypes g |> Seq.exists (fun t -> t.Shape.Rank = 3 && t.Shape.[1] = 16 && t.Shape.[2] = 16)
            Expect.isTrue (outerOfChunk chunked) "chunked vmap builds the outer product per chunk"
            let factored = Pipeline.Standard.Run(chunked, true)
            Expect.isFalse (outerOfChunk factored) (sprintf "no outer product in\n%O" factored)
            expectClose chunked factored
            let kept = Pipeline.StandardWith(SimplifyOptions(FactorReductions = false)).Run(chunked, true)
            Expect.isTrue (outerOfChunk kept) "factoring off keeps the outer product per chunk"
            expectSameResults chunked kept
        }
        test "with factoring off the outer product stays" {
            let f = Vmap.Apply(parse (w4Outer 16), 4, ResizeArray [ Nullable 0 ])
            let g = Pipeline.StandardWith(SimplifyOptions(FactorReductions = false)).Run(f, true)
            Expect.contains (allTypes g) (AVal.Of(DType.F32, 4, 16, 16)) "outer product kept"
        }
        test "factors along kept axes move out over several reduced axes, through transposes and size-1 dims" {
            // sum over j, k of a[i] * b[j,k] * d[0,j], b given transposed: a moves out, b and d are summed over [j,k].
            let f =
                parse """func f(a: f32[3], bt: f32[5,4], d: f32[1,4]) -> (f32[3]) {
                           a3: f32[3,4,5] = broadcast_in_dim[shape=[3,4,5], dims=[0]](a)
                           b: f32[4,5] = transpose[perm=[1,0]](bt)
                           b3: f32[3,4,5] = broadcast_in_dim[shape=[3,4,5], dims=[1,2]](b)
                           d3: f32[3,4,5] = broadcast_in_dim[shape=[3,4,5], dims=[0,1]](d)
                           p: f32[3,4,5] = mul(a3, b3)
                           r: f32[3,4,5] = mul(p, d3)
                           s: f32[3] = reduce_sum[axes=[1,2]](r)
                           return (s) }"""
            let expected =
                parse """func f(a: f32[3], bt: f32[5,4], d: f32[1,4]) -> (f32[3]) {
                           b: f32[4,5] = transpose[perm=[1,0]](bt)
                           e: f32[4] = reshape[shape=[4]](d)
                           e2: f32[4,5] = broadcast_in_dim[shape=[4,5], dims=[0]](e)
                           q: f32[4,5] = mul(b, e2)
                           t: f32[] = reduce_sum[axes=[0,1]](q)
                           u: f32[3] = broadcast_in_dim[shape=[3], dims=[]](t)
                           s: f32[3] = mul(a, u)
                           return (s) }"""
            let g = Pipeline.Standard.Run(f, true)
            Expect.equal g expected "factored"
            expectClose f g
        }
        test "several inner factors over every axis stay (their product would be as large as the operand)" {
            expectUnchanged simplify
                """func f(a: f32[3], b: f32[3,4], c: f32[4]) -> (f32[3], f32[3,4]) {
                     a2: f32[3,4] = broadcast_in_dim[shape=[3,4], dims=[0]](a)
                     c2: f32[3,4] = broadcast_in_dim[shape=[3,4], dims=[1]](c)
                     p: f32[3,4] = mul(a2, b)
                     q: f32[3,4] = mul(p, c2)
                     s: f32[3] = reduce_sum[axes=[1]](q)
                     return (s, q) }"""
        }
        test "a sum of a broadcast is a product by the count; a literal factor moves out; i32 is exact" {
            expectRewrite simplify
                """func f(x: f32[3], i: i32[3,4]) -> (f32[3], i32[3]) {
                     b: f32[3,4] = broadcast_in_dim[shape=[3,4], dims=[0]](x)
                     s: f32[3] = reduce_sum[axes=[1]](b)
                     m: i32[3,4] = mul(i, 3)
                     t: i32[3] = reduce_sum[axes=[1]](m)
                     return (s, t) }"""
                """func f(x: f32[3], i: i32[3,4]) -> (f32[3], i32[3]) {
                     s: f32[3] = mul(x, 4.0)
                     u: i32[3] = reduce_sum[axes=[1]](i)
                     t: i32[3] = mul(u, 3)
                     return (s, t) }"""
        }
        test "a sum over zero elements is 0 (not a product by a factor); no factoring when every factor varies along the reduced axis" {
            expectRewrite simplify
                """func f(x: f32[3,0], y: f32[3,4], z: f32[3,4]) -> (f32[3], f32[3]) {
                     b: f32[3,0] = mul(x, 2.0)
                     s: f32[3] = reduce_sum[axes=[1]](b)
                     m: f32[3,4] = mul(y, z)
                     t: f32[3] = reduce_sum[axes=[1]](m)
                     return (s, t) }"""
                """func f(x: f32[3,0], y: f32[3,4], z: f32[3,4]) -> (f32[3], f32[3]) {
                     s: f32[3] = broadcast_in_dim[shape=[3], dims=[]](0.0)
                     m: f32[3,4] = mul(y, z)
                     t: f32[3] = reduce_sum[axes=[1]](m)
                     return (s, t) }"""
        }
    ]

[<Tests>]
let tests = testList "passes" [ simplifyIdentityTests; simplifyShapeTests; simplifyConstantTests; factoringTests ]

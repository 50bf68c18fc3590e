using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Compile.Passes;

/// <summary>
/// Factoring a <c>reduce_sum</c>: factors of the summed product that do not vary along the
/// reduced axes move out of the sum (Note [factoring reductions]).
/// </summary>
/// <remarks>
/// Note [factoring reductions]: write the operand <c>P</c> of <c>reduce_sum[axes=R](P)</c> as an
/// elementwise product of factors <c>F_1 * ... * F_n</c>, looking through <c>mul</c>,
/// <c>neg</c> (a factor <c>-1</c>), and the primitives that place an array's elements along some
/// axes of <c>P</c> and repeat them along the others: <c>broadcast_in_dim</c>, <c>transpose</c> and
/// <c>dot_general</c> without contracted dims (an outer product: <c>out[b,i,j] = l[b,i] * r[b,j]</c>,
/// one product rounded once, as <c>mul</c>). Each factor is then a leaf array with a map from its
/// dims to <c>P</c>'s axes, or a literal. A factor varies along the axes its leaf's dims of size
/// greater than 1 map to. With <c>O</c> the factors that vary along no reduced axis and <c>I</c> the
/// others, distributivity gives
/// <code>
///   sum_R prod_f F_f  =  (prod_{f in O} F_f) * (sum_{R ∩ D} prod_{f in I} F_f) * N
/// </code>
/// where <c>D</c> is the set of axes the factors of <c>I</c> vary along and <c>N</c> the number of
/// elements of the reduced axes outside <c>D</c> (along those every term is the same). The inner
/// product is built over the axes <c>D</c> only, so W4's <c>reduce_sum(outer(x, x) * 0.5, axis 1)</c>
/// becomes <c>x * reduce_sum(x) * 0.5</c> and the outer product is never built; a sum of a
/// broadcast (<c>I</c> empty) becomes a product by <c>N</c>. When <c>I</c> holds several factors
/// that together vary along every axis of <c>P</c>, their product would be a new array as large as
/// <c>P</c> (a second one, when <c>P</c> has other uses), so the rule does not apply.
/// Exactness: for i32 this is an identity (wrapping arithmetic is a commutative ring). For floats
/// it is the reassociation IR.md allows for reductions: every product term is rounded
/// differently, and a term that overflows in one order may not in the other. It is not applied
/// over zero elements (the sum is exactly 0 there; the product by an infinite or NaN factor would
/// not be), nor where <c>N</c> is not exact in the dtype. The sign of a zero result may differ.
/// <see cref="SimplifyOptions.FactorReductions"/> turns it off.
/// </remarks>
internal static class Factoring
{
    /// <summary>A factor: a literal, or a leaf array whose dim <c>d</c> lies along axis <c>Map[d]</c> of the product.</summary>
    private sealed record Factor(Literal? Constant, Atom? Leaf, int[] Map)
    {
        /// <summary>The product's axes this factor varies along.</summary>
        public IEnumerable<int> Varies => Leaf is null ? [] : Map.Where((_, d) => Leaf.Type.Shape[d] != 1);
    }

    /// <summary>The rule: null unless some factor moves out of the sum (or the sum is of a broadcast).</summary>
    public static IReadOnlyList<Atom>? FactorReduceSum(SimplifyScope s, Eqn e)
    {
        if (!s.Options.FactorReductions || e[0] is not Var operand) return null;
        var shape = operand.Type.Shape;
        var reduced = ((ReduceParams)e.Params).Axes.ToHashSet();
        if (ConstantFolding.ReducedCount(e) == 0) return null;

        var factors = new List<Factor>();
        Collect(s, operand, Enumerable.Range(0, shape.Rank).ToArray(), factors);
        bool IsInner(Factor f) => f.Varies.Any(reduced.Contains);
        var inner = factors.Where(IsInner).ToList();
        var outer = factors.Where(f => !IsInner(f)).ToList();
        if (outer.Count == 0 || outer.All(f => f.Leaf is null) && inner.Count == 0) return null;

        var innerAxes = inner.SelectMany(f => f.Varies).Distinct().Order().ToArray();
        // Several inner factors over every axis would be a new product as large as P, built
        // beside P when P has other uses: not worth a few multiplications.
        if (inner.Count > 1 && innerAxes.Length == shape.Rank) return null;
        long repeat = reduced.Where(a => !innerAxes.Contains(a)).Aggregate(1L, (n, a) => n * shape[a]);
        var dtype = operand.Type.DType;
        if (repeat != 1 && !ExactCount(repeat, dtype)) return null;

        var outAxes = Enumerable.Range(0, shape.Rank).Where(a => !reduced.Contains(a)).ToArray();
        var outType = e.Out;
        var terms = new List<Atom>();
        bool innerPlaced = false;
        foreach (var f in factors)
        {
            if (!IsInner(f)) { terms.Add(f.Constant ?? Place(s, f.Leaf!, f.Map, outAxes, outType)); continue; }
            if (innerPlaced) continue;
            innerPlaced = true;
            terms.Add(InnerSum(s, inner, innerAxes, reduced, operand.Type, outAxes, outType));
        }
        if (repeat != 1) terms.Add(new Literal(dtype, dtype == DType.I32 ? unchecked((int)repeat) : repeat));

        // Multiply left to right, starting from the first array (a literal stands beside a variable).
        int first = terms.FindIndex(t => t is Var);
        if (first < 0) return null;
        Atom acc = terms[first];
        foreach (var t in terms.Take(first).Concat(terms.Skip(first + 1)))
            acc = s.Emit1(Elementwise.Mul, NoParams.Instance, acc, t);
        return [acc];
    }

    /// <summary>The inner factors' product over their axes, summed over the reduced ones among them,
    /// placed in the result's shape.</summary>
    private static Atom InnerSum(SimplifyScope s, List<Factor> inner, int[] innerAxes, HashSet<int> reduced, AVal productType,
        int[] outAxes, AVal outType)
    {
        var innerType = productType.WithShape(new Shape(innerAxes.Select(a => productType.Shape[a])));
        Atom product = Place(s, inner[0].Leaf!, inner[0].Map, innerAxes, innerType);
        foreach (var f in inner.Skip(1))
            product = s.Emit1(Elementwise.Mul, NoParams.Instance, product, Place(s, f.Leaf!, f.Map, innerAxes, innerType));
        var sumPositions = innerAxes.Select((a, i) => (a, i)).Where(x => reduced.Contains(x.a)).Select(x => x.i).ToArray();
        var sum = s.Emit1(Reduction.ReduceSum, new ReduceParams(sumPositions), product);
        var kept = innerAxes.Where(a => !reduced.Contains(a)).ToArray();
        return Place(s, sum, Enumerable.Range(0, kept.Length).Select(i => kept[i]).ToArray(), outAxes, outType);
    }

    /// <summary>Splits <paramref name="a"/>, whose dim <c>d</c> lies along product axis <c>map[d]</c>, into factors.</summary>
    private static void Collect(SimplifyScope s, Atom a, int[] map, List<Factor> factors)
    {
        if (s.Const(a) is { } c) { factors.Add(new Factor(c, null, [])); return; }
        var e = s.Def(a);
        if (e is null) { factors.Add(new Factor(null, a, map)); return; }
        if (e.Primitive == Elementwise.Mul)
        {
            Collect(s, e.Inputs[0], map, factors);
            Collect(s, e.Inputs[1], map, factors);
        }
        else if (e.Primitive == Elementwise.Neg)
        {
            factors.Add(new Factor(new Literal(a.Type.DType, -1), null, []));   // -y = -1 * y exactly, i32 too
            Collect(s, e.Inputs[0], map, factors);
        }
        else if (e.Primitive == ShapeOps.BroadcastInDim)
        {
            var dims = ((BroadcastInDimParams)e.Params).Dims;
            Collect(s, e.Inputs[0], dims.Select(d => map[d]).ToArray(), factors);
        }
        else if (e.Primitive == ShapeOps.Transpose)
        {
            // operand dim perm[i] is result dim i
            var perm = ((TransposeParams)e.Params).Perm;
            var inner = new int[perm.Length];
            for (int i = 0; i < perm.Length; i++) inner[perm[i]] = map[i];
            Collect(s, e.Inputs[0], inner, factors);
        }
        else if (e.Primitive == Contraction.DotGeneral && ((DotGeneralParams)e.Params).LhsContract.Length == 0)
        {
            var p = (DotGeneralParams)e.Params;
            var (l, r) = (e.Inputs[0], e.Inputs[1]);
            int nb = p.LhsBatch.Length;
            var lFree = DotGeneralOp.FreeDims(l.Type.Rank, [], p.LhsBatch);
            var rFree = DotGeneralOp.FreeDims(r.Type.Rank, [], p.RhsBatch);
            var lMap = new int[l.Type.Rank];
            var rMap = new int[r.Type.Rank];
            for (int t = 0; t < nb; t++) { lMap[p.LhsBatch[t]] = map[t]; rMap[p.RhsBatch[t]] = map[t]; }
            for (int q = 0; q < lFree.Length; q++) lMap[lFree[q]] = map[nb + q];
            for (int q = 0; q < rFree.Length; q++) rMap[rFree[q]] = map[nb + lFree.Length + q];
            Collect(s, l, lMap, factors);
            Collect(s, r, rMap, factors);
        }
        else factors.Add(new Factor(null, a, map));
    }

    /// <summary>
    /// <paramref name="leaf"/>, whose dim <c>d</c> lies along product axis <c>map[d]</c>, as an array of
    /// <paramref name="target"/>'s shape whose axes are the product axes <paramref name="axes"/>
    /// (ascending): size-1 dims along other axes are dropped, the rest ordered and broadcast.
    /// </summary>
    private static Atom Place(SimplifyScope s, Atom leaf, int[] map, int[] axes, AVal target)
    {
        var shape = leaf.Type.Shape;
        var keep = Enumerable.Range(0, shape.Rank).Where(d => axes.Contains(map[d])).ToArray();
        if (keep.Length < shape.Rank)
        {
            if (Enumerable.Range(0, shape.Rank).Any(d => !keep.Contains(d) && shape[d] != 1))
                throw new InvalidOperationException("internal error: a factor varies along an axis it is not placed on");
            leaf = s.Emit1(ShapeOps.Reshape, new ReshapeParams(keep.Select(d => shape[d]).ToArray()), leaf);
        }
        var positions = keep.Select(d => Array.IndexOf(axes, map[d])).ToArray();
        return SimplifyRules.BroadcastWithDims(s, leaf, positions, target);
    }

    /// <summary>True when <paramref name="n"/> is exact in <paramref name="d"/> (for i32 the product wraps, as the sum would).</summary>
    private static bool ExactCount(long n, DType d) => d switch
    {
        DType.F32 => n <= 1 << 24,
        DType.F64 => n <= 1L << 53,
        DType.I32 => true,
        _ => false,
    };
}

using System.Collections.Immutable;
using System.Text;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Compile.Lowering;

/// <summary>
/// One step of a <see cref="LoweredProgram"/>: it reads some buffers and writes others. Kernels run
/// in list order. The four kinds describe the work backend-neutrally: the CPU runs them over SIMD
/// tiles, OpenCL renders them as C kernels, CUDA as PTX.
/// </summary>
public abstract record Kernel
{
    /// <summary>The buffers this kernel reads.</summary>
    public abstract IEnumerable<int> Reads { get; }

    /// <summary>The buffers this kernel writes (each completely).</summary>
    public abstract IEnumerable<int> Writes { get; }

    /// <summary>A one-word name of the kind, for printing.</summary>
    public abstract string KindName { get; }
}

/// <summary>
/// A fused elementwise kernel: at every index of <see cref="Domain"/> it runs
/// <see cref="Instructions"/> on scalars read through the inputs' index maps, writes each of
/// <see cref="Outputs"/>, and, when <see cref="ReduceAxes"/> is not empty, combines each of
/// <see cref="Reductions"/> over those domain axes (the reduction the chain feeds). A kernel with no
/// instruction is a copy (a materialized view) or a plain reduction.
/// </summary>
/// <param name="Domain">The iteration domain.</param>
/// <param name="Inputs">Buffers read through index maps over the domain.</param>
/// <param name="Instructions">Straight-line scalar code; operand refs point only backwards.</param>
/// <param name="Outputs">Values written over the whole domain (row-major).</param>
/// <param name="ReduceAxes">Domain axes the reductions combine (ascending); empty when there are no reductions.</param>
/// <param name="Reductions">Values reduced over <paramref name="ReduceAxes"/>, written over the kept axes (row-major).</param>
public sealed record ElementwiseKernel(Shape Domain, ImmutableArray<KernelInput> Inputs,
    ImmutableArray<ScalarInstruction> Instructions, ImmutableArray<KernelOutput> Outputs,
    ImmutableArray<int> ReduceAxes, ImmutableArray<ReductionOutput> Reductions) : Kernel
{
    /// <inheritdoc />
    public override IEnumerable<int> Reads => Inputs.Select(i => i.Buffer);

    /// <inheritdoc />
    public override IEnumerable<int> Writes => Outputs.Select(o => o.Buffer).Concat(Reductions.Select(r => r.Buffer));

    /// <inheritdoc />
    public override string KindName => "elementwise";

    /// <summary>The kernel in a readable multi-line form.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"elementwise over {Domain}");
        if (ReduceAxes.Length > 0) sb.Append($", reducing axes [{string.Join(",", ReduceAxes)}]");
        sb.Append('\n');
        KernelText.Inputs(sb, Inputs, "  ");
        KernelText.Instructions(sb, Instructions, "  ");
        foreach (var o in Outputs) sb.Append("  out ").Append(o).Append('\n');
        foreach (var r in Reductions) sb.Append("  out ").Append(r).Append('\n');
        return sb.ToString().TrimEnd('\n');
    }
}

/// <summary>
/// <c>dot_general</c> with a fused epilogue: for every element of the product (shape
/// <see cref="Domain"/>: batch dims, lhs free dims, rhs free dims), the epilogue instructions run
/// with <see cref="OperandKind.Product"/> standing for that element and the epilogue inputs read
/// through index maps over <see cref="Domain"/> (a bias add then an activation, say).
/// </summary>
/// <param name="Lhs">The left operand, read through its map over <paramref name="LhsShape"/>.</param>
/// <param name="LhsShape">The left operand's shape.</param>
/// <param name="Rhs">The right operand, read through its map over <paramref name="RhsShape"/>.</param>
/// <param name="RhsShape">The right operand's shape.</param>
/// <param name="Dims">Contracting and batch dimensions (IR.md's <c>dot_general</c>).</param>
/// <param name="DType">The operands' and the product's dtype.</param>
/// <param name="Domain">The product's shape.</param>
/// <param name="Inputs">Epilogue inputs over <paramref name="Domain"/>.</param>
/// <param name="Instructions">Epilogue instructions.</param>
/// <param name="Outputs">Values written over <paramref name="Domain"/> (the product itself is <see cref="OperandRef.Product"/>).</param>
public sealed record ContractionKernel(KernelInput Lhs, Shape LhsShape, KernelInput Rhs, Shape RhsShape,
    DotGeneralParams Dims, DType DType, Shape Domain, ImmutableArray<KernelInput> Inputs,
    ImmutableArray<ScalarInstruction> Instructions, ImmutableArray<KernelOutput> Outputs) : Kernel
{
    /// <inheritdoc />
    public override IEnumerable<int> Reads => new[] { Lhs.Buffer, Rhs.Buffer }.Concat(Inputs.Select(i => i.Buffer));

    /// <inheritdoc />
    public override IEnumerable<int> Writes => Outputs.Select(o => o.Buffer);

    /// <inheritdoc />
    public override string KindName => "contraction";

    /// <summary>The kernel in a readable multi-line form.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"contraction {DType.Name()}{Domain} = dot_general[{Dims.ToText()}](lhs {LhsShape} {Lhs}, rhs {RhsShape} {Rhs})\n");
        KernelText.Inputs(sb, Inputs, "  ");
        KernelText.Instructions(sb, Instructions, "  ");
        foreach (var o in Outputs) sb.Append("  out ").Append(o).Append('\n');
        return sb.ToString().TrimEnd('\n');
    }
}

/// <summary>
/// An operand or result of a <see cref="ScanKernel"/>: a buffer read (or written) through an index
/// map over the value's whole shape (xs and ys: time first, then the lane shape), and whether it
/// holds one value shared by every lane (a scalar) rather than one value per lane.
/// </summary>
public sealed record ScanOperand(int Buffer, IndexMap Map, bool Uniform)
{
    /// <summary><c>b3 +0 (1)</c>, with <c>(uniform)</c> for a shared scalar.</summary>
    public override string ToString() => $"b{Buffer} {Map}{(Uniform ? " (uniform)" : "")}";
}

/// <summary>
/// A <c>scan</c> whose body is elementwise per lane (Note [scan lanes]), with the time loop inside
/// the kernel: a backend runs all <see cref="ScanParams.Length"/> steps over a tile of lanes before
/// moving to the next tile, keeping the carries in registers or scratch. Lanes are the elements of
/// <see cref="LaneShape"/>; consts and carries have that shape (or are scalars shared by every
/// lane, <see cref="ScanOperand.Uniform"/>), xs and ys have a leading time axis.
/// </summary>
/// <remarks>
/// Note [scan lanes]: after vmap, a scan over a batch has every batched carry, x and y with the
/// batch as a lane axis, and its body is elementwise over it. Running the time loop per lane
/// tile, instead of one kernel launch per step per operation, removes the per-step dispatch whose
/// cost grows with the batch (BENCH.md W5). A body is eligible when each of its variables has the
/// lane shape or is a scalar, and each equation is elementwise or broadcasts a scalar to the lane
/// shape; any other scan runs as a <see cref="PrimitiveKernel"/> with its body as a sub-program.
/// </remarks>
/// <param name="Params">The scan's params.</param>
/// <param name="LaneShape">The shape every per-lane value has in the body.</param>
/// <param name="Operands">The scan's operands (consts, carries, xs) in order; body input <c>k</c> is operand <c>k</c>'s value for the lane at the current step.</param>
/// <param name="Instructions">The body, per lane.</param>
/// <param name="BodyResults">The new carries then the ys of one step.</param>
/// <param name="Results">Buffers of the final carries, then of the stacked ys, each written through its
/// index map: not always row-major, since a result that views turn into a function result is written
/// straight into that result's buffer (Note [scan results through views]).</param>
public sealed record ScanKernel(ScanParams Params, Shape LaneShape, ImmutableArray<ScanOperand> Operands,
    ImmutableArray<ScalarInstruction> Instructions, ImmutableArray<OperandRef> BodyResults,
    ImmutableArray<ScanOperand> Results) : Kernel
{
    /// <inheritdoc />
    public override IEnumerable<int> Reads => Operands.Select(o => o.Buffer);

    /// <inheritdoc />
    public override IEnumerable<int> Writes => Results.Select(o => o.Buffer);

    /// <inheritdoc />
    public override string KindName => "scan";

    /// <summary>The kernel in a readable multi-line form.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"scan[{Params.ToText()}] over lanes {LaneShape}, time loop inside\n");
        for (int k = 0; k < Operands.Length; k++)
        {
            string role = k < Params.Consts ? "const" : k < Params.Consts + Params.Carries ? "carry" : "xs";
            sb.Append($"  in{k} = {role} {Operands[k]}\n");
        }
        KernelText.Instructions(sb, Instructions, "  ");
        for (int j = 0; j < BodyResults.Length; j++)
        {
            string role = j < Params.Carries ? "carry" : "ys";
            sb.Append($"  {role} {Results[j]} <- {BodyResults[j]}\n");
        }
        return sb.ToString().TrimEnd('\n');
    }
}

/// <summary>
/// A <c>while</c> that runs per lane (Note [lane-parallel while]): every lane of
/// <see cref="LaneShape"/> loops on its own, <c>while (active(consts, carry)) carry = body(consts, carry)</c>,
/// so a backend may stop a tile of lanes as soon as none of its lanes is active. Operands are the
/// consts then the carries (each per lane or a uniform scalar); the results are the final carries.
/// </summary>
/// <remarks>
/// Note [lane-parallel while]: vmap turns a while whose predicate depends on the batch into one
/// loop that runs while any lane is active, whose body keeps finished lanes fixed
/// (<c>select(active, next, carry)</c>). Lowering recognizes that form (cond_fn ends with
/// <c>gt(reduce_max(convert(active)), 0)</c>, each new carry is such a select with the same
/// <c>active</c> expression, and both are elementwise per lane): then iterating one lane until its
/// own predicate fails gives the same values as the global loop, since further iterations leave a
/// finished lane unchanged. A backend may therefore retire each lane as soon as it is done (the CPU's
/// Note [retiring lanes]).
/// </remarks>
/// <param name="LaneShape">The shape every per-lane value has.</param>
/// <param name="Consts">How many leading operands are consts.</param>
/// <param name="Operands">Consts then initial carries; body and predicate input <c>k</c> is operand <c>k</c>'s lane value.</param>
/// <param name="CondInstructions">The per-lane predicate's instructions.</param>
/// <param name="Active">The per-lane predicate (bool).</param>
/// <param name="BodyInstructions">The body, per lane.</param>
/// <param name="BodyResults">The new carries.</param>
/// <param name="Results">Buffers of the final carries.</param>
public sealed record WhileKernel(Shape LaneShape, int Consts, ImmutableArray<ScanOperand> Operands,
    ImmutableArray<ScalarInstruction> CondInstructions, OperandRef Active,
    ImmutableArray<ScalarInstruction> BodyInstructions, ImmutableArray<OperandRef> BodyResults,
    ImmutableArray<ScanOperand> Results) : Kernel
{
    /// <inheritdoc />
    public override IEnumerable<int> Reads => Operands.Select(o => o.Buffer);

    /// <inheritdoc />
    public override IEnumerable<int> Writes => Results.Select(o => o.Buffer);

    /// <inheritdoc />
    public override string KindName => "while";

    /// <summary>The kernel in a readable multi-line form.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"while per lane over {LaneShape}, each lane until it is done\n");
        for (int k = 0; k < Operands.Length; k++)
            sb.Append($"  in{k} = {(k < Consts ? "const" : "carry")} {Operands[k]}\n");
        sb.Append("  active:\n");
        KernelText.Instructions(sb, CondInstructions, "    ");
        sb.Append($"    -> {Active}\n  body:\n");
        KernelText.Instructions(sb, BodyInstructions, "    ");
        for (int j = 0; j < BodyResults.Length; j++) sb.Append($"  carry {Results[j]} <- {BodyResults[j]}\n");
        return sb.ToString().TrimEnd('\n');
    }
}

/// <summary>
/// One primitive applied to whole buffers: everything that is not elementwise, a contraction or a
/// lane-parallel scan (<c>take</c>, <c>dynamic_slice</c>, <c>concatenate</c>, <c>pad</c>, cumulative
/// ops, <c>argmax</c>, <c>iota</c>, randomness, and general <c>scan</c>/<c>cond</c>/<c>while</c>, whose
/// sub-functions are lowered to <see cref="SubPrograms"/>). Inputs and outputs are dense row-major.
/// </summary>
/// <param name="Primitive">The primitive.</param>
/// <param name="Params">Its params.</param>
/// <param name="Inputs">Operand buffers in order (a literal operand is a constant buffer).</param>
/// <param name="InputTypes">The operands' types (a buffer may hold a reshaped view of another variable, so its own type can differ).</param>
/// <param name="Outputs">Result buffers in order.</param>
/// <param name="OutputTypes">The results' types.</param>
/// <param name="SubPrograms">The lowered sub-functions, in the equation's order.</param>
public sealed record PrimitiveKernel(Primitive Primitive, PrimParams Params, ImmutableArray<int> Inputs,
    ImmutableArray<AVal> InputTypes, ImmutableArray<int> Outputs, ImmutableArray<AVal> OutputTypes,
    ImmutableArray<LoweredProgram> SubPrograms) : Kernel
{
    /// <inheritdoc />
    public override IEnumerable<int> Reads => Inputs;

    /// <inheritdoc />
    public override IEnumerable<int> Writes => Outputs;

    /// <inheritdoc />
    public override string KindName => "primitive";

    /// <summary>The kernel in a readable form; sub-programs indented below it.</summary>
    public override string ToString()
    {
        var ps = Params.ToText();
        var sb = new StringBuilder();
        sb.Append($"{string.Join(", ", Outputs.Select(o => $"b{o}"))} = {Primitive.Name}{(ps.Length > 0 ? $"[{ps}]" : "")}({string.Join(", ", Inputs.Select(i => $"b{i}"))})");
        for (int i = 0; i < SubPrograms.Length; i++)
        {
            sb.Append($"\n  sub-program {i}:\n");
            sb.Append(string.Join("\n", SubPrograms[i].ToString().Split('\n').Select(l => "    " + l)));
        }
        return sb.ToString();
    }
}

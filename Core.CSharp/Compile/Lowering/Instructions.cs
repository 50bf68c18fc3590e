using System.Collections.Immutable;
using System.Text;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Compile.Lowering;

/// <summary>What an operand of a scalar instruction refers to.</summary>
public enum OperandKind
{
    /// <summary>Input <c>k</c> of the kernel, read through its index map at the current domain index.</summary>
    Input,
    /// <summary>The result of instruction <c>j</c> of the same kernel (an earlier one).</summary>
    Value,
    /// <summary>A scalar literal (a constant array of the domain's shape).</summary>
    Literal,
    /// <summary>The contraction's product element (only in a <see cref="ContractionKernel"/>'s epilogue).</summary>
    Product,
}

/// <summary>An operand of a scalar instruction or the source of a kernel output.</summary>
public readonly record struct OperandRef(OperandKind Kind, int Index, Literal? Literal)
{
    /// <summary>Kernel input <paramref name="k"/>.</summary>
    public static OperandRef Input(int k) => new(OperandKind.Input, k, null);

    /// <summary>The result of instruction <paramref name="j"/>.</summary>
    public static OperandRef Value(int j) => new(OperandKind.Value, j, null);

    /// <summary>A literal.</summary>
    public static OperandRef Of(Literal l) => new(OperandKind.Literal, -1, l);

    /// <summary>The product element of a contraction.</summary>
    public static OperandRef Product => new(OperandKind.Product, -1, null);

    /// <summary><c>in0</c>, <c>%3</c>, <c>1.5</c> or <c>product</c>.</summary>
    public override string ToString() => Kind switch
    {
        OperandKind.Input => $"in{Index}",
        OperandKind.Value => $"%{Index}",
        OperandKind.Literal => Literal!.ToString(),
        _ => "product",
    };
}

/// <summary>
/// One elementwise primitive applied to scalars: the unit a fused kernel is made of. The
/// instruction computes <see cref="Primitive"/> on one element of each operand; a backend maps
/// the primitive and <see cref="OperandDType"/> to code (a SIMD routine, a line of OpenCL C).
/// </summary>
/// <param name="Primitive">An elementwise primitive (IR.md's unary, binary, comparison, select, convert rows).</param>
/// <param name="Params">Its params (<see cref="NoParams"/> except for <c>convert</c>).</param>
/// <param name="Operands">The operands in the primitive's order.</param>
/// <param name="OperandDType">The dtype the primitive works on (for <c>select</c>, the branches' dtype).</param>
/// <param name="DType">The result dtype.</param>
public sealed record ScalarInstruction(Primitive Primitive, PrimParams Params, ImmutableArray<OperandRef> Operands,
    DType OperandDType, DType DType)
{
    /// <summary><c>add(in0, %1) : f32</c>.</summary>
    public override string ToString()
    {
        var ps = Params.ToText();
        return $"{Primitive.Name}{(ps.Length > 0 ? $"[{ps}]" : "")}({string.Join(", ", Operands)}) : {DType.Name()}";
    }
}

/// <summary>A kernel input: a buffer read through an index map over the kernel's domain.</summary>
public sealed record KernelInput(int Buffer, IndexMap Map)
{
    /// <summary><c>b3 +0 (1)</c>.</summary>
    public override string ToString() => $"b{Buffer} {Map}";
}

/// <summary>A kernel output: the value of <paramref name="Source"/> at every domain index, written
/// densely in row-major order into <paramref name="Buffer"/>.</summary>
public sealed record KernelOutput(int Buffer, OperandRef Source)
{
    /// <summary><c>b5 = %2</c>.</summary>
    public override string ToString() => $"b{Buffer} = {Source}";
}

/// <summary>A reduction output: <paramref name="Source"/> combined with <paramref name="Kind"/> over
/// the kernel's reduced axes, written densely over the kept axes.</summary>
public sealed record ReductionOutput(int Buffer, ReduceKind Kind, OperandRef Source)
{
    /// <summary><c>b5 = sum %2</c>.</summary>
    public override string ToString() => $"b{Buffer} = {Kind.ToString().ToLowerInvariant()} {Source}";
}

internal static class KernelText
{
    public static void Instructions(StringBuilder sb, IReadOnlyList<ScalarInstruction> instructions, string indent)
    {
        for (int j = 0; j < instructions.Count; j++)
            sb.Append(indent).Append('%').Append(j).Append(" = ").Append(instructions[j]).Append('\n');
    }

    public static void Inputs(StringBuilder sb, IReadOnlyList<KernelInput> inputs, string indent)
    {
        for (int k = 0; k < inputs.Count; k++)
            sb.Append(indent).Append("in").Append(k).Append(" = ").Append(inputs[k]).Append('\n');
    }
}

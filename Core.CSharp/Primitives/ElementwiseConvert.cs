using ArrayLang.Ir;
using ArrayLang.Values;

namespace ArrayLang.Primitives;

/// <summary>Params of <c>convert[to=f32](x)</c>: the result dtype.</summary>
public sealed record ConvertParams(DType To) : PrimParams
{
    /// <inheritdoc />
    public override void Write(ParamWriter w) => w.DType("to", To);
}

/// <summary>
/// <c>convert[to=d](x)</c>: every dtype to every dtype, elementwise (IR.md "Exact semantics").
/// Float to <c>i32</c> truncates toward zero, saturates at <c>INT_MIN</c>/<c>INT_MAX</c> and maps
/// NaN to 0; <c>f64</c> to <c>f32</c> and <c>i32</c> to <c>f32</c> round to nearest even
/// (overflowing to infinity); to <c>bool</c> is <c>x != 0</c> (NaN gives true, <c>-0</c> false);
/// from <c>bool</c> gives 0 or 1. The operand is a variable: a literal would have no dtype to
/// convert from.
/// </summary>
public sealed class ConvertOp() : Primitive<ConvertParams>("convert")
{
    // Not a valid dtype: stands for "the key was absent" so Read can name the missing key.
    private const DType Missing = (DType)(-1);

    /// <inheritdoc />
    public override ConvertParams Read(ParamReader reader)
    {
        var to = reader.DType("to", Missing);
        return to == Missing ? throw new ParamException($"{Name}: missing parameter 'to' (the result dtype, e.g. to=f32)") : new(to);
    }

    /// <inheritdoc />
    public override IReadOnlyList<AVal> InferTypes(ConvertParams p, IReadOnlyList<Operand> operands, IReadOnlyList<Function> subs)
    {
        if (operands.Count != 1) throw Error($"expects 1 operand, found {operands.Count}");
        if (!Enum.IsDefined(p.To)) throw Error($"unknown target dtype {(int)p.To}");
        var shape = ElementwiseRules.CommonShape(Name, operands);
        return [new AVal(p.To, shape)];
    }

    /// <inheritdoc />
    public override DType? LiteralDType(int position, ConvertParams p, IReadOnlyList<AVal?> operands, IReadOnlyList<Function> subs) => null;

    /// <inheritdoc />
    public override IReadOnlyList<NDArray> Evaluate(ConvertParams p, IReadOnlyList<NDArray> inputs, IReadOnlyList<Function> subs)
    {
        var x = inputs[0];
        var r = NDArray.Zeros(new AVal(p.To, x.Shape));
        // Every source dtype widens to double exactly; each target then rounds once.
        for (int i = 0; i < x.Length; i++)
        {
            double v = x.GetDouble(i);
            switch (r.Data)
            {
                case float[] f: f[i] = (float)v; break;
                case double[] d: d[i] = v; break;
                case int[] n: n[i] = ToInt32(v); break;
                case bool[] b: b[i] = v != 0; break;
            }
        }
        return [r];
    }

    /// <summary>Float to <c>i32</c>: truncation toward zero, saturating, NaN to 0.</summary>
    public static int ToInt32(double v)
    {
        if (double.IsNaN(v)) return 0;
        double t = Math.Truncate(v);
        if (t >= int.MaxValue) return int.MaxValue;
        if (t <= int.MinValue) return int.MinValue;
        return (int)t;
    }
}

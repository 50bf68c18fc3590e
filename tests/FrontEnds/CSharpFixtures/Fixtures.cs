using ArrayLang.CSharp;
using ArrayLang.Ir;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace FrontEnds.CSharpFixtures;

/// <summary>Per-example functions written with the C# API, for the front-end tests.</summary>
public static class Fixtures
{
    /// <summary>A matrix-vector layer with shared weights: tanh(w x + b).</summary>
    public static readonly Fn3 Layer = Fn.Of((Tensor w, Tensor b, Tensor x) => Tensor.Tanh(w.Dot(x) + b));

    /// <summary>Two results: the sum and the product.</summary>
    public static readonly Fn2 SumAndProduct = Fn.Of((Tensor x, Tensor y) => (x + y, x * y));

    /// <summary>Four arguments, two results.</summary>
    public static readonly Fn4 Four = Fn.Of((Tensor a, Tensor b, Tensor c, Tensor d) => (a * b, c - d));

    /// <summary>Five arguments, the results as an array.</summary>
    public static readonly Fn5 Five = Fn.Of((Tensor a, Tensor b, Tensor c, Tensor d, Tensor e) => new[] { a + b + c + d + e, a * e });

    /// <summary>Six arguments.</summary>
    public static readonly Fn6 Six = Fn.Of((Tensor a, Tensor b, Tensor c, Tensor d, Tensor e, Tensor f) => a * b + c * d - e / f);

    /// <summary>W5: h_{t+1} = tanh(a h_t + x_t) with Control.Scan; returns the final h.</summary>
    public static readonly Fn3 Recurrence = Fn.Of((Tensor a, Tensor h0, Tensor xs) =>
        Control.Scan((h, x) => { var next = Tensor.Tanh(a * h + x); return (next, next); }, h0, xs).Carry);

    /// <summary>Collatz steps with Control.While; a per-example condition under vmap.</summary>
    public static readonly Fn1 CollatzSteps = Fn.Of((Tensor n) =>
        Control.While(c => c[0] > 1, c => [Tensor.Where((c[0] % 2).Eq(0), c[0] / 2, 3 * c[0] + 1), c[1] + 1],
            [n, Tensor.Scalar(0, DType.I32)])[1]);

    /// <summary>A branch per example with Control.Cond: sqrt where x >= 0, else 0.</summary>
    public static readonly Fn1 SafeSqrt = Fn.Of((Tensor x) => Control.Cond(x >= 0.0, () => Tensor.Sqrt(x), () => x * 0.0));

    /// <summary>A sum of i * x over i = 0 .. 4 with Control.ForLoop.</summary>
    public static readonly Fn1 WeightedSum = Fn.Of((Tensor x) => Control.ForLoop(5, (i, acc) => acc + i.Cast(DType.F32) * x, x * 0.0));

    /// <summary>An ensemble: the inner function vmapped over examples is invoked on tensors inside the outer one.</summary>
    public static readonly Fn2 Ensemble = Fn.Of((Tensor w, Tensor xs) =>
        Fn.Of((Tensor w1, Tensor x) => w1.Dot(x)).Vmap(inAxes: [null, 0]).Invoke(w, xs)).Vmap(inAxes: [0, null]);

    /// <summary>A shape mismatch: adds a vector of 3 to a vector of 4 (the line is checked by a test).</summary>
    public static Function Mismatch() =>
        Fn.Of((Tensor x, Tensor y) => x + y).Lower(AVal.Of(DType.F32, 3), AVal.Of(DType.F32, 4)); // MISMATCH LINE

    /// <summary>
    /// A shape mismatch in the first statement of a lambda of several lines, found when the vmapped and
    /// jitted function is invoked on arrays (a test checks that the error names the lambda's line, not
    /// the line of the call): w is [1, 3] and each example x has 2 elements.
    /// </summary>
    public static NDArray MismatchInBody()
    {
        var f = Fn.Of((Tensor x, Tensor w) =>
        {
            Tensor z = w.Dot(x); // BODY MISMATCH LINE
            return Tensor.Tanh(z);
        });
        var batched = f.Vmap(inAxes: [0, null]).Jit();
        return batched.Invoke(NDArray.From(new float[,] { { 1f, 2f }, { 3f, 4f } }), NDArray.From(new float[,] { { 1f, 2f, 3f } }));
    }

    /// <summary>Softmax with NumPy broadcasting: the rank-0 maximum and sum broadcast against the vector.</summary>
    public static readonly Fn1 Softmax = Fn.Of((Tensor x) => Tensor.Exp(x - x.MaxOver()) / Tensor.Exp(x - x.MaxOver()).Sum());

    /// <summary>A matrix minus its row means (f32[r, c] minus f32[r, 1]): a size-1 axis broadcasts.</summary>
    public static readonly Fn1 CenterRows = Fn.Of((Tensor m) => m - m.Mean(1).ExpandDims(1));

    /// <summary>C# ranges and indices: the inner part of a vector, its last element, and column 0 of a matrix.</summary>
    public static readonly Fn2 Slices = Fn.Of((Tensor v, Tensor m) => new[] { v[1..^1], v[^1], m[.., 0], m[^2.., 1..] });

    /// <summary>Row i of a matrix and element (i, 0), at a traced index i (an i32 scalar).</summary>
    public static readonly Fn2 RowAt = Fn.Of((Tensor m, Tensor i) => (m[i, ..], m[i, 0]));

    /// <summary>Shapes that do not broadcast: f32[3] and f32[2] (the line is checked by a test).</summary>
    public static Function BroadcastMismatch() =>
        Fn.Of((Tensor x, Tensor y) => x * y).Lower(AVal.Of(DType.F32, 3), AVal.Of(DType.F32, 2)); // BROADCAST MISMATCH LINE
}

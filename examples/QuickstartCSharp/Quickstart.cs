// ArrayLang quickstart in C#: write a function for ONE example, get the batched function for free.
//
//   dotnet run --project examples/QuickstartCSharp [-- batchSize]
//
// The same program as examples/Quickstart (F#): the per-example IR of f(x, y) = x*y + sin(x), its
// batched IR, then the per-example loop, vmap and jit(vmap) timed side by side on the default
// backend, each checked against a plain C# loop written without ArrayLang.
using System.Diagnostics;
using ArrayLang.Compile;
using ArrayLang.CSharp;
using ArrayLang.Ir;
using ArrayLang.Tracing;
using ArrayLang.Values;

namespace QuickstartCSharp;

/// <summary>The quickstart's functions, shared with its smoke test.</summary>
public static class Quickstart
{
    /// <summary>One example: two scalars in, one scalar out (BENCH.md's W1).</summary>
    public static readonly Fn2 PerExample = Fn.Of((Tensor x, Tensor y) => x * y + Tensor.Sin(x));

    /// <summary>The per-example function compiled, for the loop.</summary>
    public static readonly Fn2 PerExampleJit = PerExample.Jit();

    /// <summary>vmap: the function of a batch, run op by op.</summary>
    public static readonly Fn2 Batched = PerExample.Vmap();

    /// <summary>jit(vmap): the function of a batch, compiled.</summary>
    public static readonly Fn2 Compiled = PerExample.Vmap().Jit();

    /// <summary>The per-example loop: the compiled per-example function once per example.</summary>
    public static float[] Loop(float[] xs, float[] ys)
    {
        var r = new float[xs.Length];
        for (int i = 0; i < xs.Length; i++)
            r[i] = PerExampleJit.Invoke(NDArray.Scalar(xs[i]), NDArray.Scalar(ys[i])).ToScalar<float>();
        return r;
    }

    /// <summary>vmap on arrays.</summary>
    public static float[] Vmap(float[] xs, float[] ys) => Batched.Invoke(NDArray.From(xs), NDArray.From(ys)).ToArray<float>();

    /// <summary>jit(vmap) on arrays.</summary>
    public static float[] JitVmap(float[] xs, float[] ys) => Compiled.Invoke(NDArray.From(xs), NDArray.From(ys)).ToArray<float>();

    /// <summary>Inputs in [-1, 1), reproducible.</summary>
    public static (float[] Xs, float[] Ys) Inputs(int n)
    {
        var rng = new Random(42);
        var xs = new float[n];
        var ys = new float[n];
        for (int i = 0; i < n; i++) xs[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < n; i++) ys[i] = (float)(rng.NextDouble() * 2 - 1);
        return (xs, ys);
    }

    /// <summary>Prints the IR and the timings.</summary>
    public static int Main(string[] args)
    {
        int b = args.Length > 0 ? int.Parse(args[0]) : 100_000;
        Console.WriteLine($"Per-example IR of f(x, y) = x*y + sin(x):\n{PerExample.Lower(AVal.Scalar(DType.F32), AVal.Scalar(DType.F32))}");
        Console.WriteLine($"Batched IR, vmap f for B = {b}:\n{Batched.Lower(AVal.Of(DType.F32, b), AVal.Of(DType.F32, b))}");

        var (xs, ys) = Inputs(b);
        // The plain C# answer, written without ArrayLang (f32 math, as the IR computes it).
        var plain = new float[b];
        for (int i = 0; i < b; i++) plain[i] = (float)((double)xs[i] * ys[i]) + (float)Math.Sin(xs[i]);

        (string Name, Func<float[]> Run)[] methods = [("loop", () => Loop(xs, ys)), ("vmap", () => Vmap(xs, ys)), ("jit(vmap)", () => JitVmap(xs, ys))];
        var results = methods.Select(m => m.Run()).ToArray(); // the first call traces and compiles: not timed
        var best = methods.Select(_ => double.PositiveInfinity).ToArray();
        for (int round = 0; round < 3; round++) // methods take turns, so none profits alone from the JIT's later code
            for (int i = 0; i < methods.Length; i++)
            {
                GC.Collect(); // so that no method pays for another's garbage
                GC.WaitForPendingFinalizers();
                var sw = Stopwatch.StartNew();
                methods[i].Run();
                best[i] = Math.Min(best[i], sw.Elapsed.TotalMilliseconds);
            }

        Console.WriteLine($"B = {b} examples; jit compiles for the {DefaultBackend.Instance.Name} backend (DefaultBackend.Instance), vmap runs op by op on {DefaultBackend.Eager.Name}");
        Console.WriteLine("method       time (ms)   speed-up vs loop   time / jit(vmap)   max |error| vs plain C#");
        for (int i = 0; i < methods.Length; i++)
        {
            double err = results[i].Zip(plain, (p, q) => Math.Abs((double)p - q)).Max();
            Console.WriteLine($"{methods[i].Name,-10} {best[i],11:F2} {best[0] / best[i],17:F1}x {best[i] / best[2],17:F2}x   {err:G3}");
        }
        return 0;
    }
}

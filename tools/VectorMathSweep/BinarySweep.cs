namespace ArrayLang.Tools.VectorMathSweep;

/// <summary>
/// Runs a binary function over every pair of a grid of edge values and over random pairs drawn,
/// in equal shares, from four distributions chosen per function (see <see cref="Draw"/>).
/// </summary>
internal static class BinarySweep
{
    private const int Block = 1 << 16;
    private const int ScalarStride = 61;

    /// <summary>Values where the special cases of pow and atan2 live, and their neighbours.</summary>
    public static float[] EdgeValues()
    {
        var positive = new List<float>
        {
            0f, float.Epsilon, 1.1754942e-38f, 1.17549435e-38f, float.MaxValue, float.PositiveInfinity,
            0.5f, 1f, 1.5f, 2f, 2.5f, 3f, 0.25f, 10f, 1e-10f, 1e10f, 0.1f, 1e30f, 1e-30f, MathF.PI, MathF.PI / 2,
            BitConverter.Int32BitsToSingle(0x3f800001), BitConverter.Int32BitsToSingle(0x3f7fffff),
            16777216f, 16777218f, 33554432f, 8388607.5f, 2147483648f, 127f, 128f, 149f, 150f, 126.5f,
        };
        var all = new List<float> { float.NaN };
        foreach (var v in positive) { all.Add(v); all.Add(-v); }
        return [.. all];
    }

    public static Stats Run(BinaryFunction f, int threads, long pairs)
    {
        var total = new Stats();
        var edges = EdgeValues();
        var grid = new Worker(f);
        int n = 0;
        foreach (var a in edges)
            foreach (var b in edges)
            {
                grid.A[n] = a; grid.B[n] = b; n++;
                if (n == Block) { grid.Check(n); n = 0; }
            }
        grid.Check(n);
        total.Merge(grid.Stats);

        long blocks = Math.Max(1, pairs / Block);
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => new Worker(f), (blk, _, w) =>
        {
            var rng = new Random((int)blk * 104729 + 3);
            int category = (int)(blk % 4);
            for (int i = 0; i < Block; i++) (w.A[i], w.B[i]) = Draw(f.Name, category, rng);
            w.Check(Block);
            return w;
        }, w => total.Merge(w.Stats));
        return total;
    }

    private static float RandomBits(Random rng) => BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32));

    private static float RandomFinite(Random rng)
    {
        while (true)
        {
            float v = RandomBits(rng);
            if (float.IsFinite(v)) return v;
        }
    }

    /// <summary>
    /// pow (x, y): 0 any bits; 1 positive x and y with |y log2 x| &lt;= 140 (results in range);
    /// 2 negative x with integer y in range; 3 x within 2^-3 of 1 with large y in range.
    /// atan2 (y, x): 0 any bits; 1 finite x and y = x * r, |r| log-uniform in [2^-40, 2^40];
    /// 2 |y/x| in [1/2, 2] (near the diagonal); 3 tiny and denormal values.
    /// </summary>
    private static (float, float) Draw(string function, int category, Random rng)
    {
        if (function == "pow")
        {
            switch (category)
            {
                case 0: return (RandomBits(rng), RandomBits(rng));
                case 1:
                {
                    float x = MathF.Abs(RandomFinite(rng));
                    double l = Math.Abs(Math.Log2(x));
                    float y = l == 0 ? RandomFinite(rng) : (float)((rng.NextDouble() * 2 - 1) * 140 / l);
                    return (x, y);
                }
                case 2:
                {
                    float x = -MathF.Abs(RandomFinite(rng));
                    double l = Math.Abs(Math.Log2(-(double)x));
                    double limit = l == 0 ? 1000 : Math.Min(1000, 140 / l);
                    return (x, MathF.Round((float)((rng.NextDouble() * 2 - 1) * limit)));
                }
                default:
                {
                    float x = 1 + (float)((rng.NextDouble() * 2 - 1) * 0.125);
                    double l = Math.Abs(Math.Log2(x));
                    float y = l == 0 ? RandomFinite(rng) : (float)((rng.NextDouble() * 2 - 1) * Math.Min(140 / l, 1e9));
                    return (x, y);
                }
            }
        }
        switch (category)
        {
            case 0: return (RandomBits(rng), RandomBits(rng));
            case 1:
            {
                float x = RandomFinite(rng);
                double r = Math.Pow(2, rng.NextDouble() * 80 - 40) * (rng.Next(2) == 0 ? -1 : 1);
                return ((float)(x * r), x);
            }
            case 2:
            {
                float x = RandomFinite(rng);
                double r = Math.Pow(2, rng.NextDouble() * 2 - 1) * (rng.Next(2) == 0 ? -1 : 1);
                return ((float)(x * r), x);
            }
            default:
            {
                static float Tiny(Random rng) => BitConverter.UInt32BitsToSingle((uint)rng.Next(0, 0x02000000) | (rng.Next(2) == 0 ? 0 : 0x80000000));
                return rng.Next(3) switch { 0 => (Tiny(rng), Tiny(rng)), 1 => (Tiny(rng), RandomFinite(rng)), _ => (RandomFinite(rng), Tiny(rng)) };
            }
        }
    }

    private sealed class Worker(BinaryFunction f)
    {
        public readonly float[] A = new float[Block];
        public readonly float[] B = new float[Block];
        public readonly Stats Stats = new();
        private readonly float[] _result = new float[Block];

        public void Check(int n)
        {
            if (n == 0) return;
            f.Vector(A.AsSpan(0, n), B.AsSpan(0, n), _result.AsSpan(0, n));
            for (int i = 0; i < n; i++)
            {
                double exact = f.Reference(A[i], B[i]);
                Stats.Add(A[i], B[i], _result[i], (float)exact, exact, Ulp.IsSpecial(A[i]) || Ulp.IsSpecial(B[i]));
            }
            for (int i = 0; i < n; i += ScalarStride)
            {
                Stats.ScalarChecked++;
                if (BitConverter.SingleToInt32Bits(f.Scalar(A[i], B[i])) != BitConverter.SingleToInt32Bits(_result[i])) Stats.ScalarMismatches++;
            }
        }
    }
}

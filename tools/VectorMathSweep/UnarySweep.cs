namespace ArrayLang.Tools.VectorMathSweep;

/// <summary>Runs a unary function over every float (or a random sample) in blocks of 2^16 inputs.</summary>
internal static class UnarySweep
{
    private const int BlockBits = 16;
    private const int Block = 1 << BlockBits;
    private const int ScalarStride = 61; // every 61st input is also run through the scalar function

    public static Stats Run(UnaryFunction f, int threads, long sample, float maxAbs)
    {
        var total = new Stats();
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        if (sample > 0)
        {
            long blocks = (sample + Block - 1) / Block;
            Parallel.For(0, blocks, options, () => new Worker(f), (b, _, w) =>
            {
                var rng = new Random((int)b * 7919 + 17);
                for (int i = 0; i < Block; i++)
                {
                    uint bits;
                    do bits = (uint)rng.NextInt64(0, 1L << 32);
                    while (!(MathF.Abs(BitConverter.UInt32BitsToSingle(bits)) <= maxAbs) && !float.IsPositiveInfinity(maxAbs));
                    w.Bits[i] = bits;
                }
                w.Run(mirror: false);
                return w;
            }, w => total.Merge(w.Stats));
        }
        else
        {
            // For an odd reference, block b and its mirror (sign bit set) share one reference evaluation.
            int blocks = f.Odd ? 1 << (31 - BlockBits) : 1 << (32 - BlockBits);
            Parallel.For(0, blocks, options, () => new Worker(f), (b, _, w) =>
            {
                uint start = (uint)b << BlockBits;
                for (int i = 0; i < Block; i++) w.Bits[i] = start + (uint)i;
                w.Run(mirror: f.Odd);
                return w;
            }, w => total.Merge(w.Stats));
        }
        return total;
    }

    private sealed class Worker(UnaryFunction f)
    {
        public readonly uint[] Bits = new uint[Block];
        public readonly Stats Stats = new();
        private readonly float[] _x = new float[Block];
        private readonly float[] _result = new float[Block];
        private readonly float[] _reference = new float[Block];
        private readonly double[] _exact = new double[Block];

        public void Run(bool mirror)
        {
            for (int i = 0; i < Block; i++) _x[i] = BitConverter.UInt32BitsToSingle(Bits[i]);
            for (int i = 0; i < Block; i++)
            {
                _exact[i] = Exact(_x[i]);
                _reference[i] = (float)_exact[i];
            }
            Check();
            if (!mirror) return;
            for (int i = 0; i < Block; i++)
            {
                _x[i] = -_x[i];
                _reference[i] = -_reference[i];
                _exact[i] = -_exact[i];
            }
            Check();
        }

        // The reference's exact value; Fast where it cannot change the rounded result (UnaryFunction.Fast).
        private double Exact(float x)
        {
            if (f.Fast is null || Ulp.IsSpecial(x)) return f.Reference(x);
            double fast = f.Fast(x);
            if (!double.IsFinite(fast) || Ulp.NearMidpoint(fast)) return f.Reference(x);
            return fast;
        }

        private void Check()
        {
            f.Vector(_x, _result);
            for (int i = 0; i < Block; i++) Stats.Add(_x[i], 0, _result[i], _reference[i], _exact[i], Ulp.IsSpecial(_x[i]));
            for (int i = 0; i < Block; i += ScalarStride)
            {
                Stats.ScalarChecked++;
                if (BitConverter.SingleToInt32Bits(f.Scalar(_x[i])) != BitConverter.SingleToInt32Bits(_result[i])) Stats.ScalarMismatches++;
            }
        }
    }
}

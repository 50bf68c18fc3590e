namespace ArrayLang.Primitives;

/// <summary>
/// The Threefry-2x32 block cipher with 20 rounds (Salmon et al., "Parallel random numbers: as easy
/// as 1, 2, 3", the Random123 library), as the randomness primitives use it: a key of two 32-bit
/// words encrypts a counter of two 32-bit words. Laid out as JAX's partitionable mode: element
/// <c>i</c> of a result uses the counter <c>(hi32(i), lo32(i))</c>. Backends reuse this class so
/// that every one of them draws the same numbers.
/// </summary>
public static class Threefry
{
    /// <summary>The key schedule's parity constant (Skein's <c>C240</c> for 32-bit words).</summary>
    public const uint KeyParity = 0x1BD11BDA;

    /// <summary>The rotation distances of rounds 0..7, repeated every 8 rounds.</summary>
    public static readonly IReadOnlyList<int> Rotations = [13, 15, 26, 6, 17, 29, 16, 24];

    /// <summary>
    /// Encrypts the counter <c>(x0, x1)</c> under the key <c>(key0, key1)</c>: 20 rounds of
    /// add-rotate-xor, with the key schedule injected before the first round and after every
    /// fourth. Known answer: key <c>(0, 0)</c>, counter <c>(0, 0)</c> gives
    /// <c>(0x6b200159, 0x99ba4efe)</c>.
    /// </summary>
    public static (uint X0, uint X1) Hash(uint key0, uint key1, uint x0, uint x1)
    {
        Span<uint> ks = [key0, key1, KeyParity ^ key0 ^ key1];
        unchecked
        {
            x0 += ks[0];
            x1 += ks[1];
            for (int round = 0; round < 20; round++)
            {
                x0 += x1;
                x1 = (x1 << Rotations[round % 8]) | (x1 >> (32 - Rotations[round % 8]));
                x1 ^= x0;
                if (round % 4 == 3)
                {
                    int s = (round + 1) / 4; // the s-th key injection
                    x0 += ks[s % 3];
                    x1 += ks[(s + 1) % 3] + (uint)s;
                }
            }
        }
        return (x0, x1);
    }

    /// <summary>The two words for result element <paramref name="index"/> (row-major): the hash of
    /// the counter <c>(hi32(index), lo32(index))</c>.</summary>
    public static (uint B1, uint B2) Block(uint key0, uint key1, long index) =>
        Hash(key0, key1, (uint)((ulong)index >> 32), (uint)index);

    /// <summary><c>random_bits</c>'s value for element <paramref name="index"/>: <c>b1 ^ b2</c>.</summary>
    public static uint Bits32(uint key0, uint key1, long index)
    {
        var (b1, b2) = Block(key0, key1, index);
        return b1 ^ b2;
    }

    /// <summary>An f32 in <c>[0, 1)</c> from 32 random bits: the top 23 bits as the mantissa of a
    /// float in <c>[1, 2)</c>, minus 1 (<c>bitcast((bits &gt;&gt;&gt; 9) | 0x3F800000) - 1</c>).</summary>
    public static float UniformF32(uint bits) => BitConverter.UInt32BitsToSingle((bits >> 9) | 0x3F800000u) - 1f;

    /// <summary>An f64 in <c>[0, 1)</c> from the two words of a block: the top 52 bits of
    /// <c>(b1 &lt;&lt; 32) | b2</c> as the mantissa of a double in <c>[1, 2)</c>, minus 1.</summary>
    public static double UniformF64(uint b1, uint b2) =>
        BitConverter.UInt64BitsToDouble(((((ulong)b1 << 32) | b2) >> 12) | 0x3FF0000000000000UL) - 1.0;
}

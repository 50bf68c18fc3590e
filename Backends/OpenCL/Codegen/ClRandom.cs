using System.Text;
using ArrayLang.Compile.Lowering;
using ArrayLang.Ir;
using ArrayLang.Primitives;

namespace ArrayLang.Backends.OpenCL.Codegen;

// Note [opencl random kernels]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// random_bits, random_split and random_uniform run on the device, one work-item per Threefry block:
// per output element for bits and uniform, per new key (row of two words) for split. Work-item gid
// of a result with R key rows and n elements per key takes key row gid / n and counter
// i = gid % n as (hi32(i), lo32(i)), IR.md's layout. al_threefry is Core's Threefry.Hash (20
// rounds, the same rotations, parity constant and key injections, generated from Core's
// constants) in 32-bit unsigned arithmetic, which wraps in OpenCL C as in C#, so every word equals
// the reference's; the f32 and f64 uniforms are the same bit casts and one exact subtraction.

internal static partial class ClLibrary
{
    /// <summary>Threefry-2x32 with 20 rounds, unrolled from Core's <see cref="Threefry"/> constants.</summary>
    private static void AddThreefry()
    {
        var sb = new StringBuilder();
        sb.Append("// Threefry-2x32, 20 rounds (Note [opencl random kernels]).\n");
        sb.Append("void al_threefry(uint k0, uint k1, uint x0, uint x1, uint* o0, uint* o1) {\n");
        sb.Append($"  uint ks[3] = {{ k0, k1, 0x{Threefry.KeyParity:X8}u ^ k0 ^ k1 }};\n");
        sb.Append("  x0 += ks[0];\n  x1 += ks[1];\n");
        for (int round = 0; round < 20; round++)
        {
            sb.Append($"  x0 += x1; x1 = rotate(x1, {Threefry.Rotations[round % 8]}u); x1 ^= x0;\n");
            if (round % 4 == 3)
            {
                int s = (round + 1) / 4;
                sb.Append($"  x0 += ks[{s % 3}]; x1 += ks[{(s + 1) % 3}] + {s}u;\n");
            }
        }
        sb.Append("  *o0 = x0;\n  *o1 = x1;\n}");
        Add("al_threefry", sb.ToString());
    }
}

internal sealed partial class ClProgramCompiler
{
    private bool TryRandom(PrimitiveKernel k)
    {
        switch (k.Params)
        {
            case RandomBitsParams p:
                RandomBlocks(k, new Shape(p.Shape).ElementCount, "(int)(w1 ^ w2)", 1);
                return true;
            case RandomUniformParams p:
                RandomBlocks(k, new Shape(p.Shape).ElementCount, p.DType == DType.F32
                    ? "as_float(((w1 ^ w2) >> 9) | 0x3F800000u) - 1.0f"
                    : "as_double(((((ulong)w1 << 32) | (ulong)w2) >> 12) | 0x3FF0000000000000ul) - 1.0", 1);
                return true;
            case RandomSplitParams p:
                RandomBlocks(k, p.Count, null, 2);
                return true;
        }
        return false;
    }

    /// <summary>
    /// One work-item per Threefry block (Note [opencl random kernels]): <paramref name="perKey"/>
    /// blocks per key row; each writes <paramref name="value"/> (of the words <c>w1</c>, <c>w2</c>: IR.md's b1, b2), or both
    /// words when <paramref name="value"/> is null (<c>random_split</c>, <paramref name="width"/> 2).
    /// </summary>
    private void RandomBlocks(PrimitiveKernel k, long perKey, string? value, int width)
    {
        long keys = k.InputTypes[0].Shape.ElementCount / 2;
        long blocks = keys * perKey;
        if (blocks == 0) return;
        _src.Use("al_threefry");
        var f = NewFrame(k.Primitive.Name);
        string key = f.Buf(k.Inputs[0]), o = f.Buf(k.Outputs[0]);
        f.Line($"{_idx} gid = get_global_id(0);");
        f.Line($"if (gid >= {blocks}) return;");
        f.Line($"{_idx} row = gid / {perKey};");
        f.Line($"ulong i = (ulong)(gid - row * {perKey});");
        f.Line("uint w1, w2;");
        f.Line($"al_threefry((uint){key}[2 * row], (uint){key}[2 * row + 1], (uint)(i >> 32), (uint)i, &w1, &w2);");
        if (value is null)
        {
            f.Line($"{o}[{width} * gid] = (int)w1;");
            f.Line($"{o}[{width} * gid + 1] = (int)w2;");
        }
        else f.Line($"{o}[gid] = {value};");
        Finish(f, RoundUp(blocks, LocalSize), LocalSize);
    }
}

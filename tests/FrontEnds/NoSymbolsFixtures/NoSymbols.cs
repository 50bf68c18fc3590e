using ArrayLang.CSharp;
using ArrayLang.Ir;
using ArrayLang.Tracing;

namespace FrontEnds.NoSymbolsFixtures;

/// <summary>Errors in an assembly without symbols; the tests find each marked line in this file.</summary>
public static class NoSymbols
{
    /// <summary>Shapes that do not broadcast, inside a function given to Fn.Of.</summary>
    public static Function Mismatch() =>
        Fn.Of((Tensor x, Tensor y) => x * y) // FN.OF LINE
            .Lower(AVal.Of(DType.F32, 3), AVal.Of(DType.F32, 2));

    /// <summary>A scan step whose carry changes type, inside Control.Scan.</summary>
    public static Function BadScan() =>
        Fn.Of((Tensor h, Tensor xs) =>
            Control.Scan((c, x) => (c.Sum(), x), h, xs) // SCAN LINE
                .Carry)
            .Lower(AVal.Of(DType.F32, 2), AVal.Of(DType.F32, 4, 2));
}

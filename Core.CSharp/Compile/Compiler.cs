using ArrayLang.Compile.Lowering;

namespace ArrayLang.Compile;

/// <summary>
/// The compile pipeline every backend shares: type check, expand user-defined primitives, run the
/// passes, lower to fused kernels. A backend compiles the <see cref="LoweredProgram"/> it returns.
/// </summary>
public static class Compiler
{
    /// <summary>Lowers <paramref name="function"/> with <paramref name="options"/> (the defaults when null).</summary>
    public static LoweredProgram Lower(Ir.Function function, CompileOptions? options = null)
    {
        options ??= CompileOptions.Default;
        Ir.TypeChecker.Check(function);
        var expanded = Primitives.CustomPrimitives.Expand(function);
        var optimized = options.Passes.Run(expanded);
        return Lowering.Lowering.Lower(optimized, options.Lowering);
    }
}

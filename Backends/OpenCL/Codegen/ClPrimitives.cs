using ArrayLang.Compile.Lowering;

namespace ArrayLang.Backends.OpenCL.Codegen;

internal sealed partial class ClProgramCompiler
{
    private bool TryDevicePrimitive(PrimitiveKernel k) => false;
}

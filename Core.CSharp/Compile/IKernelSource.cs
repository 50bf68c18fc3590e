using ArrayLang.Ir;

namespace ArrayLang.Compile;

/// <summary>
/// A backend that generates source code for its kernels (OpenCL C, PTX) and can show it:
/// <c>arraylang kernels FILE --backend NAME</c> prints it. Backends without generated code show
/// their lowered program instead.
/// </summary>
public interface IKernelSource
{
    /// <summary>The generated code this backend would compile for <paramref name="function"/>.</summary>
    string KernelSource(Function function);
}

using System.Runtime.CompilerServices;

namespace ArrayLang.Ir;

/// <summary>
/// How deep IR may nest, and the stack check every recursive walk over it makes.
/// Note [nesting depth]: the parser, the type checker, the printer, vmap, the reference evaluator
/// and the passes each recurse once per level of sub-function nesting (a scan inside a scan's
/// body), so a deep enough input would overflow the thread's stack, which .NET cannot catch: the
/// process aborts with no message. Two rules keep that from happening. (1) No <see cref="Function"/>
/// nests deeper than <see cref="MaxFunctionDepth"/> levels (the constructor refuses, and the parser
/// refuses first with the line), and no parameter value deeper than <see cref="MaxParamDepth"/>;
/// so every walk is bounded however the IR was made. (2) Each recursive walk calls
/// <see cref="EnsureStack"/> once per level, which turns a stack that runs short anyway (a thread
/// with a small stack, a walk with large frames) into a <see cref="NestingException"/>. The command
/// line runs on a thread with a large stack, so there every program within the limits runs.
/// </summary>
public static class Nesting
{
    /// <summary>The deepest sub-function nesting a function may have (a function with no
    /// sub-functions has depth 1).</summary>
    public const int MaxFunctionDepth = 1024;

    /// <summary>The deepest nesting of lists and tuples in a parameter value (no primitive takes more than 2).</summary>
    public const int MaxParamDepth = 32;

    /// <summary>
    /// Throws a <see cref="NestingException"/> when the current thread's stack is close to running
    /// out; <paramref name="what"/> says which walk was under way (e.g. "type-checking function f").
    /// </summary>
    public static void EnsureStack(string what)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack()) throw StackExhausted(what);
    }

    /// <summary>The error <see cref="EnsureStack"/> throws.</summary>
    public static NestingException StackExhausted(string what) =>
        new($"{what}: the program nests too deeply for this thread's stack (sub-functions may nest up to " +
            $"{MaxFunctionDepth} levels, but each level takes stack); run it on a thread with a larger stack " +
            "(new Thread(work, maxStackSize)) or nest less");
}

/// <summary>The IR nests deeper than <see cref="Nesting"/>'s limits or than the thread's stack allows.</summary>
public sealed class NestingException : IrException
{
    /// <summary>Creates the error.</summary>
    public NestingException(string message) : base(message) { }
}

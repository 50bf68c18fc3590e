using System.Diagnostics;
using ArrayLang.Ir;

namespace ArrayLang.Tracing;

/// <summary>
/// Finds the user's source line for an error raised while tracing. Note [user source line]: C#
/// operators cannot take <c>[CallerLineNumber]</c>, so the line is the first stack frame whose method
/// is outside ArrayLang's own assemblies, read from its portable PDB. Where that frame has no file
/// information (the user's assembly was built without symbols), the line is that of the innermost API
/// call that took caller information and is tracing now (<c>Fn.Of</c>, <c>Control.Scan</c>, ...; see
/// <see cref="Calling"/>), which needs no symbols.
/// </summary>
public static class UserSource
{
    private static readonly HashSet<string> OwnAssemblies = ["ArrayLang.Core", "ArrayLang.FSharp", "ArrayLang.CSharp", "ArrayLang.FsCheck", "FSharp.Core"];

    [ThreadStatic] private static List<(SourceLocation Location, bool RunsUserCode)>? _callers;

    /// <summary>The user's line (see the class), or null. Inside an API call that runs no user code
    /// (<see cref="CallingLeaf"/>), its caller information, whatever the stack says.</summary>
    public static SourceLocation? Find() =>
        _callers is { Count: > 0 } c && !c[^1].RunsUserCode ? c[^1].Location : FirstUserFrame(new StackTrace(1, fNeedFileInfo: true));

    /// <summary>
    /// The user's line in <paramref name="trace"/>: the first frame outside ArrayLang, FSharp.Core and
    /// the BCL when it has file information; when it has none (its assembly has no symbols), the
    /// innermost caller location given to <see cref="Calling"/>, or else the next frame that has file
    /// information; null when there is none.
    /// </summary>
    public static SourceLocation? FirstUserFrame(StackTrace trace)
    {
        bool first = true;
        foreach (var frame in trace.GetFrames())
        {
            var asm = frame.GetMethod()?.DeclaringType?.Assembly.GetName().Name;
            if (asm is null || OwnAssemblies.Contains(asm) || asm.StartsWith("System", StringComparison.Ordinal)) continue;
            var file = frame.GetFileName();
            if (file is not null) return new SourceLocation(file, frame.GetFileLineNumber(), frame.GetFileColumnNumber());
            if (first && Caller is { } caller) return caller;
            first = false;
        }
        return Caller;
    }

    /// <summary>The innermost caller location of the API calls running on this thread, or null.</summary>
    public static SourceLocation? Caller => _callers is { Count: > 0 } c ? c[^1].Location : null;

    /// <summary>
    /// Marks the user's code traced until the result is disposed as called from
    /// <paramref name="file"/>:<paramref name="line"/> (the caller information of a front-end method), the
    /// line errors name when the user's assembly has no symbols. An empty file adds nothing.
    /// </summary>
    public static IDisposable Calling(string file, int line) => Push(file, line, runsUserCode: true);

    /// <summary>
    /// <see cref="Calling"/> for an API call that runs no user code (an F# slice expression): an error
    /// raised inside it comes from that very call, so <see cref="Find"/> names its caller information
    /// even when the stack has file information. The stack may not have the caller's frame at all: an
    /// optimized F# build leaves a function whose last expression is the call by a tail call.
    /// </summary>
    public static IDisposable CallingLeaf(string file, int line) => Push(file, line, runsUserCode: false);

    private static IDisposable Push(string file, int line, bool runsUserCode)
    {
        if (string.IsNullOrEmpty(file)) return Scope.None;
        (_callers ??= []).Add((new SourceLocation(file, line), runsUserCode));
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        public static readonly IDisposable None = new NoScope();
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _callers!.RemoveAt(_callers.Count - 1);
        }
    }

    private sealed class NoScope : IDisposable
    {
        public void Dispose() { }
    }
}

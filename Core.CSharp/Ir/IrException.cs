namespace ArrayLang.Ir;

/// <summary>The base of every error ArrayLang reports to a user.</summary>
public class IrException : Exception
{
    /// <summary>Creates an error with a message a user can act on.</summary>
    public IrException(string message) : base(message) { }
    /// <summary>Creates an error wrapping another.</summary>
    public IrException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// A size the machine or .NET cannot hold was reached at run time (intermediates larger than one
/// array, memory a device does not have). The message names the size, the limit and the way out
/// (computing a batch in chunks, a smaller input).
/// </summary>
public sealed class ResourceLimitException : IrException
{
    /// <summary>Creates the error.</summary>
    public ResourceLimitException(string message) : base(message) { }
}

/// <summary>An ill-typed equation or function: the message names the primitive, the expected and the found types.</summary>
public class TypeError : IrException
{
    /// <summary>Creates a type error.</summary>
    public TypeError(string message) : base(message) { }
}

/// <summary>A primitive's static params are missing, unknown or ill-formed.</summary>
public sealed class ParamException : IrException
{
    /// <summary>Creates a params error.</summary>
    public ParamException(string message) : base(message) { }
}

/// <summary>The IR text could not be parsed; carries the line and column.</summary>
public sealed class ParseException : IrException
{
    /// <summary>Creates a parse error at a 1-based line and column.</summary>
    public ParseException(int line, int column, string message)
        : base($"line {line}, column {column}: {message}") { Line = line; Column = column; }

    /// <summary>1-based line of the error.</summary>
    public int Line { get; }

    /// <summary>1-based column of the error.</summary>
    public int Column { get; }
}

/// <summary>Where an equation came from: a line of an .ir file or a line of the user's traced code.</summary>
public sealed record SourceLocation(string File, int Line, int Column = 0)
{
    /// <summary><c>file:line</c> or <c>file:line:column</c>.</summary>
    public override string ToString() => Column > 0 ? $"{File}:{Line}:{Column}" : $"{File}:{Line}";
}

using System.Text;
using ArrayLang.Transforms;

namespace ArrayLang.Cli;

public static partial class CliMain
{
    /// <summary>The largest .ir file the command reads (64 MiB): far beyond any real program, and a
    /// stream without end (<c>/dev/zero</c>) stops here instead of filling memory.</summary>
    public const int MaxIrFileBytes = 64 << 20;

    /// <summary>A memory budget under this many bytes is almost surely a mistake in the unit.</summary>
    public const long SmallBudgetBytes = 1024;

    /// <summary>The text of <paramref name="path"/>, read as UTF-8; a <see cref="UsageException"/>
    /// when it holds more than <see cref="MaxIrFileBytes"/>.</summary>
    private static string ReadCapped(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
        var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > MaxIrFileBytes)
                throw new UsageException($"{path} is larger than {MaxIrFileBytes >> 20} MiB, the most an .ir file may hold (is it an .ir file?)");
            buffer.Write(chunk, 0, n);
        }
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(buffer.GetBuffer(), 0, (int)buffer.Length).TrimStart('\uFEFF');
    }

    /// <summary>What is wrong with a <c>--memory-budget</c>, or null: a budget under a kilobyte, or
    /// one that a single example already exceeds (the chunks hold one example and still go over).</summary>
    internal static string? BudgetWarning(ChunkPlan plan)
    {
        long oneExample = plan.FixedBytes + plan.BytesPerExample;
        if (oneExample > plan.BudgetBytes)
            return $"--memory-budget {plan.BudgetBytes} bytes is less than one example needs ({oneExample} bytes); " +
                   "running one example at a time, which still goes over it (the budget is in bytes)";
        if (plan.BudgetBytes < SmallBudgetBytes)
            return $"--memory-budget {plan.BudgetBytes} is under {SmallBudgetBytes} bytes; the budget is in bytes (e.g. 268435456 for 256 MiB)";
        return null;
    }

    /// <summary>The one line for a run-time limit that is not an ArrayLang error: memory ran out.</summary>
    private static string OutOfMemoryMessage(OutOfMemoryException e) =>
        e is InsufficientMemoryException
            ? e.Message
            : "out of memory: the program needs more memory than this machine gives it; compute a vmapped batch in parts " +
              "(--chunk K or --memory-budget BYTES) or give smaller inputs";
}

using ArrayLang.Npy;
using ArrayLang.Values;

namespace ArrayLang.Cli;

/// <summary>
/// The result files of one <c>run</c>, written all or nothing. Note [atomic outputs]: every
/// <c>--out</c> path is checked before any computation (distinct once normalized, not a
/// directory, in a directory that exists), and a temporary file is created beside each one at
/// once, which proves the directory writable. Results go to the temporary files; only when every
/// result is written are they renamed over the targets, each rename atomic. A run that fails
/// (a bad input, an error in the program, a full disk while writing) deletes its temporary files
/// and leaves every existing file as it was. The renames themselves come last and cannot fail for
/// want of space; were one to fail (the directory made read-only meanwhile), the files renamed
/// before it keep their new contents.
/// </summary>
internal sealed class OutputFiles : IDisposable
{
    private readonly List<string> _targets;
    private readonly List<string> _temps = [];
    private bool _committed;

    private OutputFiles(List<string> targets) => _targets = targets;

    /// <summary>The targets as given on the command line.</summary>
    public IReadOnlyList<string> Targets => _targets;

    /// <summary>Checks <paramref name="paths"/> and creates a temporary file beside each; throws a
    /// <see cref="UsageException"/> naming the first bad path.</summary>
    public static OutputFiles Prepare(IReadOnlyList<string> paths)
    {
        // Linux file names are case-sensitive; Windows and macOS (by default) are not.
        var comparer = OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;
        var seen = new Dictionary<string, string>(comparer);
        foreach (var p in paths)
        {
            var full = Canonical(p);
            if (seen.TryGetValue(full, out var earlier))
                throw new UsageException(earlier == p
                    ? $"--out {p} is given twice; each result needs its own file"
                    : $"--out {earlier} and {p} are the same file; each result needs its own file");
            seen[full] = p;
            if (Directory.Exists(full)) throw new UsageException($"--out {p} is a directory; give a file name such as {Path.Combine(p, "result.npy")}");
            var dir = Path.GetDirectoryName(full);
            if (dir is null || !Directory.Exists(dir))
                throw new UsageException($"--out {p}: the directory {dir ?? p} does not exist (create it first)");
        }

        var files = new OutputFiles(paths.ToList());
        try
        {
            foreach (var p in paths) files._temps.Add(CreateTemp(p));
        }
        catch
        {
            files.Dispose();
            throw;
        }
        return files;
    }

    /// <summary>Writes every result to its temporary file, then renames them all over the targets.</summary>
    public void WriteAll(IReadOnlyList<NDArray> results)
    {
        if (results.Count != _targets.Count) throw new ArgumentException($"{results.Count} results for {_targets.Count} files");
        for (int j = 0; j < results.Count; j++)
        {
            try { NpyFile.Write(_temps[j], results[j]); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NpyException)
            {
                throw new IOException($"writing result {j + 1} for {_targets[j]} failed, so no result was written and every existing file is unchanged: {e.Message}", e);
            }
        }
        for (int j = 0; j < results.Count; j++) File.Move(_temps[j], _targets[j], overwrite: true);
        _committed = true;
    }

    /// <summary>Deletes the temporary files that were not renamed.</summary>
    public void Dispose()
    {
        if (_committed) return;
        foreach (var t in _temps)
        {
            try { File.Delete(t); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort: the run already failed */ }
        }
    }

    // The full path with a symbolic link to an existing file resolved, so that two names of one file compare equal.
    private static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            if (File.Exists(full) && new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target)
                return target.FullName;
        }
        catch (IOException) { /* a broken or cyclic link: compare by name */ }
        return full;
    }

    private static string CreateTemp(string target)
    {
        var full = Path.GetFullPath(target);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.arraylang-tmp");
        try
        {
            using (new FileStream(temp, FileMode.CreateNew, FileAccess.Write)) { }
            return temp;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--out {target}: cannot write in {Path.GetDirectoryName(full)} ({e.Message})");
        }
    }
}

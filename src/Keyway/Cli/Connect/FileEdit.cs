namespace Keyway.Cli.Connect;

/// <summary>Writes a file only when its content changes and says what happened, so running connect twice changes nothing.</summary>
public static class FileEdit
{
    /// <returns>"created", "updated" or "unchanged".</returns>
    public static string Write(string path, string content, bool privateFile = false)
    {
        var existing = File.Exists(path) ? File.ReadAllText(path) : null;
        if (existing == content)
        {
            return "unchanged";
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (privateFile && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return existing is null ? "created" : "updated";
    }

    /// <summary>Adds <paramref name="entry"/> to a .gitignore unless a line already says it.</summary>
    public static string IgnoreInGit(string gitignore, string entry)
    {
        var lines = File.Exists(gitignore) ? File.ReadAllLines(gitignore) : [];
        if (lines.Any(line => line.Trim() == entry || line.Trim() == "/" + entry))
        {
            return "unchanged";
        }
        var text = File.Exists(gitignore) ? File.ReadAllText(gitignore) : "";
        var separator = text.Length == 0 || text.EndsWith('\n') ? "" : "\n";
        return Write(gitignore, text + separator + entry + "\n");
    }
}

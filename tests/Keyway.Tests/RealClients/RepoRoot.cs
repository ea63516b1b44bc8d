namespace Keyway.Tests.RealClients;

/// <summary>The repository's root: the nearest directory above the test binaries that holds Keyway.sln.</summary>
public static class RepoRoot
{
    private static readonly Lazy<string> Located = new(Locate);

    public static string Path => Located.Value;

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Keyway.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Keyway.sln above {AppContext.BaseDirectory}.");
    }
}

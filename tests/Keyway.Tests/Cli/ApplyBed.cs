using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>
/// What the apply/export tests share: a gateway with a data dir of its own, the CLI on it working in a temp dir, and
/// the keyway.yaml there that a test writes and applies. The round trip, export into a file and apply it back as no
/// changes, is <see cref="ExportAsync"/> then <see cref="AssertNoChangesAsync"/>.
/// </summary>
public sealed class ApplyBed : IAsyncDisposable
{
    public const string NoChanges = "no changes: the gateway matches the file";

    private readonly TempDirectory _dir;

    private ApplyBed(TempDirectory dir, KeywayServer server, CliRunner cli) => (_dir, Server, Cli) = (dir, server, cli);

    public KeywayServer Server { get; }

    public CliRunner Cli { get; }

    /// <summary>The CLI's working directory, where the test's files go.</summary>
    public string Directory => _dir.Path;

    /// <summary>keyway.yaml in <see cref="Directory"/>.</summary>
    public string File => Path.Combine(_dir.Path, "keyway.yaml");

    /// <param name="environment">The CLI's environment, for the ${VARIABLES} a file names.</param>
    public static async Task<ApplyBed> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var dir = new TempDirectory();
        var server = await KeywayServer.StartAsync(System.IO.Directory.CreateDirectory(Path.Combine(dir.Path, "data")).FullName);
        return new ApplyBed(dir, server, new CliRunner(server, dir.Path, environment));
    }

    /// <summary>Writes <see cref="File"/>.</summary>
    public Task WriteAsync(string yaml) => System.IO.File.WriteAllTextAsync(File, yaml);

    /// <summary>Writes <see cref="File"/> and applies it, asserting that apply succeeded.</summary>
    public async Task<CliRunner.Result> ApplyAsync(string yaml)
    {
        await WriteAsync(yaml);
        var applied = await Cli.RunAsync("apply", File);
        Assert.True(applied.ExitCode == 0, applied.Error);
        return applied;
    }

    /// <summary>Applies <paramref name="file"/> (with <paramref name="options"/>) and asserts it changed nothing.</summary>
    public async Task AssertNoChangesAsync(string file, params string[] options)
    {
        var again = await Cli.RunAsync(["apply", file, .. options]);
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Equal(NoChanges, again.Out.Trim());
    }

    /// <summary>`export` (with <paramref name="options"/>) into exported.yaml in <see cref="Directory"/>; its path.</summary>
    public async Task<string> ExportAsync(params string[] options)
    {
        var exported = Path.Combine(_dir.Path, "exported.yaml");
        Assert.Equal(0, (await Cli.RunAsync(["export", .. options, "--out", exported])).ExitCode);
        return exported;
    }

    /// <summary>The changes an `apply --json` answer lists.</summary>
    public static IEnumerable<string?> Changes(JsonElement applied) => applied.GetProperty("changes").EnumerateArray().Select(c => c.GetString());

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}

namespace Keyway.Tests.Cli;

/// <summary>
/// A dry run refuses what the admin API would refuse from the file alone, with the API's own text naming the item: it
/// said "ok" for a file that the real apply then stopped halfway through.
/// </summary>
public sealed class ApplyDryRunRefusalTests
{

    public static TheoryData<string, string, string> RefusedFiles => new()
    {
        {
            Group(Provider("https://api.example.com", ", extra_headers: { Content-Length: '3' }")),
            "provider team-a/up",
            "extra_headers.Content-Length cannot be set: the HTTP client writes it for each request"
        },
        {
            Group(Provider("'https://user:pass@api.example.com'", "")),
            "provider team-a/up",
            "base_url must not carry credentials (user:password@)"
        },
        {
            Group(Provider("https://api.example.com", "")
                + "    routes:\n      - { alias: chat, provider_id: up, upstream_model: m, allowed_paths: ['v1/embeddings'] }\n"),
            "route team-a/chat",
            "allowed_paths: 'v1/embeddings' is not a path glob"
        },
    };

    [Theory]
    [MemberData(nameof(RefusedFiles))]
    public async Task DryRun_RefusesWithTheApiMessage_AsTheRealApplyDoes(string yaml, string item, string message)
    {
        await using var bed = await ApplyBed.StartAsync();
        await bed.WriteAsync(yaml);

        var dry = await bed.Cli.RunAsync("apply", bed.File, "--dry-run");
        var real = await bed.Cli.RunAsync("apply", bed.File);

        Assert.True(dry.ExitCode == 1, $"exit {dry.ExitCode}: {dry.Out}{dry.Error}");
        Assert.Contains($"{item}: {message}", dry.Error);
        Assert.Equal(1, real.ExitCode);
        Assert.Contains(message, real.Error);
    }

    private static string Provider(string baseUrl, string extra) =>
        $"      - {{ provider_id: up, base_url: {baseUrl}, api_keys: [{{ name: k, api_key: sk-test-123456789 }}]{extra} }}\n";

    private static string Group(string items) => $"groups:\n  - group_id: team-a\n    providers:\n{items}";
}

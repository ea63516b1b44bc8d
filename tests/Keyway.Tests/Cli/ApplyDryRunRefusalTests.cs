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
        {
            Group("      - { provider_id: up, base_url: https://api.example.com, api_keys: [{ name: a, api_key: sk-dup-123456789 }, { name: b, api_key: sk-dup-123456789 }] }\n"),
            "provider team-a/up",
            "api_keys gives one api_key twice: as key 'a' and as key 'b'"
        },
        {
            $"groups:\n  - group_id: team-a\n    name: {LongName}\n",
            "group team-a",
            "name must be at most 128 characters"
        },
        {
            GroupWith("    keys:\n      - { name: k, expires_at: '2020-01-02T03:04:05Z' }\n"),
            "key team-a/k",
            "expires_at must be in the future: 2020-01-02T03:04:05Z has passed"
        },
        {
            GroupWith("    keys:\n      - { name: k, rpm: 0 }\n"),
            "key team-a/k",
            "rpm must be an integer from 1 to 10000000"
        },
        {
            GroupWith("    tool_providers:\n      - { tool_id: t, name: T, api_key: tvly-123456789, config: 5 }\n"),
            "tool provider team-a/t",
            "config must be a JSON object"
        },
        {
            Group(Provider("https://api.example.com", "") + $"    routes:\n      - {{ alias: {LongAlias}, provider_id: up, upstream_model: m }}\n"),
            $"route team-a/{LongAlias}",
            "alias must be at most 128 characters"
        },
        {
            Group(Provider("https://api.example.com", "") + $"    routes:\n      - {{ alias: chat, provider_id: up, upstream_model: {new string('m', 257)} }}\n"),
            "route team-a/chat",
            "upstream_model must be at most 256 characters"
        },
        {
            Group(Provider("https://api.example.com", "")
                + "    routes:\n      - { alias: chat, provider_id: up, upstream_model: m, fallbacks: [{ provider_id: up, enabled: 'yes' }] }\n"),
            "fallbacks team-a/chat",
            "enabled must be true or false"
        },
        {
            Group(Provider("https://api.example.com", "") + "    routes:\n      - { alias: chat, provider_id: up, upstream_model: m }\n"
                + "    unified: { alias: u }\n"),
            "unified team-a/u",
            "route_alias or route_id is required"
        },
    };

    private static readonly string LongName = new('n', 129);

    private static readonly string LongAlias = new('a', 129);

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

    private static string Group(string items) => GroupWith($"    providers:\n{items}");

    private static string GroupWith(string collections) => $"groups:\n  - group_id: team-a\n{collections}";
}

using System.Text.RegularExpressions;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Security;

/// <summary>The admin UI's pages and modules come with a CSP that allows no inline script and no framing, and no-sniff.</summary>
public sealed partial class SecurityHeadersTests
{
    [Theory]
    [InlineData("")]
    [InlineData("ui/app.js")]
    [InlineData("ui/app.css")]
    public async Task UiFiles_CarryTheSecurityHeaders(string path)
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        using var response = await server.Http.GetAsync(path);

        response.EnsureSuccessStatusCode();
        var csp = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(directive => directive.Split(' ')[0], directive => directive);
        Assert.Equal("default-src 'none'", directives["default-src"]);
        Assert.Equal("script-src 'self'", directives["script-src"]);
        Assert.Equal("frame-ancestors 'none'", directives["frame-ancestors"]);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task IndexPage_HasNoInlineScriptOrHandler_SoTheCspNeedsNone()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        var html = await server.Http.GetStringAsync("");

        var scripts = ScriptTag().Matches(html);
        Assert.NotEmpty(scripts);
        Assert.All(scripts, script =>
        {
            Assert.Contains(" src=\"/ui/", script.Groups["open"].Value);
            Assert.True(script.Groups["body"].Value.Trim().Length == 0, $"inline script: {script.Value}");
        });
        Assert.DoesNotMatch(InlineHandler(), html);
    }

    [GeneratedRegex(@"<script(?<open>[^>]*)>(?<body>.*?)</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandler();
}

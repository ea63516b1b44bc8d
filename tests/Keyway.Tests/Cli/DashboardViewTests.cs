using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Keyway.Cli.Tui;
using Spectre.Console.Testing;

namespace Keyway.Tests.Cli;

/// <summary>
/// The dashboard laid out for the terminal it is drawn in: a short terminal gives up the hour bars first, then older
/// requests and listed keys, and never the totals, the newest request, or the count of what it no longer lists.
/// </summary>
public sealed partial class DashboardViewTests
{
    private const int Providers = 12;

    [Theory]
    [InlineData(80, 24)]
    [InlineData(120, 30)]
    [InlineData(60, 16)]
    public void ShortTerminal_FrameFits_KeepingTotalsNewestRequestAndACountOfEverythingLeftOut(int width, int height)
    {
        var screen = Draw(Busy(), width, height);

        Assert.True(screen.Count <= height, $"{screen.Count} lines in a {height}-line terminal:\n{string.Join('\n', screen)}");
        Assert.All(screen, line => Assert.True(line.TrimEnd().Length <= width, $"wider than the terminal: {line}"));
        Assert.Equal(TuiDriver.TitleRule("dashboard", width), screen[0]);
        Assert.StartsWith("r refresh now", screen[^1]);
        Assert.Contains(screen, line => line.Contains("1,234", StringComparison.Ordinal) && line.Contains("57", StringComparison.Ordinal));
        Assert.Contains(screen, line => line.Contains("newest-", StringComparison.Ordinal) && line.Contains(" 200 ", StringComparison.Ordinal));
        Assert.Equal(Providers, ListedKeys(screen) + MoreKeys(screen));
        var requestsTitle = Assert.Single(screen, line => line.StartsWith("last requests", StringComparison.Ordinal));
        var failures = FailedRequests(screen);
        Assert.Equal(failures == 9 ? "" : $"{9 - failures} older with errors", OlderErrors().Match(requestsTitle).Value);
    }

    [Fact]
    public void TallTerminal_ShowsEverything_AsBefore()
    {
        var screen = Draw(Busy(), 160, 200);

        Assert.Equal(Providers, ListedKeys(screen));
        Assert.Equal(0, MoreKeys(screen));
        Assert.Equal(9, FailedRequests(screen));
        Assert.Equal("last requests", Assert.Single(screen, line => line.StartsWith("last requests", StringComparison.Ordinal)).TrimEnd());
        Assert.Equal(12, screen.Count(line => HourBar().IsMatch(line)));
        Assert.Equal("", screen[^2].Trim());
    }

    [Fact]
    public void TerminalTooShortForTheHourBars_KeepsEveryRequestAndKey_AndTheNewestHoursOnOneLine()
    {
        var screen = Draw(Busy(), 120, 31);

        Assert.True(screen.Count <= 31, $"{screen.Count} lines:\n{string.Join('\n', screen)}");
        Assert.Equal(Providers, ListedKeys(screen));
        Assert.Equal(9, FailedRequests(screen));
        Assert.DoesNotContain(screen, line => HourBar().IsMatch(line));
        Assert.StartsWith("requests per hour (UTC): 10:00 40 (9 err) · 09:00", Assert.Single(screen, line => line.StartsWith("requests per hour", StringComparison.Ordinal)));
    }

    [Fact]
    public void TallerTerminal_NeverShowsLess_AndEachHeightFits()
    {
        var before = 0;
        for (var height = 8; height <= 47; height += 3)
        {
            var screen = Draw(Busy(), 80, height);
            Assert.True(screen.Count <= height, $"{screen.Count} lines in a {height}-line terminal:\n{string.Join('\n', screen)}");
            Assert.True(screen.Count >= before, $"{screen.Count} lines in a {height}-line terminal, {before} in a shorter one");
            before = screen.Count;
        }
    }

    /// <summary>
    /// 1,234 requests, 57 errors; 12 providers each with a quarantined key; the newest request a success of newest-alias
    /// followed by 9 failures of down-alias; 12 hours of traffic, the newest (10:00) with errors.
    /// </summary>
    private static DashboardSnapshot Busy()
    {
        var at = DateTimeOffset.Parse("2026-12-02T10:30:00Z", CultureInfo.InvariantCulture);
        var hours = Enumerable.Range(0, 12).Select(i => new DashboardHour($"{(i + 23) % 24:00}:00", 10 + i, 0)).ToList();
        hours[^1] = new DashboardHour("10:00", 40, 9);
        var keys = Enumerable.Range(1, Providers).Select(i => new RestingKey($"down-{i:00}", "default", "quarantined", null, "refused the key")).ToList();
        var requests = new List<JsonNode> { Request(at, "newest-alias", 200, null) };
        requests.AddRange(Enumerable.Range(1, 9).Select(i => Request(at.AddSeconds(-i), "down-alias", 401, "upstream refused the credential")));
        return new DashboardSnapshot(at, 1234, 57, 50_000, 7_000, 41.5, 30, 9, hours, keys, requests, new Dictionary<string, string>());
    }

    /// <summary>A row of /logs, parsed from JSON as the dashboard reads the admin API's answer.</summary>
    private static JsonNode Request(DateTimeOffset at, string alias, int status, string? error) => JsonNode.Parse(new JsonObject
    {
        ["created_at"] = at.ToString("O", CultureInfo.InvariantCulture),
        ["route_alias"] = alias,
        ["provider_id"] = "p",
        ["status_code"] = status,
        ["input_tokens"] = 12,
        ["output_tokens"] = 3,
        ["latency_ms"] = 35,
        ["error"] = error,
    }.ToJsonString())!;

    private static List<string> Draw(DashboardSnapshot snapshot, int width, int height)
    {
        using var console = new TestConsole().Width(width).Height(height);
        console.Write(DashboardView.Render(snapshot, "http://127.0.0.1:8080", TimeSpan.FromSeconds(2)));
        return [.. console.Output.TrimEnd('\n').Split('\n')];
    }

    /// <summary>Rows of the resting keys' list: each names its provider first.</summary>
    private static int ListedKeys(List<string> screen) => screen.Count(line => line.TrimStart().StartsWith("down-", StringComparison.Ordinal));

    /// <summary>Rows of the last requests' list with status 401: the 9 failures of down-alias.</summary>
    private static int FailedRequests(List<string> screen) => screen.Count(line => line.Contains(" 401 ", StringComparison.Ordinal));

    /// <summary>N of the "+N more" line under the resting keys, 0 without one.</summary>
    private static int MoreKeys(List<string> screen) =>
        screen.Select(line => MoreLine().Match(line)).Where(match => match.Success).Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)).SingleOrDefault();

    [GeneratedRegex(@"^\+(\d+) more")]
    private static partial Regex MoreLine();

    [GeneratedRegex(@"\d+ older with errors")]
    private static partial Regex OlderErrors();

    [GeneratedRegex(@"^\s*\d\d:00( \(\d+ err\))? +█")]
    private static partial Regex HourBar();
}

using System.Net.Http.Json;
using System.Text.Json;
using Keyway.Storage;
using Keyway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>
/// The dashboard's operator figures: each issued key's usage against its budgets and rate limits, each provider's latency
/// and time to first byte, and its refresh (a button, and an opt-in auto-refresh that keeps the range and the scroll,
/// is remembered, and pauses while the tab is hidden).
/// </summary>
public sealed class AdminUiDashboardTests
{
    [Fact]
    public async Task KeyUsage_AgainstBudgetsAndRpm_AndProviderLatencies()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.CreateProviderAndRouteAsync("p1", "chat", new { name = "main", api_key = "sk-p1-main-0001" });
        var alice = await IssueKeyAsync(ui, new { name = "alice", daily_token_budget = 500, rpm = 10 });
        var bob = await IssueKeyAsync(ui, new { name = "bob" });
        foreach (var key in new[] { alice, alice, bob })
        {
            using var reply = await ui.ChatAsync(key, "chat");
            reply.EnsureSuccessStatusCode();
        }
        // 20 requests of provider p2, latency 10·i ms, TTFB 5·i ms for the first 10: p50/p95 are the 10th/19th of 20
        // latencies and the 5th/10th of 10 TTFBs (nearest rank).
        await ui.Server.Services.GetRequiredService<RequestLogRepository>().InsertBatchAsync(
            [.. Enumerable.Range(1, 20).Select(i => Entry("p2", latencyMs: 10 * i, ttfbMs: i <= 10 ? 5 * i : null))], CancellationToken.None);
        await page.ReloadAsync();

        var tokens = FakeUpstream.TotalTokens;
        var aliceRow = AdminUiEntityPagesTests.Row(page, "alice");
        await Expect(aliceRow.Locator("td[data-label='Tokens today']")).ToHaveTextAsync($"{2 * tokens} / 500 · {500 - 2 * tokens} left");
        await Expect(aliceRow.Locator("td[data-label='Requests this minute']")).ToHaveTextAsync("2 / 10 · 8 left");
        await Expect(aliceRow.Locator("td[data-label='Tokens this month']")).ToHaveTextAsync($"{2 * tokens}");
        var bobRow = AdminUiEntityPagesTests.Row(page, "bob");
        await Expect(bobRow.Locator("td[data-label='Tokens today']")).ToHaveTextAsync($"{tokens}");
        await Expect(bobRow.Locator("td[data-label='Requests this minute']")).ToHaveTextAsync("no limit");

        var p2 = AdminUiEntityPagesTests.Row(page, "p2");
        await Expect(p2.Locator("td[data-label='Requests']")).ToHaveTextAsync("20");
        await Expect(p2.Locator("td[data-label='Latency p50']")).ToHaveTextAsync("100 ms");
        await Expect(p2.Locator("td[data-label='Latency p95']")).ToHaveTextAsync("190 ms");
        await Expect(p2.Locator("td[data-label='TTFB p50']")).ToHaveTextAsync("25 ms");
        await Expect(p2.Locator("td[data-label='TTFB p95']")).ToHaveTextAsync("50 ms");
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task Refresh_KeepsRangeAndScroll_AutoRefreshIsOptInRemembered_AndPausesWhileHidden()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        // The page's timers run on Playwright's clock, paused: 10 s pass only when the test says so.
        await page.Clock.InstallAsync();
        await page.ReloadAsync();
        await page.Clock.PauseAtAsync(DateTime.UtcNow.AddMinutes(1));
        var summary = page.Locator(".summary");
        await Expect(summary).ToContainTextAsync("0 requests in the range");
        var auto = page.GetByLabel("Auto-refresh every 10 s");
        await Expect(auto).Not.ToBeCheckedAsync();

        await page.GetByLabel("Range").SelectOptionAsync("day");
        await InsertRequestAsync(ui);
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh", Exact = true }).ClickAsync();
        await Expect(summary).ToContainTextAsync("1 requests in the range");
        await Expect(page.GetByLabel("Range")).ToHaveValueAsync("day");

        await auto.CheckAsync();
        await page.SetViewportSizeAsync(AdminUiSession.DesktopWidth, 400);
        await page.EvaluateAsync("() => window.scrollTo(0, 300)");
        await InsertRequestAsync(ui);
        await page.Clock.RunForAsync(10_000);
        await Expect(summary).ToContainTextAsync("2 requests in the range");
        Assert.Equal(300, await page.EvaluateAsync<int>("() => Math.round(window.scrollY)"));
        await Expect(page.GetByLabel("Range")).ToHaveValueAsync("day");

        // Hidden: no call for 30 s. The marker call answers after any call the timers made before it.
        var statsCalls = new List<string>();
        page.Request += (_, request) => statsCalls.Add(request.Url);
        await SetHiddenAsync(page, true);
        await InsertRequestAsync(ui);
        await page.Clock.RunForAsync(30_000);
        await page.EvaluateAsync("() => fetch('/admin/session').then(reply => reply.status)");
        Assert.DoesNotContain(statsCalls, url => url.Contains("/admin/llm/stats", StringComparison.Ordinal));
        await Expect(summary).ToContainTextAsync("2 requests in the range");
        // Shown again: it catches up at once.
        await SetHiddenAsync(page, false);
        await Expect(summary).ToContainTextAsync("3 requests in the range");

        await page.ReloadAsync();
        await Expect(page.GetByLabel("Auto-refresh every 10 s")).ToBeCheckedAsync();
        await page.GetByLabel("Auto-refresh every 10 s").UncheckAsync();
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Auto-refresh every 10 s")).Not.ToBeCheckedAsync();
        Assert.Empty(ui.Errors);
    }

    private static async Task<string> IssueKeyAsync(AdminUiSession ui, object body)
    {
        using var created = await ui.Server.Admin.PostAsJsonAsync("admin/llm/groups/default/keys", body);
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("plaintext").GetString()!;
    }

    private static Task InsertRequestAsync(AdminUiSession ui) =>
        ui.Server.Services.GetRequiredService<RequestLogRepository>().InsertBatchAsync([Entry("p1", 10, null)], CancellationToken.None);

    private static RequestLogEntry Entry(string providerId, int latencyMs, int? ttfbMs) => new()
    {
        CreatedAt = DateTimeOffset.UtcNow,
        GroupId = "default",
        RouteAlias = "chat",
        ProviderId = providerId,
        Endpoint = "/v1/chat/completions",
        ClientProtocol = "openai",
        StatusCode = 200,
        LatencyMs = latencyMs,
        TtfbMs = ttfbMs,
    };

    /// <summary>What the browser reports when the tab goes to the background (or comes back).</summary>
    private static Task SetHiddenAsync(IPage page, bool hidden) => page.EvaluateAsync(
        """
        hidden => {
          Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
          Object.defineProperty(document, 'visibilityState', { value: hidden ? 'hidden' : 'visible', configurable: true });
          document.dispatchEvent(new Event('visibilitychange'));
        }
        """, hidden);
}

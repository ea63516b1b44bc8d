using Keyway.Storage;
using Keyway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>The Logs page's filters as the admin API takes them (a status code, a provider), and paging through what they select.</summary>
public sealed class AdminUiLogsTests
{
    /// <summary>A filter typed but not applied changes nothing until Apply, not even the next page.</summary>
    [Fact]
    public async Task Paging_KeepsTheAppliedFilters()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        var rows = await OpenLogsAsync(ui);

        await page.GetByLabel("Alias").FillAsync("claude");
        await page.GetByRole(AriaRole.Button, new() { Name = "Older" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(5);
        await page.GetByRole(AriaRole.Button, new() { Name = "Newer" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(25);
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task StatusCode_AndProvider_Filter()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        var rows = await OpenLogsAsync(ui);

        await page.GetByLabel("Status").FillAsync("429");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator("td[data-label='Status']")).ToHaveTextAsync("429");

        await page.GetByLabel("Status").FillAsync("");
        await page.GetByLabel("Provider").FillAsync("p2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(10);
        await Expect(rows.Locator("td[data-label='Provider']").Filter(new() { HasText = "p1" })).ToHaveCountAsync(0);
        Assert.Empty(ui.Errors);
    }

    /// <summary>30 requests, newest first: the second answered 429, every third went to p2; the Logs page shows the first 25.</summary>
    private static async Task<ILocator> OpenLogsAsync(AdminUiSession ui)
    {
        var now = DateTimeOffset.UtcNow;
        await ui.Server.Services.GetRequiredService<RequestLogRepository>().InsertBatchAsync(
            [.. Enumerable.Range(0, 30).Select(i => new RequestLogEntry
            {
                CreatedAt = now.AddSeconds(-i), GroupId = "default", RouteAlias = "chat", ProviderId = i % 3 == 0 ? "p2" : "p1",
                Endpoint = "/v1/chat/completions", ClientProtocol = "openai", StatusCode = i == 1 ? 429 : 200, LatencyMs = 10,
            })], CancellationToken.None);
        await ui.OpenAsync("Logs");
        var rows = ui.Page.Locator("main .list tbody tr");
        await Expect(rows).ToHaveCountAsync(25);
        return rows;
    }
}

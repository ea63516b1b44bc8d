using Keyway.Storage;
using Keyway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>At 390 px (a phone), the lists read without scrolling sideways and the dashboard's chart labels stay legible.</summary>
public sealed class AdminUiPhoneWidthTests
{
    [Fact]
    public async Task Tables_StackIntoCards_WithoutScrollingSideways()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.CreateProviderAndRouteAsync("p1", "chat",
            new { name = "main", api_key = "sk-p1-main-0001", base_url = "https://example.com/a/rather/long/path/to/the/upstream/v1" });
        await ui.Server.Services.GetRequiredService<RequestLogRepository>().InsertBatchAsync(
        [
            new RequestLogEntry
            {
                CreatedAt = DateTimeOffset.UtcNow, GroupId = "default", RouteAlias = "chat", Endpoint = "/v1/chat/completions",
                ClientProtocol = "openai", StatusCode = 200, LatencyMs = 10,
            },
        ], CancellationToken.None);
        await page.SetViewportSizeAsync(AdminUiSession.PhoneWidth, 844);

        foreach (var (title, cell) in new[] { ("Providers", "p1"), ("Routes", "chat"), ("Logs", "chat") })
        {
            await ui.OpenAsync(title);
            var row = AdminUiEntityPagesTests.Row(page, cell);
            await Expect(row).ToBeVisibleAsync();
            Assert.Equal(AdminUiSession.PhoneWidth, await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"));
            Assert.Equal(0, await page.Locator(".table-wrap").EvaluateAllAsync<int>(
                "wraps => wraps.filter(wrap => wrap.scrollWidth > wrap.clientWidth).length"));
        }
        // Each value sits beside its column's name: the header row is hidden, the cell shows its label (to the eye only, so
        // the cell's accessible name stays its value, as the rows above were found by).
        await ui.OpenAsync("Providers");
        var baseUrl = AdminUiEntityPagesTests.Row(page, "p1").Locator("td[data-label='Base URL']");
        Assert.StartsWith("\"Base URL\"", await baseUrl.EvaluateAsync<string>("cell => getComputedStyle(cell, '::before').content"));
        Assert.Empty(ui.Errors);
    }

    /// <summary>Drawn at desktop width, then the window narrows to a phone's: the charts are re-drawn for it.</summary>
    [Fact]
    public async Task DashboardChartLabels_AreLegibleOnAPhone()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await Expect(page.Locator("figure text.axis").First).ToBeVisibleAsync();
        await page.SetViewportSizeAsync(AdminUiSession.PhoneWidth, 844);

        // The axis font is 11 px; scaled down to the phone's width with the chart it was under 6 px.
        await page.WaitForFunctionAsync(
            "() => Math.min(...[...document.querySelectorAll('figure text.axis')].map(text => text.getBoundingClientRect().height)) >= 10");
        Assert.Equal(AdminUiSession.PhoneWidth, await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"));
        Assert.Empty(ui.Errors);
    }
}

using System.Net.Http.Json;
using Keyway.Storage;
using Keyway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>At 390 px (a phone), the lists read without scrolling sideways and the dashboard's chart labels stay legible.</summary>
public sealed class AdminUiPhoneWidthTests
{
    private const string LongAlias = "very_long_route_alias_name_number_1_für_tëam_模型";
    private const string LongKeyName = "a_key_named_at_length_for_the_night_shift_of_the_research_team";

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
                CreatedAt = DateTimeOffset.UtcNow, GroupId = "default", RouteAlias = "chat", ProviderId = "p1", Endpoint = "/v1/chat/completions",
                ClientProtocol = "openai", StatusCode = 200, LatencyMs = 10, TtfbMs = 5,
            },
        ], CancellationToken.None);
        // Names without a space to break at: an alias and a model longer than a phone is wide (the unified alias's picker
        // lists the aliases too).
        using (var route = await ui.Server.Admin.PostAsJsonAsync("admin/llm/groups/default/routes",
            new { alias = LongAlias, provider_id = "p1", upstream_model = "some_really_long_upstream_model_identifier_2025_1" }))
        {
            route.EnsureSuccessStatusCode();
        }
        // The dashboard's key usage names a key with every limit it can have.
        using (var key = await ui.Server.Admin.PostAsJsonAsync("admin/llm/groups/default/keys", new
        {
            name = LongKeyName,
            rpm = 1000000,
            tpm = 100000000,
            max_concurrency = 1000,
            daily_token_budget = 100000000000,
            monthly_token_budget = 100000000000,
        }))
        {
            key.EnsureSuccessStatusCode();
        }
        await page.SetViewportSizeAsync(AdminUiSession.PhoneWidth, 844);

        foreach (var (title, cell) in new[] { ("Providers", "p1"), ("Routes", "chat"), ("Logs", "chat"), ("Dashboard", "p1"), ("Dashboard", LongKeyName) })
        {
            await ui.OpenAsync(title);
            var row = AdminUiEntityPagesTests.Row(page, cell);
            await Expect(row).ToBeVisibleAsync();
            await AssertNoSidewaysScrollAsync(page);
            Assert.Equal(0, await page.Locator(".table-wrap").EvaluateAllAsync<int>(
                "wraps => wraps.filter(wrap => wrap.scrollWidth > wrap.clientWidth).length"));
        }
        // What else names the long alias wraps it too: the unified alias pointing at it, its test's notice, the views
        // titled with it (its edit form, its fallbacks), a refusal quoting it.
        using (var unified = await ui.Server.Admin.PutAsJsonAsync("admin/llm/groups/default/unified", new { route_alias = LongAlias }))
        {
            unified.EnsureSuccessStatusCode();
        }
        var widths = new List<(string Shown, int Width)>();
        async Task MeasureAsync(string shown) => widths.Add((shown, await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")));
        await ui.OpenAsync("Routes");
        await Expect(page.Locator(".unified-current")).ToContainTextAsync(LongAlias);
        await MeasureAsync("unified alias");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Test {LongAlias}", Exact = true }).ClickAsync();
        await Expect(page.Locator("#notice")).ToContainTextAsync($"{LongAlias}: ");
        await MeasureAsync("notice");
        foreach (var (opener, title) in new[] { ($"Edit {LongAlias}", $"Edit route {LongAlias}"), ($"Fallbacks of {LongAlias}", $"Fallbacks of {LongAlias}") })
        {
            await page.GetByRole(AriaRole.Button, new() { Name = opener, Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = title })).ToBeVisibleAsync();
            await MeasureAsync(title);
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "New route" }).ClickAsync();
        await page.GetByLabel("Alias", new() { Exact = true }).FillAsync(LongAlias);
        await page.GetByLabel("Upstream model").FillAsync("model-a");
        ui.ExpectRefusal(409, "/admin/llm/groups/default/routes");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("already exists");
        await MeasureAsync("refusal");
        Assert.Equal(widths.Select(measured => (measured.Shown, AdminUiSession.PhoneWidth)), widths);
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
        await AssertNoSidewaysScrollAsync(page);
        Assert.Empty(ui.Errors);
    }

    private static async Task AssertNoSidewaysScrollAsync(IPage page) =>
        Assert.Equal(AdminUiSession.PhoneWidth, await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"));
}

using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Keyway.Storage;
using Keyway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>
/// What the pages show of values set elsewhere (the admin API, the CLI, the gateway): they read back as stored, in the
/// browser's time zone where that is right and in UTC where the server counts in UTC, in sight and at phone width.
/// </summary>
public sealed class AdminUiDisplayTests
{
    [Fact]
    public async Task KeyExpiryWithSeconds_SurvivesAnEditOfAnotherField()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        using (var created = await ui.Server.Admin.PostAsJsonAsync("admin/llm/groups/default/keys", new { name = "carol", expires_at = "2031-05-04T10:30:45Z" }))
        {
            created.EnsureSuccessStatusCode();
        }
        await ui.OpenAsync("Keys");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit carol" }).ClickAsync();
        await page.GetByLabel("Requests / minute").FillAsync("60");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(AdminUiEntityPagesTests.Row(page, "carol")).ToContainTextAsync("60 rpm");

        var key = (await ui.Server.Admin.GetFromJsonAsync<JsonElement>("admin/llm/groups/default/keys")).GetProperty("keys")[0];
        Assert.Equal(new DateTimeOffset(2031, 5, 4, 10, 30, 45, TimeSpan.Zero), key.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Empty(ui.Errors);
    }

    /// <summary>
    /// Newfoundland is 3.5 hours behind UTC: a UTC day starts on the local day before, and an hour bucket at half past.
    /// </summary>
    [Fact]
    public async Task DashboardAxes_NameUtcDays_AndLocalHours_WestOfUtcAndHalfAnHourOff()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync("America/St_Johns");
        var page = ui.Page;
        var xLabels = page.Locator("figure", new() { Has = page.GetByText("Requests per alias", new() { Exact = true }) })
            .Locator("text.axis").Filter(new() { HasTextRegex = new Regex("[:/]") });

        await Expect(xLabels.First).ToHaveTextAsync(new Regex(@"^\d\d:30$"));
        await page.GetByLabel("Range").SelectOptionAsync("day");
        var firstDay = DateTime.UtcNow.Date.AddDays(-29);
        await Expect(xLabels.First).ToHaveTextAsync($"{firstDay.Month}/{firstDay.Day}");
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task UnifiedAlias_SaysWhenItsPinnedKeyIsNoLongerInThePool()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var provider = await ui.CreateProviderAndRouteAsync("p1", "chat",
            new { name = "main", api_key = "sk-p1-main-0001" }, new { name = "spare", api_key = "sk-p1-spare-0002" });
        using (var unified = await ui.Server.Admin.PutAsJsonAsync("admin/llm/groups/default/unified", new { route_alias = "chat", key_name = "main" }))
        {
            unified.EnsureSuccessStatusCode();
        }
        var main = provider.GetProperty("api_keys").EnumerateArray().Single(key => key.GetProperty("name").GetString() == "main");
        using (var disabled = await ui.Server.Admin.PatchAsJsonAsync($"admin/llm/providers/p1/keys/{main.GetProperty("key_id").GetString()}", new { enabled = false }))
        {
            disabled.EnsureSuccessStatusCode();
        }

        await ui.OpenAsync("Routes");
        await Expect(ui.Page.Locator(".unified-current")).ToHaveTextAsync(
            "unified-model → chat [main: pin ignored, no enabled key of that name in the pool, the pool chooses]");
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task Connect_ShowsTheKeyPrefixWithOneEllipsis()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        using var created = await ui.Server.Admin.PostAsJsonAsync("admin/llm/groups/default/keys", new { name = "dave" });
        var prefix = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetProperty("key_prefix").GetString()!;

        await ui.OpenAsync("Connect");
        var claudeCode = ui.Page.Locator("section", new() { Has = ui.Page.GetByRole(AriaRole.Heading, new() { Name = "Claude Code" }) });
        await Expect(claudeCode.Locator("pre")).ToContainTextAsync($"\"ANTHROPIC_AUTH_TOKEN\": \"{prefix.TrimEnd('.')}…\"");
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task PhoneWidth_ALongGroupNameDoesNotWidenThePage()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        using (var created = await ui.Server.Admin.PostAsJsonAsync("admin/llm/groups", new { group_id = "research", name = "Research and development, second floor, night shift" }))
        {
            created.EnsureSuccessStatusCode();
        }
        await ui.Page.SetViewportSizeAsync(AdminUiSession.PhoneWidth, 844);
        await ui.Page.ReloadAsync();
        await Expect(ui.Page.Locator("#group option")).ToHaveCountAsync(2);

        Assert.Equal(AdminUiSession.PhoneWidth, await ui.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"));
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task E2E_OfAGroupWithoutRoutes_SaysThereIsNothingToTest()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        await ui.OpenAsync("E2E");
        await ui.Page.GetByRole(AriaRole.Button, new() { Name = "Run E2E" }).ClickAsync();
        await Expect(ui.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "routes" }))
            .ToHaveTextAsync("Nothing to test: group default has no enabled routes.");
        await Expect(ui.Page.GetByText("PASS")).ToHaveCountAsync(0);
        Assert.Empty(ui.Errors);
    }

    /// <summary>A detail view opens above the list: opened from a row far down it comes into sight with the focus.</summary>
    [Fact]
    public async Task DetailsAndKeyPool_OpenInSight_WithTheFocus()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await page.SetViewportSizeAsync(AdminUiSession.PhoneWidth, 844);
        await ui.Server.Services.GetRequiredService<RequestLogRepository>().InsertBatchAsync(
            [.. Enumerable.Range(0, 25).Select(i => new RequestLogEntry
            {
                CreatedAt = DateTimeOffset.UtcNow.AddSeconds(-i), GroupId = "default", RouteAlias = $"alias-{i}", Endpoint = "/v1/chat/completions",
                ClientProtocol = "openai", StatusCode = 200, LatencyMs = 10,
            })], CancellationToken.None);
        await ui.OpenAsync("Logs");
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = "alias-24" }).GetByRole(AriaRole.Button).ClickAsync();
        var detail = page.GetByRole(AriaRole.Region, new() { NameRegex = new Regex(@"^Request \d+$") });
        await Expect(detail).ToContainTextAsync("alias-24");
        await Expect(detail).ToBeInViewportAsync();
        await Expect(detail).ToBeFocusedAsync();

        await ui.CreateProviderAndRouteAsync("p1", "chat",
            new { name = "main", api_key = "sk-p1-main-0001" }, new { name = "plan", api_key = "sk-p1-plan-0002", base_url = "https://example.com/plan/v1" });
        await ui.OpenAsync("Providers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Keys of p1" }).ClickAsync();
        var pool = page.GetByRole(AriaRole.Region, new() { Name = "Key pool of p1" });
        await Expect(pool).ToBeFocusedAsync();
        // The pool shows each key's own base URL, which the add form sets.
        await Expect(AdminUiEntityPagesTests.Row(page, "plan")).ToContainTextAsync("https://example.com/plan/v1");
        await Expect(AdminUiEntityPagesTests.Row(page, "main")).ToContainTextAsync("the provider's");
        Assert.Empty(ui.Errors);
    }

    /// <summary>
    /// An upstream that rate-limits one model cools each key for that model only: the keys still serve the others, so
    /// they count as usable, and the pool and the dashboard name the model and the end of its cooldown; the last error
    /// shows its own status and time.
    /// </summary>
    [Fact]
    public async Task ModelCooldown_NamesTheModelAndItsEnd_AndTheKeyStaysUsable()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.CreateProviderAndRouteAsync("p1", "chat", new { name = "main", api_key = "sk-p1-main-0001" }, new { name = "spare", api_key = "sk-p1-spare-0002" });
        var rateLimited = FakeReply.OpenAIError(429, "Rate limit reached for model-a in organization org-x", "requests", "rate_limit_exceeded",
            new Dictionary<string, string> { ["Retry-After"] = "600" });
        await ui.CoolEveryKeyAsync("p1", "chat", rateLimited, health => health.GetProperty("model_cooldowns").TryGetProperty("model-a", out _));
        var main = (await ui.PoolKeysAsync("p1")).Single(key => key.GetProperty("name").GetString() == "main").GetProperty("health");
        Assert.Equal(JsonValueKind.Null, main.GetProperty("cooldown_until").ValueKind);
        var until = await LocalTimeAsync(page, main.GetProperty("model_cooldowns").GetProperty("model-a"));
        var failedAt = await LocalTimeAsync(page, main.GetProperty("last_failure_at"));

        await ui.OpenAsync("Providers");
        await Expect(AdminUiEntityPagesTests.Row(page, "p1")).ToContainTextAsync("2/2 usable");
        await page.GetByRole(AriaRole.Button, new() { Name = "Keys of p1" }).ClickAsync();
        var pooled = AdminUiEntityPagesTests.Row(page, "main");
        await Expect(pooled.Locator("td[data-label='Health']")).ToHaveTextAsync($"cooling model-a until {until}");
        await Expect(pooled.Locator("td[data-label='Last error']")).ToHaveTextAsync(new Regex($@"^429 upstream provider 'p1' returned 429.* \({Regex.Escape(failedAt)}\)$"));

        await ui.OpenAsync("Dashboard");
        var cooling = page.Locator("section", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Keys cooling down" }) });
        var row = cooling.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Cell, new() { Name = "main", Exact = true }) });
        await Expect(row.Locator("td[data-label='Model']")).ToHaveTextAsync("model-a");
        await Expect(row.Locator("td[data-label='Until']")).ToHaveTextAsync(until);
        Assert.Empty(ui.Errors);
    }

    /// <summary>An instant as the browser shows it (its locale and time zone).</summary>
    private static Task<string> LocalTimeAsync(IPage page, JsonElement iso) =>
        page.EvaluateAsync<string>("iso => new Date(iso).toLocaleString()", iso.GetString());
}

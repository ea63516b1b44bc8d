using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>
/// The issue's walk-through, as a person would do it: log in (after a wrong token), create a provider with two keys, a
/// route and a key, copy the plaintext, make one proxied call with it, see it in Logs and on the dashboard chart, run
/// E2E, connect a client, log out. Every page is photographed at 1280 and 390 px.
/// </summary>
public sealed class AdminUiJourneyTests
{
    private const string Alias = "chat";
    private const string ProviderId = "fake";

    [Fact]
    public async Task Walkthrough_FromLoginToLogout()
    {
        await using var ui = await AdminUiSession.StartAsync();
        var page = ui.Page;

        // Login: a wrong token is refused with a clear message, the right one opens the dashboard.
        await ui.ScreenshotAsync("login");
        await ui.LoginAsync("not-the-token");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Invalid admin token.");
        await ui.LoginAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        var requestsChart = page.Locator("figure", new() { Has = page.GetByText("Requests per alias", new() { Exact = true }) });
        await Expect(requestsChart.Locator("g.series")).ToHaveCountAsync(0);
        await ui.ScreenshotAsync("dashboard-empty");

        await CreateProviderWithTwoKeysAsync(ui);
        await CreateRouteAsync(ui);
        var key = await CreateKeyAndCopyItAsync(ui);

        // One proxied call with the copied key.
        using (var response = await ui.ChatAsync(key, Alias))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        await SeeTheCallInLogsAsync(ui);

        // The dashboard's request chart now has the alias's line.
        await ui.OpenAsync("Dashboard");
        await Expect(requestsChart.Locator($"g.series[data-series='{Alias}'] circle title").Last).ToContainTextAsync("· 1");
        await ui.ScreenshotAsync("dashboard");

        await RunE2eAsync(ui);
        await ConnectAClientAsync(ui, key);

        // Logout ends the session: a reload shows the login form again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Expect(page.GetByLabel("Admin token")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Admin token")).ToBeVisibleAsync();
        Assert.Empty(ui.Errors);
    }

    private static async Task CreateProviderWithTwoKeysAsync(AdminUiSession ui)
    {
        var page = ui.Page;
        await ui.OpenAsync("Providers");
        await ui.CreateProviderAsync(ProviderId);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Keys of {ProviderId}" }).ClickAsync();
        var pool = page.GetByRole(AriaRole.Region, new() { Name = $"Key pool of {ProviderId}" });
        await pool.GetByLabel("Key name").FillAsync("second");
        await pool.GetByLabel("API key").FillAsync("sk-fake-second-0002");
        await pool.GetByRole(AriaRole.Button, new() { Name = "Add key" }).ClickAsync();
        await Expect(pool.GetByRole(AriaRole.Row)).ToHaveCountAsync(3);
        await Expect(pool).ToContainTextAsync("0002");
        await Expect(pool).Not.ToContainTextAsync("sk-fake-second-0002");
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "2/2 usable" })).ToBeVisibleAsync();
        await ui.ScreenshotAsync("providers");
    }

    private static async Task CreateRouteAsync(AdminUiSession ui)
    {
        var page = ui.Page;
        await ui.OpenAsync("Routes");
        await page.GetByRole(AriaRole.Button, new() { Name = "New route" }).ClickAsync();
        await page.GetByLabel("Alias", new() { Exact = true }).FillAsync(Alias);
        await page.GetByLabel("Provider", new() { Exact = true }).SelectOptionAsync(ProviderId);
        await page.GetByLabel("Upstream model").FillAsync("fake-model");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Test {Alias}" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToContainTextAsync($"{Alias}: OK");
        await page.GetByRole(AriaRole.Button, new() { Name = "Point the unified alias" }).ClickAsync();
        await Expect(page.Locator(".unified-current")).ToHaveTextAsync($"unified-model → {Alias}");
        await ui.ScreenshotAsync("routes");
    }

    private static async Task<string> CreateKeyAndCopyItAsync(AdminUiSession ui)
    {
        var page = ui.Page;
        await ui.OpenAsync("Keys");
        await page.GetByRole(AriaRole.Button, new() { Name = "New key" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("alice");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var shownOnce = page.GetByRole(AriaRole.Region, new() { Name = "Key alice" });
        var plaintext = await shownOnce.Locator(".plaintext").TextContentAsync() ?? "";
        Assert.StartsWith("db_sk_", plaintext);
        await ui.ScreenshotAsync("keys");
        await shownOnce.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        Assert.Equal(plaintext, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        return plaintext;
    }

    private static async Task SeeTheCallInLogsAsync(AdminUiSession ui)
    {
        var page = ui.Page;
        await ui.OpenAsync("Logs");
        // The request log is written in the background: auto-refresh brings the row in when it lands.
        await page.GetByLabel("Auto-refresh every 5 s").CheckAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = Alias });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("alice");
        await Expect(row).ToContainTextAsync("200");
        await page.GetByLabel("Auto-refresh every 5 s").UncheckAsync();
        await row.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Details of request") }).ClickAsync();
        var detail = page.GetByRole(AriaRole.Region, new() { NameRegex = new Regex(@"^Request \d+$") });
        await Expect(detail).ToContainTextAsync("Attempts (1)");
        await Expect(detail).ToContainTextAsync("fake-model");
        await ui.ScreenshotAsync("logs");
    }

    private static async Task RunE2eAsync(AdminUiSession ui)
    {
        var page = ui.Page;
        await ui.OpenAsync("E2E");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run E2E" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "PASS" })).ToHaveTextAsync("PASS (1/1)");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = Alias })).ToContainTextAsync("pass");
        await ui.ScreenshotAsync("e2e");
    }

    private static async Task ConnectAClientAsync(AdminUiSession ui, string key)
    {
        var page = ui.Page;
        await ui.OpenAsync("Connect");
        await page.GetByRole(AriaRole.Button, new() { Name = "Insert the full key" }).ClickAsync();
        var claudeCode = page.Locator("section", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Claude Code" }) });
        await Expect(claudeCode.Locator("pre")).ToContainTextAsync($"\"ANTHROPIC_AUTH_TOKEN\": \"{key}\"");
        await Expect(claudeCode.Locator("pre")).ToContainTextAsync($"\"ANTHROPIC_BASE_URL\": \"{ui.Server.BaseAddress.ToString().TrimEnd('/')}\"");
        await Expect(page.Locator("section", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Codex" }) }).Locator("pre"))
            .ToContainTextAsync("model = \"unified-model\"");
        await ui.ScreenshotAsync("connect");
    }
}

using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Keyway.Storage;
using Keyway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>
/// The Groups and Tools pages' create / edit / enable-disable / copy / delete flows, driven from the keyboard where it
/// matters, and what web searches left in the tool providers' counters and the request log; the unified alias's clearing.
/// </summary>
public sealed class AdminUiEntityPagesTests
{
    [Fact]
    public async Task Groups_CreateEditToggleCopyDelete()
    {
        await using var ui = await AdminUiSession.StartAsync();
        var page = ui.Page;
        // Keyboard only: the token field has the focus, Enter submits, a focused link opens with Enter.
        await Expect(page.GetByLabel("Admin token")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(KeywayServer.AdminToken);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Groups", Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Groups", Level = 1 })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "New group" }).ClickAsync();
        await page.GetByLabel("Group id").FillAsync("team-b");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Team B");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(Row(page, "team-b")).ToContainTextAsync("Team B");
        await Expect(page.Locator("#group option")).ToHaveCountAsync(2);

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit team-b" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Team Bee");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Row(page, "team-b")).ToContainTextAsync("Team Bee");
        // The focus goes back where the form was opened from (not to the page's top): Edit after a save or a cancel.
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Edit team-b" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Edit team-b" })).ToBeFocusedAsync();

        // Enable/Disable keep the focus on the row's toggle, so Enter flips it back.
        await page.GetByRole(AriaRole.Button, new() { Name = "Disable group team-b" }).ClickAsync();
        await Expect(Row(page, "team-b")).ToContainTextAsync("disabled");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Enable group team-b" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(Row(page, "team-b")).ToContainTextAsync("enabled");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Disable group team-b" })).ToBeFocusedAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Copy team-b" }).ClickAsync();
        await page.GetByLabel("New name").FillAsync("Team C");
        await page.GetByLabel("New group id").FillAsync("team-c");
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New keys of the copy — shown this once" })).ToBeVisibleAsync();
        await Expect(Row(page, "team-c")).ToContainTextAsync("Team C");
        await ui.ScreenshotAsync("groups");

        // Delete asks first: Cancel keeps the group, Delete removes it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete team-c" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(Row(page, "team-c")).ToHaveCountAsync(1);
        await ui.ConfirmAsync("Delete team-c");
        await Expect(Row(page, "team-c")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "New group" })).ToBeFocusedAsync();
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task ToolProviders_CreateEditToggleDelete()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.OpenAsync("Tools");

        await page.GetByRole(AriaRole.Button, new() { Name = "New tool provider" }).ClickAsync();
        await page.GetByLabel("Tool id").FillAsync("tavily");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Tavily");
        await page.GetByLabel("API key").FillAsync("tvly-test-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(Row(page, "tavily")).ToContainTextAsync("set");
        await Expect(Row(page, "tavily")).ToContainTextAsync("0 (0 failed)");
        await ui.Server.Services.GetRequiredService<ToolProviderRepository>().AddSearchUsageAsync(
            [new("tavily", new ToolSearchUsage(3, 1, new DateTimeOffset(2031, 5, 4, 10, 30, 0, TimeSpan.Zero)))], CancellationToken.None);
        await page.ReloadAsync();
        await Expect(Row(page, "tavily")).ToContainTextAsync("3 (1 failed)");
        await Expect(Row(page, "tavily")).ToContainTextAsync("2031");

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit tavily" }).ClickAsync();
        await page.GetByLabel("Config (JSON)").FillAsync("""{"base_url":"http://127.0.0.1:9"}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Row(page, "tavily")).ToContainTextAsync("http://127.0.0.1:9");

        // Invalid JSON is refused in the form, naming the field.
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit tavily" }).ClickAsync();
        await page.GetByLabel("Config (JSON)").FillAsync("{not json");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Config (JSON) must be JSON");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Disable tool provider tavily" }).ClickAsync();
        await Expect(Row(page, "tavily")).ToContainTextAsync("disabled");
        await ui.ScreenshotAsync("tools");

        await ui.ConfirmAsync("Delete tavily");
        await Expect(page.GetByText("No tool providers yet.")).ToBeVisibleAsync();
        await SeeWebSearchInLogAsync(ui);
        Assert.Empty(ui.Errors);
    }

    /// <summary>Each new key of a group copy has its own Copy button, named after the key for a screen reader's list of buttons.</summary>
    [Fact]
    public async Task GroupCopy_NamesTheCopyButtonOfEachNewKey()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        foreach (var name in new[] { "alice", "bob" })
        {
            using var created = await ui.Server.Admin.PostAsJsonAsync("admin/llm/groups/default/keys", new { name });
            created.EnsureSuccessStatusCode();
        }
        await ui.OpenAsync("Groups");
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy default" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy", Exact = true }).ClickAsync();

        var shownOnce = page.Locator(".once");
        await shownOnce.GetByRole(AriaRole.Button, new() { Name = "Copy key bob", Exact = true }).ClickAsync();
        var bob = await Row(page, "bob").Locator("code").TextContentAsync();
        Assert.Equal(bob, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await Expect(shownOnce.GetByRole(AriaRole.Button, new() { Name = "Copy key alice", Exact = true })).ToBeVisibleAsync();
        Assert.Empty(ui.Errors);
    }

    /// <summary>Clearing the unified alias cuts off the clients that call it: it asks first, as Delete does, and says it is done.</summary>
    [Fact]
    public async Task ClearUnifiedAlias_AsksFirst_AndSaysSo()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.CreateProviderAndRouteAsync("p1", "chat", new { name = "main", api_key = "sk-p1-main-0001" });
        using (var unified = await ui.Server.Admin.PutAsJsonAsync("admin/llm/groups/default/unified", new { route_alias = "chat" }))
        {
            unified.EnsureSuccessStatusCode();
        }
        await ui.OpenAsync("Routes");
        var current = page.Locator(".unified-current");
        await Expect(current).ToHaveTextAsync("unified-model → chat");

        await page.GetByRole(AriaRole.Button, new() { Name = "Clear unified alias" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(current).ToHaveTextAsync("unified-model → chat");
        await ui.ConfirmAsync("Clear unified alias", "Clear");

        await Expect(page.Locator("#notice")).ToHaveTextAsync("Unified alias unified-model cleared.");
        await Expect(current).ToHaveTextAsync("Not set: clients can only call the aliases above.");
        Assert.Empty(ui.Errors);
    }

    /// <summary>The log detail shows the search rounds, queries and tool fallback of a request that had them.</summary>
    private static async Task SeeWebSearchInLogAsync(AdminUiSession ui)
    {
        await ui.Server.Services.GetRequiredService<RequestLogRepository>().InsertBatchAsync(
        [
            new RequestLogEntry
            {
                CreatedAt = DateTimeOffset.UtcNow, GroupId = "default", RouteAlias = "searching", Endpoint = "/v1/chat/completions",
                ClientProtocol = "openai", StatusCode = 200, LatencyMs = 900, WebSearchCalls = 2, WebSearchRounds = 1,
                WebSearchRoundMs = [120, 340], WebSearchQueries = ["keyway gateway", "tavily api"], ToolFallback = "tools: web_search_preview",
            },
        ], CancellationToken.None);
        var page = ui.Page;
        await ui.OpenAsync("Logs");
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = "searching" })
            .GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Details of request") }).ClickAsync();
        var detail = page.GetByRole(AriaRole.Region, new() { NameRegex = new Regex(@"^Request \d+$") });
        await Expect(detail).ToContainTextAsync("2 calls in 1 rounds");
        await Expect(detail).ToContainTextAsync("Search rounds120 ms, 340 ms");
        await Expect(detail).ToContainTextAsync("Search querieskeyway gateway | tavily api");
        await Expect(detail).ToContainTextAsync("Tool fallbackretried without tools: web_search_preview");
    }

    internal static ILocator Row(IPage page, string id) =>
        page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Cell, new() { Name = id, Exact = true }) });
}

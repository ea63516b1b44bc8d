using System.Net.Http.Json;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>
/// What the UI says when the admin API refuses: a session that ended mid-edit, a database that is unreachable (503 on
/// every call, as the README documents), a conflict the form cannot point at a field for; and what the form refuses
/// itself before anything is sent (a number the browser cannot read), and that no refusal outlives the login it was about.
/// </summary>
public sealed class AdminUiFailureTests
{
    private const string Unreachable = "the database is unreachable";

    [Fact]
    public async Task SessionEndsMidEdit_OnlyTheLoginFormSaysSo()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.OpenAsync("Groups");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit default" }).ClickAsync();
        await page.Context.ClearCookiesAsync();
        ui.ExpectRefusal(401, "/admin/llm/groups/default");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(page.GetByText("Your session ended: log in again.")).ToBeVisibleAsync();
        await Expect(page.Locator("#notice")).ToBeHiddenAsync();
        await ui.LoginAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Groups", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#notice")).ToBeHiddenAsync();
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task DatabaseUnreachable_EveryActionSaysSo()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.CreateProviderAndRouteAsync("p1", "chat", new { name = "main", api_key = "sk-p1-main-0001" });
        var down = false;
        await page.RouteAsync("**/admin/llm/**", route => down
            ? route.FulfillAsync(new() { Status = 503, ContentType = "application/json", Body = JsonSerializer.Serialize(new { detail = Unreachable }) })
            : route.ContinueAsync());
        ui.ExpectRefusal(503, "/admin/llm/");

        // loaded: what the page shows once its own reads are done, so that only the action meets the outage.
        async Task RefusedAsync(string title, ILocator loaded, Func<Task> act)
        {
            down = false;
            await ui.OpenAsync(title);
            await Expect(loaded).ToBeVisibleAsync();
            await page.Locator("#notice").EvaluateAsync("notice => { notice.hidden = true; }");
            down = true;
            await act();
            await Expect(page.Locator("#notice")).ToHaveTextAsync(Unreachable);
        }

        var keysOfP1 = page.GetByRole(AriaRole.Button, new() { Name = "Keys of p1" });
        var fallbacksOfChat = page.GetByRole(AriaRole.Button, new() { Name = "Fallbacks of chat" });
        var runE2e = page.GetByRole(AriaRole.Button, new() { Name = "Run E2E" });
        await RefusedAsync("Dashboard", page.GetByText("Every key is usable."), () => page.GetByLabel("Range").SelectOptionAsync("day"));
        await RefusedAsync("Logs", page.GetByText("No requests match."), () => page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync());
        await RefusedAsync("Providers", keysOfP1, () => keysOfP1.ClickAsync());
        await RefusedAsync("Routes", fallbacksOfChat, () => fallbacksOfChat.ClickAsync());
        await RefusedAsync("E2E", runE2e, () => runE2e.ClickAsync());
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task Conflict_MovesTheFocusToTheMessage()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.OpenAsync("Groups");
        await page.GetByRole(AriaRole.Button, new() { Name = "New group" }).ClickAsync();
        await page.GetByLabel("Group id").FillAsync("default");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Again");
        ui.ExpectRefusal(409, "/admin/llm/groups");
        await page.GetByLabel("Name", new() { Exact = true }).PressAsync("Enter");

        var message = page.GetByRole(AriaRole.Alert);
        await Expect(message).ToHaveTextAsync("group_id 'default' already exists");
        await Expect(message).ToBeFocusedAsync();
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task WrongTokenThenTheRightOne_TheRefusalDoesNotStay()
    {
        await using var ui = await AdminUiSession.StartAsync();
        var page = ui.Page;
        await ui.LoginAsync("not-the-token");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Invalid admin token.");

        await ui.LoginAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("#notice")).ToBeHiddenAsync();
        Assert.Empty(ui.Errors);
    }

    /// <summary>
    /// A number input the browser cannot read reads as empty, which on an edit means "clear" (or "keep"): the form marks
    /// the field and sends nothing, so no stored value changes behind a "Saved".
    /// </summary>
    [Fact]
    public async Task UnreadableNumber_IsRefusedInTheForm_AndNothingIsSent()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.CreateProviderAndRouteAsync("p1", "chat", new { name = "main", api_key = "sk-p1-main-0001" });
        using (var patched = await ui.Server.Admin.PatchAsJsonAsync("admin/llm/providers/p1", new { key_cooldown_seconds = 30, timeout_seconds = 600 }))
        {
            patched.EnsureSuccessStatusCode();
        }
        var writes = 0;
        page.Request += (_, request) => writes += request.Method == "GET" ? 0 : 1;
        await ui.OpenAsync("Providers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit p1" }).ClickAsync();

        foreach (var (label, typed) in new[] { ("Key cooldown (s)", "--5"), ("Timeout (s)", "1e") })
        {
            var input = page.GetByLabel(label);
            await input.FillAsync("");
            await input.PressSequentiallyAsync(typed);
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync($"{label} must be a number");
            await Expect(input).ToHaveAttributeAsync("aria-invalid", "true");
            await Expect(input).ToBeFocusedAsync();
            await input.FillAsync("45");
        }

        Assert.Equal(0, writes);
        var stored = (await ui.Server.Admin.GetFromJsonAsync<JsonElement>("admin/llm/providers/p1")).GetProperty("provider");
        Assert.Equal(30, stored.GetProperty("key_cooldown_seconds").GetInt32());
        Assert.Equal(600, stored.GetProperty("timeout_seconds").GetInt32());
        Assert.Empty(ui.Errors);
    }
}

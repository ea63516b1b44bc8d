using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>
/// The deeper flows of Providers (key pool, WebSocket flag), Routes (edit, fallbacks, defaults, allowed paths, web search)
/// and Keys (reveal, disable, expiry, web search, delete); what the forms saved is read back through the admin API.
/// </summary>
public sealed class AdminUiProviderPagesTests
{
    [Fact]
    public async Task KeyPool_Routes_AndIssuedKeys_EditAndDelete()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.OpenAsync("Providers");
        await ui.CreateProviderAsync("p1");
        await ui.CreateProviderAsync("p2");

        // The pool: add, disable, reset and remove a key.
        await page.GetByRole(AriaRole.Button, new() { Name = "Keys of p1" }).ClickAsync();
        var pool = page.GetByRole(AriaRole.Region, new() { Name = "Key pool of p1" });
        await pool.GetByLabel("Key name").FillAsync("spare");
        await pool.GetByLabel("API key").FillAsync("sk-spare-0003");
        await pool.GetByRole(AriaRole.Button, new() { Name = "Add key" }).ClickAsync();
        await pool.GetByRole(AriaRole.Button, new() { Name = "Disable key spare" }).ClickAsync();
        await Expect(AdminUiEntityPagesTests.Row(page, "spare")).ToContainTextAsync("disabled");
        await pool.GetByRole(AriaRole.Button, new() { Name = "Reset key default" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToHaveTextAsync("Key default: cooldown and quarantine cleared.");
        await ui.ConfirmAsync("Remove key spare", "Remove");
        await Expect(pool.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit p1" }).ClickAsync();
        await page.GetByLabel("Timeout (s)").FillAsync("45");
        await page.GetByLabel("Routing mode").SelectOptionAsync("priority");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(AdminUiEntityPagesTests.Row(page, "p1")).ToContainTextAsync("45 s");
        await Expect(AdminUiEntityPagesTests.Row(page, "p1")).ToContainTextAsync("priority");
        await SetWebsocketAsync(ui);

        // A route on p1 with p2 as a fallback; then the route is disabled by editing it.
        await ui.OpenAsync("Routes");
        await CreateRouteWithEveryFieldAsync(ui);
        await page.GetByRole(AriaRole.Button, new() { Name = "Fallbacks of chat" }).ClickAsync();
        var fallbacks = page.GetByRole(AriaRole.Region, new() { Name = "Fallbacks of chat" });
        await fallbacks.GetByLabel("Fallback provider").SelectOptionAsync("p2");
        await fallbacks.GetByLabel("Priority").FillAsync("1");
        await fallbacks.GetByRole(AriaRole.Button, new() { Name = "Add fallback" }).ClickAsync();
        await Expect(AdminUiEntityPagesTests.Row(page, "p2")).ToContainTextAsync("model-a");
        await ui.ConfirmAsync("Remove fallback p2", "Remove");
        await Expect(fallbacks.GetByText("No fallbacks.")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit chat" }).ClickAsync();
        await page.GetByLabel("Enabled").UncheckAsync();
        // Clearing a default sends null, an empty path list allows every path again; the cap is left as it was.
        await page.GetByLabel("Default reasoning effort").SelectOptionAsync("none");
        await page.GetByLabel("Default temperature").FillAsync("");
        await page.GetByLabel("Allowed paths").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "model-a" })).ToContainTextAsync("disabled");
        var cleared = await StoredAsync(ui, "/admin/llm/groups/default/routes", "routes");
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("default_reasoning_effort").ValueKind);
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("default_temperature").ValueKind);
        Assert.Equal(0, cleared.GetProperty("allowed_paths").GetArrayLength());
        Assert.Equal(4096, cleared.GetProperty("max_tokens_cap").GetInt32());

        // An issued key: reveal, disable, give it an expiry, delete.
        await ui.OpenAsync("Keys");
        await page.GetByRole(AriaRole.Button, new() { Name = "New key" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("bob");
        await page.GetByLabel("Web search").SelectOptionAsync("off");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var created = await page.GetByRole(AriaRole.Region, new() { Name = "Key bob" }).Locator(".plaintext").TextContentAsync();
        await Expect(AdminUiEntityPagesTests.Row(page, "bob").GetByRole(AriaRole.Cell, new() { Name = "off", Exact = true })).ToBeVisibleAsync();
        Assert.Equal("off", (await StoredAsync(ui, "/admin/llm/groups/default/keys", "keys")).GetProperty("web_search").GetString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Reveal bob" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Key bob" }).Locator(".plaintext")).ToHaveTextAsync(created!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Disable key bob" }).ClickAsync();
        await Expect(AdminUiEntityPagesTests.Row(page, "bob")).ToContainTextAsync("disabled");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit bob" }).ClickAsync();
        await page.GetByLabel("Expires").FillAsync("2031-05-04T10:30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(AdminUiEntityPagesTests.Row(page, "bob")).ToContainTextAsync("2031");
        await ui.ConfirmAsync("Delete bob");
        await Expect(page.GetByText("No keys yet.")).ToBeVisibleAsync();

        // Deleting a provider deletes its routes.
        await ui.OpenAsync("Providers");
        await ui.ConfirmAsync("Delete p1");
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "p1", Exact = true })).ToHaveCountAsync(0);
        await ui.OpenAsync("Routes");
        await Expect(page.GetByText("No routes yet.")).ToBeVisibleAsync();
        Assert.Empty(ui.Errors);
    }

    /// <summary>Two things the admin API could always do and the forms could not: switch a fallback off and on, import a key.</summary>
    [Fact]
    public async Task FallbackDisableEnable_AndAnImportedKey()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.CreateProviderAndRouteAsync("p1", "chat", new { name = "main", api_key = "sk-p1-main-0001" });
        await ui.CreateProviderAndRouteAsync("p2", "other", new { name = "main", api_key = "sk-p2-main-0001" });
        await ui.OpenAsync("Routes");
        await page.GetByRole(AriaRole.Button, new() { Name = "Fallbacks of chat" }).ClickAsync();
        var fallbacks = page.GetByRole(AriaRole.Region, new() { Name = "Fallbacks of chat" });
        await fallbacks.GetByLabel("Fallback provider").SelectOptionAsync("p2");
        await fallbacks.GetByRole(AriaRole.Button, new() { Name = "Add fallback" }).ClickAsync();
        var target = fallbacks.GetByRole(AriaRole.Row).Filter(new() { HasText = "p2" });
        await fallbacks.GetByRole(AriaRole.Button, new() { Name = "Disable fallback p2" }).ClickAsync();
        await Expect(target).ToContainTextAsync("disabled");
        var routes = (await ui.Server.Admin.GetFromJsonAsync<JsonElement>("admin/llm/groups/default/routes")).GetProperty("routes");
        var chat = routes.EnumerateArray().Single(route => route.GetProperty("alias").GetString() == "chat").GetProperty("route_id").GetString();
        Assert.False((await StoredAsync(ui, $"/admin/llm/routes/{chat}/providers", "route_providers")).GetProperty("enabled").GetBoolean());
        await fallbacks.GetByRole(AriaRole.Button, new() { Name = "Enable fallback p2" }).ClickAsync();
        await Expect(target).ToContainTextAsync("enabled");

        const string Existing = "db_sk_moved-from-elsewhere-0001";
        await ui.OpenAsync("Keys");
        await page.GetByRole(AriaRole.Button, new() { Name = "New key" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("erin");
        await page.GetByLabel("Existing key").FillAsync(Existing);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Key erin" }).Locator(".plaintext")).ToHaveTextAsync(Existing);
        using var response = await ui.ChatAsync(Existing, "chat");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(ui.Errors);
    }

    /// <summary>The API refuses the WebSocket flag on an openai provider and the form shows its words; openai-responses takes it.</summary>
    private static async Task SetWebsocketAsync(AdminUiSession ui)
    {
        var page = ui.Page;
        ui.ExpectRefusal(400, "/admin/llm/providers/p1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit p1" }).ClickAsync();
        await page.GetByLabel("Responses over WebSocket").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("websocket needs protocol openai-responses: the WebSocket mode is part of the Responses API");
        await Expect(page.GetByLabel("Responses over WebSocket")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.GetByLabel("Protocol").SelectOptionAsync("openai-responses");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(AdminUiEntityPagesTests.Row(page, "p1")).ToContainTextAsync("openai-responses (WebSocket)");
        Assert.True((await StoredAsync(ui, "/admin/llm/providers/p1", "provider")).GetProperty("websocket").GetBoolean());
    }

    /// <summary>Every route field through the form; after a reload the list and the edit form show them, and the API holds them.</summary>
    private static async Task CreateRouteWithEveryFieldAsync(AdminUiSession ui)
    {
        var page = ui.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "New route" }).ClickAsync();
        await page.GetByLabel("Alias", new() { Exact = true }).FillAsync("chat");
        await page.GetByLabel("Provider", new() { Exact = true }).SelectOptionAsync("p1");
        await page.GetByLabel("Upstream model").FillAsync("model-a");
        await page.GetByLabel("Web search").SelectOptionAsync("off");
        await page.GetByLabel("Allowed paths").FillAsync("/v1/chat/completions\n /v1/images/* \n");
        await page.GetByLabel("Default reasoning effort").SelectOptionAsync("high");
        await page.GetByLabel("Max tokens cap").FillAsync("4096");
        await page.GetByLabel("Default temperature").FillAsync("0.7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(AdminUiEntityPagesTests.Row(page, "chat")).ToBeVisibleAsync();

        await page.ReloadAsync();
        var row = AdminUiEntityPagesTests.Row(page, "chat");
        await Expect(row).ToContainTextAsync("/v1/chat/completions /v1/images/*");
        await Expect(row).ToContainTextAsync("effort high · cap 4096 tokens · temperature 0.7");
        await Expect(row.GetByRole(AriaRole.Cell, new() { Name = "off", Exact = true })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit chat" }).ClickAsync();
        await Expect(page.GetByLabel("Web search")).ToHaveValueAsync("off");
        await Expect(page.GetByLabel("Allowed paths")).ToHaveValueAsync("/v1/chat/completions\n/v1/images/*");
        await Expect(page.GetByLabel("Default reasoning effort")).ToHaveValueAsync("high");
        await Expect(page.GetByLabel("Max tokens cap")).ToHaveValueAsync("4096");
        await Expect(page.GetByLabel("Default temperature")).ToHaveValueAsync("0.7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        var stored = await StoredAsync(ui, "/admin/llm/groups/default/routes", "routes");
        Assert.Equal("off", stored.GetProperty("web_search").GetString());
        Assert.Equal(["/v1/chat/completions", "/v1/images/*"], stored.GetProperty("allowed_paths").EnumerateArray().Select(path => path.GetString()));
        Assert.Equal("high", stored.GetProperty("default_reasoning_effort").GetString());
        Assert.Equal(4096, stored.GetProperty("max_tokens_cap").GetInt32());
        Assert.Equal(0.7, stored.GetProperty("default_temperature").GetDouble());
    }

    /// <summary>What the admin API holds: the object under <paramref name="property"/>, or the only item when it is a list.</summary>
    private static async Task<JsonElement> StoredAsync(AdminUiSession ui, string path, string property)
    {
        var value = (await ui.Server.Admin.GetFromJsonAsync<JsonElement>(path.TrimStart('/'))).GetProperty(property);
        return value.ValueKind == JsonValueKind.Array ? Assert.Single(value.EnumerateArray()) : value;
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>
/// What the key pool and the fallbacks let an admin change after creating them: a key renamed, its secret rotated in
/// place, its models, own base URL and native endpoints, the pool's order, the provider's health; a fallback's model and priority. The
/// focus stays on the control that was used (or its re-drawn twin), and the admin API holds what the forms sent.
/// </summary>
public sealed class AdminUiPoolEditingTests
{
    [Fact]
    public async Task PoolKey_RenameRotateModelsBaseUrl_AndReorder()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        var created = await ui.CreateProviderAndRouteAsync("p1", "chat",
            new { name = "alpha", api_key = "sk-p1-alpha-0001" }, new { name = "beta", api_key = "sk-p1-beta-0002" });
        var alphaId = KeyIds(created)[0];
        await ui.OpenAsync("Providers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Keys of p1" }).ClickAsync();
        var pool = page.GetByRole(AriaRole.Region, new() { Name = "Key pool of p1" });

        await pool.GetByRole(AriaRole.Button, new() { Name = "Edit key alpha" }).ClickAsync();
        var form = pool.GetByRole(AriaRole.Form, new() { Name = "Edit key alpha" });
        await form.GetByLabel("Key name").FillAsync("primary");
        await form.GetByLabel("API key").FillAsync("sk-p1-rotated-0009");
        await form.GetByLabel("Only these models").FillAsync("model-a, model-b");
        await form.GetByLabel("Own base URL").FillAsync("https://example.com/own/v1");
        await form.GetByLabel("Own native endpoints (JSON)").FillAsync("""{"anthropic":"https://example.com/own/anthropic"}""");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save key" }).ClickAsync();
        await Expect(AdminUiEntityPagesTests.Row(page, "primary")).ToContainTextAsync("model-a, model-b");
        await Expect(AdminUiEntityPagesTests.Row(page, "primary")).ToContainTextAsync("https://example.com/own/v1");
        await Expect(AdminUiEntityPagesTests.Row(page, "primary")).ToContainTextAsync("anthropic https://example.com/own/anthropic");
        await Expect(pool.GetByRole(AriaRole.Button, new() { Name = "Edit key primary" })).ToBeFocusedAsync();

        // Rotated in place: same key_id, still first, the new secret; the models and base URL as typed.
        var stored = await PoolAsync(ui);
        Assert.Equal([alphaId, KeyIds(created)[1]], KeyIds(stored));
        var primary = stored.GetProperty("api_keys")[0];
        Assert.Equal("primary", primary.GetProperty("name").GetString());
        Assert.Equal(["model-a", "model-b"], primary.GetProperty("models").EnumerateArray().Select(model => model.GetString()));
        Assert.Equal("https://example.com/own/v1", primary.GetProperty("base_url").GetString());
        Assert.Equal("https://example.com/own/anthropic", primary.GetProperty("native_endpoints").GetProperty("anthropic").GetString());
        var secret = await ui.Server.Admin.GetFromJsonAsync<JsonElement>($"admin/llm/providers/p1/keys/{alphaId}/secret");
        Assert.Equal("sk-p1-rotated-0009", secret.GetProperty("api_key").GetString());

        // Emptied, the models and the base URL go back to "any" and the provider's; the secret field left empty keeps it.
        await page.Keyboard.PressAsync("Enter");
        form = pool.GetByRole(AriaRole.Form, new() { Name = "Edit key primary" });
        await form.GetByLabel("Only these models").FillAsync("");
        await form.GetByLabel("Own base URL").FillAsync("");
        await form.GetByLabel("Own native endpoints (JSON)").FillAsync("");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save key" }).ClickAsync();
        await Expect(AdminUiEntityPagesTests.Row(page, "primary")).ToContainTextAsync("the provider's");
        primary = (await PoolAsync(ui)).GetProperty("api_keys")[0];
        Assert.Equal(0, primary.GetProperty("models").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, primary.GetProperty("base_url").ValueKind);
        Assert.Empty(primary.GetProperty("native_endpoints").EnumerateObject());
        secret = await ui.Server.Admin.GetFromJsonAsync<JsonElement>($"admin/llm/providers/p1/keys/{alphaId}/secret");
        Assert.Equal("sk-p1-rotated-0009", secret.GetProperty("api_key").GetString());

        // Reorder: beta moves up to be tried first; at the top its Up is off, so the focus is on its Down. The move is one
        // write of the whole order (atomic), not a PATCH of sort_order per key.
        var writes = new List<string>();
        void RecordWrite(object? sender, IRequest request)
        {
            if (request.Method != "GET")
            {
                writes.Add($"{request.Method} {new Uri(request.Url).AbsolutePath}");
            }
        }
        page.Request += RecordWrite;
        await pool.GetByRole(AriaRole.Button, new() { Name = "Move key beta up" }).ClickAsync();
        await Expect(pool.GetByRole(AriaRole.Row).Nth(1)).ToContainTextAsync("beta");
        await Expect(pool.GetByRole(AriaRole.Button, new() { Name = "Move key beta down" })).ToBeFocusedAsync();
        page.Request -= RecordWrite;
        Assert.Equal(["PUT /admin/llm/providers/p1/keys/order"], writes);
        Assert.Equal([KeyIds(created)[1], alphaId], KeyIds(await PoolAsync(ui)));

        // Enable/Disable and Reset keep the focus on the key's re-drawn button.
        await pool.GetByRole(AriaRole.Button, new() { Name = "Disable key beta" }).ClickAsync();
        await Expect(pool.GetByRole(AriaRole.Button, new() { Name = "Enable key beta" })).ToBeFocusedAsync();
        await pool.GetByRole(AriaRole.Button, new() { Name = "Reset key beta" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToHaveTextAsync("Key beta: cooldown and quarantine cleared.");
        await Expect(pool.GetByRole(AriaRole.Button, new() { Name = "Reset key beta" })).ToBeFocusedAsync();
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task Fallback_EditModelAndPriority_AndToggleKeepsTheFocus()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.CreateProviderAndRouteAsync("p1", "chat", new { name = "main", api_key = "sk-p1-main-0001" });
        await ui.CreateProviderAndRouteAsync("p2", "other", new { name = "main", api_key = "sk-p2-main-0001" });
        var routeId = (await ui.Server.Admin.GetFromJsonAsync<JsonElement>("admin/llm/groups/default/routes")).GetProperty("routes")
            .EnumerateArray().Single(route => route.GetProperty("alias").GetString() == "chat").GetProperty("route_id").GetString();
        using (var added = await ui.Server.Admin.PostAsJsonAsync($"admin/llm/routes/{routeId}/providers", new { provider_id = "p2", priority = 1 }))
        {
            added.EnsureSuccessStatusCode();
        }
        await ui.OpenAsync("Routes");
        await page.GetByRole(AriaRole.Button, new() { Name = "Fallbacks of chat" }).ClickAsync();
        var fallbacks = page.GetByRole(AriaRole.Region, new() { Name = "Fallbacks of chat" });

        await fallbacks.GetByRole(AriaRole.Button, new() { Name = "Edit fallback p2" }).ClickAsync();
        var form = fallbacks.GetByRole(AriaRole.Form, new() { Name = "Edit fallback p2" });
        await Expect(form.GetByLabel("Upstream model")).ToHaveValueAsync("model-a");
        await form.GetByLabel("Upstream model").FillAsync("model-z");
        await form.GetByLabel("Priority").FillAsync("5");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var target = fallbacks.GetByRole(AriaRole.Row).Filter(new() { HasText = "p2" });
        await Expect(target).ToContainTextAsync("model-z");
        await Expect(target.GetByRole(AriaRole.Cell, new() { Name = "5", Exact = true })).ToBeVisibleAsync();
        await Expect(fallbacks.GetByRole(AriaRole.Button, new() { Name = "Edit fallback p2" })).ToBeFocusedAsync();
        var stored = (await ui.Server.Admin.GetFromJsonAsync<JsonElement>($"admin/llm/routes/{routeId}/providers")).GetProperty("route_providers")[0];
        Assert.Equal("model-z", stored.GetProperty("upstream_model").GetString());
        Assert.Equal(5, stored.GetProperty("priority").GetInt32());

        await fallbacks.GetByRole(AriaRole.Button, new() { Name = "Disable fallback p2" }).ClickAsync();
        await Expect(fallbacks.GetByRole(AriaRole.Button, new() { Name = "Enable fallback p2" })).ToBeFocusedAsync();
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task ResetHealth_ClearsEveryKeyOfTheProvider()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.CreateProviderAndRouteAsync("p1", "chat", new { name = "alpha", api_key = "sk-p1-alpha-0001" }, new { name = "beta", api_key = "sk-p1-beta-0002" });
        await ui.CoolEveryKeyAsync("p1", "chat", FakeReply.OpenAIRateLimit(retryAfterSeconds: 600), health => health.GetProperty("state").GetString() == "cooling");
        Assert.Equal(["cooling", "cooling"], await KeyStatesAsync(ui));

        await ui.OpenAsync("Providers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Keys of p1" }).ClickAsync();
        var pool = page.GetByRole(AriaRole.Region, new() { Name = "Key pool of p1" });
        await Expect(pool.GetByText("cooling", new() { Exact = true })).ToHaveCountAsync(2);
        await pool.GetByRole(AriaRole.Button, new() { Name = "Reset health of p1" }).ClickAsync();
        await Expect(page.Locator("#notice")).ToHaveTextAsync("p1: every key's cooldown and quarantine cleared, circuit closed.");
        await Expect(pool.GetByText("cooling", new() { Exact = true })).ToHaveCountAsync(0);
        await Expect(pool.GetByRole(AriaRole.Button, new() { Name = "Reset health of p1" })).ToBeFocusedAsync();
        Assert.Equal(["ok", "ok"], await KeyStatesAsync(ui));
        await Expect(AdminUiEntityPagesTests.Row(page, "p1")).ToContainTextAsync("2/2 usable");
        Assert.Empty(ui.Errors);
    }

    private static async Task<JsonElement> PoolAsync(AdminUiSession ui) =>
        (await ui.Server.Admin.GetFromJsonAsync<JsonElement>("admin/llm/providers/p1")).GetProperty("provider");

    private static string[] KeyIds(JsonElement provider) =>
        [.. provider.GetProperty("api_keys").EnumerateArray().Select(key => key.GetProperty("key_id").GetString()!)];

    private static async Task<string[]> KeyStatesAsync(AdminUiSession ui) =>
        [.. (await PoolAsync(ui)).GetProperty("api_keys").EnumerateArray().Select(key => key.GetProperty("health").GetProperty("state").GetString()!)];
}

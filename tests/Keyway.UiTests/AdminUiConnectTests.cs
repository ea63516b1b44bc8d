using System.Net.Http.Json;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>
/// The Connect page offers what a client can use: keys the gateway would refuse are listed but marked and not
/// choosable, and the alias defaults to the group's unified model, as `keyway connect` does.
/// </summary>
public sealed class AdminUiConnectTests
{
    [Fact]
    public async Task KeyPicker_MarksDisabledAndExpiredKeys_AndChoosesAUsableOne()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        await ui.CreateProviderAndRouteAsync("p1", "chat", new { name = "main", api_key = "sk-p1-main-0001" });
        var live = await CreateKeyAsync(ui, new { name = "live" });
        var old = await CreateKeyAsync(ui, new { name = "old" });
        await ui.Server.PassExpiryAsync(old.GetProperty("key").GetProperty("key_id").GetString()!);
        await CreateKeyAsync(ui, new { name = "off", enabled = false });

        await ui.OpenAsync("Connect");
        var keyPick = ui.Page.GetByLabel("Key", new() { Exact = true });
        foreach (var (name, marked) in new[] { ("off", "off (disabled)"), ("old", "old (expired)") })
        {
            var option = keyPick.Locator("option", new() { HasText = name });
            await Expect(option).ToHaveTextAsync(marked);
            await Expect(option).ToBeDisabledAsync();
        }
        await Expect(keyPick).ToHaveValueAsync(live.GetProperty("key").GetProperty("key_id").GetString()!);
        await ui.Page.GetByRole(AriaRole.Button, new() { Name = "Insert the full key" }).ClickAsync();
        await Expect(ui.Page.Locator("pre").First).ToContainTextAsync(live.GetProperty("plaintext").GetString()!);
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task AliasPicker_OffersTheUnifiedModel_AndDefaultsToIt()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        await ui.CreateProviderAndRouteAsync("p1", "chat", new { name = "main", api_key = "sk-p1-main-0001" });
        using (var route = await ui.Server.Admin.PostAsJsonAsync("admin/llm/groups/default/routes",
            new { alias = "broken", provider_id = "p1", upstream_model = "model-b", enabled = false }))
        {
            route.EnsureSuccessStatusCode();
        }
        using (var unified = await ui.Server.Admin.PutAsJsonAsync("admin/llm/groups/default/unified", new { route_alias = "chat" }))
        {
            unified.EnsureSuccessStatusCode();
        }
        await CreateKeyAsync(ui, new { name = "live" });

        await ui.OpenAsync("Connect");
        var aliasPick = ui.Page.GetByLabel("Alias", new() { Exact = true });
        await Expect(aliasPick.Locator("option")).ToHaveTextAsync(["unified-model (unified → chat)", "broken (disabled)", "chat"]);
        await Expect(aliasPick.Locator("option:disabled")).ToHaveTextAsync("broken (disabled)");
        await Expect(aliasPick).ToHaveValueAsync("unified-model");
        await Expect(ui.Page.Locator("section", new() { Has = ui.Page.GetByRole(AriaRole.Heading, new() { Name = "Codex" }) }).Locator("pre"))
            .ToContainTextAsync("model = \"unified-model\"");
        Assert.Empty(ui.Errors);
    }

    [Fact]
    public async Task AliasPicker_MarksTheUnifiedModelOfADisabledRoute_AndChoosesAnEnabledRoute()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        await ui.CreateProviderAndRouteAsync("p1", "chat", new { name = "main", api_key = "sk-p1-main-0001" });
        using (var route = await ui.Server.Admin.PostAsJsonAsync("admin/llm/groups/default/routes",
            new { alias = "broken", provider_id = "p1", upstream_model = "model-b", enabled = false }))
        {
            route.EnsureSuccessStatusCode();
        }
        using (var unified = await ui.Server.Admin.PutAsJsonAsync("admin/llm/groups/default/unified", new { route_alias = "broken" }))
        {
            unified.EnsureSuccessStatusCode();
        }
        await CreateKeyAsync(ui, new { name = "live" });

        await ui.OpenAsync("Connect");
        var aliasPick = ui.Page.GetByLabel("Alias", new() { Exact = true });
        await Expect(aliasPick.Locator("option:disabled")).ToHaveTextAsync(["unified-model (unified → broken) (disabled)", "broken (disabled)"]);
        await Expect(aliasPick).ToHaveValueAsync("chat");
        Assert.Empty(ui.Errors);
    }

    private static async Task<JsonElement> CreateKeyAsync(AdminUiSession ui, object body)
    {
        using var created = await ui.Server.Admin.PostAsJsonAsync("admin/llm/groups/default/keys", body);
        created.EnsureSuccessStatusCode();
        return await created.Content.ReadFromJsonAsync<JsonElement>();
    }
}

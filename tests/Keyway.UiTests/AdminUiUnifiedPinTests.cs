using System.Net.Http.Json;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>
/// The unified alias's pinned key is picked from the pool of the route it points at (the route's provider and its
/// fallbacks), each key by name, masked secret and state, rather than typed.
/// </summary>
public sealed class AdminUiUnifiedPinTests
{
    [Fact]
    public async Task PinnedKey_IsChosenFromTheRoutesPool_ByNameMaskedSecretAndState()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        var p1 = await ui.CreateProviderAndRouteAsync("p1", "chat",
            new { name = "alpha", api_key = "sk-p1-alpha-secret-0001" }, new { name = "beta", api_key = "sk-p1-beta-secret-0002" });
        await ui.CreateProviderAndRouteAsync("p2", "other", new { name = "gamma", api_key = "sk-p2-gamma-secret-0003" });
        var beta = p1.GetProperty("api_keys").EnumerateArray().Single(key => key.GetProperty("name").GetString() == "beta");
        using (var disabled = await ui.Server.Admin.PatchAsJsonAsync($"admin/llm/providers/p1/keys/{beta.GetProperty("key_id").GetString()}", new { enabled = false }))
        {
            disabled.EnsureSuccessStatusCode();
        }

        await ui.OpenAsync("Routes");
        var route = page.GetByLabel("Points at route");
        var pin = page.GetByLabel("Pinned upstream key");
        await route.SelectOptionAsync("other");
        await Expect(pin.Locator("option")).ToHaveTextAsync(["any key", "gamma · sk-…0003 · ok"]);
        await route.SelectOptionAsync("chat");
        await Expect(pin.Locator("option")).ToHaveTextAsync(["any key", "alpha · sk-…0001 · ok", "beta · sk-…0002 · disabled"]);

        // From the keyboard: the key list follows the route chosen, and the choice is sent by name.
        await pin.FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(pin).ToHaveValueAsync("alpha");
        await page.GetByRole(AriaRole.Button, new() { Name = "Point the unified alias" }).ClickAsync();
        await Expect(page.Locator(".unified-current")).ToHaveTextAsync("unified-model → chat [alpha]");
        var unified = (await ui.Server.Admin.GetFromJsonAsync<JsonElement>("admin/llm/groups/default/unified")).GetProperty("unified");
        Assert.Equal("alpha", unified.GetProperty("key_name").GetString());
        await Expect(page.GetByLabel("Pinned upstream key")).ToHaveValueAsync("alpha");
        Assert.DoesNotContain("secret", await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Empty(ui.Errors);
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>
/// A pool key's concurrency cap, set and removed in its form and shown in the pool's "In flight" column against the
/// requests it has in flight; a provider's key wait set and reset to the default in the provider form.
/// </summary>
public sealed class AdminUiKeyLimitsTests
{
    [Fact]
    public async Task KeyCap_ShownAsInFlightOverTheCap_AndProviderKeyWait_SetAndReset()
    {
        await using var ui = await AdminUiSession.StartLoggedInAsync();
        var page = ui.Page;
        await ui.CreateProviderAndRouteAsync("p1", "chat", new { name = "alpha", api_key = "sk-p1-alpha-0001" });
        await ui.OpenAsync("Providers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Keys of p1" }).ClickAsync();
        var pool = page.GetByRole(AriaRole.Region, new() { Name = "Key pool of p1" });
        var inFlight = pool.GetByRole(AriaRole.Row).Nth(1).GetByRole(AriaRole.Cell).Nth(4);
        await Expect(inFlight).ToHaveTextAsync("0");

        await pool.GetByRole(AriaRole.Button, new() { Name = "Edit key alpha" }).ClickAsync();
        var form = pool.GetByRole(AriaRole.Form, new() { Name = "Edit key alpha" });
        await form.GetByLabel("Max concurrent requests").FillAsync("3");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save key" }).ClickAsync();
        await Expect(inFlight).ToHaveTextAsync("0 / 3");
        Assert.Equal(3, (await KeyAsync(ui)).GetProperty("max_concurrency").GetInt32());

        await pool.GetByRole(AriaRole.Button, new() { Name = "Edit key alpha" }).ClickAsync();
        await form.GetByLabel("Max concurrent requests").FillAsync("");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save key" }).ClickAsync();
        await Expect(inFlight).ToHaveTextAsync("0");
        Assert.Equal(JsonValueKind.Null, (await KeyAsync(ui)).GetProperty("max_concurrency").ValueKind);

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit p1" }).ClickAsync();
        await page.GetByLabel("Key wait (s)").FillAsync("20");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByLabel("Key wait (s)")).ToHaveCountAsync(0);
        Assert.Equal(20, (await ProviderAsync(ui)).GetProperty("key_wait_seconds").GetInt32());
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit p1" }).ClickAsync();
        await Expect(page.GetByLabel("Key wait (s)")).ToHaveValueAsync("20");
        await page.GetByLabel("Key wait (s)").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByLabel("Key wait (s)")).ToHaveCountAsync(0);
        Assert.Equal(JsonValueKind.Null, (await ProviderAsync(ui)).GetProperty("key_wait_seconds").ValueKind);
        Assert.Empty(ui.Errors);
    }

    private static async Task<JsonElement> ProviderAsync(AdminUiSession ui) =>
        (await ui.Server.Admin.GetFromJsonAsync<JsonElement>("admin/llm/providers/p1")).GetProperty("provider");

    private static async Task<JsonElement> KeyAsync(AdminUiSession ui) => (await ProviderAsync(ui)).GetProperty("api_keys")[0];
}

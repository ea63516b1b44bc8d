using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>The deeper flows of Providers (key pool), Routes (edit, fallbacks) and Keys (reveal, disable, expiry, delete).</summary>
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

        // A route on p1 with p2 as a fallback; then the route is disabled by editing it.
        await ui.OpenAsync("Routes");
        await page.GetByRole(AriaRole.Button, new() { Name = "New route" }).ClickAsync();
        await page.GetByLabel("Alias", new() { Exact = true }).FillAsync("chat");
        await page.GetByLabel("Provider", new() { Exact = true }).SelectOptionAsync("p1");
        await page.GetByLabel("Upstream model").FillAsync("model-a");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
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
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "model-a" })).ToContainTextAsync("disabled");

        // An issued key: reveal, disable, give it an expiry, delete.
        await ui.OpenAsync("Keys");
        await page.GetByRole(AriaRole.Button, new() { Name = "New key" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("bob");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var created = await page.GetByRole(AriaRole.Region, new() { Name = "Key bob" }).Locator(".plaintext").TextContentAsync();
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
}

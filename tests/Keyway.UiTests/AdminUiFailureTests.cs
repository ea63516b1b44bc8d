using static Microsoft.Playwright.Assertions;

namespace Keyway.UiTests;

/// <summary>
/// What the UI says when the admin API refuses: a session that ended mid-edit, a database that is unreachable (503 on
/// every call, as the README documents), a conflict the form cannot point at a field for.
/// </summary>
public sealed class AdminUiFailureTests
{
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
}

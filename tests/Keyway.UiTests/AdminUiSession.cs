using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Keyway.UiTests;

/// <summary>
/// One browser test's world: the fake upstream, the real Keyway server on loopback, and Debian's Chromium (headless,
/// fresh profile) on a page of the admin UI. Every console error and page error is recorded; <see cref="DisposeAsync"/>
/// is where nothing is torn down silently. Screenshots go to TestResults/ui-screenshots/&lt;page&gt;-&lt;width&gt;.png.
/// </summary>
public sealed partial class AdminUiSession : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const int DesktopWidth = 1280;
    public const int PhoneWidth = 390;

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

    private readonly TempDirectory _dataDir;
    private readonly TempDirectory _profileDir;
    private readonly IPlaywright _playwright;
    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];
    private readonly List<(int Status, string Path)> _expectedRefusals = [(401, "/admin/login"), (401, "/admin/session")];

    private AdminUiSession(TempDirectory dataDir, TempDirectory profileDir, FakeUpstream upstream, KeywayServer server, IPlaywright playwright, IBrowserContext context, IPage page)
    {
        _dataDir = dataDir;
        _profileDir = profileDir;
        Upstream = upstream;
        Server = server;
        _playwright = playwright;
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !IsExpectedRefusal(message))
            {
                _errors.Add($"console: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => _errors.Add($"page error: {error}");
    }

    public FakeUpstream Upstream { get; }
    public KeywayServer Server { get; }
    public IPage Page { get; }

    /// <summary>Console and page errors so far (the browser's reports of expected refusals, such as a 401 from login or the session check, excepted).</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>A test that makes the API refuse a form on purpose: the browser's report of that answer is not an error.</summary>
    public void ExpectRefusal(int status, string path) => _expectedRefusals.Add((status, path));

    /// <param name="timezoneId">The browser's time zone (IANA id); null: the machine's.</param>
    public static async Task<AdminUiSession> StartAsync(string? timezoneId = null)
    {
        // Two cores shared with other builds: assertions wait for the UI longer than Playwright's default 5 s.
        Assertions.SetDefaultExpectTimeout(20_000);
        var dataDir = new TempDirectory();
        var profileDir = new TempDirectory();
        var upstream = await FakeUpstream.StartAsync();
        var server = await KeywayServer.StartAsync(dataDir.Path);
        var playwright = await Playwright.CreateAsync();
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profileDir.Path, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            ViewportSize = new ViewportSize { Width = DesktopWidth, Height = 900 },
            Permissions = ["clipboard-read", "clipboard-write"],
            BaseURL = server.BaseAddress.ToString(),
            TimezoneId = timezoneId,
        });
        var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
        var session = new AdminUiSession(dataDir, profileDir, upstream, server, playwright, context, page);
        await page.GotoAsync("/");
        return session;
    }

    /// <summary>A session already past the login form, on the dashboard.</summary>
    public static async Task<AdminUiSession> StartLoggedInAsync(string? timezoneId = null)
    {
        var session = await StartAsync(timezoneId);
        await session.LoginAsync();
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        return session;
    }

    public async Task LoginAsync(string token = KeywayServer.AdminToken)
    {
        await Page.GetByLabel("Admin token").FillAsync(token);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
    }

    /// <summary>Follows a navigation link as a person would and waits for the page's heading.</summary>
    public async Task OpenAsync(string title)
    {
        await Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = title, Exact = true }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>Creates an OpenAI-protocol provider on the fake upstream through the Providers page (which must be open).</summary>
    public async Task CreateProviderAsync(string providerId)
    {
        await Page.GetByRole(AriaRole.Button, new() { Name = "New provider" }).ClickAsync();
        await Page.GetByLabel("Provider id").FillAsync(providerId);
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync($"Fake {providerId}");
        await Page.GetByLabel("Protocol").SelectOptionAsync("openai");
        await Page.GetByLabel("Base URL").FillAsync(new Uri(Upstream.BaseAddress, "v1").ToString());
        await Page.GetByLabel("First upstream key").FillAsync($"sk-{providerId}-first-0001");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Cell, new() { Name = providerId, Exact = true })).ToBeVisibleAsync();
    }

    /// <summary>Creates, through the admin API, an OpenAI-protocol provider on the fake upstream with the given keys and one route to it.</summary>
    public async Task<JsonElement> CreateProviderAndRouteAsync(string providerId, string alias, params object[] keys)
    {
        using var provider = await Server.Admin.PostAsJsonAsync("admin/llm/groups/default/providers", new
        {
            provider_id = providerId,
            name = providerId,
            protocol = "openai",
            base_url = new Uri(Upstream.BaseAddress, "v1").ToString(),
            api_keys = keys,
        });
        provider.EnsureSuccessStatusCode();
        using var route = await Server.Admin.PostAsJsonAsync("admin/llm/groups/default/routes", new { alias, provider_id = providerId, upstream_model = "model-a" });
        route.EnsureSuccessStatusCode();
        return (await provider.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("provider");
    }

    /// <summary>The keys of <paramref name="providerId"/>'s pool as the admin API shows them, each with its health.</summary>
    public async Task<JsonElement[]> PoolKeysAsync(string providerId) =>
        [.. (await Server.Admin.GetFromJsonAsync<JsonElement>($"admin/llm/providers/{providerId}")).GetProperty("provider").GetProperty("api_keys").EnumerateArray()];

    /// <summary>
    /// Has the fake upstream answer <paramref name="failure"/> and calls <paramref name="alias"/> with a new issued key
    /// until every key of <paramref name="providerId"/> is as <paramref name="cooled"/> (of its health) says: each call cools
    /// the key it was sent to and those it failed over to, so two calls are enough. The upstream answers normally after.
    /// </summary>
    public async Task CoolEveryKeyAsync(string providerId, string alias, FakeReply failure, Func<JsonElement, bool> cooled)
    {
        using var issued = await Server.Admin.PostAsJsonAsync("admin/llm/groups/default/keys", new { name = "caller" });
        var plaintext = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("plaintext").GetString()!;
        Upstream.ReplyToAll(failure);
        for (var call = 0; call < 2 && !(await PoolKeysAsync(providerId)).All(key => cooled(key.GetProperty("health"))); call++)
        {
            using var refused = await ChatAsync(plaintext, alias);
        }
        Upstream.ReplyToAll(null);
    }

    /// <summary>Clicks a destructive button and confirms in the dialog it opens.</summary>
    public async Task ConfirmAsync(string buttonName, string confirmLabel = "Delete")
    {
        await Page.GetByRole(AriaRole.Button, new() { Name = buttonName, Exact = true }).ClickAsync();
        await Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = confirmLabel, Exact = true }).ClickAsync();
    }

    /// <summary>A full-page screenshot at desktop and at phone width, named after the page.</summary>
    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        foreach (var width in new[] { DesktopWidth, PhoneWidth })
        {
            await Page.SetViewportSizeAsync(width, width == PhoneWidth ? 844 : 900);
            await Page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, $"{name}-{width}.png"), FullPage = true });
        }
        await Page.SetViewportSizeAsync(DesktopWidth, 900);
    }

    /// <summary>One chat call through the gateway with an issued key, as a client would make it.</summary>
    public async Task<HttpResponseMessage> ChatAsync(string key, string alias)
    {
        using var client = Server.ClientWithKey(key);
        return await client.PostAsJsonAsync("v1/chat/completions", new { model = alias, messages = new[] { new { role = "user", content = "Hello" } } });
    }

    /// <summary>TestResults/ui-screenshots at the repository root (beside Keyway.sln), where tools/test.sh collects results.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "TestResults", "ui-screenshots");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Keyway.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Keyway.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Chromium reports every 4xx answer as a console error; the login form and the start-up session check expect a 401.</summary>
    private bool IsExpectedRefusal(IConsoleMessage message) =>
        RefusalText().Match(message.Text) is { Success: true } match
        && _expectedRefusals.Exists(refusal =>
            match.Groups["status"].Value == refusal.Status.ToString(CultureInfo.InvariantCulture)
            && message.Location.Contains(refusal.Path, StringComparison.Ordinal));

    [GeneratedRegex(@"status of (?<status>\d{3})\b")]
    private static partial Regex RefusalText();

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        _playwright.Dispose();
        await Server.DisposeAsync();
        await Upstream.DisposeAsync();
        _profileDir.Dispose();
        _dataDir.Dispose();
    }
}

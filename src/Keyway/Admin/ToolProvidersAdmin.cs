using System.Text.Json;
using Keyway.Security;
using Keyway.Storage;
using Keyway.Tools;

namespace Keyway.Admin;

/// <summary>/admin/llm/groups/{id}/tool-providers and /admin/llm/tool-providers/{id}. The API key is stored sealed and never shown.</summary>
internal static class ToolProvidersAdmin
{
    private const string DefaultKind = "tavily";
    private const int ConfigMaxLength = 4096;

    public static void MapToolProvidersAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/llm/groups/{groupId}/tool-providers", ListAsync);
        admin.MapPost("/llm/groups/{groupId}/tool-providers", CreateAsync);
        admin.MapGet("/llm/tool-providers/{toolId}", GetAsync);
        admin.MapPatch("/llm/tool-providers/{toolId}", UpdateAsync);
        admin.MapDelete("/llm/tool-providers/{toolId}", DeleteAsync);
        admin.MapPost("/llm/tool-providers/{toolId}/test", TestAsync);
    }

    private static async Task<IResult> ListAsync(string groupId, GroupRepository groups, ToolProviderRepository tools, CancellationToken cancellationToken)
    {
        await groups.RequireGroupAsync(groupId, cancellationToken);
        var list = await tools.ListByGroupAsync(groupId, cancellationToken);
        return TypedResults.Json(
            new ToolProviderListEnvelope(list.Select(tool => tool.AsResponse()).ToList()), AdminJsonContext.Default.ToolProviderListEnvelope);
    }

    private static async Task<IResult> CreateAsync(
        string groupId, HttpRequest request, GroupRepository groups, ToolProviderRepository tools, SecretBox secrets,
        ConfigurationChangeNotifier notifier, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        await groups.RequireGroupAsync(groupId, cancellationToken);
        var now = time.GetUtcNow();
        var tool = Read(body, New(NewId(body), groupId, now), creating: true, secrets);
        await tools.CreateAsync(tool, cancellationToken).OrConflict($"tool_id '{tool.ToolId}' already exists");
        await notifier.NotifyAsync();
        return Respond(tool);
    }

    private static async Task<IResult> GetAsync(string toolId, ToolProviderRepository tools, CancellationToken cancellationToken) =>
        Respond(await tools.RequireToolProviderAsync(toolId, cancellationToken));

    private static async Task<IResult> UpdateAsync(
        string toolId, HttpRequest request, ToolProviderRepository tools, SecretBox secrets, ConfigurationChangeNotifier notifier,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, cancellationToken);
        var tool = await tools.RequireToolProviderAsync(toolId, cancellationToken);
        var updated = Read(body, tool, creating: false, secrets) with { UpdatedAt = time.GetUtcNow() };
        if (!await tools.UpdateAsync(updated, cancellationToken))
        {
            throw AdminProblem.NotFound($"tool provider not found: {toolId}");
        }
        await notifier.NotifyAsync();
        return Respond(updated);
    }

    private static async Task<IResult> DeleteAsync(
        string toolId, ToolProviderRepository tools, ConfigurationChangeNotifier notifier, CancellationToken cancellationToken)
    {
        if (!await tools.DeleteAsync(toolId, cancellationToken))
        {
            throw AdminProblem.NotFound($"tool provider not found: {toolId}");
        }
        await notifier.NotifyAsync();
        return TypedResults.Json(new MessageResponse($"tool provider deleted: {toolId}"), AdminJsonContext.Default.MessageResponse);
    }

    /// <summary>One real search with the provider's key and base URL; Tavily's failure is the test's result, not an error.</summary>
    private static async Task<IResult> TestAsync(
        string toolId, ToolProviderRepository tools, SecretBox secrets, TavilyClient tavily, TimeProvider time, CancellationToken cancellationToken)
    {
        var tool = await tools.RequireToolProviderAsync(toolId, cancellationToken);
        if (WebSearchProvider.From(tool, secrets) is not { } provider)
        {
            return RespondTest(new ToolProviderTestResult(false, 0, 0, $"tool provider kind '{tool.Kind}' cannot be tested (only '{WebSearchProvider.Kind}' with an api_key)"));
        }
        var started = time.GetTimestamp();
        var outcome = await tavily.SearchAsync(provider, "Keyway connectivity test", 1, cancellationToken);
        var latency = (long)time.GetElapsedTime(started).TotalMilliseconds;
        return RespondTest(new ToolProviderTestResult(outcome.Ok, outcome.Status, latency, outcome.Message));
    }

    private static IResult RespondTest(ToolProviderTestResult result) =>
        TypedResults.Json(new ToolProviderTestEnvelope(result), AdminJsonContext.Default.ToolProviderTestEnvelope);

    /// <summary>The chosen tool_id, else a new one.</summary>
    public static string NewId(RequestBody body) =>
        body.OptionalString("tool_id", 64) is { Length: > 0 } chosen ? AdminValidation.Slug("tool_id", chosen) : AdminValidation.NewId();

    /// <summary>A tool provider of <paramref name="groupId"/> before its body is read.</summary>
    public static ToolProviderRecord New(string toolId, string groupId, DateTimeOffset now) => new(toolId, groupId, "", DefaultKind, "", "{}", true, now, now);

    /// <summary>The fields create and PATCH read from <paramref name="body"/>, onto <paramref name="tool"/>; create requires a name and an api_key.</summary>
    public static ToolProviderRecord Read(RequestBody body, ToolProviderRecord tool, bool creating, SecretBox secrets) => tool with
    {
        Name = creating || body.Has("name") ? body.RequiredString("name", AdminValidation.NameMaxLength) : tool.Name,
        Kind = body.OptionalString("kind", 32) ?? tool.Kind,
        SealedApiKey = creating || body.Has("api_key")
            ? secrets.Seal(ProviderFields.RequireSecret(body.RequiredString("api_key", AdminValidation.SecretMaxLength), "api_key"))
            : tool.SealedApiKey,
        ConfigJson = Config(body) ?? tool.ConfigJson,
        Enabled = body.OptionalBool("enabled") ?? tool.Enabled,
    };

    /// <summary><c>config</c> as JSON text: the Python Keyway took a string holding a JSON object; an object is accepted too.</summary>
    private static string? Config(RequestBody body)
    {
        var text = body.Element("config") switch
        {
            null => null,
            { ValueKind: JsonValueKind.Object } value => value.GetRawText(),
            { ValueKind: JsonValueKind.String } value => value.GetString()!,
            _ => throw AdminProblem.BadRequest("config must be a JSON object", "config"),
        };
        if (text is null)
        {
            return null;
        }
        if (text.Length > ConfigMaxLength)
        {
            throw AdminProblem.BadRequest($"config must be at most {ConfigMaxLength} characters", "config");
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? text : throw AdminProblem.BadRequest("config must be a JSON object", "config");
        }
        catch (JsonException)
        {
            throw AdminProblem.BadRequest("config must be a JSON object", "config");
        }
    }

    private static IResult Respond(ToolProviderRecord tool) =>
        TypedResults.Json(new ToolProviderEnvelope(tool.AsResponse()), AdminJsonContext.Default.ToolProviderEnvelope);
}

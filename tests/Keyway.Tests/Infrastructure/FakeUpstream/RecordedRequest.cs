using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Keyway.Tests.Infrastructure;

/// <summary>One request as the fake upstream received it.</summary>
public sealed class RecordedRequest
{
    private readonly JsonElement _parsed;

    public RecordedRequest(string method, string path, IReadOnlyDictionary<string, string> headers, string body)
    {
        Method = method;
        Path = path;
        Headers = headers;
        Body = body;
        _parsed = TryParse(body);
    }

    public string Method { get; }

    /// <summary>Path and query string, e.g. <c>/v1/messages?beta=true</c>.</summary>
    public string Path { get; }

    /// <summary>Header values by case-insensitive name; repeated headers are joined with ", ".</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public string Body { get; }

    /// <summary>The body parsed as JSON; throws when the body is not JSON.</summary>
    public JsonElement Json => _parsed.ValueKind == JsonValueKind.Undefined
        ? throw new InvalidOperationException($"The body of {Method} {Path} is not JSON.")
        : _parsed;

    /// <summary>The upstream key the caller sent: the Bearer token, or the x-api-key value.</summary>
    public string? UpstreamKey =>
        Headers.TryGetValue("x-api-key", out var apiKey) ? apiKey
        : Headers.TryGetValue("Authorization", out var authorization) && authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..]
        : null;

    /// <summary>The body's <c>model</c> field, or null when the body is not a JSON object carrying one.</summary>
    public string? Model => FakeJson.String(_parsed, "model");

    /// <summary>Every string value of the JSON body at any depth: where a message's text sits differs per protocol.</summary>
    public IReadOnlyList<string> Strings()
    {
        var strings = new List<string>();
        Collect(Json, strings);
        return strings;
    }

    /// <summary>The body as JSON, or an undefined element when it is not JSON.</summary>
    internal JsonElement Parsed => _parsed;

    private static void Collect(JsonElement element, List<string> strings)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                strings.Add(element.GetString()!);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, strings);
                }
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, strings);
                }
                break;
        }
    }

    private static JsonElement TryParse(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    internal static async Task<RecordedRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(
            header => header.Key,
            header => string.Join(", ", header.Value.ToArray()),
            StringComparer.OrdinalIgnoreCase);
        return new RecordedRequest(request.Method, request.Path + request.QueryString, headers, body);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Keyway.Tools;

/// <summary>
/// Calls Tavily's <c>POST {base}/search</c> over its own pooled handler (searches must not share the upstream pool's
/// per-origin limits). Never throws for Tavily's failures: a timeout, an error status or a bad body becomes an
/// error outcome the model can read and go on from.
/// </summary>
public sealed class TavilyClient : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
    private const int MaxContentChars = 500;
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        ActivityHeadersPropagator = null,
    }, disposeHandler: true);

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public async Task<WebSearchOutcome> SearchAsync(WebSearchProvider provider, string query, int maxResults, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(provider.BaseUrl, "search"))
        {
            Content = new ByteArrayContent(RequestBody(query, maxResults)),
            Version = HttpVersion.Version11,
        };
        request.Content.Headers.ContentType = JsonContentType;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", provider.ApiKey);
        try
        {
            using var response = await _invoker.SendAsync(request, deadline.Token);
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                return Failed(status, $"HTTP {status}");
            }
            return Compact(body) is { } result ? new WebSearchOutcome(true, status, result, "ok") : Failed(status, "unreadable answer");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(0, $"timed out after {Timeout.TotalSeconds:0}s");
        }
        catch (HttpRequestException e)
        {
            return Failed(0, e.Message);
        }
    }

    /// <summary>The outcome of a search that failed for <paramref name="reason"/>, as the model reads it.</summary>
    internal static WebSearchOutcome Failed(int status, string reason)
    {
        var message = "web search failed: " + reason;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteEndObject();
        }
        return new WebSearchOutcome(false, status, Encoding.UTF8.GetString(buffer.ToArray()), message);
    }

    private static byte[] RequestBody(string query, int maxResults)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("query", query);
            writer.WriteNumber("max_results", maxResults);
            writer.WriteString("search_depth", "basic");
            writer.WriteBoolean("include_answer", true);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary><c>{"answer","results":[{"title","url","content"}]}</c> with each content cut to 500 characters; null when not Tavily's shape.</summary>
    private static string? Compact(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("answer", StringOf(root, "answer"));
                writer.WriteStartArray("results");
                if (root.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array)
                {
                    foreach (var result in results.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.Object))
                    {
                        var content = StringOf(result, "content");
                        writer.WriteStartObject();
                        writer.WriteString("title", StringOf(result, "title"));
                        writer.WriteString("url", StringOf(result, "url"));
                        writer.WriteString("content", content.Length > MaxContentChars ? content[..MaxContentChars] : content);
                        writer.WriteEndObject();
                    }
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    public void Dispose() => _invoker.Dispose();
}

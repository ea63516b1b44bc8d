using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// A fake Tavily on 127.0.0.1:0: <c>POST /search</c> answers <see cref="AnswerFor"/> and one result per query whose
/// content is longer than the 500 characters Keyway keeps. Records every request; <see cref="FailNext"/> scripts
/// an error status and <see cref="HangNext"/> a search that never answers.
/// </summary>
public sealed class FakeTavily : IAsyncDisposable
{
    public const string ApiKey = "tvly-test-key-0123456789";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeTavily(WebApplication app) => _app = app;

    /// <summary>The root address, e.g. <c>http://127.0.0.1:PORT/</c>: the tool provider's <c>config.base_url</c>.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>The <c>query</c> of every search received, in arrival order.</summary>
    public IReadOnlyList<string> Queries => Requests.Select(r => r.Json.GetProperty("query").GetString()!).ToArray();

    public static string AnswerFor(string query) => $"Tavily answer for {query}";

    public static string TitleFor(string query) => $"Result for {query}";

    /// <summary>The content of every result: 600 characters, so the 500-character cut shows.</summary>
    public static string ContentFor(string query) => (query + " ").PadRight(600, 'x');

    public static async Task<FakeTavily> StartAsync()
    {
        var app = LoopbackApp.Create();
        var fake = new FakeTavily(app);
        app.MapPost("/search", fake.SearchAsync);
        fake.BaseAddress = await LoopbackApp.StartAsync(app);
        return fake;
    }

    /// <summary>The next <paramref name="times"/> searches answer <paramref name="status"/> with an error body.</summary>
    public void FailNext(int status, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _script.Enqueue(status);
        }
    }

    /// <summary>The next search never answers; it ends when its caller gives up.</summary>
    public void HangNext() => _script.Enqueue(0);

    private async Task SearchAsync(HttpContext context)
    {
        var recorded = await RecordedRequest.ReadAsync(context.Request, context.RequestAborted);
        _requests.Enqueue(recorded);
        if (_script.TryDequeue(out var status))
        {
            if (status == 0)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            var error = new JsonObject { ["detail"] = new JsonObject { ["error"] = $"fake failure {status}" } };
            await context.Response.WriteAsync(error.ToJsonString(), context.RequestAborted);
            return;
        }
        var query = recorded.Json.GetProperty("query").GetString()!;
        var answer = new JsonObject
        {
            ["query"] = query,
            ["answer"] = AnswerFor(query),
            ["results"] = new JsonArray(new JsonObject
            {
                ["title"] = TitleFor(query),
                ["url"] = $"https://example.com/{Uri.EscapeDataString(query)}",
                ["content"] = ContentFor(query),
                ["score"] = 0.9,
            }),
            ["response_time"] = 0.1,
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

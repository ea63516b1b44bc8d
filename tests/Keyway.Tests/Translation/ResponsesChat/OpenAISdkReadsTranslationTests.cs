using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using Keyway.Protocols.Translation.ResponsesChat;
using OpenAI.Responses;
using static Keyway.Tests.Translation.ResponsesChat.ResponsesChatHarness;

// The SDK marks its Responses client experimental; these tests only use it to read what the translators produce.
#pragma warning disable OPENAI001

namespace Keyway.Tests.Translation.ResponsesChat;

/// <summary>The official OpenAI .NET SDK's Responses client parses the translated answers (served by a fake handler, no network).</summary>
public sealed class OpenAISdkReadsTranslationTests
{
    [Fact]
    public async Task TranslatedStream_IsReadAsTextDeltasToolCallsAndACompletedResponse()
    {
        var stream = RunStream(Sse("function_call.chat_stream.sse"), CodexRequest());
        var text = new StringBuilder();
        var calls = new List<FunctionCallResponseItem>();
        ResponseResult? completed = null;

        await foreach (var update in await Client(stream, "text/event-stream").CreateResponseStreamingAsync("codex-fast", "hi"))
        {
            switch (update)
            {
                case StreamingResponseOutputTextDeltaUpdate delta:
                    text.Append(delta.Delta);
                    break;
                case StreamingResponseOutputItemDoneUpdate { Item: FunctionCallResponseItem call }:
                    calls.Add(call);
                    break;
                case StreamingResponseCompletedUpdate done:
                    completed = done.Response;
                    break;
            }
        }

        Assert.Equal("Let me look.", text.ToString());
        Assert.Equal(["call_read", "call_ls"], calls.Select(call => call.CallId));
        Assert.Equal("""{"command":["cat","a.txt"]}""", calls[0].FunctionArguments.ToString());
        Assert.NotNull(completed);
        Assert.Equal(1024, completed.Usage.InputTokenDetails.CachedTokenCount);
    }

    [Fact]
    public async Task TranslatedAnswer_IsReadWithItsOutputTextAndUsage()
    {
        var body = ChatResponseToResponses.Translate(Json("plain_text.chat_response.json"), CodexRequest(), Context);

        ResponseResult response = await Client(Encoding.UTF8.GetString(body), "application/json").CreateResponseAsync("codex-fast", "hi");

        Assert.Equal("Arr, matey — semicolons be \"optional\", mostly. Ünd ☠️!", response.GetOutputText());
        Assert.Equal(55, response.Usage.TotalTokenCount);
    }

    private static ResponsesClient Client(string body, string mediaType) => new(
        new ApiKeyCredential("sk-test"),
        new ResponsesClientOptions
        {
            Endpoint = new Uri("http://127.0.0.1/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            Transport = new HttpClientPipelineTransport(new HttpClient(new FixedAnswer(body, mediaType))),
        });

    private sealed class FixedAnswer(string body, string mediaType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, mediaType) });
    }
}

using System.ClientModel;
using System.ClientModel.Primitives;
using Keyway.Tests.Infrastructure;
using OpenAI.Responses;

// The SDK marks its Responses client experimental.
#pragma warning disable OPENAI001

namespace Keyway.Tests.Gateway;

/// <summary>
/// The official OpenAI .NET SDK chaining turns by id, as its users do against OpenAI
/// (https://platform.openai.com/docs/guides/conversation-state#passing-context-from-the-previous-response): the second
/// request carries only the tool's output and <c>previous_response_id</c>, then the response is read back and deleted
/// (https://platform.openai.com/docs/api-reference/responses/get, …/responses/delete). Both translated routes: Chat, and
/// Chat → Anthropic.
/// </summary>
public sealed class StoredResponsesSdkTests
{
    [Theory]
    [InlineData(GatewayTestBed.OpenAIAlias, GatewayTestBed.OpenAIModel)]
    [InlineData(GatewayTestBed.AnthropicAlias, GatewayTestBed.AnthropicModel)]
    public async Task TheSdk_ContinuesByPreviousResponseId_ReadsTheResponseBack_AndDeletesIt(string alias, string upstreamModel)
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var client = new ResponsesClient(
            new ApiKeyCredential(bed.Key), new ResponsesClientOptions { Endpoint = bed.OpenAIBaseUrl, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });
        var tool = ResponseTool.CreateFunctionTool(
            "exec_command", BinaryData.FromString("""{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"]}"""), strictModeEnabled: false);

        var ask = new CreateResponseOptions { Model = alias, Tools = { tool } };
        ask.InputItems.Add(ResponseItem.CreateUserMessageItem($"{FakeUpstream.ToolTrigger} exec_command"));
        ResponseResult first = await client.CreateResponseAsync(ask);
        var call = first.OutputItems.OfType<FunctionCallResponseItem>().Single();
        var followUp = new CreateResponseOptions { Model = alias, PreviousResponseId = first.Id, Tools = { tool }, StreamingEnabled = true };
        followUp.InputItems.Add(ResponseItem.CreateFunctionCallOutputItem(call.CallId, "total 0"));
        ResponseResult? answer = null;
        await foreach (var update in await client.CreateResponseStreamingAsync(followUp))
        {
            answer = update is StreamingResponseCompletedUpdate done ? done.Response : answer;
        }

        Assert.NotNull(answer);
        Assert.Equal(FakeUpstream.ToolResultReplyText(upstreamModel, "total 0"), answer.GetOutputText());
        Assert.Equal(first.Id, answer.PreviousResponseId);
        ResponseResult read = await client.GetResponseAsync(answer.Id);
        Assert.Equal(answer.GetOutputText(), read.GetOutputText());
        ResponseDeletionResult deleted = await client.DeleteResponseAsync(answer.Id);
        Assert.True(deleted.Deleted);
        var gone = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(answer.Id));
        Assert.Equal(404, gone.Status);
        Assert.Contains($"Response with id '{answer.Id}' not found.", gone.Message, StringComparison.Ordinal);
        var goneAlready = await Assert.ThrowsAsync<ClientResultException>(() => client.DeleteResponseAsync(answer.Id));
        Assert.Equal(404, goneAlready.Status);
        Assert.Contains($"Response with id '{answer.Id}' not found.", goneAlready.Message, StringComparison.Ordinal);
        followUp.PreviousResponseId = answer.Id;
        followUp.StreamingEnabled = false;
        var notFound = await Assert.ThrowsAsync<ClientResultException>(() => client.CreateResponseAsync(followUp));
        Assert.Equal(400, notFound.Status);
        Assert.Contains("previous_response_not_found", notFound.Message, StringComparison.Ordinal);
    }
}

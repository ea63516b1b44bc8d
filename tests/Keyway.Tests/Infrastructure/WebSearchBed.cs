using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// A <see cref="GatewayTestBed"/> plus a <see cref="FakeTavily"/>, and scripted upstream answers that call tools.
/// The default group gets the Tavily tool provider unless <c>withProvider</c> is false, and a route
/// <see cref="ResponsesAlias"/> to an <c>openai-responses</c> provider on the same fake upstream.
/// </summary>
public sealed class WebSearchBed : IAsyncDisposable
{
    public const string ResponsesAlias = "resp-alias";
    public const string ResponsesModel = "resp-model";

    private WebSearchBed(GatewayTestBed gateway, FakeTavily tavily)
    {
        Gateway = gateway;
        Tavily = tavily;
    }

    public GatewayTestBed Gateway { get; }
    public FakeTavily Tavily { get; }
    public FakeUpstream Upstream => Gateway.Upstream;

    public static async Task<WebSearchBed> StartAsync(bool withProvider = true, bool enabled = true, TimeSpan? searchTimeout = null, bool logQueries = false)
    {
        var tavily = await FakeTavily.StartAsync();
        var gateway = await GatewayTestBed.StartAsync(options => options with { LogToolQueries = logQueries }, services =>
        {
            if (searchTimeout is { } timeout)
            {
                services.AddSingleton(new TavilyClient { Timeout = timeout });
            }
        });
        await AdminApi.CreateProviderAsync(gateway.Admin, "default", "fake-responses", new Uri(gateway.Upstream.BaseAddress, "v1").ToString(), "openai-responses");
        await AdminApi.CreateRouteAsync(gateway.Admin, "default", ResponsesAlias, "fake-responses", ResponsesModel);
        if (withProvider)
        {
            await WebSearchSetup.CreateTavilyAsync(gateway.Admin, "default", tavily, enabled: enabled);
        }
        return new WebSearchBed(gateway, tavily);
    }

    /// <summary>POSTs and reads the whole answer as JSON, asserting 200.</summary>
    public async Task<JsonElement> PostOkAsync(string path, string json, params (string Name, string Value)[] headers)
    {
        using var response = await Gateway.PostAsync(path, json, headers);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A chat completion calling the given tools; arguments are JSON text.</summary>
    public static FakeReply ChatToolCalls(params (string Id, string Name, string Arguments)[] calls)
    {
        var toolCalls = new JsonArray(calls.Select(call => (JsonNode)new JsonObject
        {
            ["id"] = call.Id,
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments },
        }).ToArray());
        var answer = new JsonObject
        {
            ["id"] = "chatcmpl-scripted",
            ["object"] = "chat.completion",
            ["model"] = GatewayTestBed.OpenAIModel,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = toolCalls },
                ["finish_reason"] = "tool_calls",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = FakeUpstream.PromptTokens, ["completion_tokens"] = FakeUpstream.CompletionTokens, ["total_tokens"] = FakeUpstream.TotalTokens },
        };
        return FakeReply.Status(200, answer.ToJsonString());
    }

    /// <summary>An Anthropic message calling the given tools; input is JSON text.</summary>
    public static FakeReply AnthropicToolUses(params (string Id, string Name, string Input)[] calls)
    {
        var content = new JsonArray(calls.Select(call => (JsonNode)new JsonObject
        {
            ["type"] = "tool_use",
            ["id"] = call.Id,
            ["name"] = call.Name,
            ["input"] = JsonNode.Parse(call.Input),
        }).ToArray());
        var answer = new JsonObject
        {
            ["id"] = "msg_scripted",
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = GatewayTestBed.AnthropicModel,
            ["content"] = content,
            ["stop_reason"] = "tool_use",
            ["stop_sequence"] = null,
            ["usage"] = new JsonObject { ["input_tokens"] = FakeUpstream.PromptTokens, ["output_tokens"] = FakeUpstream.CompletionTokens },
        };
        return FakeReply.Status(200, answer.ToJsonString());
    }

    /// <summary>A Responses answer whose output is one <c>function_call</c> item per call; arguments are JSON text.</summary>
    public static FakeReply ResponsesFunctionCalls(params (string Id, string Name, string Arguments)[] calls)
    {
        var output = new JsonArray(calls.Select(call => (JsonNode)new JsonObject
        {
            ["type"] = "function_call",
            ["id"] = "fc_" + call.Id,
            ["call_id"] = call.Id,
            ["name"] = call.Name,
            ["arguments"] = call.Arguments,
            ["status"] = "completed",
        }).ToArray());
        var answer = new JsonObject
        {
            ["id"] = "resp_scripted",
            ["object"] = "response",
            ["status"] = "completed",
            ["model"] = ResponsesModel,
            ["output"] = output,
            ["usage"] = new JsonObject { ["input_tokens"] = FakeUpstream.PromptTokens, ["output_tokens"] = FakeUpstream.CompletionTokens, ["total_tokens"] = FakeUpstream.TotalTokens },
        };
        return FakeReply.Status(200, answer.ToJsonString());
    }

    public static string SearchArgs(string query) => new JsonObject { ["query"] = query }.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Tavily.DisposeAsync();
    }
}

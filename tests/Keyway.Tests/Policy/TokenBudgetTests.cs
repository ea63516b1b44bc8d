using System.Text.Json;
using System.Text.Json.Nodes;
using Keyway.Tests.Gateway;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Keyway.Tests.Policy;

/// <summary>Daily and monthly token budgets: counted from finished requests' real usage, reset on the UTC calendar.</summary>
public sealed class TokenBudgetTests
{
    [Theory]
    [InlineData("daily_token_budget", "daily")]
    [InlineData("monthly_token_budget", "monthly")]
    public async Task Budget_SpentByStreamedAndPlainUsage_ResetsAtTheUtcBoundary(string field, string which)
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { [field] = 30 });

        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
        await bed.WaitForRequestsAsync(1);
        using (var streamed = await KeyPolicyBed.MessagesAsync(key.Client, stream: true))
        {
            Assert.Equal(200, (int)streamed.StatusCode);
            await streamed.Content.ReadAsStringAsync();
        }
        await bed.WaitForRequestsAsync(2);

        var spent = $"The {which} token budget of this API key (30 tokens) is spent; it resets at 2030-02-01T00:00:00Z.";
        using (var refused = await KeyPolicyBed.ChatAsync(key.Client))
        {
            Assert.Equal("120", KeyPolicyBed.Header(refused, "Retry-After"));
            await GatewayErrorAssert.OpenAIAsync(refused, 429, spent);
        }
        using (var refusedAnthropic = await KeyPolicyBed.MessagesAsync(key.Client))
        {
            await GatewayErrorAssert.AnthropicAsync(refusedAnthropic, 429, "rate_limit_error", spent);
        }
        Assert.Equal(2, bed.Upstream.RequestCount);

        bed.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
    }

    [Fact]
    public async Task StreamLeftBeforeItsUsage_CountsAnEstimateAgainstTheBudget()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 1000 });
        bed.Upstream.Enqueue(FakeReply.StreamThenHang(eventsBeforeHang: 3));

        var response = await KeyPolicyBed.ChatAsync(key.Client, stream: true);
        var stream = await response.Content.ReadAsStreamAsync();
        await stream.ReadAtLeastAsync(new byte[16], 1);
        response.Dispose();
        await bed.Upstream.WaitForAbortAsync();

        var log = (await bed.WaitForRequestsAsync(1))[0];
        Assert.Equal(499, log.GetProperty("status_code").GetInt32());
        var input = log.GetProperty("input_tokens");
        var output = log.GetProperty("output_tokens");
        Assert.Equal((JsonValueKind.Number, JsonValueKind.Number), (input.ValueKind, output.ValueKind));
        Assert.True(log.GetProperty("usage_estimated").GetBoolean());
        Assert.InRange(input.GetInt64(), 1, 100);
        Assert.InRange(output.GetInt64(), 1, 3);
        var today = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, $"admin/llm/keys/{key.KeyId}/usage")).GetProperty("today");
        Assert.Equal(1000 - input.GetInt64() - output.GetInt64(), today.GetProperty("remaining_tokens").GetInt64());
    }

    [Fact]
    public async Task StreamLeftRightAfterThe200_CountsThePromptAgainstTheBudget()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 1000 });
        var headersSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bed.Upstream.Enqueue(FakeReply.HeadersThenHang(headersSent));

        using var leave = new CancellationTokenSource();
        var call = KeyPolicyBed.ChatAsync(key.Client, stream: true, cancellationToken: leave.Token);
        await headersSent.Task;
        // The upstream having sent its 200 is not yet the gateway having read it, and nothing outside the gateway tells
        // when it has (the client sees no byte before the first event): leaving at once made the row a client that left
        // before any answer, without an estimate, in about one full run of four on a loaded machine.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await bed.Upstream.WaitForAbortAsync();

        var log = await EstimatedLogAsync(bed, key, expectedStatus: 499);
        Assert.Equal(0, log.GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task WholeAnswerWithoutUsage_CountsThePromptAgainstTheBudget()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 1000 });
        bed.Upstream.Enqueue(FakeReply.WithoutUsage());

        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));

        var log = await EstimatedLogAsync(bed, key, expectedStatus: 200);
        Assert.Equal(JsonValueKind.Null, log.GetProperty("output_tokens").ValueKind);
    }

    /// <summary>The one log row, its prompt estimated and counted against <paramref name="key"/>'s daily budget of 1000 with what the row says it output.</summary>
    private static async Task<JsonElement> EstimatedLogAsync(KeyPolicyBed bed, IssuedKey key, int expectedStatus)
    {
        var log = (await bed.WaitForRequestsAsync(1))[0];
        Assert.Equal(expectedStatus, log.GetProperty("status_code").GetInt32());
        Assert.True(log.GetProperty("usage_estimated").GetBoolean());
        var input = log.GetProperty("input_tokens").GetInt64();
        Assert.InRange(input, 1, 100);
        var output = log.GetProperty("output_tokens") is { ValueKind: JsonValueKind.Number } reported ? reported.GetInt64() : 0;
        var today = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, $"admin/llm/keys/{key.KeyId}/usage")).GetProperty("today");
        Assert.Equal(1000 - input - output, today.GetProperty("remaining_tokens").GetInt64());
        return log;
    }

    [Fact]
    public async Task MonthlyBudget_OutlastsTheDay()
    {
        await using var bed = await KeyPolicyBed.StartAsync(new DateTimeOffset(2030, 1, 30, 23, 58, 0, TimeSpan.Zero));
        var key = await bed.CreateKeyAsync(new JsonObject { ["monthly_token_budget"] = 30, ["daily_token_budget"] = 1000 });
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client, stream: true));
        await bed.WaitForRequestsAsync(2);

        bed.Clock.Advance(TimeSpan.FromMinutes(2));
        using var refused = await KeyPolicyBed.ChatAsync(key.Client);
        Assert.Equal($"{(int)TimeSpan.FromDays(1).TotalSeconds}", KeyPolicyBed.Header(refused, "Retry-After"));
        await GatewayErrorAssert.OpenAIAsync(refused, 429, "The monthly token budget of this API key (30 tokens) is spent; it resets at 2030-02-01T00:00:00Z.");
    }

    [Fact]
    public async Task Restart_KeepsTheDaysUsage()
    {
        using var dataDir = new TempDirectory();
        await using var upstream = await FakeUpstream.StartAsync();
        var clock = new FakeTimeProvider(KeyPolicyBed.Start);
        void UseClock(IServiceCollection services) => services.AddSingleton<TimeProvider>(clock);
        string plaintext;
        await using (var first = await KeywayServer.StartAsync(dataDir.Path, replaceServices: UseClock))
        {
            await AdminApi.CreateProviderAsync(first.Admin, "default", "fake", new Uri(upstream.BaseAddress, "v1").ToString());
            await AdminApi.CreateRouteAsync(first.Admin, "default", GatewayTestBed.OpenAIAlias, "fake", GatewayTestBed.OpenAIModel);
            var created = await AdminApi.OkAsync(first.Admin, HttpMethod.Post, "admin/llm/groups/default/keys",
                new JsonObject { ["name"] = "budgeted", ["daily_token_budget"] = 30 });
            plaintext = created.GetProperty("plaintext").GetString()!;
            using var client = first.ClientWithKey(plaintext);
            Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(client));
            Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(client));
        }

        await using var second = await KeywayServer.StartAsync(dataDir.Path, replaceServices: UseClock);
        using var again = second.ClientWithKey(plaintext);
        Assert.Equal(429, await KeyPolicyBed.ChatStatusAsync(again));
        Assert.Equal(2, upstream.RequestCount);
    }
}

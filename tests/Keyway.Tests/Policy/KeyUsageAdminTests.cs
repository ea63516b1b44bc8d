using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Keyway.Gateway;
using Keyway.Telemetry;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Keyway.Tests.Policy;

/// <summary>
/// GET /admin/llm/keys/{id}/usage: requests, errors, tokens by kind and remaining budgets for today, the month and a range;
/// deleting the key deletes its usage.
/// </summary>
public sealed class KeyUsageAdminTests
{
    [Fact]
    public async Task Usage_CountsRequestsErrorsAndTokens_WithRemainingBudgets()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 100 });
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client, stream: true));
        Assert.Equal(404, await KeyPolicyBed.ChatStatusAsync(key.Client, "no-such-alias"));
        await bed.WaitForRequestsAsync(3);

        var usage = await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, $"admin/llm/keys/{key.KeyId}/usage?from=2030-01-01&to=2030-01-31");
        Assert.Equal(key.KeyId, usage.GetProperty("key_id").GetString());
        var today = usage.GetProperty("today");
        AssertFigures(today, "2030-01-31", "2030-01-31", requests: 3, errors: 1);
        Assert.Equal(100, today.GetProperty("token_budget").GetInt64());
        Assert.Equal(100 - 2 * FakeUpstream.TotalTokens, today.GetProperty("remaining_tokens").GetInt64());
        Assert.Equal(new DateTimeOffset(2030, 2, 1, 0, 0, 0, TimeSpan.Zero), today.GetProperty("resets_at").GetDateTimeOffset());
        var month = usage.GetProperty("month");
        AssertFigures(month, "2030-01-01", "2030-01-31", requests: 3, errors: 1);
        Assert.Equal(JsonValueKind.Null, month.GetProperty("remaining_tokens").ValueKind);
        AssertFigures(usage.GetProperty("range"), "2030-01-01", "2030-01-31", requests: 3, errors: 1);

        bed.Clock.Advance(TimeSpan.FromMinutes(2));
        var nextDay = await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, $"admin/llm/keys/{key.KeyId}/usage");
        Assert.Equal(0, nextDay.GetProperty("today").GetProperty("requests").GetInt64());
        Assert.Equal(100, nextDay.GetProperty("today").GetProperty("remaining_tokens").GetInt64());
        Assert.Equal(JsonValueKind.Null, nextDay.GetProperty("range").ValueKind);
    }

    [Fact]
    public async Task GroupUsage_ListsEachKeysDayMonthAndRateWindow_InOneCall()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var limited = await bed.CreateKeyAsync(new JsonObject { ["daily_token_budget"] = 100, ["rpm"] = 5, ["tpm"] = 1000 }, "limited");
        var open = await bed.CreateKeyAsync(new JsonObject(), "open");
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(limited.Client));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(limited.Client, stream: true));
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(open.Client));
        await bed.WaitForRequestsAsync(3);

        var usage = (await AdminApi.OkAsync(bed.Admin, HttpMethod.Get, "admin/llm/groups/default/keys/usage")).GetProperty("usage")
            .EnumerateArray().ToDictionary(item => item.GetProperty("name").GetString()!);
        var first = usage["limited"];
        Assert.Equal(limited.KeyId, first.GetProperty("key_id").GetString());
        AssertFigures(first.GetProperty("today"), "2030-01-31", "2030-01-31", requests: 2, errors: 0);
        Assert.Equal(100 - 2 * FakeUpstream.TotalTokens, first.GetProperty("today").GetProperty("remaining_tokens").GetInt64());
        AssertFigures(first.GetProperty("month"), "2030-01-01", "2030-01-31", requests: 2, errors: 0);
        Assert.Equal(
            JsonSerializer.Serialize(new
            {
                requests = 2,
                rpm = 5,
                remaining_requests = 3,
                tokens = 2 * FakeUpstream.TotalTokens,
                tpm = 1000,
                remaining_tokens = 1000 - 2 * FakeUpstream.TotalTokens,
                in_flight = 0,
                max_concurrency = (int?)null,
                resets_at = KeyPolicyBed.Start.AddMinutes(1),
            }),
            first.GetProperty("minute").GetRawText());
        var second = usage["open"];
        Assert.Equal(1, second.GetProperty("today").GetProperty("requests").GetInt64());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("today").GetProperty("token_budget").ValueKind);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("minute").ValueKind);
    }

    [Fact]
    public async Task GroupUsage_UnknownGroup_Is404()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var reply = await AdminApi.GetAsync(bed.Admin, "admin/llm/groups/nope/keys/usage");
        AdminApi.AssertError(reply, HttpStatusCode.NotFound, "group not found: nope");
    }

    [Theory]
    [InlineData("?from=2030-13-01&to=2030-12-31", "from must be a UTC day as yyyy-MM-dd (from and to come together)", "from")]
    [InlineData("?from=2030-01-01", "to must be a UTC day as yyyy-MM-dd (from and to come together)", "to")]
    [InlineData("?from=2030-02-01&to=2030-01-01", "to must not be before from, and the range at most 3660 days", "to")]
    public async Task Usage_BadRange_Is400(string query, string detail, string field)
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject());
        var reply = await AdminApi.GetAsync(bed.Admin, $"admin/llm/keys/{key.KeyId}/usage{query}");
        AdminApi.AssertError(reply, HttpStatusCode.BadRequest, detail, field);
    }

    [Fact]
    public async Task Usage_UnknownKey_Is404()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        var reply = await AdminApi.GetAsync(bed.Admin, "admin/llm/keys/nope/usage");
        AdminApi.AssertError(reply, HttpStatusCode.NotFound, "key not found: nope");
    }

    [Fact]
    public async Task DeletingAKey_DeletesItsUsageAndRateWindowRows()
    {
        await using var bed = await KeyPolicyBed.StartAsync();
        var key = await bed.CreateKeyAsync(new JsonObject { ["rpm"] = 10 });
        Assert.Equal(200, await KeyPolicyBed.ChatStatusAsync(key.Client));
        await bed.WaitForRequestsAsync(1);
        var server = bed.Bed.Server;
        await server.Services.GetRequiredService<KeyUsageCounters>().SyncAsync(CancellationToken.None);
        await server.Services.GetRequiredService<KeyRateWindows>().SyncAsync(CancellationToken.None);
        Assert.Equal(new long[] { 1, 1 }, await RowCountsAsync(server, key.KeyId));

        await AdminApi.OkAsync(bed.Admin, HttpMethod.Delete, $"admin/llm/keys/{key.KeyId}");

        Assert.Equal(new long[] { 0, 0 }, await RowCountsAsync(server, key.KeyId));
    }

    /// <summary>The key's rows in key_usage and in key_rate_windows.</summary>
    private static Task<long[]> RowCountsAsync(KeywayServer server, string keyId) => server.WithDatabaseAsync(async connection => new[]
    {
        await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM key_usage WHERE key_id = @keyId", new { keyId }),
        await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM key_rate_windows WHERE key_id = @keyId", new { keyId }),
    });

    private static void AssertFigures(JsonElement period, string from, string to, long requests, long errors)
    {
        Assert.Equal(from, period.GetProperty("from").GetString());
        Assert.Equal(to, period.GetProperty("to").GetString());
        Assert.Equal(requests, period.GetProperty("requests").GetInt64());
        Assert.Equal(errors, period.GetProperty("errors").GetInt64());
        Assert.Equal(2 * FakeUpstream.PromptTokens, period.GetProperty("input_tokens").GetInt64());
        Assert.Equal(2 * FakeUpstream.CompletionTokens, period.GetProperty("output_tokens").GetInt64());
        Assert.Equal(2 * FakeUpstream.CachedTokens, period.GetProperty("cache_read_tokens").GetInt64());
        Assert.Equal(2 * FakeUpstream.ReasoningTokens, period.GetProperty("reasoning_tokens").GetInt64());
        Assert.Equal(2 * FakeUpstream.TotalTokens, period.GetProperty("total_tokens").GetInt64());
    }
}

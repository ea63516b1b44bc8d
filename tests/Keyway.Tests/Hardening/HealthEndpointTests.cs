using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Hardening;

/// <summary>/health/live and /health/ready, and the data plane while another process holds the database locked.</summary>
public sealed class HealthEndpointTests
{
    private const string ChatBody = """{"model":"gpt-alias","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task LiveAndReady_AnswerWithoutAuth()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        using var live = await bed.Server.Http.GetAsync("health/live");
        using var ready = await bed.Server.Http.GetAsync("health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True((await live.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ok").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var report = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(report.GetProperty("ok").GetBoolean());
        Assert.Equal("ok", report.GetProperty("status").GetString());
        Assert.Empty(report.GetProperty("reasons").EnumerateArray());
        Assert.Equal(0, report.GetProperty("log_rows_lost").GetInt64());
    }

    [Fact]
    public async Task DatabaseLockedByAnotherConnection_DataPlaneServes_HealthSaysDegraded_RowsWrittenAfterwards()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        await using var holder = await SqliteFileLock.HoldAsync(bed.Server.Options.DatabasePath);

        for (var i = 0; i < 5; i++)
        {
            using var response = await bed.PostAsync("v1/chat/completions", ChatBody);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var degraded = await WaitForStatusAsync(bed.Server.Http, "health/ready", "degraded");
        Assert.Contains(degraded.GetProperty("reasons").EnumerateArray(), reason => reason.GetString()!.Contains("database locked or slow"));
        Assert.True(degraded.GetProperty("log_rows_pending").GetInt64() >= 1);
        var admin = await AdminApi.GetAsync(bed.Admin, "admin/llm/health");
        Assert.Equal("degraded", admin.Body.GetProperty("gateway").GetProperty("status").GetString());

        await holder.ReleaseAsync();

        var logs = await bed.WaitForLogsAsync(5);
        Assert.All(logs, log => Assert.Equal(200, log.GetProperty("status_code").GetInt32()));
        var recovered = await WaitForStatusAsync(bed.Server.Http, "health/ready", "ok");
        Assert.Equal(0, recovered.GetProperty("log_rows_lost").GetInt64());
    }

    private static async Task<JsonElement> WaitForStatusAsync(HttpClient http, string path, string status)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await http.GetAsync(path, deadline.Token);
            var report = await response.Content.ReadFromJsonAsync<JsonElement>(deadline.Token);
            if (report.GetProperty("status").GetString() == status)
            {
                return report;
            }
            await Task.Delay(100, deadline.Token);
        }
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Keyway.Admin;
using Keyway.Configuration;
using Keyway.Storage;
using Keyway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Keyway.Tests.Hardening;

/// <summary>
/// The admin API while the data dir's disk is full (SQLite's SQLITE_FULL): a write answers 503 saying so, as for a locked
/// file, and the server log says it in one line, without a stack trace.
/// </summary>
[Trait("Storage", "SqliteFile")]
public sealed class DiskFullAdminTests
{
    [Fact]
    public async Task AdminWrite_OnAFullDisk_Answers503SayingTheDiskIsFull_LoggedInOneLine()
    {
        var log = new CapturedLog();
        FullDisk? disk = null;
        await using var bed = await GatewayTestBed.StartAsync(
            options => options with { DatabaseUrl = null },
            services =>
            {
                services.AddSingleton<ILoggerProvider>(log);
                services.AddSingleton<IDbConnectionFactory>(provider =>
                    disk = new FullDisk(new SqliteConnectionFactory(provider.GetRequiredService<KeywayOptions>().DatabasePath)));
            });
        disk!.Full = true;

        var reply = await AdminApi.SendAsync(bed.Admin, HttpMethod.Post, "admin/llm/groups/default/keys", new JsonObject { ["name"] = "bob" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.Status);
        Assert.Equal(AdminErrors.DatabaseDiskFailure, reply.Body.GetProperty("detail").GetString());
        var line = Assert.Single(log.Text.Split('\n'), line => line.Contains("Admin request POST /admin/llm/groups/default/keys"));
        Assert.Contains("failed: the database is unavailable (SQLite Error 13: 'database or disk is full'.)", line);
        Assert.DoesNotContain("Exception", line);
    }
}

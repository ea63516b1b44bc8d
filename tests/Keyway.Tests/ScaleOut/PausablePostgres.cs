using System.Diagnostics;
using Keyway.Tests.Infrastructure;
using Keyway.Tests.RealClients;
using Npgsql;

namespace Keyway.Tests.ScaleOut;

/// <summary>
/// A PostgreSQL cluster of the outage tests' own (tools/pg-cluster.sh start|pause|resume|stop), so stopping it never
/// touches the shared test cluster that other tests use in parallel. Started only when the PostgreSQL run is on.
/// </summary>
public sealed class PausablePostgres : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "keyway-pg-outage-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The cluster's admin connection string, for <see cref="TestPostgres.DatabaseUrlForAsync"/>.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (TestPostgres.IsEnabled)
        {
            AdminConnectionString = (await ClusterAsync("start")).Trim();
        }
    }

    /// <summary>Stops the server (a fast shutdown: every connection is cut), runs <paramref name="whileDown"/>, and starts it again on the same port and data.</summary>
    public async Task DuringOutageAsync(Func<Task> whileDown)
    {
        await ClusterAsync("pause");
        try
        {
            await whileDown();
        }
        finally
        {
            await ClusterAsync("resume");
            // The tests' own pooled connections to it (schema set-up) died with the server.
            NpgsqlConnection.ClearPool(new NpgsqlConnection(AdminConnectionString));
        }
    }

    public async Task DisposeAsync()
    {
        if (TestPostgres.IsEnabled)
        {
            await ClusterAsync("stop");
        }
    }

    private async Task<string> ClusterAsync(string command)
    {
        var script = Path.Combine(RepoRoot.Path, "tools", "pg-cluster.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script, command, _directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pg-cluster.sh {command} failed: {await errors}");
        return await output;
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.Cli;

/// <summary>A test gateway, a CLI on it and a router-config.json holding the config under test, in a temporary directory.</summary>
internal sealed class AmkrGateway(TempDirectory directory, KeywayServer server) : IAsyncDisposable
{
    public KeywayServer Server => server;

    public CliRunner Cli { get; } = new(server, directory.Path);

    private string File => Path.Combine(directory.Path, "router-config.json");

    public static async Task<AmkrGateway> StartAsync(string config)
    {
        var directory = new TempDirectory();
        var gateway = new AmkrGateway(directory, await KeywayServer.StartAsync(Directory.CreateDirectory(Path.Combine(directory.Path, "data")).FullName));
        await System.IO.File.WriteAllTextAsync(gateway.File, config);
        return gateway;
    }

    /// <summary>`keyway import amkr router-config.json` with <paramref name="options"/>; its --json report.</summary>
    public Task<JsonElement> ImportAsync(params string[] options) => Cli.JsonAsync(["import", "amkr", File, .. options]);

    /// <summary>One chat call to the gateway with the issued key <paramref name="apiKey"/>; the status it answered.</summary>
    public async Task<HttpStatusCode> ChatAsync(string apiKey, string model)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = JsonContent.Create(new { model, messages = new[] { new { role = "user", content = "hi" } } }),
        };
        request.Headers.Authorization = new("Bearer", apiKey);
        using var response = await server.Http.SendAsync(request);
        return response.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        directory.Dispose();
    }
}

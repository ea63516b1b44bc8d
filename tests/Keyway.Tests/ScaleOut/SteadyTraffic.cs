using System.Collections.Concurrent;
using Keyway.Tests.Infrastructure;

namespace Keyway.Tests.ScaleOut;

/// <summary>
/// One client per server, each calling the gateway one request after another until <see cref="StopAsync"/>; every
/// outcome is kept ("200", another status, or the exception's message), so a failed request cannot go unnoticed.
/// </summary>
public sealed class SteadyTraffic
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _outcomes = new();
    private readonly List<Task> _loops;

    private SteadyTraffic(string issuedKey, string body, IEnumerable<KeywayServer> servers) =>
        _loops = servers.Select(server => Task.Run(() => CallAsync(server, issuedKey, body))).ToList();

    /// <summary>Answers received so far.</summary>
    public int Answered => _outcomes.Count;

    public static SteadyTraffic Start(string issuedKey, string body, params KeywayServer[] servers) => new(issuedKey, body, servers);

    /// <summary>Waits until <paramref name="count"/> answers were received in all (fails after a minute, as a stuck gateway would).</summary>
    public Task WaitForAnswersAsync(int count) =>
        TwoInstances.EventuallyAsync(() => Task.FromResult(Answered >= count), TimeSpan.FromMinutes(1), $"{count} answers");

    /// <summary>Stops after the requests in flight and returns every outcome.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
        return [.. _outcomes];
    }

    private async Task CallAsync(KeywayServer server, string issuedKey, string body)
    {
        using var client = server.ClientWithKey(issuedKey);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var response = await client.PostAsync("v1/chat/completions", GatewayTestBed.Json(body));
                _outcomes.Enqueue(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (HttpRequestException e)
            {
                _outcomes.Enqueue(e.Message);
            }
        }
    }
}

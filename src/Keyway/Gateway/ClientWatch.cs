using System.Net.WebSockets;

namespace Keyway.Gateway;

/// <summary>
/// Whether the client of a Responses WebSocket waiting for a key went away: its request was aborted, or — after the
/// upgrade — it closed the socket. After the upgrade the client's next message is read while the connection waits
/// (<see cref="Next"/>): a close ends the wait; any other message is kept for the relay, which forwards it after the
/// first, and from then on only the aborted request ends the wait.
/// </summary>
internal sealed class ClientWatch(WebSocket? client, CancellationToken aborted)
{
    /// <summary>The read of the client's next message, started by the first sleep; the relay's first read from the client.</summary>
    public Task<WebSocketMessage>? Next { get; private set; }

    /// <summary>Whether <see cref="Next"/> ended with the client's close (answered by the caller), not a message to relay.</summary>
    public bool Closed => Next is { IsCompletedSuccessfully: true, Result.Type: WebSocketMessageType.Close };

    /// <summary>One sleep of <paramref name="keyWait"/>, ended early when the client goes away (<see cref="KeyWaitWake.ClientLeft"/>).</summary>
    public async Task<KeyWaitWake> SleepAsync(RequestKeyWait keyWait, DateTimeOffset? earliestRecovery)
    {
        if (client is null)
        {
            return await keyWait.SleepAsync(earliestRecovery, aborted);
        }
        Next ??= WebSocketPump.ReceiveAsync(client, aborted);
        if (Next.IsCompleted)
        {
            return Next.IsCompletedSuccessfully && !Closed ? await keyWait.SleepAsync(earliestRecovery, aborted) : KeyWaitWake.ClientLeft;
        }
        using var leaving = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var sleep = keyWait.SleepAsync(earliestRecovery, leaving.Token);
        if (await Task.WhenAny(sleep, Next) == Next && (!Next.IsCompletedSuccessfully || Closed))
        {
            await leaving.CancelAsync();
            await sleep;
            return KeyWaitWake.ClientLeft;
        }
        return await sleep;
    }
}

namespace Keyway.Storage;

/// <summary>
/// The time limit of one background exchange with the database (a sync pass, a configuration reload, a log batch, a
/// readiness probe). A connection lost without a FIN or RST (a failover, a NAT or firewall dropping its state) leaves a
/// read waiting for ever: TCP keepalives are answered by whatever still holds the socket, and Dapper.AOT sets every
/// command's timeout to 0 (no limit), whatever the connection string's <c>Command Timeout</c> says. Past the limit the
/// exchange's token is cancelled: Npgsql then asks the server to cancel the statement and, with no answer within its
/// <c>Cancellation Timeout</c> (2 s), breaks the connection, which never goes back to the pool; the caller's next pass
/// opens a new one.
/// </summary>
public static class DatabaseExchange
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs <paramref name="exchange"/> with a token cancelled after <see cref="Timeout"/> (or when
    /// <paramref name="cancellationToken"/> is); one cut short by the limit throws a <see cref="TimeoutException"/>, a
    /// failure like any other to the loops and to <see cref="DatabaseUnavailable"/>, not the cancellation that ends them.
    /// </summary>
    public static async Task RunAsync(Func<CancellationToken, Task> exchange, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(Timeout);
        try
        {
            await exchange(bound.Token);
        }
        catch (OperationCanceledException e) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the database did not answer within {Timeout.TotalSeconds:0} s; the exchange was abandoned and its connection dropped", e);
        }
    }
}

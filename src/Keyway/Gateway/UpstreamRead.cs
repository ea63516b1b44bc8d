namespace Keyway.Gateway;

/// <summary>One read of an upstream body inside a relay loop; a failure is blamed on the input side or on cancellation.</summary>
internal static class UpstreamRead
{
    public static async ValueTask<(int Read, CopyResult? Failure, Exception? Error)> NextAsync(Stream upstream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return (await upstream.ReadAsync(buffer, cancellationToken), null, null);
        }
        catch (OperationCanceledException e)
        {
            return (0, CopyResult.Canceled, e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return (0, CopyResult.InputError, e);
        }
    }
}

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// <c>POST /v1/audio/speech</c> (https://platform.openai.com/docs/api-reference/audio/createSpeech): binary audio in
/// two chunks. The first is flushed at once; the second waits for <see cref="FakeUpstream.ReleaseSpeech"/>, so a test
/// sees the first bytes arrive while the upstream is still sending.
/// </summary>
internal static class FakeSpeech
{
    public const int ChunkLength = 32 * 1024;

    /// <summary>Byte <paramref name="index"/> of the fake audio: a pattern no buffer boundary can hide.</summary>
    public static byte ByteAt(int index) => (byte)(index * 7 % 251);

    public static async Task RespondAsync(FakeExchange exchange, Task secondChunk)
    {
        var response = exchange.Context.Response;
        response.ContentType = "audio/mpeg";
        response.ContentLength = 2 * ChunkLength;
        await response.Body.WriteAsync(Chunk(0), exchange.Cancellation);
        await response.Body.FlushAsync(exchange.Cancellation);
        await secondChunk.WaitAsync(exchange.Cancellation);
        await response.Body.WriteAsync(Chunk(ChunkLength), exchange.Cancellation);
    }

    private static byte[] Chunk(int offset) => Enumerable.Range(offset, ChunkLength).Select(ByteAt).ToArray();
}

using System.Buffers;
using System.Reflection;
using System.Text;
using Keyway.Configuration;
using Keyway.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Keyway.Tests.Configuration;

/// <summary>Kestrel's connections read into and write from 32 KB blocks that are reused, a bounded number of them.</summary>
public sealed class ConnectionBufferPoolTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(2048)]
    [InlineData(ConnectionBufferPool.BlockSize)]
    public void Rent_GivesAWholeBlock(int size)
    {
        using var pool = new ConnectionBufferPool();

        using var block = pool.Rent(size);

        Assert.Equal(ConnectionBufferPool.BlockSize, block.Memory.Length);
        Assert.Equal(ConnectionBufferPool.BlockSize, pool.MaxBufferSize);
    }

    [Fact]
    public void Rent_AboveTheBlockSize_Throws()
    {
        using var pool = new ConnectionBufferPool();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(ConnectionBufferPool.BlockSize + 1));
    }

    [Fact]
    public void ABlockGivenBack_IsRentedAgain()
    {
        using var pool = new ConnectionBufferPool();
        var first = pool.Rent();
        var memory = first.Memory;

        first.Dispose();
        using var second = pool.Rent();

        Assert.True(second.Memory.Span.Overlaps(memory.Span));
    }

    [Fact]
    public void AtMostMaxKeptBlocks_AreKept()
    {
        using var pool = new ConnectionBufferPool();
        const int rented = ConnectionBufferPool.MaxKeptBlocks + 10;
        var firstRound = Enumerable.Range(0, rented).Select(_ => pool.Rent()).ToList();
        firstRound.ForEach(block => block.Dispose());

        var secondRound = Enumerable.Range(0, rented).Select(_ => pool.Rent()).ToList();

        var reused = secondRound.Count(block => firstRound.Any(old => old.Memory.Span.Overlaps(block.Memory.Span)));
        Assert.Equal(ConnectionBufferPool.MaxKeptBlocks, reused);
    }

    [Fact]
    public async Task KestrelsSocketTransport_TakesItsPoolFromKeyway()
    {
        using var dir = new TempDirectory();
        await using var server = await KeywayServer.StartAsync(dir.Path);

        // SocketTransportOptions.MemoryPoolFactory is internal; Kestrel fills it from the IMemoryPoolFactory<byte> service.
        var transport = server.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value;
        var factory = typeof(SocketTransportOptions)
            .GetProperty("MemoryPoolFactory", BindingFlags.Instance | BindingFlags.NonPublic)!
            .GetValue(transport);

        Assert.IsType<ConnectionBufferPool.Factory>(factory);
    }

    [Fact]
    public async Task ABodyOfManyBlocks_ReachesTheUpstreamByteForByte()
    {
        await using var bed = await GatewayTestBed.StartAsync();
        // Two- and three-byte characters and escapes throughout, so block boundaries fall inside them; a dozen blocks' worth.
        var text = string.Concat(Enumerable.Repeat("caf\u00e9 \u2713 \\\"q\\\" ", 24_000));
        var body = $$"""{"model":"gpt-alias","messages":[{"role":"user","content":"{{text}}"}]}""";
        Assert.True(Encoding.UTF8.GetByteCount(body) > 4 * ConnectionBufferPool.BlockSize);

        using var response = await bed.PostAsync("v1/chat/completions", body);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(body.Replace("\"gpt-alias\"", $"\"{GatewayTestBed.OpenAIModel}\"", StringComparison.Ordinal), bed.Upstream.Last.Body);
    }
}

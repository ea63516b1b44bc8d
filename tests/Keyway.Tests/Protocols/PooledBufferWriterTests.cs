using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Tests.Protocols;

public sealed class PooledBufferWriterTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(16, 7)]
    [InlineData(4096, 5000)]
    [InlineData(4096, 300_000)]
    public void WritesGrowingPastTheRentedArray_KeepEveryByteInOrder(int initialCapacity, int pieces)
    {
        using var writer = new PooledBufferWriter(initialCapacity);
        var expected = new List<byte>();
        for (var i = 0; i < pieces; i++)
        {
            var piece = Enumerable.Range(0, i % 13).Select(n => (byte)(i + n)).ToArray();
            piece.CopyTo(writer.GetSpan(piece.Length));
            writer.Advance(piece.Length);
            expected.AddRange(piece);
        }

        Assert.Equal(expected.ToArray(), writer.ToArray());
    }

    [Fact]
    public void AsTheJsonWritersOutput_HoldsTheDocument()
    {
        using var buffer = new PooledBufferWriter(initialCapacity: 8);
        using (var json = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(json, new { text = new string('x', 10_000), n = 42 });
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        Assert.Equal(10_000, document.RootElement.GetProperty("text").GetString()!.Length);
        Assert.Equal(42, document.RootElement.GetProperty("n").GetInt32());
    }

    [Fact]
    public void AdvancingPastWhatWasGiven_Throws()
    {
        using var writer = new PooledBufferWriter(16);
        var given = writer.GetSpan(4).Length;

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(given + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(-1));
    }
}

using System.Net.Http.Headers;
using Keyway.Gateway;

namespace Keyway.Tests.Gateway;

public sealed class ResponseHeadersTests
{
    [Theory]
    [InlineData("text/event-stream", true)]
    [InlineData("text/event-stream; charset=utf-8", true)]
    [InlineData("Text/Event-Stream", true)]
    [InlineData(" text/event-stream ;charset=utf-8", true)]
    [InlineData("application/json", false)]
    [InlineData("text/event-streams", false)]
    [InlineData("text/plain; note=text/event-stream", false)]
    public void IsEventStream_ReadsTheMediaTypeOfTheRawContentType(string contentType, bool expected)
    {
        using var response = new HttpResponseMessage { Content = new ByteArrayContent([]) };
        Assert.True(response.Content.Headers.TryAddWithoutValidation("Content-Type", contentType));

        Assert.Equal(expected, ResponseHeaders.IsEventStream(response));
    }

    [Fact]
    public void IsEventStream_IsFalseWithoutAContentType()
    {
        using var response = new HttpResponseMessage { Content = new ByteArrayContent([]) };

        Assert.False(ResponseHeaders.IsEventStream(response));
    }

    [Fact]
    public void IsEventStream_ReadsATypedContentTypeToo()
    {
        using var response = new HttpResponseMessage { Content = new ByteArrayContent([]) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");

        Assert.True(ResponseHeaders.IsEventStream(response));
    }
}

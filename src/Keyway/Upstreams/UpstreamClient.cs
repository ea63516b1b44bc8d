using System.Net;
using System.Net.Http.Headers;

namespace Keyway.Upstreams;

/// <summary>
/// The one outgoing HTTP stack: an HttpMessageInvoker over a pooled SocketsHttpHandler (connection
/// pools are per origin inside the handler, so every provider reuses its own connections), always
/// with ResponseHeadersRead semantics so nothing is buffered. Per-provider timeouts are applied
/// by the caller as a cancellation, reset while a stream is flowing.
/// </summary>
public sealed class UpstreamClient : IDisposable
{
    internal static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = null,
    }, disposeHandler: true);

    /// <summary>
    /// A POST of a JSON body to one of the provider's endpoints, with the upstream key's auth in that endpoint's
    /// protocol (in the provider's auth_header when it names one) and the provider's extra headers.
    /// </summary>
    public static HttpRequestMessage CreateRequest(
        UpstreamProvider provider, UpstreamEndpoint endpoint, UpstreamKey key, string path, byte[] body, IHeaderDictionary clientHeaders) =>
        CreateRequest(provider, endpoint, key, HttpMethod.Post, path, JsonContent(body), clientHeaders);

    /// <summary>A call with any method and body to one of the provider's endpoints, authenticated as above.</summary>
    public static HttpRequestMessage CreateRequest(
        UpstreamProvider provider, UpstreamEndpoint endpoint, UpstreamKey key, HttpMethod method, string path, HttpContent content, IHeaderDictionary clientHeaders)
    {
        var request = new HttpRequestMessage(method, endpoint.UriFor(path, key))
        {
            Content = content,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
        CopyClientHeader(request, clientHeaders, "accept");
        CopyClientHeader(request, clientHeaders, "user-agent");
        var protocol = UpstreamProtocols.For(endpoint.Protocol);
        protocol.ApplyHeaders(request, clientHeaders);
        var (authName, authValue) = UpstreamAuthHeader.For(provider.AuthHeader, protocol, key.Secret);
        request.Headers.TryAddWithoutValidation(authName, authValue);
        ExtraHeaderRule.Apply(
            provider.ExtraHeaders, request.Headers, static (headers, name) => headers.Remove(name), static (headers, name, value) => headers.TryAddWithoutValidation(name, value));
        return request;
    }

    public static HttpContent JsonContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = JsonContentType;
        return content;
    }

    public static void CopyClientHeader(HttpRequestMessage request, IHeaderDictionary clientHeaders, string name)
    {
        var values = clientHeaders[name];
        if (values.Count > 0)
        {
            request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _invoker.SendAsync(request, cancellationToken);

    public void Dispose() => _invoker.Dispose();
}

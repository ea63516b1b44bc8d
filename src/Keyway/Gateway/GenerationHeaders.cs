namespace Keyway.Gateway;

/// <summary>
/// The client headers a generation endpoint passes on besides `accept` (copied for every call): DashScope's `x-dashscope-*`
/// (e.g. `X-DashScope-Async: enable` for async image/video tasks). The provider's own auth wins.
/// </summary>
internal static class GenerationHeaders
{
    public static void Copy(IHeaderDictionary clientHeaders, HttpRequestMessage upstreamRequest)
    {
        foreach (var (name, values) in clientHeaders)
        {
            if (name.StartsWith("x-dashscope-", StringComparison.OrdinalIgnoreCase))
            {
                upstreamRequest.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
    }
}

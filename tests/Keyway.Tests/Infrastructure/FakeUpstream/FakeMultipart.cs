using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Keyway.Tests.Infrastructure;

/// <summary>
/// <c>POST /v1/audio/transcriptions</c>, <c>/v1/audio/translations</c> and <c>/v1/images/edits</c>
/// (https://platform.openai.com/docs/api-reference/audio/createTranscription): the form is read as a stream and
/// recorded as a summary (fields, and per file its name, length and SHA-256), so the fake never holds a file in memory.
/// The recorded body is <c>{"model","fields":{…},"files":{…},"order":[…]}</c>.
/// </summary>
internal static class FakeMultipart
{
    public static async Task<RecordedRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.ContentType).Boundary).Value!;
        var reader = new MultipartReader(boundary, request.Body);
        var fields = new JsonObject();
        var files = new JsonObject();
        var order = new JsonArray();
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            var disposition = section.GetContentDispositionHeader()!;
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value!;
            order.Add(name);
            if (disposition.IsFileDisposition())
            {
                var (length, sha256) = await DigestAsync(section.Body, cancellationToken);
                files[name] = new JsonObject
                {
                    ["filename"] = HeaderUtilities.RemoveQuotes(disposition.FileName).Value,
                    ["content_type"] = section.ContentType,
                    ["length"] = length,
                    ["sha256"] = sha256,
                };
            }
            else
            {
                fields[name] = await section.ReadAsStringAsync(cancellationToken);
            }
        }
        var summary = new JsonObject { ["model"] = fields["model"]?.DeepClone(), ["fields"] = fields, ["files"] = files, ["order"] = order };
        var headers = request.Headers.ToDictionary(header => header.Key, header => string.Join(", ", header.Value.ToArray()), StringComparer.OrdinalIgnoreCase);
        return new RecordedRequest(request.Method, request.Path + request.QueryString, headers, FakeJson.Serialize(summary));
    }

    /// <summary>A transcription with gpt-4o-transcribe's token usage.</summary>
    public static Task RespondAsync(FakeExchange exchange) => exchange.WriteJsonAsync(new JsonObject
    {
        ["text"] = "fake transcript",
        ["received_model"] = exchange.Request.Model,
        ["usage"] = new JsonObject
        {
            ["type"] = "tokens",
            ["input_tokens"] = FakeUpstream.PromptTokens,
            ["output_tokens"] = FakeUpstream.CompletionTokens,
            ["total_tokens"] = FakeUpstream.TotalTokens,
        },
    });

    public static async Task<(long Length, string Sha256)> DigestAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        long length = 0;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (length, Convert.ToHexString(hash.GetHashAndReset()));
    }
}

namespace Keyway.Gateway;

/// <summary>
/// An OpenAI API surface Keyway forwards untranslated to the route's OpenAI-protocol endpoint, at the same path below
/// the base URL. <paramref name="Usage"/> says where a JSON answer reports usage; <paramref name="StreamUsage"/> that a
/// streamed call may be asked for its usage chunk (stream_options.include_usage); <paramref name="StreamAnswer"/> that
/// the answer is binary and copied as it arrives.
/// </summary>
internal sealed record PassThroughSurface(string Path, UsageFormat Usage, bool StreamUsage = false, bool StreamAnswer = false)
{
    /// <summary>The typed JSON surfaces (https://platform.openai.com/docs/api-reference), each with its usage shape.</summary>
    public static IReadOnlyList<PassThroughSurface> Json { get; } =
    [
        new("embeddings", UsageFormat.ChatCompletion),
        new("images/generations", UsageFormat.Response),
        new("moderations", UsageFormat.None),
        new("rerank", UsageFormat.ChatCompletion),
        new("completions", UsageFormat.ChatCompletion, StreamUsage: true),
        new("audio/speech", UsageFormat.None, StreamAnswer: true),
    ];

    /// <summary>The multipart surfaces: a file and form fields, usage reported as the Responses API does.</summary>
    public static IReadOnlyList<PassThroughSurface> Multipart { get; } =
    [
        new("audio/transcriptions", UsageFormat.Response),
        new("audio/translations", UsageFormat.Response),
        new("images/edits", UsageFormat.Response),
    ];

    /// <summary>Any other path whose JSON body names a model: usage read where Chat Completions puts it.</summary>
    public static PassThroughSurface Generic { get; } = new("", UsageFormat.ChatCompletion);
}

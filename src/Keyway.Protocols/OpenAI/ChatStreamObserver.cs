using System.Text.Json;
using Keyway.Protocols.Json;
using Keyway.Protocols.Sse;
using Keyway.Protocols.Usage;

namespace Keyway.Protocols.OpenAI;

/// <summary>
/// Watches a Chat Completions stream (https://platform.openai.com/docs/api-reference/chat-streaming) for usage,
/// the finish reason, <c>[DONE]</c> and in-stream errors. Never throws: unreadable chunks are passed over.
/// </summary>
public sealed class ChatStreamObserver : IStreamObserver
{
    private const int MaxErrorChars = 1000;

    public TokenUsage Usage { get; private set; } = TokenUsage.Unknown;

    /// <summary>The last non-null <c>choices[].finish_reason</c> seen.</summary>
    public string? FinishReason { get; private set; }

    public bool SawDone { get; private set; }

    /// <summary>
    /// The message of an in-stream <c>{"error":…}</c> chunk, of a chunk without a choice whose vendor status says it failed
    /// (MiniMax's <c>base_resp</c>), or of an answer that broke off (<c>network_error</c>).
    /// </summary>
    public string? ErrorMessage { get; private set; }

    public VendorStatusInBody.Failure? VendorFailure { get; private set; }

    public bool Completed => SawDone || FinishReason is not null;

    public ObservedEvent Observe(in SseEvent e)
    {
        if (!e.HasData)
        {
            return ObservedEvent.Other;
        }

        var data = e.Data.Span.Trim(" \t\r\n"u8);
        if (data.SequenceEqual("[DONE]"u8))
        {
            SawDone = true;
            return ObservedEvent.Done;
        }

        if (QuietChunk.Is(data))
        {
            return ObservedEvent.Other;
        }

        try
        {
            return ObserveChunk(data);
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return ObservedEvent.Other;
        }
    }

    private ObservedEvent ObserveChunk(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return ObservedEvent.Other;
        }

        var choices = 0;
        string? finishReason = null;
        TokenUsage? usage = null;
        var hasError = false;
        while (JsonReading.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                choices = ReadChoices(ref reader, ref finishReason);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                usage = JsonReading.ReadStartObject(ref reader) ? UsageJson.ReadOpenAI(ref reader) : null;
            }
            else
            {
                hasError |= reader.ValueTextEquals("error"u8);
                reader.Read();
                reader.Skip();
            }
        }

        if (hasError)
        {
            ErrorMessage = UpstreamErrorMessage.Extract(data, MaxErrorChars);
            return ObservedEvent.Error;
        }
        // Only a chunk without a choice (the usage chunk, mostly) is searched (vectorized) for MiniMax's base_resp.
        if (choices == 0 && VendorStatusInBody.FailureIn(data) is { } failed)
        {
            ErrorMessage = failed.Text;
            VendorFailure = failed;
            return ObservedEvent.VendorFailure;
        }

        FinishReason = finishReason ?? FinishReason;
        // GLM's network_error: the chunk reaches the client as it came, the log takes it for the upstream's failure.
        if (BrokenOffAnswer.IsFinishReason(finishReason))
        {
            ErrorMessage ??= BrokenOffAnswer.Message;
        }
        if (usage is null)
        {
            return ObservedEvent.Other;
        }

        Usage = Usage.MergedWith(usage);
        return choices == 0 ? ObservedEvent.UsageOnly : ObservedEvent.Other;
    }

    /// <summary>Counts the choices and keeps the last finish_reason among them.</summary>
    private static int ReadChoices(ref Utf8JsonReader reader, ref string? finishReason)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }

        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            count++;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (JsonReading.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("finish_reason"u8))
                {
                    finishReason = JsonReading.ReadStringOrNull(ref reader) ?? finishReason;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }

        return count;
    }
}

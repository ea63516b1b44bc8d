using System.Buffers;
using Keyway.Protocols.Sse;

namespace Keyway.Protocols.Translation;

/// <summary>
/// Two stream translators in a row (Anthropic → Chat → Responses): what the first writes is framed into SSE
/// events again and fed to the second, so each translator only knows its own pair.
/// </summary>
public sealed class ChainedStreamTranslator(IStreamTranslator first, IStreamTranslator second) : IStreamTranslator
{
    private readonly ArrayBufferWriter<byte> _between = new();
    private readonly SseEventSplitter _splitter = new();

    public bool Finished => second.Finished;

    public void OnEvent(in SseEvent upstreamEvent, IBufferWriter<byte> output)
    {
        first.OnEvent(upstreamEvent, _between);
        Pass(output);
    }

    public void Complete(IBufferWriter<byte> output)
    {
        first.Complete(_between);
        Pass(output);
        second.Complete(output);
    }

    public void Fail(int status, string message, IBufferWriter<byte> output)
    {
        second.Fail(status, message, output);
    }

    private void Pass(IBufferWriter<byte> output)
    {
        if (_between.WrittenCount == 0)
        {
            return;
        }
        _splitter.Append(_between.WrittenSpan);
        _between.ResetWrittenCount();
        while (_splitter.TryReadEvent(out var middleEvent))
        {
            second.OnEvent(middleEvent, output);
        }
    }
}

using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Keyway.Protocols;
using Keyway.Protocols.Translation;
using Keyway.Tests.Protocols;

namespace Keyway.Tests.Hardening.Fuzz;

/// <summary>
/// Generated upstream answers through every translation route, back to the client's protocol. A whole answer either
/// translates to a JSON object or is refused with a <see cref="TranslationException"/> (the gateway's 502); a stream
/// translator never throws (its contract) and writes only well-formed SSE whose data is JSON or OpenAI's [DONE].
/// </summary>
public sealed class AnswerTranslatorFuzzTests
{
    private const int Cases = 2_500;
    private static readonly TranslationContext Ctx = new("msg_fuzz", 1_764_000_000, "client-alias", "upstream-model");

    private static readonly (WireFormat Client, WireFormat Upstream)[] Routes =
    [
        (WireFormat.AnthropicMessages, WireFormat.OpenAIChat),
        (WireFormat.OpenAIChat, WireFormat.AnthropicMessages),
        (WireFormat.OpenAIResponses, WireFormat.OpenAIChat),
        (WireFormat.OpenAIResponses, WireFormat.AnthropicMessages),
    ];

    [Property(MaxTest = Cases, Replay = "(3571,1597)", EndSize = 20)]
    public Property WholeAnswers_TranslateOrAreRefused() => Prop.ForAll(
        Gen.Zip(Gen.Elements(Routes), Gen.Zip(FuzzBody.Of(FuzzAnswers.ChatCompletion), FuzzBody.Of(FuzzAnswers.AnthropicMessage))).ToArbitrary(),
        drawn =>
        {
            var (route, (chat, anthropic)) = drawn;
            var upstream = route.Item2 == WireFormat.OpenAIChat ? chat : anthropic;
            byte[] output;
            try
            {
                output = Pipeline(route.Item1, route.Item2).TranslateResponse(upstream.Bytes, out _);
            }
            catch (TranslationException)
            {
                return true;
            }
            return JsonNode.Parse(output) is JsonObject;
        });

    [Property(MaxTest = Cases, Replay = "(6765,4181)", EndSize = 20)]
    public Property Streams_NeverThrow_AndWriteWellFormedEvents() => Prop.ForAll(
        Gen.Zip(Gen.Zip(Gen.Elements(Routes), Gen.Elements(true, false)), Gen.Zip(FuzzAnswers.ChatStream, FuzzAnswers.AnthropicStream)).ToArbitrary(),
        drawn =>
        {
            var ((route, fail), (chat, anthropic)) = drawn;
            var translator = Pipeline(route.Item1, route.Item2).CreateStreamTranslator(out _);
            var output = new ArrayBufferWriter<byte>();
            foreach (var e in ProtocolFixtures.Events(route.Item2 == WireFormat.OpenAIChat ? chat : anthropic))
            {
                translator.OnEvent(e, output);
            }
            if (fail)
            {
                translator.Fail(ProtocolErrors.BadGateway, "upstream went away", output);
            }
            else
            {
                translator.Complete(output);
            }
            AssertWellFormed(output.WrittenSpan.ToArray());
            return true;
        });

    private static TranslationPipeline Pipeline(WireFormat client, WireFormat upstream)
    {
        var request = client switch
        {
            WireFormat.AnthropicMessages => """{"model":"a","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"get_weather","input_schema":{"type":"object"}}]}""",
            WireFormat.OpenAIChat => """{"model":"a","stream":true,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}""",
            _ => """{"model":"a","stream":true,"input":"hi","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}},{"type":"custom","name":"apply_patch"}]}""",
        };
        return TranslationPipeline.Create(client, upstream, Encoding.UTF8.GetBytes(request), Ctx);
    }

    private static void AssertWellFormed(byte[] stream)
    {
        var text = Encoding.UTF8.GetString(stream);
        Assert.True(text.Length == 0 || text.EndsWith("\n\n", StringComparison.Ordinal), text);
        foreach (var e in ProtocolFixtures.Events(stream).Where(e => e.HasData))
        {
            var data = e.Data.ToArray();
            if (!data.AsSpan().SequenceEqual("[DONE]"u8))
            {
                using var _ = JsonDocument.Parse(data);
            }
        }
    }
}

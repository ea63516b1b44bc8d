using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.AnthropicChat;
using Keyway.Protocols.Translation.ResponsesChat;

namespace Keyway.Tests.Hardening.Fuzz;

/// <summary>
/// 10,000 generated bodies per client protocol (valid, wrong-typed, damaged) through every request translator: each
/// either refuses with a <see cref="TranslationException"/> (the caller's 400) or produces a body the upstream's schema
/// accepts. Any other exception fails the property with the body that caused it. Seeds are fixed (Replay) so a run
/// in CI is the run on a laptop.
/// </summary>
public sealed class TranslatorFuzzTests
{
    private const int Cases = 10_000;
    private static readonly TranslationContext Ctx = new("msg_fuzz", 1_764_000_000, "client-alias", "upstream-model");

    [Property(MaxTest = Cases, Replay = "(4711,1913)", EndSize = 20)]
    public Property AnthropicRequests_BecomeValidChat_OrAre400() => Prop.ForAll(
        FuzzBody.Of(FuzzRequests.Anthropic).ToArbitrary(),
        body => TranslatesOrRefuses(() => AnthropicRequestToChat.Translate(body.Bytes, Ctx).Body.ToArray(), chat => TargetSchema.Chat(chat, Ctx.UpstreamModel)));

    [Property(MaxTest = Cases, Replay = "(2718,2819)", EndSize = 20)]
    public Property ChatRequests_BecomeValidAnthropic_OrAre400() => Prop.ForAll(
        FuzzBody.Of(FuzzRequests.Chat).ToArbitrary(),
        body => TranslatesOrRefuses(() => ChatRequestToAnthropic.Translate(body.Bytes, Ctx).Body.ToArray(), anthropic => TargetSchema.Anthropic(anthropic, Ctx.UpstreamModel)));

    [Property(MaxTest = Cases, Replay = "(1414,2137)", EndSize = 20)]
    public Property ResponsesRequests_BecomeValidChat_OrAre400() => Prop.ForAll(
        FuzzBody.Of(FuzzRequests.Responses).ToArbitrary(),
        body => TranslatesOrRefuses(() => ResponsesRequestToChat.Translate(body.Bytes, Ctx).Body.ToArray(), chat => TargetSchema.Chat(chat, Ctx.UpstreamModel)));

    [Property(MaxTest = Cases / 4, Replay = "(1732,5773)", EndSize = 20)]
    public Property ResponsesRequests_BecomeValidAnthropicInTwoHops_OrAre400() => Prop.ForAll(
        FuzzBody.Of(FuzzRequests.Responses).ToArbitrary(),
        body => TranslatesOrRefuses(
            () => TranslationPipeline.Create(WireFormat.OpenAIResponses, WireFormat.AnthropicMessages, body.Bytes, Ctx).UpstreamBody.Memory.ToArray(),
            anthropic => TargetSchema.Anthropic(anthropic, Ctx.UpstreamModel)));

    private static bool TranslatesOrRefuses(Func<byte[]> translate, Action<JsonObject> schema)
    {
        byte[] output;
        try
        {
            output = translate();
        }
        catch (TranslationException)
        {
            return true;
        }
        schema(Assert.IsType<JsonObject>(JsonNode.Parse(output)));
        return true;
    }
}

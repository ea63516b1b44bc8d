namespace Keyway.Protocols.Translation;

/// <summary>
/// Everything a translator needs that is not in the message itself, so translators stay pure and
/// deterministic: the ids and time to stamp on what they produce, and the model names on each side.
/// </summary>
/// <param name="ResponseId">The id for the translated answer (e.g. "msg_…", "chatcmpl-…", "resp_…"), unique per call.</param>
/// <param name="CreatedUnixSeconds">The creation time to stamp on the translated answer.</param>
/// <param name="ClientModel">The model name the client asked for (the alias), echoed back to it.</param>
/// <param name="UpstreamModel">The model name the upstream is called with.</param>
/// <param name="Storage">A Responses answer's <c>store</c> and <c>previous_response_id</c>; null writes neither.</param>
public sealed record TranslationContext(
    string ResponseId, long CreatedUnixSeconds, string ClientModel, string UpstreamModel, ResponsesChat.ResponseStorage? Storage = null)
{
    /// <summary>
    /// Whether a request translated for an Anthropic-protocol upstream gets prompt-cache breakpoints when the client set
    /// none (<see cref="AnthropicChat.CacheBreakpoints"/>); the gateway's <c>KEYWAY_ANTHROPIC_CACHE_BREAKPOINTS</c>.
    /// </summary>
    public bool PlacesCacheBreakpoints { get; init; } = true;

    /// <summary>
    /// Whether a request translated for a Chat upstream names its output limit <c>max_completion_tokens</c> (OpenAI's
    /// own API, OpenAI's reasoning models) rather than <c>max_tokens</c> (what compatible vendors document); the gateway
    /// decides it per upstream endpoint and model (<c>UpstreamEndpoint.TakesMaxCompletionTokens</c>).
    /// </summary>
    public bool ChatMaxCompletionTokens { get; init; }

    /// <summary>
    /// Whether a request translated for a Chat upstream leaves out <c>temperature</c>, <c>top_p</c> and <c>stop</c>,
    /// which OpenAI's reasoning models refuse (<c>UpstreamEndpoint.FixesSampling</c>).
    /// </summary>
    public bool ChatFixedSampling { get; init; }

    /// <summary>
    /// Whether a request translated for a Chat upstream gives an assistant tool-call turn its reasoning back as
    /// <c>reasoning_content</c>, which DeepSeek's thinking mode requires on every such turn ("The reasoning_content in the
    /// thinking mode must be passed back to the API.", https://api-docs.deepseek.com/guides/thinking_mode) and Kimi, Qwen
    /// and GLM accept; false where the upstream refuses the unknown message property (<c>UpstreamEndpoint.TakesReasoningContent</c>).
    /// </summary>
    public bool ChatReasoningReplay { get; init; } = true;

    /// <summary>
    /// Whether the Chat upstream is MiniMax's, whose thinking comes inside <c>content</c> as <c>&lt;think&gt;…&lt;/think&gt;</c>
    /// unless the request asks <c>"reasoning_split": true</c>: a translated request then asks it (unless the client
    /// set it itself), so the thinking arrives in <c>reasoning_details</c> and reaches the client as thinking, never as
    /// text; and a replayed tool-call turn's reasoning goes back as <c>reasoning_details</c>, as MiniMax asks, instead
    /// of <c>reasoning_content</c> (<see cref="AnthropicChat.ReasoningDetails"/>; <c>UpstreamEndpoint.SplitsReasoning</c>).
    /// </summary>
    public bool ChatReasoningSplit { get; init; }

    /// <summary>
    /// How the Chat upstream's vendor switches thinking (the provider's <c>thinking_switch</c>): an Anthropic client's
    /// thinking on or off is written in it, and a vendor that thinks by default gets a tool-call turn's placeholder
    /// <c>reasoning_content</c> unless the client turned thinking off (<see cref="ChatThinkingSwitches.ThinksByDefault"/>).
    /// </summary>
    public ChatThinkingSwitch ChatThinkingSwitch { get; init; }

    /// <summary>
    /// The route's default reasoning effort (<c>default_reasoning_effort</c>), which a request translated for an
    /// Anthropic-protocol upstream takes when the client named none, so its <c>max_tokens</c> leaves the answer room
    /// beside the thinking budget (<see cref="AnthropicChat.ThinkingBudget"/>).
    /// </summary>
    public string? DefaultReasoningEffort { get; init; }

    /// <summary>
    /// How the Anthropic-protocol upstream's model takes thinking (<see cref="Anthropic.ClaudeModels"/>): a reasoning effort
    /// becomes an enabled thinking budget, or adaptive thinking with <c>output_config.effort</c> (Claude 4.6 onwards,
    /// which refuse or deprecate the budget).
    /// </summary>
    public Anthropic.ClaudeThinking AnthropicThinking { get; init; }

    /// <summary>
    /// The Chat request is only the hub on the way to an Anthropic-protocol upstream (Responses → Chat → Anthropic), so
    /// the fields only Keyway's Chat → Anthropic hop reads may go in it: a Responses reasoning item's thinking blocks as
    /// <c>thinking_blocks</c>, which a real Chat upstream (OpenAI's own) would refuse as an unknown message field, and a
    /// tool's images in its <c>tool</c> message (as <c>image_url</c> parts), since Anthropic's tool_result takes images
    /// while a Chat upstream gets them in the user message after the tool messages: "For tool messages, only type text is
    /// supported" (https://platform.openai.com/docs/api-reference/chat/create).
    /// </summary>
    public bool ChatHubToAnthropic { get; init; }
}

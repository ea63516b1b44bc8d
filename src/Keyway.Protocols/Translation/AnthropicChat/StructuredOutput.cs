namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// Structured outputs between Chat's <c>response_format</c> (https://platform.openai.com/docs/api-reference/chat/create#chat-create-response_format)
/// and Anthropic's <c>output_config.format</c> (https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs:
/// generally available, "beta headers are no longer required"; the beta's top-level <c>output_format</c> is read too).
/// A JSON schema is passed on as written. Chat's JSON mode (<c>json_object</c>, any JSON object) has no Anthropic
/// counterpart, whose schemas need <c>additionalProperties:false</c> on every object: it is refused, since a client
/// that asked for JSON and got prose would fail later and less clearly.
/// </summary>
internal static class StructuredOutput
{
    /// <summary>The name Chat requires of a schema (<c>json_schema.name</c>); Anthropic's format has none.</summary>
    public const string ChatSchemaName = "response";

    /// <summary>The format, beside adaptive thinking's <paramref name="effort"/> (the two share <c>output_config</c>).</summary>
    public static AnthropicOutputConfig? ForAnthropic(ChatResponseFormat? format, string? effort) => format?.Type switch
    {
        null or "text" => effort is null ? null : new AnthropicOutputConfig { Effort = effort },
        "json_schema" when format.JsonSchema?.Schema is { } schema =>
            new AnthropicOutputConfig { Effort = effort, Format = new AnthropicOutputFormat { Type = "json_schema", Schema = schema } },
        "json_schema" => throw new TranslationException("response_format.json_schema.schema is required."),
        "json_object" => throw new TranslationException(
            "JSON mode (response_format json_object) has no counterpart on this model's Anthropic upstream: ask for a json_schema instead."),
        var other => throw new TranslationException($"response_format.type \"{other}\" is not one of text, json_schema, json_object."),
    };

    /// <summary>An Anthropic client's format as a strict-less Chat json_schema: OpenAI's strict mode refuses optional properties, which Anthropic allows.</summary>
    public static ChatResponseFormat? ForChat(AnthropicRequest request) => (request.OutputConfig?.Format ?? request.OutputFormat) switch
    {
        null => null,
        { Type: "json_schema", Schema: { } schema } =>
            new ChatResponseFormat { Type = "json_schema", JsonSchema = new ChatJsonSchema { Name = ChatSchemaName, Schema = schema } },
        var format => throw new TranslationException($"output_config.format must be {{\"type\":\"json_schema\",\"schema\":…}}, not type \"{format.Type}\"."),
    };
}

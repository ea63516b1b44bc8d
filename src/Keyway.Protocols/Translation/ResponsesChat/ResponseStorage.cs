namespace Keyway.Protocols.Translation.ResponsesChat;

/// <summary>
/// What a translated response object echoes of the request's conversation state
/// (https://platform.openai.com/docs/api-reference/responses/object): whether Keyway stores the response, and the
/// stored response it continues.
/// </summary>
public sealed record ResponseStorage(bool Store, string? PreviousResponseId);

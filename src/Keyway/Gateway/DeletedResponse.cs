namespace Keyway.Gateway;

/// <summary>The answer to <c>DELETE /v1/responses/{id}</c> (https://platform.openai.com/docs/api-reference/responses/delete).</summary>
public sealed record DeletedResponse(string Id, string Object, bool Deleted);

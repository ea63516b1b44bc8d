using Keyway.Configuration;
using Keyway.Protocols.Translation;
using Keyway.Protocols.Translation.ResponsesChat;
using Keyway.Security;
using Keyway.Storage;

namespace Keyway.Gateway;

/// <summary>
/// The Responses turns Keyway keeps for the routes it translates, so that <c>previous_response_id</c>,
/// <c>GET/DELETE /v1/responses/{id}</c> and <c>…/input_items</c> work there as on OpenAI. Each turn is sealed with
/// the <see cref="SecretBox"/> before it reaches Storage, kept KEYWAY_RESPONSE_STORE_DAYS, and read only with the
/// issued key (and group) it was stored for: any other key finds nothing, exactly as for an id never stored.
/// </summary>
public sealed partial class StoredResponses(
    StoredResponseRepository repository, SecretBox secrets, KeywayOptions options, TimeProvider time, ILogger<StoredResponses> logger)
{
    /// <summary>The longest conversation <c>previous_response_id</c> continues (a guard on the chain query, not a context budget).</summary>
    public const int MaxChainTurns = 1000;

    /// <summary>KEYWAY_RESPONSE_STORE_DAYS is not 0.</summary>
    public bool Enabled => options.ResponseStoreDays > 0;

    /// <summary>
    /// The turns of the conversation ending at <paramref name="responseId"/> (plaintext, oldest first); null when the
    /// key has no such response. Throws <see cref="TranslationException"/> (the caller's 400) past <see cref="MaxChainTurns"/>.
    /// </summary>
    public async Task<IReadOnlyList<string>?> LoadChainAsync(IssuedKeyEntry key, string responseId, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return null;
        }
        var turns = await repository.LoadChainAsync(responseId, key.KeyId, key.GroupId, time.GetUtcNow(), MaxChainTurns, cancellationToken);
        if (turns.Count > MaxChainTurns)
        {
            throw new TranslationException(GatewayMessages.ConversationTooLong(MaxChainTurns));
        }
        return turns.Count == 0 ? null : turns.Select(secrets.Open).ToList();
    }

    /// <summary>
    /// Stores the answered turn before the client gets the answer's end, so its next request finds it. A failed write
    /// is logged and the answer still goes out: the client loses only the chance to continue from this response.
    /// </summary>
    public async Task SaveAsync(IssuedKeyEntry key, string responseId, string? previousResponseId, byte[] inputItems, byte[] response, CancellationToken cancellationToken)
    {
        try
        {
            var now = time.GetUtcNow();
            var sealedTurn = secrets.Seal(System.Text.Encoding.UTF8.GetString(ResponsesConversation.Turn(inputItems, response)));
            await repository.InsertAsync(
                new StoredResponseRecord(responseId, previousResponseId, key.KeyId, key.GroupId, sealedTurn, now, now.AddDays(options.ResponseStoreDays)),
                cancellationToken);
        }
        catch (Exception e)
        {
            Log.SaveFailed(logger, responseId, e);
        }
    }

    /// <summary>A stored turn of the key (plaintext), or null.</summary>
    public async Task<string?> GetAsync(IssuedKeyEntry key, string responseId, CancellationToken cancellationToken) =>
        Enabled && await repository.GetAsync(responseId, key.KeyId, key.GroupId, time.GetUtcNow(), cancellationToken) is { } sealedTurn
            ? secrets.Open(sealedTurn)
            : null;

    public async Task<bool> DeleteAsync(IssuedKeyEntry key, string responseId, CancellationToken cancellationToken) =>
        Enabled && await repository.DeleteAsync(responseId, key.KeyId, key.GroupId, time.GetUtcNow(), cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Storing response {ResponseId} failed; answered without it (a later previous_response_id to it is not found).")]
        public static partial void SaveFailed(ILogger logger, string responseId, Exception exception);
    }
}

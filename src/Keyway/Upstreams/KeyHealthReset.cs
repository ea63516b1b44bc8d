using Keyway.Storage;

namespace Keyway.Upstreams;

/// <summary>
/// An admin reset of upstream keys, for every instance: the cleared state and its reset time are stored first, so a
/// database that is down fails the reset and changes nothing; then this instance's book is cleared. The other
/// instances take the newer reset on their next <see cref="KeyHealthSync"/> pass, and it outranks their older cooldowns.
/// </summary>
public sealed class KeyHealthReset(CooldownBook book, KeyHealthRepository repository)
{
    public async Task ResetAsync(string providerId, IReadOnlyCollection<string> keyIds, CancellationToken cancellationToken)
    {
        var resetAt = book.ResetStamp(keyIds);
        await repository.ResetAsync(keyIds, resetAt, cancellationToken);
        book.Clear(providerId, keyIds, resetAt);
    }
}

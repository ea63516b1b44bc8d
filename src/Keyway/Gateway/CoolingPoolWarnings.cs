using System.Collections.Concurrent;

namespace Keyway.Gateway;

/// <summary>
/// Which refusals of a cooling pool the server log warns of: while every key of a provider's pool cools, each request
/// is refused (503), and under load a warning per request would bury the log. The first refusal of a cooldown warns;
/// the others until the earliest recovery it was refused with are logged at Debug, and the next cooldown warns again.
/// Only a refusal reads or writes it, never a request that got a key.
/// </summary>
internal sealed class CoolingPoolWarnings
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _quietUntil = new(StringComparer.Ordinal);

    /// <summary>Whether this refusal of <paramref name="providerId"/>'s pool, cooling until <paramref name="recovery"/>, warns.</summary>
    public bool ShouldWarn(string providerId, DateTimeOffset now, DateTimeOffset recovery)
    {
        while (true)
        {
            if (!_quietUntil.TryGetValue(providerId, out var quietUntil))
            {
                if (_quietUntil.TryAdd(providerId, recovery))
                {
                    return true;
                }
            }
            else if (now < quietUntil)
            {
                return false;
            }
            else if (_quietUntil.TryUpdate(providerId, recovery, quietUntil))
            {
                return true;
            }
        }
    }
}

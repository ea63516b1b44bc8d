using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>Tells every registered <see cref="IConfigurationChangeSink"/> that a configuration write was committed.</summary>
public sealed class ConfigurationChangeNotifier(IEnumerable<IConfigurationChangeSink> sinks)
{
    public async Task NotifyAsync()
    {
        foreach (var sink in sinks)
        {
            // The write is committed: a client that hangs up now must not leave the in-memory views stale.
            await sink.ConfigurationChangedAsync(CancellationToken.None);
        }
    }
}

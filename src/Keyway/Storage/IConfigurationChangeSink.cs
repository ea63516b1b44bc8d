namespace Keyway.Storage;

/// <summary>
/// Told after every committed configuration write (groups, providers, keys, routes, tool
/// providers), so in-memory views such as the data plane's RoutingTable are rebuilt.
/// The admin plane calls every registered sink; there may be none.
/// </summary>
public interface IConfigurationChangeSink
{
    Task ConfigurationChangedAsync(CancellationToken cancellationToken);
}

using Keyway.Configuration;

namespace Keyway.Storage;

/// <summary>The name of this Keyway process among the instances sharing one database (KEYWAY_INSTANCE_ID); written on its request-log rows.</summary>
public sealed record InstanceIdentity(string Id)
{
    /// <summary>KEYWAY_INSTANCE_ID, else the host name and port, which tell apart instances on one machine too.</summary>
    public static InstanceIdentity For(KeywayOptions options) => new(options.InstanceId ?? $"{Environment.MachineName}:{options.Port}");
}

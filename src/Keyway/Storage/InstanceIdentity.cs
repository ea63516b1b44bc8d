namespace Keyway.Storage;

/// <summary>The name of this Keyway process among the instances sharing one database (KEYWAY_INSTANCE_ID); written on its request-log rows.</summary>
public sealed record InstanceIdentity(string Id);

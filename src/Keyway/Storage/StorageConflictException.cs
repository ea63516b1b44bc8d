namespace Keyway.Storage;

/// <summary>A write collided with a unique key (duplicate id, alias or key name); the admin plane answers 409.</summary>
public sealed class StorageConflictException(string message, Exception? inner = null) : Exception(message, inner);

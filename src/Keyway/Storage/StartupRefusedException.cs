namespace Keyway.Storage;

/// <summary>Keyway must not start on this database; the message tells the user why and what to do.</summary>
public sealed class StartupRefusedException(string message) : Exception(message);

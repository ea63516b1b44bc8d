namespace Keyway.Configuration;

/// <summary>A configuration value Keyway cannot start with; the message is one line for the user.</summary>
public sealed class InvalidConfigurationException(string message) : Exception(message);

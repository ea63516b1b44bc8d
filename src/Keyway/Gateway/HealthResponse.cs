namespace Keyway.Gateway;

public sealed record HealthResponse(bool Ok, string Version);

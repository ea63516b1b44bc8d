using Keyway.Upstreams;

namespace Keyway.Configuration;

/// <summary>The effective configuration of one Keyway process, after env, .env and defaults.</summary>
public sealed record KeywayOptions
{
    public required string Secret { get; init; }
    public required string AdminToken { get; init; }
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 9233;
    public required string DataDir { get; init; }
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];
    public string? PublicBaseUrl { get; init; }
    public string LogLevel { get; init; } = "info";
    public int LogRetentionDays { get; init; } = 30;
    public long MaxRequestBodyBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Failover and cooldown defaults; a provider's own max_retries, key_failure_threshold and key_cooldown_seconds win.</summary>
    public FailoverPolicy Failover { get; init; } = FailoverPolicy.Default;

    /// <summary>KEYWAY_LOG_TOOL_QUERIES: the request log keeps the web-search queries in plaintext (off by default).</summary>
    public bool LogToolQueries { get; init; }

    /// <summary>True when the secret was generated on this start (the log says so).</summary>
    public bool SecretGenerated { get; init; }

    /// <summary>True when the admin token was generated on this start (the log says so).</summary>
    public bool AdminTokenGenerated { get; init; }

    /// <summary>KEYWAY_DATABASE_URL: a PostgreSQL database (postgres:// URL or Npgsql key=value) instead of the SQLite file in the data dir.</summary>
    public string? DatabaseUrl { get; init; }

    /// <summary>KEYWAY_INSTANCE_ID: this instance's name on its request-log rows (default: host name and port).</summary>
    public string? InstanceId { get; init; }

    public string DatabasePath => Path.Combine(DataDir, "keyway.db");
}

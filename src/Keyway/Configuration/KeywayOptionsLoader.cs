using System.Net;
using System.Security.Cryptography;
using Keyway.Storage;
using Keyway.Upstreams;

namespace Keyway.Configuration;

/// <summary>
/// Builds <see cref="KeywayOptions"/> from the environment, then a .env file in the working
/// directory (the real environment wins), then defaults. A missing secret or admin token is
/// generated once and kept in the data dir with mode 0600 (<see cref="OwnerOnlyFile"/>), so restarts keep working.
/// </summary>
public static class KeywayOptionsLoader
{
    public const string SecretFileName = "secret.key";
    public const string AdminTokenFileName = "admin.token";

    /// <param name="keepGenerated">
    /// Whether a generated secret or admin token is written to the data dir now; `keyway serve` passes false and calls
    /// <see cref="KeepGeneratedSecret"/> once the database accepted the secret and <see cref="KeepGeneratedAdminToken"/>
    /// once its address is bound, so a refused start leaves no file behind that it did not need.
    /// </param>
    public static KeywayOptions Load(IReadOnlyDictionary<string, string> environment, string workingDirectory, bool keepGenerated = true)
    {
        var dotEnv = EnvFile.Read(Path.Combine(workingDirectory, ".env"));
        string? Get(string name) =>
            environment.TryGetValue(name, out var value) && value.Length > 0 ? value
            : dotEnv.TryGetValue(name, out value) && value.Length > 0 ? value
            : null;

        var port = ParseInt(Get("KEYWAY_PORT"), 9233, "KEYWAY_PORT", min: 0, max: 65535);
        var retention = ParseInt(Get("KEYWAY_LOG_RETENTION_DAYS"), 30, "KEYWAY_LOG_RETENTION_DAYS", min: 1, max: 36500);
        var responseStoreDays = ParseInt(Get("KEYWAY_RESPONSE_STORE_DAYS"), 30, "KEYWAY_RESPONSE_STORE_DAYS", min: 0, max: 36500);
        var maxBodyMiB = ParseInt(Get("KEYWAY_MAX_BODY_MB"), 32, "KEYWAY_MAX_BODY_MB", min: 1, max: 1024);
        var defaults = FailoverPolicy.Default;
        var failover = defaults with
        {
            MaxRetries = ParseInt(Get("KEYWAY_MAX_RETRIES"), defaults.MaxRetries, "KEYWAY_MAX_RETRIES", min: 0, max: 10),
            KeyFailureThreshold = ParseInt(Get("KEYWAY_KEY_FAILURE_THRESHOLD"), defaults.KeyFailureThreshold, "KEYWAY_KEY_FAILURE_THRESHOLD", min: 1, max: 100),
            KeyCooldown = TimeSpan.FromSeconds(ParseInt(Get("KEYWAY_KEY_COOLDOWN_SECONDS"), (int)defaults.KeyCooldown.TotalSeconds, "KEYWAY_KEY_COOLDOWN_SECONDS", min: 1, max: 86_400)),
            KeyWait = TimeSpan.FromSeconds(ParseInt(Get("KEYWAY_KEY_WAIT_SECONDS"), (int)defaults.KeyWait.TotalSeconds, "KEYWAY_KEY_WAIT_SECONDS", min: 0, max: 600)),
            ProbeInterval = TimeSpan.FromSeconds(ParseInt(Get("KEYWAY_QUARANTINE_PROBE_SECONDS"), (int)defaults.ProbeInterval.TotalSeconds, "KEYWAY_QUARANTINE_PROBE_SECONDS", min: 5, max: 3600)),
        };
        var limitDefaults = ServerLimits.Default;
        var limits = new ServerLimits(
            MaxHeaderBytes: ParseInt(Get("KEYWAY_MAX_HEADER_KB"), limitDefaults.MaxHeaderBytes / 1024, "KEYWAY_MAX_HEADER_KB", min: 4, max: 1024) * 1024,
            HeadersTimeout: TimeSpan.FromSeconds(ParseInt(Get("KEYWAY_HEADERS_TIMEOUT_SECONDS"), (int)limitDefaults.HeadersTimeout.TotalSeconds, "KEYWAY_HEADERS_TIMEOUT_SECONDS", min: 1, max: 600)),
            MinDataRateBytesPerSecond: ParseInt(Get("KEYWAY_MIN_DATA_RATE"), limitDefaults.MinDataRateBytesPerSecond, "KEYWAY_MIN_DATA_RATE", min: 0, max: 10_000_000),
            MaxConnections: ParseInt(Get("KEYWAY_MAX_CONNECTIONS"), limitDefaults.MaxConnections, "KEYWAY_MAX_CONNECTIONS", min: 1, max: 1_000_000));
        var drainSeconds = ParseInt(Get("KEYWAY_DRAIN_SECONDS"), 30, "KEYWAY_DRAIN_SECONDS", min: 0, max: 3600);
        // At most OpenAI's own cap on a WebSocket connection (60 minutes).
        var webSocketIdleSeconds = ParseInt(Get("KEYWAY_WEBSOCKET_IDLE_SECONDS"), 600, "KEYWAY_WEBSOCKET_IDLE_SECONDS", min: 1, max: 3600);
        var webSocketsPerKey = ParseInt(Get("KEYWAY_WEBSOCKETS_PER_KEY"), 16, "KEYWAY_WEBSOCKETS_PER_KEY", min: 1, max: 100_000);
        int? metricsPort = Get("KEYWAY_METRICS_PORT") is { } metricsPortText ? ParseInt(metricsPortText, 0, "KEYWAY_METRICS_PORT", min: 1, max: 65535) : null;
        if (metricsPort is not null && metricsPort == port)
        {
            throw new InvalidConfigurationException($"KEYWAY_METRICS_PORT must differ from KEYWAY_PORT ({port}).");
        }
        var host = ParseHost(Get("KEYWAY_HOST"), "KEYWAY_HOST");
        if (port == 0 && host == "localhost")
        {
            // Kestrel binds localhost as 127.0.0.1 and ::1, and cannot pick one free port for both: it would throw at start.
            throw new InvalidConfigurationException("KEYWAY_PORT 0 (a free port) needs an IP address as KEYWAY_HOST, not localhost: use 127.0.0.1 or ::1.");
        }
        var dataDir = Path.GetFullPath(Get("KEYWAY_DATA_DIR") ?? "./data", workingDirectory);
        EnsureWritableDirectory(dataDir);

        var (secret, secretGenerated) = ReadOrGenerate(Get("KEYWAY_SECRET"), Path.Combine(dataDir, SecretFileName), 48);
        var configuredToken = Get("KEYWAY_ADMIN_TOKEN");
        var (adminToken, tokenGenerated) = ReadOrGenerate(configuredToken, Path.Combine(dataDir, AdminTokenFileName), 24);
        if (secret.Length < 16)
        {
            throw new InvalidConfigurationException("KEYWAY_SECRET is too short: use at least 16 characters.");
        }

        var options = new KeywayOptions
        {
            Secret = secret,
            SecretGenerated = secretGenerated,
            AdminToken = adminToken,
            AdminTokenGenerated = tokenGenerated,
            AdminTokenFromEnvironment = configuredToken is not null,
            Host = host,
            Port = port,
            DataDir = dataDir,
            CorsOrigins = (Get("KEYWAY_CORS_ORIGINS") ?? "")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            PublicBaseUrl = ParsePublicBaseUrl(Get("KEYWAY_PUBLIC_BASE_URL")),
            TrustedProxies = ParseTrustedProxies(Get("KEYWAY_TRUSTED_PROXIES")),
            LocalClientsKey = Get("KEYWAY_LOCAL_CLIENTS_KEY"),
            LogLevel = ParseLogLevel(Get("KEYWAY_LOG_LEVEL") ?? "info"),
            LogRetentionDays = retention,
            ResponseStoreDays = responseStoreDays,
            MaxRequestBodyBytes = maxBodyMiB * 1024L * 1024L,
            Limits = limits,
            DrainTimeout = TimeSpan.FromSeconds(drainSeconds),
            WebSocketIdleTimeout = TimeSpan.FromSeconds(webSocketIdleSeconds),
            WebSocketsPerKey = webSocketsPerKey,
            Failover = failover,
            LogToolQueries = ParseBool(Get("KEYWAY_LOG_TOOL_QUERIES"), "KEYWAY_LOG_TOOL_QUERIES"),
            AnthropicCacheBreakpoints = ParseBool(Get("KEYWAY_ANTHROPIC_CACHE_BREAKPOINTS") ?? "true", "KEYWAY_ANTHROPIC_CACHE_BREAKPOINTS"),
            DatabaseUrl = ParseDatabaseUrl(Get("KEYWAY_DATABASE_URL")),
            MetricsPort = metricsPort,
            MetricsHost = ParseHost(Get("KEYWAY_METRICS_HOST"), "KEYWAY_METRICS_HOST"),
            OtlpEndpoint = ParseUrl(Get("KEYWAY_OTLP_ENDPOINT") ?? Get("OTEL_EXPORTER_OTLP_ENDPOINT"), "KEYWAY_OTLP_ENDPOINT"),
            OtlpProtocol = ParseOtlpProtocol(Get("OTEL_EXPORTER_OTLP_PROTOCOL") ?? "http/protobuf"),
            InstanceId = Get("KEYWAY_INSTANCE_ID"),
        };
        if (keepGenerated)
        {
            KeepGeneratedSecret(options);
            KeepGeneratedAdminToken(options);
        }
        return options;
    }

    /// <summary>Writes the secret generated by <see cref="Load"/>, if it generated one, into the data dir.</summary>
    public static void KeepGeneratedSecret(KeywayOptions options)
    {
        if (options.SecretGenerated)
        {
            OwnerOnlyFile.WriteNew(Path.Combine(options.DataDir, SecretFileName), options.Secret);
        }
    }

    /// <summary>Writes the admin token generated by <see cref="Load"/>, if it generated one, into the data dir.</summary>
    public static void KeepGeneratedAdminToken(KeywayOptions options)
    {
        if (options.AdminTokenGenerated)
        {
            OwnerOnlyFile.WriteNew(Path.Combine(options.DataDir, AdminTokenFileName), options.AdminToken);
        }
    }

    /// <summary>
    /// A bind address: an IP address or localhost. Kestrel takes any other name as "every interface", so a typo would
    /// open the gateway (and an unauthenticated metrics port) to the network instead of failing.
    /// </summary>
    private static string ParseHost(string? value, string name) =>
        value is null ? "127.0.0.1"
        : value == "localhost" || IPAddress.TryParse(value, out _) ? value
        : throw new InvalidConfigurationException($"{name} must be an IP address (127.0.0.1, 0.0.0.0 for every interface, ::1, ::) or localhost, got '{value}'.");

    private static Uri? ParseUrl(string? value, string name) =>
        value is null ? null
        : Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url
        : throw new InvalidConfigurationException($"{name} (or OTEL_EXPORTER_OTLP_ENDPOINT) must be an http(s) URL, got '{value}'.");

    /// <summary>Shown to users as the address of the admin UI and in client settings, so it must be one a browser can open.</summary>
    private static string? ParsePublicBaseUrl(string? value) =>
        value is null ? null
        : Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0 ? value.TrimEnd('/')
        : throw new InvalidConfigurationException($"KEYWAY_PUBLIC_BASE_URL must be an absolute http(s) URL such as https://keyway.example.com, got '{value}'.");

    /// <summary>Addresses (each a network of one) or CIDR ranges, comma-separated.</summary>
    private static IPNetwork[] ParseTrustedProxies(string? value) =>
        [.. (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(entry =>
            IPAddress.TryParse(entry, out var address) ? new IPNetwork(address, address.GetAddressBytes().Length * 8)
            : IPNetwork.TryParse(entry, out var network) ? network
            : throw new InvalidConfigurationException($"KEYWAY_TRUSTED_PROXIES must be comma-separated IP addresses or CIDR ranges (127.0.0.1, 10.0.0.0/8, ::1), got '{entry}'."))];

    private static string ParseOtlpProtocol(string value) => value is "http/protobuf" or "grpc"
        ? value
        : throw new InvalidConfigurationException($"OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or grpc, got '{value}'.");

    private static bool ParseBool(string? value, string name) => value?.ToLowerInvariant() switch
    {
        null or "false" or "0" or "no" or "off" => false,
        "true" or "1" or "yes" or "on" => true,
        _ => throw new InvalidConfigurationException($"{name} must be true or false, got '{value}'."),
    };

    private static string? ParseDatabaseUrl(string? value) => value is null ? null : ValidateDatabaseUrl(value);

    // Apart from ParseDatabaseUrl because compiling a call to PostgresConnectionString.Parse loads Npgsql (its return
    // type): a gateway on SQLite never compiles this method and never maps Npgsql (0.9 MB of idle RSS).
    private static string ValidateDatabaseUrl(string value)
    {
        try
        {
            PostgresConnectionString.Parse(value);
            return value;
        }
        catch (ArgumentException e)
        {
            throw new InvalidConfigurationException($"KEYWAY_DATABASE_URL is not a PostgreSQL URL (postgres://user:pass@host:5432/db) or Npgsql connection string: {e.Message}");
        }
    }

    private static int ParseInt(string? value, int fallback, string name, int min, int max)
    {
        if (value is null)
        {
            return fallback;
        }
        if (!int.TryParse(value, out var parsed) || parsed < min || parsed > max)
        {
            throw new InvalidConfigurationException($"{name} must be an integer between {min} and {max}, got '{value}'.");
        }
        return parsed;
    }

    private static string ParseLogLevel(string value)
    {
        var level = value.ToLowerInvariant();
        string[] known = ["trace", "debug", "info", "warning", "error", "critical"];
        return known.Contains(level)
            ? level
            : throw new InvalidConfigurationException($"KEYWAY_LOG_LEVEL must be one of {string.Join(", ", known)}, got '{value}'.");
    }

    private static void EnsureWritableDirectory(string dataDir)
    {
        // CreateDirectory's own error for a file in the way says only "already exists", which reads as all being well.
        if (FileInTheWay(dataDir) is { } file)
        {
            throw new InvalidConfigurationException(file == Path.TrimEndingDirectorySeparator(dataDir)
                ? $"KEYWAY_DATA_DIR '{dataDir}' is a file, not a directory: set KEYWAY_DATA_DIR to a directory (a missing one is created) or move the file away."
                : $"KEYWAY_DATA_DIR '{dataDir}' cannot be created: '{file}' is a file, not a directory; set KEYWAY_DATA_DIR elsewhere or move the file away.");
        }
        try
        {
            Directory.CreateDirectory(dataDir);
            var probe = Path.Combine(dataDir, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A disk without room for one more file (bytes or inodes) is writable: what to fix is the disk, as at every
            // write of start-up (StartupStep).
            throw new InvalidConfigurationException(OutOfResources.Remedy(e, () => DiskSpace.Describe(dataDir)) is { } remedy
                ? $"could not write into KEYWAY_DATA_DIR '{dataDir}': {OutOfResources.Reason(e)}. {remedy}, then start Keyway again."
                : $"KEYWAY_DATA_DIR '{dataDir}' is not a writable directory: {e.Message}");
        }
    }

    /// <summary>The data dir itself or the nearest of its parents that exists, when that is a regular file.</summary>
    private static string? FileInTheWay(string dataDir)
    {
        for (var path = Path.TrimEndingDirectorySeparator(dataDir); !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
            {
                return path;
            }
            if (Directory.Exists(path))
            {
                return null;
            }
        }
        return null;
    }

    private static (string Value, bool Generated) ReadOrGenerate(string? configured, string file, int randomBytes)
    {
        if (configured is not null)
        {
            return (configured, false);
        }
        if (File.Exists(file))
        {
            // An empty file would make the empty string the secret, and an empty X-Admin-Token header the admin's.
            var stored = File.ReadAllText(file).Trim();
            return stored.Length > 0
                ? (stored, false)
                : throw new InvalidConfigurationException($"{file} is empty: delete it to have a new one generated, or write the value into it.");
        }
        return (Base64Url(RandomNumberGenerator.GetBytes(randomBytes)), true);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

using System.Net;
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

    /// <summary>
    /// KEYWAY_TRUSTED_PROXIES: the reverse proxies whose X-Forwarded-For, -Proto and -Host are believed (none by default:
    /// a client could otherwise forge its address past the admin-login throttle, or the origin a write is checked against).
    /// </summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>
    /// KEYWAY_LOCAL_CLIENTS_KEY: the issued key (its id, or <c>GROUP/NAME</c>) that serves a data-plane request from this
    /// machine presenting no key, or one Keyway does not know (AMKR's empty local_api_key: clients on a trusted machine
    /// need no key); null: every request needs its own key.
    /// </summary>
    public string? LocalClientsKey { get; init; }
    public string LogLevel { get; init; } = "info";
    public int LogRetentionDays { get; init; } = 30;

    /// <summary>
    /// KEYWAY_RESPONSE_STORE_DAYS: how long a Responses turn Keyway stores for a translated route (store not false) can
    /// be continued and read back; 0 stores none.
    /// </summary>
    public int ResponseStoreDays { get; init; } = 30;
    public long MaxRequestBodyBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Kestrel's connection limits: header size, header timeout, minimum data rate, concurrent connections.</summary>
    public ServerLimits Limits { get; init; } = ServerLimits.Default;

    /// <summary>KEYWAY_DRAIN_SECONDS: how long a graceful stop waits for requests in flight before it cuts them.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// KEYWAY_WEBSOCKET_IDLE_SECONDS: a Responses WebSocket with no response running and no message either way for this
    /// long is closed, with its upstream socket (Codex opens a new one for its next turn).
    /// </summary>
    public TimeSpan WebSocketIdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>KEYWAY_WEBSOCKETS_PER_KEY: the Responses WebSockets one issued key may hold open at once on this instance.</summary>
    public int WebSocketsPerKey { get; init; } = 16;

    /// <summary>
    /// What a graceful stop gets after the drain window for writing the request log's last rows (those of the requests
    /// the window's end cut short too) and the usage counters: a batch takes milliseconds, a slow disk or a PostgreSQL
    /// failover seconds.
    /// </summary>
    public static readonly TimeSpan FinalFlushWindow = TimeSpan.FromSeconds(15);

    /// <summary>The host's shutdown timeout: the drain window, then the final flush.</summary>
    public TimeSpan ShutdownTimeout => DrainTimeout + FinalFlushWindow;

    /// <summary>Failover and cooldown defaults; a provider's own max_retries, key_failure_threshold, key_cooldown_seconds and key_wait_seconds win.</summary>
    public FailoverPolicy Failover { get; init; } = FailoverPolicy.Default;

    /// <summary>KEYWAY_LOG_TOOL_QUERIES: the request log keeps the web-search queries in plaintext (off by default).</summary>
    public bool LogToolQueries { get; init; }

    /// <summary>
    /// KEYWAY_ANTHROPIC_CACHE_BREAKPOINTS: a request translated for an Anthropic-protocol upstream gets prompt-cache
    /// breakpoints when the client set none (on by default).
    /// </summary>
    public bool AnthropicCacheBreakpoints { get; init; } = true;

    /// <summary>KEYWAY_METRICS_PORT: serve /metrics only on this port (unauthenticated, on <see cref="MetricsHost"/>); null keeps it on the main port behind the admin token.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>KEYWAY_METRICS_HOST: the bind address of the metrics port (loopback by default).</summary>
    public string MetricsHost { get; init; } = "127.0.0.1";

    /// <summary>Where Kestrel listens for the gateway (port 0: a free one, which only the started server knows).</summary>
    public string ListenUrl => HttpUrl(Host, Port);

    /// <summary>Where Kestrel listens for /metrics alone; null without KEYWAY_METRICS_PORT.</summary>
    public string? MetricsListenUrl => MetricsPort is { } port ? HttpUrl(MetricsHost, port) : null;

    /// <summary>KEYWAY_OTLP_ENDPOINT, else the standard OTEL_EXPORTER_OTLP_ENDPOINT: where traces go (OTLP); null = tracing off.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" (default) or "grpc".</summary>
    public string OtlpProtocol { get; init; } = "http/protobuf";

    /// <summary>True when the secret was generated on this start (the log says so).</summary>
    public bool SecretGenerated { get; init; }

    /// <summary>True when the admin token was generated on this start (the log says so).</summary>
    public bool AdminTokenGenerated { get; init; }

    /// <summary>True when the admin token came from KEYWAY_ADMIN_TOKEN (the environment or .env), not from the data dir's file.</summary>
    public bool AdminTokenFromEnvironment { get; init; }

    /// <summary>KEYWAY_DATABASE_URL: a PostgreSQL database (postgres:// URL or Npgsql key=value) instead of the SQLite file in the data dir.</summary>
    public string? DatabaseUrl { get; init; }

    /// <summary>KEYWAY_INSTANCE_ID: this instance's name on its request-log rows (default: host name and port).</summary>
    public string? InstanceId { get; init; }

    /// <summary>
    /// How long one admin request may wait, over all its statements, for a SQLite file another process keeps locked
    /// before it answers 503. Not an environment variable: tests shorten it.
    /// </summary>
    internal TimeSpan AdminDatabaseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the shared configuration may go unrefreshed before /health/ready says so (<see cref="Storage.ConfigurationFreshness"/>).
    /// Not an environment variable: tests shorten it.
    /// </summary>
    internal TimeSpan ConfigurationStaleAfter { get; init; } = Storage.ConfigurationFreshness.DefaultStaleAfter;

    public string DatabasePath => Path.Combine(DataDir, "keyway.db");

    /// <summary>An IPv6 address goes in brackets, as a URL needs it (http://[::1]:9464).</summary>
    private static string HttpUrl(string host, int port) => $"http://{(host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host)}:{port}";
}

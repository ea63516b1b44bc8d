using System.CommandLine;
using System.Text.Json.Nodes;
using Keyway.Security;
using Keyway.Storage;

namespace Keyway.Cli;

/// <summary>`keyway config show`: the configuration a gateway started here would use (env, ./.env, defaults), secrets masked.</summary>
public static class ConfigCommands
{
    public static Command Build(CliContext context)
    {
        var show = new Command("show", "Effective configuration, secrets masked");
        show.SetAction(parse =>
        {
            var options = ServeCommand.LoadOptions(context);
            var config = new JsonObject
            {
                ["KEYWAY_SECRET"] = SecretMask.Mask(options.Secret),
                ["KEYWAY_ADMIN_TOKEN"] = SecretMask.Mask(options.AdminToken),
                ["KEYWAY_HOST"] = options.Host,
                ["KEYWAY_PORT"] = options.Port,
                ["KEYWAY_DATA_DIR"] = options.DataDir,
                ["KEYWAY_CORS_ORIGINS"] = string.Join(",", options.CorsOrigins),
                ["KEYWAY_PUBLIC_BASE_URL"] = options.PublicBaseUrl,
                ["KEYWAY_TRUSTED_PROXIES"] = string.Join(",", options.TrustedProxies),
                ["KEYWAY_LOCAL_CLIENTS_KEY"] = options.LocalClientsKey,
                ["KEYWAY_LOG_LEVEL"] = options.LogLevel,
                ["KEYWAY_LOG_RETENTION_DAYS"] = options.LogRetentionDays,
                ["KEYWAY_RESPONSE_STORE_DAYS"] = options.ResponseStoreDays,
                ["KEYWAY_MAX_BODY_MB"] = options.MaxRequestBodyBytes / (1024 * 1024),
                ["KEYWAY_MAX_RETRIES"] = options.Failover.MaxRetries,
                ["KEYWAY_KEY_FAILURE_THRESHOLD"] = options.Failover.KeyFailureThreshold,
                ["KEYWAY_KEY_COOLDOWN_SECONDS"] = (int)options.Failover.KeyCooldown.TotalSeconds,
                ["KEYWAY_KEY_WAIT_SECONDS"] = (int)options.Failover.KeyWait.TotalSeconds,
                ["KEYWAY_QUARANTINE_PROBE_SECONDS"] = (int)options.Failover.ProbeInterval.TotalSeconds,
                ["KEYWAY_METRICS_PORT"] = options.MetricsPort,
                ["KEYWAY_METRICS_HOST"] = options.MetricsHost,
                ["KEYWAY_OTLP_ENDPOINT"] = options.OtlpEndpoint is { } otlp ? CredentialMask.Url(otlp.ToString()) : null,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = options.OtlpProtocol,
                ["KEYWAY_DATABASE_URL"] = options.DatabaseUrl is { } url ? CredentialMask.DatabaseUrl(url) : null,
                ["KEYWAY_INSTANCE_ID"] = InstanceIdentity.For(options).Id,
                ["KEYWAY_LOG_TOOL_QUERIES"] = options.LogToolQueries,
                ["KEYWAY_ANTHROPIC_CACHE_BREAKPOINTS"] = options.AnthropicCacheBreakpoints,
                ["KEYWAY_MAX_HEADER_KB"] = options.Limits.MaxHeaderBytes / 1024,
                ["KEYWAY_HEADERS_TIMEOUT_SECONDS"] = (int)options.Limits.HeadersTimeout.TotalSeconds,
                ["KEYWAY_MIN_DATA_RATE"] = options.Limits.MinDataRateBytesPerSecond,
                ["KEYWAY_MAX_CONNECTIONS"] = options.Limits.MaxConnections,
                ["KEYWAY_DRAIN_SECONDS"] = (int)options.DrainTimeout.TotalSeconds,
                ["KEYWAY_WEBSOCKET_IDLE_SECONDS"] = (int)options.WebSocketIdleTimeout.TotalSeconds,
                ["KEYWAY_WEBSOCKETS_PER_KEY"] = options.WebSocketsPerKey,
            };
            if (parse.Json())
            {
                CliOutput.WriteJson(context, config);
            }
            else
            {
                CliOutput.WriteFields(context, config);
            }
            return CliExitCodes.Ok;
        });
        return new Command("config", "The gateway's configuration") { show };
    }
}

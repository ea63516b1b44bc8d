using System.Runtime.CompilerServices;
using Keyway.Configuration;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Keyway.Telemetry.Tracing;

/// <summary>
/// Exports Keyway's spans over OTLP when an endpoint is configured (KEYWAY_OTLP_ENDPOINT or the standard
/// OTEL_EXPORTER_OTLP_ENDPOINT). Off by default: then the OpenTelemetry assemblies are never even loaded, and
/// <see cref="KeywayTracing.Source"/> has no listener, so no span is created.
/// </summary>
public static class OtlpTracing
{
    public static IServiceCollection AddKeywayTracing(this IServiceCollection services, KeywayOptions options)
    {
        if (options.OtlpEndpoint is { } endpoint)
        {
            AddExporter(services, endpoint, options.OtlpProtocol);
        }
        return services;
    }

    /// <summary>Starts the exporter with the app (it is disposed, and so flushed, when the app stops).</summary>
    public static void StartKeywayTracing(this IServiceProvider services, KeywayOptions options)
    {
        if (options.OtlpEndpoint is not null)
        {
            Resolve(services);
        }
    }

    /// <summary>Sends every finished span now (tests; the exporter otherwise batches them every few seconds).</summary>
    public static void FlushKeywayTracing(this IServiceProvider services) => Resolve(services).ForceFlush();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TracerProvider Resolve(IServiceProvider services) => services.GetRequiredService<TracerProvider>();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddExporter(IServiceCollection services, Uri endpoint, string protocol) =>
        services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("keyway", serviceVersion: AppVersion.Current))
            // ASP.NET Core's own request span too: Keyway's request span then hangs under it, and a client's sampled or
            // unsampled traceparent decides (parent-based sampling) instead of the unrecorded placeholder activity that
            // ASP.NET Core starts for log scopes when nobody listens to it.
            .AddSource(KeywayTracing.SourceName, "Microsoft.AspNetCore")
            .AddOtlpExporter(otlp =>
            {
                otlp.Protocol = protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                otlp.Endpoint = protocol == "grpc" ? endpoint : SignalUrl(endpoint);
            })
            .Build());

    /// <summary>For OTLP/HTTP the configured endpoint is a base URL and traces go to its /v1/traces, as the OTLP spec says.</summary>
    private static Uri SignalUrl(Uri endpoint) => endpoint.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal)
        ? endpoint
        : new Uri(endpoint.ToString().TrimEnd('/') + "/v1/traces");
}

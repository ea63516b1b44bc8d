namespace Keyway.Storage;

/// <summary>
/// Which request-log rows a query or a stats call covers. Every member is optional; null means
/// "any". <see cref="Since"/> and <see cref="Until"/> are both inclusive.
/// </summary>
public sealed record RequestLogFilter
{
    public string? ApiKeyId { get; init; }
    public string? GroupId { get; init; }
    public string? RouteAlias { get; init; }
    public string? ProviderId { get; init; }

    /// <summary>The Keyway instance that served the rows (KEYWAY_INSTANCE_ID); the daily roll-up does not keep it.</summary>
    public string? InstanceId { get; init; }

    /// <summary>An exact status code.</summary>
    public int? StatusCode { get; init; }

    /// <summary>True: only 2xx rows; false: only the others.</summary>
    public bool? Succeeded { get; init; }

    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
}

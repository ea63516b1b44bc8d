namespace Keyway.Gateway;

/// <summary>Where a forwarded call failed, named stage × side like YARP's ForwarderError.</summary>
public enum ForwardError
{
    /// <summary>No connection to the upstream (refused, DNS, TLS): 502.</summary>
    UpstreamConnect,

    /// <summary>The upstream sent nothing within the provider's timeout: 504.</summary>
    UpstreamTimeout,

    /// <summary>The upstream answered with an error status, relayed as that status.</summary>
    UpstreamStatus,

    /// <summary>The client went away; nothing more is written, the log says 499.</summary>
    ClientCanceled,

    /// <summary>The upstream's body broke off after the response started: 502 in the log.</summary>
    ResponseBodyUpstream,

    /// <summary>Writing to the client failed after the response started: 499 in the log.</summary>
    ResponseBodyClient,

    /// <summary>The provider has no enabled upstream key, or none that can serve the request now: 503.</summary>
    NoUsableKey,

    /// <summary>Every key that could serve the request has all its max_concurrency places taken: 429.</summary>
    AllKeysBusy,

    /// <summary>The upstream's answer could not be turned into the client's protocol: 502.</summary>
    TranslationFailed,

    /// <summary>A graceful stop's drain window (KEYWAY_DRAIN_SECONDS) ended before the answer did: 503, and no key is blamed.</summary>
    GatewayStopping,

    /// <summary>The upstream answered 200 with no answer (a stream without an event, a body that is not JSON, an error object): 502, and the next key is tried.</summary>
    UpstreamAnswerUnusable,
}

public static class ForwardErrorStatus
{
    /// <summary>The status Keyway answers (or logs) for an error; UpstreamStatus uses the upstream's own.</summary>
    public static int StatusCode(this ForwardError error, int upstreamStatus) => error switch
    {
        ForwardError.UpstreamConnect => StatusCodes.Status502BadGateway,
        ForwardError.UpstreamTimeout => StatusCodes.Status504GatewayTimeout,
        ForwardError.UpstreamStatus => upstreamStatus,
        ForwardError.ClientCanceled or ForwardError.ResponseBodyClient => StatusCodes.Status499ClientClosedRequest,
        ForwardError.ResponseBodyUpstream => StatusCodes.Status502BadGateway,
        ForwardError.NoUsableKey or ForwardError.GatewayStopping => StatusCodes.Status503ServiceUnavailable,
        ForwardError.AllKeysBusy => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status502BadGateway,
    };
}

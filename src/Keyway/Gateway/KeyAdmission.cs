namespace Keyway.Gateway;

/// <summary>Why a key's policy refuses a request: the status, the message, the error code and how long to wait.</summary>
internal sealed record KeyRefusal(int Status, string Message, string Code, TimeSpan? RetryAfter = null);

/// <summary>
/// A key's policy decision for one request. <see cref="Window"/> is the key's rate window when it has limits;
/// <see cref="HoldsPlace"/> says whether the request holds one of its max_concurrency places, to give back at the end.
/// </summary>
internal sealed record KeyAdmission(KeyRefusal? Refusal, KeyRateWindow? Window, bool HoldsPlace, RateState? Rate)
{
    public static KeyAdmission Open { get; } = new(null, null, false, null);
}

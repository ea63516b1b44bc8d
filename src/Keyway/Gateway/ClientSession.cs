using Keyway.Upstreams;

namespace Keyway.Gateway;

/// <summary>
/// The conversation a request belongs to, as the coding agents name it in a header: Claude Code's
/// <c>X-Claude-Code-Session-Id</c> (one per process) and Codex's <c>session-id</c> (0.169; <c>session_id</c> before).
/// An upstream caches a prompt's prefix for the account that sent it, so the turns of one session go to one key of a
/// round_robin pool, or each key would pay for the whole prompt again.
/// </summary>
internal static class ClientSession
{
    private static readonly string[] Headers = ["x-claude-code-session-id", "session-id", "session_id"];

    /// <summary>The session's affinity, or null for a request that names no session.</summary>
    public static SessionAffinity? AffinityOf(IHeaderDictionary headers)
    {
        foreach (var name in Headers)
        {
            if (headers[name].ToString() is { Length: > 0 } session)
            {
                return SessionAffinity.Of(session);
            }
        }
        return null;
    }
}

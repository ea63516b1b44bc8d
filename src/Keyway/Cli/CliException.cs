using System.Net;

namespace Keyway.Cli;

/// <summary>A command failed for a reason the user can act on: printed as one line, then the process exits with <see cref="ExitCode"/>.</summary>
public sealed class CliException(string message, int exitCode = CliExitCodes.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>The admin API's status when the gateway refused the request; null for every other failure.</summary>
    public HttpStatusCode? Status { get; init; }
}

/// <summary>The exit codes every command shares.</summary>
public static class CliExitCodes
{
    public const int Ok = 0;

    /// <summary>The gateway refused the request, a probe failed, or a file could not be used.</summary>
    public const int Failed = 1;

    /// <summary>Bad command line or configuration (as the server's own start-up errors).</summary>
    public const int Usage = 2;

    /// <summary>No gateway answered at the admin URL.</summary>
    public const int Unreachable = 3;

    /// <summary>`keyway e2e` found no enabled route to probe, so nothing was shown to work.</summary>
    public const int NothingTested = 4;
}

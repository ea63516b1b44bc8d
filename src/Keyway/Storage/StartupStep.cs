namespace Keyway.Storage;

/// <summary>
/// One step of start-up that writes (a table, a row, a file in the data dir) or starts the web server, run so that a
/// failure the operator fixes outside Keyway (<see cref="OutOfResources"/>) refuses the start in one line, a
/// <see cref="StartupRefusedException"/>: what could not be done, the database's or file system's words, the room left
/// and what to do. Any other failure is thrown as it is.
/// </summary>
public static class StartupStep
{
    /// <summary>What the operator does once the machine's failure is fixed, the refusal's last words.</summary>
    public const string StartAgain = "start Keyway again";

    /// <param name="what">What the step does, after "could not": "create the default group".</param>
    /// <param name="freeSpace">The room left on the disk the step writes (<see cref="DiskSpace.Describe"/>); null for PostgreSQL's.</param>
    public static async Task RunAsync(string what, Func<string?> freeSpace, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (Refusal(what, e, freeSpace, StartAgain) is { } refusal)
        {
            throw new StartupRefusedException(refusal);
        }
    }

    /// <inheritdoc cref="RunAsync"/>
    /// <param name="again">What to do once it is fixed, after "then": a command that writes into the data dir outside start-up
    /// (`db restore` taking keyway.lock) names itself.</param>
    public static void Run(string what, Func<string?> freeSpace, Action step, string again = StartAgain)
    {
        try
        {
            step();
        }
        catch (Exception e) when (Refusal(what, e, freeSpace, again) is { } refusal)
        {
            throw new StartupRefusedException(refusal);
        }
    }

    /// <summary>
    /// The refusal's line, or null for a failure that is not the machine's. A failed migration already says which one and
    /// that it was rolled back: its own message leads.
    /// </summary>
    private static string? Refusal(string what, Exception failure, Func<string?> freeSpace, string again)
    {
        var migration = failure as MigrationFailedException;
        var cause = Unwrapped(migration?.Failure ?? failure);
        return OutOfResources.Remedy(cause, freeSpace) is not { } remedy ? null
            : migration is not null ? $"{migration.Message} {remedy}, then {again} to apply it."
            : $"could not {what}: {OutOfResources.Reason(cause)}. {remedy}, then {again}.";
    }

    /// <summary>
    /// The failure inside what .NET wraps it in at start-up: a type initializer that met it (PosixSignalRegistration and the
    /// socket engine meet `ulimit -n`), the task scheduler that could not start a thread, or a host's one failed service.
    /// </summary>
    private static Exception Unwrapped(Exception failure) => failure switch
    {
        TypeInitializationException { InnerException: { } inner } => Unwrapped(inner),
        TaskSchedulerException { InnerException: { } inner } => Unwrapped(inner),
        AggregateException { InnerExceptions: [var only] } => Unwrapped(only),
        _ => failure,
    };
}

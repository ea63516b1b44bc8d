namespace Keyway.Admin;

/// <summary>The error body every admin failure uses: <c>{"detail":"…"}</c>, plus <c>"field"</c> for validation errors.</summary>
public static class AdminErrors
{
    public const string AuthenticationRequired = "Admin authentication required. Use X-Admin-Token header or login via /admin/login.";
    public const string InvalidToken = "Invalid admin token.";
    public const string TooManyFailures = "Too many failed admin logins. Try again later.";
    public const string DatabaseUnavailable = "The database is unavailable (unreachable or restarting), so the admin API cannot read or change anything. The gateway keeps serving; try again shortly.";
    public const string DatabaseLocked = "The database file is locked by another process, so the admin API cannot change anything now. The gateway keeps serving; try again once the lock is released.";
    public const string DatabaseDiskFailure = "The disk holding the database is full or failing (SQLite: database or disk is full, or disk I/O error), so the admin API cannot change anything now. The gateway keeps serving; free space on that disk, then try again.";
    public const string DatabaseConflict = "This change conflicted with a concurrent change to the same rows (the database ended one of them to break a deadlock), so nothing was changed. The gateway keeps serving; try again.";
    public const string DatabaseRowLocked = "A row or table this change needs is locked by another database session (a long transaction or an explicit LOCK), so the admin API cannot change it now. The gateway keeps serving; try again once the lock is released.";

    public static IResult Result(int statusCode, string detail, string? field = null) =>
        TypedResults.Json(new ErrorResponse(detail, field), AdminJsonContext.Default.ErrorResponse, statusCode: statusCode);
}

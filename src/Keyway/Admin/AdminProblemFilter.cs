using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>
/// Turns every failure of an admin endpoint into the JSON error body, never a stack trace or a problem page. Reads and
/// writes alike answer 503 (with Retry-After) while the database is unreachable: the admin API serves from it, not from
/// the gateway's snapshot. Every statement of one request shares one <paramref name="databaseTimeout"/>: a SQLite file
/// locked by another process, or a PostgreSQL row or table locked by another session, fails the request within it,
/// not after a busy timeout per statement or never. A request whose client already left ends quietly.
/// </summary>
internal sealed partial class AdminProblemFilter(ILogger<AdminProblemFilter> logger, TimeSpan databaseTimeout) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        using var deadline = DatabaseDeadline.Begin(databaseTimeout);
        try
        {
            return await next(context);
        }
        catch (AdminProblem problem)
        {
            return AdminErrors.Result(problem.StatusCode, problem.Detail, problem.Field);
        }
        catch (BadHttpRequestException e)
        {
            return AdminErrors.Result(e.StatusCode, e.Message);
        }
        catch (Exception e) when (DatabaseUnavailable.Is(e) && !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            Log.DatabaseUnavailable(logger, context.HttpContext.Request.Method, context.HttpContext.Request.Path, e.Message);
            context.HttpContext.Response.Headers.RetryAfter = "1";
            return AdminErrors.Result(StatusCodes.Status503ServiceUnavailable, UnavailableDetail(e));
        }
        catch (Exception e) when (!context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            Log.UnexpectedFailure(logger, context.HttpContext.Request.Method, context.HttpContext.Request.Path, e);
            return AdminErrors.Result(StatusCodes.Status500InternalServerError, "Internal server error");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The client left (its call failed or was cancelled after it did): nobody reads an answer, and thrown on,
            // Kestrel would log it as an unhandled exception of the application.
            Log.ClientLeft(logger, context.HttpContext.Request.Method, context.HttpContext.Request.Path, e.Message);
            return Results.Empty;
        }
    }

    /// <summary>What the 503 says: a locked file or row, a full or failing disk, a conflict with a concurrent change, else the database away.</summary>
    internal static string UnavailableDetail(Exception e) =>
        DatabaseUnavailable.IsLocked(e) ? AdminErrors.DatabaseLocked
        : DatabaseUnavailable.IsDiskFailure(e) ? AdminErrors.DatabaseDiskFailure
        : DatabaseUnavailable.IsRowLocked(e) ? AdminErrors.DatabaseRowLocked
        : DatabaseUnavailable.IsConflict(e) ? AdminErrors.DatabaseConflict
        : AdminErrors.DatabaseUnavailable;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Admin request {Method} {Path} failed")]
        public static partial void UnexpectedFailure(ILogger logger, string method, string path, Exception exception);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Admin request {Method} {Path} ended after its client left: {Reason}")]
        public static partial void ClientLeft(ILogger logger, string method, string path, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Admin request {Method} {Path} failed: the database is unavailable ({Reason})")]
        public static partial void DatabaseUnavailable(ILogger logger, string method, string path, string reason);
    }
}

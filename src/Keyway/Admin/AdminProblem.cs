using Microsoft.AspNetCore.Http;

namespace Keyway.Admin;

/// <summary>
/// An admin request that cannot be served, with the status and the Keyway error text the client sees
/// as <c>{"detail":"…","field":"…"}</c>. Thrown from handlers and body readers; <see cref="AdminProblemFilter"/> answers it.
/// </summary>
public sealed class AdminProblem(int statusCode, string detail, string? field = null) : Exception(detail)
{
    public int StatusCode { get; } = statusCode;
    public string Detail { get; } = detail;
    public string? Field { get; } = field;

    public static AdminProblem BadRequest(string detail, string? field = null) => new(StatusCodes.Status400BadRequest, detail, field);

    public static AdminProblem NotFound(string detail) => new(StatusCodes.Status404NotFound, detail);

    public static AdminProblem Conflict(string detail) => new(StatusCodes.Status409Conflict, detail);
}

using System.Text.Json.Nodes;
using Keyway.Admin;

namespace Keyway.Cli.Declarative;

/// <summary>
/// What the admin API would refuse in a planned create or edit, found without sending it (<see cref="AdminBodyCheck"/>,
/// the handlers' own readers), so that `apply --dry-run` refuses the file the real apply would stop at.
/// </summary>
internal static class DeclaredBodyCheck
{
    /// <returns>The API's refusal naming the item (<paramref name="what"/>), or null when the body passes.</returns>
    public static string? Refusal(DeclaredResource resource, string what, JsonObject body, bool creating) =>
        Refusal(what, body, checkedBody => Check(resource, checkedBody, creating));

    /// <summary>As above, for a body <paramref name="check"/> reads (a route's fallback, the unified model).</summary>
    public static string? Refusal(string what, JsonObject body, Action<RequestBody> check)
    {
        try
        {
            check(RequestBody.Parse(body.ToJsonString()));
            return null;
        }
        catch (AdminProblem problem)
        {
            return $"{what}: {problem.Detail}";
        }
    }

    private static void Check(DeclaredResource resource, RequestBody body, bool creating)
    {
        if (resource == DeclaredResource.Providers)
        {
            AdminBodyCheck.Provider(body, creating);
        }
        else if (resource == DeclaredResource.Routes)
        {
            AdminBodyCheck.Route(body, creating);
        }
        else if (resource == DeclaredResource.Keys)
        {
            AdminBodyCheck.IssuedKey(body, creating);
        }
        else if (resource == DeclaredResource.ToolProviders)
        {
            AdminBodyCheck.ToolProvider(body, creating);
        }
        else if (resource == ConfigPlanner.Groups)
        {
            AdminBodyCheck.Group(body, creating);
        }
    }
}

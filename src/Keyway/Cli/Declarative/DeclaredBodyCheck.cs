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
    public static string? Refusal(DeclaredResource resource, string what, JsonObject body, bool creating)
    {
        try
        {
            if (resource == DeclaredResource.Providers)
            {
                AdminBodyCheck.Provider(RequestBody.Parse(body.ToJsonString()), creating);
            }
            else if (resource == DeclaredResource.Routes)
            {
                AdminBodyCheck.Route(RequestBody.Parse(body.ToJsonString()));
            }
            return null;
        }
        catch (AdminProblem problem)
        {
            return $"{what}: {problem.Detail}";
        }
    }
}

using Keyway.Protocols;
using Keyway.Storage;

namespace Keyway.Admin;

/// <summary>
/// A route's defaults (<c>default_reasoning_effort</c>, <c>max_tokens_cap</c>, <c>default_temperature</c>), shared by
/// create and PATCH: a field that is absent keeps its current value, an explicit null removes the default.
/// </summary>
internal static class RouteDefaultsFields
{
    public const int MaxTokensCapLimit = 10_000_000;

    public static RouteRecord Apply(RequestBody body, RouteRecord route) => route with
    {
        DefaultReasoningEffort = body.Has("default_reasoning_effort") ? Effort(body) : route.DefaultReasoningEffort,
        MaxTokensCap = body.Has("max_tokens_cap") ? body.OptionalInt("max_tokens_cap", 1, MaxTokensCapLimit) : route.MaxTokensCap,
        DefaultTemperature = body.Has("default_temperature") ? body.OptionalNumber("default_temperature", 0, 2) : route.DefaultTemperature,
    };

    private static string? Effort(RequestBody body)
    {
        var effort = body.OptionalString("default_reasoning_effort", 16);
        return effort is null || RequestDefaults.Efforts.Contains(effort)
            ? effort
            : throw AdminProblem.BadRequest(
                $"default_reasoning_effort must be one of: {string.Join(", ", RequestDefaults.Efforts)}", "default_reasoning_effort");
    }
}

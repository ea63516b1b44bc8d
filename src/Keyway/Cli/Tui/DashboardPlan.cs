namespace Keyway.Cli.Tui;

/// <summary>How much of a <see cref="DashboardSnapshot"/> the dashboard shows, so that it fits the terminal's height.</summary>
/// <param name="Roomy">Boxed figures, bordered tables with dates, a blank line above the hints; all compact otherwise.</param>
/// <param name="HourBars">How many of the newest hours are drawn as bars.</param>
/// <param name="HourLine">Without bars, the newest hours on one line; with neither, no hours at all.</param>
/// <param name="Requests">How many of the newest requests are listed; the section's title counts the others and their errors.</param>
/// <param name="RestingKeys">How many resting keys are listed; a "+N more" line counts the others.</param>
public sealed record DashboardPlan(bool Roomy, int HourBars, bool HourLine, int Requests, int RestingKeys)
{
    /// <summary>The requests and resting keys listed while there is something less important left to give up.</summary>
    private const int FewRows = 3;

    /// <summary>
    /// What a terminal too short gives up, least important first: each plan is the one before it with the first step that
    /// still applies taken. The totals, a line for each section and the hints are never given up.
    /// </summary>
    private static readonly Func<DashboardPlan, DashboardPlan?>[] Steps =
    [
        plan => plan.Roomy ? plan with { Roomy = false } : null,
        plan => plan.HourBars > 0 ? plan with { HourBars = plan.HourBars - 1 } : null,
        plan => plan.Requests > FewRows ? plan with { Requests = plan.Requests - 1 } : null,
        plan => plan.RestingKeys > FewRows ? plan with { RestingKeys = plan.RestingKeys - 1 } : null,
        plan => plan.HourLine ? plan with { HourLine = false } : null,
        plan => plan.Requests > 1 ? plan with { Requests = plan.Requests - 1 } : null,
        plan => plan.RestingKeys > 0 ? plan with { RestingKeys = plan.RestingKeys - 1 } : null,
        plan => plan.Requests > 0 ? plan with { Requests = plan.Requests - 1 } : null,
    ];

    /// <summary>
    /// Everything the snapshot holds, then each plan a step smaller than the one before, down to the least: no plan's
    /// layout is taller than the one before it, which <see cref="HeightFit"/> relies on.
    /// </summary>
    public static IEnumerable<DashboardPlan> Shrinking(DashboardSnapshot snapshot)
    {
        var plan = new DashboardPlan(true, snapshot.Hours.Count, true, snapshot.LastRequests.Count, snapshot.RestingKeys.Count);
        yield return plan;
        while (Steps.Select(step => step(plan)).FirstOrDefault(smaller => smaller is not null) is { } smaller)
        {
            yield return plan = smaller;
        }
    }
}

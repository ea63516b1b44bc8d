namespace Keyway.Cli.Declarative;

/// <summary>
/// One step of an apply: "+" create, "~" update, "-" delete; <see cref="RunAsync"/> performs it and may return a note to print.
/// <see cref="Refusal"/> is what the admin API would answer instead, as far as the body alone tells (<see cref="DeclaredBodyCheck"/>).
/// </summary>
public sealed record PlannedChange(char Action, string What, string Detail, Func<AdminClient, CancellationToken, Task<string?>> RunAsync, string? Refusal = null)
{
    public override string ToString() => $"{Action} {What}{(Detail.Length > 0 ? $" ({Detail})" : "")}";
}

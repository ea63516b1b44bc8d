namespace Keyway.Cli.Declarative;

/// <summary>One step of an apply: "+" create, "~" update, "-" delete; <see cref="RunAsync"/> performs it and may return a note to print.</summary>
public sealed record PlannedChange(char Action, string What, string Detail, Func<AdminClient, CancellationToken, Task<string?>> RunAsync)
{
    public override string ToString() => $"{Action} {What}{(Detail.Length > 0 ? $" ({Detail})" : "")}";
}

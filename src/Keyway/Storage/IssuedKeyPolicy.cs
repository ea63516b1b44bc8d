namespace Keyway.Storage;

/// <summary>
/// What an issued key may do. <paramref name="AllowedAliases"/>: aliases or globs (<c>*</c>, <c>?</c>) it may call, empty
/// for every alias of its group. Null limits and budgets mean none. Budgets count input + output tokens per UTC day and
/// UTC calendar month. A <paramref name="Visitor"/> key is served only by upstream keys that allow visitors, on routes
/// that allow visitors.
/// </summary>
public sealed record IssuedKeyPolicy(
    IReadOnlyList<string> AllowedAliases,
    int? Rpm,
    long? Tpm,
    int? MaxConcurrency,
    long? DailyTokenBudget,
    long? MonthlyTokenBudget,
    bool Visitor)
{
    public static IssuedKeyPolicy None { get; } = new([], null, null, null, null, null, false);
}

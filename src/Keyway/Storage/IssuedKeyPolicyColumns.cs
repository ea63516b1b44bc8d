using System.Text.Json;

namespace Keyway.Storage;

/// <summary>The api_keys columns of <see cref="IssuedKeyPolicy"/>: the SQL fragments and the parameters the key repository adds.</summary>
internal static class IssuedKeyPolicyColumns
{
    public const string Select =
        "allowed_aliases AS AllowedAliases, rpm AS Rpm, tpm AS Tpm, max_concurrency AS MaxConcurrency, " +
        "daily_token_budget AS DailyTokenBudget, monthly_token_budget AS MonthlyTokenBudget, visitor AS Visitor";

    public const string Names = "allowed_aliases, rpm, tpm, max_concurrency, daily_token_budget, monthly_token_budget, visitor";

    public const string Values = "@AllowedAliases, @Rpm, @Tpm, @MaxConcurrency, @DailyTokenBudget, @MonthlyTokenBudget, @Visitor";

    public const string Set =
        "allowed_aliases = @AllowedAliases, rpm = @Rpm, tpm = @Tpm, max_concurrency = @MaxConcurrency, " +
        "daily_token_budget = @DailyTokenBudget, monthly_token_budget = @MonthlyTokenBudget, visitor = @Visitor";

    /// <summary>The allowed_aliases column: the aliases as a JSON array.</summary>
    public static string AllowedAliases(IssuedKeyPolicy policy) =>
        JsonSerializer.Serialize(policy.AllowedAliases.ToList(), StorageJsonContext.Default.ListString);

    public static IssuedKeyPolicy Read(string allowedAliases, long? rpm, long? tpm, long? maxConcurrency, long? daily, long? monthly, long visitor) => new(
        JsonSerializer.Deserialize(allowedAliases, StorageJsonContext.Default.ListString) ?? [],
        (int?)rpm, tpm, (int?)maxConcurrency, daily, monthly, visitor != 0);
}

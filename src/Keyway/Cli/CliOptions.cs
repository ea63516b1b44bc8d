using System.CommandLine;

namespace Keyway.Cli;

/// <summary>
/// The options every admin command understands, declared once on the root (recursive) and read back by name, so each
/// command tree owns its own option instances.
/// </summary>
public static class CliOptions
{
    public static IEnumerable<Option> Global() =>
    [
        new Option<string?>("--url")
        {
            Description = "Admin URL of the gateway (default: KEYWAY_URL, the running gateway of the data dir, then KEYWAY_HOST:KEYWAY_PORT)",
            Recursive = true,
        },
        new Option<string?>("--token") { Description = "Admin token (default: KEYWAY_ADMIN_TOKEN, then data/admin.token)", Recursive = true },
        new Option<bool>("--json") { Description = "Print the answer as JSON, for scripts", Recursive = true },
    ];

    public static string? Url(this ParseResult parse) => parse.GetValue<string?>("--url");

    public static string? Token(this ParseResult parse) => parse.GetValue<string?>("--token");

    public static bool Json(this ParseResult parse) => parse.GetValue<bool>("--json");

    /// <summary>The group a command works in; "default" unless given.</summary>
    public static Option<string> Group() => new("--group", "-g")
    {
        Description = "Group id",
        DefaultValueFactory = _ => "default",
    };
}

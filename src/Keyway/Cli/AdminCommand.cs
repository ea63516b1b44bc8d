using System.CommandLine;
using System.Text.Json.Nodes;

namespace Keyway.Cli;

/// <summary>
/// Wires a command to the admin API: resolves the connection from the global options, runs the action, and prints its
/// answer as JSON under <c>--json</c> or through the action's own table renderer otherwise.
/// </summary>
public static class AdminCommand
{
    public delegate Task<JsonNode> Call(ParseResult parse, AdminClient admin, CancellationToken cancellationToken);

    public static Command WithAdminAction(this Command command, CliContext context, Call call, Action<CliContext, JsonNode> render) =>
        command.WithAdminAction(context, call, render, _ => true);

    /// <summary>
    /// As above; the command exits 1, as for a refusal, when <paramref name="succeeded"/> says the answer reports a failure
    /// (a test call the admin API made, which answers 200 whatever the upstream said).
    /// </summary>
    public static Command WithAdminAction(
        this Command command, CliContext context, Call call, Action<CliContext, JsonNode> render, Func<JsonNode, bool> succeeded)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var admin = Connect(context, parse);
            var answer = await call(parse, admin, cancellationToken);
            if (parse.Json())
            {
                CliOutput.WriteJson(context, answer);
            }
            else
            {
                render(context, answer);
            }
            return succeeded(answer) ? CliExitCodes.Ok : CliExitCodes.Failed;
        });
        return command;
    }

    public static AdminClient Connect(CliContext context, ParseResult parse) =>
        new(AdminConnection.Resolve(context, parse.Url(), parse.Token()));

    /// <summary>An argument as one URL path segment.</summary>
    public static string Segment(ParseResult parse, Argument<string> argument) => Uri.EscapeDataString(parse.GetRequiredValue(argument));

    /// <summary>Renders the list under <paramref name="property"/> as a table of <paramref name="fields"/>.</summary>
    public static Action<CliContext, JsonNode> Table(string property, params string[] fields) =>
        (context, answer) => CliOutput.WriteTable(context, answer[property]?.AsArray() ?? [], fields);

    /// <summary>Renders the object under <paramref name="property"/> field by field.</summary>
    public static Action<CliContext, JsonNode> Fields(string property) =>
        (context, answer) => CliOutput.WriteFields(context, answer[property] as JsonObject ?? []);

    /// <summary>Whether a test answer (<c>"test":{"ok",…}</c> of POST /admin/llm/test or …/tool-providers/{id}/test) passed.</summary>
    public static bool TestPassed(JsonNode answer) => answer["test"]?["ok"]?.GetValue<bool>() == true;

    /// <summary>A test answer as one line: "ok" or "failed", the upstream status and time, where it went and what it said.</summary>
    public static void TestLine(CliContext context, JsonNode answer)
    {
        var test = answer["test"];
        var target = string.Join(", ", ((string[])["provider_id", "key", "upstream_model"])
            .Where(field => test?[field] is not null)
            .Select(field => $"{field} {test![field]}"));
        var message = test?["message"]?.ToString() is { Length: > 0 } said ? $": {said}" : "";
        context.Out.WriteLine($"{(TestPassed(answer) ? "ok" : "failed")}, status {test?["status"]} in {test?["latency_ms"]} ms{(target.Length > 0 ? $" ({target})" : "")}{message}");
    }

    /// <summary>Prints one line built from the answer.</summary>
    public static Action<CliContext, JsonNode> Line(Func<JsonNode, string> text) =>
        (context, answer) => context.Out.WriteLine(text(answer));
}

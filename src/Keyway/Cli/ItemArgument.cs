using System.CommandLine;

namespace Keyway.Cli;

/// <summary>
/// The argument of a command that acts on one item, and how it becomes the item's id in the admin path: groups and
/// providers are named by id; issued keys by key id or by name in <c>--group</c> (ids of other groups still work).
/// </summary>
public sealed class ItemArgument
{
    private readonly Argument<string> _argument;
    private readonly Option<string>? _group;

    private ItemArgument(Argument<string> argument, Option<string>? group) => (_argument, _group) = (argument, group);

    public static ItemArgument Id(string name) => new(new Argument<string>(name), null);

    public static ItemArgument IssuedKey() =>
        new(new Argument<string>("key") { Description = "Key id, or the key's name in --group" }, CliOptions.Group());

    /// <summary>Adds the argument (and --group when names are looked up in one) to <paramref name="command"/>.</summary>
    public Command AddTo(Command command)
    {
        command.Add(_argument);
        if (_group is not null)
        {
            command.Add(_group);
        }
        return command;
    }

    /// <summary>The item's id, escaped for a path segment.</summary>
    public async Task<string> SegmentAsync(ParseResult parse, AdminClient admin, CancellationToken cancellationToken)
    {
        var reference = parse.GetRequiredValue(_argument);
        if (_group is null)
        {
            return Uri.EscapeDataString(reference);
        }
        // Not found in the group: passed on as an id, which the gateway looks up in every group (404 when none has it).
        return Uri.EscapeDataString(await IssuedKeyIdAsync(admin, parse.GetRequiredValue(_group), reference, cancellationToken) ?? reference);
    }

    /// <summary>The id of the issued key of <paramref name="group"/> whose id or name <paramref name="reference"/> is; null when none is.</summary>
    public static async Task<string?> IssuedKeyIdAsync(AdminClient admin, string group, string reference, CancellationToken cancellationToken)
    {
        var keys = (await admin.GetAsync($"admin/llm/groups/{Uri.EscapeDataString(group)}/keys", cancellationToken))["keys"]?.AsArray() ?? [];
        return ItemReference.IdOf(keys, reference, "key_id", "name", $"keys in group '{group}'");
    }
}

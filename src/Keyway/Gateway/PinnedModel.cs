namespace Keyway.Gateway;

/// <summary>The <c>model</c> field as written by the client: an alias, or <c>alias[key-name]</c> to pin one upstream key.</summary>
internal static class PinnedModel
{
    public static (string Alias, string? KeyName) Parse(string model)
    {
        var open = model.LastIndexOf('[');
        return model.EndsWith(']') && open > 0 && open < model.Length - 2
            ? (model[..open], model[(open + 1)..^1])
            : (model, null);
    }
}

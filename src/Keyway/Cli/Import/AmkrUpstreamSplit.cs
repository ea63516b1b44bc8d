using System.Text.RegularExpressions;

namespace Keyway.Cli.Import;

/// <summary>One Keyway provider made of an AMKR model: the model's keys that call <see cref="UpstreamModel"/>.</summary>
internal sealed record AmkrUpstreamPool(string ProviderId, string Name, string UpstreamModel, IReadOnlyList<AmkrKey> Keys);

/// <summary>
/// AMKR keeps one pool per model and sends each key's own upstream_model, so the keys of one model may call different
/// upstream models. A Keyway route target calls one upstream model with its provider's pool, so such a model becomes one
/// provider per upstream model, which its routes try in turn: the first as the route's provider, the others as its
/// fallbacks. They are ordered as AMKR's priority mode reaches them: by the first enabled key calling each upstream model.
/// </summary>
internal static partial class AmkrUpstreamSplit
{
    private const int ProviderIdMaxLength = 64;

    public static IReadOnlyList<AmkrUpstreamPool> Pools(AmkrModel model, string routingMode, List<string> skipped)
    {
        var providerId = "amkr-" + model.Id;
        var byUpstream = model.Keys.Select((key, position) => (Key: key, Position: position))
            .GroupBy(k => k.Key.UpstreamModel, StringComparer.Ordinal)
            .OrderBy(g => g.Where(k => k.Key.Enabled).Select(k => k.Position).DefaultIfEmpty(int.MaxValue).First())
            .ThenBy(g => g.First().Position)
            .ToList();
        if (byUpstream.Count <= 1)
        {
            return [new AmkrUpstreamPool(ProviderId(providerId), model.Id, byUpstream.FirstOrDefault()?.Key ?? model.Id, model.Keys)];
        }
        var pools = byUpstream
            .Select(g => new AmkrUpstreamPool(ProviderId($"{providerId}-{g.Key}"), $"{model.Id} ({g.Key})", g.Key, [.. g.Select(k => k.Key)]))
            .ToList();
        skipped.Add($"model {model.Id}: its keys call {pools.Count} upstream models, so it became one provider per upstream model, "
            + string.Join(", ", pools.Select(p => $"{p.ProviderId} ({p.UpstreamModel}: {string.Join(", ", p.Keys.Select(k => k.Name))})"))
            + ", which its routes try in that order (the route's provider, then its fallbacks)" + OrderDifference(model, pools, routingMode));
        return pools;
    }

    /// <summary>Where AMKR's order of trying the keys (its key_pool.py next_key) differs from the fallbacks'.</summary>
    private static string OrderDifference(AmkrModel model, List<AmkrUpstreamPool> pools, string routingMode) => routingMode switch
    {
        "round_robin" => $"; AMKR spreads requests over all {model.Keys.Count(k => k.Enabled)} enabled keys, Keyway over the first provider's and moves on only when they fail",
        "only_first" => "; the fallbacks are switched off, as AMKR (only_first) calls the first key alone",
        _ when !model.Keys.Where(k => k.Enabled).SequenceEqual(pools.SelectMany(p => p.Keys).Where(k => k.Enabled)) =>
            $"; AMKR tries the keys in the order {string.Join(", ", model.Keys.Where(k => k.Enabled).Select(k => k.Name))}, Keyway each upstream model's keys together",
        _ => "",
    };

    /// <summary>
    /// A provider id of at most 64 characters (Keyway's limit) of lowercase letters, digits, '_' and '-': '.' too becomes
    /// '-', as in the ids earlier imports made, so importing the same file again finds the providers it made.
    /// </summary>
    private static string ProviderId(string text)
    {
        var slug = SlugInvalid().Replace(text.ToLowerInvariant(), "-");
        return slug.Length <= ProviderIdMaxLength ? slug : slug[..ProviderIdMaxLength].TrimEnd('-');
    }

    [GeneratedRegex("[^a-z0-9_-]")]
    private static partial Regex SlugInvalid();
}

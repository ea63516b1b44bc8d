using System.Globalization;

namespace Keyway.Gateway;

/// <summary>
/// One page of Anthropic's List Models (https://docs.anthropic.com/en/api/models-list): <c>limit</c> (1–1000, default
/// 20) items immediately after <c>after_id</c> or immediately before <c>before_id</c>; <c>has_more</c> says whether more
/// lie in that direction. The list is in alias order, so a cursor is compared by its place in that order, not looked up:
/// an alias removed between two calls still pages on from where it stood.
/// </summary>
internal sealed record AnthropicModelPage(IReadOnlyList<RouteEntry> Models, bool HasMore)
{
    private const int DefaultLimit = 20;
    private const int MaxLimit = 1000;

    /// <summary>The page the query asks for, or the invalid_request_error message saying what is wrong with the query.</summary>
    public static (AnthropicModelPage? Page, string? Error) Of(IReadOnlyList<RouteEntry> models, IQueryCollection query)
    {
        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText))
        {
            if (!int.TryParse(limitText.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out limit))
            {
                return (null, "limit: Input should be a valid integer");
            }
            if (limit is < 1 or > MaxLimit)
            {
                return (null, limit < 1 ? "limit: Input should be greater than or equal to 1" : $"limit: Input should be less than or equal to {MaxLimit}");
            }
        }
        var afterId = query["after_id"].ToString();
        var beforeId = query["before_id"].ToString();
        if (afterId.Length > 0 && beforeId.Length > 0)
        {
            return (null, "Only one of after_id and before_id may be given.");
        }
        if (beforeId.Length > 0)
        {
            var end = FirstAtOrAfter(models, beforeId, inclusive: true);
            var start = Math.Max(0, end - limit);
            return (new AnthropicModelPage(Slice(models, start, end), HasMore: start > 0), null);
        }
        var first = afterId.Length > 0 ? FirstAtOrAfter(models, afterId, inclusive: false) : 0;
        var stop = Math.Min(models.Count, first + limit);
        return (new AnthropicModelPage(Slice(models, first, stop), HasMore: stop < models.Count), null);
    }

    /// <summary>The index of the first model at (<paramref name="inclusive"/>) or past <paramref name="id"/> in alias order.</summary>
    private static int FirstAtOrAfter(IReadOnlyList<RouteEntry> models, string id, bool inclusive)
    {
        var index = 0;
        while (index < models.Count && string.CompareOrdinal(models[index].Alias, id) is var order && (inclusive ? order < 0 : order <= 0))
        {
            index++;
        }
        return index;
    }

    private static List<RouteEntry> Slice(IReadOnlyList<RouteEntry> models, int start, int end)
    {
        var page = new List<RouteEntry>(end - start);
        for (var i = start; i < end; i++)
        {
            page.Add(models[i]);
        }
        return page;
    }
}

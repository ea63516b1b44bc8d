using System.Text.Json;

namespace Keyway.Protocols;

/// <summary>
/// Reads and edits a client's request body without re-serializing it: only the top-level <c>model</c> value and,
/// when asked, <c>stream_options.include_usage</c> change, for an Anthropic upstream unsigned thinking blocks are cut,
/// and for a Chat upstream Keyway's <c>thinking_blocks</c>; every other byte reaches the upstream as the client sent it.
/// </summary>
public static class RequestBody
{
    /// <summary>
    /// How deep a body's JSON may nest: the rest of a body reaches a passed-through upstream as sent, so the scan for its
    /// top-level fields allows far more than the JSON reader's default of 64 (a schema or tool input nests deep); a
    /// deeper one is <see cref="RequestBodyStatus.TooDeep"/>. The reader tracks depth in a bit stack, not by recursion.
    /// </summary>
    public const int MaxDepth = 1024;

    public static RequestBodyParse Parse(ReadOnlyMemory<byte> body) => RequestBodyScanner.Scan(body.Span);

    /// <summary>
    /// Splices the edits into a copy of <paramref name="body"/>. <paramref name="newModel"/> replaces the top-level
    /// <c>model</c> value (the last one if it was given twice), or is added as the first member when absent; null
    /// leaves it alone. <paramref name="injectIncludeUsage"/> sets <c>stream_options.include_usage</c> to true,
    /// adding the member or the object as needed (a non-object <c>stream_options</c> is replaced).
    /// <paramref name="parsed"/> must come from <see cref="Parse"/> on the same bytes with status Ok.
    /// </summary>
    public static byte[] Rewrite(ReadOnlyMemory<byte> body, RequestBodyParse parsed, string? newModel, bool injectIncludeUsage) =>
        Edit(body, parsed, newModel, injectIncludeUsage).ToArray();

    /// <summary>The same edits as <see cref="Rewrite"/>, not yet applied: the body is sent in pieces, without a copy.</summary>
    /// <param name="dropUnsignedThinking">
    /// An Anthropic Messages body for an Anthropic upstream: the thinking blocks without a signature are cut, and
    /// <c>thinking</c> when the tool loop in progress is then left without its signed blocks (<see cref="AnthropicThinkingScan"/>);
    /// a body without an empty signature is not read for it.
    /// </param>
    /// <param name="dropThinkingBlocks">A Chat body for a Chat upstream: its messages' <c>thinking_blocks</c> are cut (<see cref="ChatThinkingBlocks"/>).</param>
    public static EditedBody Edit(
        ReadOnlyMemory<byte> body, RequestBodyParse parsed, string? newModel, bool injectIncludeUsage, bool dropUnsignedThinking = false, bool dropThinkingBlocks = false)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        if (parsed.Status != RequestBodyStatus.Ok)
        {
            throw new ArgumentException("Only a body that parsed as a JSON object can be rewritten.", nameof(parsed));
        }

        var splices = new BodySplices();
        var modelInserted = false;
        if (newModel is not null)
        {
            modelInserted = AddModelSplice(ref splices, parsed, newModel);
        }

        if (injectIncludeUsage && !parsed.HasIncludeUsage)
        {
            AddIncludeUsageSplice(ref splices, parsed, modelInserted);
        }

        if (dropUnsignedThinking && AnthropicThinkingScan.HasEmptySignature(body.Span))
        {
            AddUnsignedThinkingSplices(ref splices, body.Span);
        }

        if (dropThinkingBlocks && ChatThinkingBlocks.IsNamedIn(body.Span))
        {
            foreach (var cut in ChatThinkingBlocks.Removals(body.Span))
            {
                splices.Add(cut.Start, cut.End, []);
            }
        }

        return new EditedBody(body, splices);
    }

    private static void AddUnsignedThinkingSplices(ref BodySplices splices, ReadOnlySpan<byte> body)
    {
        if (AnthropicThinkingScan.Read(body) is not { } scan)
        {
            return;
        }
        foreach (var cut in scan.Removals)
        {
            splices.Add(cut.Start, cut.End, []);
        }
        if (!scan.AllowsThinking && JsonObjectMembers.ScanRoot(body)?.Get("thinking") is { } thinking && AnthropicThinkingScan.IsAlwaysOn(body, thinking))
        {
            var cut = JsonObjectMembers.RemovalOf(body, thinking);
            splices.Add(cut.Start, cut.End, []);
        }
    }

    private static bool AddModelSplice(ref BodySplices splices, RequestBodyParse parsed, string newModel)
    {
        var quoted = Quote(newModel);
        if (parsed.ModelValue is { } value)
        {
            splices.Add(value.Start, value.End, quoted);
            return false;
        }

        var member = Concat("\"model\":"u8, quoted, parsed.RootHasMembers ? ","u8 : []);
        splices.Add(parsed.RootStart + 1, parsed.RootStart + 1, member);
        return true;
    }

    private static void AddIncludeUsageSplice(ref BodySplices splices, RequestBodyParse parsed, bool modelInserted)
    {
        if (parsed.StreamOptionsValue is not { } options)
        {
            var separator = parsed.RootHasMembers || modelInserted ? ","u8 : [];
            var member = Concat(separator, "\"stream_options\":{\"include_usage\":true}"u8, []);
            splices.Add(parsed.RootMembersEnd, parsed.RootMembersEnd, member);
        }
        else if (!parsed.StreamOptionsIsObject)
        {
            splices.Add(options.Start, options.End, "{\"include_usage\":true}"u8.ToArray());
        }
        else if (parsed.IncludeUsageValue is { } value)
        {
            splices.Add(value.Start, value.End, "true"u8.ToArray());
        }
        else
        {
            var separator = parsed.StreamOptionsHasMembers ? ","u8 : [];
            var member = Concat(separator, "\"include_usage\":true"u8, []);
            splices.Add(parsed.StreamOptionsMembersEnd, parsed.StreamOptionsMembersEnd, member);
        }
    }

    private static byte[] Quote(string text)
    {
        var encoded = JsonEncodedText.Encode(text).EncodedUtf8Bytes;
        return Concat("\""u8, encoded, "\""u8);
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c)
    {
        var result = new byte[a.Length + b.Length + c.Length];
        a.CopyTo(result);
        b.CopyTo(result.AsSpan(a.Length));
        c.CopyTo(result.AsSpan(a.Length + b.Length));
        return result;
    }
}

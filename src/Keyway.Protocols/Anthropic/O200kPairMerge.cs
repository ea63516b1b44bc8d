using System.Buffers;

namespace Keyway.Protocols.Anthropic;

/// <summary>
/// tiktoken's byte-pair merge of one piece (<c>_byte_pair_merge</c> in its src/lib.rs): the piece starts as single
/// bytes; the adjacent pair whose joined bytes have the lowest rank in the vocabulary is joined, the leftmost of equal
/// ranks first, until no adjacent pair is a token. Two ways to find that pair, one result: a scan over the parts for
/// short pieces (tiktoken's own), a priority queue for long ones (a run of one character, where the scan is quadratic).
/// </summary>
internal static class O200kPairMerge
{
    private const int None = int.MaxValue;

    public static int Scan(O200kVocabulary vocabulary, ReadOnlySpan<byte> piece, List<int>? ids)
    {
        var parts = piece.Length + 1;
        Span<int> starts = stackalloc int[parts];
        Span<int> ranks = stackalloc int[parts];
        for (var i = 0; i < parts; i++)
        {
            starts[i] = i;
            ranks[i] = i + 2 < parts ? RankOf(vocabulary, piece[i..(i + 2)]) : None;
        }

        while (true)
        {
            var lowest = None;
            var at = -1;
            for (var i = 0; i < parts - 1; i++)
            {
                if (ranks[i] < lowest)
                {
                    lowest = ranks[i];
                    at = i;
                }
            }
            if (at < 0)
            {
                break;
            }

            // Part at absorbs part at + 1: the pairs that change are the one it now starts and the one before it.
            if (at > 0)
            {
                ranks[at - 1] = at + 2 < parts ? RankOf(vocabulary, piece[starts[at - 1]..starts[at + 2]]) : None;
            }
            ranks[at] = at + 3 < parts ? RankOf(vocabulary, piece[starts[at]..starts[at + 3]]) : None;
            starts[(at + 2)..parts].CopyTo(starts[(at + 1)..]);
            ranks[(at + 2)..parts].CopyTo(ranks[(at + 1)..]);
            parts--;
        }

        if (ids is not null)
        {
            for (var i = 0; i < parts - 1; i++)
            {
                ids.Add(vocabulary.Rank(piece[starts[i]..starts[i + 1]]));
            }
        }
        return parts - 1;
    }

    /// <summary>
    /// The same merges as <see cref="Scan"/> in O(n log n): parts are a linked list of byte positions, each part's pair
    /// with its next is queued by (rank, position), and an entry whose part changed since is skipped.
    /// </summary>
    public static int Queue(O200kVocabulary vocabulary, ReadOnlySpan<byte> piece, List<int>? ids)
    {
        var end = piece.Length;
        var next = ArrayPool<int>.Shared.Rent(end + 1);
        var previous = ArrayPool<int>.Shared.Rent(end + 1);
        var versions = ArrayPool<int>.Shared.Rent(end + 1);
        var queue = new PriorityQueue<(int Part, int Version), long>(end);
        try
        {
            for (var i = 0; i <= end; i++)
            {
                next[i] = i + 1;
                previous[i] = i - 1;
                versions[i] = 0;
            }
            for (var i = 0; i + 1 < end; i++)
            {
                Enqueue(vocabulary, piece, queue, i, next, versions);
            }

            while (queue.TryDequeue(out var entry, out _))
            {
                if (versions[entry.Part] != entry.Version)
                {
                    continue;
                }
                var part = entry.Part;
                var absorbed = next[part];
                next[part] = next[absorbed];
                previous[next[absorbed]] = part;
                versions[absorbed]++;
                Enqueue(vocabulary, piece, queue, part, next, versions);
                if (part > 0)
                {
                    Enqueue(vocabulary, piece, queue, previous[part], next, versions);
                }
            }

            var count = 0;
            for (var part = 0; part < end; part = next[part])
            {
                ids?.Add(vocabulary.Rank(piece[part..next[part]]));
                count++;
            }
            return count;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(next);
            ArrayPool<int>.Shared.Return(previous);
            ArrayPool<int>.Shared.Return(versions);
        }
    }

    /// <summary>Queues the pair of <paramref name="part"/> and its next part, if it is a token, as a new version.</summary>
    private static void Enqueue(O200kVocabulary vocabulary, ReadOnlySpan<byte> piece,
        PriorityQueue<(int Part, int Version), long> queue, int part, int[] next, int[] versions)
    {
        var version = ++versions[part];
        var second = next[part];
        if (second >= piece.Length)
        {
            return;
        }
        var rank = RankOf(vocabulary, piece[part..next[second]]);
        if (rank != None)
        {
            queue.Enqueue((part, version), ((long)rank << 32) | (uint)part);
        }
    }

    private static int RankOf(O200kVocabulary vocabulary, ReadOnlySpan<byte> bytes)
    {
        var rank = vocabulary.Rank(bytes);
        return rank < 0 ? None : rank;
    }
}

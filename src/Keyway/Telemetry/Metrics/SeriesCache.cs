using System.Runtime.CompilerServices;

namespace Keyway.Telemetry.Metrics;

/// <summary>
/// A metric stream's series as recorded before, found by the very strings they were recorded with: a hash of the tags'
/// object identities picks a slot, and six reference comparisons confirm it, where the stream's dictionary hashes and
/// compares every character. Real traffic records tens to hundreds of series per instrument (aliases × providers ×
/// status codes; five token kinds per alias and provider), so the slots grow with the series remembered, up to
/// <see cref="MaxSlots"/>, and a series is never pushed out below that; past it, a series whose slots are all held
/// takes the first of them, and the dictionary finds the one it replaced, only slower.
/// A find writes nothing, so recording threads never contend on a hit; a miss allocates one entry, and tags in new
/// string instances (a routing snapshot rebuilt after an admin write) get an entry of their own for the same point.
/// Racing writers only lose an entry to each other (found in the dictionary again next time): whatever a find returns
/// is a point recorded for those very tags.
/// </summary>
internal sealed class SeriesCache
{
    private const int InitialSlots = 16;
    private const int MaxSlots = 4096;

    /// <summary>The slots a series may sit in: its hash's slot and the next ones, on one or two cache lines.</summary>
    private const int Probes = 4;

    private Entry?[] _slots = new Entry?[InitialSlots];
    private int _filled;

    public MetricPoint? Find(in SeriesKey key)
    {
        var slots = Volatile.Read(ref _slots);
        var mask = slots.Length - 1;
        var slot = IdentityHash(key);
        for (var probe = 0; probe < Probes; probe++)
        {
            var entry = slots[(slot + probe) & mask];
            if (entry is null)
            {
                return null;
            }
            if (entry.Key.IsSameInstanceAs(key))
            {
                return entry.Point;
            }
        }
        return null;
    }

    /// <summary>Remembers <paramref name="point"/> for <paramref name="key"/>'s instances; called after a find missed.</summary>
    public void Remember(in SeriesKey key, MetricPoint point)
    {
        var entry = new Entry(key, point);
        var slots = Volatile.Read(ref _slots);
        // A quarter full at most, so a series' few slots are seldom all held.
        if (_filled >= slots.Length / 4 && slots.Length < MaxSlots)
        {
            slots = Grow(slots);
        }
        int? slot;
        while ((slot = FreeSlot(slots, key)) is null && slots.Length < MaxSlots)
        {
            slots = Grow(slots);
        }
        // Counted without a lock or an interlocked add: a count lost to a race only delays a growth.
        _filled++;
        slots[slot ?? IdentityHash(key) & (slots.Length - 1)] = entry;
    }

    /// <summary>Twice the slots (more when the entries do not all find one), published once all are placed.</summary>
    private Entry?[] Grow(Entry?[] slots)
    {
        var entries = slots.Count(entry => entry is not null);
        for (var length = slots.Length * 2; ; length *= 2)
        {
            var grown = new Entry?[length];
            var placed = 0;
            foreach (var entry in slots)
            {
                if (entry is not null && FreeSlot(grown, entry.Key) is { } slot)
                {
                    grown[slot] = entry;
                    placed++;
                }
            }
            if (placed == entries || length >= MaxSlots)
            {
                _filled = placed;
                Volatile.Write(ref _slots, grown);
                return grown;
            }
        }
    }

    /// <summary>The first of <paramref name="key"/>'s slots that is empty or holds its very instances; null when all are held.</summary>
    private static int? FreeSlot(Entry?[] slots, in SeriesKey key)
    {
        var mask = slots.Length - 1;
        var slot = IdentityHash(key);
        for (var probe = 0; probe < Probes; probe++)
        {
            var index = (slot + probe) & mask;
            if (slots[index] is not { } held || held.Key.IsSameInstanceAs(key))
            {
                return index;
            }
        }
        return null;
    }

    /// <summary>
    /// A mix of the tags' addresses: no call per tag (six RuntimeHelpers.GetHashCode calls cost more than the whole find
    /// they were for). The GC may move a string: the find then misses once and the series is remembered at its new place;
    /// a growth places every entry by where its strings are now. The confirmation is always by reference, never by hash.
    /// </summary>
    private static int IdentityHash(in SeriesKey key)
    {
        var hash = (Address(key.Name0) ^ Address(key.Value0) * 3 ^ Address(key.Name1) * 5
            ^ Address(key.Value1) * 7 ^ Address(key.Name2) * 11 ^ Address(key.Value2) * 13) * 0x9E3779B97F4A7C15;
        return (int)(hash >> 33);
    }

    private static ulong Address(string? text) => (ulong)Unsafe.As<string?, nint>(ref text);

    /// <summary>One remembered series: the tags as recorded (their instances) and the stream's point for them.</summary>
    private sealed class Entry(SeriesKey key, MetricPoint point)
    {
        public SeriesKey Key { get; } = key;
        public MetricPoint Point { get; } = point;
    }
}

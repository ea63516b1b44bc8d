using Keyway.Storage;

namespace Keyway.Tests.Storage;

// One collection, so the two run in turn: the second changes a process-wide variable the first reads.
[Collection(nameof(NativeHeapTests))]
public sealed class NativeHeapTests
{
    [Fact]
    public void OnLinux_GlibcTakesTheTrimThreshold()
    {
        Assert.True(NativeHeap.KeepFreedMemory());
    }

    [Fact]
    public void AnOperatorsOwnTrimThreshold_IsLeftAlone()
    {
        var before = Environment.GetEnvironmentVariable("GLIBC_TUNABLES");
        Environment.SetEnvironmentVariable("GLIBC_TUNABLES", "glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=1048576");
        try
        {
            Assert.False(NativeHeap.KeepFreedMemory());
        }
        finally
        {
            Environment.SetEnvironmentVariable("GLIBC_TUNABLES", before);
        }
    }

    // The threshold holds per heap, and glibc makes up to 8 heaps per core (one for each thread that finds the others
    // busy): the soak's 16 heaps on 2 cores kept 194 MB free, so the heaps are capped with it.
    [Fact]
    public void TheTrimThreshold_ComesWithACapOnTheHeaps()
    {
        var options = new Dictionary<int, int>();

        Assert.True(NativeHeap.Configure("", (option, value) => { options[option] = value; return 1; }));

        Assert.Equal(new Dictionary<int, int> { [NativeHeap.TrimThresholdOption] = NativeHeap.TrimThresholdBytes, [NativeHeap.ArenaMaxOption] = NativeHeap.MaxHeaps }, options);
    }

    [Theory]
    [InlineData("glibc.malloc.arena_max=8", true, false)]
    [InlineData("glibc.malloc.trim_threshold=1048576", false, true)]
    [InlineData("glibc.malloc.arena_max=8:glibc.malloc.trim_threshold=1048576", false, false)]
    public void AnOperatorsOwnTunable_IsLeftAlone(string tunables, bool thresholdSet, bool capSet)
    {
        var options = new Dictionary<int, int>();

        Assert.Equal(thresholdSet, NativeHeap.Configure(tunables, (option, value) => { options[option] = value; return 1; }));

        Assert.Equal(thresholdSet, options.ContainsKey(NativeHeap.TrimThresholdOption));
        Assert.Equal(capSet, options.ContainsKey(NativeHeap.ArenaMaxOption));
    }
}

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
}

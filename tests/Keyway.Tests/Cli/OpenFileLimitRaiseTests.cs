using Keyway.Cli;

namespace Keyway.Tests.Cli;

/// <summary>
/// <see cref="OpenFileLimit.RaiseToTheHardLimit"/> in this process: the soft limit is lowered just below the hard one
/// (harmless to the tests beside it) and must come back up, as the Native AOT binary needs (the runtime under
/// <c>dotnet</c> raises it by itself, once, at its start). The refusal's words are the binary tests' (Binary/OpenFileLimitTests).
/// </summary>
public sealed class OpenFileLimitRaiseTests
{
    [Fact]
    public void ASoftLimitBelowTheHardOne_IsRaisedToIt()
    {
        Assert.Equal(0, OpenFileLimit.GetLimit(OpenFileLimit.NoFileResource, out var before));
        Assert.Equal(0, OpenFileLimit.SetLimit(OpenFileLimit.NoFileResource, before with { Soft = before.Hard - 1 }));
        try
        {
            OpenFileLimit.RaiseToTheHardLimit();

            Assert.Equal(0, OpenFileLimit.GetLimit(OpenFileLimit.NoFileResource, out var after));
            Assert.Equal(before.Hard, after.Soft);
        }
        finally
        {
            OpenFileLimit.SetLimit(OpenFileLimit.NoFileResource, before);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(OpenFileLimit.NeededToServe)]
    [InlineData(ulong.MaxValue)]
    public void ALimitServingNeeds_OrNoneKnown_IsNotRefused(ulong? limit)
    {
        OpenFileLimit.EnsureRoomToServe(limit);
    }

    [Fact]
    public void ALimitBelowIt_IsRefusedWithTheStartUpExitCode()
    {
        var refused = Assert.Throws<CliException>(() => OpenFileLimit.EnsureRoomToServe(OpenFileLimit.NeededToServe - 1));

        Assert.Equal(CliExitCodes.Usage, refused.ExitCode);
        Assert.StartsWith("could not start: Keyway may open at most 1023 files, fewer than the 1024 it needs to serve", refused.Message);
    }
}

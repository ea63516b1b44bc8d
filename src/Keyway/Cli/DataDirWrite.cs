using Keyway.Storage;

namespace Keyway.Cli;

/// <summary>
/// A command's write into the data dir before any app is built (a start-up file, keyway.lock), run as a
/// <see cref="StartupStep"/>: a failure the operator fixes outside Keyway (a full disk, no file left to open) is the
/// command's refusal in one line, exit 2.
/// </summary>
internal static class DataDirWrite
{
    /// <param name="dataDir">The data dir, whose disk's free room the refusal names.</param>
    /// <param name="what">What the write does, after "could not": "create the log keyway.log".</param>
    /// <param name="write">The write.</param>
    /// <param name="again">What to do once it is fixed, after "then".</param>
    public static void Run(string dataDir, string what, Action write, string again = StartupStep.StartAgain)
    {
        try
        {
            StartupStep.Run(what, () => DiskSpace.Describe(dataDir), write, again);
        }
        catch (StartupRefusedException e)
        {
            throw new CliException(e.Message, CliExitCodes.Usage);
        }
    }
}

using System.Globalization;

namespace Keyway.Storage;

public static class DiskSpace
{
    /// <summary>"The disk holding <paramref name="directory"/> has N bytes free", for a refusal on a full disk.</summary>
    public static string Describe(string directory) =>
        $"The disk holding {directory} has {new DriveInfo(directory).AvailableFreeSpace.ToString("N0", CultureInfo.InvariantCulture)} bytes free";
}

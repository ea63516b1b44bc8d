using System.Globalization;

namespace Keyway.Cli;

/// <summary>
/// data/keyway.pid, written by a serving gateway and removed when it stops: its pid, listening address, start time and
/// instance id (the request log's instance_id of its rows; absent from files of older versions), one per line.
/// `status`, `stop` and every admin command read it to find the gateway of this data dir.
/// </summary>
public sealed record ServerStateFile(int ProcessId, string Address, DateTimeOffset StartedAt, string? InstanceId = null)
{
    public const string FileName = "keyway.pid";

    public static string PathIn(string dataDir) => Path.Combine(dataDir, FileName);

    public void Write(string dataDir) =>
        File.WriteAllText(PathIn(dataDir), $"{ProcessId}\n{Address}\n{StartedAt.ToUniversalTime():O}\n{InstanceId}\n");

    /// <summary>The recorded gateway, or null when there is none or its process has gone (a crash leaves a stale file).</summary>
    public static ServerStateFile? ReadLive(string dataDir)
    {
        var path = PathIn(dataDir);
        if (!File.Exists(path))
        {
            return null;
        }
        var lines = File.ReadAllLines(path);
        if (lines.Length < 3
            || !int.TryParse(lines[0], CultureInfo.InvariantCulture, out var pid)
            || !DateTimeOffset.TryParse(lines[2], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var started))
        {
            return null;
        }
        var instanceId = lines.Length > 3 && lines[3].Length > 0 ? lines[3] : null;
        return IsAlive(pid) ? new ServerStateFile(pid, lines[1], started, instanceId) : null;
    }

    /// <summary>Whether <paramref name="url"/> is the address this gateway recorded.</summary>
    public bool Serves(Uri url) =>
        Uri.TryCreate(Address.TrimEnd('/') + "/", UriKind.Absolute, out var recorded) && recorded == url;

    public static void Remove(string dataDir, int processId)
    {
        var path = PathIn(dataDir);
        if (File.Exists(path) && File.ReadLines(path).FirstOrDefault() == processId.ToString(CultureInfo.InvariantCulture))
        {
            File.Delete(path);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

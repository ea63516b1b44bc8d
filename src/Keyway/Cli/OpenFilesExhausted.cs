using System.Text;
using Keyway.Storage;
using Microsoft.Win32.SafeHandles;

namespace Keyway.Cli;

/// <summary>
/// The last word on a failure met at the limit of open files (EMFILE) that escaped every other refusal. Under
/// <c>dotnet keyway.dll</c> each assembly .NET loads takes a file, so a low <c>ulimit -n</c> stops the start wherever the
/// next load falls, before or inside the code that would refuse it (the console's own assembly, System.Data.Common for
/// <see cref="OutOfResources.Remedy"/>), and .NET names no cause: "Could not load file or assembly … The system cannot
/// find the file specified." Only System.Private.CoreLib's types are used here, so nothing more needs loading. Below
/// about 30 open files .NET's host cannot start the runtime or its JIT at all, and ends the process before any of
/// Keyway's code runs.
/// </summary>
public static class OpenFilesExhausted
{
    private const int TooManyOpenFiles = 24;

    /// <summary>
    /// Whether <paramref name="failure"/> came of the limit of open files: a file can be opened no more (/dev/null, which
    /// always exists, fails for EMFILE); or .NET could not load an assembly of its own that is there on disk (the file
    /// taken at the limit may be free again by then); or the socket engine could not make its epoll descriptors, which it
    /// reports only as "Exception of type 'System.Net.InternalException' was thrown. EMFILE"; or the console could not set
    /// itself up to write a refusal (a Win32Exception of EMFILE).
    /// </summary>
    public static bool IsTheCase(Exception failure)
    {
        for (var cause = failure; cause is not null; cause = cause.InnerException)
        {
            if (IsAnAssemblyOnDisk(cause) || cause.Message.EndsWith(" EMFILE", StringComparison.Ordinal) ||
                IsTheConsoleOutOfFiles(cause))
            {
                return true;
            }
        }
        return CannotOpenAFile();
    }

    /// <summary>Writes the refusal as the other start-up refusals are written ("keyway: …" on stderr) and gives their exit code.</summary>
    public static int Refuse()
    {
        const string Line = $"keyway: could not start: .NET met the limit of open files. {OutOfResources.NoFileLeftToOpen}, then {StartupStep.StartAgain}.\n";
        try
        {
            using var stderr = new FileStream(new SafeFileHandle(2, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            stderr.Write(Encoding.UTF8.GetBytes(Line));
        }
        catch (IOException)
        {
            // No stderr to write to: the exit code still says the start was refused.
        }
        return CliExitCodes.Usage;
    }

    private static bool CannotOpenAFile()
    {
        try
        {
            File.OpenHandle("/dev/null").Dispose();
            return false;
        }
        catch (IOException e)
        {
            return e.HResult == TooManyOpenFiles;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>
    /// The console's Win32Exception of EMFILE ("Too many open files"), told by its type's name: naming the type would load
    /// System.ComponentModel.Primitives, which forwards it to System.Private.CoreLib, at the limit that stops every load.
    /// </summary>
    private static bool IsTheConsoleOutOfFiles(Exception failure) =>
        failure.GetType().FullName == "System.ComponentModel.Win32Exception" && failure.Message == "Too many open files";

    /// <summary>An assembly "not found" although the runtime lists the assembly's file and the file exists.</summary>
    private static bool IsAnAssemblyOnDisk(Exception failure)
    {
        if (failure is not FileNotFoundException { FileName: { } assembly } || AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is not string platformAssemblies)
        {
            return false;
        }
        var simpleName = assembly.Split(',')[0].Trim();
        foreach (var path in platformAssemblies.Split(Path.PathSeparator))
        {
            if (string.Equals(Path.GetFileNameWithoutExtension(path), simpleName, StringComparison.OrdinalIgnoreCase))
            {
                return File.Exists(path);
            }
        }
        return false;
    }
}

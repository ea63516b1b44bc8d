using Keyway.Cli;
using Keyway.Storage;

// Socket completions run on the I/O thread instead of hopping through the thread pool: on this 2-core machine the
// benchmark measured 35% less CPU per proxied call and 1.6× the requests per second at one connection. Nothing on
// the request path blocks; set the variable to 0 to turn it off. Must happen before the first socket exists.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

// SQLite's page caches are dropped and refilled whenever another connection writes; glibc kept handing those pages
// back to the OS and faulting them in again, every second. Keep freed native memory for reuse (Storage/NativeHeap.cs).
NativeHeap.KeepFreedMemory();

// The soft limit of open files a shell or systemd sets (often 1024) is raised to the hard one, as .NET's runtime does
// under `dotnet keyway.dll`: every connection takes a file, and a thread .NET cannot start ends the process (Cli/OpenFileLimit.cs).
OpenFileLimit.RaiseToTheHardLimit();

// `keyway` alone serves the gateway; every other command is in Cli/ (most talk to a running gateway's admin API).
// Under `dotnet keyway.dll` a low `ulimit -n` can stop .NET loading one of its own assemblies anywhere, even the
// console's or the refusal code's: whatever escapes while no file can be opened is refused in one line instead.
try
{
    return await KeywayCli.RunAsync(args, CliContext.FromProcess());
}
catch (Exception failure) when (OpenFilesExhausted.IsTheCase(failure))
{
    return OpenFilesExhausted.Refuse();
}

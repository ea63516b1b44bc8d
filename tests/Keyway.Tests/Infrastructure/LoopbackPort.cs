using System.Net;
using System.Net.Sockets;

namespace Keyway.Tests.Infrastructure;

/// <summary>A loopback port free a moment ago, for settings that take a port number and not 0 (KEYWAY_METRICS_PORT).</summary>
internal static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

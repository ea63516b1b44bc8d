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

    /// <summary>A loopback port this test holds until it disposes the listener, for a start that must find it taken.</summary>
    public static TcpListener Taken()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    /// <summary>The port <paramref name="listener"/> holds, as a setting takes it.</summary>
    public static string PortOf(TcpListener listener) =>
        ((IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

namespace Keyway.Gateway;

/// <summary>A client request as read, before routing: the alias it names picks the route.</summary>
internal interface IRoutedRequest
{
    /// <summary>The <c>model</c> the client sent (an alias, or <c>alias[key-name]</c>).</summary>
    string Model { get; }
}

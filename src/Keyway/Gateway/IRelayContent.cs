namespace Keyway.Gateway;

/// <summary>A request body that is not a JSON array in memory: built anew for each attempt, while it still can be.</summary>
internal interface IRelayContent
{
    /// <summary>False once an attempt consumed a part of the client's body that was not kept: no later attempt may follow.</summary>
    bool CanReplay { get; }

    HttpContent Create();
}

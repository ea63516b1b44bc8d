namespace Keyway.Upstreams;

/// <summary>What one attempt sends to a target, as far as picking its key goes: the endpoint it calls.</summary>
public interface IEndpointPlan
{
    UpstreamEndpoint Endpoint { get; }
}

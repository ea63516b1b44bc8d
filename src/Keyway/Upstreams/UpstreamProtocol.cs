namespace Keyway.Upstreams;

/// <summary>The wire protocol a provider speaks; stored as "openai" / "anthropic".</summary>
public enum UpstreamProtocol
{
    OpenAI,
    Anthropic,
}

public static class UpstreamProtocolNames
{
    public static string Name(this UpstreamProtocol protocol) => protocol == UpstreamProtocol.Anthropic ? "anthropic" : "openai";

    public static bool TryParse(string name, out UpstreamProtocol protocol)
    {
        protocol = name == "anthropic" ? UpstreamProtocol.Anthropic : UpstreamProtocol.OpenAI;
        return name is "openai" or "anthropic";
    }
}

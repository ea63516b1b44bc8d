namespace Keyway.Protocols.Translation.AnthropicChat;

/// <summary>
/// OpenAI function names are at most 64 characters (https://platform.openai.com/docs/api-reference/chat/create#chat-create-tools),
/// Anthropic tool names up to 128 (MCP tools named <c>mcp__server__tool</c> get long). A longer name is cut and given a
/// stable hash suffix so it stays unique; the <see cref="ToolNameMap"/> turns it back on the way out.
/// </summary>
internal static class ToolNames
{
    public const int MaxChatLength = 64;

    public static string ForChat(string name) => StableHash.Shorten(name, MaxChatLength);
}

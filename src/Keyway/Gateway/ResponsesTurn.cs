using Keyway.Protocols.Translation.ResponsesChat;

namespace Keyway.Gateway;

/// <summary>
/// A Responses request with conversation state on a route Keyway translates: <paramref name="Body"/> is what the
/// translator reads (the stored conversation before the client's input when it continues one), <paramref name="Storage"/>
/// what the answer echoes, and <paramref name="InputToStore"/> the request's input items to store with the answer
/// (null when nothing is stored: <c>store: false</c>, or KEYWAY_RESPONSE_STORE_DAYS 0).
/// </summary>
internal sealed record ResponsesTurn(ReadOnlyMemory<byte> Body, ResponseStorage Storage, byte[]? InputToStore);

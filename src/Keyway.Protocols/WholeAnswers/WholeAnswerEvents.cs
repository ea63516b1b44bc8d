namespace Keyway.Protocols.WholeAnswers;

/// <summary>
/// What <see cref="WholeAnswerStream.ToEvents"/> made of a whole answer: the events its protocol would have streamed, or,
/// when the body is no answer, why, for the caller to tell its client.
/// </summary>
/// <param name="Events">The events; null when the body is no answer.</param>
/// <param name="Error">
/// What a body that is no answer says went wrong: that the answer broke off, with its finish reason
/// (<paramref name="BrokeOff"/>), or the message of the error object it holds instead of an answer; null when it says
/// nothing (no choices, not an answer in its format, not JSON).
/// </param>
/// <param name="BrokeOff">
/// A Chat completion one of whose choices broke off (GLM's <c>network_error</c>): a failed answer, not a stream that ended.
/// </param>
public readonly record struct WholeAnswerEvents(byte[]? Events, string? Error, bool BrokeOff);

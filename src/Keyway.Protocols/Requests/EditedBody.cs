namespace Keyway.Protocols;

/// <summary>
/// A client's body with <see cref="RequestBody.Edit"/>'s edits, not yet applied: the client's bytes with the few
/// spliced in between them. Written piece by piece it costs no copy of the body, which Claude Code sends at 100 KB and
/// more on every turn; the client's bytes must stay in place until the last piece is written.
/// </summary>
public sealed class EditedBody
{
    private readonly ReadOnlyMemory<byte> _body;
    private readonly BodySplices _splices;

    internal EditedBody(ReadOnlyMemory<byte> body, BodySplices splices)
    {
        _body = body;
        _splices = splices;
        Length = splices.LengthAfter(body.Length);
    }

    /// <summary>The edited body's length in bytes.</summary>
    public int Length { get; }

    /// <summary>The edited body as consecutive pieces, in order.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Pieces => _splices.Pieces(_body);

    /// <summary>The edited body in an array of its own.</summary>
    public byte[] ToArray() => _splices.ApplyTo(_body);
}

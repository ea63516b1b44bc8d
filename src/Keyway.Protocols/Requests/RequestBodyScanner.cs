using System.Text.Json;
using Keyway.Protocols.Json;

namespace Keyway.Protocols;

/// <summary>
/// One validating pass over a request body that records the top-level <c>model</c>, <c>stream</c> and
/// <c>stream_options</c> with their byte offsets, and the Responses API's <c>store</c> and <c>previous_response_id</c>. Nested keys (a <c>model</c> inside messages) are skipped whole.
/// </summary>
internal ref struct RequestBodyScanner
{
    private Utf8JsonReader _reader;
    private readonly int _offset;
    private string? _model;
    private int _modelCount;
    private TokenSpan? _modelValue;
    private bool _stream;
    private TokenSpan? _streamOptionsValue;
    private bool _streamOptionsIsObject;
    private int _streamOptionsMembersEnd;
    private bool _streamOptionsHasMembers;
    private TokenSpan? _includeUsageValue;
    private bool _hasIncludeUsage;
    private bool _storeOff;
    private string? _previousResponseId;

    private RequestBodyScanner(ReadOnlySpan<byte> json, int offset)
    {
        _reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = RequestBody.MaxDepth });
        _offset = offset;
    }

    public static RequestBodyParse Scan(ReadOnlySpan<byte> body)
    {
        var offset = body.StartsWith("\uFEFF"u8) ? 3 : 0;
        var scanner = new RequestBodyScanner(body[offset..], offset);
        try
        {
            return scanner.ScanRoot();
        }
        catch (Exception ex) when (JsonFailure.IsMalformedInput(ex))
        {
            return RequestBodyParse.Failed(scanner.AtMaxDepth ? RequestBodyStatus.TooDeep : RequestBodyStatus.InvalidJson);
        }
    }

    /// <summary>
    /// The reader stopped inside a container at the deepest level allowed: the failure is the next one's opening (the
    /// reader keeps its last good token, that container's start, when it throws).
    /// </summary>
    private readonly bool AtMaxDepth => _reader.CurrentDepth >= RequestBody.MaxDepth - 1;

    private int Position => _offset + (int)_reader.BytesConsumed;

    private int TokenStart => _offset + (int)_reader.TokenStartIndex;

    private RequestBodyParse ScanRoot()
    {
        if (!_reader.Read())
        {
            return RequestBodyParse.Failed(RequestBodyStatus.InvalidJson);
        }

        if (_reader.TokenType != JsonTokenType.StartObject)
        {
            _reader.Skip();
            return EndsCleanly() ? RequestBodyParse.Failed(RequestBodyStatus.NotAnObject) : RequestBodyParse.Failed(RequestBodyStatus.InvalidJson);
        }

        var rootStart = TokenStart;
        var membersEnd = rootStart + 1;
        var hasMembers = false;
        while (JsonReading.NextProperty(ref _reader))
        {
            ScanRootMember();
            membersEnd = Position;
            hasMembers = true;
        }

        if (!EndsCleanly())
        {
            return RequestBodyParse.Failed(RequestBodyStatus.InvalidJson);
        }

        return new RequestBodyParse
        {
            Status = RequestBodyStatus.Ok,
            Model = _modelCount == 1 ? _model : null,
            ModelRepeated = _modelCount > 1,
            Stream = _stream,
            HasIncludeUsage = _hasIncludeUsage,
            RootStart = rootStart,
            RootMembersEnd = membersEnd,
            RootHasMembers = hasMembers,
            ModelValue = _modelValue,
            StreamOptionsValue = _streamOptionsValue,
            StreamOptionsIsObject = _streamOptionsIsObject,
            StreamOptionsMembersEnd = _streamOptionsMembersEnd,
            StreamOptionsHasMembers = _streamOptionsHasMembers,
            IncludeUsageValue = _includeUsageValue,
            StoreOff = _storeOff,
            PreviousResponseId = _previousResponseId,
        };
    }

    /// <summary>Reading past the root value throws on trailing content; false if the reader found none to read.</summary>
    private bool EndsCleanly() => !_reader.Read();

    private void ScanRootMember()
    {
        if (_reader.ValueTextEquals("model"u8))
        {
            _reader.Read();
            var start = TokenStart;
            _model = _reader.TokenType == JsonTokenType.String ? _reader.GetString() : null;
            _reader.Skip();
            _modelValue = new TokenSpan(start, Position);
            _modelCount++;
        }
        else if (_reader.ValueTextEquals("stream"u8))
        {
            _reader.Read();
            _stream = _reader.TokenType == JsonTokenType.True;
            _reader.Skip();
        }
        else if (_reader.ValueTextEquals("stream_options"u8))
        {
            ScanStreamOptions();
        }
        else if (_reader.ValueTextEquals("store"u8))
        {
            _reader.Read();
            _storeOff = _reader.TokenType == JsonTokenType.False;
            _reader.Skip();
        }
        else if (_reader.ValueTextEquals("previous_response_id"u8))
        {
            _reader.Read();
            _previousResponseId = _reader.TokenType == JsonTokenType.String && _reader.GetString() is { Length: > 0 } id ? id : null;
            _reader.Skip();
        }
        else
        {
            _reader.Read();
            _reader.Skip();
        }
    }

    private void ScanStreamOptions()
    {
        _reader.Read();
        var start = TokenStart;
        _streamOptionsIsObject = _reader.TokenType == JsonTokenType.StartObject;
        _streamOptionsMembersEnd = start + 1;
        _streamOptionsHasMembers = false;
        _includeUsageValue = null;
        _hasIncludeUsage = false;
        if (!_streamOptionsIsObject)
        {
            _reader.Skip();
            _streamOptionsValue = new TokenSpan(start, Position);
            return;
        }

        while (JsonReading.NextProperty(ref _reader))
        {
            var isIncludeUsage = _reader.ValueTextEquals("include_usage"u8);
            _reader.Read();
            var valueStart = TokenStart;
            var isTrue = _reader.TokenType == JsonTokenType.True;
            _reader.Skip();
            if (isIncludeUsage)
            {
                _includeUsageValue = new TokenSpan(valueStart, Position);
                _hasIncludeUsage = isTrue;
            }

            _streamOptionsMembersEnd = Position;
            _streamOptionsHasMembers = true;
        }

        _streamOptionsValue = new TokenSpan(start, Position);
    }
}

using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Keyway.Gateway;

/// <summary>
/// A client's multipart/form-data body (audio transcriptions, image edits), read only up to its <c>model</c> field so
/// files are streamed, never held whole in memory: the parts before <c>model</c> are kept in a temporary file, the
/// parts after it are read from the client while an attempt sends them. The form can therefore be sent again (for
/// failover) only until an attempt has started on the parts after <c>model</c>; when <c>model</c> is the last part,
/// always. Parts are re-framed with the client's boundary; each part's bytes and headers pass unchanged.
/// </summary>
internal sealed class MultipartForm : IRoutedRequest, IAsyncDisposable
{
    private const int MaxModelLength = 1024;
    private const int CopyBufferSize = 64 * 1024;
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();

    private readonly MultipartReader _reader;
    private readonly byte[] _delimiter;
    private FileStream? _head;
    private bool _tailRead;
    private bool _ended;

    private MultipartForm(string contentType, string boundary, Stream body)
    {
        ContentType = contentType;
        _reader = new MultipartReader(boundary, body);
        _delimiter = Encoding.UTF8.GetBytes("--" + boundary);
    }

    /// <summary>The client's Content-Type, boundary included; the upstream gets the same.</summary>
    public string ContentType { get; }

    /// <summary>The <c>model</c> field; empty when the form has none (the caller answers 400).</summary>
    public string Model { get; private set; } = "";

    /// <summary>No part after <c>model</c> has been read from the client yet (or there was none).</summary>
    public bool CanReplay => !_tailRead;

    /// <summary>The first failure to read the client's body (its own cancellation aside), which ended the send it was read for.</summary>
    public Exception? ReadFailure { get; private set; }

    /// <returns>Null when the body is not multipart/form-data with a boundary.</returns>
    /// <exception cref="InvalidDataException">The body is not well-formed multipart.</exception>
    public static async Task<MultipartForm?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return null;
        }
        var form = new MultipartForm(request.ContentType!, boundary, request.Body);
        try
        {
            await form.ReadHeadAsync(cancellationToken);
            return form;
        }
        catch
        {
            await form.DisposeAsync();
            throw;
        }
    }

    /// <summary>What one attempt sends: the form with <paramref name="model"/> as its <c>model</c> field.</summary>
    public IRelayContent For(string model) => new Relay(this, model);

    private async Task ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (await _reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (IsModelField(section))
            {
                var value = new char[MaxModelLength];
                using var text = new StreamReader(section.Body, Encoding.UTF8);
                var length = await text.ReadBlockAsync(value, cancellationToken);
                Model = new string(value, 0, length).Trim();
                return;
            }
            _head ??= new FileStream(Path.Combine(Path.GetTempPath(), "keyway-form-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew,
                FileAccess.ReadWrite, FileShare.None, 16 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await WritePartAsync(_head, section, deadline: null, cancellationToken);
        }
    }

    /// <summary>The whole form: the kept head, the model field, then the rest as the client sends it, and the closing delimiter.</summary>
    private async Task WriteAsync(Stream target, string model, AttemptDeadline deadline, CancellationToken cancellationToken)
    {
        if (_head is not null)
        {
            _head.Position = 0;
            await _head.CopyToAsync(target, cancellationToken);
        }
        var field = $"\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n{model}\r\n";
        await target.WriteAsync(_delimiter, cancellationToken);
        await target.WriteAsync(Encoding.UTF8.GetBytes(field), cancellationToken);
        if (!_ended)
        {
            while (await FromClientAsync(new ValueTask<MultipartSection?>(_reader.ReadNextSectionAsync(cancellationToken)), deadline) is { } section)
            {
                _tailRead = true;
                await WritePartAsync(target, section, deadline, cancellationToken);
            }
            _ended = true;
        }
        await target.WriteAsync(_delimiter, cancellationToken);
        await target.WriteAsync("--\r\n"u8.ToArray(), cancellationToken);
    }

    /// <param name="deadline">The attempt's, stopped while the client is waited on; null while the head is kept before any attempt.</param>
    private async Task WritePartAsync(Stream target, MultipartSection section, AttemptDeadline? deadline, CancellationToken cancellationToken)
    {
        var headers = new StringBuilder();
        foreach (var (name, values) in section.Headers ?? [])
        {
            foreach (var value in values)
            {
                headers.Append("\r\n").Append(name).Append(": ").Append(value);
            }
        }
        headers.Append("\r\n\r\n");
        await target.WriteAsync(_delimiter, cancellationToken);
        await target.WriteAsync(Encoding.UTF8.GetBytes(headers.ToString()), cancellationToken);
        // Not CopyToAsync: a failed read is the client's, a failed write the upstream's, and only the first is kept.
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int read;
            while ((read = await FromClientAsync(section.Body.ReadAsync(buffer, cancellationToken), deadline)) > 0)
            {
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        await target.WriteAsync(CrLf, cancellationToken);
    }

    /// <summary>
    /// A read from the client's body. Its failure is noted as <see cref="ReadFailure"/>, and the exception carries on
    /// out of the content, so HttpClient aborts the upstream's request: a chunked body without its last chunk, never a
    /// form closed around a truncated file. A cancellation is left to the caller, who knows whether the client left.
    /// While the read waits on the client, the attempt's <paramref name="deadline"/> stands still.
    /// </summary>
    private async ValueTask<T> FromClientAsync<T>(ValueTask<T> read, AttemptDeadline? deadline)
    {
        var waiting = read.IsCompleted ? null : deadline;
        waiting?.PauseForClient();
        try
        {
            return await read;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ReadFailure ??= e;
            throw;
        }
        finally
        {
            waiting?.ResumeAfterClient();
        }
    }

    private static bool IsModelField(MultipartSection section) =>
        section.GetContentDispositionHeader() is { } disposition
        && disposition.IsFormDisposition()
        && !disposition.IsFileDisposition()
        && HeaderUtilities.RemoveQuotes(disposition.Name).Equals("model", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        if (_head is not null)
        {
            await _head.DisposeAsync();
        }
    }

    private sealed class Relay(MultipartForm form, string model) : IRelayContent
    {
        public bool CanReplay => form.CanReplay;

        public Exception? ReadFailure => form.ReadFailure;

        public HttpContent Create(ProxyExchange exchange, AttemptDeadline deadline) => new Content(form, model, exchange, deadline);
    }

    /// <summary>The form as an outgoing body of unknown length (sent chunked), written as it is read.</summary>
    private sealed class Content : HttpContent
    {
        private readonly MultipartForm _form;
        private readonly string _model;
        private readonly ProxyExchange _exchange;
        private readonly AttemptDeadline _deadline;
        private readonly int _send;

        public Content(MultipartForm form, string model, ProxyExchange exchange, AttemptDeadline deadline)
        {
            _form = form;
            _model = model;
            _exchange = exchange;
            _deadline = deadline;
            _send = exchange.Sends;
            Headers.TryAddWithoutValidation("Content-Type", form.ContentType);
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            await _form.WriteAsync(stream, _model, _deadline, cancellationToken);
            _exchange.BodySent(_send);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

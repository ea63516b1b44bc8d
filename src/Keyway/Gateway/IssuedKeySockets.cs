namespace Keyway.Gateway;

/// <summary>
/// The Responses WebSockets each issued key holds open on this instance, at most KEYWAY_WEBSOCKETS_PER_KEY: each may
/// hold an upstream socket and a place of an upstream key, so one key must not be able to open them without bound.
/// Apart from the key's max_concurrency, which counts its running responses: a Codex session keeps its socket open
/// between turns, and counting idle sockets there would refuse a second Codex window to a key with max_concurrency 1.
/// </summary>
internal sealed class IssuedKeySockets
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _open = [];

    /// <summary>A place for one more socket of the key, given back when disposed; null when it holds <paramref name="max"/>.</summary>
    public IDisposable? TryEnter(string keyId, int max)
    {
        lock (_gate)
        {
            var open = _open.GetValueOrDefault(keyId);
            if (open >= max)
            {
                return null;
            }
            _open[keyId] = open + 1;
        }
        return new Place(this, keyId);
    }

    private void Leave(string keyId)
    {
        lock (_gate)
        {
            if (_open[keyId] == 1)
            {
                _open.Remove(keyId);
            }
            else
            {
                _open[keyId]--;
            }
        }
    }

    private sealed class Place(IssuedKeySockets sockets, string keyId) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                sockets.Leave(keyId);
            }
        }
    }
}

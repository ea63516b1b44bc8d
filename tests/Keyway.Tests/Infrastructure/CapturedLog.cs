using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Keyway.Tests.Infrastructure;

/// <summary>An <see cref="ILoggerProvider"/> that keeps every line the server logs (message, exception, scopes) as text.</summary>
public sealed class CapturedLog : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public string Text => string.Join('\n', _lines);

    public int Count => _lines.Count;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => log._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            log._scopes.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? ""), scopes);
            log._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception} [{string.Join(" | ", scopes)}]");
        }
    }
}

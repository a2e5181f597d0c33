using Microsoft.Extensions.Logging;

namespace Eddy.Streams.Integration.Tests;

/// <summary>Logs to the file named by EDDY_TEST_LOG (for diagnosing failures); no logging when unset.</summary>
internal sealed class FileLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private static readonly string? Path = Environment.GetEnvironmentVariable("EDDY_TEST_LOG");
    private static readonly object Gate = new();

    public static ILoggerFactory? CreateOrNull(string prefix) => Path is null ? null : new FileLoggerProvider(prefix);

    private readonly string _prefix;

    private FileLoggerProvider(string prefix) => _prefix = prefix;

    public ILogger CreateLogger(string categoryName) => new FileLogger(_prefix + " " + categoryName);

    public void AddProvider(ILoggerProvider provider) { }

    public void Dispose() { }

    private sealed class FileLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            lock (Gate)
            {
                File.AppendAllText(Path!, $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}\n");
            }
        }
    }
}

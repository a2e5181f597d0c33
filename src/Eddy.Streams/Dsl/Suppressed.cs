namespace Eddy.Streams.Dsl;

#pragma warning disable CA1000

/// <summary>What a suppression buffer does when it reaches its bound.</summary>
/// <example><code>var full = BufferConfig.MaxRecords(1000).FullStrategy; // EmitEarly</code></example>
public enum BufferFullStrategy
{
    /// <summary>Emit the oldest records early to make room.</summary>
    EmitEarly,

    /// <summary>Fail the task (the buffer must never emit early, as for final window results).</summary>
    ShutDown,
}

/// <summary>The bounds and logging of a suppression buffer (Kafka's <c>BufferConfig</c>).</summary>
/// <example><code>BufferConfigBase config = BufferConfig.MaxBytes(10 * 1024 * 1024).WithLoggingDisabled();</code></example>
public abstract record BufferConfigBase
{
    /// <summary>The most keys the buffer holds (long.MaxValue: no bound).</summary>
    public long RecordLimit { get; init; } = long.MaxValue;

    /// <summary>The most bytes the buffer holds (long.MaxValue: no bound).</summary>
    public long ByteLimit { get; init; } = long.MaxValue;

    /// <summary>What happens when a bound is exceeded.</summary>
    public abstract BufferFullStrategy FullStrategy { get; }

    /// <summary>Whether the buffer is change-logged so it survives restarts (default true).</summary>
    public bool LoggingEnabled { get; init; } = true;

    /// <summary>Changelog topic configs.</summary>
    public IReadOnlyDictionary<string, string> LogConfig { get; init; } = new Dictionary<string, string>();
}

/// <summary>A buffer that never emits early: unbounded, or failing the task when full. Required for final window results.</summary>
/// <example><code>StrictBufferConfig config = BufferConfig.Unbounded();</code></example>
public sealed record StrictBufferConfig : BufferConfigBase
{
    /// <inheritdoc/>
    public override BufferFullStrategy FullStrategy => BufferFullStrategy.ShutDown;

    /// <summary>With a bound on keys (the task fails when exceeded).</summary>
    /// <param name="recordLimit">The bound.</param>
    /// <returns>A changed copy.</returns>
    public StrictBufferConfig WithMaxRecords(long recordLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(recordLimit);
        return this with { RecordLimit = recordLimit };
    }

    /// <summary>With a bound on bytes (the task fails when exceeded).</summary>
    /// <param name="byteLimit">The bound.</param>
    /// <returns>A changed copy.</returns>
    public StrictBufferConfig WithMaxBytes(long byteLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteLimit);
        return this with { ByteLimit = byteLimit };
    }

    /// <summary>Without bounds.</summary>
    /// <returns>A changed copy.</returns>
    public StrictBufferConfig WithNoBound() => this with { RecordLimit = long.MaxValue, ByteLimit = long.MaxValue };

    /// <summary>Emit early instead of failing when full.</summary>
    /// <returns>An eager config with the same bounds.</returns>
    public EagerBufferConfig EmitEarlyWhenFull() => new() { RecordLimit = RecordLimit, ByteLimit = ByteLimit, LoggingEnabled = LoggingEnabled, LogConfig = LogConfig };

    /// <summary>With change-logging off.</summary>
    /// <returns>A changed copy.</returns>
    public StrictBufferConfig WithLoggingDisabled() => this with { LoggingEnabled = false };

    /// <summary>With change-logging on.</summary>
    /// <param name="config">Changelog topic configs.</param>
    /// <returns>A changed copy.</returns>
    public StrictBufferConfig WithLoggingEnabled(IReadOnlyDictionary<string, string>? config = null) => this with { LoggingEnabled = true, LogConfig = config ?? new Dictionary<string, string>() };
}

/// <summary>A bounded buffer that emits its oldest records early when full.</summary>
/// <example><code>EagerBufferConfig config = BufferConfig.MaxRecords(10_000);</code></example>
public sealed record EagerBufferConfig : BufferConfigBase
{
    /// <inheritdoc/>
    public override BufferFullStrategy FullStrategy => BufferFullStrategy.EmitEarly;

    /// <summary>With a bound on keys.</summary>
    /// <param name="recordLimit">The bound.</param>
    /// <returns>A changed copy.</returns>
    public EagerBufferConfig WithMaxRecords(long recordLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(recordLimit);
        return this with { RecordLimit = recordLimit };
    }

    /// <summary>With a bound on bytes.</summary>
    /// <param name="byteLimit">The bound.</param>
    /// <returns>A changed copy.</returns>
    public EagerBufferConfig WithMaxBytes(long byteLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteLimit);
        return this with { ByteLimit = byteLimit };
    }

    /// <summary>Fail the task instead of emitting early when full.</summary>
    /// <returns>A strict config with the same bounds.</returns>
    public StrictBufferConfig ShutDownWhenFull() => new() { RecordLimit = RecordLimit, ByteLimit = ByteLimit, LoggingEnabled = LoggingEnabled, LogConfig = LogConfig };

    /// <summary>Without bounds (never emits early).</summary>
    /// <returns>An unbounded strict config.</returns>
    public StrictBufferConfig WithNoBound() => new() { LoggingEnabled = LoggingEnabled, LogConfig = LogConfig };

    /// <summary>With change-logging off.</summary>
    /// <returns>A changed copy.</returns>
    public EagerBufferConfig WithLoggingDisabled() => this with { LoggingEnabled = false };

    /// <summary>With change-logging on.</summary>
    /// <param name="config">Changelog topic configs.</param>
    /// <returns>A changed copy.</returns>
    public EagerBufferConfig WithLoggingEnabled(IReadOnlyDictionary<string, string>? config = null) => this with { LoggingEnabled = true, LogConfig = config ?? new Dictionary<string, string>() };
}

/// <summary>Factories of suppression buffer configs (Kafka's <c>Suppressed.BufferConfig</c>).</summary>
/// <example><code>var strict = BufferConfig.MaxRecords(1_000).ShutDownWhenFull();</code></example>
public static class BufferConfig
{
    /// <summary>A buffer of at most <paramref name="recordLimit"/> keys that emits early when full.</summary>
    /// <param name="recordLimit">The bound.</param>
    /// <returns>The config.</returns>
    public static EagerBufferConfig MaxRecords(long recordLimit) => new EagerBufferConfig().WithMaxRecords(recordLimit);

    /// <summary>A buffer of at most <paramref name="byteLimit"/> bytes that emits early when full.</summary>
    /// <param name="byteLimit">The bound.</param>
    /// <returns>The config.</returns>
    public static EagerBufferConfig MaxBytes(long byteLimit) => new EagerBufferConfig().WithMaxBytes(byteLimit);

    /// <summary>An unbounded buffer (it never emits early).</summary>
    /// <returns>The config.</returns>
    public static StrictBufferConfig Unbounded() => new();
}

/// <summary>
/// How <see cref="IKTable{TKey, TValue}.Suppress"/> holds back updates (Kafka's <c>Suppressed</c>): until a window
/// closes (final results of windowed aggregations), or until no update for a key has come for a time limit (rate
/// limiting). Time is stream time.
/// </summary>
/// <typeparam name="TKey">The table's key type (a <see cref="Windowed{TKey}"/> for <see cref="UntilWindowCloses"/>).</typeparam>
/// <example>
/// <code>
/// windowedCounts.Suppress(Suppressed&lt;Windowed&lt;string&gt;&gt;.UntilWindowCloses(BufferConfig.Unbounded()))
///     .ToStream().To("final-counts");
/// </code>
/// </example>
public sealed record Suppressed<TKey>
{
    private Suppressed(bool untilWindowCloses, TimeSpan timeToWait, BufferConfigBase bufferConfig, string? name)
    {
        IsUntilWindowCloses = untilWindowCloses;
        TimeToWaitForMoreEvents = timeToWait;
        Buffer = bufferConfig;
        Name = name;
    }

    /// <summary>True for final results of a windowed aggregation.</summary>
    public bool IsUntilWindowCloses { get; }

    /// <summary>For a time limit: how long (stream time) updates of a key are held back.</summary>
    public TimeSpan TimeToWaitForMoreEvents { get; }

    /// <summary>The buffer config.</summary>
    public BufferConfigBase Buffer { get; }

    /// <summary>The name of the suppression processor (its store is the name plus <c>-store</c>), or null.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Emits only the final result of each window, once stream time passes its end plus the grace period of the
    /// windowed aggregation upstream. Requires a strict buffer: emitting early would emit non-final results.
    /// </summary>
    /// <param name="bufferConfig">The buffer (unbounded, or bounded and failing when full).</param>
    /// <returns>The option.</returns>
    public static Suppressed<TKey> UntilWindowCloses(StrictBufferConfig bufferConfig)
    {
        ArgumentNullException.ThrowIfNull(bufferConfig);
        return new Suppressed<TKey>(true, TimeSpan.MaxValue, bufferConfig, null);
    }

    /// <summary>Holds each key's latest update until <paramref name="timeToWaitForMoreEvents"/> of stream time has passed since its first buffered update.</summary>
    /// <param name="timeToWaitForMoreEvents">The time limit.</param>
    /// <param name="bufferConfig">The buffer.</param>
    /// <returns>The option.</returns>
    public static Suppressed<TKey> UntilTimeLimit(TimeSpan timeToWaitForMoreEvents, BufferConfigBase bufferConfig)
    {
        ArgumentNullException.ThrowIfNull(bufferConfig);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeToWaitForMoreEvents, TimeSpan.Zero);
        return new Suppressed<TKey>(false, timeToWaitForMoreEvents, bufferConfig, null);
    }

    /// <summary>With a processor name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>A changed copy.</returns>
    public Suppressed<TKey> WithName(string name)
    {
        Named.Validate(name);
        return this with { Name = name };
    }
}

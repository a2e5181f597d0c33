using Eddy.Streams.Dsl;

namespace Eddy.Streams.State;

/// <summary>An iterator over the windows of one key: keys are window start times (Kafka's <c>WindowStoreIterator</c>).</summary>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example>
/// <code>
/// using var it = store.Fetch("alice", 0, 60_000);
/// foreach (var kv in it) Console.WriteLine($"window starting {kv.Key}: {kv.Value}");
/// </code>
/// </example>
public interface IWindowStoreIterator<TValue> : IKeyValueIterator<long, TValue>
{
}

/// <summary>
/// Read access to a window store: values per key and window start (Kafka's <c>ReadOnlyWindowStore</c>). Time
/// arguments are window start times in milliseconds, both bounds inclusive. A null key bound (reference types) means
/// unbounded. Iterators hold resources until disposed.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>long? count = store.TryFetch("alice", 60_000, out var c) ? c : null;</code></example>
public interface IReadOnlyWindowStore<TKey, TValue>
{
    /// <summary>The value of the window of <paramref name="key"/> that starts at <paramref name="windowStart"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="windowStart">The window start.</param>
    /// <param name="value">The value when found.</param>
    /// <returns>True when found.</returns>
    bool TryFetch(TKey key, long windowStart, out TValue value);

    /// <summary>The value of one window, or the type's default when absent.</summary>
    /// <param name="key">The key.</param>
    /// <param name="windowStart">The window start.</param>
    /// <returns>The value or default.</returns>
    TValue? Fetch(TKey key, long windowStart) => TryFetch(key, windowStart, out var v) ? v : default;

    /// <summary>The windows of <paramref name="key"/> starting in [<paramref name="timeFrom"/>, <paramref name="timeTo"/>], oldest first.</summary>
    /// <param name="key">The key.</param>
    /// <param name="timeFrom">The earliest window start.</param>
    /// <param name="timeTo">The latest window start.</param>
    /// <returns>An iterator of (window start, value), to dispose.</returns>
    IWindowStoreIterator<TValue> Fetch(TKey key, long timeFrom, long timeTo);

    /// <summary>Like <see cref="Fetch(TKey, long, long)"/>, newest first.</summary>
    /// <param name="key">The key.</param>
    /// <param name="timeFrom">The earliest window start.</param>
    /// <param name="timeTo">The latest window start.</param>
    /// <returns>An iterator to dispose.</returns>
    IWindowStoreIterator<TValue> BackwardFetch(TKey key, long timeFrom, long timeTo);

    /// <summary>The windows of keys in [<paramref name="keyFrom"/>, <paramref name="keyTo"/>] starting in the time range, by window start then key bytes.</summary>
    /// <param name="keyFrom">The first key (null: unbounded).</param>
    /// <param name="keyTo">The last key (null: unbounded).</param>
    /// <param name="timeFrom">The earliest window start.</param>
    /// <param name="timeTo">The latest window start.</param>
    /// <returns>An iterator of (windowed key, value), to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TValue> Fetch(TKey keyFrom, TKey keyTo, long timeFrom, long timeTo);

    /// <summary>Like <see cref="Fetch(TKey, TKey, long, long)"/>, in reverse order.</summary>
    /// <param name="keyFrom">The first key (null: unbounded).</param>
    /// <param name="keyTo">The last key (null: unbounded).</param>
    /// <param name="timeFrom">The earliest window start.</param>
    /// <param name="timeTo">The latest window start.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TValue> BackwardFetch(TKey keyFrom, TKey keyTo, long timeFrom, long timeTo);

    /// <summary>Every window of every key starting in the time range, by window start then key bytes.</summary>
    /// <param name="timeFrom">The earliest window start.</param>
    /// <param name="timeTo">The latest window start.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TValue> FetchAll(long timeFrom, long timeTo);

    /// <summary>Like <see cref="FetchAll(long, long)"/>, in reverse order.</summary>
    /// <param name="timeFrom">The earliest window start.</param>
    /// <param name="timeTo">The latest window start.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TValue> BackwardFetchAll(long timeFrom, long timeTo);

    /// <summary>Every window in the store.</summary>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TValue> All();

    /// <summary>Every window in the store, in reverse order.</summary>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TValue> BackwardAll();

    /// <summary>The windows of <paramref name="key"/> starting between two times.</summary>
    /// <param name="key">The key.</param>
    /// <param name="timeFrom">The earliest window start.</param>
    /// <param name="timeTo">The latest window start.</param>
    /// <returns>An iterator to dispose.</returns>
    IWindowStoreIterator<TValue> Fetch(TKey key, DateTimeOffset timeFrom, DateTimeOffset timeTo)
        => Fetch(key, timeFrom.ToUnixTimeMilliseconds(), timeTo.ToUnixTimeMilliseconds());

    /// <summary>Every window starting between two times.</summary>
    /// <param name="timeFrom">The earliest window start.</param>
    /// <param name="timeTo">The latest window start.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TValue> FetchAll(DateTimeOffset timeFrom, DateTimeOffset timeTo)
        => FetchAll(timeFrom.ToUnixTimeMilliseconds(), timeTo.ToUnixTimeMilliseconds());
}

/// <summary>
/// A window store: values per key and window start, kept for a retention period measured in stream time
/// (Kafka's <c>WindowStore</c>). Stores that retain duplicates (stream-stream join buffers) keep every put.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>store.Put("alice", 3L, windowStartTimestamp: 60_000);</code></example>
public interface IWindowStore<TKey, TValue> : IStateStore, IReadOnlyWindowStore<TKey, TValue>
{
    /// <summary>
    /// Sets the value of a window; a null value deletes it (ignored by stores that retain duplicates). Windows that
    /// start at or before the store's stream time minus its retention are dropped.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, or null.</param>
    /// <param name="windowStartTimestamp">The window start.</param>
    void Put(TKey key, TValue? value, long windowStartTimestamp);
}

/// <summary>A window store whose values carry timestamps (Kafka's <c>TimestampedWindowStore</c>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>var vt = store.Fetch("alice", 60_000); // ValueAndTimestamp&lt;long&gt;</code></example>
public interface ITimestampedWindowStore<TKey, TValue> : IWindowStore<TKey, ValueAndTimestamp<TValue>>
{
}

/// <summary>
/// Read access to a session store (Kafka's <c>ReadOnlySessionStore</c>). Sessions are <c>[start, end]</c>, both
/// inclusive; results are ordered by session end, then key bytes, then start.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TAgg">The aggregate type.</typeparam>
/// <example><code>using var sessions = store.Fetch("alice"); foreach (var s in sessions) Console.WriteLine(s.Key.Window);</code></example>
public interface IReadOnlySessionStore<TKey, TAgg>
{
    /// <summary>Sessions of <paramref name="key"/> that end at or after <paramref name="earliestSessionEndTime"/> and start at or before <paramref name="latestSessionStartTime"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="earliestSessionEndTime">The earliest session end.</param>
    /// <param name="latestSessionStartTime">The latest session start.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TAgg> FindSessions(TKey key, long earliestSessionEndTime, long latestSessionStartTime);

    /// <summary>Like <see cref="FindSessions(TKey, long, long)"/> for a key range (null bounds: unbounded).</summary>
    /// <param name="keyFrom">The first key.</param>
    /// <param name="keyTo">The last key.</param>
    /// <param name="earliestSessionEndTime">The earliest session end.</param>
    /// <param name="latestSessionStartTime">The latest session start.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TAgg> FindSessions(TKey keyFrom, TKey keyTo, long earliestSessionEndTime, long latestSessionStartTime);

    /// <summary>Like <see cref="FindSessions(TKey, long, long)"/>, in reverse order.</summary>
    /// <param name="key">The key.</param>
    /// <param name="earliestSessionEndTime">The earliest session end.</param>
    /// <param name="latestSessionStartTime">The latest session start.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TAgg> BackwardFindSessions(TKey key, long earliestSessionEndTime, long latestSessionStartTime);

    /// <summary>Like <see cref="FindSessions(TKey, TKey, long, long)"/>, in reverse order.</summary>
    /// <param name="keyFrom">The first key.</param>
    /// <param name="keyTo">The last key.</param>
    /// <param name="earliestSessionEndTime">The earliest session end.</param>
    /// <param name="latestSessionStartTime">The latest session start.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TAgg> BackwardFindSessions(TKey keyFrom, TKey keyTo, long earliestSessionEndTime, long latestSessionStartTime);

    /// <summary>The aggregate of exactly the session [<paramref name="sessionStartTime"/>, <paramref name="sessionEndTime"/>] of a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="sessionStartTime">The session start.</param>
    /// <param name="sessionEndTime">The session end.</param>
    /// <param name="aggregate">The aggregate when found.</param>
    /// <returns>True when found.</returns>
    bool TryFetchSession(TKey key, long sessionStartTime, long sessionEndTime, out TAgg aggregate);

    /// <summary>The aggregate of one session, or the type's default.</summary>
    /// <param name="key">The key.</param>
    /// <param name="sessionStartTime">The session start.</param>
    /// <param name="sessionEndTime">The session end.</param>
    /// <returns>The aggregate or default.</returns>
    TAgg? FetchSession(TKey key, long sessionStartTime, long sessionEndTime) => TryFetchSession(key, sessionStartTime, sessionEndTime, out var v) ? v : default;

    /// <summary>Every session of a key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TAgg> Fetch(TKey key);

    /// <summary>Every session of a key, in reverse order.</summary>
    /// <param name="key">The key.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TAgg> BackwardFetch(TKey key);

    /// <summary>Every session of the keys in a range.</summary>
    /// <param name="keyFrom">The first key.</param>
    /// <param name="keyTo">The last key.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TAgg> Fetch(TKey keyFrom, TKey keyTo);

    /// <summary>Every session of the keys in a range, in reverse order.</summary>
    /// <param name="keyFrom">The first key.</param>
    /// <param name="keyTo">The last key.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TAgg> BackwardFetch(TKey keyFrom, TKey keyTo);
}

/// <summary>A session store (Kafka's <c>SessionStore</c>): aggregates per key and session, kept for a retention period.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TAgg">The aggregate type.</typeparam>
/// <example><code>store.Put(new Windowed&lt;string&gt;("alice", new SessionWindow(10, 20)), 2L);</code></example>
public interface ISessionStore<TKey, TAgg> : IStateStore, IReadOnlySessionStore<TKey, TAgg>
{
    /// <summary>Sessions of every key whose end is in [<paramref name="earliestSessionEndTime"/>, <paramref name="latestSessionEndTime"/>], by end time.</summary>
    /// <param name="earliestSessionEndTime">The earliest end.</param>
    /// <param name="latestSessionEndTime">The latest end.</param>
    /// <returns>An iterator to dispose.</returns>
    IKeyValueIterator<Windowed<TKey>, TAgg> FindSessions(long earliestSessionEndTime, long latestSessionEndTime);

    /// <summary>Removes one session.</summary>
    /// <param name="sessionKey">The key and session window.</param>
    void Remove(Windowed<TKey> sessionKey);

    /// <summary>Stores a session's aggregate (a null aggregate removes it).</summary>
    /// <param name="sessionKey">The key and session window.</param>
    /// <param name="aggregate">The aggregate.</param>
    void Put(Windowed<TKey> sessionKey, TAgg? aggregate);
}

/// <summary>Supplies the bytes-level window store at the bottom of a window store's layers (Kafka's <c>WindowBytesStoreSupplier</c>).</summary>
/// <example><code>IWindowBytesStoreSupplier s = Stores.InMemoryWindowStore("counts", TimeSpan.FromDays(1), TimeSpan.FromMinutes(1), false);</code></example>
public interface IWindowBytesStoreSupplier
{
    /// <summary>The store name.</summary>
    string Name { get; }

    /// <summary>A new bytes-level store.</summary>
    /// <returns>The store.</returns>
    IWindowStore<Bytes, byte[]> Get();

    /// <summary>The metrics scope, such as <c>in-memory-window</c>.</summary>
    string MetricsScope { get; }

    /// <summary>How long (ms of stream time) windows are kept.</summary>
    long RetentionPeriod { get; }

    /// <summary>The window size in ms.</summary>
    long WindowSize { get; }

    /// <summary>Whether every put is kept, even for the same key and window.</summary>
    bool RetainDuplicates { get; }
}

/// <summary>Supplies the bytes-level session store (Kafka's <c>SessionBytesStoreSupplier</c>).</summary>
/// <example><code>ISessionBytesStoreSupplier s = Stores.InMemorySessionStore("sessions", TimeSpan.FromHours(1));</code></example>
public interface ISessionBytesStoreSupplier
{
    /// <summary>The store name.</summary>
    string Name { get; }

    /// <summary>A new bytes-level store.</summary>
    /// <returns>The store.</returns>
    ISessionStore<Bytes, byte[]> Get();

    /// <summary>The metrics scope, such as <c>in-memory-session</c>.</summary>
    string MetricsScope { get; }

    /// <summary>How long (ms of stream time) sessions are kept after they end.</summary>
    long RetentionPeriod { get; }
}

using Eddy.Streams.State;

namespace Eddy.Streams.Internal.State;

/// <summary>The record context of the record being processed (or of a cache entry being flushed).</summary>
internal readonly record struct ProcessorRecordContext(long Timestamp, long Offset, int Partition, string? Topic, Headers? Headers)
{
    public static readonly ProcessorRecordContext None = new(-1, -1, -1, null, null);
}

/// <summary>What the store layers need from their task beyond the public context: cache, record context, changelog.</summary>
internal interface IInternalStoreContext : IStateStoreContext
{
    /// <summary>The task's record cache, or null when caching is off (statestore.cache.max.bytes = 0).</summary>
    ThreadCache? Cache { get; }

    /// <summary>The record context of the current record; the cache sets it while flushing an entry.</summary>
    ProcessorRecordContext RecordContext { get; set; }

    /// <summary>Sends a changelog record through the task's record collector.</summary>
    void LogChange(string storeName, Bytes key, byte[]? value, long timestamp);

    /// <summary>Sends a changelog record to a changelog topic resolved once by the store.</summary>
    void LogChange(string storeName, string changelogTopic, Bytes key, byte[]? value, long timestamp);

    /// <summary>True while a task closes dirty: caches are dropped instead of flushed.</summary>
    bool ClosingDirty { get; }

    /// <summary>The changelog topic of a store: &lt;application.id&gt;-&lt;store&gt;-changelog.</summary>
    string ChangelogTopic(string storeName);

    /// <summary>The task's logger.</summary>
    Microsoft.Extensions.Logging.ILogger Logger { get; }

    /// <summary>Sends a changelog record with headers (suppression buffers mark their format version).</summary>
    void LogChange(string changelogTopic, string storeName, Bytes key, byte[]? value, long timestamp, Headers? headers);
}

/// <summary>Stores that can be exposed read-only (global stores to processors, interactive queries).</summary>
internal interface IReadOnlyWrappable
{
    IStateStore AsReadOnly();
}

/// <summary>A typed store with a cache in front whose flushes forward downstream.</summary>
internal interface ICachedStore<TKey, TValue>
{
    /// <summary>Sets the listener called for each dirty entry flushed; returns false when the store has no cache.</summary>
    bool SetFlushListener(Action<TKey, bool, TValue, bool, TValue, ProcessorRecordContext> listener, bool sendOldValues);
}

/// <summary>Bytes-level stores with a cache: the flush listener sees raw bytes.</summary>
internal interface ICachingBytesStore
{
    void SetFlushListener(Action<Bytes, byte[]?, byte[]?, ProcessorRecordContext> listener, bool sendOldValues);
}

/// <summary>Bytes stores that wrap another (cache, logging).</summary>
internal interface IWrappedStore
{
    IStateStore Wrapped { get; }
}

/// <summary>
/// Bytes stores that can look a key up by a span (serialized into a reused buffer), returning the stored key so
/// that a following write of the same key reuses it: no allocation for reads and updates of existing keys.
/// </summary>
internal interface ISpanKeyLookup
{
    bool TryGet(ReadOnlySpan<byte> key, out byte[] value, out Bytes storedKey);
}

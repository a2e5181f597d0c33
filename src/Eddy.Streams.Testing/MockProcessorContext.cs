using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;

namespace Eddy.Streams.Testing;

/// <summary>A record a processor forwarded, and the child it named (null for all children).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Record">The record.</param>
/// <param name="ChildName">The child name, or null.</param>
/// <example><code>Assert.Equal("B", context.Forwarded[0].Record.Value);</code></example>
public sealed record CapturedForward<TKey, TValue>(Record<TKey, TValue> Record, string? ChildName);

/// <summary>A punctuation a processor scheduled; call <see cref="Punctuate"/> to fire it.</summary>
/// <param name="Interval">The interval.</param>
/// <param name="Type">Stream time or wall-clock time.</param>
/// <param name="Punctuator">The callback.</param>
/// <example><code>context.ScheduledPunctuators[0].Punctuate(1000);</code></example>
public sealed record CapturedPunctuator(TimeSpan Interval, PunctuationType Type, Action<long> Punctuator) : ICancellable
{
    /// <summary>True once cancelled.</summary>
    public bool Cancelled { get; private set; }

    /// <inheritdoc/>
    public void Cancel() => Cancelled = true;

    /// <summary>Fires the punctuation as if at <paramref name="timestamp"/>.</summary>
    /// <param name="timestamp">The time in ms.</param>
    public void Punctuate(long timestamp) => Punctuator(timestamp);
}

/// <summary>
/// A processor context for unit-testing a processor without a topology (Kafka's test-utils
/// <c>MockProcessorContext</c>): it captures forwarded records, scheduled punctuations and commit requests, and
/// lets the test set record metadata, stream time and wall-clock time. Stores added with
/// <see cref="AddStateStore"/> must be built with logging and caching disabled and opened with
/// <see cref="StateStoreContext"/>.
/// </summary>
/// <typeparam name="TKeyOut">The type of keys the processor forwards.</typeparam>
/// <typeparam name="TValueOut">The type of values the processor forwards.</typeparam>
/// <example>
/// <code>
/// var context = new MockProcessorContext&lt;string, string&gt;();
/// var processor = new UpperProcessor();
/// processor.Init(context);
/// processor.Process(new Record&lt;string, string&gt;("k", "v", 0));
/// Assert.Equal("V", context.Forwarded.Single().Record.Value);
/// </code>
/// </example>
public sealed class MockProcessorContext<TKeyOut, TValueOut> : IProcessorContext<TKeyOut, TValueOut>, IFixedKeyProcessorContext<TKeyOut, TValueOut>
{
    private readonly Dictionary<string, IStateStore> _stores = new(StringComparer.Ordinal);
    private readonly List<CapturedForward<TKeyOut, TValueOut>> _forwarded = [];
    private readonly List<CapturedPunctuator> _punctuators = [];

    /// <summary>Creates a context with a test configuration and task 0_0.</summary>
    /// <param name="config">The configuration; application.id defaults to a test id.</param>
    /// <param name="taskId">The task id.</param>
    public MockProcessorContext(StreamsConfig? config = null, TaskId? taskId = null)
    {
        Config = config ?? new StreamsConfig();
        if (string.IsNullOrEmpty(Config.ApplicationId))
        {
            Config.ApplicationId = "dummy-mock-app-id";
        }
        TaskId = taskId ?? new TaskId(0, 0);
        StateStoreContext = new MockStateStoreContext(this);
    }

    /// <inheritdoc/>
    public string ApplicationId => Config.ApplicationId;

    /// <inheritdoc/>
    public TaskId TaskId { get; }

    /// <inheritdoc/>
    public RecordMetadata? RecordMetadata { get; private set; }

    /// <inheritdoc/>
    public StreamsConfig Config { get; }

    /// <inheritdoc/>
    public ISerdeProvider? KeySerde => Config.DefaultKeySerde;

    /// <inheritdoc/>
    public ISerdeProvider? ValueSerde => Config.DefaultValueSerde;

    /// <summary>The stream time the processor sees; set it to simulate progress.</summary>
    public long CurrentStreamTimeMs { get; set; } = -1;

    /// <summary>The wall-clock time the processor sees; set it to simulate progress.</summary>
    public long CurrentSystemTimeMs { get; set; }

    /// <summary>The records forwarded so far, in order.</summary>
    public IReadOnlyList<CapturedForward<TKeyOut, TValueOut>> Forwarded => _forwarded;

    /// <summary>The punctuations scheduled so far.</summary>
    public IReadOnlyList<CapturedPunctuator> ScheduledPunctuators => _punctuators;

    /// <summary>True when the processor asked for a commit since the last <see cref="ResetCommit"/>.</summary>
    public bool Committed { get; private set; }

    /// <summary>The context to open stores with before adding them.</summary>
    public IStateStoreContext StateStoreContext { get; }

    /// <summary>Sets the topic, partition and offset of the "current" input record.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="offset">The offset.</param>
    public void SetRecordMetadata(string topic, int partition, long offset) => RecordMetadata = new RecordMetadata(topic, partition, offset);

    /// <summary>Adds an opened store for the processor to get by name.</summary>
    /// <param name="store">The store.</param>
    public void AddStateStore(IStateStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _stores[store.Name] = store;
    }

    /// <summary>Forgets forwarded records.</summary>
    public void ResetForwards() => _forwarded.Clear();

    /// <summary>Clears the commit request.</summary>
    public void ResetCommit() => Committed = false;

    /// <inheritdoc/>
    public TStore GetStateStore<TStore>(string name)
        where TStore : IStateStore
        => _stores.TryGetValue(name, out var s) && s is TStore t ? t : throw new InvalidOperationException($"No state store {name} of type {typeof(TStore).Name} was added to the mock context.");

    /// <inheritdoc/>
    public ICancellable Schedule(TimeSpan interval, PunctuationType type, Action<long> punctuator)
    {
        if (interval < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The minimum supported scheduling interval is 1 millisecond.");
        }
        var p = new CapturedPunctuator(interval, type, punctuator);
        _punctuators.Add(p);
        return p;
    }

    /// <inheritdoc/>
    public void Commit() => Committed = true;

    /// <inheritdoc/>
    public void Forward(Record<TKeyOut, TValueOut> record) => _forwarded.Add(new CapturedForward<TKeyOut, TValueOut>(record, null));

    /// <inheritdoc/>
    public void Forward(Record<TKeyOut, TValueOut> record, string childName) => _forwarded.Add(new CapturedForward<TKeyOut, TValueOut>(record, childName));

    /// <inheritdoc/>
    public void Forward(FixedKeyRecord<TKeyOut, TValueOut> record) => Forward(new Record<TKeyOut, TValueOut>(record.Key, record.Value, record.Timestamp, record.Headers));

    /// <inheritdoc/>
    public void Forward(FixedKeyRecord<TKeyOut, TValueOut> record, string childName) => Forward(new Record<TKeyOut, TValueOut>(record.Key, record.Value, record.Timestamp, record.Headers), childName);

    private sealed class MockStateStoreContext(MockProcessorContext<TKeyOut, TValueOut> owner) : IStateStoreContext
    {
        public string ApplicationId => owner.ApplicationId;

        public TaskId TaskId => owner.TaskId;

        public StreamsConfig Config => owner.Config;

        public void Register(IStateStore store, Action<byte[], byte[]?>? restoreCallback) { }
    }
}

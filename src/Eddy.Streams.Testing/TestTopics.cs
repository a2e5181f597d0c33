using Eddy.Streams.Errors;
using Eddy.Streams.SerDes;

namespace Eddy.Streams.Testing;

/// <summary>
/// An input topic of a <see cref="TopologyTestDriver"/>. Each piped record is processed completely before the call
/// returns. Records without a timestamp get the topic's current time, which then moves by the auto-advance.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>input.PipeInput("alice", "login", timestamp: 1_000);</code></example>
public sealed class TestInputTopic<TKey, TValue>
{
    private readonly TopologyTestDriver _driver;
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;
    private readonly TimeSpan _autoAdvance;
    private long _currentTime;

    internal TestInputTopic(TopologyTestDriver driver, string topic, ISerializer<TKey> keySerializer, ISerializer<TValue> valueSerializer, long start, TimeSpan autoAdvance)
    {
        if (autoAdvance < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(autoAdvance), "autoAdvance must be positive");
        }
        _driver = driver;
        Topic = topic;
        _keySerializer = keySerializer;
        _valueSerializer = valueSerializer;
        _currentTime = start;
        _autoAdvance = autoAdvance;
    }

    /// <summary>The topic name.</summary>
    public string Topic { get; }

    /// <summary>Moves the topic's current time forward.</summary>
    /// <param name="advance">How far.</param>
    public void AdvanceTime(TimeSpan advance)
    {
        if (advance < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(advance), "advance must be positive");
        }
        _currentTime += (long)advance.TotalMilliseconds;
    }

    /// <summary>Pipes one record.</summary>
    /// <param name="record">The record.</param>
    public void PipeInput(TestRecord<TKey, TValue> record)
    {
        ArgumentNullException.ThrowIfNull(record);
        long ts;
        if (record.Timestamp is { } t)
        {
            ts = t;
        }
        else
        {
            ts = _currentTime;
            _currentTime += (long)_autoAdvance.TotalMilliseconds;
        }
        var headers = record.Headers.Count == 0 ? null : record.Headers;
        var key = _keySerializer.Serialize(record.Key, new SerializationContext(MessageComponentType.Key, Topic, headers));
        var value = _valueSerializer.Serialize(record.Value, new SerializationContext(MessageComponentType.Value, Topic, headers));
        _driver.PipeRaw(Topic, key, value, ts, headers);
    }

    /// <summary>Pipes a keyless record.</summary>
    /// <param name="value">The value.</param>
    /// <param name="timestamp">The timestamp in ms, or null for the topic's time.</param>
    public void PipeInput(TValue value, long? timestamp = null) => PipeInput(new TestRecord<TKey, TValue>(default!, value, timestamp));

    /// <summary>Pipes a record.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="timestamp">The timestamp in ms, or null for the topic's time.</param>
    /// <param name="headers">The headers.</param>
    public void PipeInput(TKey key, TValue value, long? timestamp = null, Headers? headers = null)
        => PipeInput(new TestRecord<TKey, TValue>(key, value, timestamp, headers));

    /// <summary>Pipes a record with a date timestamp.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="timestamp">The timestamp.</param>
    public void PipeInput(TKey key, TValue value, DateTimeOffset timestamp) => PipeInput(key, value, timestamp.ToUnixTimeMilliseconds());

    /// <summary>Pipes records in order.</summary>
    /// <param name="records">The records.</param>
    public void PipeRecordList(IEnumerable<TestRecord<TKey, TValue>> records)
    {
        foreach (var r in records)
        {
            PipeInput(r);
        }
    }

    /// <summary>Pipes key-value pairs in order.</summary>
    /// <param name="keyValues">The pairs.</param>
    public void PipeKeyValueList(IEnumerable<KeyValue<TKey, TValue>> keyValues)
    {
        foreach (var kv in keyValues)
        {
            PipeInput(kv.Key, kv.Value);
        }
    }

    /// <summary>Pipes keyless values in order.</summary>
    /// <param name="values">The values.</param>
    public void PipeValueList(IEnumerable<TValue> values)
    {
        foreach (var v in values)
        {
            PipeInput(v);
        }
    }
}

/// <summary>An output topic of a <see cref="TopologyTestDriver"/>: reads records in the order they were written.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example><code>Assert.Equal(KeyValue.Pair("a", 1L), output.ReadKeyValue());</code></example>
public sealed class TestOutputTopic<TKey, TValue>
{
    private readonly TopologyTestDriver _driver;
    private readonly IDeserializer<TKey> _keyDeserializer;
    private readonly IDeserializer<TValue> _valueDeserializer;

    internal TestOutputTopic(TopologyTestDriver driver, string topic, IDeserializer<TKey> keyDeserializer, IDeserializer<TValue> valueDeserializer)
    {
        _driver = driver;
        Topic = topic;
        _keyDeserializer = keyDeserializer;
        _valueDeserializer = valueDeserializer;
    }

    /// <summary>The topic name.</summary>
    public string Topic { get; }

    /// <summary>The number of unread records.</summary>
    public int QueueSize => _driver.OutputQueue(Topic).Count;

    /// <summary>True when every record has been read.</summary>
    public bool IsEmpty => QueueSize == 0;

    /// <summary>Reads the next record.</summary>
    /// <returns>The record.</returns>
    public TestRecord<TKey, TValue> ReadRecord()
    {
        var q = _driver.OutputQueue(Topic);
        if (!q.TryDequeue(out var r))
        {
            throw new InvalidOperationException("Empty topic: " + Topic);
        }
        var key = _keyDeserializer.Deserialize(r.Key, r.Key is null, new SerializationContext(MessageComponentType.Key, Topic, r.Headers));
        var value = _valueDeserializer.Deserialize(r.Value, r.Value is null, new SerializationContext(MessageComponentType.Value, Topic, r.Headers));
        return new TestRecord<TKey, TValue>(key, value, r.Timestamp, r.Headers is null ? null : new Headers(r.Headers));
    }

    /// <summary>Reads the next value.</summary>
    /// <returns>The value.</returns>
    public TValue ReadValue() => ReadRecord().Value;

    /// <summary>Reads the next key and value.</summary>
    /// <returns>The pair.</returns>
    public KeyValue<TKey, TValue> ReadKeyValue()
    {
        var r = ReadRecord();
        return new KeyValue<TKey, TValue>(r.Key, r.Value);
    }

    /// <summary>Reads every remaining record.</summary>
    /// <returns>The records.</returns>
    public List<TestRecord<TKey, TValue>> ReadRecordsToList()
    {
        var list = new List<TestRecord<TKey, TValue>>();
        while (!IsEmpty)
        {
            list.Add(ReadRecord());
        }
        return list;
    }

    /// <summary>Reads every remaining value.</summary>
    /// <returns>The values.</returns>
    public List<TValue> ReadValuesToList() => ReadRecordsToList().ConvertAll(r => r.Value);

    /// <summary>Reads every remaining key-value pair.</summary>
    /// <returns>The pairs.</returns>
    public List<KeyValue<TKey, TValue>> ReadKeyValuesToList() => ReadRecordsToList().ConvertAll(r => new KeyValue<TKey, TValue>(r.Key, r.Value));

    /// <summary>Reads every remaining record into a map of the latest value per key (a table's final state).</summary>
    /// <returns>The map.</returns>
#pragma warning disable CS8714
    public Dictionary<TKey, TValue> ReadKeyValuesToMap()
    {
        var map = new Dictionary<TKey, TValue>();
#pragma warning disable CS8714 // keys are checked for null below, as Kafka does
        while (!IsEmpty)
        {
            var r = ReadRecord();
            if (r.Key is null)
            {
                throw new StreamsException("Null keys not allowed with ReadKeyValuesToMap method");
            }
            map[r.Key] = r.Value;
        }
#pragma warning restore CS8714
        return map;
    }
#pragma warning restore CS8714
}

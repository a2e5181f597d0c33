using System.Buffers;
using Eddy.Client.Internal;
using Eddy.Protocol;
using Eddy.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Eddy.Client;

/// <summary>Chooses a partition for a record (a custom partitioner).</summary>
/// <example>
/// <code>
/// public sealed class FirstPartition : IPartitioner
/// {
///     public int Partition(string topic, ReadOnlySpan&lt;byte&gt; key, bool keyIsNull, int partitionCount) =&gt; 0;
/// }
/// </code>
/// </example>
public interface IPartitioner
{
    /// <summary>Returns a partition in [0, <paramref name="partitionCount"/>), or -1 for the default (sticky) choice.</summary>
    int Partition(string topic, ReadOnlySpan<byte> key, bool keyIsNull, int partitionCount);
}

/// <summary>
/// A Kafka producer. <see cref="ProduceAsync(string, Message{TKey, TValue}, CancellationToken)"/> returns
/// the delivery result; <see cref="Produce(string, Message{TKey, TValue}, Action{DeliveryResult{TKey, TValue}}?)"/>
/// is the high-throughput form with a delivery callback. Records are batched per partition (linger.ms,
/// batch.size), compressed, and sent to each partition's leader; with idempotence (the default)
/// retries never duplicate or reorder records within a partition. Thread-safe.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example>
/// <code>
/// var config = new ProducerConfig { BootstrapServers = "localhost:9092" };
/// await using var producer = new KafkaProducer&lt;string, string&gt;(config, Serializers.Utf8, Serializers.Utf8);
/// var result = await producer.ProduceAsync("orders", new Message&lt;string, string&gt; { Key = "42", Value = "created" });
/// producer.Produce("orders", new Message&lt;string, string&gt; { Key = "43", Value = "created" }, r =&gt; Console.WriteLine(r.Offset));
/// await producer.FlushAsync();
/// </code>
/// </example>
public sealed class KafkaProducer<TKey, TValue> : IAsyncDisposable
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _keyBuffer;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _valueBuffer;

    private readonly ProducerCore _core;
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;
    private readonly IPartitioner? _partitioner;
    private readonly string _partitionerName;
    private readonly bool _ignoreKeys;
    private readonly ILogger _logger;
    private readonly AsyncHandler _asyncHandler = new();
    private CallbackHandler? _lastCallback;
    private int _disposed;

    /// <summary>Creates a producer; the settings are validated first (<see cref="KafkaConfigException"/>).</summary>
    /// <param name="config">The settings.</param>
    /// <param name="keySerializer">Serializes keys.</param>
    /// <param name="valueSerializer">Serializes values.</param>
    /// <param name="loggerFactory">Where to log; nothing is logged without one.</param>
    /// <param name="partitioner">A custom partitioner, or null for the <c>partitioner</c> setting.</param>
    /// <param name="timeProvider">The clock (tests inject one); null for the system clock.</param>
    public KafkaProducer(
        ProducerConfig config,
        ISerializer<TKey> keySerializer,
        ISerializer<TValue> valueSerializer,
        ILoggerFactory? loggerFactory = null,
        IPartitioner? partitioner = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(keySerializer);
        ArgumentNullException.ThrowIfNull(valueSerializer);
        config.Validate();
        var context = new ClientContext(config, loggerFactory, timeProvider, "producer");
        _logger = context.LoggerFactory.CreateLogger("Eddy.Client.Producer");
        _core = new ProducerCore(config, context);
        _keySerializer = keySerializer;
        _valueSerializer = valueSerializer;
        _partitioner = partitioner;
        _partitionerName = config.GetString("partitioner").ToLowerInvariant();
        _ignoreKeys = config.GetBoolOrDefault("partitioner.ignore.keys");
    }

    /// <summary>The producer id and epoch in use with idempotence (-1 before the first InitProducerId or without idempotence).</summary>
    public (long ProducerId, short Epoch) ProducerIdAndEpoch => _core.ProducerIdAndEpoch;

    /// <summary>Records accepted but not yet acknowledged.</summary>
    public int PendingCount => _core.PendingRecords;

    /// <summary>Produces one record and completes when the broker acknowledged it (or it failed: <see cref="ProduceException{TKey, TValue}"/>).</summary>
    public Task<DeliveryResult<TKey, TValue>> ProduceAsync(string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, -1, message, cancellationToken);

    /// <summary>Produces one record to a given partition.</summary>
    public Task<DeliveryResult<TKey, TValue>> ProduceAsync(TopicPartition partition, Message<TKey, TValue> message, CancellationToken cancellationToken = default) =>
        ProduceAsync(partition.Topic, partition.Partition, message, cancellationToken);

    private Task<DeliveryResult<TKey, TValue>> ProduceAsync(string topic, int partition, Message<TKey, TValue> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        var completion = new DeliveryCompletion(message);
        Send(topic, partition, message, _asyncHandler, completion);
        return completion.Task;
    }

    /// <summary>
    /// Produces one record without waiting; <paramref name="deliveryHandler"/> is called (on a client
    /// thread; keep it short) with the result. Blocks only while buffer.memory is full (max.block.ms).
    /// </summary>
    public void Produce(string topic, Message<TKey, TValue> message, Action<DeliveryResult<TKey, TValue>>? deliveryHandler = null) =>
        Produce(topic, -1, message, deliveryHandler);

    /// <summary>Produces one record to a given partition without waiting.</summary>
    public void Produce(TopicPartition partition, Message<TKey, TValue> message, Action<DeliveryResult<TKey, TValue>>? deliveryHandler = null) =>
        Produce(partition.Topic, partition.Partition, message, deliveryHandler);

    private void Produce(string topic, int partition, Message<TKey, TValue> message, Action<DeliveryResult<TKey, TValue>>? deliveryHandler)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(message);
        IDeliveryHandler? handler = null;
        if (deliveryHandler is not null)
        {
            var last = _lastCallback;
            if (last is null || !ReferenceEquals(last.Callback, deliveryHandler))
            {
                _lastCallback = last = new CallbackHandler(deliveryHandler);
            }

            handler = last;
        }

        Send(topic, partition, message, handler, message);
    }

    /// <summary>
    /// The common send path. Records are appended in call order: a record whose topic has no metadata
    /// yet waits in a backlog, and every later record queues behind it until the backlog drains
    /// (the Java client gets the same order by blocking the caller). buffer.memory blocks the caller,
    /// as Java's send does.
    /// </summary>
    private void Send(string topic, int partition, Message<TKey, TValue> message, IDeliveryHandler? handler, object state)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        int size = Serialize(topic, message, out var headers, out long timestamp);
        try
        {
            _core.Memory.Reserve(size, _core.MaxBlock, _core.Context.Time);
            if (Volatile.Read(ref _backlogCount) == 0 && _core.CachedPartitionCount(topic) > 0)
            {
                AppendReserved(topic, partition, message, _keyIsNull ? null : _keyBuffer!.WrittenSpan, _keyIsNull, _valueIsNull ? null : _valueBuffer!.WrittenSpan, _valueIsNull, headers, timestamp, size, handler, state);
                return;
            }

            lock (_backlog)
            {
                if (_backlog.Count == 0 && _core.CachedPartitionCount(topic) > 0)
                {
                    AppendReserved(topic, partition, message, _keyIsNull ? null : _keyBuffer!.WrittenSpan, _keyIsNull, _valueIsNull ? null : _valueBuffer!.WrittenSpan, _valueIsNull, headers, timestamp, size, handler, state);
                    return;
                }

                _backlog.Enqueue(new BacklogItem(
                    topic, partition, message, _keyIsNull ? null : _keyBuffer!.WrittenSpan.ToArray(), _valueIsNull ? null : _valueBuffer!.WrittenSpan.ToArray(),
                    headers?.AsSpan(0, message.Headers?.Count ?? 0).ToArray(), timestamp, size, handler, state));
                Volatile.Write(ref _backlogCount, _backlog.Count);
                if (!_draining)
                {
                    _draining = true;
                    _ = Task.Run(DrainBacklogAsync);
                }
            }
        }
        finally
        {
            ReturnHeaders(headers);
        }
    }

    private async Task DrainBacklogAsync()
    {
        while (true)
        {
            BacklogItem item;
            lock (_backlog)
            {
                if (_backlog.Count == 0)
                {
                    _draining = false;
                    Volatile.Write(ref _backlogCount, 0);
                    return;
                }

                item = _backlog.Peek();
            }

            KafkaException? failure = null;
            if (_core.CachedPartitionCount(item.Topic) <= 0)
            {
                try
                {
                    await _core.Cluster.WaitForTopicAsync(item.Topic, _core.MaxBlock, CancellationToken.None).ConfigureAwait(false);
                }
                catch (KafkaException e)
                {
                    failure = e;
                }
            }

            lock (_backlog)
            {
                _backlog.Dequeue();
                try
                {
                    if (failure is not null)
                    {
                        throw failure;
                    }

                    AppendReserved(item.Topic, item.Partition, item.Message, item.Key, item.Key is null, item.Value, item.Value is null, item.Headers, item.Timestamp, item.Size, item.Handler, item.State);
                }
                catch (Exception e) when (e is KafkaException or ObjectDisposedException)
                {
                    var error = e as KafkaException ?? new KafkaException(ErrorCode.UnknownServerError, e.Message, e);
                    item.Handler?.OnDelivery(new TopicPartition(item.Topic, item.Partition), -1, item.Timestamp, error, item.State);
                }

                Volatile.Write(ref _backlogCount, Math.Max(_backlog.Count, 1));
            }
        }
    }

    private sealed record BacklogItem(
        string Topic, int Partition, Message<TKey, TValue> Message, byte[]? Key, byte[]? Value, RecordHeader[]? Headers, long Timestamp, int Size, IDeliveryHandler? Handler, object State);

    private readonly Queue<BacklogItem> _backlog = new();
    private bool _draining;
    private int _backlogCount;

    [ThreadStatic]
    private static bool _keyIsNull;

    [ThreadStatic]
    private static bool _valueIsNull;

    private int Serialize(string topic, Message<TKey, TValue> message, out RecordHeader[]? headers, out long timestamp)
    {
        var key = _keyBuffer ??= new ArrayBufferWriter<byte>(256);
        var value = _valueBuffer ??= new ArrayBufferWriter<byte>(1024);
        key.ResetWrittenCount();
        value.ResetWrittenCount();
        if (key.Capacity > 1 << 20)
        {
            _keyBuffer = key = new ArrayBufferWriter<byte>(256);
        }

        if (value.Capacity > 4 << 20)
        {
            _valueBuffer = value = new ArrayBufferWriter<byte>(1024);
        }

        try
        {
            _keyIsNull = !_keySerializer.Serialize(message.Key, key, new SerializationContext(MessageComponent.Key, topic, message.Headers));
            _valueIsNull = !_valueSerializer.Serialize(message.Value, value, new SerializationContext(MessageComponent.Value, topic, message.Headers));
        }
        catch (Exception e) when (e is not KafkaException)
        {
            throw new KafkaException(ErrorCode.InvalidRecord, $"serializing a record for topic '{topic}' failed: {e.Message}", e);
        }

        headers = null;
        int headerBytes = 0;
        if (message.Headers is { Count: > 0 } given)
        {
            headers = ArrayPool<RecordHeader>.Shared.Rent(given.Count);
            for (int i = 0; i < given.Count; i++)
            {
                headers[i] = new RecordHeader(given[i].Key, given[i].Value);
                headerBytes += given[i].Key.Length * 3 + (given[i].Value?.Length ?? 0) + 10;
            }

            if (headers.Length > given.Count)
            {
                Array.Clear(headers, given.Count, headers.Length - given.Count);
            }
        }

        timestamp = message.Timestamp?.ToUnixTimeMilliseconds() ?? _core.Context.NowMs;
        return key.WrittenCount + value.WrittenCount + headerBytes + 32;
    }

    private static void ReturnHeaders(RecordHeader[]? headers)
    {
        if (headers is not null)
        {
            ArrayPool<RecordHeader>.Shared.Return(headers, clearArray: true);
        }
    }

    private void AppendReserved(string topic, int partition, Message<TKey, TValue> message, ReadOnlySpan<byte> key, bool keyIsNull, ReadOnlySpan<byte> value, bool valueIsNull, RecordHeader[]? headers, long timestamp, int size, IDeliveryHandler? handler, object state)
    {
        try
        {
            int count = _core.CachedPartitionCount(topic);
            if (count <= 0)
            {
                throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"topic '{topic}' has no partitions in metadata");
            }

            var topicState = _core.Topic(topic);
            bool sticky = false;
            if (partition < 0)
            {
                partition = _partitioner?.Partition(topic, key, keyIsNull, count) ?? -1;
                if (partition < 0)
                {
                    if (!keyIsNull && !_ignoreKeys && _partitionerName is "murmur2_random" or "murmur2")
                    {
                        partition = Murmur2.Partition(key, count);
                    }
                    else
                    {
                        sticky = true;
                        partition = topicState.StickyPartition;
                        if (partition < 0 || partition >= count)
                        {
                            partition = topicState.StickyPartition = NextSticky(-1, count);
                        }
                    }
                }
            }
            else if (partition >= count)
            {
                throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"partition {partition} does not exist: topic '{topic}' has {count} partitions");
            }

            int headerCount = message.Headers?.Count ?? 0;
            _core.Append(
                new TopicPartition(topic, partition),
                timestamp,
                keyIsNull ? NullableBytes.Null : new NullableBytes(key),
                valueIsNull ? NullableBytes.Null : new NullableBytes(value),
                headers is null ? default : headers.AsSpan(0, headerCount),
                size,
                handler,
                state,
                out bool batchClosed);
            if (sticky && batchClosed)
            {
                // KIP-480: move on to another partition once the sticky one's batch is full.
                topicState.StickyPartition = NextSticky(partition, count);
            }
        }
        catch (ObjectDisposedException)
        {
            throw;
        }
        catch (KafkaException)
        {
            _core.Memory.Release(size);
            throw;
        }
    }

    private static int NextSticky(int previous, int count)
    {
        if (count == 1)
        {
            return 0;
        }

#pragma warning disable CA5394 // partition spreading, not security
        int next = Random.Shared.Next(count - 1);
#pragma warning restore CA5394
        return previous >= 0 && next >= previous ? next + 1 : next;
    }

    /// <summary>Sends everything buffered now and waits until every record produced before the call is acknowledged or failed.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _core.FlushAsync(cancellationToken);

    /// <summary>Flushes (up to <paramref name="timeout"/>) and closes; records still undelivered then fail.</summary>
    public async ValueTask CloseAsync(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _core.CloseAsync(timeout).ConfigureAwait(false);
            _logger.LogDebug("Producer closed");
        }
    }

    /// <summary>Flushes (up to 30 s) and closes.</summary>
    public ValueTask DisposeAsync() => CloseAsync(TimeSpan.FromSeconds(30));

    private static DeliveryResult<TKey, TValue> Result(Message<TKey, TValue> message, TopicPartition partition, long offset, long timestamp, KafkaException? error) => new()
    {
        Message = message,
        TopicPartition = partition,
        Offset = offset,
        TimestampMs = timestamp,
        Error = error?.Error ?? ErrorCode.None,
        Exception = error,
    };

    private sealed class DeliveryCompletion(Message<TKey, TValue> message) : TaskCompletionSource<DeliveryResult<TKey, TValue>>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public Message<TKey, TValue> Message { get; } = message;
    }

    private sealed class AsyncHandler : IDeliveryHandler
    {
        public void OnDelivery(TopicPartition partition, long offset, long timestamp, KafkaException? error, object? state)
        {
            var completion = (DeliveryCompletion)state!;
            var result = Result(completion.Message, partition, offset, timestamp, error);
            if (error is null)
            {
                completion.TrySetResult(result);
            }
            else
            {
                completion.TrySetException(new ProduceException<TKey, TValue>(result, error));
            }
        }
    }

    private sealed class CallbackHandler(Action<DeliveryResult<TKey, TValue>> callback) : IDeliveryHandler
    {
        public Action<DeliveryResult<TKey, TValue>> Callback { get; } = callback;

        public void OnDelivery(TopicPartition partition, long offset, long timestamp, KafkaException? error, object? state) =>
            Callback(Result((Message<TKey, TValue>)state!, partition, offset, timestamp, error));
    }
}

using System.Buffers;
using Eddy.Protocol;
using Eddy.Protocol.Records;

namespace Eddy.Client.Internal;

/// <summary>Receives the outcome of one record: its offset and timestamp, or the error.</summary>
internal interface IDeliveryHandler
{
    void OnDelivery(TopicPartition partition, long offset, long timestamp, KafkaException? error, object? state);
}

/// <summary>One record's delivery target, kept in its batch until the broker answers.</summary>
internal readonly struct DeliveryThunk(IDeliveryHandler? handler, object? state, long timestamp)
{
    public IDeliveryHandler? Handler { get; } = handler;

    public object? State { get; } = state;

    public long Timestamp { get; } = timestamp;
}

/// <summary>
/// Records for one partition on their way to the broker: built into a <see cref="RecordBatchBuilder"/>
/// as they arrive, encoded (with producer id, epoch and sequence) when first drained, and kept encoded
/// for retries so a retry is byte-for-byte the same batch (the broker dedupes it by sequence).
/// </summary>
internal sealed class ProducerBatch
{
    private byte[]? _encoded;
    private int _encodedLength;

    public ProducerBatch(TopicPartition partition, RecordBatchBuilder builder, long createdTicks)
    {
        Partition = partition;
        Builder = builder;
        CreatedTicks = createdTicks;
    }

    public TopicPartition Partition { get; }

    public RecordBatchBuilder Builder { get; }

    public List<DeliveryThunk> Thunks { get; } = [];

    public long CreatedTicks { get; }

    public int ReservedBytes { get; set; }

    public int BaseSequence { get; set; } = RecordBatchHeader.NoSequence;

    public long ProducerId { get; set; } = RecordBatchHeader.NoProducerId;

    public short ProducerEpoch { get; set; } = RecordBatchHeader.NoProducerEpoch;

    public int Attempts { get; set; }

    public long RetryAfterTicks { get; set; }

    public bool IsClosed { get; set; }

    public bool IsCompleted { get; set; }

    public int RecordCount => Builder.Count;

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ReadOnlyMemory<byte> Encoded => _encoded is null ? ReadOnlyMemory<byte>.Empty : _encoded.AsMemory(0, _encodedLength);

    public int EncodedSize => _encoded is null ? Builder.EstimatedSizeInBytes : _encodedLength;

    /// <summary>Encodes the batch with its current producer id, epoch and sequence (again after a sequence reset).</summary>
    public void Encode()
    {
        Builder.ProducerId = ProducerId;
        Builder.ProducerEpoch = ProducerEpoch;
        Builder.BaseSequence = BaseSequence;
        var writer = new ArrayBufferWriter<byte>(Builder.EstimatedSizeInBytes + 64);
        Builder.WriteTo(writer);
        Release();
        _encoded = ArrayPool<byte>.Shared.Rent(writer.WrittenCount);
        writer.WrittenSpan.CopyTo(_encoded);
        _encodedLength = writer.WrittenCount;
    }

    public void Release()
    {
        if (_encoded is not null)
        {
            ArrayPool<byte>.Shared.Return(_encoded);
            _encoded = null;
        }
    }

    /// <summary>Tells every record its outcome. Offsets follow the base offset in append order.</summary>
    public void Complete(long baseOffset, long logAppendTime, KafkaException? error)
    {
        for (int i = 0; i < Thunks.Count; i++)
        {
            var thunk = Thunks[i];
            long offset = error is null && baseOffset >= 0 ? baseOffset + i : -1;
            long timestamp = logAppendTime >= 0 ? logAppendTime : thunk.Timestamp;
            try
            {
                thunk.Handler?.OnDelivery(Partition, offset, timestamp, error, thunk.State);
            }
            catch (Exception e)
            {
                // A delivery handler's exception must not break the producer.
                System.Diagnostics.Debug.WriteLine(e);
            }
        }
    }

    public static KafkaException Error(ErrorCode code, string? message) =>
        new(code, message is null ? KafkaException.Describe(code) : $"{KafkaException.Describe(code)}: {message}");
}

using System.Collections;
using System.Text;
using Eddy.Protocol;

namespace Eddy.Client;

/// <summary>A record header: a string key and a nullable byte value.</summary>
/// <param name="Key">The header key.</param>
/// <param name="Value">The header value, or null.</param>
public sealed record Header(string Key, byte[]? Value)
{
    /// <summary>The value as UTF-8 text (null stays null).</summary>
    public string? GetValueAsString() => Value is null ? null : Encoding.UTF8.GetString(Value);
}

/// <summary>A record's headers, in order; keys may repeat.</summary>
/// <example>
/// <code>
/// var headers = new Headers { { "trace-id", "abc"u8.ToArray() } };
/// byte[]? last = headers.GetLastValue("trace-id");
/// </code>
/// </example>
public sealed class Headers : IReadOnlyList<Header>
{
    private readonly List<Header> _headers = [];

    /// <summary>The number of headers.</summary>
    public int Count => _headers.Count;

    /// <summary>The header at <paramref name="index"/>.</summary>
    public Header this[int index] => _headers[index];

    /// <summary>Adds a header.</summary>
    public void Add(string key, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        _headers.Add(new Header(key, value));
    }

    /// <summary>Adds a header with a UTF-8 value.</summary>
    public void Add(string key, string? value) => Add(key, value is null ? null : Encoding.UTF8.GetBytes(value));

    /// <summary>Removes every header with <paramref name="key"/>.</summary>
    public void Remove(string key) => _headers.RemoveAll(h => h.Key == key);

    /// <summary>The value of the last header with <paramref name="key"/>, or null.</summary>
    public byte[]? GetLastValue(string key)
    {
        for (int i = _headers.Count - 1; i >= 0; i--)
        {
            if (_headers[i].Key == key)
            {
                return _headers[i].Value;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public IEnumerator<Header> GetEnumerator() => _headers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A record to produce.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example>
/// <code>
/// var message = new Message&lt;string, string&gt; { Key = "user-1", Value = "clicked", Timestamp = DateTimeOffset.UtcNow };
/// </code>
/// </example>
public sealed class Message<TKey, TValue>
{
    /// <summary>The key (decides the partition unless one is given).</summary>
    public TKey Key { get; set; } = default!;

    /// <summary>The value.</summary>
    public TValue Value { get; set; } = default!;

    /// <summary>The record timestamp (CreateTime); null means now.</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>Headers, or null.</summary>
    public Headers? Headers { get; set; }
}

/// <summary>The outcome of producing one record.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example>
/// <code>
/// var result = await producer.ProduceAsync("orders", message);
/// Console.WriteLine($"{result.TopicPartition}@{result.Offset}");
/// </code>
/// </example>
public sealed class DeliveryResult<TKey, TValue>
{
    /// <summary>The record as it was given.</summary>
    public required Message<TKey, TValue> Message { get; init; }

    /// <summary>The partition the record went to.</summary>
    public required TopicPartition TopicPartition { get; init; }

    /// <summary>The record's offset; -1 with acks=0 or on failure.</summary>
    public long Offset { get; init; } = -1;

    /// <summary>The record's timestamp as stored (LogAppendTime when the topic uses it).</summary>
    public long TimestampMs { get; init; } = -1;

    /// <summary>None on success; otherwise why the record was not delivered.</summary>
    public ErrorCode Error { get; init; }

    /// <summary>The failure, or null on success.</summary>
    public KafkaException? Exception { get; init; }

    /// <summary>The topic.</summary>
    public string Topic => TopicPartition.Topic;

    /// <summary>The partition index.</summary>
    public int Partition => TopicPartition.Partition;

    /// <summary>Whether the broker confirmed the write (or, with acks=0, it was sent).</summary>
    public bool IsSuccess => Exception is null;
}

/// <summary>A produce failed; carries the delivery result.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <example>
/// <code>
/// catch (ProduceException&lt;string, string&gt; e) { Console.WriteLine(e.DeliveryResult.Error); }
/// </code>
/// </example>
public sealed class ProduceException<TKey, TValue> : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public ProduceException(DeliveryResult<TKey, TValue> result, KafkaException cause)
        : base(cause.Error, $"producing to {result.TopicPartition} failed: {cause.Message}", cause)
    {
        DeliveryResult = result;
    }

    /// <summary>Creates the exception.</summary>
    public ProduceException()
    {
        DeliveryResult = null!;
    }

    /// <summary>Creates the exception.</summary>
    public ProduceException(string message)
        : base(message)
    {
        DeliveryResult = null!;
    }

    /// <summary>Creates the exception.</summary>
    public ProduceException(string message, Exception innerException)
        : base(message, innerException)
    {
        DeliveryResult = null!;
    }

    /// <summary>The failed record and where it was going.</summary>
    public DeliveryResult<TKey, TValue> DeliveryResult { get; }

    /// <inheritdoc />
    public override bool IsRetriable => InnerException is KafkaException k && k.IsRetriable;
}

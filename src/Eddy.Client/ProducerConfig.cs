using Eddy.Client.Internal;

namespace Eddy.Client;

/// <summary>Producer settings (Kafka's <c>ProducerConfig</c> names and Java defaults).</summary>
/// <example>
/// <code>
/// var config = new ProducerConfig { BootstrapServers = "localhost:9092", Acks = Acks.All, CompressionType = "lz4" };
/// await using var producer = new KafkaProducer&lt;string, string&gt;(config, Serializers.Utf8, Serializers.Utf8);
/// </code>
/// </example>
public sealed class ProducerConfig : ClientConfig
{
    /// <summary>Creates an empty producer configuration.</summary>
    public ProducerConfig()
    {
    }

    /// <summary>Creates a producer configuration from Kafka property names and values.</summary>
    public ProducerConfig(IEnumerable<KeyValuePair<string, string>> properties)
        : base(properties)
    {
    }

    /// <summary>Acknowledgements the leader must have before a send succeeds (<c>acks</c>; default all).</summary>
    public Acks? Acks
    {
        get => this["acks"] switch { null => null, "0" => Client.Acks.None, "1" => Client.Acks.Leader, _ => Client.Acks.All };
        set => this["acks"] = value switch { null => null, Client.Acks.None => "0", Client.Acks.Leader => "1", _ => "all" };
    }

    /// <summary>How long a batch may wait for more records (<c>linger.ms</c>; default 5).</summary>
    public long? LingerMs { get => GetLong("linger.ms"); set => SetNumber("linger.ms", value); }

    /// <summary>Target batch size per partition in bytes (<c>batch.size</c>; default 16384).</summary>
    public int? BatchSize { get => GetInt("batch.size"); set => SetNumber("batch.size", value); }

    /// <summary>Bytes of unsent records the producer may hold before sends block (<c>buffer.memory</c>).</summary>
    public long? BufferMemory { get => GetLong("buffer.memory"); set => SetNumber("buffer.memory", value); }

    /// <summary>none, gzip, snappy, lz4 or zstd (<c>compression.type</c>).</summary>
    public string? CompressionType { get => this["compression.type"]; set => this["compression.type"] = value; }

    /// <summary>Exactly-once per partition within a producer session (<c>enable.idempotence</c>; default true).</summary>
    public bool? EnableIdempotence { get => GetBool("enable.idempotence"); set => SetBool("enable.idempotence", value); }

    /// <summary>Unacknowledged requests per connection (<c>max.in.flight.requests.per.connection</c>; at most 5 with idempotence).</summary>
    public int? MaxInFlightRequestsPerConnection { get => GetInt("max.in.flight.requests.per.connection"); set => SetNumber("max.in.flight.requests.per.connection", value); }

    /// <summary>How often a failed batch is retried (<c>retries</c>).</summary>
    public int? Retries { get => GetInt("retries"); set => SetNumber("retries", value); }

    /// <summary>Upper bound on the time from send to success or failure (<c>delivery.timeout.ms</c>; default 120000).</summary>
    public int? DeliveryTimeoutMs { get => GetInt("delivery.timeout.ms"); set => SetNumber("delivery.timeout.ms", value); }

    /// <summary>How long a send may block for metadata or buffer space (<c>max.block.ms</c>).</summary>
    public long? MaxBlockMs { get => GetLong("max.block.ms"); set => SetNumber("max.block.ms", value); }

    /// <summary>Largest produce request in bytes (<c>max.request.size</c>).</summary>
    public int? MaxRequestSize { get => GetInt("max.request.size"); set => SetNumber("max.request.size", value); }

    /// <summary>murmur2_random (default: Java's keyed murmur2, sticky for null keys), murmur2 or random (<c>partitioner</c>).</summary>
    public string? Partitioner { get => this["partitioner"]; set => this["partitioner"] = value; }

    private protected override ConfigScope Scope => ConfigScope.Producer;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        bool idempotenceSet = IsSet("enable.idempotence");
        bool idempotence = GetBoolOrDefault("enable.idempotence");
        string acks = GetString("acks");
        if (idempotence && idempotenceSet)
        {
            if (acks is not ("all" or "-1"))
            {
                throw new KafkaConfigException("acks", "enable.idempotence=true requires acks=all");
            }

            if (GetIntOrDefault("max.in.flight.requests.per.connection") > 5)
            {
                throw new KafkaConfigException("max.in.flight.requests.per.connection", "enable.idempotence=true requires max.in.flight.requests.per.connection <= 5");
            }

            if (GetIntOrDefault("retries") == 0)
            {
                throw new KafkaConfigException("retries", "enable.idempotence=true requires retries > 0");
            }
        }

        long linger = GetLongOrDefault("linger.ms");
        long requestTimeout = GetLongOrDefault("request.timeout.ms");
        if (IsSet("delivery.timeout.ms") && GetLongOrDefault("delivery.timeout.ms") < linger + requestTimeout)
        {
            throw new KafkaConfigException("delivery.timeout.ms", $"delivery.timeout.ms must be at least linger.ms + request.timeout.ms ({linger + requestTimeout})");
        }
    }

    /// <summary>
    /// Whether idempotence is in effect: on by default, but (as in the Java client) silently off when it
    /// was not set explicitly and acks, retries or max.in.flight conflict with it.
    /// </summary>
    internal bool IdempotenceEnabled
    {
        get
        {
            if (!GetBoolOrDefault("enable.idempotence"))
            {
                return false;
            }

            if (IsSet("enable.idempotence"))
            {
                return true;
            }

            return GetString("acks") is "all" or "-1" && GetIntOrDefault("max.in.flight.requests.per.connection") <= 5 && GetIntOrDefault("retries") > 0;
        }
    }
}

/// <summary>How many acknowledgements a produce request waits for.</summary>
public enum Acks
{
    /// <summary>acks=0: no response at all; delivery is not confirmed and offsets are unknown.</summary>
    None = 0,

    /// <summary>acks=1: the leader wrote the records.</summary>
    Leader = 1,

    /// <summary>acks=all (-1): every in-sync replica has the records.</summary>
    All = -1,
}

using System.Globalization;
using Eddy.Streams.Errors;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eddy.Streams;

/// <summary>
/// Configuration of a streams application. Typed properties for C#; every setting also answers to its
/// Kafka Streams name through the indexer (<c>config["application.id"]</c>), so existing property files carry over.
/// </summary>
/// <example>
/// <code>
/// var config = new StreamsConfig
/// {
///     ApplicationId = "wordcount",
///     DefaultKeySerde = Serdes.String(),
///     DefaultValueSerde = Serdes.String(),
/// };
/// config["statestore.cache.max.bytes"] = 0L; // caching off
/// </code>
/// </example>
public sealed class StreamsConfig
{
    /// <summary><c>application.id</c>: names the consumer group, internal topics and state.</summary>
    public const string ApplicationIdConfig = "application.id";

    /// <summary><c>bootstrap.servers</c>.</summary>
    public const string BootstrapServersConfig = "bootstrap.servers";

    /// <summary><c>default.key.serde</c>.</summary>
    public const string DefaultKeySerdeConfig = "default.key.serde";

    /// <summary><c>default.value.serde</c>.</summary>
    public const string DefaultValueSerdeConfig = "default.value.serde";

    /// <summary><c>statestore.cache.max.bytes</c>: record cache size per thread; 0 turns caching off.</summary>
    public const string StateStoreCacheMaxBytesConfig = "statestore.cache.max.bytes";

    /// <summary><c>cache.max.bytes.buffering</c>: the deprecated name of <see cref="StateStoreCacheMaxBytesConfig"/>.</summary>
    public const string CacheMaxBytesBufferingConfig = "cache.max.bytes.buffering";

    /// <summary><c>commit.interval.ms</c>.</summary>
    public const string CommitIntervalMsConfig = "commit.interval.ms";

    /// <summary><c>default.timestamp.extractor</c>.</summary>
    public const string DefaultTimestampExtractorConfig = "default.timestamp.extractor";

    /// <summary><c>deserialization.exception.handler</c>.</summary>
    public const string DeserializationExceptionHandlerConfig = "deserialization.exception.handler";

    /// <summary><c>default.deserialization.exception.handler</c>: the older name of <see cref="DeserializationExceptionHandlerConfig"/>.</summary>
    public const string DefaultDeserializationExceptionHandlerConfig = "default.deserialization.exception.handler";

    /// <summary><c>production.exception.handler</c>.</summary>
    public const string ProductionExceptionHandlerConfig = "production.exception.handler";

    /// <summary><c>processing.exception.handler</c>.</summary>
    public const string ProcessingExceptionHandlerConfig = "processing.exception.handler";

    /// <summary><c>num.stream.threads</c>.</summary>
    public const string NumStreamThreadsConfig = "num.stream.threads";

    /// <summary><c>processing.guarantee</c>: <c>at_least_once</c> or <c>exactly_once_v2</c>.</summary>
    public const string ProcessingGuaranteeConfig = "processing.guarantee";

    /// <summary><c>state.dir</c>.</summary>
    public const string StateDirConfig = "state.dir";

    /// <summary><c>max.task.idle.ms</c>.</summary>
    public const string MaxTaskIdleMsConfig = "max.task.idle.ms";

    /// <summary><c>topology.optimization</c>: only <c>none</c> is supported so far.</summary>
    public const string TopologyOptimizationConfig = "topology.optimization";

    /// <summary><c>num.standby.replicas</c>.</summary>
    public const string NumStandbyReplicasConfig = "num.standby.replicas";

    /// <summary><c>client.id</c>.</summary>
    public const string ClientIdConfig = "client.id";

    /// <summary>The default of <c>statestore.cache.max.bytes</c>: 10 MiB, as Kafka.</summary>
    public const long DefaultStateStoreCacheMaxBytes = 10L * 1024 * 1024;

    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    /// <summary>Creates a configuration with Kafka Streams' defaults.</summary>
    public StreamsConfig() { }

    /// <summary>Creates a configuration from Kafka-style properties.</summary>
    /// <param name="properties">Names and values, such as <c>{"application.id": "app"}</c>.</param>
    public StreamsConfig(IEnumerable<KeyValuePair<string, object?>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        foreach (var p in properties)
        {
            this[p.Key] = p.Value;
        }
    }

    /// <summary>A setting by its Kafka Streams name. Unknown names are kept (for clients and plugins).</summary>
    /// <param name="name">The setting name, such as <c>commit.interval.ms</c>.</param>
    public object? this[string name]
    {
        get => _values.TryGetValue(Canonical(name), out var v) ? v : null;
        set => _values[Canonical(name)] = value;
    }

    /// <summary>Every setting that was set explicitly, by Kafka name.</summary>
    public IReadOnlyDictionary<string, object?> Originals => _values;

    /// <summary><c>application.id</c> (required to run).</summary>
    public string ApplicationId
    {
        get => this[ApplicationIdConfig] as string ?? "";
        set => this[ApplicationIdConfig] = value;
    }

    /// <summary><c>bootstrap.servers</c>.</summary>
    public string? BootstrapServers
    {
        get => this[BootstrapServersConfig] as string;
        set => this[BootstrapServersConfig] = value;
    }

    /// <summary><c>client.id</c>.</summary>
    public string? ClientId
    {
        get => this[ClientIdConfig] as string;
        set => this[ClientIdConfig] = value;
    }

    /// <summary>
    /// <c>default.key.serde</c>: an <see cref="ISerde{T}"/> or a provider such as <see cref="Serdes.Json(System.Text.Json.JsonSerializerOptions)"/>.
    /// When unset, built-in types (string, numbers, byte[], Guid) get their built-in serde.
    /// </summary>
    public ISerdeProvider? DefaultKeySerde
    {
        get => this[DefaultKeySerdeConfig] as ISerdeProvider;
        set => this[DefaultKeySerdeConfig] = value;
    }

    /// <summary><c>default.value.serde</c>; see <see cref="DefaultKeySerde"/>.</summary>
    public ISerdeProvider? DefaultValueSerde
    {
        get => this[DefaultValueSerdeConfig] as ISerdeProvider;
        set => this[DefaultValueSerdeConfig] = value;
    }

    /// <summary><c>statestore.cache.max.bytes</c>: the record cache size; 0 forwards every update (caching off). Default 10 MiB.</summary>
    public long StateStoreCacheMaxBytes
    {
        get => GetLong(StateStoreCacheMaxBytesConfig, DefaultStateStoreCacheMaxBytes);
        set => this[StateStoreCacheMaxBytesConfig] = value;
    }

    /// <summary><c>commit.interval.ms</c>. Default 30 s (100 ms under exactly-once).</summary>
    public TimeSpan CommitInterval
    {
        get => TimeSpan.FromMilliseconds(GetLong(CommitIntervalMsConfig, ProcessingGuarantee == ProcessingGuarantee.ExactlyOnceV2 ? 100 : 30_000));
        set => this[CommitIntervalMsConfig] = (long)value.TotalMilliseconds;
    }

    /// <summary><c>default.timestamp.extractor</c>. Default <see cref="FailOnInvalidTimestamp"/>.</summary>
    public ITimestampExtractor DefaultTimestampExtractor
    {
        get => this[DefaultTimestampExtractorConfig] as ITimestampExtractor ?? DefaultExtractor;
        set => this[DefaultTimestampExtractorConfig] = value;
    }

    /// <summary><c>deserialization.exception.handler</c>. Default <see cref="LogAndFailExceptionHandler"/>.</summary>
    public IDeserializationExceptionHandler DeserializationExceptionHandler
    {
        get => this[DeserializationExceptionHandlerConfig] as IDeserializationExceptionHandler ?? DefaultDeserializationHandler;
        set => this[DeserializationExceptionHandlerConfig] = value;
    }

    /// <summary><c>production.exception.handler</c>. Default <see cref="DefaultProductionExceptionHandler"/>.</summary>
    public IProductionExceptionHandler ProductionExceptionHandler
    {
        get => this[ProductionExceptionHandlerConfig] as IProductionExceptionHandler ?? DefaultProductionHandler;
        set => this[ProductionExceptionHandlerConfig] = value;
    }

    /// <summary><c>processing.exception.handler</c>. Default <see cref="LogAndFailProcessingExceptionHandler"/>.</summary>
    public IProcessingExceptionHandler ProcessingExceptionHandler
    {
        get => this[ProcessingExceptionHandlerConfig] as IProcessingExceptionHandler ?? DefaultProcessingHandler;
        set => this[ProcessingExceptionHandlerConfig] = value;
    }

    /// <summary><c>num.stream.threads</c>. Default 1.</summary>
    public int NumStreamThreads
    {
        get => (int)GetLong(NumStreamThreadsConfig, 1);
        set => this[NumStreamThreadsConfig] = value;
    }

    /// <summary><c>num.standby.replicas</c>. Default 0.</summary>
    public int NumStandbyReplicas
    {
        get => (int)GetLong(NumStandbyReplicasConfig, 0);
        set => this[NumStandbyReplicasConfig] = value;
    }

    /// <summary><c>processing.guarantee</c>. Default at-least-once.</summary>
    public ProcessingGuarantee ProcessingGuarantee
    {
        get => this[ProcessingGuaranteeConfig] switch
        {
            ProcessingGuarantee g => g,
            "exactly_once_v2" => ProcessingGuarantee.ExactlyOnceV2,
            null or "at_least_once" => ProcessingGuarantee.AtLeastOnce,
            var other => throw new StreamsException($"Invalid value {other} for configuration processing.guarantee: String must be one of: at_least_once, exactly_once_v2"),
        };
        set => this[ProcessingGuaranteeConfig] = value;
    }

    /// <summary><c>state.dir</c>. Default <c>{temp}/kafka-streams</c>.</summary>
    public string StateDir
    {
        get => this[StateDirConfig] as string ?? Path.Combine(Path.GetTempPath(), "kafka-streams");
        set => this[StateDirConfig] = value;
    }

    /// <summary><c>max.task.idle.ms</c>. Default 0.</summary>
    public long MaxTaskIdleMs
    {
        get => GetLong(MaxTaskIdleMsConfig, 0);
        set => this[MaxTaskIdleMsConfig] = value;
    }

    /// <summary><c>topology.optimization</c>. Only <c>none</c> is implemented; other values are rejected when a topology is built.</summary>
    public string TopologyOptimization
    {
        get => this[TopologyOptimizationConfig] as string ?? "none";
        set => this[TopologyOptimizationConfig] = value;
    }

    /// <summary>The clock for wall-clock punctuation and wall-clock timestamps (not a Kafka setting). Default the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the library logs (not a Kafka setting). Default no logging.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    private static readonly FailOnInvalidTimestamp DefaultExtractor = new();
    private static readonly LogAndFailExceptionHandler DefaultDeserializationHandler = new();
    private static readonly DefaultProductionExceptionHandler DefaultProductionHandler = new();
    private static readonly LogAndFailProcessingExceptionHandler DefaultProcessingHandler = new();

    /// <summary>A copy of this configuration.</summary>
    /// <returns>The copy.</returns>
    public StreamsConfig Clone()
    {
        var c = new StreamsConfig(_values) { TimeProvider = TimeProvider, LoggerFactory = LoggerFactory };
        return c;
    }

    /// <summary>Fails with a clear message when a required setting is missing.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(ApplicationId))
        {
            throw new StreamsException("Missing required configuration \"application.id\" which has no default value.");
        }
        if (StateStoreCacheMaxBytes < 0)
        {
            throw new StreamsException("Invalid value for configuration statestore.cache.max.bytes: must be at least 0.");
        }
        if (TopologyOptimization is not ("none" or ""))
        {
            throw new StreamsException($"topology.optimization={TopologyOptimization} is not supported yet; use none.");
        }
    }

    private long GetLong(string name, long fallback) => this[name] switch
    {
        null => fallback,
        long l => l,
        int i => i,
        string s => long.Parse(s, CultureInfo.InvariantCulture),
        TimeSpan t => (long)t.TotalMilliseconds,
        IConvertible c => c.ToInt64(CultureInfo.InvariantCulture),
        var other => throw new StreamsException($"Invalid value {other} for configuration {name}: expected a number."),
    };

    private static string Canonical(string name) => name switch
    {
        CacheMaxBytesBufferingConfig => StateStoreCacheMaxBytesConfig,
        DefaultDeserializationExceptionHandlerConfig => DeserializationExceptionHandlerConfig,
        "default.production.exception.handler" => ProductionExceptionHandlerConfig,
        _ => name,
    };
}

/// <summary>Kafka Streams' processing guarantees.</summary>
/// <example><code>config.ProcessingGuarantee = ProcessingGuarantee.ExactlyOnceV2;</code></example>
public enum ProcessingGuarantee
{
    /// <summary><c>at_least_once</c>.</summary>
    AtLeastOnce,

    /// <summary><c>exactly_once_v2</c>.</summary>
    ExactlyOnceV2,
}

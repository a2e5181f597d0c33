using System.Globalization;
using Eddy.Client;
using Eddy.Protocol;
using Eddy.Sql.Analysis;
using Eddy.Streams;
using TopicPartition = Eddy.Client.TopicPartition;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eddy.Sql.Engine.Execution;

/// <summary>
/// The engine's connection to Kafka: one admin client and one shared producer (INSERT VALUES), topic
/// creation and deletion, and the streams configuration every query runs with.
/// </summary>
internal sealed class KafkaRuntime : IAsyncDisposable
{
    private readonly SqlEngineOptions _options;
    private readonly Lock _producerLock = new();
    private KafkaProducer<byte[]?, byte[]?>? _producer;

    public KafkaRuntime(SqlEngineOptions options)
    {
        _options = options;
        LoggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        Logger = LoggerFactory.CreateLogger("Eddy.Sql.Engine");
        Admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = options.BootstrapServers, ClientId = "eddy-sql-admin" }, options.LoggerFactory);
    }

    public KafkaAdminClient Admin { get; }

    public ILoggerFactory LoggerFactory { get; }

    public ILogger Logger { get; }

    public SqlEngineOptions Options => _options;

    /// <summary>The engine's one producer, created on first use; it never creates topics by itself.</summary>
    public KafkaProducer<byte[]?, byte[]?> Producer
    {
        get
        {
            lock (_producerLock)
            {
                if (_producer is null)
                {
                    var config = new ProducerConfig { BootstrapServers = _options.BootstrapServers, ClientId = "eddy-sql-producer", LingerMs = 0 };
                    config["allow.auto.create.topics"] = "false";
                    _producer = new KafkaProducer<byte[]?, byte[]?>(config, Serializers.ByteArray, Serializers.ByteArray, _options.LoggerFactory);
                }

                return _producer;
            }
        }
    }

    /// <summary>The partition count of a topic, or null when it does not exist.</summary>
    public async Task<int?> PartitionsAsync(string topic, CancellationToken cancellationToken)
    {
        var d = (await Admin.DescribeTopicsAsync([topic], cancellationToken).ConfigureAwait(false))[0];
        return d.Error == ErrorCode.None && d.Partitions.Count > 0 ? d.Partitions.Count : null;
    }

    /// <summary>Creates a topic, accepting one that already exists.</summary>
    public async Task CreateTopicAsync(string topic, int partitions, int replicas, CancellationToken cancellationToken)
    {
        try
        {
            await Admin.CreateTopicsAsync([new NewTopic(topic, partitions, (short)replicas)], cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (AdminOperationException e) when (e.Results.All(r => r.IsSuccess || r.Error == ErrorCode.TopicAlreadyExists))
        {
        }
        catch (AdminOperationException e)
        {
            throw new SqlException($"Could not create topic '{topic}': {string.Join("; ", e.Results.Where(r => !r.IsSuccess).Select(r => r.Message ?? r.Error.ToString()))}", e);
        }
    }

    /// <summary>Ensures a source's topic exists: creates it when PARTITIONS is given, else fails as ksqlDB does.</summary>
    public async Task EnsureSourceTopicAsync(DataSource source, CancellationToken cancellationToken)
    {
        if (await PartitionsAsync(source.Topic, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        if (source.Partitions is not { } partitions)
        {
            var kind = source.IsTable ? "table" : "stream";
            throw new SqlException($"Topic '{source.Topic}' does not exist. If you want to create a new topic for the {kind} please re-run the statement providing the required 'PARTITIONS' configuration in the WITH clause (and optionally 'REPLICAS'). For example: CREATE {kind.ToUpperInvariant()} {source.Name} (ID INT) WITH (KAFKA_TOPIC='{source.Topic}', PARTITIONS=2, REPLICAS=1, FORMAT='JSON');");
        }

        await CreateTopicAsync(source.Topic, partitions, source.Replicas ?? 1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ensures a query's sink topic exists: PARTITIONS if given, else as many partitions as its first source's topic.</summary>
    public async Task EnsureSinkTopicAsync(AnalyzedQuery query, CancellationToken cancellationToken)
    {
        var sink = query.Sink!;
        if (await PartitionsAsync(sink.Topic, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            if (sink.Partitions is { } wanted && wanted != existing)
            {
                throw new SqlException($"A Kafka topic with the name '{sink.Topic}' already exists, with different partition/replica configuration than required. KSQL expects {wanted} partitions (topic has {existing}).");
            }

            return;
        }

        var partitions = sink.Partitions;
        if (partitions is null)
        {
            foreach (var s in query.Sources)
            {
                partitions = await PartitionsAsync(s.Source.Topic, cancellationToken).ConfigureAwait(false);
                if (partitions is not null)
                {
                    break;
                }
            }
        }

        await CreateTopicAsync(sink.Topic, partitions ?? 1, sink.Replicas ?? 1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes topics, ignoring ones already gone.</summary>
    public async Task DeleteTopicsAsync(IReadOnlyCollection<string> topics, CancellationToken cancellationToken)
    {
        if (topics.Count == 0)
        {
            return;
        }

        try
        {
            await Admin.DeleteTopicsAsync(topics, cancellationToken).ConfigureAwait(false);
        }
        catch (AdminOperationException e) when (e.Results.All(r => r.IsSuccess || r.Error == ErrorCode.UnknownTopicOrPartition))
        {
        }
    }

    /// <summary>Deletes an application's state directory, internal topics (those prefixed by its id) and consumer group.</summary>
    public async Task CleanUpApplicationAsync(string applicationId, CancellationToken cancellationToken)
    {
        try
        {
            var dir = Path.Combine(_options.StateDirectory, applicationId);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Logger.LogWarning(e, "Could not delete the state directory of {Application}", applicationId);
        }

        try
        {
            var topics = await Admin.ListTopicsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await DeleteTopicsAsync([.. topics.Where(t => t.StartsWith(applicationId + "-", StringComparison.Ordinal))], cancellationToken).ConfigureAwait(false);
            await Admin.DeleteConsumerGroupsAsync([applicationId], cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            Logger.LogWarning(e, "Could not clean up the internal topics or group of {Application}", applicationId);
        }
    }

    /// <summary>
    /// auto.offset.reset for a query: the statement's (or session's) <c>auto.offset.reset</c> or
    /// <c>ksql.streams.auto.offset.reset</c>, then the engine's streams properties, else ksqlDB's default <c>latest</c>.
    /// </summary>
    public bool ReadsFromEarliest(IReadOnlyDictionary<string, string>? properties)
    {
        static string? Find(IReadOnlyDictionary<string, string>? props) =>
            props is null ? null
            : props.TryGetValue("auto.offset.reset", out var a) ? a
            : props.TryGetValue("ksql.streams.auto.offset.reset", out var b) ? b
            : null;

        var value = Find(properties) ?? Find(_options.StreamsProperties) ?? "latest";
        return value.Trim().ToLowerInvariant() switch
        {
            "earliest" => true,
            "latest" => false,
            _ => throw new SqlException($"Invalid value {value} for configuration auto.offset.reset: String must be one of: latest, earliest, none"),
        };
    }

    /// <summary>The streams configuration of a query: the plan's, plus the cluster, state directory, engine properties and statement overrides.</summary>
    public StreamsConfig Config(StreamsConfig baseConfig, string applicationId, IReadOnlyDictionary<string, string>? properties)
    {
        var config = baseConfig.Clone();
        config.ApplicationId = applicationId;
        config.BootstrapServers = _options.BootstrapServers;
        config.StateDir = _options.StateDirectory;
        config.CommitInterval = TimeSpan.FromSeconds(2);
        foreach (var (k, v) in _options.StreamsProperties)
        {
            Set(config, k, v);
        }

        foreach (var (k, v) in properties ?? new Dictionary<string, string>())
        {
            if (k.StartsWith("ksql.streams.", StringComparison.Ordinal))
            {
                Set(config, k["ksql.streams.".Length..], v);
            }
        }

        // "latest" is applied by committing the source topics' end offsets before the first start (see
        // CommitLatestAsync), so internal topics are always read from their beginning.
        config["consumer.auto.offset.reset"] = "earliest";
        config.LoggerFactory = LoggerFactory;
        return config;
    }

    private static void Set(StreamsConfig config, string key, string value)
    {
        if (key is "auto.offset.reset" or "application.id" or "bootstrap.servers" or "state.dir")
        {
            return;
        }

        config[key] = value;
    }

    /// <summary>
    /// For a query starting at "latest": when its group has no committed offsets yet, commits the current
    /// end of every source partition, so records produced after this call are never skipped (a consumer
    /// resetting to latest on its own would race with them).
    /// </summary>
    public async Task CommitLatestAsync(string applicationId, IEnumerable<string> sourceTopics, CancellationToken cancellationToken)
    {
        var committed = await Admin.ListConsumerGroupOffsetsAsync(applicationId, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (committed.Any(o => o.Offset >= 0))
        {
            return;
        }

        var partitions = new Dictionary<TopicPartition, long>();
        foreach (var topic in sourceTopics.Distinct(StringComparer.Ordinal))
        {
            var count = await PartitionsAsync(topic, cancellationToken).ConfigureAwait(false) ?? 0;
            for (var p = 0; p < count; p++)
            {
                partitions[new TopicPartition(topic, p)] = Offsets.End;
            }
        }

        if (partitions.Count == 0)
        {
            return;
        }

        var ends = await Admin.ListOffsetsAsync(partitions, cancellationToken: cancellationToken).ConfigureAwait(false);
        await Admin.AlterConsumerGroupOffsetsAsync(applicationId, ends.Where(e => e.Offset >= 0).Select(e => new TopicPartitionOffset(e.TopicPartition, e.Offset)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SHOW TOPICS: every topic (internal ones, starting with '_', only for SHOW ALL TOPICS) with replicas per partition, and for EXTENDED its consumers.</summary>
    public async Task<IReadOnlyList<KafkaTopicInfo>> TopicsAsync(bool all, bool extended, CancellationToken cancellationToken)
    {
        var names = (await Admin.ListTopicsAsync(includeInternal: all, cancellationToken: cancellationToken).ConfigureAwait(false)).Where(n => all || !n.StartsWith('_')).ToList();
        var descriptions = names.Count == 0 ? [] : await Admin.DescribeTopicsAsync(names, cancellationToken).ConfigureAwait(false);
        var consumers = new Dictionary<string, (int Consumers, HashSet<string> Groups)>(StringComparer.Ordinal);
        if (extended)
        {
            var groups = await Admin.ListConsumerGroupsAsync(cancellationToken).ConfigureAwait(false);
            if (groups.Count > 0)
            {
                foreach (var group in await Admin.DescribeConsumerGroupsAsync(groups.Select(g => g.GroupId), cancellationToken).ConfigureAwait(false))
                {
                    foreach (var member in group.Members)
                    {
                        foreach (var topic in member.Assignment.Select(a => a.Topic).Distinct(StringComparer.Ordinal))
                        {
                            if (!consumers.TryGetValue(topic, out var entry))
                            {
                                entry = (0, new HashSet<string>(StringComparer.Ordinal));
                            }

                            entry.Groups.Add(group.GroupId);
                            consumers[topic] = (entry.Consumers + 1, entry.Groups);
                        }
                    }
                }
            }
        }

        return [.. descriptions.Where(d => d.Error == ErrorCode.None).OrderBy(d => d.Name, StringComparer.Ordinal).Select(d =>
        {
            var (count, groups) = consumers.TryGetValue(d.Name, out var x) ? x : (0, []);
            return new KafkaTopicInfo(d.Name, [.. d.Partitions.OrderBy(p => p.Partition).Select(p => p.Replicas.Count)], count, groups.Count);
        })];
    }

    /// <summary>DESCRIBE EXTENDED's runtime figures of a source's topic.</summary>
    public async Task<SourceRuntimeStatistics> StatisticsAsync(string topic, IReadOnlyDictionary<string, string> queries, CancellationToken cancellationToken)
    {
        var d = (await Admin.DescribeTopicsAsync([topic], cancellationToken).ConfigureAwait(false))[0];
        if (d.Error != ErrorCode.None || d.Partitions.Count == 0)
        {
            return new SourceRuntimeStatistics(0, 0, 0, queries);
        }

        var partitions = d.Partitions.Select(p => new TopicPartition(topic, p.Partition)).ToList();
        var ends = await Admin.ListOffsetsAsync(partitions.ToDictionary(p => p, _ => Offsets.End), cancellationToken: cancellationToken).ConfigureAwait(false);
        var starts = await Admin.ListOffsetsAsync(partitions.ToDictionary(p => p, _ => Offsets.Beginning), cancellationToken: cancellationToken).ConfigureAwait(false);
        var total = ends.Sum(e => Math.Max(0, e.Offset)) - starts.Sum(s => Math.Max(0, s.Offset));
        return new SourceRuntimeStatistics(d.Partitions.Count, d.Partitions[0].Replicas.Count, total, queries);
    }

    public static string Millis(TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        KafkaProducer<byte[]?, byte[]?>? producer;
        lock (_producerLock)
        {
            producer = _producer;
            _producer = null;
        }

        if (producer is not null)
        {
            await producer.CloseAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        await Admin.DisposeAsync().ConfigureAwait(false);
    }
}

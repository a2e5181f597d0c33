using Eddy.Client.Internal;
using Eddy.Protocol;
using Eddy.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Eddy.Client;

/// <summary>
/// Kafka administration: topics (create, delete, partitions, describe), the cluster, configs
/// (describe, alter, incremental alter), records and offsets (delete records, list offsets) and
/// consumer groups (list, describe, delete, and their offsets). Requests go where Kafka wants them:
/// topic changes to the controller, group operations to the group coordinator, record and offset
/// operations to partition leaders. A broker without an API (librdkafka's mock cluster has no admin
/// APIs) gives a clear <see cref="KafkaException"/> with <see cref="ErrorCode.UnsupportedVersion"/>.
/// </summary>
/// <example>
/// <code>
/// await using var admin = new KafkaAdminClient(new AdminClientConfig { BootstrapServers = "localhost:9092" });
/// await admin.CreateTopicsAsync([new NewTopic("orders", 6, 1)]);
/// var topics = await admin.DescribeTopicsAsync(["orders"]);
/// </code>
/// </example>
public sealed class KafkaAdminClient : IAsyncDisposable
{
    private readonly ClientContext _context;
    private readonly Cluster _cluster;
    private readonly ILogger _logger;
    private readonly TimeSpan _defaultTimeout;

    /// <summary>Creates an admin client; the settings are validated first.</summary>
    public KafkaAdminClient(AdminClientConfig config, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _context = new ClientContext(config, loggerFactory, timeProvider, "admin");
        _logger = _context.LoggerFactory.CreateLogger("Eddy.Client.Admin");
        _cluster = new Cluster(_context, 5, allowAutoCreate: false);
        _defaultTimeout = TimeSpan.FromMilliseconds(config.GetIntOrDefault("default.api.timeout.ms"));
    }

    /// <summary>Creates topics; throws <see cref="AdminOperationException"/> when any fails (TopicAlreadyExists included).</summary>
    public async Task<IReadOnlyList<AdminResult>> CreateTopicsAsync(IEnumerable<NewTopic> topics, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        var list = topics.ToList();
        var request = new CreateTopicsRequest { timeoutMs = (int)_defaultTimeout.TotalMilliseconds, validateOnly = validateOnly };
        foreach (var t in list)
        {
            var topic = new CreateTopicsRequest.CreatableTopic { Name = t.Name, NumPartitions = t.NumPartitions, ReplicationFactor = t.ReplicationFactor };
            foreach (var (name, value) in t.Configs)
            {
                topic.Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = name, Value = value });
            }

            foreach (var (partition, brokers) in t.ReplicaAssignment ?? [])
            {
                topic.Assignments.Add(new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = partition, BrokerIds = [.. brokers] });
            }

            request.Topics.Add(topic);
        }

        var response = await ControllerRequestAsync<CreateTopicsRequest, CreateTopicsResponse>(
            request, r => r.Topics.Any(t => (ErrorCode)t.ErrorCode == ErrorCode.NotController), cancellationToken).ConfigureAwait(false);
        var results = response.Topics.Select(t => new AdminResult(t.Name, (ErrorCode)t.ErrorCode, t.ErrorMessage)).ToList();
        await _cluster.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return Check("CreateTopics", results);
    }

    /// <summary>Deletes topics.</summary>
    public async Task<IReadOnlyList<AdminResult>> DeleteTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        var names = topics.ToList();
        var request = new DeleteTopicsRequest { TimeoutMs = (int)_defaultTimeout.TotalMilliseconds, TopicNames = names, Topics = [.. names.Select(n => new DeleteTopicsRequest.DeleteTopicState { Name = n })] };
        var response = await ControllerRequestAsync<DeleteTopicsRequest, DeleteTopicsResponse>(
            request, r => r.Responses.Any(t => (ErrorCode)t.ErrorCode == ErrorCode.NotController), cancellationToken, prepare: (r, v) =>
            {
                if (v >= 6)
                {
                    r.TopicNames = [];
                }
                else
                {
                    r.Topics = [];
                }
            }).ConfigureAwait(false);
        return Check("DeleteTopics", [.. response.Responses.Select(t => new AdminResult(t.Name ?? t.TopicId.ToString(), (ErrorCode)t.ErrorCode, t.ErrorMessage))]);
    }

    /// <summary>Raises topics' partition counts to the given totals.</summary>
    public async Task<IReadOnlyList<AdminResult>> CreatePartitionsAsync(IReadOnlyDictionary<string, int> newTotals, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        var request = new CreatePartitionsRequest { TimeoutMs = (int)_defaultTimeout.TotalMilliseconds, ValidateOnly = validateOnly };
        foreach (var (topic, count) in newTotals)
        {
            request.Topics.Add(new CreatePartitionsRequest.CreatePartitionsTopic { Name = topic, Count = count, Assignments = null });
        }

        var response = await ControllerRequestAsync<CreatePartitionsRequest, CreatePartitionsResponse>(
            request, r => r.Results.Any(t => (ErrorCode)t.ErrorCode == ErrorCode.NotController), cancellationToken).ConfigureAwait(false);
        return Check("CreatePartitions", [.. response.Results.Select(t => new AdminResult(t.Name, (ErrorCode)t.ErrorCode, t.ErrorMessage))]);
    }

    /// <summary>Describes topics (partitions, leaders, replicas) from fresh metadata.</summary>
    public async Task<IReadOnlyList<TopicDescription>> DescribeTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        var names = topics.ToList();
        var metadata = await _cluster.RefreshAsync(cancellationToken, names).ConfigureAwait(false);
        return [.. names.Select(n => metadata.Topics.TryGetValue(n, out var t)
            ? new TopicDescription(n, t.TopicId, t.IsInternal, [.. t.Partitions.Select(p => new PartitionDescription(p.Partition, p.Leader, p.LeaderEpoch, p.Replicas, p.Isr))], t.Error)
            : new TopicDescription(n, Guid.Empty, false, [], ErrorCode.UnknownTopicOrPartition))];
    }

    /// <summary>Lists every topic name (internal topics too when asked).</summary>
    public async Task<IReadOnlyList<string>> ListTopicsAsync(bool includeInternal = false, CancellationToken cancellationToken = default)
    {
        var metadata = await _cluster.RefreshAsync(cancellationToken, null, allTopics: true).ConfigureAwait(false);
        return [.. metadata.Topics.Values.Where(t => t.Error == ErrorCode.None && (includeInternal || !t.IsInternal)).Select(t => t.Name).Order(StringComparer.Ordinal)];
    }

    /// <summary>Describes the cluster: id, controller and brokers.</summary>
    public async Task<ClusterDescription> DescribeClusterAsync(CancellationToken cancellationToken = default)
    {
        var metadata = await _cluster.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return new ClusterDescription(metadata.ClusterId, metadata.ControllerId, [.. metadata.Brokers.Values.OrderBy(b => b.Id).Select(b => new BrokerInfo(b.Id, b.Host, b.Port, b.Rack))]);
    }

    /// <summary>Describes configs of topics and brokers (every config with its source).</summary>
    public async Task<IReadOnlyList<ConfigDescription>> DescribeConfigsAsync(IEnumerable<ConfigResource> resources, CancellationToken cancellationToken = default)
    {
        var result = new List<ConfigDescription>();
        foreach (var group in resources.GroupBy(r => r.Type == ConfigResourceType.Topic ? -1 : int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture)))
        {
            var connection = group.Key < 0 ? await _cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false) : await ConnectionToAsync(group.Key, cancellationToken).ConfigureAwait(false);
            var request = new DescribeConfigsRequest { IncludeSynonyms = false };
            foreach (var r in group)
            {
                request.Resources.Add(new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = (sbyte)r.Type, ResourceName = r.Name, ConfigurationKeys = null });
            }

            var response = await connection.SendAsync<DescribeConfigsRequest, DescribeConfigsResponse>(request, cancellationToken).ConfigureAwait(false);
            var failures = response.Results.Where(r => r.ErrorCode != 0).Select(r => new AdminResult(r.ResourceName, (ErrorCode)r.ErrorCode, r.ErrorMessage)).ToList();
            if (failures.Count > 0)
            {
                throw new AdminOperationException("DescribeConfigs", failures);
            }

            foreach (var r in response.Results)
            {
                result.Add(new ConfigDescription(
                    new ConfigResource((ConfigResourceType)r.ResourceType, r.ResourceName),
                    [.. r.Configs.Select(c => new ConfigEntry(c.Name, c.Value, c.ReadOnly, c.IsDefault || c.ConfigSource == (sbyte)ConfigSource.DefaultConfig, c.IsSensitive, (ConfigSource)c.ConfigSource))]));
            }
        }

        return result;
    }

    /// <summary>Replaces the whole config set of resources (Kafka's legacy AlterConfigs: unset configs revert to defaults).</summary>
    public async Task<IReadOnlyList<AdminResult>> AlterConfigsAsync(IReadOnlyDictionary<ConfigResource, IReadOnlyDictionary<string, string>> configs, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        var results = new List<AdminResult>();
        foreach (var group in configs.GroupBy(kv => kv.Key.Type == ConfigResourceType.Topic ? -1 : int.Parse(kv.Key.Name, System.Globalization.CultureInfo.InvariantCulture)))
        {
            var connection = group.Key < 0 ? await _cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false) : await ConnectionToAsync(group.Key, cancellationToken).ConfigureAwait(false);
            var request = new AlterConfigsRequest { ValidateOnly = validateOnly };
            foreach (var (resource, entries) in group)
            {
                request.Resources.Add(new AlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)resource.Type,
                    ResourceName = resource.Name,
                    Configs = [.. entries.Select(e => new AlterConfigsRequest.AlterableConfig { Name = e.Key, Value = e.Value })],
                });
            }

            var response = await connection.SendAsync<AlterConfigsRequest, AlterConfigsResponse>(request, cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Responses.Select(r => new AdminResult(r.ResourceName, (ErrorCode)r.ErrorCode, r.ErrorMessage)));
        }

        return Check("AlterConfigs", results);
    }

    /// <summary>Changes individual configs (set, delete, append, subtract), leaving the others alone.</summary>
    public async Task<IReadOnlyList<AdminResult>> IncrementalAlterConfigsAsync(IReadOnlyDictionary<ConfigResource, IReadOnlyList<AlterConfigOp>> changes, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        var results = new List<AdminResult>();
        foreach (var group in changes.GroupBy(kv => kv.Key.Type == ConfigResourceType.Topic ? -1 : int.Parse(kv.Key.Name, System.Globalization.CultureInfo.InvariantCulture)))
        {
            var connection = group.Key < 0 ? await _cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false) : await ConnectionToAsync(group.Key, cancellationToken).ConfigureAwait(false);
            var request = new IncrementalAlterConfigsRequest { ValidateOnly = validateOnly };
            foreach (var (resource, ops) in group)
            {
                request.Resources.Add(new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)resource.Type,
                    ResourceName = resource.Name,
                    Configs = [.. ops.Select(o => new IncrementalAlterConfigsRequest.AlterableConfig { Name = o.Name, Value = o.Value, ConfigOperation = (sbyte)o.Operation })],
                });
            }

            var response = await connection.SendAsync<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(request, cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Responses.Select(r => new AdminResult(r.ResourceName, (ErrorCode)r.ErrorCode, r.ErrorMessage)));
        }

        return Check("IncrementalAlterConfigs", results);
    }

    /// <summary>Deletes records before the given offsets (Offsets.End: everything); returns the new low watermarks.</summary>
    public async Task<IReadOnlyList<TopicPartitionOffset>> DeleteRecordsAsync(IEnumerable<TopicPartitionOffset> before, CancellationToken cancellationToken = default)
    {
        var list = before.ToList();
        _cluster.AddTopics(list.Select(p => p.Topic).Distinct());
        var metadata = await _cluster.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<TopicPartitionOffset>();
        var failures = new List<AdminResult>();
        foreach (var group in list.GroupBy(p => metadata.LeaderOf(p.TopicPartition)))
        {
            if (group.Key < 0)
            {
                failures.AddRange(group.Select(p => new AdminResult(p.TopicPartition.ToString(), ErrorCode.LeaderNotAvailable)));
                continue;
            }

            var connection = await _cluster.GetConnectionAsync(group.Key, cancellationToken).ConfigureAwait(false);
            var request = new DeleteRecordsRequest { TimeoutMs = (int)_defaultTimeout.TotalMilliseconds };
            foreach (var topic in group.GroupBy(p => p.Topic))
            {
                request.Topics.Add(new DeleteRecordsRequest.DeleteRecordsTopic
                {
                    Name = topic.Key,
                    Partitions = [.. topic.Select(p => new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = p.Partition, Offset = p.Offset })],
                });
            }

            var response = await connection.SendAsync<DeleteRecordsRequest, DeleteRecordsResponse>(request, cancellationToken).ConfigureAwait(false);
            foreach (var topic in response.Topics)
            {
                foreach (var p in topic.Partitions)
                {
                    var tp = new TopicPartition(topic.Name, p.PartitionIndex);
                    if (p.ErrorCode == 0)
                    {
                        result.Add(new TopicPartitionOffset(tp, p.LowWatermark));
                    }
                    else
                    {
                        failures.Add(new AdminResult(tp.ToString(), (ErrorCode)p.ErrorCode));
                    }
                }
            }
        }

        if (failures.Count > 0)
        {
            throw new AdminOperationException("DeleteRecords", failures);
        }

        return result;
    }

    /// <summary>Offsets by timestamp (or Offsets.Beginning / Offsets.End) per partition, from the leaders.</summary>
    public async Task<IReadOnlyList<TopicPartitionOffset>> ListOffsetsAsync(IReadOnlyDictionary<TopicPartition, long> timestamps, IsolationLevel isolationLevel = IsolationLevel.ReadUncommitted, CancellationToken cancellationToken = default)
    {
        var consumerConfig = new ConsumerConfig(_context.Config);
        await using var core = new ConsumerCore(consumerConfig, new ClientContext(consumerConfig, _context.LoggerFactory, _context.Time, "admin"));
        var result = await core.ListOffsetsAsync(timestamps, (sbyte)isolationLevel, _defaultTimeout, cancellationToken).ConfigureAwait(false);
        return [.. timestamps.Keys.Select(tp => result.TryGetValue(tp, out var r) ? new TopicPartitionOffset(tp, r.Offset, null, r.LeaderEpoch) : new TopicPartitionOffset(tp, -1))];
    }

    /// <summary>Lists the groups of every broker.</summary>
    public async Task<IReadOnlyList<GroupListing>> ListConsumerGroupsAsync(CancellationToken cancellationToken = default)
    {
        var metadata = await _cluster.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var groups = new Dictionary<string, GroupListing>(StringComparer.Ordinal);
        foreach (int broker in metadata.Brokers.Keys)
        {
            var connection = await _cluster.GetConnectionAsync(broker, cancellationToken).ConfigureAwait(false);
            var response = await connection.SendAsync<ListGroupsRequest, ListGroupsResponse>(new ListGroupsRequest(), cancellationToken).ConfigureAwait(false);
            if (response.ErrorCode != 0)
            {
                throw new KafkaException((ErrorCode)response.ErrorCode, $"ListGroups on broker {broker}: {KafkaException.Describe((ErrorCode)response.ErrorCode)}");
            }

            foreach (var g in response.Groups)
            {
                groups[g.GroupId] = new GroupListing(g.GroupId, g.ProtocolType, string.IsNullOrEmpty(g.GroupState) ? null : g.GroupState);
            }
        }

        return [.. groups.Values.OrderBy(g => g.GroupId, StringComparer.Ordinal)];
    }

    /// <summary>Describes groups: state, protocol, members and their assignments.</summary>
    public async Task<IReadOnlyList<GroupDescription>> DescribeConsumerGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        var result = new List<GroupDescription>();
        foreach (string groupId in groupIds)
        {
            var response = await GroupRequestAsync<DescribeGroupsRequest, DescribeGroupsResponse>(
                groupId, new DescribeGroupsRequest { Groups = [groupId] }, r => (ErrorCode)(r.Groups.FirstOrDefault()?.ErrorCode ?? 0), cancellationToken).ConfigureAwait(false);
            foreach (var g in response.Groups)
            {
                var members = new List<MemberDescription>();
                foreach (var m in g.Members)
                {
                    var assignment = new List<TopicPartition>();
                    if (g.ProtocolType == "consumer" && m.MemberAssignment is { Length: > 0 })
                    {
                        try
                        {
                            foreach (var t in ConsumerProtocol.ReadAssignment(m.MemberAssignment).AssignedPartitions)
                            {
                                assignment.AddRange(t.Partitions.Select(p => new TopicPartition(t.Topic, p)));
                            }
                        }
                        catch (KafkaProtocolException e)
                        {
                            _logger.LogDebug("Member {Member}'s assignment cannot be read: {Reason}", m.MemberId, e.Message);
                        }
                    }

                    members.Add(new MemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, assignment));
                }

                result.Add(new GroupDescription(g.GroupId, g.GroupState, g.ProtocolType, g.ProtocolData, members, (ErrorCode)g.ErrorCode));
            }
        }

        return result;
    }

    /// <summary>Deletes groups (they must be empty).</summary>
    public async Task<IReadOnlyList<AdminResult>> DeleteConsumerGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        var results = new List<AdminResult>();
        foreach (string groupId in groupIds)
        {
            var response = await GroupRequestAsync<DeleteGroupsRequest, DeleteGroupsResponse>(
                groupId, new DeleteGroupsRequest { GroupsNames = [groupId] }, r => (ErrorCode)(r.Results.FirstOrDefault()?.ErrorCode ?? 0), cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Results.Select(r => new AdminResult(r.GroupId, (ErrorCode)r.ErrorCode)));
        }

        return Check("DeleteGroups", results);
    }

    /// <summary>A group's committed offsets (all partitions, or only <paramref name="partitions"/>).</summary>
    public async Task<IReadOnlyList<TopicPartitionOffset>> ListConsumerGroupOffsetsAsync(string groupId, IEnumerable<TopicPartition>? partitions = null, CancellationToken cancellationToken = default)
    {
        var request = new OffsetFetchRequest
        {
            GroupId = groupId,
            Topics = partitions is null ? null : [.. partitions.GroupBy(p => p.Topic).Select(g => new OffsetFetchRequest.OffsetFetchRequestTopic { Name = g.Key, PartitionIndexes = [.. g.Select(p => p.Partition)] })],
        };
        var response = await GroupRequestAsync<OffsetFetchRequest, OffsetFetchResponse>(groupId, request, r => (ErrorCode)r.ErrorCode, cancellationToken).ConfigureAwait(false);
        var result = new List<TopicPartitionOffset>();
        foreach (var t in response.Topics)
        {
            foreach (var p in t.Partitions)
            {
                if (p.ErrorCode != 0)
                {
                    throw new KafkaException((ErrorCode)p.ErrorCode, $"OffsetFetch {t.Name}-{p.PartitionIndex}: {KafkaException.Describe((ErrorCode)p.ErrorCode)}");
                }

                if (p.CommittedOffset >= 0)
                {
                    result.Add(new TopicPartitionOffset(new TopicPartition(t.Name, p.PartitionIndex), p.CommittedOffset, p.Metadata, p.CommittedLeaderEpoch));
                }
            }
        }

        return result;
    }

    /// <summary>Sets a group's committed offsets (the group must have no active members).</summary>
    public async Task<IReadOnlyList<AdminResult>> AlterConsumerGroupOffsetsAsync(string groupId, IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default)
    {
        var request = new OffsetCommitRequest { GroupId = groupId, GenerationIdOrMemberEpoch = -1, MemberId = string.Empty, RetentionTimeMs = -1 };
        foreach (var topic in offsets.GroupBy(o => o.Topic))
        {
            request.Topics.Add(new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = topic.Key,
                Partitions = [.. topic.Select(o => new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = o.Partition, CommittedOffset = o.Offset, CommittedMetadata = o.Metadata ?? string.Empty, CommittedLeaderEpoch = -1, CommitTimestamp = -1 })],
            });
        }

        var response = await GroupRequestAsync<OffsetCommitRequest, OffsetCommitResponse>(
            groupId, request, r => (ErrorCode)(r.Topics.SelectMany(t => t.Partitions).FirstOrDefault(p => p.ErrorCode != 0)?.ErrorCode ?? 0), cancellationToken).ConfigureAwait(false);
        return Check("AlterConsumerGroupOffsets", [.. response.Topics.SelectMany(t => t.Partitions.Select(p => new AdminResult($"{t.Name}-{p.PartitionIndex}", (ErrorCode)p.ErrorCode)))]);
    }

    /// <summary>Deletes a group's committed offsets for partitions no member consumes (OffsetDelete).</summary>
    public async Task<IReadOnlyList<AdminResult>> DeleteConsumerGroupOffsetsAsync(string groupId, IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        var request = new OffsetDeleteRequest
        {
            GroupId = groupId,
            Topics = [.. partitions.GroupBy(p => p.Topic).Select(g => new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = g.Key, Partitions = [.. g.Select(p => new OffsetDeleteRequest.OffsetDeleteRequestPartition { PartitionIndex = p.Partition })] })],
        };
        var response = await GroupRequestAsync<OffsetDeleteRequest, OffsetDeleteResponse>(groupId, request, r => (ErrorCode)r.ErrorCode, cancellationToken).ConfigureAwait(false);
        return Check("DeleteConsumerGroupOffsets", [.. response.Topics.SelectMany(t => t.Partitions.Select(p => new AdminResult($"{t.Name}-{p.PartitionIndex}", (ErrorCode)p.ErrorCode)))]);
    }

    private static List<AdminResult> Check(string operation, List<AdminResult> results) =>
        results.Any(r => !r.IsSuccess) ? throw new AdminOperationException(operation, results) : results;

    private async Task<BrokerConnection> ConnectionToAsync(int brokerId, CancellationToken cancellationToken)
    {
        if (!_cluster.Metadata.Brokers.ContainsKey(brokerId))
        {
            await _cluster.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _cluster.GetConnectionAsync(brokerId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TResponse> ControllerRequestAsync<TRequest, TResponse>(TRequest request, Func<TResponse, bool> notController, CancellationToken cancellationToken, Action<TRequest, short>? prepare = null)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : IKafkaResponse<TResponse>
    {
        for (int attempt = 1; ; attempt++)
        {
            var metadata = await _cluster.RefreshAsync(cancellationToken).ConfigureAwait(false);
            var connection = metadata.Brokers.ContainsKey(metadata.ControllerId)
                ? await _cluster.GetConnectionAsync(metadata.ControllerId, cancellationToken).ConfigureAwait(false)
                : await _cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
            short version = connection.RequireVersion(request.ApiKey);
            prepare?.Invoke(request, version);
            var response = await connection.SendAsync<TRequest, TResponse>(request, version, _defaultTimeout + _context.RequestTimeout, cancellationToken).ConfigureAwait(false);
            if (!notController(response) || attempt >= 5)
            {
                return response;
            }

            await Task.Delay(ClientContext.Backoff(_context.RetryBackoff, _context.RetryBackoffMax, attempt), _context.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TResponse> GroupRequestAsync<TRequest, TResponse>(string groupId, TRequest request, Func<TResponse, ErrorCode> error, CancellationToken cancellationToken)
        where TRequest : IKafkaRequest<TRequest, TResponse>
        where TResponse : IKafkaResponse<TResponse>
    {
        for (int attempt = 1; ; attempt++)
        {
            var coordinator = await FindCoordinatorAsync(groupId, cancellationToken).ConfigureAwait(false);
            var response = await coordinator.SendAsync<TRequest, TResponse>(request, cancellationToken).ConfigureAwait(false);
            var code = error(response);
            if (code is not (ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress) || attempt >= 5)
            {
                if (code is not (ErrorCode.None or ErrorCode.GroupIdNotFound or ErrorCode.NonEmptyGroup or ErrorCode.GroupSubscribedToTopic or ErrorCode.UnknownTopicOrPartition or ErrorCode.UnknownMemberId)
                    && typeof(TResponse) != typeof(DeleteGroupsResponse) && typeof(TResponse) != typeof(OffsetCommitResponse))
                {
                    throw new KafkaException(code, $"{request.ApiKey} for group '{groupId}': {KafkaException.Describe(code)}");
                }

                return response;
            }

            await Task.Delay(ClientContext.Backoff(_context.RetryBackoff, _context.RetryBackoffMax, attempt), _context.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<BrokerConnection> FindCoordinatorAsync(string groupId, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            var connection = await _cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
            var response = await connection.SendAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { Key = groupId, KeyType = 0 }, cancellationToken).ConfigureAwait(false);
            var error = (ErrorCode)response.ErrorCode;
            if (error == ErrorCode.None)
            {
                return await ConnectionToAsync(response.NodeId, cancellationToken).ConfigureAwait(false);
            }

            if (!error.IsRetriable() || attempt >= 5)
            {
                throw new KafkaException(error, $"finding the coordinator of group '{groupId}': {KafkaException.Describe(error)}");
            }

            await Task.Delay(ClientContext.Backoff(_context.RetryBackoff, _context.RetryBackoffMax, attempt), _context.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
}

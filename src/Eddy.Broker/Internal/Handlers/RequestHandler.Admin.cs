using Eddy.Broker.Internal.Config;
using Eddy.Broker.Internal.Groups;
using Eddy.Broker.Internal.Network;
using Eddy.Broker.Internal.Storage;
using Eddy.Protocol;
using Eddy.Protocol.Messages;

namespace Eddy.Broker.Internal.Handlers;

internal sealed partial class RequestHandler
{
    private const sbyte TopicResource = 2;
    private const sbyte BrokerResource = 4;

    private MetadataResponse Metadata(ConnectionContext context, short version, MetadataRequest request)
    {
        var response = new MetadataResponse { ClusterId = _core.ClusterId, ControllerId = _core.ControllerId };
        foreach (var node in _core.Nodes)
        {
            response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = node.NodeId, Host = node.Host, Port = node.Port });
        }

        // v0: an empty list means all topics; v1+: null means all topics.
        bool all = request.Topics is null || (version == 0 && request.Topics.Count == 0);
        if (all)
        {
            foreach (var topic in _core.Logs.Topics.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                response.Topics.Add(DescribeTopic(topic));
            }

            return response;
        }

        bool allowCreate = _core.Config.AutoCreateTopics && (version < 4 || request.AllowAutoTopicCreation);
        foreach (var requested in request.Topics!)
        {
            string name = requested.Name ?? string.Empty;
            var topic = _core.Logs.GetTopic(name);
            if (topic is null && allowCreate && LogManager.ValidateTopicName(name) is null && !name.StartsWith("__", StringComparison.Ordinal))
            {
                var (_, _, created) = _core.Logs.CreateTopic(name, _core.Config.NumPartitions, new Dictionary<string, string?>(), validateOnly: false);
                topic = created ?? _core.Logs.GetTopic(name);
            }

            if (topic is null)
            {
                var error = LogManager.ValidateTopicName(name) is null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.InvalidTopicException;
                response.Topics.Add(new MetadataResponse.MetadataResponseTopic { Name = name, ErrorCode = (short)error });
                continue;
            }

            response.Topics.Add(DescribeTopic(topic));
        }

        return response;
    }

    private MetadataResponse.MetadataResponseTopic DescribeTopic(TopicLog topic)
    {
        var result = new MetadataResponse.MetadataResponseTopic { Name = topic.Name, TopicId = topic.TopicId, IsInternal = topic.IsInternal };
        var partitions = topic.Partitions;
        for (int p = 0; p < partitions.Length; p++)
        {
            int leader = _core.LeaderOf(topic.Name, p);
            result.Partitions.Add(new MetadataResponse.MetadataResponsePartition
            {
                PartitionIndex = p,
                LeaderId = leader,
                LeaderEpoch = _core.LeaderEpochOf(topic.Name, p),
                ReplicaNodes = [leader],
                IsrNodes = [leader],
            });
        }

        return result;
    }

    private DescribeClusterResponse DescribeCluster()
    {
        var response = new DescribeClusterResponse { ClusterId = _core.ClusterId, ControllerId = _core.ControllerId };
        foreach (var node in _core.Nodes)
        {
            response.Brokers.Add(new DescribeClusterResponse.DescribeClusterBroker { BrokerId = node.NodeId, Host = node.Host, Port = node.Port });
        }

        return response;
    }

    private FindCoordinatorResponse FindCoordinator(short version, FindCoordinatorRequest request)
    {
        var response = new FindCoordinatorResponse();
        var keys = version >= 4 ? request.CoordinatorKeys : [request.Key];
        foreach (var key in keys)
        {
            var coordinator = new FindCoordinatorResponse.Coordinator { Key = key };
            if (request.KeyType != 0)
            {
                coordinator.ErrorCode = (short)ErrorCode.CoordinatorNotAvailable;
                coordinator.ErrorMessage = "Transactions are not supported by this broker yet";
                coordinator.NodeId = -1;
                coordinator.Host = string.Empty;
                coordinator.Port = -1;
            }
            else
            {
                _core.Groups.EnsureOffsetsTopic();
                var node = _core.Nodes[_core.CoordinatorFor(key)];
                coordinator.NodeId = node.NodeId;
                coordinator.Host = node.Host;
                coordinator.Port = node.Port;
            }

            response.Coordinators.Add(coordinator);
        }

        if (version < 4)
        {
            var c = response.Coordinators[0];
            response.ErrorCode = c.ErrorCode;
            response.ErrorMessage = c.ErrorMessage;
            response.NodeId = c.NodeId;
            response.Host = c.Host;
            response.Port = c.Port;
            response.Coordinators.Clear();
        }

        return response;
    }

    private CreateTopicsResponse CreateTopics(ConnectionContext context, short version, CreateTopicsRequest request)
    {
        var response = new CreateTopicsResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            var result = new CreateTopicsResponse.CreatableTopicResult { Name = topic.Name, NumPartitions = -1, ReplicationFactor = -1 };
            response.Topics.Add(result);
            if (!seen.Add(topic.Name))
            {
                Fail(result, ErrorCode.InvalidRequest, $"Create topics request from client contains a duplicate topic {topic.Name}");
                continue;
            }

            if (context.NodeId != _core.ControllerId)
            {
                Fail(result, ErrorCode.NotController, "This is not the controller");
                continue;
            }

            int partitions = topic.Assignments.Count > 0 ? topic.Assignments.Count : topic.NumPartitions == -1 ? _core.Config.NumPartitions : topic.NumPartitions;
            short replication = topic.Assignments.Count > 0 ? (short)topic.Assignments[0].BrokerIds.Count : topic.ReplicationFactor == -1 ? (short)_core.Config.GetInt("default.replication.factor") : topic.ReplicationFactor;
            if (topic.Assignments.Count > 0 && (topic.NumPartitions != -1 || topic.ReplicationFactor != -1))
            {
                Fail(result, ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
                continue;
            }

            if (replication <= 0 || replication > _core.Nodes.Count)
            {
                Fail(result, ErrorCode.InvalidReplicationFactor, $"Replication factor: {replication} larger than available brokers: {_core.Nodes.Count}.");
                continue;
            }

            var configs = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var c in topic.Configs)
            {
                configs[c.Name] = c.Value;
            }

            var (error, message, created) = _core.Logs.CreateTopic(topic.Name, partitions, configs, request.validateOnly);
            if (error != ErrorCode.None)
            {
                Fail(result, error, message);
                continue;
            }

            result.NumPartitions = partitions;
            result.ReplicationFactor = replication;
            result.TopicId = created?.TopicId ?? Guid.Empty;
            if (version >= 5)
            {
                result.Configs = [];
                var config = created?.Config ?? new LogConfig(_core.Config, configs.ToDictionary(kv => kv.Key, kv => kv.Value!, StringComparer.Ordinal));
                foreach (var def in ConfigDefinitions.Topic)
                {
                    var (value, source, _) = config.Resolve(def.Name);
                    result.Configs.Add(new CreateTopicsResponse.CreatableTopicConfigs { Name = def.Name, Value = value, ConfigSource = (sbyte)source });
                }
            }
        }

        return response;

        static void Fail(CreateTopicsResponse.CreatableTopicResult result, ErrorCode error, string? message)
        {
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
        }
    }

    private DeleteTopicsResponse DeleteTopics(ConnectionContext context, short version, DeleteTopicsRequest request)
    {
        var response = new DeleteTopicsResponse();
        var names = new List<(string? Name, Guid Id)>();
        if (version >= 6)
        {
            foreach (var t in request.Topics)
            {
                names.Add((t.Name, t.TopicId));
            }
        }
        else
        {
            foreach (var n in request.TopicNames)
            {
                names.Add((n, Guid.Empty));
            }
        }

        foreach (var (requestedName, id) in names)
        {
            string? name = requestedName;
            if (name is null && id != Guid.Empty)
            {
                name = _core.Logs.Topics.FirstOrDefault(t => t.TopicId == id)?.Name;
            }

            var result = new DeleteTopicsResponse.DeletableTopicResult { Name = name, TopicId = id };
            response.Responses.Add(result);
            ErrorCode error;
            if (context.NodeId != _core.ControllerId)
            {
                error = ErrorCode.NotController;
            }
            else if (!_core.Config.DeleteTopicEnable)
            {
                error = ErrorCode.TopicDeletionDisabled;
            }
            else if (name is null)
            {
                error = ErrorCode.UnknownTopicId;
            }
            else if (name == OffsetsTopicRecords.TopicName)
            {
                error = ErrorCode.TopicAuthorizationFailed;
                result.ErrorMessage = "Internal topics cannot be deleted";
            }
            else
            {
                error = _core.Logs.DeleteTopic(name);
            }

            result.ErrorCode = (short)error;
        }

        return response;
    }

    private CreatePartitionsResponse CreatePartitions(ConnectionContext context, CreatePartitionsRequest request)
    {
        var response = new CreatePartitionsResponse();
        foreach (var topic in request.Topics)
        {
            var result = new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = topic.Name };
            response.Results.Add(result);
            if (context.NodeId != _core.ControllerId)
            {
                result.ErrorCode = (short)ErrorCode.NotController;
                continue;
            }

            var (error, message) = _core.Logs.AddPartitions(topic.Name, topic.Count, request.ValidateOnly);
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
        }

        return response;
    }

    private DescribeConfigsResponse DescribeConfigs(short version, DescribeConfigsRequest request)
    {
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            response.Results.Add(result);
            var keys = resource.ConfigurationKeys is { Count: > 0 } k ? new HashSet<string>(k, StringComparer.Ordinal) : null;
            if (resource.ResourceType == TopicResource)
            {
                var topic = _core.Logs.GetTopic(resource.ResourceName);
                if (topic is null)
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    result.ErrorMessage = $"Topic {resource.ResourceName} does not exist";
                    continue;
                }

                foreach (var def in ConfigDefinitions.Topic)
                {
                    if (keys is not null && !keys.Contains(def.Name))
                    {
                        continue;
                    }

                    var (value, source, _) = topic.Config.Resolve(def.Name);
                    var entry = Entry(version, def, value, source, readOnly: false);
                    if (request.IncludeSynonyms && version >= 1)
                    {
                        if (source == ConfigSource.TopicConfig)
                        {
                            entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = def.Name, Value = value, Source = (sbyte)ConfigSource.TopicConfig });
                        }

                        var (brokerValue, brokerSource, synonym) = _core.Config.ResolveTopicDefault(def);
                        if (brokerSource == ConfigSource.StaticBrokerConfig)
                        {
                            entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = synonym!, Value = brokerValue, Source = (sbyte)ConfigSource.StaticBrokerConfig });
                        }

                        entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = def.BrokerSynonym ?? def.Name, Value = def.Default, Source = (sbyte)ConfigSource.DefaultConfig });
                    }

                    result.Configs.Add(entry);
                }
            }
            else if (resource.ResourceType == BrokerResource)
            {
                if (resource.ResourceName.Length > 0 && (!int.TryParse(resource.ResourceName, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id) || id < 0 || id >= _core.Nodes.Count))
                {
                    result.ErrorCode = (short)ErrorCode.InvalidRequest;
                    result.ErrorMessage = $"Unexpected broker id {resource.ResourceName}";
                    continue;
                }

                foreach (var def in ConfigDefinitions.Broker)
                {
                    if (keys is not null && !keys.Contains(def.Name))
                    {
                        continue;
                    }

                    string? value = def.Name switch
                    {
                        "broker.id" => resource.ResourceName.Length > 0 ? resource.ResourceName : "0",
                        "log.dirs" => _core.Logs.DataDirectory,
                        _ => _core.Config.Get(def.Name),
                    };
                    var source = _core.Config.IsSet(def.Name) || def.Name is "broker.id" or "log.dirs" ? ConfigSource.StaticBrokerConfig : ConfigSource.DefaultConfig;
                    result.Configs.Add(Entry(version, def, value, source, readOnly: true));
                }
            }
            else
            {
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                result.ErrorMessage = $"Unsupported resource type {resource.ResourceType}";
            }
        }

        return response;
    }

    private static DescribeConfigsResponse.DescribeConfigsResourceResult Entry(short version, ConfigDef def, string? value, ConfigSource source, bool readOnly) => new()
    {
        Name = def.Name,
        Value = value,
        ReadOnly = readOnly,
        IsDefault = version == 0 && source == ConfigSource.DefaultConfig,
        ConfigSource = version >= 1 ? (sbyte)source : (sbyte)-1,
        IsSensitive = false,
        ConfigType = (sbyte)def.Type,
        Documentation = def.Doc,
    };

    private AlterConfigsResponse AlterConfigs(AlterConfigsRequest request)
    {
        var response = new AlterConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new AlterConfigsResponse.AlterConfigsResourceResponse { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            response.Responses.Add(result);
            if (resource.ResourceType != TopicResource)
            {
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                result.ErrorMessage = "Only topic configs can be altered; broker configs are static (set them at startup)";
                continue;
            }

            var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var c in resource.Configs)
            {
                overrides[c.Name] = c.Value;
            }

            var (error, message) = _core.Logs.SetTopicConfig(resource.ResourceName, overrides, request.ValidateOnly);
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
        }

        return response;
    }

    private IncrementalAlterConfigsResponse IncrementalAlterConfigs(IncrementalAlterConfigsRequest request)
    {
        var response = new IncrementalAlterConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            response.Responses.Add(result);
            if (resource.ResourceType != TopicResource)
            {
                result.ErrorCode = (short)ErrorCode.InvalidRequest;
                result.ErrorMessage = "Only topic configs can be altered; broker configs are static (set them at startup)";
                continue;
            }

            var topic = _core.Logs.GetTopic(resource.ResourceName);
            if (topic is null)
            {
                result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                result.ErrorMessage = $"Topic {resource.ResourceName} does not exist";
                continue;
            }

            var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (k, v) in topic.Config.Overrides)
            {
                overrides[k] = v;
            }

            string? failure = null;
            foreach (var c in resource.Configs)
            {
                var def = ConfigDefinitions.FindTopic(c.Name);
                if (def is null)
                {
                    failure = $"Unknown topic config name: {c.Name}";
                    break;
                }

                switch (c.ConfigOperation)
                {
                    case 0: // SET
                        overrides[c.Name] = c.Value;
                        break;
                    case 1: // DELETE
                        overrides.Remove(c.Name);
                        break;
                    case 2: // APPEND
                    case 3: // SUBTRACT
                        if (def.Type != ConfigType.List)
                        {
                            failure = $"Config value append/subtract is not allowed for config key {c.Name}";
                            break;
                        }

                        var current = (overrides.TryGetValue(c.Name, out var v) ? v : topic.Config.Resolve(c.Name).Value) ?? string.Empty;
                        var items = current.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
                        foreach (var item in (c.Value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        {
                            if (c.ConfigOperation == 2 && !items.Contains(item))
                            {
                                items.Add(item);
                            }
                            else if (c.ConfigOperation == 3)
                            {
                                items.Remove(item);
                            }
                        }

                        overrides[c.Name] = string.Join(',', items);
                        break;
                    default:
                        failure = $"Unknown config operation {c.ConfigOperation}";
                        break;
                }

                if (failure is not null)
                {
                    break;
                }
            }

            if (failure is not null)
            {
                result.ErrorCode = (short)ErrorCode.InvalidConfig;
                result.ErrorMessage = failure;
                continue;
            }

            var (error, message) = _core.Logs.SetTopicConfig(resource.ResourceName, overrides, request.ValidateOnly);
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
        }

        return response;
    }

    private InitProducerIdResponse InitProducerId(InitProducerIdRequest request)
    {
        if (request.TransactionalId is not null)
        {
            // Transactions are a later issue; InitProducerId for a transactional id must not pretend to work.
            return new InitProducerIdResponse { ErrorCode = (short)ErrorCode.TransactionalIdAuthorizationFailed, ProducerId = -1, ProducerEpoch = -1 };
        }

        // An idempotent producer always gets a fresh producer id with epoch 0 (TransactionCoordinator.handleInitProducerId).
        return new InitProducerIdResponse { ProducerId = _core.Logs.AllocateProducerId(), ProducerEpoch = 0 };
    }
}

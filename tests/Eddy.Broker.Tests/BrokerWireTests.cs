using System.Diagnostics;
using Eddy.Protocol;
using Eddy.Protocol.Messages;
using Eddy.Protocol.Records;

namespace Eddy.Broker.Tests;

/// <summary>The broker on the wire: version negotiation, ordering, Produce, Fetch long-poll, configs and cluster mode.</summary>
public sealed class BrokerWireTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private KafkaBroker _broker = null!;

    public async Task InitializeAsync()
    {
        var options = new BrokerOptions { DataDirectory = _dir.Path, Port = 0, BrokerCount = 3 };
        options.Settings["num.partitions"] = "3";
        options.Settings["group.initial.rebalance.delay.ms"] = "0";
        _broker = await KafkaBroker.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _dir.Dispose();
    }

    private Task<WireClient> ConnectAsync(int node = 0) => WireClient.ConnectAsync(_broker.Endpoints[node]);

    private static ProduceRequest Produce(string topic, int partition, byte[] batch, short acks = -1) => new()
    {
        Acks = acks,
        TimeoutMs = 10_000,
        TopicData =
        [
            new ProduceRequest.TopicProduceData
            {
                Name = topic,
                PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = batch }],
            },
        ],
    };

    private static FetchRequest Fetch(string topic, int partition, long offset, int maxWaitMs, int minBytes = 1, sbyte isolation = 0) => new()
    {
        ReplicaId = -1,
        MaxWaitMs = maxWaitMs,
        MinBytes = minBytes,
        MaxBytes = 1 << 20,
        IsolationLevel = isolation,
        SessionEpoch = -1,
        Topics =
        [
            new FetchRequest.FetchTopic
            {
                Topic = topic,
                Partitions = [new FetchRequest.FetchPartition { Partition = partition, FetchOffset = offset, PartitionMaxBytes = 1 << 20, CurrentLeaderEpoch = -1, LogStartOffset = -1 }],
            },
        ],
    };

    [Fact]
    public async Task ApiVersions_advertises_produce_from_v0_and_not_the_apis_of_later_issues()
    {
        using var client = await ConnectAsync();
        var response = await client.RoundTripAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "test", ClientSoftwareVersion = "1" }, 3);
        Assert.Equal(0, response.ErrorCode);
        var produce = response.ApiKeys.Single(k => k.ApiKey == (short)ApiKey.Produce);
        Assert.Equal((0, 7), (produce.MinVersion, produce.MaxVersion));
        Assert.Equal(0, response.ApiKeys.Single(k => k.ApiKey == (short)ApiKey.FindCoordinator).MinVersion);
        Assert.DoesNotContain(response.ApiKeys, k => k.ApiKey is (short)ApiKey.EndTxn or (short)ApiKey.SaslHandshake);
    }

    [Fact]
    public async Task ApiVersions_at_an_unsupported_version_is_answered_in_v0_with_UNSUPPORTED_VERSION()
    {
        using var client = await ConnectAsync();

        // ApiVersions v4 (flexible header v2, unknown to Eddy): size, key, version, correlation, client id, no tags, body.
        var frame = new byte[] { 0, 0, 0, 14, 0, 18, 0, 4, 0, 0, 0, 42, 0, 1, (byte)'x', 0, 0, 0 };
        await client.SendRawAsync(frame);
        var received = await client.ReceiveFrameAsync();
        Assert.NotNull(received);
        Assert.Equal(42, received.Value.CorrelationId);
        var reader = new KafkaReader(received.Value.Body);
        var response = ApiVersionsResponse.Read(ref reader, 0);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
        Assert.Equal((short)ApiKey.ApiVersions, response.ApiKeys.Single().ApiKey);
        Assert.Equal(3, response.ApiKeys.Single().MaxVersion);
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_request_order_even_when_a_later_one_is_ready_first()
    {
        await _broker.CreateTopicAsync("ordered", 1);
        using var client = await ConnectAsync();
        int fetch = await client.SendAsync(Fetch("ordered", 0, 0, maxWaitMs: 300), 11);
        int versions = await client.SendAsync(new ApiVersionsRequest(), 0);
        int metadata = await client.SendAsync(new MetadataRequest { Topics = null }, 1);
        Assert.Equal(fetch, (await client.ReceiveFrameAsync())!.Value.CorrelationId);
        Assert.Equal(versions, (await client.ReceiveFrameAsync())!.Value.CorrelationId);
        Assert.Equal(metadata, (await client.ReceiveFrameAsync())!.Value.CorrelationId);
    }

    [Fact]
    public async Task Produce_with_acks_0_gets_no_response_but_the_data_is_appended()
    {
        await _broker.CreateTopicAsync("fire", 1);
        using var client = await ConnectAsync();
        await client.SendAsync(Produce("fire", 0, Batches.Make(3), acks: 0), 7);
        int next = await client.SendAsync(new ApiVersionsRequest(), 0);
        Assert.Equal(next, (await client.ReceiveFrameAsync())!.Value.CorrelationId);
        var fetched = await client.RoundTripAsync<FetchResponse>(Fetch("fire", 0, 0, maxWaitMs: 5000), 11);
        Assert.True(fetched.Responses[0].Partitions[0].Records!.Value.Length > 0);
    }

    [Fact]
    public async Task Produce_answers_base_offsets_and_per_partition_errors()
    {
        await _broker.CreateTopicAsync("answers", 1);
        using var client = await ConnectAsync();
        var first = await client.RoundTripAsync<ProduceResponse>(Produce("answers", 0, Batches.Make(5)), 7);
        var second = await client.RoundTripAsync<ProduceResponse>(Produce("answers", 0, Batches.Make(2)), 7);
        Assert.Equal(0, first.Responses[0].PartitionResponses[0].BaseOffset);
        Assert.Equal(5, second.Responses[0].PartitionResponses[0].BaseOffset);
        Assert.Equal(0, second.Responses[0].PartitionResponses[0].LogStartOffset);

        var corrupt = Batches.Make(2);
        corrupt[^1] ^= 0x55;
        var bad = await client.RoundTripAsync<ProduceResponse>(Produce("answers", 0, corrupt), 7);
        Assert.Equal((short)ErrorCode.CorruptMessage, bad.Responses[0].PartitionResponses[0].ErrorCode);
        var unknown = await client.RoundTripAsync<ProduceResponse>(Produce("no-such-topic", 0, Batches.Make(1)), 7);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, unknown.Responses[0].PartitionResponses[0].ErrorCode);
        var badAcks = await client.RoundTripAsync<ProduceResponse>(Produce("answers", 0, Batches.Make(1), acks: 2), 7);
        Assert.Equal((short)ErrorCode.InvalidRequiredAcks, badAcks.Responses[0].PartitionResponses[0].ErrorCode);
    }

    [Fact]
    public async Task Fetch_long_poll_answers_as_soon_as_data_arrives_and_at_max_wait_with_empty_non_null_records()
    {
        await _broker.CreateTopicAsync("poll", 1);
        using var consumer = await ConnectAsync();
        using var producer = await ConnectAsync();
        var empty = await consumer.RoundTripAsync<FetchResponse>(Fetch("poll", 0, 0, maxWaitMs: 50), 11);
        var partition = empty.Responses[0].Partitions[0];
        Assert.NotNull(partition.Records);
        Assert.Equal(0, partition.Records!.Value.Length);
        Assert.Equal(0, partition.HighWatermark);

        var clock = Stopwatch.StartNew();
        await consumer.SendAsync(Fetch("poll", 0, 0, maxWaitMs: 20_000, isolation: 1), 11);
        await producer.RoundTripAsync<ProduceResponse>(Produce("poll", 0, Batches.Make(4)), 7);
        var fetched = await consumer.ReceiveAsync<FetchResponse>(11);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "the fetch waited for max.wait.ms although data had arrived");
        var data = fetched.Responses[0].Partitions[0];
        Assert.Equal(4, data.HighWatermark);
        Assert.Equal(4, data.LastStableOffset);
        Assert.NotNull(data.AbortedTransactions);
        var reader = new RecordBatchReader(data.Records!.Value.Span);
        Assert.True(reader.TryReadNext(out var batch));
        Assert.Equal(4, batch.Header.RecordCount);
    }

    [Fact]
    public async Task Fetch_out_of_range_and_ListOffsets_earliest_latest_and_by_time()
    {
        await _broker.CreateTopicAsync("offsets", 1);
        using var client = await ConnectAsync();
        await client.RoundTripAsync<ProduceResponse>(Produce("offsets", 0, Batches.Make(10, timestamp: 5000)), 7);
        var outOfRange = await client.RoundTripAsync<FetchResponse>(Fetch("offsets", 0, 11, maxWaitMs: 0), 11);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, outOfRange.Responses[0].Partitions[0].ErrorCode);

        var request = new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics =
            [
                new ListOffsetsRequest.ListOffsetsTopic
                {
                    Name = "offsets",
                    Partitions =
                    [
                        new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -2 },
                    ],
                },
            ],
        };
        static long Offset(ListOffsetsResponse r) => r.Topics[0].Partitions[0].Offset;
        Assert.Equal(0, Offset(await client.RoundTripAsync<ListOffsetsResponse>(request, 2)));
        request.Topics[0].Partitions[0].Timestamp = -1;
        Assert.Equal(10, Offset(await client.RoundTripAsync<ListOffsetsResponse>(request, 2)));
        request.Topics[0].Partitions[0].Timestamp = 5003;
        var byTime = await client.RoundTripAsync<ListOffsetsResponse>(request, 2);
        Assert.Equal((3L, 5003L), (Offset(byTime), byTime.Topics[0].Partitions[0].Timestamp));
        request.Topics[0].Partitions[0].Timestamp = 9999;
        Assert.Equal(-1, Offset(await client.RoundTripAsync<ListOffsetsResponse>(request, 2)));
    }

    [Fact]
    public async Task Metadata_auto_creates_topics_only_when_allowed()
    {
        using var client = await ConnectAsync();
        var refused = await client.RoundTripAsync<MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "auto-no" }], AllowAutoTopicCreation = false }, 4);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, refused.Topics[0].ErrorCode);
        var created = await client.RoundTripAsync<MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "auto-yes" }], AllowAutoTopicCreation = true }, 4);
        Assert.Equal(0, created.Topics[0].ErrorCode);
        Assert.Equal(3, created.Topics[0].Partitions.Count);
        Assert.Equal(3, created.Brokers.Count);
        var invalid = await client.RoundTripAsync<MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "bad name!" }], AllowAutoTopicCreation = true }, 4);
        Assert.Equal((short)ErrorCode.InvalidTopicException, invalid.Topics[0].ErrorCode);
    }

    [Fact]
    public async Task Cluster_mode_spreads_leaders_and_moving_leadership_makes_the_old_leader_answer_NOT_LEADER_OR_FOLLOWER()
    {
        await _broker.CreateTopicAsync("moving", 3);
        Assert.Equal([0, 1, 2], Enumerable.Range(0, 3).Select(p => _broker.LeaderOf("moving", p)));
        using var zero = await ConnectAsync(0);
        using var two = await ConnectAsync(2);
        var ok = await zero.RoundTripAsync<ProduceResponse>(Produce("moving", 0, Batches.Make(1)), 7);
        Assert.Equal(0, ok.Responses[0].PartitionResponses[0].ErrorCode);
        var wrong = await two.RoundTripAsync<ProduceResponse>(Produce("moving", 0, Batches.Make(1)), 7);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, wrong.Responses[0].PartitionResponses[0].ErrorCode);

        await _broker.MoveLeadershipAsync("moving", 0, toBroker: 2);
        var stale = await zero.RoundTripAsync<ProduceResponse>(Produce("moving", 0, Batches.Make(1)), 7);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, stale.Responses[0].PartitionResponses[0].ErrorCode);
        var metadata = await zero.RoundTripAsync<MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "moving" }] }, 4);
        Assert.Equal(2, metadata.Topics[0].Partitions.Single(p => p.PartitionIndex == 0).LeaderId);
        var moved = await two.RoundTripAsync<ProduceResponse>(Produce("moving", 0, Batches.Make(1)), 7);
        Assert.Equal(0, moved.Responses[0].PartitionResponses[0].ErrorCode);
        Assert.Equal(1, moved.Responses[0].PartitionResponses[0].BaseOffset);
        var notFromZero = await zero.RoundTripAsync<FetchResponse>(Fetch("moving", 0, 0, maxWaitMs: 0), 11);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, notFromZero.Responses[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task DescribeConfigs_reports_every_topic_config_with_its_value_and_source()
    {
        using var client = await ConnectAsync();
        var create = await client.RoundTripAsync<CreateTopicsResponse>(new CreateTopicsRequest
        {
            timeoutMs = 1000,
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = "described", NumPartitions = 2, ReplicationFactor = 1, Configs = [new CreateTopicsRequest.CreatableTopicConfig { Name = "cleanup.policy", Value = "compact" }] }],
        }, 4);
        Assert.Equal(0, create.Topics[0].ErrorCode);
        var described = await client.RoundTripAsync<DescribeConfigsResponse>(new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 2, ResourceName = "described", ConfigurationKeys = null }],
            IncludeSynonyms = true,
        }, 1);
        var configs = described.Results[0].Configs;
        Assert.True(configs.Count >= 20);
        var cleanup = configs.Single(c => c.Name == "cleanup.policy");
        Assert.Equal(("compact", (sbyte)1), (cleanup.Value, cleanup.ConfigSource));
        var retention = configs.Single(c => c.Name == "retention.ms");
        Assert.Equal(("604800000", (sbyte)5), (retention.Value, retention.ConfigSource));
        Assert.Equal("max.message.bytes", configs.Single(c => c.Name == "max.message.bytes").Name);

        var alter = await client.RoundTripAsync<IncrementalAlterConfigsResponse>(new IncrementalAlterConfigsRequest
        {
            Resources = [new IncrementalAlterConfigsRequest.AlterConfigsResource { ResourceType = 2, ResourceName = "described", Configs = [new IncrementalAlterConfigsRequest.AlterableConfig { Name = "retention.ms", ConfigOperation = 0, Value = "1000" }] }],
        }, 0);
        Assert.Equal(0, alter.Responses[0].ErrorCode);
        var invalid = await client.RoundTripAsync<IncrementalAlterConfigsResponse>(new IncrementalAlterConfigsRequest
        {
            Resources = [new IncrementalAlterConfigsRequest.AlterConfigsResource { ResourceType = 2, ResourceName = "described", Configs = [new IncrementalAlterConfigsRequest.AlterableConfig { Name = "retention.ms", ConfigOperation = 0, Value = "soon" }] }],
        }, 0);
        Assert.Equal((short)ErrorCode.InvalidConfig, invalid.Responses[0].ErrorCode);
        var after = await client.RoundTripAsync<DescribeConfigsResponse>(new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 2, ResourceName = "described", ConfigurationKeys = ["retention.ms"] }],
        }, 0);
        Assert.Equal("1000", after.Results[0].Configs.Single().Value);
        Assert.False(after.Results[0].Configs.Single().IsDefault);
    }

    [Fact]
    public async Task CreatePartitions_grows_a_topic_DeleteRecords_moves_its_start_and_DeleteTopics_removes_it()
    {
        using var client = await ConnectAsync(0);
        await _broker.CreateTopicAsync("admin", 1);
        var grow = await client.RoundTripAsync<CreatePartitionsResponse>(new CreatePartitionsRequest
        {
            TimeoutMs = 1000,
            Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = "admin", Count = 4 }],
        }, 1);
        Assert.Equal(0, grow.Results[0].ErrorCode);
        var shrink = await client.RoundTripAsync<CreatePartitionsResponse>(new CreatePartitionsRequest
        {
            TimeoutMs = 1000,
            Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = "admin", Count = 2 }],
        }, 1);
        Assert.Equal((short)ErrorCode.InvalidPartitions, shrink.Results[0].ErrorCode);
        var metadata = await client.RoundTripAsync<MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "admin" }] }, 4);
        Assert.Equal(4, metadata.Topics[0].Partitions.Count);

        await client.RoundTripAsync<ProduceResponse>(Produce("admin", 0, Batches.Make(10)), 7);
        var deleted = await client.RoundTripAsync<DeleteRecordsResponse>(new DeleteRecordsRequest
        {
            TimeoutMs = 1000,
            Topics = [new DeleteRecordsRequest.DeleteRecordsTopic { Name = "admin", Partitions = [new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = 0, Offset = 6 }] }],
        }, 1);
        Assert.Equal(6, deleted.Topics[0].Partitions[0].LowWatermark);
        var fetched = await client.RoundTripAsync<FetchResponse>(Fetch("admin", 0, 6, maxWaitMs: 0), 11);
        Assert.Equal(6, fetched.Responses[0].Partitions[0].LogStartOffset);

        using var notController = await ConnectAsync(1);
        var refused = await notController.RoundTripAsync<DeleteTopicsResponse>(new DeleteTopicsRequest { TopicNames = ["admin"], TimeoutMs = 1000 }, 1);
        Assert.Equal((short)ErrorCode.NotController, refused.Responses[0].ErrorCode);
        var removed = await client.RoundTripAsync<DeleteTopicsResponse>(new DeleteTopicsRequest { TopicNames = ["admin", "never-was"], TimeoutMs = 1000 }, 1);
        Assert.Equal(0, removed.Responses[0].ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, removed.Responses[1].ErrorCode);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "admin-0")));
    }

    [Fact]
    public async Task A_second_broker_cannot_open_a_data_directory_in_use()
    {
        var e = await Assert.ThrowsAsync<IOException>(() => KafkaBroker.StartAsync(new BrokerOptions { DataDirectory = _dir.Path, Port = 0 }));
        Assert.Contains("in use", e.Message, StringComparison.Ordinal);
        using var client = await ConnectAsync();
        Assert.Equal(0, (await client.RoundTripAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0)).ErrorCode);
    }

    [Fact]
    public async Task Topic_configs_and_data_persist_across_a_restart()
    {
        await _broker.CreateTopicAsync("kept", 2, new Dictionary<string, string> { ["retention.bytes"] = "123456789" });
        using (var client = await ConnectAsync())
        {
            await client.RoundTripAsync<ProduceResponse>(Produce("kept", 0, Batches.Make(3)), 7);
        }

        await _broker.DisposeAsync();
        var options = new BrokerOptions { DataDirectory = _dir.Path, Port = 0 };
        _broker = await KafkaBroker.StartAsync(options);
        Assert.False(_broker.RecoveredFromUncleanShutdown);
        using var again = await ConnectAsync();
        var described = await again.RoundTripAsync<DescribeConfigsResponse>(new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 2, ResourceName = "kept", ConfigurationKeys = ["retention.bytes"] }],
        }, 1);
        Assert.Equal("123456789", described.Results[0].Configs.Single().Value);
        var fetched = await again.RoundTripAsync<FetchResponse>(Fetch("kept", 0, 0, maxWaitMs: 0), 11);
        Assert.Equal(3, fetched.Responses[0].Partitions[0].HighWatermark);
    }
}

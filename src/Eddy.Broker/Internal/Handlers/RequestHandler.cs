using Eddy.Broker.Internal.Network;
using Eddy.Protocol;
using Eddy.Protocol.Messages;

namespace Eddy.Broker.Internal.Handlers;

/// <summary>
/// Turns decoded requests into responses. One instance serves every node of the process; the
/// connection context says which node a request reached (for leadership and coordinator checks).
/// Contract with <see cref="ClientConnection"/>: anything that reads the request's record bytes
/// (Produce) does so before its first await.
/// </summary>
internal sealed partial class RequestHandler
{
    private readonly BrokerCore _core;

    public RequestHandler(BrokerCore core)
    {
        _core = core;
    }

    /// <summary>
    /// The APIs the broker advertises and serves. The transaction APIs and SASL exist in the codec
    /// catalog for the client but belong to later issues, so the broker does not advertise them.
    /// </summary>
    public static bool IsAdvertised(ApiKey key) => key switch
    {
        ApiKey.SaslHandshake or ApiKey.SaslAuthenticate => false,
        ApiKey.AddPartitionsToTxn or ApiKey.AddOffsetsToTxn or ApiKey.EndTxn or ApiKey.WriteTxnMarkers or ApiKey.TxnOffsetCommit => false,
        _ => true,
    };

    public ValueTask<ResponseBody?> HandleAsync(ConnectionContext context, RequestHeader header, IKafkaRequest request) => request switch
    {
        ApiVersionsRequest => Done(ApiVersions()),
        MetadataRequest r => Done(Metadata(context, header.ApiVersion, r)),
        ProduceRequest r => ProduceAsync(context, header.ApiVersion, r),
        FetchRequest r => FetchAsync(context, header.ApiVersion, r),
        ListOffsetsRequest r => Done(ListOffsets(context, header.ApiVersion, r)),
        DeleteRecordsRequest r => Done(DeleteRecords(context, r)),
        FindCoordinatorRequest r => Done(FindCoordinator(header.ApiVersion, r)),
        JoinGroupRequest r => JoinGroupAsync(context, header, r),
        SyncGroupRequest r => SyncGroupAsync(context, header.ApiVersion, r),
        HeartbeatRequest r => Done(Heartbeat(context, r)),
        LeaveGroupRequest r => Done(LeaveGroup(context, header.ApiVersion, r)),
        OffsetCommitRequest r => OffsetCommitAsync(context, r),
        OffsetFetchRequest r => Done(OffsetFetch(context, header.ApiVersion, r)),
        DescribeGroupsRequest r => Done(DescribeGroups(context, r)),
        ListGroupsRequest => Done(ListGroups()),
        DeleteGroupsRequest r => DeleteGroupsAsync(context, r),
        OffsetDeleteRequest r => OffsetDeleteAsync(context, r),
        CreateTopicsRequest r => Done(CreateTopics(context, header.ApiVersion, r)),
        DeleteTopicsRequest r => Done(DeleteTopics(context, header.ApiVersion, r)),
        CreatePartitionsRequest r => Done(CreatePartitions(context, r)),
        DescribeConfigsRequest r => Done(DescribeConfigs(header.ApiVersion, r)),
        AlterConfigsRequest r => Done(AlterConfigs(r)),
        IncrementalAlterConfigsRequest r => Done(IncrementalAlterConfigs(r)),
        InitProducerIdRequest r => Done(InitProducerId(r)),
        DescribeClusterRequest => Done(DescribeCluster()),
        _ => throw new KafkaProtocolException($"{request.ApiKey} is not served by this broker", ErrorCode.UnsupportedVersion),
    };

    private static ValueTask<ResponseBody?> Done(IKafkaResponse response) => new(new MessageBody(response));

    /// <summary>ApiVersions: every advertised API with Eddy's supported range.</summary>
    public static ApiVersionsResponse ApiVersions()
    {
        var response = new ApiVersionsResponse();
        foreach (var api in KafkaApis.All)
        {
            if (IsAdvertised(api.Key))
            {
                response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)api.Key, MinVersion = api.MinSupported, MaxVersion = api.MaxSupported });
            }
        }

        return response;
    }

    /// <summary>The answer to an ApiVersions version we do not serve: v0, UNSUPPORTED_VERSION, our ApiVersions range (KIP-511).</summary>
    public static MessageBody UnsupportedApiVersions()
    {
        var api = KafkaApis.Find((short)ApiKey.ApiVersions)!;
        var response = new ApiVersionsResponse { ErrorCode = (short)ErrorCode.UnsupportedVersion };
        response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.ApiVersions, MinVersion = api.MinSupported, MaxVersion = api.MaxSupported });
        return new MessageBody(response);
    }

    /// <summary>NOT_LEADER_OR_FOLLOWER unless <paramref name="context"/>'s node leads the partition.</summary>
    private bool IsLeader(ConnectionContext context, string topic, int partition) => _core.LeaderOf(topic, partition) == context.NodeId;
}

using Eddy.Broker.Internal.Groups;
using Eddy.Broker.Internal.Network;
using Eddy.Protocol;
using Eddy.Protocol.Messages;

namespace Eddy.Broker.Internal.Handlers;

internal sealed partial class RequestHandler
{
    private bool IsCoordinator(ConnectionContext context, string groupId) => _core.CoordinatorFor(groupId) == context.NodeId;

    private async ValueTask<ResponseBody?> JoinGroupAsync(ConnectionContext context, RequestHeader header, JoinGroupRequest request)
    {
        short version = header.ApiVersion;
        if (!IsCoordinator(context, request.GroupId))
        {
            return new MessageBody(new JoinGroupResponse { ErrorCode = (short)ErrorCode.NotCoordinator, MemberId = request.MemberId, GenerationId = -1 });
        }

        var protocols = new List<(string, byte[])>(request.Protocols.Count);
        foreach (var p in request.Protocols)
        {
            protocols.Add((p.Name, p.Metadata));
        }

        var join = new JoinRequest(
            request.GroupId,
            request.MemberId,
            version >= 5 ? request.GroupInstanceId : null,
            request.ProtocolType,
            protocols,
            request.SessionTimeoutMs,
            version >= 1 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs,
            header.ClientId ?? string.Empty,
            "/" + context.ClientHost,
            RequireKnownMemberId: version >= 4 && request.GroupInstanceId is null);
        var result = await _core.Groups.JoinAsync(join).ConfigureAwait(false);
        var response = new JoinGroupResponse
        {
            ErrorCode = (short)result.Error,
            GenerationId = result.GenerationId,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName ?? (version >= 7 ? null : string.Empty),
            Leader = result.LeaderId,
            MemberId = result.MemberId,
        };
        if (result.Members is { } members)
        {
            foreach (var m in members)
            {
                response.Members.Add(new JoinGroupResponse.JoinGroupResponseMember
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = version >= 5 ? m.GroupInstanceId : null,
                    Metadata = m.MetadataFor(result.ProtocolName),
                });
            }
        }

        return new MessageBody(response);
    }

    private async ValueTask<ResponseBody?> SyncGroupAsync(ConnectionContext context, short version, SyncGroupRequest request)
    {
        if (!IsCoordinator(context, request.GroupId))
        {
            return new MessageBody(new SyncGroupResponse { ErrorCode = (short)ErrorCode.NotCoordinator });
        }

        var assignments = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var a in request.Assignments)
        {
            assignments[a.MemberId] = a.Assignment;
        }

        var (error, protocolType, protocolName, assignment) = await _core.Groups.SyncAsync(
            request.GroupId,
            request.GenerationId,
            request.MemberId,
            version >= 3 ? request.GroupInstanceId : null,
            version >= 5 ? request.ProtocolType : null,
            version >= 5 ? request.ProtocolName : null,
            assignments).ConfigureAwait(false);
        return new MessageBody(new SyncGroupResponse
        {
            ErrorCode = (short)error,
            ProtocolType = protocolType,
            ProtocolName = protocolName,
            Assignment = error == ErrorCode.None ? assignment : [],
        });
    }

    private HeartbeatResponse Heartbeat(ConnectionContext context, HeartbeatRequest request)
    {
        if (!IsCoordinator(context, request.GroupId))
        {
            return new HeartbeatResponse { ErrorCode = (short)ErrorCode.NotCoordinator };
        }

        return new HeartbeatResponse { ErrorCode = (short)_core.Groups.Heartbeat(request.GroupId, request.MemberId, request.GroupInstanceId, request.GenerationId) };
    }

    private LeaveGroupResponse LeaveGroup(ConnectionContext context, short version, LeaveGroupRequest request)
    {
        if (!IsCoordinator(context, request.GroupId))
        {
            return new LeaveGroupResponse { ErrorCode = (short)ErrorCode.NotCoordinator };
        }

        var leaving = new List<(string, string?)>();
        if (version >= 3)
        {
            foreach (var m in request.Members)
            {
                leaving.Add((m.MemberId, m.GroupInstanceId));
            }
        }
        else
        {
            leaving.Add((request.MemberId, null));
        }

        var (error, members) = _core.Groups.Leave(request.GroupId, leaving);
        var response = new LeaveGroupResponse { ErrorCode = (short)error };
        if (version >= 3)
        {
            foreach (var (memberId, instanceId, memberError) in members)
            {
                response.Members.Add(new LeaveGroupResponse.MemberResponse { MemberId = memberId, GroupInstanceId = instanceId, ErrorCode = (short)memberError });
            }
        }
        else if (error == ErrorCode.None && members.Count == 1)
        {
            response.ErrorCode = (short)members[0].Error;
        }

        return response;
    }

    private async ValueTask<ResponseBody?> OffsetCommitAsync(ConnectionContext context, OffsetCommitRequest request)
    {
        var response = new OffsetCommitResponse();
        ErrorCode groupError = ErrorCode.None;
        Dictionary<(string, int), ErrorCode>? errors = null;
        if (!IsCoordinator(context, request.GroupId))
        {
            groupError = ErrorCode.NotCoordinator;
        }
        else
        {
            var entries = new List<OffsetCommitEntry>();
            foreach (var t in request.Topics)
            {
                foreach (var p in t.Partitions)
                {
                    entries.Add(new OffsetCommitEntry(t.Name, p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.CommittedMetadata));
                }
            }

            (groupError, errors) = await _core.Groups.CommitOffsetsAsync(
                request.GroupId,
                request.GenerationIdOrMemberEpoch,
                request.MemberId,
                request.GroupInstanceId,
                entries,
                (topic, partition) => _core.Logs.GetPartition(topic, partition) is not null).ConfigureAwait(false);
        }

        foreach (var t in request.Topics)
        {
            var topic = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = t.Name };
            response.Topics.Add(topic);
            foreach (var p in t.Partitions)
            {
                var error = groupError != ErrorCode.None ? groupError : errors!.GetValueOrDefault((t.Name, p.PartitionIndex));
                topic.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)error });
            }
        }

        return new MessageBody(response);
    }

    private OffsetFetchResponse OffsetFetch(ConnectionContext context, short version, OffsetFetchRequest request)
    {
        var response = new OffsetFetchResponse();
        if (!IsCoordinator(context, request.GroupId))
        {
            response.ErrorCode = (short)ErrorCode.NotCoordinator;
            if (version < 2)
            {
                foreach (var t in request.Topics ?? [])
                {
                    var topic = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = t.Name };
                    foreach (int p in t.PartitionIndexes)
                    {
                        topic.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition { PartitionIndex = p, CommittedOffset = -1, CommittedLeaderEpoch = -1, Metadata = string.Empty, ErrorCode = (short)ErrorCode.NotCoordinator });
                    }

                    response.Topics.Add(topic);
                }
            }

            return response;
        }

        List<(string, List<int>)>? requested = null;
        if (request.Topics is not null)
        {
            requested = [];
            foreach (var t in request.Topics)
            {
                requested.Add((t.Name, t.PartitionIndexes));
            }
        }

        OffsetFetchResponse.OffsetFetchResponseTopic? current = null;
        foreach (var (topic, partition, offset) in _core.Groups.FetchOffsets(request.GroupId, requested))
        {
            if (current is null || current.Name != topic)
            {
                current = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = topic };
                response.Topics.Add(current);
            }

            current.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition
            {
                PartitionIndex = partition,
                CommittedOffset = offset?.Offset ?? -1,
                CommittedLeaderEpoch = offset?.LeaderEpoch ?? -1,
                Metadata = offset?.Metadata ?? string.Empty,
            });
        }

        return response;
    }

    private DescribeGroupsResponse DescribeGroups(ConnectionContext context, DescribeGroupsRequest request)
    {
        var response = new DescribeGroupsResponse();
        foreach (var groupId in request.Groups)
        {
            if (!IsCoordinator(context, groupId))
            {
                response.Groups.Add(new DescribeGroupsResponse.DescribedGroup { GroupId = groupId, ErrorCode = (short)ErrorCode.NotCoordinator });
                continue;
            }

            var summary = _core.Groups.Describe(groupId);
            var group = new DescribeGroupsResponse.DescribedGroup
            {
                GroupId = groupId,
                GroupState = summary.State,
                ProtocolType = summary.ProtocolType,
                ProtocolData = summary.Protocol,
            };
            foreach (var (member, metadata, assignment) in summary.Members)
            {
                group.Members.Add(new DescribeGroupsResponse.DescribedGroupMember
                {
                    MemberId = member.MemberId,
                    GroupInstanceId = member.GroupInstanceId,
                    ClientId = member.ClientId,
                    ClientHost = member.ClientHost,
                    MemberMetadata = metadata,
                    MemberAssignment = assignment,
                });
            }

            response.Groups.Add(group);
        }

        return response;
    }

    private ListGroupsResponse ListGroups()
    {
        var response = new ListGroupsResponse();
        foreach (var (groupId, protocolType, state) in _core.Groups.ListGroups())
        {
            response.Groups.Add(new ListGroupsResponse.ListedGroup { GroupId = groupId, ProtocolType = protocolType, GroupState = state });
        }

        return response;
    }

    private async ValueTask<ResponseBody?> DeleteGroupsAsync(ConnectionContext context, DeleteGroupsRequest request)
    {
        var response = new DeleteGroupsResponse();
        foreach (var groupId in request.GroupsNames)
        {
            var error = IsCoordinator(context, groupId) ? await _core.Groups.DeleteGroupAsync(groupId).ConfigureAwait(false) : ErrorCode.NotCoordinator;
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = groupId, ErrorCode = (short)error });
        }

        return new MessageBody(response);
    }

    private async ValueTask<ResponseBody?> OffsetDeleteAsync(ConnectionContext context, OffsetDeleteRequest request)
    {
        var response = new OffsetDeleteResponse();
        if (!IsCoordinator(context, request.GroupId))
        {
            response.ErrorCode = (short)ErrorCode.NotCoordinator;
            return new MessageBody(response);
        }

        var partitions = new List<(string, int)>();
        foreach (var t in request.Topics)
        {
            foreach (var p in t.Partitions)
            {
                partitions.Add((t.Name, p.PartitionIndex));
            }
        }

        var (error, errors) = await _core.Groups.DeleteOffsetsAsync(request.GroupId, partitions).ConfigureAwait(false);
        response.ErrorCode = (short)error;
        if (error is ErrorCode.None)
        {
            foreach (var t in request.Topics)
            {
                var topic = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = t.Name };
                foreach (var p in t.Partitions)
                {
                    topic.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)errors.GetValueOrDefault((t.Name, p.PartitionIndex)) });
                }

                response.Topics.Add(topic);
            }
        }

        return new MessageBody(response);
    }
}

using Eddy.Client;
using Microsoft.Extensions.Logging;
using ClientTopicPartition = Eddy.Client.TopicPartition;

namespace Eddy.Streams.Internal.Assignment;

/// <summary>What the assignor needs from the topology: every sub-topology's input topics and whether it keeps state.</summary>
internal sealed record SubtopologyInfo(int Id, IReadOnlyList<string> SourceTopics, IReadOnlyList<string> ChangelogTopics);

/// <summary>What the assignor needs from its stream thread.</summary>
internal interface IAssignmentListener
{
    /// <summary>Task offset sums from local state, for the subscription.</summary>
    IReadOnlyDictionary<TaskId, long> TaskOffsetSums();

    IReadOnlyCollection<TaskId> StandbyTasks();

    bool ShutdownRequested { get; }

    /// <summary>This member's new assignment (called inside the consumer's poll, before the rebalance callbacks).</summary>
    void OnAssignment(IReadOnlyDictionary<TaskId, IReadOnlyList<TopicPartition>> activeTasks, IReadOnlyCollection<TaskId> standbyTasks, AssignmentInfo info);
}

/// <summary>
/// Kafka Streams' partition assignor, plugged into Eddy.Client's group protocol (name <c>stream</c>, cooperative).
/// Each member sends its process id, endpoint and task offset sums; the leader turns sub-topologies into tasks, places
/// them (<see cref="TaskAssignor"/>), gives each member the input partitions of its active tasks, and tells it its
/// standby tasks and where every instance's partitions are (for interactive queries).
/// </summary>
internal sealed class StreamsPartitionAssignor(
    string processId, string? endpoint, IReadOnlyList<SubtopologyInfo> subtopologies, StreamsConfig config, IAssignmentListener listener, ILogger logger)
    : IPartitionAssignor
{
    public string Name => "stream";

    public IReadOnlyList<RebalanceProtocol> SupportedProtocols => [RebalanceProtocol.Cooperative];

    public byte[]? SubscriptionUserData(IReadOnlyCollection<string> topics)
    {
        var info = new SubscriptionInfo { ProcessId = processId, Endpoint = endpoint, ShutdownRequested = listener.ShutdownRequested };
        foreach (var (task, sum) in listener.TaskOffsetSums())
        {
            info.OffsetSums[task.ToString()] = sum;
        }
        foreach (var t in listener.StandbyTasks())
        {
            info.PreviousStandbyTasks.Add(t.ToString());
        }
        return info.Encode();
    }

    public GroupAssignment Assign(IClusterView cluster, GroupSubscription group)
    {
        // Tasks: one per (sub-topology, partition); input partitions of a task are partition p of each source topic.
        var tasks = new Dictionary<TaskId, List<TopicPartition>>();
        var stateful = new HashSet<TaskId>();
        var partitionCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var st in subtopologies)
        {
            var n = 0;
            foreach (var topic in st.SourceTopics)
            {
                var count = cluster.PartitionCount(topic);
                partitionCounts[topic] = count;
                n = Math.Max(n, count);
            }
            for (var p = 0; p < n; p++)
            {
                var id = new TaskId(st.Id, p);
                var parts = new List<TopicPartition>();
                foreach (var topic in st.SourceTopics)
                {
                    if (partitionCounts[topic] > p)
                    {
                        parts.Add(new TopicPartition(topic, p));
                    }
                }
                tasks[id] = parts;
                if (st.ChangelogTopics.Count > 0)
                {
                    stateful.Add(id);
                }
            }
        }
        var taskOfPartition = new Dictionary<TopicPartition, TaskId>();
        foreach (var (id, parts) in tasks)
        {
            foreach (var tp in parts)
            {
                taskOfPartition[tp] = id;
            }
        }

        var clients = new Dictionary<string, ClientState>(StringComparer.Ordinal);
        var memberClient = new Dictionary<string, ClientState>(StringComparer.Ordinal);
        var shutdown = false;
        foreach (var (memberId, sub) in group.Members)
        {
            var info = SubscriptionInfo.Decode(sub.UserData);
            if (info is null)
            {
                logger.LogWarning("Member {Member} sent no readable Streams subscription; it gets no tasks", memberId);
                continue;
            }
            shutdown |= info.ShutdownRequested;
            if (!clients.TryGetValue(info.ProcessId, out var client))
            {
                client = new ClientState(info.ProcessId) { Endpoint = info.Endpoint };
                clients[info.ProcessId] = client;
            }
            var member = new MemberState(memberId);
            foreach (var tp in sub.OwnedPartitions)
            {
                if (taskOfPartition.TryGetValue(new TopicPartition(tp.Topic, tp.Partition), out var task))
                {
                    member.PreviousActive.Add(task);
                }
            }
            foreach (var s in info.PreviousStandbyTasks)
            {
                member.PreviousStandby.Add(TaskId.Parse(s));
            }
            foreach (var (task, sum) in info.OffsetSums)
            {
                var id = TaskId.Parse(task);
                client.OffsetSums[id] = client.OffsetSums.TryGetValue(id, out var prev) ? Math.Max(prev, sum) : sum;
            }
            client.Members.Add(member);
            memberClient[memberId] = client;
        }

        var result = TaskAssignor.Assign([.. clients.Values], tasks.Keys, stateful, config.NumStandbyReplicas, config.AcceptableRecoveryLag, config.MaxWarmupReplicas);
        logger.LogInformation("Assigned {Tasks} tasks ({Stateful} stateful) to {Clients} instances with {Members} threads; warm-ups {Warmups}",
            tasks.Count, stateful.Count, clients.Count, memberClient.Count, result.WarmupCount);

        var hosts = new Dictionary<string, HostPartitions>(StringComparer.Ordinal);
        foreach (var c in clients.Values)
        {
            if (c.Endpoint is null)
            {
                continue;
            }
            var hp = new HostPartitions();
            foreach (var t in c.Active.OrderBy(t => t))
            {
                hp.Active.AddRange(tasks[t].Select(AssignmentInfo.Format));
            }
            foreach (var t in c.Standby.OrderBy(t => t))
            {
                hp.Standby.AddRange(tasks[t].Select(AssignmentInfo.Format));
            }
            hosts[c.Endpoint] = hp;
        }

        var assignments = new Dictionary<string, MemberAssignment>(StringComparer.Ordinal);
        foreach (var (memberId, client) in memberClient)
        {
            var member = client.Members.Find(m => m.MemberId == memberId)!;
            var info = new AssignmentInfo
            {
                PartitionsByHost = hosts,
                PartitionCounts = partitionCounts,
                ErrorCode = shutdown ? AssignmentInfo.ErrorShutdownApplication : AssignmentInfo.ErrorNone,
                ProbeAfterMs = result.ProbingRebalanceNeeded ? (long)config.ProbingRebalanceInterval.TotalMilliseconds : 0,
            };
            var partitions = new List<ClientTopicPartition>();
            if (!shutdown)
            {
                foreach (var t in member.Active)
                {
                    info.ActiveTasks[t.ToString()] = [.. tasks[t].Select(AssignmentInfo.Format)];
                    partitions.AddRange(tasks[t].Select(tp => new ClientTopicPartition(tp.Topic, tp.Partition)));
                }
                info.StandbyTasks.AddRange(member.Standby.Select(t => t.ToString()));
            }
            assignments[memberId] = new MemberAssignment(partitions, info.Encode());
        }
        return new GroupAssignment(assignments);
    }

    public void OnAssignment(MemberAssignment assignment, GroupMemberMetadata metadata)
    {
        var info = AssignmentInfo.Decode(assignment.UserData) ?? new AssignmentInfo();
        // The client withholds partitions that are still owned by another member (KIP-429); a task is active here
        // only once all its partitions are.
        var assigned = new HashSet<TopicPartition>(assignment.Partitions.Select(tp => new TopicPartition(tp.Topic, tp.Partition)));
        var active = new Dictionary<TaskId, IReadOnlyList<TopicPartition>>();
        foreach (var (task, parts) in info.ActiveTasks)
        {
            var list = parts.Select(AssignmentInfo.ParsePartition).ToList();
            if (list.TrueForAll(assigned.Contains))
            {
                active[TaskId.Parse(task)] = list;
            }
        }
        listener.OnAssignment(active, [.. info.StandbyTasks.Select(TaskId.Parse)], info);
    }
}

namespace Eddy.Streams.Internal.Assignment;

/// <summary>One stream thread (group member) as the assignor sees it.</summary>
internal sealed class MemberState(string memberId)
{
    public string MemberId { get; } = memberId;

    /// <summary>Active tasks the member owned before this rebalance (from its owned partitions).</summary>
    public HashSet<TaskId> PreviousActive { get; } = [];

    public HashSet<TaskId> PreviousStandby { get; } = [];

    public List<TaskId> Active { get; } = [];

    public List<TaskId> Standby { get; } = [];
}

/// <summary>One application instance (process id): its threads, endpoint and local state.</summary>
internal sealed class ClientState(string processId)
{
    public string ProcessId { get; } = processId;

    public string? Endpoint { get; set; }

    public List<MemberState> Members { get; } = [];

    /// <summary>Task to the sum of its changelog offsets held locally; <see cref="SubscriptionInfo.LatestOffset"/> when active.</summary>
    public Dictionary<TaskId, long> OffsetSums { get; } = [];

    public HashSet<TaskId> Active { get; } = [];

    public HashSet<TaskId> Standby { get; } = [];

    public int Capacity => Math.Max(1, Members.Count);

    public double Load => (Active.Count + Standby.Count * 0.5) / Capacity;

    public double ActiveLoad => (double)Active.Count / Capacity;

    public bool PreviouslyActive(TaskId task) => Members.Exists(m => m.PreviousActive.Contains(task));

    public bool Holds(TaskId task) => Active.Contains(task) || Standby.Contains(task);
}

/// <summary>
/// The leader's task placement (a simplified form of Kafka's HighAvailabilityTaskAssignor): active tasks stay where
/// they ran (sticky); a task without a live owner goes to the least-loaded instance among those that are caught up
/// on its state (within acceptable.recovery.lag of the most advanced instance); load is then balanced by instance
/// capacity (thread count), moving a stateful task only to a caught-up instance and otherwise placing a warm-up
/// replica there (at most max.warmup.replicas) and asking for a probing rebalance; num.standby.replicas standbys go
/// to other instances, preferring the ones with the most state. Within an instance, tasks stay on the thread that
/// ran them, and the rest go to the least-loaded thread.
/// </summary>
internal static class TaskAssignor
{
    public sealed record Result(bool ProbingRebalanceNeeded, int WarmupCount);

    public static Result Assign(IReadOnlyList<ClientState> clients, IReadOnlyCollection<TaskId> tasks, IReadOnlySet<TaskId> statefulTasks,
        int numStandbyReplicas, long acceptableRecoveryLag, int maxWarmupReplicas)
    {
        if (clients.Count == 0)
        {
            return new Result(false, 0);
        }
        var sortedTasks = tasks.OrderBy(t => t).ToList();
        var ordered = clients.OrderBy(c => c.ProcessId, StringComparer.Ordinal).ToList();

        // The most advanced state any live instance has for each stateful task: the reference for "caught up"
        // (Kafka compares with the changelog end offset; the best live copy is what a move can rely on).
        var best = new Dictionary<TaskId, long>();
        foreach (var t in statefulTasks)
        {
            long b = -1;
            foreach (var c in ordered)
            {
                if (c.OffsetSums.TryGetValue(t, out var s))
                {
                    b = s == SubscriptionInfo.LatestOffset ? long.MaxValue : Math.Max(b, s);
                }
                if (b == long.MaxValue)
                {
                    break;
                }
            }
            best[t] = b;
        }

        bool CaughtUp(ClientState c, TaskId t)
        {
            if (!statefulTasks.Contains(t))
            {
                return true;
            }
            var b = best[t];
            if (!c.OffsetSums.TryGetValue(t, out var s))
            {
                s = 0;
            }
            if (s == SubscriptionInfo.LatestOffset || b <= 0)
            {
                return true;
            }
            if (b == long.MaxValue)
            {
                // Someone runs it as active: only that instance is certainly current.
                return false;
            }
            return b - s <= acceptableRecoveryLag;
        }

        long StateOf(ClientState c, TaskId t) => c.OffsetSums.TryGetValue(t, out var s) ? (s == SubscriptionInfo.LatestOffset ? long.MaxValue : s) : -1;

        // 1. Sticky actives.
        var unassigned = new List<TaskId>();
        foreach (var t in sortedTasks)
        {
            var owner = ordered.Find(c => c.PreviouslyActive(t));
            if (owner is not null)
            {
                owner.Active.Add(t);
            }
            else
            {
                unassigned.Add(t);
            }
        }

        // 2. Orphans: caught-up instances first, then by load, then by most state.
        foreach (var t in unassigned)
        {
            var target = ordered
                .OrderBy(c => CaughtUp(c, t) ? 0 : 1)
                .ThenBy(c => c.ActiveLoad)
                .ThenByDescending(c => StateOf(c, t))
                .First();
            target.Active.Add(t);
        }

        // 3. Balance by capacity.
        var totalCapacity = ordered.Sum(c => c.Capacity);
        var warmups = new List<(ClientState Client, TaskId Task)>();
        var probing = false;
        for (var guard = 0; guard < sortedTasks.Count * 2; guard++)
        {
            var over = ordered.OrderByDescending(c => c.ActiveLoad).First();
            var under = ordered.OrderBy(c => c.ActiveLoad).First();
            var overTarget = (int)Math.Ceiling((double)sortedTasks.Count * over.Capacity / totalCapacity);
            var underTarget = (int)Math.Floor((double)sortedTasks.Count * under.Capacity / totalCapacity);
            if (ReferenceEquals(over, under) || over.Active.Count <= overTarget && under.Active.Count >= underTarget)
            {
                break;
            }
            if ((over.Active.Count - 1) / (double)over.Capacity < (under.Active.Count + 1) / (double)under.Capacity)
            {
                break;
            }
            var movable = over.Active.OrderBy(t => statefulTasks.Contains(t) ? 1 : 0).ThenBy(t => t).FirstOrDefault(t => CaughtUp(under, t), new TaskId(-1, -1));
            if (movable.Subtopology >= 0)
            {
                over.Active.Remove(movable);
                under.Active.Add(movable);
                continue;
            }
            // Nothing can move without a restore: warm the destination up instead.
            var warm = over.Active.Where(statefulTasks.Contains).OrderBy(t => t).FirstOrDefault(t => !under.Holds(t) && !warmups.Exists(w => w.Task == t), new TaskId(-1, -1));
            if (warm.Subtopology >= 0 && warmups.Count < maxWarmupReplicas)
            {
                warmups.Add((under, warm));
                under.Standby.Add(warm);
                probing = true;
            }
            break;
        }

        // 4. Standbys.
        foreach (var t in sortedTasks.Where(statefulTasks.Contains))
        {
            for (var i = ordered.Count(c => c.Standby.Contains(t)); i < numStandbyReplicas; i++)
            {
                var target = ordered
                    .Where(c => !c.Holds(t))
                    .OrderByDescending(c => StateOf(c, t))
                    .ThenBy(c => c.Load)
                    .FirstOrDefault();
                if (target is null)
                {
                    break;
                }
                target.Standby.Add(t);
            }
        }

        // 5. Threads within each instance.
        foreach (var c in ordered)
        {
            DistributeToMembers(c);
        }
        return new Result(probing, warmups.Count);
    }

    private static void DistributeToMembers(ClientState client)
    {
        var members = client.Members.OrderBy(m => m.MemberId, StringComparer.Ordinal).ToList();
        if (members.Count == 0)
        {
            return;
        }
        var cap = (int)Math.Ceiling((double)client.Active.Count / members.Count);
        var rest = new List<TaskId>();
        foreach (var t in client.Active.OrderBy(t => t))
        {
            var prev = members.Find(m => m.PreviousActive.Contains(t) && m.Active.Count < cap);
            if (prev is not null)
            {
                prev.Active.Add(t);
            }
            else
            {
                rest.Add(t);
            }
        }
        foreach (var t in rest)
        {
            members.OrderBy(m => m.Active.Count).First().Active.Add(t);
        }
        var standbyCap = (int)Math.Ceiling((double)client.Standby.Count / members.Count);
        var restStandby = new List<TaskId>();
        foreach (var t in client.Standby.OrderBy(t => t))
        {
            var prev = members.Find(m => m.PreviousStandby.Contains(t) && m.Standby.Count < standbyCap);
            if (prev is not null)
            {
                prev.Standby.Add(t);
            }
            else
            {
                restStandby.Add(t);
            }
        }
        foreach (var t in restStandby)
        {
            members.OrderBy(m => m.Standby.Count + m.Active.Count).First().Standby.Add(t);
        }
    }
}

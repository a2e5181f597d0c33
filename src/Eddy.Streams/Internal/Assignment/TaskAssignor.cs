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

        // 3. Balance by capacity: stateful tasks among themselves first, then stateless ones (Kafka balances each
        // kind separately, so state spreads evenly and stateless tasks fill in).
        var warmups = new List<(ClientState Client, TaskId Task)>();
        var probing = false;
        foreach (var kind in new[] { true, false })
        {
            var kindTasks = sortedTasks.Where(t => statefulTasks.Contains(t) == kind).ToList();
            probing |= Balance(ordered, kindTasks, t => statefulTasks.Contains(t) == kind, kind, CaughtUp, StateOf, warmups, maxWarmupReplicas);
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

    /// <summary>Moves tasks of one kind from the most to the least loaded instance while that improves balance.</summary>
    private static bool Balance(List<ClientState> clients, List<TaskId> tasks, Func<TaskId, bool> ofKind, bool stateful,
        Func<ClientState, TaskId, bool> caughtUp, Func<ClientState, TaskId, long> stateOf, List<(ClientState Client, TaskId Task)> warmups, int maxWarmups)
    {
        if (tasks.Count == 0 || clients.Count < 2)
        {
            return false;
        }
        var totalCapacity = clients.Sum(c => c.Capacity);
        int Count(ClientState c) => c.Active.Count(ofKind);
        var probing = false;
        var blocked = new HashSet<(ClientState, ClientState)>();
        for (var guard = 0; guard < tasks.Count * clients.Count; guard++)
        {
            var over = clients.OrderByDescending(c => (double)Count(c) / c.Capacity).First();
            var under = clients.Where(c => !blocked.Contains((over, c))).OrderBy(c => (double)Count(c) / c.Capacity).FirstOrDefault();
            if (under is null || ReferenceEquals(over, under))
            {
                break;
            }
            var overTarget = (int)Math.Ceiling((double)tasks.Count * over.Capacity / totalCapacity);
            if (Count(over) <= overTarget && (Count(over) - 1) / (double)over.Capacity < (Count(under) + 1) / (double)under.Capacity)
            {
                break;
            }
            if ((Count(over) - 1) / (double)over.Capacity < (Count(under) + 1) / (double)under.Capacity)
            {
                break;
            }
            // Prefer tasks the destination already has state for.
            var movable = over.Active.Where(ofKind).OrderByDescending(t => stateOf(under, t)).ThenBy(t => t).FirstOrDefault(t => caughtUp(under, t), new TaskId(-1, -1));
            if (movable.Subtopology >= 0)
            {
                over.Active.Remove(movable);
                under.Active.Add(movable);
                continue;
            }
            // Nothing can move without a long restore: warm the destination up instead and probe later.
            if (stateful)
            {
                var needed = Count(over) - overTarget;
                foreach (var warm in over.Active.Where(ofKind).OrderBy(t => t).Where(t => !under.Holds(t) && !warmups.Exists(w => w.Task == t)).ToList())
                {
                    if (needed-- <= 0 || warmups.Count >= maxWarmups)
                    {
                        break;
                    }
                    warmups.Add((under, warm));
                    under.Standby.Add(warm);
                    probing = true;
                }
            }
            blocked.Add((over, under));
        }
        return probing;
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

using Eddy.Streams.Internal.Assignment;

namespace Eddy.Streams.Integration.Tests;

public sealed class TaskAssignorTests
{
    private static readonly HashSet<TaskId> Stateful = [new(1, 0), new(1, 1), new(1, 2), new(1, 3)];
    private static readonly List<TaskId> AllTasks = [.. Enumerable.Range(0, 4).Select(p => new TaskId(0, p)), .. Stateful];

    private static ClientState Client(string id, int threads = 1)
    {
        var c = new ClientState(id);
        for (var i = 0; i < threads; i++)
        {
            c.Members.Add(new MemberState(id + "-m" + i));
        }
        return c;
    }

    [Fact]
    public void Tasks_are_spread_evenly_and_each_kind_is_balanced_separately()
    {
        var a = Client("a");
        var b = Client("b");
        TaskAssignor.Assign([a, b], AllTasks, Stateful, 0, 10_000, 2);
        Assert.Equal(4, a.Active.Count);
        Assert.Equal(4, b.Active.Count);
        Assert.Equal(2, a.Active.Count(Stateful.Contains));
        Assert.Equal(2, b.Members[0].Active.Count(Stateful.Contains));
    }

    [Fact]
    public void Active_tasks_stay_with_their_previous_owner()
    {
        var a = Client("a");
        var b = Client("b");
        a.Members[0].PreviousActive.UnionWith([new TaskId(1, 0), new TaskId(1, 3), new TaskId(0, 1), new TaskId(0, 2)]);
        b.Members[0].PreviousActive.UnionWith([new TaskId(1, 1), new TaskId(1, 2), new TaskId(0, 0), new TaskId(0, 3)]);
        TaskAssignor.Assign([a, b], AllTasks, Stateful, 0, 10_000, 2);
        Assert.Equal(a.Members[0].PreviousActive.Order(), a.Active.Order());
        Assert.Equal(b.Members[0].PreviousActive.Order(), b.Active.Order());
    }

    [Fact]
    public void A_new_instance_without_state_gets_warm_ups_not_stateful_actives_and_a_probing_rebalance()
    {
        var a = Client("a");
        a.Members[0].PreviousActive.UnionWith(AllTasks);
        foreach (var t in Stateful)
        {
            a.OffsetSums[t] = 1_000_000;
        }
        var b = Client("b");
        var result = TaskAssignor.Assign([a, b], AllTasks, Stateful, 0, 10_000, 2);
        Assert.True(result.ProbingRebalanceNeeded);
        Assert.Equal(2, result.WarmupCount);
        Assert.All(Stateful, t => Assert.Contains(t, a.Active));
        Assert.Equal(2, b.Active.Count);
        Assert.All(b.Active, t => Assert.DoesNotContain(t, Stateful));
        Assert.Equal(2, b.Standby.Count);
    }

    [Fact]
    public void A_caught_up_instance_takes_back_stateful_tasks()
    {
        var a = Client("a");
        a.Members[0].PreviousActive.UnionWith(AllTasks);
        var b = Client("b");
        foreach (var t in Stateful)
        {
            a.OffsetSums[t] = 1_000_000;
            b.OffsetSums[t] = 995_000;
        }
        var result = TaskAssignor.Assign([a, b], AllTasks, Stateful, 0, 10_000, 2);
        Assert.False(result.ProbingRebalanceNeeded);
        Assert.Equal(2, b.Active.Count(Stateful.Contains));
    }

    [Fact]
    public void Standbys_go_to_another_instance_preferring_the_one_with_state()
    {
        var a = Client("a");
        var b = Client("b");
        var c = Client("c");
        c.OffsetSums[new TaskId(1, 0)] = 500;
        TaskAssignor.Assign([a, b, c], AllTasks, Stateful, 1, 10_000, 2);
        foreach (var t in Stateful)
        {
            var holders = new[] { a, b, c }.Where(x => x.Standby.Contains(t)).ToList();
            Assert.Single(holders);
            Assert.DoesNotContain(t, holders[0].Active);
        }
        Assert.True(c.Standby.Contains(new TaskId(1, 0)) || c.Active.Contains(new TaskId(1, 0)));
        Assert.All(AllTasks.Where(t => !Stateful.Contains(t)), t => Assert.DoesNotContain(new[] { a, b, c }, x => x.Standby.Contains(t)));
    }

    [Fact]
    public void An_instance_with_more_threads_gets_more_tasks_and_threads_share_them()
    {
        var a = Client("a", threads: 3);
        var b = Client("b", threads: 1);
        TaskAssignor.Assign([a, b], AllTasks, Stateful, 0, 10_000, 2);
        Assert.Equal(6, a.Active.Count);
        Assert.Equal(2, b.Active.Count);
        Assert.All(a.Members, m => Assert.Equal(2, m.Active.Count));
    }

    [Fact]
    public void Subscription_and_assignment_info_round_trip_and_garbage_is_rejected()
    {
        var sub = new SubscriptionInfo { ProcessId = "p", Endpoint = "h:1" };
        sub.OffsetSums["1_2"] = 42;
        var back = SubscriptionInfo.Decode(sub.Encode())!;
        Assert.Equal("h:1", back.Endpoint);
        Assert.Equal(42, back.OffsetSums["1_2"]);
        Assert.Null(SubscriptionInfo.Decode([1, 2, 3]));
        Assert.Null(AssignmentInfo.Decode("{not json"u8.ToArray()));
    }
}

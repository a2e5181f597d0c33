using Eddy.Broker.Internal.Groups;
using Eddy.Broker.Internal.Storage;
using Eddy.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eddy.Broker.Tests;

/// <summary>The classic group coordinator under an injected clock (kafka-protocol.md §3).</summary>
public sealed class GroupCoordinatorTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly ManualTime _time = new();
    private LogManager _logs = null!;
    private LogFlusher _flusher = null!;
    private GroupCoordinator _coordinator = null!;

    public Task InitializeAsync()
    {
        Start(initialDelayMs: 0);
        return Task.CompletedTask;
    }

    private void Start(int initialDelayMs)
    {
        var config = Batches.Config(("group.initial.rebalance.delay.ms", initialDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("offsets.topic.num.partitions", "3"));
        _logs = new LogManager(_dir.Path, config, _time, NullLogger.Instance);
        _logs.Load();
        _flusher = new LogFlusher(NullLogger.Instance);
        _coordinator = new GroupCoordinator(_logs, _flusher, config, _time, NullLogger.Instance);
        _coordinator.Load();
    }

    private async Task RestartAsync(int initialDelayMs = 0)
    {
        _coordinator.Dispose();
        await _flusher.DisposeAsync();
        _logs.Shutdown(clean: true);
        Start(initialDelayMs);
    }

    public async Task DisposeAsync()
    {
        _coordinator.Dispose();
        await _flusher.DisposeAsync();
        _logs.Shutdown(clean: true);
        _dir.Dispose();
    }

    private static JoinRequest Join(string group, string memberId = "", string? instance = null, string protocol = "range", int session = 10_000, bool v4 = true, params string[] more)
    {
        var protocols = new List<(string, byte[])> { (protocol, [1, 2, 3]) };
        foreach (var p in more)
        {
            protocols.Add((p, [4]));
        }

        return new JoinRequest(group, memberId, instance, "consumer", protocols, session, 20_000, "client", "/127.0.0.1", v4 && instance is null);
    }

    private async Task<JoinResult> JoinWithIdAsync(JoinRequest request)
    {
        var first = await _coordinator.JoinAsync(request);
        Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        Assert.StartsWith("client-", first.MemberId, StringComparison.Ordinal);
        return await _coordinator.JoinAsync(request with { MemberId = first.MemberId });
    }

    [Fact]
    public async Task JoinGroup_v4_without_a_member_id_gets_MEMBER_ID_REQUIRED_then_joins_as_leader()
    {
        var joined = await JoinWithIdAsync(Join("g"));
        Assert.Equal(ErrorCode.None, joined.Error);
        Assert.Equal(1, joined.GenerationId);
        Assert.Equal(joined.MemberId, joined.LeaderId);
        Assert.Single(joined.Members!);
        Assert.Equal("range", joined.ProtocolName);
    }

    [Fact]
    public async Task The_first_rebalance_waits_for_the_initial_delay_on_the_injected_clock()
    {
        await RestartAsync(initialDelayMs: 3000);
        var pending = _coordinator.JoinAsync(Join("g", v4: false));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var first = await pending;
        Assert.Equal(ErrorCode.None, first.Error);
        Assert.Equal(1, first.GenerationId);
    }

    [Fact]
    public async Task Two_members_get_one_generation_the_leader_gets_the_metadata_and_sync_hands_out_assignments()
    {
        var a = await JoinWithIdAsync(Join("g"));
        var syncA = await _coordinator.SyncAsync("g", a.GenerationId, a.MemberId, null, null, null, new() { [a.MemberId] = [9] });
        Assert.Equal(ErrorCode.None, syncA.Error);

        // A second member arrives: the group rebalances; both must rejoin.
        var first = await _coordinator.JoinAsync(Join("g"));
        var bJoin = _coordinator.JoinAsync(Join("g") with { MemberId = first.MemberId });
        Assert.Equal(ErrorCode.RebalanceInProgress, _coordinator.Heartbeat("g", a.MemberId, null, a.GenerationId));
        var aJoin = _coordinator.JoinAsync(Join("g") with { MemberId = a.MemberId });
        var (ra, rb) = (await aJoin, await bJoin);
        Assert.Equal(2, ra.GenerationId);
        Assert.Equal(ra.GenerationId, rb.GenerationId);
        var leader = ra.LeaderId == ra.MemberId ? ra : rb;
        var follower = ra.LeaderId == ra.MemberId ? rb : ra;
        Assert.Equal(2, leader.Members!.Count);
        Assert.Empty(follower.Members!);

        var followerSync = _coordinator.SyncAsync("g", follower.GenerationId, follower.MemberId, null, null, null, []);
        Assert.False(followerSync.IsCompleted);
        var leaderSync = await _coordinator.SyncAsync("g", leader.GenerationId, leader.MemberId, null, null, null, new() { [leader.MemberId] = [1], [follower.MemberId] = [2] });
        Assert.Equal([1], leaderSync.Assignment);
        Assert.Equal([2], (await followerSync).Assignment);
        Assert.Equal("Stable", _coordinator.Describe("g").State);
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_removed_after_its_session_timeout()
    {
        var a = await JoinWithIdAsync(Join("g", session: 6000));
        await _coordinator.SyncAsync("g", a.GenerationId, a.MemberId, null, null, null, new() { [a.MemberId] = [1] });
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(ErrorCode.None, _coordinator.Heartbeat("g", a.MemberId, null, a.GenerationId));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("Stable", _coordinator.Describe("g").State);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.Heartbeat("g", a.MemberId, null, a.GenerationId));
        Assert.Equal("Empty", _coordinator.Describe("g").State);
    }

    [Fact]
    public async Task LeaveGroup_removes_the_member_and_the_rest_rebalance_batch_leave_included()
    {
        var a = await JoinWithIdAsync(Join("g"));
        await _coordinator.SyncAsync("g", a.GenerationId, a.MemberId, null, null, null, []);
        var (error, members) = _coordinator.Leave("g", [(a.MemberId, null), ("nobody", null)]);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(ErrorCode.None, members[0].Error);
        Assert.Equal(ErrorCode.UnknownMemberId, members[1].Error);
        Assert.Equal("Empty", _coordinator.Describe("g").State);
    }

    [Fact]
    public async Task A_static_member_with_a_stale_member_id_is_fenced_and_a_rejoin_keeps_the_assignment()
    {
        var a = await _coordinator.JoinAsync(Join("g", instance: "instance-1"));
        Assert.Equal(ErrorCode.None, a.Error);
        await _coordinator.SyncAsync("g", a.GenerationId, a.MemberId, "instance-1", null, null, new() { [a.MemberId] = [7] });

        // The same instance restarts: new member id, no rebalance, the old id is fenced.
        var again = await _coordinator.JoinAsync(Join("g", instance: "instance-1"));
        Assert.Equal(ErrorCode.None, again.Error);
        Assert.Equal(a.GenerationId, again.GenerationId);
        Assert.NotEqual(a.MemberId, again.MemberId);
        Assert.Equal(ErrorCode.FencedInstanceId, _coordinator.Heartbeat("g", a.MemberId, "instance-1", a.GenerationId));
        var sync = await _coordinator.SyncAsync("g", again.GenerationId, again.MemberId, "instance-1", null, null, []);
        Assert.Equal([7], sync.Assignment);
    }

    [Fact]
    public async Task The_protocol_is_chosen_by_member_vote_among_protocols_all_members_support()
    {
        var a = await JoinWithIdAsync(Join("g", protocol: "roundrobin", more: ["range"]));
        await _coordinator.SyncAsync("g", a.GenerationId, a.MemberId, null, null, null, []);
        var b0 = await _coordinator.JoinAsync(Join("g", protocol: "range", more: ["roundrobin"]));
        var bJoin = _coordinator.JoinAsync(Join("g", protocol: "range", more: ["roundrobin"]) with { MemberId = b0.MemberId });
        var cJoinId = await _coordinator.JoinAsync(Join("g", protocol: "range"));
        var cJoin = _coordinator.JoinAsync(Join("g", protocol: "range") with { MemberId = cJoinId.MemberId });
        var aJoin = _coordinator.JoinAsync(Join("g", protocol: "roundrobin", more: ["range"]) with { MemberId = a.MemberId });
        var results = await Task.WhenAll(aJoin, bJoin, cJoin);
        Assert.All(results, r => Assert.Equal("range", r.ProtocolName));

        var incompatible = await _coordinator.JoinAsync(Join("g", protocol: "sticky"));
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, incompatible.Error);
    }

    [Fact]
    public async Task Offset_commits_check_generation_and_member_and_simple_commits_work_on_empty_groups()
    {
        Assert.NotNull(_logs.CreateTopic("t", 2, new Dictionary<string, string?>(), false).Topic);
        static bool Exists(string topic, int partition) => topic == "t" && partition < 2;
        var simple = await _coordinator.CommitOffsetsAsync("simple", -1, "", null, [new("t", 0, 42, -1, "meta")], Exists);
        Assert.Equal(ErrorCode.None, simple.Error);
        Assert.Equal(ErrorCode.None, simple.Partitions[("t", 0)]);
        var fetched = _coordinator.FetchOffsets("simple", [("t", [0, 1])]);
        Assert.Equal(42, fetched[0].Offset!.Value.Offset);
        Assert.Equal("meta", fetched[0].Offset!.Value.Metadata);
        Assert.Null(fetched[1].Offset);

        var a = await JoinWithIdAsync(Join("g"));
        Assert.Equal(ErrorCode.RebalanceInProgress, (await _coordinator.CommitOffsetsAsync("g", a.GenerationId, a.MemberId, null, [new("t", 0, 1, -1, null)], Exists)).Error);
        await _coordinator.SyncAsync("g", a.GenerationId, a.MemberId, null, null, null, []);
        Assert.Equal(ErrorCode.IllegalGeneration, (await _coordinator.CommitOffsetsAsync("g", a.GenerationId + 1, a.MemberId, null, [new("t", 0, 1, -1, null)], Exists)).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, (await _coordinator.CommitOffsetsAsync("g", a.GenerationId, "stranger", null, [new("t", 0, 1, -1, null)], Exists)).Error);
        Assert.Equal(ErrorCode.IllegalGeneration, (await _coordinator.CommitOffsetsAsync("missing", 3, "x", null, [new("t", 0, 1, -1, null)], Exists)).Error);
        var ok = await _coordinator.CommitOffsetsAsync("g", a.GenerationId, a.MemberId, null, [new("t", 1, 5, -1, null), new("nope", 0, 1, -1, null)], Exists);
        Assert.Equal(ErrorCode.None, ok.Partitions[("t", 1)]);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, ok.Partitions[("nope", 0)]);
    }

    [Fact]
    public async Task Committed_offsets_and_group_metadata_survive_a_restart()
    {
        Assert.NotNull(_logs.CreateTopic("t", 1, new Dictionary<string, string?>(), false).Topic);
        var a = await JoinWithIdAsync(Join("g"));
        await _coordinator.SyncAsync("g", a.GenerationId, a.MemberId, null, null, null, new() { [a.MemberId] = [3] });
        await _coordinator.CommitOffsetsAsync("g", a.GenerationId, a.MemberId, null, [new("t", 0, 77, -1, "m")], (_, _) => true);
        await RestartAsync();
        Assert.Equal(77, _coordinator.FetchOffsets("g", null).Single().Offset!.Value.Offset);
        var described = _coordinator.Describe("g");
        Assert.Equal("Stable", described.State);
        Assert.Equal(a.MemberId, described.Members.Single().Member.MemberId);
        Assert.Equal(ErrorCode.None, _coordinator.Heartbeat("g", a.MemberId, null, a.GenerationId));
    }

    [Fact]
    public async Task Offsets_of_an_empty_group_expire_after_offsets_retention_minutes()
    {
        Assert.NotNull(_logs.CreateTopic("t", 1, new Dictionary<string, string?>(), false).Topic);
        await _coordinator.CommitOffsetsAsync("idle", -1, "", null, [new("t", 0, 5, -1, null)], (_, _) => true);
        _time.Advance(TimeSpan.FromDays(6));
        Assert.NotNull(_coordinator.FetchOffsets("idle", null).Single().Offset);
        _time.Advance(TimeSpan.FromDays(2));
        Assert.Empty(_coordinator.FetchOffsets("idle", null));
        Assert.DoesNotContain(_coordinator.ListGroups(), g => g.GroupId == "idle");
    }

    [Fact]
    public async Task OffsetDelete_removes_offsets_of_topics_the_group_does_not_consume()
    {
        Assert.NotNull(_logs.CreateTopic("t", 1, new Dictionary<string, string?>(), false).Topic);
        await _coordinator.CommitOffsetsAsync("od", -1, "", null, [new("t", 0, 5, -1, null), new("u", 0, 7, -1, null)], (_, _) => true);
        var (error, partitions) = await _coordinator.DeleteOffsetsAsync("od", [("t", 0)]);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(ErrorCode.None, partitions[("t", 0)]);
        Assert.Equal([("u", 0)], _coordinator.FetchOffsets("od", null).Select(o => (o.Topic, o.Partition)));
        Assert.Equal(ErrorCode.GroupIdNotFound, (await _coordinator.DeleteOffsetsAsync("nope", [("t", 0)])).Error);
    }

    [Fact]
    public async Task DeleteGroups_refuses_groups_with_members_and_deletes_empty_ones_with_their_offsets()
    {
        var a = await JoinWithIdAsync(Join("g"));
        Assert.Equal(ErrorCode.NonEmptyGroup, await _coordinator.DeleteGroupAsync("g"));
        _coordinator.Leave("g", [(a.MemberId, null)]);
        Assert.Equal(ErrorCode.None, await _coordinator.DeleteGroupAsync("g"));
        Assert.Equal(ErrorCode.GroupIdNotFound, await _coordinator.DeleteGroupAsync("g"));
        Assert.Equal("Dead", _coordinator.Describe("g").State);
    }
}

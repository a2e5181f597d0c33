using System.Globalization;
using Eddy.Client;
using Eddy.Streams.Errors;
using Eddy.Streams.Internal.State;
using Eddy.Streams.Internal.Topology;
using Microsoft.Extensions.Logging;

namespace Eddy.Streams.Internal.Runtime;

/// <summary>An internal topic the application needs, with its partition count and topic configs.</summary>
internal sealed record InternalTopicSpec(string Name, int Partitions, IReadOnlyDictionary<string, string> Configs, bool IsChangelog);

/// <summary>
/// Works out and creates the application's internal topics before processing starts (Kafka does this in the
/// assignor; doing it at start keeps the leader's assignment free of admin calls): repartition topics get the partition
/// count of the sub-topology that writes them (or the count fixed with Repartitioned), co-partition groups are checked,
/// changelog topics get the task count of their sub-topology and are compacted (window and session changelogs:
/// compact,delete with the store's retention plus windowstore.changelog.additional.retention.ms). Existing topics are
/// accepted when their partition count (and a changelog's cleanup.policy) match.
/// </summary>
internal sealed class InternalTopicManager(KafkaAdminClient admin, StreamsConfig config, ILogger logger)
{
    public async Task<List<InternalTopicSpec>> PrepareAsync(InternalTopologyBuilder builder, CancellationToken ct)
    {
        var groups = builder.TopicGroups();
        foreach (var g in groups)
        {
            if (g.SourcePatterns.Count > 0)
            {
                throw new TopologyException($"Sub-topology {g.SubtopologyId} subscribes to a pattern; the Kafka runtime does not support pattern subscriptions yet.");
            }
        }
        var repartitionTopics = new HashSet<string>(groups.SelectMany(g => g.RepartitionSourceTopics.Keys), StringComparer.Ordinal);
        var external = groups.SelectMany(g => g.SourceTopics).Distinct(StringComparer.Ordinal).ToList();
        var existing = await DescribeAsync(external.Concat(repartitionTopics).Concat(groups.SelectMany(g => g.StateChangelogTopics)), ct).ConfigureAwait(false);
        var missing = external.Where(t => !existing.ContainsKey(t)).ToList();
        if (missing.Count > 0)
        {
            throw new StreamsException($"Missing source topics: {string.Join(", ", missing)}. Create them before starting the application.");
        }

        // Repartition counts: fixed ones first, then from the sub-topologies that write them, until nothing changes.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var fixedTopics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            foreach (var (t, n) in g.RepartitionSourceTopics)
            {
                if (n is { } fixedCount)
                {
                    counts[t] = fixedCount;
                    fixedTopics.Add(t);
                }
            }
        }
        int? PartitionsOf(string topic) => counts.TryGetValue(topic, out var n) ? n : existing.TryGetValue(topic, out var e) ? e : null;
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var t in repartitionTopics.Where(t => !counts.ContainsKey(t)))
            {
                var n = 0;
                foreach (var writer in groups.Where(g => g.SinkTopics.Contains(t)))
                {
                    foreach (var src in writer.SourceTopics.Concat(writer.RepartitionSourceTopics.Keys))
                    {
                        n = Math.Max(n, PartitionsOf(src) ?? 0);
                    }
                }
                if (n > 0)
                {
                    counts[t] = n;
                    changed = true;
                }
            }
        }
        foreach (var t in repartitionTopics.Where(t => !counts.ContainsKey(t)))
        {
            throw new TopologyException($"Cannot determine the number of partitions of repartition topic {t}.");
        }
        foreach (var group in builder.CopartitionTopicGroups())
        {
            var repartitionInGroup = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var t in group.Where(repartitionTopics.Contains))
            {
                repartitionInGroup[t] = counts[t];
            }
            CopartitionedTopicsEnforcer.Enforce(group, repartitionInGroup, fixedTopics, PartitionsOf);
            foreach (var (t, n) in repartitionInGroup)
            {
                counts[t] = n;
            }
        }

        var specs = new List<InternalTopicSpec>();
        foreach (var t in repartitionTopics.Order(StringComparer.Ordinal))
        {
            specs.Add(new InternalTopicSpec(t, counts[t], new Dictionary<string, string>
            {
                ["cleanup.policy"] = "delete",
                ["retention.ms"] = "-1",
                ["segment.bytes"] = "52428800",
            }, false));
        }
        foreach (var g in groups)
        {
            var tasks = g.SourceTopics.Concat(g.RepartitionSourceTopics.Keys).Select(t => PartitionsOf(t) ?? 0).DefaultIfEmpty(0).Max();
            foreach (var changelog in g.StateChangelogTopics)
            {
                var storeName = changelog[(config.ApplicationId.Length + 1)..^"-changelog".Length];
                var store = builder.StoreBuilder(storeName);
                var configs = new Dictionary<string, string>(store?.LogConfig ?? new Dictionary<string, string>(), StringComparer.Ordinal);
                if (store is IWindowedStoreBuilder windowed)
                {
                    configs.TryAdd("cleanup.policy", "compact,delete");
                    configs.TryAdd("retention.ms", (windowed.RetentionMs + config.WindowStoreChangelogAdditionalRetentionMs).ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    configs.TryAdd("cleanup.policy", "compact");
                }
                specs.Add(new InternalTopicSpec(changelog, tasks, configs, true));
            }
        }
        return specs;
    }

    public async Task CreateOrValidateAsync(IReadOnlyList<InternalTopicSpec> specs, CancellationToken ct)
    {
        var existing = await DescribeAsync(specs.Select(s => s.Name), ct).ConfigureAwait(false);
        var errors = new List<string>();
        foreach (var s in specs.Where(s => existing.ContainsKey(s.Name)))
        {
            if (existing[s.Name] != s.Partitions)
            {
                errors.Add($"Existing internal topic {s.Name} has invalid partitions: expected: {s.Partitions}; actual: {existing[s.Name]}. Use the application reset tool or delete the topic.");
            }
        }
        var changelogs = specs.Where(s => s.IsChangelog && existing.ContainsKey(s.Name)).ToList();
        if (changelogs.Count > 0)
        {
            var described = await admin.DescribeConfigsAsync(changelogs.Select(s => new ConfigResource(ConfigResourceType.Topic, s.Name)), ct).ConfigureAwait(false);
            foreach (var d in described)
            {
                var policy = d.Entries.FirstOrDefault(e => e.Name == "cleanup.policy")?.Value ?? "delete";
                if (!policy.Contains("compact", StringComparison.Ordinal))
                {
                    errors.Add($"Existing changelog topic {d.Resource.Name} has cleanup.policy={policy}; it must be compacted (compact or compact,delete).");
                }
            }
        }
        if (errors.Count > 0)
        {
            throw new StreamsException(string.Join(" ", errors));
        }
        var toCreate = specs.Where(s => !existing.ContainsKey(s.Name)).ToList();
        if (toCreate.Count == 0)
        {
            return;
        }
        var rf = (short)config.ReplicationFactor;
        var results = await CreateAsync(toCreate.Select(s => new NewTopic(s.Name, s.Partitions, rf) { Configs = new Dictionary<string, string>(s.Configs) }), ct).ConfigureAwait(false);
        foreach (var r in results)
        {
            if (r.Error is not (Protocol.ErrorCode.None or Protocol.ErrorCode.TopicAlreadyExists))
            {
                throw new StreamsException($"Could not create internal topic {r.Name}: {r.Error} {r.Message}");
            }
        }
        logger.LogInformation("Created internal topics: {Topics}", string.Join(", ", toCreate.Select(s => $"{s.Name} ({s.Partitions})")));
        // Another instance may have created a topic concurrently with other settings: check again.
        var after = await DescribeAsync(toCreate.Select(s => s.Name), ct).ConfigureAwait(false);
        foreach (var s in toCreate)
        {
            if (after.TryGetValue(s.Name, out var n) && n != s.Partitions)
            {
                throw new StreamsException($"Internal topic {s.Name} has {n} partitions; expected {s.Partitions}.");
            }
        }
    }

    private async Task<IReadOnlyList<AdminResult>> CreateAsync(IEnumerable<NewTopic> topics, CancellationToken ct)
    {
        try
        {
            return await admin.CreateTopicsAsync(topics, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (AdminOperationException e)
        {
            return e.Results;
        }
    }

    private async Task<Dictionary<string, int>> DescribeAsync(IEnumerable<string> topics, CancellationToken ct)
    {
        var list = topics.Distinct(StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        if (list.Count == 0)
        {
            return result;
        }
        IReadOnlyList<TopicDescription> described;
        try
        {
            described = await admin.DescribeTopicsAsync(list, ct).ConfigureAwait(false);
        }
        catch (AdminOperationException)
        {
            described = [];
            foreach (var t in list)
            {
                try
                {
                    described = [.. described, .. await admin.DescribeTopicsAsync([t], ct).ConfigureAwait(false)];
                }
                catch (AdminOperationException)
                {
                }
            }
        }
        foreach (var d in described)
        {
            if (d.Error == Protocol.ErrorCode.None && d.Partitions.Count > 0)
            {
                result[d.Name] = d.Partitions.Count;
            }
        }
        return result;
    }
}

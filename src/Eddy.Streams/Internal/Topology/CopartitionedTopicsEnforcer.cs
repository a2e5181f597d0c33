using Eddy.Streams.Errors;

namespace Eddy.Streams.Internal.Topology;

/// <summary>
/// Enforces co-partitioning when topics exist (Kafka's CopartitionedTopicsEnforcer): the source topics of a
/// co-partition group must have the same partition count, and its repartition topics get that count (or the largest
/// of theirs when the group has only repartition topics). A repartition topic whose count was fixed by the user
/// must match. The runtime calls it with topic metadata before creating internal topics and tasks.
/// </summary>
internal static class CopartitionedTopicsEnforcer
{
    /// <param name="group">The topics of one co-partition group.</param>
    /// <param name="repartitionTopics">The group's internal repartition topics with their counts so far (updated).</param>
    /// <param name="fixedRepartitionTopics">Repartition topics whose count the user fixed.</param>
    /// <param name="partitionsOf">The partition count of an existing source topic, or null if it does not exist.</param>
    public static void Enforce(IReadOnlyCollection<string> group, IDictionary<string, int> repartitionTopics, IReadOnlySet<string> fixedRepartitionTopics,
        Func<string, int?> partitionsOf)
    {
        if (group.Count == 0)
        {
            return;
        }
        var sourceCounts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in group)
        {
            if (repartitionTopics.ContainsKey(topic))
            {
                continue;
            }
            sourceCounts[topic] = partitionsOf(topic) ?? throw new TopologyException($"Topic {topic} not found: co-partitioned topics must exist before the application starts.");
        }
        int numPartitions;
        if (sourceCounts.Count > 0)
        {
            var distinct = sourceCounts.Values.Distinct().ToList();
            if (distinct.Count > 1)
            {
                throw new TopologyException("Following topics do not have the same number of partitions: [" +
                    string.Join(", ", sourceCounts.Select(kv => kv.Key + "=" + kv.Value)) + "]");
            }
            numPartitions = distinct[0];
        }
        else
        {
            // Only repartition topics: use the largest count among them.
            numPartitions = 0;
            foreach (var topic in group)
            {
                numPartitions = Math.Max(numPartitions, repartitionTopics.TryGetValue(topic, out var n) ? n : 0);
            }
        }
        foreach (var topic in group)
        {
            if (!repartitionTopics.TryGetValue(topic, out var current))
            {
                continue;
            }
            if (fixedRepartitionTopics.Contains(topic) && current != numPartitions)
            {
                throw new TopologyException($"Number of partitions [{current}] of repartition topic [{topic}] doesn't match number of partitions [{numPartitions}] of the source topic.");
            }
            repartitionTopics[topic] = numPartitions;
        }
    }
}

namespace Eddy.Client.Internal;

/// <summary>The built-in assignors by their Kafka protocol names.</summary>
internal static class Assignors
{
    public static IPartitionAssignor? ByName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "range" or "org.apache.kafka.clients.consumer.rangeassignor" => new RangeAssignor(),
        "roundrobin" or "org.apache.kafka.clients.consumer.roundrobinassignor" => new RoundRobinAssignor(),
        "cooperative-sticky" or "org.apache.kafka.clients.consumer.cooperativestickyassignor" => new CooperativeStickyAssignor(),
        _ => null,
    };
}

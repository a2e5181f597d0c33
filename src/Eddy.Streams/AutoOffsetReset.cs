namespace Eddy.Streams;

/// <summary>Where a source starts reading when it has no committed offset (Kafka's <c>auto.offset.reset</c> per source).</summary>
/// <example><code>Consumed.With(Serdes.String(), Serdes.String()).WithOffsetResetPolicy(AutoOffsetReset.Earliest);</code></example>
public enum AutoOffsetReset
{
    /// <summary>From the start of the partition.</summary>
    Earliest,

    /// <summary>From the end: only new records.</summary>
    Latest,

    /// <summary>Fail when there is no committed offset.</summary>
    None,
}

namespace Eddy.Streams;

/// <summary>
/// Identifies a task: the sub-topology it runs and the input partition it owns. Printed as
/// <c>subtopology_partition</c> like Kafka Streams (for example <c>0_3</c>).
/// </summary>
/// <param name="Subtopology">The sub-topology id.</param>
/// <param name="Partition">The partition number.</param>
/// <example><code>var id = new TaskId(0, 3); // "0_3"</code></example>
public readonly record struct TaskId(int Subtopology, int Partition) : IComparable<TaskId>
{
    /// <inheritdoc/>
    public int CompareTo(TaskId other)
    {
        var c = Subtopology.CompareTo(other.Subtopology);
        return c != 0 ? c : Partition.CompareTo(other.Partition);
    }

    /// <summary>Parses the <c>subtopology_partition</c> form.</summary>
    /// <param name="text">The text, such as <c>1_0</c>.</param>
    /// <returns>The task id.</returns>
    public static TaskId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var i = text.IndexOf('_', StringComparison.Ordinal);
        if (i <= 0)
        {
            throw new FormatException($"Task id '{text}' is not of the form <subtopology>_<partition>.");
        }
        return new TaskId(int.Parse(text.AsSpan(0, i), System.Globalization.CultureInfo.InvariantCulture), int.Parse(text.AsSpan(i + 1), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Compares two task ids.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>True when left sorts first.</returns>
    public static bool operator <(TaskId left, TaskId right) => left.CompareTo(right) < 0;

    /// <summary>Compares two task ids.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>True when left sorts last.</returns>
    public static bool operator >(TaskId left, TaskId right) => left.CompareTo(right) > 0;

    /// <summary>Compares two task ids.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>True when left does not sort last.</returns>
    public static bool operator <=(TaskId left, TaskId right) => left.CompareTo(right) <= 0;

    /// <summary>Compares two task ids.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>True when left does not sort first.</returns>
    public static bool operator >=(TaskId left, TaskId right) => left.CompareTo(right) >= 0;

    /// <inheritdoc/>
    public override string ToString() => $"{Subtopology}_{Partition}";
}

/// <summary>A topic and a partition number.</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partition">The partition number.</param>
/// <example><code>var tp = new TopicPartition("orders", 0); // "orders-0"</code></example>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Topic}-{Partition}";
}

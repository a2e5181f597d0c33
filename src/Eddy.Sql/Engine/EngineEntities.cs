using Eddy.Sql.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Engine;

/// <summary>One Kafka topic of SHOW TOPICS.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="ReplicaInfo">The replica count of each partition (ksqlDB's <c>replicaInfo</c>).</param>
/// <param name="ConsumerCount">Consumers assigned a partition of it (SHOW TOPICS EXTENDED only).</param>
/// <param name="ConsumerGroupCount">Consumer groups with such consumers (SHOW TOPICS EXTENDED only).</param>
/// <example><code>Console.WriteLine($"{topic.Name}: {topic.ReplicaInfo.Count} partitions");</code></example>
public sealed record KafkaTopicInfo(string Name, IReadOnlyList<int> ReplicaInfo, int ConsumerCount = 0, int ConsumerGroupCount = 0);

/// <summary>SHOW [ALL] TOPICS [EXTENDED] (<c>kafka_topics</c>, or <c>kafka_topics_extended</c> when <paramref name="Extended"/>).</summary>
/// <param name="StatementText">The statement.</param>
/// <param name="Topics">The topics, by name; internal topics (names starting with <c>_</c>) only for SHOW ALL TOPICS.</param>
/// <param name="Extended">True for SHOW TOPICS EXTENDED (consumer counts filled in).</param>
/// <example><code>foreach (var t in list.Topics) Console.WriteLine(t.Name);</code></example>
public sealed record TopicListEntity(string StatementText, IReadOnlyList<KafkaTopicInfo> Topics, bool Extended) : SqlEntity(StatementText);

/// <summary>SHOW FUNCTIONS (<c>function_names</c>): each function's name, kind (type) and category.</summary>
/// <param name="StatementText">The statement.</param>
/// <param name="Functions">The functions, by name.</param>
/// <example><code>foreach (var f in list.Functions) Console.WriteLine($"{f.Name} {f.Kind} {f.Category}");</code></example>
public sealed record FunctionListEntity(string StatementText, IReadOnlyList<FunctionInfo> Functions) : SqlEntity(StatementText);

/// <summary>DESCRIBE FUNCTION (<c>describe_function</c>).</summary>
/// <param name="StatementText">The statement.</param>
/// <param name="Function">The function with its overloads.</param>
/// <example><code>foreach (var o in d.Function.Overloads) Console.WriteLine(o.Signature);</code></example>
public sealed record FunctionDescriptionEntity(string StatementText, FunctionInfo Function) : SqlEntity(StatementText);

/// <summary>SHOW TYPES (<c>type_list</c>): the custom types by name.</summary>
/// <param name="StatementText">The statement.</param>
/// <param name="Types">Each custom type's name and definition.</param>
/// <example><code>foreach (var (name, type) in list.Types) Console.WriteLine($"{name}: {type}");</code></example>
public sealed record TypeListEntity(string StatementText, IReadOnlyDictionary<string, SqlType> Types) : SqlEntity(StatementText);

/// <summary>What DESCRIBE ... EXTENDED adds to a source description when the engine runs on Kafka.</summary>
/// <param name="Partitions">The topic's partition count (0 when the topic is missing).</param>
/// <param name="Replication">The replica count of its first partition.</param>
/// <param name="TotalMessages">Records currently in the topic (the sum of end minus start offsets).</param>
/// <param name="Queries">The state of each query reading or writing the source (RUNNING, ERROR, ...), by query id.</param>
/// <example><code>Console.WriteLine($"{stats.Partitions} partitions, total-messages: {stats.TotalMessages}");</code></example>
public sealed record SourceRuntimeStatistics(int Partitions, int Replication, long TotalMessages, IReadOnlyDictionary<string, string> Queries)
{
    /// <summary>ksqlDB's <c>statistics</c> text.</summary>
    public string Text => $"total-messages: {TotalMessages}";
}

/// <summary>A row of a query result; <see cref="IsTombstone"/> marks a table push query's deletion (key columns set, the rest null).</summary>
/// <example><code>if (row is QueryRow { IsTombstone: true }) Console.WriteLine("deleted");</code></example>
public sealed class QueryRow : IReadOnlyList<object?>
{
    private readonly object?[] _values;

    /// <summary>Creates a row.</summary>
    public QueryRow(object?[] values, bool isTombstone = false)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values;
        IsTombstone = isTombstone;
    }

    /// <summary>True for a deleted table row (ksqlDB's <c>"tombstone":true</c>).</summary>
    public bool IsTombstone { get; }

    /// <inheritdoc />
    public int Count => _values.Length;

    /// <inheritdoc />
    public object? this[int index] => _values[index];

    /// <inheritdoc />
    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)_values).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _values.GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _values.Select(Internal.Formats.JsonValues.ToJsonText));
}

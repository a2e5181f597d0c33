using System.Text.Json;
using Eddy.Client;

namespace Eddy.Sql.Engine;

/// <summary>One accepted statement in the metastore's log, with the session properties it ran with.</summary>
/// <param name="Sequence">Its position in the log (0, 1, ...).</param>
/// <param name="Statement">The statement text.</param>
/// <param name="Properties">The session properties (SET) in force.</param>
/// <example><code>var command = new SqlCommand(0, "CREATE STREAM s (v INT) WITH (kafka_topic='s', value_format='JSON');", new Dictionary&lt;string, string&gt;());</code></example>
public sealed record SqlCommand(long Sequence, string Statement, IReadOnlyDictionary<string, string> Properties)
{
    /// <summary>The command as JSON (the command topic's value).</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["statement"] = Statement,
        ["streamsProperties"] = Properties,
    });

    /// <summary>Reads a command written by <see cref="ToJson"/>.</summary>
    /// <exception cref="SqlException">The bytes are not a command.</exception>
    public static SqlCommand FromJson(long sequence, ReadOnlySpan<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var statement = doc.RootElement.GetProperty("statement").GetString() ?? throw new SqlException("A command without a statement.");
            var props = new Dictionary<string, string>(StringComparer.Ordinal);
            if (doc.RootElement.TryGetProperty("streamsProperties", out var p) && p.ValueKind == JsonValueKind.Object)
            {
                foreach (var kv in p.EnumerateObject())
                {
                    props[kv.Name] = kv.Value.ValueKind == JsonValueKind.String ? kv.Value.GetString()! : kv.Value.GetRawText();
                }
            }

            return new SqlCommand(sequence, statement, props);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new SqlException($"Command {sequence} is not a valid command: {e.Message}", e);
        }
    }
}

/// <summary>
/// The metastore's durable, ordered log of accepted statements (ksqlDB's command topic). The engine appends
/// each accepted statement and replays the whole log on start.
/// </summary>
/// <example>
/// <code>
/// ICommandLog log = new InMemoryCommandLog();
/// await log.AppendAsync("CREATE STREAM s (v INT) WITH (kafka_topic='s', value_format='JSON');", props, ct);
/// await foreach (var command in log.ReadAllAsync(ct)) Console.WriteLine(command.Statement);
/// </code>
/// </example>
public interface ICommandLog : IAsyncDisposable
{
    /// <summary>Appends a statement; returns the command with its sequence number.</summary>
    Task<SqlCommand> AppendAsync(string statement, IReadOnlyDictionary<string, string> properties, CancellationToken cancellationToken = default);

    /// <summary>Every command from the beginning, in order.</summary>
    IAsyncEnumerable<SqlCommand> ReadAllAsync(CancellationToken cancellationToken = default);
}

/// <summary>A command log in memory, for tests and embedded use.</summary>
/// <example><code>await using var log = new InMemoryCommandLog();</code></example>
public sealed class InMemoryCommandLog : ICommandLog
{
    private readonly List<SqlCommand> _commands = [];
    private readonly Lock _lock = new();

    /// <summary>The commands so far.</summary>
    public IReadOnlyList<SqlCommand> Commands
    {
        get
        {
            lock (_lock)
            {
                return [.. _commands];
            }
        }
    }

    /// <inheritdoc/>
    public Task<SqlCommand> AppendAsync(string statement, IReadOnlyDictionary<string, string> properties, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var command = new SqlCommand(_commands.Count, statement, new Dictionary<string, string>(properties, StringComparer.Ordinal));
            _commands.Add(command);
            return Task.FromResult(command);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<SqlCommand> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var c in Commands)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return c;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// The command log as a single-partition Kafka topic (ksqlDB's <c>_confluent-ksql-&lt;service&gt;_command_topic</c>),
/// written with <see cref="KafkaProducer{TKey, TValue}"/> (idempotent, acks=all) and read from the beginning
/// with an assigned <see cref="KafkaConsumer{TKey, TValue}"/> up to the high watermark.
/// </summary>
/// <example>
/// <code>
/// await using var log = new KafkaCommandLog("localhost:9092", "default_");
/// var engine = new SqlEngine(log);
/// await engine.StartAsync(ct); // replays the topic
/// </code>
/// </example>
public sealed class KafkaCommandLog : ICommandLog
{
    private readonly string _bootstrap;
    private readonly KafkaProducer<string?, byte[]?> _producer;
    private long _next = -1;

    /// <summary>Creates a log over the command topic of a service id (the topic must exist with one partition, or be auto-created).</summary>
    public KafkaCommandLog(string bootstrapServers, string serviceId = "default_")
    {
        _bootstrap = bootstrapServers;
        Topic = $"_confluent-ksql-{serviceId}_command_topic";
        _producer = new KafkaProducer<string?, byte[]?>(new ProducerConfig { BootstrapServers = bootstrapServers }, Serializers.Utf8, Serializers.ByteArray);
    }

    /// <summary>The command topic.</summary>
    public string Topic { get; }

    /// <inheritdoc/>
    public async Task<SqlCommand> AppendAsync(string statement, IReadOnlyDictionary<string, string> properties, CancellationToken cancellationToken = default)
    {
        var partition = new Client.TopicPartition(Topic, 0);
        if (_next < 0)
        {
            await foreach (var _ in ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }

        var command = new SqlCommand(_next, statement, properties);
        var result = await _producer.ProduceAsync(partition, new Message<string?, byte[]?> { Key = "command", Value = command.ToJson() }, cancellationToken).ConfigureAwait(false);
        _next = result.Offset + 1;
        return command with { Sequence = result.Offset };
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<SqlCommand> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var partition = new Client.TopicPartition(Topic, 0);
        var config = new ConsumerConfig { BootstrapServers = _bootstrap, EnableAutoCommit = false };
        await using var consumer = new KafkaConsumer<string, byte[]>(config, Deserializers.Utf8, Deserializers.ByteArray);
        var end = (await consumer.QueryWatermarkOffsetsAsync(partition, cancellationToken).ConfigureAwait(false)).High;
        consumer.Assign([new Client.TopicPartitionOffset(partition, 0)]);
        var position = 0L;
        while (position < end)
        {
            foreach (var r in await consumer.ConsumeAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false))
            {
                position = r.Offset + 1;
                if (r.Value is { } value)
                {
                    yield return SqlCommand.FromJson(r.Offset, value);
                }
            }
        }

        _next = Math.Max(_next, end);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}

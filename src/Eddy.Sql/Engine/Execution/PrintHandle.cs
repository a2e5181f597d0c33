using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Eddy.Client;
using Eddy.Sql.Types;

namespace Eddy.Sql.Engine.Execution;

/// <summary>
/// PRINT 'topic' [FROM BEGINNING] [INTERVAL n] [LIMIT n]: one STRING column of lines in ksqlDB's format
/// (<c>rowtime: 2022/12/02 17:22:02.556 Z, key: 18, value: {...}, partition: 0</c>), preceded by the
/// detected key and value formats. Reads with its own group-less consumer until LIMIT or disposal.
/// </summary>
internal sealed class PrintHandle : IQueryHandle
{
    private readonly Channel<QueryRow> _channel = Channel.CreateBounded<QueryRow>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private Task _pump = Task.CompletedTask;

    private PrintHandle(string topic) => QueryId = "print_" + topic;

    public string QueryId { get; }

    public bool IsPull => false;

    public IReadOnlyList<QueryColumn> Columns { get; } = [new QueryColumn("LINE", SqlTypes.String)];

    public static async Task<PrintHandle> StartAsync(KafkaRuntime runtime, Ast.PrintTopic print, CancellationToken cancellationToken)
    {
        var partitions = await runtime.PartitionsAsync(print.Topic, cancellationToken).ConfigureAwait(false)
            ?? throw new SqlException($"Could not find topic '{print.Topic}', or the KSQL user does not have permissions to list the topic. Topic names are case-sensitive.");
        if (print.Interval is <= 0 || print.Limit is < 0)
        {
            throw new SqlException("PRINT INTERVAL must be positive and LIMIT must not be negative.");
        }

        var handle = new PrintHandle(print.Topic);
        var consumer = new KafkaConsumer<byte[], byte[]>(new ConsumerConfig { BootstrapServers = runtime.Options.BootstrapServers, ClientId = "eddy-sql-print", EnableAutoCommit = false },
            Deserializers.ByteArray, Deserializers.ByteArray, runtime.Options.LoggerFactory);
        var tps = Enumerable.Range(0, partitions).Select(p => new TopicPartition(print.Topic, p)).ToList();
        if (print.FromBeginning)
        {
            consumer.Assign(tps.Select(tp => new TopicPartitionOffset(tp, Offsets.Beginning)));
        }
        else
        {
            var ends = await runtime.Admin.ListOffsetsAsync(tps.ToDictionary(tp => tp, _ => Offsets.End), cancellationToken: cancellationToken).ConfigureAwait(false);
            consumer.Assign(ends.Select(e => new TopicPartitionOffset(e.TopicPartition, Math.Max(0, e.Offset))));
        }

        handle._pump = Task.Run(() => handle.PumpAsync(consumer, print.Interval ?? 1, print.Limit), CancellationToken.None);
        return handle;
    }

    private async Task PumpAsync(KafkaConsumer<byte[], byte[]> consumer, int interval, int? limit)
    {
        var token = _stop.Token;
        var seen = 0L;
        var printed = 0;
        var headerWritten = false;
        try
        {
            await using (consumer.ConfigureAwait(false))
            {
                while (!token.IsCancellationRequested && (limit is null || printed < limit))
                {
                    foreach (var r in await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(200), token).ConfigureAwait(false))
                    {
                        if (seen++ % interval != 0 || (limit is not null && printed >= limit))
                        {
                            continue;
                        }

                        if (!headerWritten)
                        {
                            headerWritten = true;
                            await _channel.Writer.WriteAsync(new QueryRow(["Key format: " + FormatOf(r.Key)]), token).ConfigureAwait(false);
                            await _channel.Writer.WriteAsync(new QueryRow(["Value format: " + FormatOf(r.Value)]), token).ConfigureAwait(false);
                        }

                        await _channel.Writer.WriteAsync(new QueryRow([Line(r)]), token).ConfigureAwait(false);
                        printed++;
                    }
                }
            }

            _channel.Writer.TryComplete();
        }
        catch (OperationCanceledException)
        {
            _channel.Writer.TryComplete();
        }
        catch (KafkaException e)
        {
            _channel.Writer.TryComplete(new SqlException($"PRINT stopped: {e.Message}", e));
        }
    }

    /// <summary>ksqlDB's PRINT line for a record.</summary>
    public static string Line(ConsumeResult<byte[], byte[]> r)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(r.TimestampMs).UtcDateTime.ToString("yyyy/MM/dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        return $"rowtime: {time} Z, key: {Render(r.Key)}, value: {Render(r.Value)}, partition: {r.Partition.ToString(CultureInfo.InvariantCulture)}";
    }

    private static bool IsText(byte[] bytes)
    {
        try
        {
            var s = new UTF8Encoding(false, true).GetString(bytes);
            return s.All(c => !char.IsControl(c) || c is '\n' or '\r' or '\t');
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static string FormatOf(byte[]? bytes) => bytes switch
    {
        null => "¯\\_(ツ)_/¯ - no data processed",
        { Length: 4 } when !IsText(bytes) => "KAFKA_INT or KAFKA_STRING",
        { Length: 8 } when !IsText(bytes) => "KAFKA_BIGINT or KAFKA_DOUBLE or KAFKA_STRING",
        _ when IsText(bytes) && bytes.Length > 0 && bytes[0] is (byte)'{' or (byte)'[' => "JSON or KAFKA_STRING",
        _ when IsText(bytes) => "KAFKA_STRING",
        _ => "unrecognised byte data",
    };

    private static string Render(byte[]? bytes) => bytes switch
    {
        null => "<null>",
        { Length: 4 } when !IsText(bytes) => BinaryPrimitives.ReadInt32BigEndian(bytes).ToString(CultureInfo.InvariantCulture),
        { Length: 8 } when !IsText(bytes) => BinaryPrimitives.ReadInt64BigEndian(bytes).ToString(CultureInfo.InvariantCulture),
        _ when IsText(bytes) => Encoding.UTF8.GetString(bytes),
        _ => Convert.ToHexString(bytes),
    };

    public async IAsyncEnumerable<IReadOnlyList<object?>> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await _pump.ConfigureAwait(false);
        _stop.Dispose();
    }
}

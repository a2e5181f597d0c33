using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Eddy.Cli.Internal;
using Eddy.Client;

namespace Eddy.Cli;

/// <summary>
/// <c>eddy consume TOPIC</c>: kcat -C for Eddy. Without <c>--group</c> it reads every partition (or one, with
/// <c>-p</c>) from <c>--offset</c>; with <c>--group</c> it joins a consumer group and commits. Output is the
/// value per line, <c>key{delimiter}value</c> with <c>-K</c>, a kcat-style <c>--format</c> string, or one JSON
/// object per message with <c>--json</c>. <c>-e</c> exits at the end of the partitions, <c>-c N</c> after N messages.
/// </summary>
public static class ConsumeCommand
{
    /// <summary>Creates the <c>consume</c> verb.</summary>
    /// <example>
    /// <code>
    /// root.Subcommands.Add(ConsumeCommand.Create());
    /// // eddy consume orders --from-beginning -e --json
    /// // eddy consume orders -G billing -f '%k => %s (partition %p, offset %o)\n'
    /// </code>
    /// </example>
    public static Command Create()
    {
        var client = new ClientOptions();
        var topic = new Argument<string>("topic") { Description = "Topic to read" };
        var group = new Option<string?>("--group", "-G") { Description = "Join this consumer group (partitions shared with other members, offsets committed)" };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the beginning (same as --offset beginning)" };
        var offset = new Option<string?>("--offset", "-o") { Description = "Where to start without a group: beginning, end, an offset, or -N (N before the end). Default: end" };
        var partition = new Option<int>("--partition", "-p") { Description = "Read only this partition", DefaultValueFactory = _ => -1 };
        var exitAtEnd = new Option<bool>("--exit", "-e") { Description = "Exit when the end of every partition is reached" };
        var count = new Option<long>("--count", "-c") { Description = "Exit after this many messages", DefaultValueFactory = _ => -1 };
        var keyDelimiter = new Option<string?>("--key-delimiter", "-K") { Description = "Print the key, this delimiter, then the value" };
        var format = new Option<string?>("--format", "-f") { Description = "kcat-style format: %t topic, %p partition, %o offset, %k key, %s value, %T timestamp, %h headers, %K/%S key/value length, \\n \\t" };
        var json = new Option<bool>("--json", "-J") { Description = "One JSON object per message (topic, partition, offset, timestamp, key, value, headers)" };
        var keyFormat = new Option<string>("--key-format") { Description = $"Key format: {DataFormats.Names}", DefaultValueFactory = _ => "string" };
        var valueFormat = new Option<string>("--value-format") { Description = $"Value format: {DataFormats.Names}", DefaultValueFactory = _ => "string" };
        var command = new Command("consume", "Print messages from a topic (like kcat -C).")
        {
            topic, group, fromBeginning, offset, partition, exitAtEnd, count, keyDelimiter, format, json, keyFormat, valueFormat,
        };
        client.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => VerbRunner.RunAsync(parseResult, async error =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var kf = DataFormats.Parse(parseResult.GetValue(keyFormat), "--key-format");
            var vf = DataFormats.Parse(parseResult.GetValue(valueFormat), "--value-format");
            string topicName = parseResult.GetValue(topic)!;
            string? groupId = parseResult.GetValue(group);
            long limit = parseResult.GetValue(count);
            bool stopAtEnd = parseResult.GetValue(exitAtEnd);
            int onlyPartition = parseResult.GetValue(partition);
            var printer = CreatePrinter(parseResult.GetValue(format), parseResult.GetValue(keyDelimiter), parseResult.GetValue(json), kf, vf);
            var start = parseResult.GetValue(fromBeginning) ? new StartAt(true, -1, -1) : ParseOffset(parseResult.GetValue(offset));
            if (groupId is not null && onlyPartition >= 0)
            {
                throw new UsageException("--partition cannot be combined with --group (the group assigns partitions)");
            }

            var config = client.Apply(parseResult, new ConsumerConfig());
            if (groupId is not null)
            {
                config.GroupId = groupId;
                config.AutoOffsetReset = start.Beginning ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest;
            }
            else
            {
                config.EnableAutoCommit = false;
            }
            await using var consumer = new KafkaConsumer<byte[], byte[]>(config, Deserializers.ByteArray, Deserializers.ByteArray);
            var ends = new Dictionary<TopicPartition, long>();
            if (groupId is null)
            {
                await using var admin = new KafkaAdminClient(client.Apply(parseResult, new AdminClientConfig()));
                var description = (await admin.DescribeTopicsAsync([topicName], cancellationToken).ConfigureAwait(false))[0];
                if (description.Error != Eddy.Protocol.ErrorCode.None || description.Partitions.Count == 0)
                {
                    await error.WriteLineAsync($"error: topic '{topicName}' does not exist ({description.Error})").ConfigureAwait(false);
                    return 1;
                }
                var partitions = description.Partitions.Select(p => new TopicPartition(topicName, p.Partition))
                    .Where(tp => onlyPartition < 0 || tp.Partition == onlyPartition).OrderBy(tp => tp.Partition).ToList();
                if (partitions.Count == 0)
                {
                    await error.WriteLineAsync($"error: topic '{topicName}' has no partition {onlyPartition} (it has {description.Partitions.Count})").ConfigureAwait(false);
                    return 1;
                }
                var assignment = new List<TopicPartitionOffset>();
                foreach (var tp in partitions)
                {
                    var marks = await consumer.QueryWatermarkOffsetsAsync(tp, cancellationToken).ConfigureAwait(false);
                    ends[tp] = marks.High;
                    long position = start.Resolve(marks);
                    assignment.Add(new TopicPartitionOffset(tp, position));
                }
                consumer.Assign(assignment);
            }
            else
            {
                consumer.Subscribe([topicName]);
            }

            long printed = 0;
            var reached = new HashSet<TopicPartition>();
            var buffer = new StringBuilder();
            while (limit < 0 || printed < limit)
            {
                var records = await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
                foreach (var record in records)
                {
                    if (limit >= 0 && printed >= limit)
                    {
                        break;
                    }
                    buffer.Clear();
                    printer(buffer, record);
                    await output.WriteAsync(buffer.ToString()).ConfigureAwait(false);
                    printed++;
                }
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (stopAtEnd && await AllAtEndAsync(consumer, ends, reached, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
            if (groupId is not null)
            {
                await consumer.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            await error.WriteLineAsync($"% {printed} messages consumed from {topicName}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    /// <summary>True once every assigned partition's position has reached the end seen (or, in a group, its current high watermark).</summary>
    private static async Task<bool> AllAtEndAsync(KafkaConsumer<byte[], byte[]> consumer, Dictionary<TopicPartition, long> ends, HashSet<TopicPartition> reached, CancellationToken cancellationToken)
    {
        var assignment = consumer.Assignment;
        if (assignment.Count == 0)
        {
            return false;
        }
        foreach (var tp in assignment)
        {
            if (reached.Contains(tp))
            {
                continue;
            }
            if (!ends.TryGetValue(tp, out var end))
            {
                end = (await consumer.QueryWatermarkOffsetsAsync(tp, cancellationToken).ConfigureAwait(false)).High;
                ends[tp] = end;
            }
            long position = consumer.Position(tp);
            if (position < 0 || position < end)
            {
                return false;
            }
            reached.Add(tp);
        }
        return true;
    }

    /// <summary>Where a group-less read starts: the beginning, the end, an absolute offset, or N before the end.</summary>
    private readonly record struct StartAt(bool Beginning, long Offset, long FromEnd)
    {
        public long Resolve(WatermarkOffsets marks) =>
            Beginning ? marks.Low
            : FromEnd >= 0 ? Math.Max(marks.Low, marks.High - FromEnd)
            : Math.Clamp(Offset, marks.Low, marks.High);
    }

    private static StartAt ParseOffset(string? text)
    {
        switch (text?.ToLowerInvariant())
        {
            case null or "end" or "latest":
                return new StartAt(false, -1, 0);
            case "beginning" or "earliest" or "start":
                return new StartAt(true, -1, -1);
        }
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && !(n == 0 && text.StartsWith('-')))
        {
            return n < 0 ? new StartAt(false, -1, -n) : new StartAt(false, n, -1);
        }
        throw new UsageException($"--offset: expected beginning, end, an offset or -N, got '{text}'");
    }

    private static Action<StringBuilder, ConsumeResult<byte[], byte[]>> CreatePrinter(string? format, string? keyDelimiter, bool json, DataFormat kf, DataFormat vf)
    {
        static string Text(DataFormat f, byte[]? data) => data is null ? string.Empty : DataFormats.Decode(f, data);
        if (json)
        {
            return (sb, r) =>
            {
                using var stream = new MemoryStream();
                using (var writer = new Utf8JsonWriter(stream))
                {
                    writer.WriteStartObject();
                    writer.WriteString("topic", r.Topic);
                    writer.WriteNumber("partition", r.Partition);
                    writer.WriteNumber("offset", r.Offset);
                    writer.WriteNumber("timestamp", r.TimestampMs);
                    WriteData(writer, "key", kf, r.Key);
                    WriteData(writer, "value", vf, r.Value);
                    writer.WriteStartArray("headers");
                    foreach (var h in r.Headers ?? [])
                    {
                        writer.WriteStartObject();
                        writer.WriteString("key", h.Key);
                        if (h.Value is null)
                        {
                            writer.WriteNull("value");
                        }
                        else
                        {
                            writer.WriteString("value", h.GetValueAsString());
                        }
                        writer.WriteEndObject();
                    }
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }
                sb.Append(Encoding.UTF8.GetString(stream.ToArray())).Append('\n');
            };
        }
        if (format is not null)
        {
            var template = format;
            return (sb, r) =>
            {
                for (int i = 0; i < template.Length; i++)
                {
                    char c = template[i];
                    if ((c == '%' || c == '\\') && i + 1 < template.Length)
                    {
                        char n = template[++i];
                        switch (c, n)
                        {
                            case ('%', 't'): sb.Append(r.Topic); break;
                            case ('%', 'p'): sb.Append(r.Partition); break;
                            case ('%', 'o'): sb.Append(r.Offset); break;
                            case ('%', 'k'): sb.Append(Text(kf, r.Key)); break;
                            case ('%', 's'): sb.Append(Text(vf, r.Value)); break;
                            case ('%', 'T'): sb.Append(r.TimestampMs); break;
                            case ('%', 'K'): sb.Append(r.Key is null ? -1 : r.Key.Length); break;
                            case ('%', 'S'): sb.Append(r.Value is null ? -1 : r.Value.Length); break;
                            case ('%', 'h'): sb.AppendJoin(',', (r.Headers ?? []).Select(h => $"{h.Key}={h.GetValueAsString()}")); break;
                            case ('%', '%'): sb.Append('%'); break;
                            case ('\\', 'n'): sb.Append('\n'); break;
                            case ('\\', 't'): sb.Append('\t'); break;
                            case ('\\', 'r'): sb.Append('\r'); break;
                            case ('\\', '\\'): sb.Append('\\'); break;
                            default: sb.Append(c).Append(n); break;
                        }
                    }
                    else
                    {
                        sb.Append(c);
                    }
                }
            };
        }
        var separator = keyDelimiter is null ? null : ProduceCommand.Unescape(keyDelimiter);
        return (sb, r) =>
        {
            if (separator is not null)
            {
                sb.Append(Text(kf, r.Key)).Append(separator);
            }
            sb.Append(Text(vf, r.Value)).Append('\n');
        };
    }

    private static void WriteData(Utf8JsonWriter writer, string name, DataFormat format, byte[]? data)
    {
        if (data is null)
        {
            writer.WriteNull(name);
            return;
        }
        if (format == DataFormat.Json)
        {
            try
            {
                using var document = JsonDocument.Parse(data);
                writer.WritePropertyName(name);
                document.RootElement.WriteTo(writer);
                return;
            }
            catch (JsonException)
            {
                // Not JSON after all: fall through and show it as text.
            }
        }
        writer.WriteString(name, DataFormats.Decode(format, data));
    }
}

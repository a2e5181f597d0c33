using System.CommandLine;
using System.Text;
using Eddy.Cli.Internal;
using Eddy.Client;

namespace Eddy.Cli;

/// <summary>
/// <c>eddy produce TOPIC</c>: kcat -P for Eddy. Reads messages from standard input (or a file), one per
/// line by default; <c>-K :</c> splits each line into key and value at the first delimiter. Keys and values
/// are encoded in the chosen format (string, json, int, long, double, base64, hex), headers come from
/// <c>-H name=value</c>, and every message is acknowledged before the command exits (exit code 1 if any failed).
/// </summary>
public static class ProduceCommand
{
    /// <summary>Creates the <c>produce</c> verb; <paramref name="input"/> replaces standard input (for tests).</summary>
    /// <example>
    /// <code>
    /// root.Subcommands.Add(ProduceCommand.Create());
    /// // printf '1:{"id":1}\n2:{"id":2}\n' | eddy produce orders -K : --value-format json -H source=cli
    /// </code>
    /// </example>
    public static Command Create(TextReader? input = null)
    {
        var client = new ClientOptions();
        var topic = new Argument<string>("topic") { Description = "Topic to write to" };
        var keyDelimiter = new Option<string?>("--key-delimiter", "-K") { Description = "Split each message into key and value at the first occurrence of this text" };
        var delimiter = new Option<string>("--delimiter", "-D") { Description = "Message delimiter (default: newline; \\n, \\t and \\0 escapes understood)", DefaultValueFactory = _ => "\\n" };
        var keyFormat = new Option<string>("--key-format") { Description = $"Key format: {DataFormats.Names}", DefaultValueFactory = _ => "string" };
        var valueFormat = new Option<string>("--value-format") { Description = $"Value format: {DataFormats.Names}", DefaultValueFactory = _ => "string" };
        var headers = new Option<string[]>("--header", "-H") { Description = "A header name=value added to every message; may be repeated", AllowMultipleArgumentsPerToken = false };
        var partition = new Option<int>("--partition", "-p") { Description = "Write every message to this partition (default: by key, murmur2 like Java)", DefaultValueFactory = _ => -1 };
        var nullEmpty = new Option<bool>("--null-empty", "-Z") { Description = "Send an empty key or value as NULL (a tombstone for an empty value)" };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Read messages from this file instead of standard input" };
        var compression = new Option<string?>("--compression", "-z") { Description = "none, gzip, snappy, lz4 or zstd" };
        var acks = new Option<string?>("--acks") { Description = "0, 1 or all (default all)" };
        var command = new Command("produce", "Write messages from standard input to a topic (like kcat -P).")
        {
            topic, keyDelimiter, delimiter, keyFormat, valueFormat, headers, partition, nullEmpty, file, compression, acks,
        };
        client.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => VerbRunner.RunAsync(parseResult, async error =>
        {
            var kf = DataFormats.Parse(parseResult.GetValue(keyFormat), "--key-format");
            var vf = DataFormats.Parse(parseResult.GetValue(valueFormat), "--value-format");
            var headerPairs = (parseResult.GetValue(headers) ?? []).Select(h => ClientOptions.SplitPair(h, "-H")).ToList();
            var config = client.Apply(parseResult, new ProducerConfig());
            if (parseResult.GetValue(compression) is { } codec)
            {
                config.CompressionType = codec;
            }
            if (parseResult.GetValue(acks) is { } a)
            {
                config["acks"] = a;
            }
            string separator = Unescape(parseResult.GetValue(delimiter)!);
            if (separator.Length == 0)
            {
                throw new UsageException("--delimiter must not be empty");
            }
            string? keySeparator = parseResult.GetValue(keyDelimiter) is { } kd ? Unescape(kd) : null;
            bool emptyIsNull = parseResult.GetValue(nullEmpty);
            int fixedPartition = parseResult.GetValue(partition);
            string topicName = parseResult.GetValue(topic)!;

            using var reader = parseResult.GetValue(file) is { } f ? new StreamReader(f.FullName, Encoding.UTF8) : null;
            var source = reader ?? input ?? Console.In;
            long sent = 0, failed = 0;
            string? firstError = null;
            await using (var producer = new KafkaProducer<byte[]?, byte[]?>(config, Serializers.ByteArray, Serializers.ByteArray))
            {
                long number = 0;
                await foreach (var raw in ReadMessages(source, separator, cancellationToken).ConfigureAwait(false))
                {
                    number++;
                    string? keyText = null;
                    string valueText = raw;
                    if (keySeparator is not null)
                    {
                        int at = raw.IndexOf(keySeparator, StringComparison.Ordinal);
                        if (at < 0)
                        {
                            throw new FormatException($"message {number} has no key delimiter '{keySeparator}': {Truncate(raw)}");
                        }
                        keyText = raw[..at];
                        valueText = raw[(at + keySeparator.Length)..];
                    }
                    var message = new Message<byte[]?, byte[]?>
                    {
                        Key = keyText is null || (emptyIsNull && keyText.Length == 0) ? null : DataFormats.Encode(kf, keyText, $"key of message {number}"),
                        Value = emptyIsNull && valueText.Length == 0 ? null : DataFormats.Encode(vf, valueText, $"value of message {number}"),
                    };
                    if (headerPairs.Count > 0)
                    {
                        message.Headers = [];
                        foreach (var (name, value) in headerPairs)
                        {
                            message.Headers.Add(name, value);
                        }
                    }
                    void OnDelivery(DeliveryResult<byte[]?, byte[]?> report)
                    {
                        if (report.IsSuccess)
                        {
                            Interlocked.Increment(ref sent);
                        }
                        else if (Interlocked.Increment(ref failed) == 1)
                        {
                            firstError = report.Exception?.Message ?? report.Error.ToString();
                        }
                    }
                    if (fixedPartition >= 0)
                    {
                        producer.Produce(new TopicPartition(topicName, fixedPartition), message, OnDelivery);
                    }
                    else
                    {
                        producer.Produce(topicName, message, OnDelivery);
                    }
                }
                await producer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            if (failed > 0)
            {
                await error.WriteLineAsync($"error: {failed} of {sent + failed} messages were not delivered to {topicName}: {firstError}").ConfigureAwait(false);
                return 1;
            }
            await error.WriteLineAsync($"% {sent} messages produced to {topicName}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "...";

    internal static string Unescape(string s) => s.Replace("\\n", "\n", StringComparison.Ordinal)
        .Replace("\\t", "\t", StringComparison.Ordinal)
        .Replace("\\r", "\r", StringComparison.Ordinal)
        .Replace("\\0", "\0", StringComparison.Ordinal);

    /// <summary>Splits the input at the delimiter without reading it all first (stdin may be endless).</summary>
    private static async IAsyncEnumerable<string> ReadMessages(TextReader source, string separator,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (separator == "\n")
        {
            while (await source.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                yield return line;
            }
            yield break;
        }
        var buffer = new char[8192];
        var pending = new StringBuilder();
        int read;
        while ((read = await source.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
        {
            pending.Append(buffer, 0, read);
            var text = pending.ToString();
            int start = 0, at;
            while ((at = text.IndexOf(separator, start, StringComparison.Ordinal)) >= 0)
            {
                yield return text[start..at];
                start = at + separator.Length;
            }
            pending.Clear().Append(text, start, text.Length - start);
        }
        if (pending.Length > 0)
        {
            yield return pending.ToString();
        }
    }
}

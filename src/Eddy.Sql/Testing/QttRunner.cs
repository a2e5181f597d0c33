using System.Globalization;
using System.Text;
using System.Text.Json;
using Eddy.Sql.Analysis;
using Eddy.Sql.Ast;
using Eddy.Sql.Expressions;
using Eddy.Sql.Formats;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Formats;
using Eddy.Sql.Internal.Planning;
using Eddy.Sql.Planning;
using Eddy.Sql.Qtt;
using Eddy.Sql.Types;
using Eddy.Streams;
using Eddy.Streams.SerDes;
using Eddy.Streams.Testing;

namespace Eddy.Sql.Testing;

/// <summary>The outcome of one QTT run.</summary>
/// <example><code>if (result.Outcome == QttOutcome.Failed) Console.WriteLine(result.Reason);</code></example>
public enum QttOutcome
{
    /// <summary>The run behaved as the file expects.</summary>
    Passed,

    /// <summary>The run did not.</summary>
    Failed,

    /// <summary>The run cannot run here (for example it needs a schema registry).</summary>
    Skipped,
}

/// <summary>One run (a test case with one of its formats/configs) and its outcome.</summary>
/// <param name="File">The file name.</param>
/// <param name="Name">The run name.</param>
/// <param name="Outcome">Passed, failed or skipped.</param>
/// <param name="Reason">Why it failed or was skipped.</param>
/// <example><code>Console.WriteLine($"{r.File} / {r.Name}: {r.Outcome} {r.Reason}");</code></example>
public sealed record QttRunResult(string File, string Name, QttOutcome Outcome, string? Reason = null);

/// <summary>The runs of one file.</summary>
/// <param name="File">The file name.</param>
/// <param name="Runs">Its runs.</param>
/// <example><code>Console.WriteLine(fileResult.Summary);</code></example>
public sealed record QttFileResult(string File, IReadOnlyList<QttRunResult> Runs)
{
    /// <summary>Passed runs.</summary>
    public int Passed => Runs.Count(r => r.Outcome == QttOutcome.Passed);

    /// <summary>Failed runs.</summary>
    public int Failed => Runs.Count(r => r.Outcome == QttOutcome.Failed);

    /// <summary>Skipped runs.</summary>
    public int Skipped => Runs.Count(r => r.Outcome == QttOutcome.Skipped);

    /// <summary>One line: <c>file: N passed, M failed, K skipped</c>.</summary>
    public string Summary => $"{File}: {Passed} passed, {Failed} failed, {Skipped} skipped";
}

/// <summary>
/// Runs ksqlDB query-validation test files the way ksqlDB runs them: all statements in one engine,
/// each persistent query in its own <see cref="TopologyTestDriver"/>, inputs piped one record at a
/// time in file order (records written by a query feed the queries reading its topic), caching off,
/// then outputs compared per topic (count, order, keys, values, timestamps when given, windows),
/// expected errors matched as substrings and the post-conditions on sources checked.
/// </summary>
/// <example>
/// <code>
/// var runner = new QttRunner();
/// foreach (var file in QttLoader.LoadDirectory("../shared/ksql-qtt"))
///     Console.WriteLine(runner.RunFile(file).Summary);
/// </code>
/// </example>
public sealed class QttRunner
{
    /// <summary>
    /// Creates the function registry of each run: the built-ins plus the functions of ksqlDB's test jar
    /// (<see cref="QttTestFunctions"/>) by default; add UDFs here.
    /// </summary>
    public Func<FunctionContext, FunctionRegistry> Functions { get; init; } = context => QttTestFunctions.Register(new FunctionRegistry(context));

    /// <summary>Runs every run of every test case in a file.</summary>
    public QttFileResult RunFile(QttFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var results = new List<QttRunResult>();
        foreach (var testCase in file.Tests)
        {
            foreach (var run in testCase.ExpandRuns())
            {
                QttRunResult result;
                try
                {
                    result = Run(file, run);
                }
                catch (Exception e)
                {
                    result = new QttRunResult(file.Name, run.Name, QttOutcome.Failed, $"runner error: {e.GetType().Name}: {e.Message}");
                }

                results.Add(result);
            }
        }

        return new QttFileResult(file.Name, results);
    }

    /// <summary>Runs one run of a test case.</summary>
    public QttRunResult Run(QttFile file, QttTestRun run)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(run);
        if (SkipReason(file, run) is { } skip)
        {
            return new QttRunResult(file.Name, run.Name, QttOutcome.Skipped, skip);
        }

        var outcome = new Execution(run, Functions(FunctionContextFor(run))).Execute();
        return new QttRunResult(file.Name, run.Name, outcome is null ? QttOutcome.Passed : QttOutcome.Failed, outcome);
    }

    /// <summary>The function settings a run's properties ask for (ksql.functions.collect_list.limit, ...).</summary>
    private static FunctionContext FunctionContextFor(QttTestRun run)
    {
        var context = new FunctionContext();
        var props = run.Properties;
        if (props.TryGetValue("ksql.functions.collect_list.limit", out var list) && int.TryParse(list, CultureInfo.InvariantCulture, out var l))
        {
            context = new FunctionContext { CollectListLimit = l, CollectSetLimit = context.CollectSetLimit };
        }

        if (props.TryGetValue("ksql.functions.collect_set.limit", out var set) && int.TryParse(set, CultureInfo.InvariantCulture, out var st))
        {
            context = new FunctionContext { CollectListLimit = context.CollectListLimit, CollectSetLimit = st };
        }

        return context;
    }

    private static readonly string[] RegistryFormats = ["AVRO", "PROTOBUF", "JSON_SR", "PROTOBUF_NOSR"];

    private static string? SkipReason(QttFile file, QttTestRun run)
    {
        if (file.IsRest)
        {
            return "REST test: needs the server (a later issue)";
        }

        if (!run.Case.Enabled)
        {
            return "disabled in the file";
        }

        var text = string.Join("\n", run.Statements).ToUpperInvariant();
        foreach (var f in RegistryFormats)
        {
            if (ContainsFormat(text, f) || run.Topics.Any(t => IsFormat(t.Format, f) || IsFormat(t.KeyFormat, f) || IsFormat(t.ValueFormat, f))
                || run.Properties.Values.Any(v => string.Equals(v?.Trim('"'), f, StringComparison.OrdinalIgnoreCase)))
            {
                return $"needs {f} and a schema registry";
            }
        }

        if (run.Topics.Any(t => t.KeySchema is not null || t.ValueSchema is not null))
        {
            return "needs a schema registry (topic schemas)";
        }

        return null;
    }

    private static bool IsFormat(string? value, string format) => string.Equals(value, format, StringComparison.OrdinalIgnoreCase);

    private static bool ContainsFormat(string text, string format)
    {
        foreach (var quote in new[] { "'", "\"" })
        {
            if (text.Contains(quote + format + quote, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One run's engine state.</summary>
    private sealed class Execution
    {
        private readonly QttTestRun _run;
        private readonly SourceCatalog _catalog = new();
        private readonly TypeRegistry _types = new();
        private readonly FunctionRegistry _functions;
        private readonly List<RunningQuery> _queries = [];
        private readonly Dictionary<string, List<OutRecord>> _written = new(StringComparer.Ordinal);
        private readonly List<(string Topic, OutRecord Record)> _inserted = [];
        private readonly Dictionary<string, DataSource> _topicSources = new(StringComparer.Ordinal);

        public Execution(QttTestRun run, FunctionRegistry functions)
        {
            _run = run;
            _functions = functions;
        }

        public string? Execute()
        {
            var expected = _run.Case.ExpectedException;
            var settings = new AnalysisSettings();
            var props = _run.Properties;
            if (props.TryGetValue("ksql.persistence.default.format.value", out var dv) && dv is not null)
            {
                settings = settings with { DefaultValueFormat = dv };
            }

            if (props.TryGetValue("ksql.persistence.default.format.key", out var dk) && dk is not null)
            {
                settings = settings with { DefaultKeyFormat = dk };
            }

            var analyzer = new SqlAnalyzer(_catalog, _functions, _types, settings);
            var planner = new SqlPlanner(_functions);
            var counter = 0;
            try
            {
                var statements = SqlParser.ParseStatements(string.Join("\n", _run.Statements));
                foreach (var parsed in statements)
                {
                    switch (parsed.Statement)
                    {
                        case CreateSource cs:
                        {
                            var source = analyzer.AnalyzeCreateSource(cs);
                            if (_catalog.Find(source.Name) is { } existing && !cs.OrReplace)
                            {
                                if (cs.IfNotExists)
                                {
                                    break;
                                }

                                throw new SqlException($"Cannot add {(source.IsTable ? "table" : "stream")} '{source.Name}': A {(existing.IsTable ? "table" : "stream")} with the same name already exists");
                            }

                            Add(source);
                            break;
                        }

                        case CreateAsSelect cas:
                        {
                            var analyzed = analyzer.AnalyzeCreateAsSelect(cas);
                            if (cas.IfNotExists && _catalog.Find(cas.Name) is not null)
                            {
                                break;
                            }

                            var plan = planner.Plan(analyzed, SqlPlanner.QueryId(analyzed, false, counter++));
                            Add(analyzed.Sink!);
                            Start(plan);
                            break;
                        }

                        case InsertInto ii:
                        {
                            var analyzed = analyzer.AnalyzeInsertInto(ii);
                            Start(planner.Plan(analyzed, SqlPlanner.QueryId(analyzed, true, counter++)));
                            break;
                        }

                        case InsertValues iv:
                            InsertValues(iv);
                            break;
                        case CreateType ct:
                            _types.Register(ct.Name, ct.Type.Resolve(_types));
                            break;
                        case DropSource ds:
                            if (_catalog.Find(ds.Name) is null && !ds.IfExists)
                            {
                                throw new SqlException($"Source {ds.Name} does not exist.");
                            }

                            _catalog.Remove(ds.Name);
                            break;
                        case Query:
                            break;
                        default:
                            break;
                    }
                }

                Feed();
            }
            catch (Exception e) when (expected is not null)
            {
                if (expected.Message is null || e.Message.Contains(expected.Message, StringComparison.Ordinal)
                    || (e.InnerException?.Message.Contains(expected.Message, StringComparison.Ordinal) ?? false))
                {
                    return null;
                }

                return $"expected error containing '{expected.Message}', got '{e.Message}'";
            }
            catch (SqlException e)
            {
                return $"statement rejected: {e.Message}";
            }
            finally
            {
                foreach (var q in _queries)
                {
                    q.Driver.Dispose();
                }
            }

            if (expected is not null)
            {
                return $"expected error '{expected.Message}' was not raised";
            }

            return CompareOutputs() ?? CheckPost();
        }

        private void Add(DataSource source)
        {
            _catalog.Add(source);
            _topicSources[source.Topic] = source;
        }

        private void Start(PlannedQuery plan)
        {
            var driver = new TopologyTestDriver(plan.Topology, plan.StreamsConfig(), DateTimeOffset.FromUnixTimeMilliseconds(0));
            var inputs = plan.SourceTopics.Distinct(StringComparer.Ordinal)
                .ToDictionary(t => t, t => driver.CreateInputTopic<byte[], byte[]>(t, Serdes.ByteArray(), Serdes.ByteArray()), StringComparer.Ordinal);
            var output = driver.CreateOutputTopic<byte[], byte[]>(plan.SinkTopic, Serdes.ByteArray(), Serdes.ByteArray());
            _queries.Add(new RunningQuery(plan, driver, inputs, output));
        }

        private void InsertValues(InsertValues iv)
        {
            var target = _catalog.Find(iv.Target) ?? throw new SqlException($"Cannot insert values into an unknown stream/table: `{iv.Target}`" + CaseHint(iv.Target));
            var columns = iv.Columns?.ToList() ?? target.Schema.Columns.Where(c => c.Kind != ColumnKind.Header).Select(c => c.Name).ToList();
            if (columns.Count != iv.Values.Count)
            {
                throw new SqlException($"Failed to prepare statement: Expected number columns and values to match: [{string.Join(", ", columns)}], [{string.Join(", ", iv.Values)}]");
            }

            var compiler = new ExpressionCompiler(_functions);
            var key = new object?[target.Schema.Key.Count];
            var value = new object?[target.Schema.Value.Count];
            long? timestamp = null;
            for (var i = 0; i < columns.Count; i++)
            {
                var name = columns[i];
                if (name == "ROWTIME")
                {
                    timestamp = Convert.ToInt64(compiler.Compile(iv.Values[i], new RowScope([])).Evaluate([]), CultureInfo.InvariantCulture);
                    continue;
                }

                var column = target.Schema.Find(name) ?? throw new SqlException($"Column name {name} does not exist.");
                var expr = new Cast(iv.Values[i], new BuiltInTypeRef(column.Type));
                var v = compiler.Compile(expr, new RowScope([])).Evaluate([]);
                if (column.Kind == ColumnKind.Key)
                {
                    key[target.Schema.Key.ToList().IndexOf(column)] = v;
                }
                else
                {
                    value[target.Schema.Value.ToList().IndexOf(column)] = v;
                }
            }

            var ctx = new SerializationContext(MessageComponentType.Key, target.Topic);
            var keyBytes = RowSerde.Key(target).Serialize(key, ctx);
            var valueBytes = RowSerde.Value(target).Serialize(value, ctx with { Component = MessageComponentType.Value });
            _inserted.Add((target.Topic, new OutRecord(keyBytes, valueBytes, timestamp ?? 0, null)));
        }

        private string CaseHint(string name)
        {
            var match = _catalog.SourceNames.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                return string.Empty;
            }

            return match.All(c => !char.IsLower(c))
                ? $"\nDid you mean {match}? Hint: try removing double quotes from the source name."
                : $"\nDid you mean \"{match}\"? Hint: wrap the source name in double quotes to make it case-sensitive.";
        }

        private void Feed()
        {
            foreach (var (topic, record) in _inserted)
            {
                Written(topic).Add(record);
                Deliver(topic, record);
            }

            foreach (var input in _run.Case.Inputs)
            {
                var record = Encode(input);
                Deliver(input.Topic, record);
            }
        }

        private List<OutRecord> Written(string topic)
        {
            if (!_written.TryGetValue(topic, out var list))
            {
                _written[topic] = list = [];
            }

            return list;
        }

        private void Deliver(string topic, OutRecord record)
        {
            foreach (var q in _queries)
            {
                if (!q.Inputs.TryGetValue(topic, out var input))
                {
                    continue;
                }

                var headers = record.Headers is null ? null : new Headers(record.Headers);
                input.PipeInput(new TestRecord<byte[], byte[]>(record.Key!, record.Value!, record.Timestamp, headers));
                var produced = q.Output.ReadRecordsToList();
                foreach (var p in produced)
                {
                    var o = new OutRecord(p.Key, p.Value, p.Timestamp ?? 0, p.Headers.Count == 0 ? null : p.Headers.ToList());
                    Written(q.Plan.SinkTopic).Add(o);
                    Deliver(q.Plan.SinkTopic, o);
                }
            }
        }

        private OutRecord Encode(QttRecord r)
        {
            _topicSources.TryGetValue(r.Topic, out var source);
            var topic = _run.Topics.FirstOrDefault(t => t.Name == r.Topic);
            byte[]? key;
            if (r.Key is not { } k || k.ValueKind == JsonValueKind.Null)
            {
                key = null;
            }
            else if (source is not null)
            {
                key = EncodeKey(source, k);
                if (r.Window is { } w && source.Window is not null)
                {
                    key = AppendWindow(key ?? [], w, source.Window.Type == WindowType.Session);
                }
            }
            else
            {
                key = EncodeRaw(topic?.KeyFormat ?? topic?.Format ?? "KAFKA", k);
            }

            byte[]? value;
            if (r.Value.ValueKind == JsonValueKind.Null || r.Value.ValueKind == JsonValueKind.Undefined)
            {
                value = null;
            }
            else if (source is not null)
            {
                value = EncodeValue(source, r.Value);
            }
            else
            {
                value = EncodeRaw(topic?.ValueFormat ?? topic?.Format ?? "JSON", r.Value);
            }

            var headers = r.Headers?.Select(h => new Header(h.Key, h.Value)).ToList();
            return new OutRecord(key, value, r.Timestamp ?? 0, headers);
        }

        private static byte[] AppendWindow(byte[] key, QttWindow w, bool session)
        {
            var result = new byte[key.Length + (session ? 16 : 8)];
            key.CopyTo(result, 0);
            if (session)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(result.AsSpan(key.Length), w.End);
                System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(result.AsSpan(key.Length + 8), w.Start);
            }
            else
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(result.AsSpan(key.Length), w.Start);
            }

            return result;
        }

        private static byte[]? EncodeRaw(string format, JsonElement e) => format.ToUpperInvariant() switch
        {
            "DELIMITED" or "KAFKA" when e.ValueKind == JsonValueKind.String => Encoding.UTF8.GetBytes(e.GetString()!),
            _ => Encoding.UTF8.GetBytes(e.GetRawText()),
        };

        private static byte[]? EncodeKey(DataSource source, JsonElement k)
        {
            var format = source.KeyFormat.Format.ToUpperInvariant();
            if (format is "JSON" or "DELIMITED" or "NONE")
            {
                return format == "NONE" ? null : EncodeRaw(format, k);
            }

            var columns = source.Schema.Key;
            if (columns.Count == 0)
            {
                return EncodeRaw("KAFKA", k);
            }

            try
            {
                var v = JsonValues.Read(k, columns[0].Type, columns[0].Name);
                return RowSerde.Key(columns, source.KeyFormat, null, source.Topic).Serialize([v], default);
            }
            catch (Exception e) when (e is SqlException or InvalidOperationException or FormatException)
            {
                return EncodeRaw("KAFKA", k);
            }
        }

        private static byte[]? EncodeValue(DataSource source, JsonElement v)
        {
            var format = source.ValueFormat.Format.ToUpperInvariant();
            if (format != "KAFKA")
            {
                return EncodeRaw(format, v);
            }

            var columns = source.Schema.Value;
            try
            {
                var value = columns.Count == 0 ? null : JsonValues.Read(v, columns[0].Type, columns[0].Name);
                return RowSerde.Value(columns, source.ValueFormat, source.Topic).Serialize([value], default);
            }
            catch (Exception e) when (e is SqlException or InvalidOperationException or FormatException)
            {
                return EncodeRaw("KAFKA", v);
            }
        }

        // ------------------------------------------------------------ comparison

        private string? CompareOutputs()
        {
            foreach (var group in _run.Case.Outputs.GroupBy(o => o.Topic, StringComparer.Ordinal))
            {
                var expected = group.ToList();
                var actual = _written.TryGetValue(group.Key, out var list) ? list : [];
                _topicSources.TryGetValue(group.Key, out var source);
                for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
                {
                    if (Compare(expected[i], actual[i], source) is { } problem)
                    {
                        return $"topic {group.Key} record {i}: {problem}";
                    }
                }

                if (expected.Count != actual.Count)
                {
                    return $"topic {group.Key}: expected {expected.Count} records, got {actual.Count}";
                }
            }

            return null;
        }

        private static string? Compare(QttRecord expected, OutRecord actual, DataSource? source)
        {
            var keyBytes = actual.Key;
            long? windowStart = null, windowEnd = null;
            if (source?.Window is { } window && keyBytes is not null)
            {
                var session = window.Type == WindowType.Session;
                var suffix = session ? 16 : 8;
                if (keyBytes.Length >= suffix)
                {
                    var tail = keyBytes.AsSpan(keyBytes.Length - suffix);
                    if (session)
                    {
                        windowEnd = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(tail);
                        windowStart = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(tail[8..]);
                    }
                    else
                    {
                        windowStart = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(tail);
                        windowEnd = windowStart + (window.SizeMillis ?? 0);
                    }

                    keyBytes = keyBytes[..^suffix];
                }
            }

            var actualKey = Decode(keyBytes, source, key: true);
            var expectedKey = expected.Key is { } ek ? ek : default;
            if (!JsonEquals(expectedKey, actualKey))
            {
                return $"key: expected {Show(expectedKey)}, got {Show(actualKey)}";
            }

            var actualValue = Decode(actual.Value, source, key: false);
            if (!JsonEquals(expected.Value, actualValue))
            {
                return $"value: expected {Show(expected.Value)}, got {Show(actualValue)}";
            }

            if (expected.Timestamp is { } ts && ts != actual.Timestamp)
            {
                return $"timestamp: expected {ts}, got {actual.Timestamp}";
            }

            if (expected.Window is { } w && (w.Start != windowStart || (w.End != windowEnd)))
            {
                return $"window: expected [{w.Start}, {w.End}], got [{windowStart}, {windowEnd}]";
            }

            return null;
        }

        private static string Show(JsonElement e) => e.ValueKind == JsonValueKind.Undefined ? "null" : e.GetRawText();

        private static JsonElement Decode(byte[]? bytes, DataSource? source, bool key)
        {
            if (bytes is null)
            {
                return default;
            }

            var format = (key ? source?.KeyFormat.Format : source?.ValueFormat.Format)?.ToUpperInvariant() ?? "JSON";
            string text;
            if (format == "KAFKA" && source is not null)
            {
                var columns = key ? source.Schema.Key : source.Schema.Value;
                if (columns.Count == 0)
                {
                    return default;
                }

                var deser = SqlFormats.Get("KAFKA").CreateDeserializer(columns, key ? FormatTarget.Key : FormatTarget.Value, FormatOptions.Default);
                var row = deser.Deserialize(bytes);
                text = JsonValues.ToJsonText(row?[0]);
            }
            else if (format is "DELIMITED" or "KAFKA")
            {
                text = JsonSerializer.Serialize(Encoding.UTF8.GetString(bytes));
            }
            else
            {
                text = Encoding.UTF8.GetString(bytes);
            }

            try
            {
                using var doc = JsonDocument.Parse(text);
                return doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                using var doc = JsonDocument.Parse(JsonSerializer.Serialize(text));
                return doc.RootElement.Clone();
            }
        }

        private static bool JsonEquals(JsonElement a, JsonElement b)
        {
            var an = a.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null;
            var bn = b.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null;
            if (an || bn)
            {
                return an && bn;
            }

            if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number)
            {
                if (a.TryGetDecimal(out var da) && b.TryGetDecimal(out var db) && da == db)
                {
                    return true;
                }

                var x = a.GetDouble();
                var y = b.GetDouble();
                return Math.Abs(x - y) <= 1e-6 || (double.IsNaN(x) && double.IsNaN(y));
            }

            if (a.ValueKind == JsonValueKind.String && b.ValueKind == JsonValueKind.Number)
            {
                return a.GetString() == b.GetRawText();
            }

            if (a.ValueKind != b.ValueKind)
            {
                return a.ValueKind is JsonValueKind.True or JsonValueKind.False && b.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? a.ValueKind == b.ValueKind
                    : false;
            }

            switch (a.ValueKind)
            {
                case JsonValueKind.Object:
                {
                    var ap = a.EnumerateObject().ToList();
                    var bp = b.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                    if (ap.Count != bp.Count)
                    {
                        return false;
                    }

                    return ap.All(p => bp.TryGetValue(p.Name, out var v) && JsonEquals(p.Value, v));
                }

                case JsonValueKind.Array:
                {
                    var aa = a.EnumerateArray().ToList();
                    var ba = b.EnumerateArray().ToList();
                    return aa.Count == ba.Count && aa.Zip(ba).All(p => JsonEquals(p.First, p.Second));
                }

                case JsonValueKind.String:
                    return a.GetString() == b.GetString();
                default:
                    return true;
            }
        }

        // ------------------------------------------------------------ post conditions

        private string? CheckPost()
        {
            foreach (var post in _run.Case.Post?.Sources ?? [])
            {
                var actual = _catalog.Find(post.Name);
                if (actual is null)
                {
                    return $"post: source {post.Name} was not created";
                }

                if (post.Schema is not null)
                {
                    var expected = LogicalSchema.FromColumns(SqlParser.ParseColumns(post.Schema), _types);
                    if (!Same(expected.Key, actual.Schema.Key) || !Same([.. expected.Value, .. expected.Headers], [.. actual.Schema.Value, .. actual.Schema.Headers]))
                    {
                        return $"post: {post.Name} schema: expected {expected}, got {actual.Schema}";
                    }
                }

                if (!string.Equals(post.Type, actual.IsTable ? "table" : "stream", StringComparison.OrdinalIgnoreCase))
                {
                    return $"post: {post.Name} type: expected {post.Type}";
                }

                if (post.KeyFormat is not null && !string.Equals(post.KeyFormat, actual.KeyFormat.Format, StringComparison.OrdinalIgnoreCase))
                {
                    return $"post: {post.Name} key format: expected {post.KeyFormat}, got {actual.KeyFormat.Format}";
                }

                if (post.ValueFormat is not null && !string.Equals(post.ValueFormat, actual.ValueFormat.Format, StringComparison.OrdinalIgnoreCase))
                {
                    return $"post: {post.Name} value format: expected {post.ValueFormat}, got {actual.ValueFormat.Format}";
                }
            }

            return null;
        }

        private static bool Same(IReadOnlyList<Column> a, IReadOnlyList<Column> b) =>
            a.Count == b.Count && a.Zip(b).All(p => p.First.Name == p.Second.Name && p.First.Type.Equals(p.Second.Type));
    }

    private sealed record OutRecord(byte[]? Key, byte[]? Value, long Timestamp, IReadOnlyList<Header>? Headers);

    private sealed record RunningQuery(PlannedQuery Plan, TopologyTestDriver Driver, Dictionary<string, TestInputTopic<byte[], byte[]>> Inputs, TestOutputTopic<byte[], byte[]> Output);
}

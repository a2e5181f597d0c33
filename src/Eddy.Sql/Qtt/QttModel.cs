using System.Text.Json;

namespace Eddy.Sql.Qtt;

/// <summary>
/// One ksqlDB query-validation test file: a list of test cases. Files are read by <see cref="QttLoader"/>.
/// </summary>
/// <param name="Path">The file path.</param>
/// <param name="Tests">The test cases in file order.</param>
/// <param name="Comments">The file's comments.</param>
/// <example>
/// <code>
/// QttFile file = QttLoader.LoadFile("cast.json");
/// foreach (var run in file.Tests.SelectMany(t => t.ExpandRuns())) Console.WriteLine(run.Name);
/// </code>
/// </example>
public sealed record QttFile(string Path, IReadOnlyList<QttTestCase> Tests, IReadOnlyList<string> Comments)
{
    /// <summary>The file name without directory, e.g. <c>cast.json</c>.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>True for the REST test files (they have <c>responses</c> / <c>expectedError</c>).</summary>
    public bool IsRest { get; init; }
}

/// <summary>
/// One test case. A case with <see cref="Formats"/> or <see cref="Configs"/> runs once per entry, with
/// <c>{FORMAT}</c> / <c>{CONFIG}</c> substituted (see <see cref="ExpandRuns"/>).
/// </summary>
/// <example>
/// <code>
/// if (testCase.ExpectedException is { } e) Console.WriteLine($"expects {e.Type}: {e.Message}");
/// </code>
/// </example>
public sealed record QttTestCase
{
    /// <summary>The case name.</summary>
    public required string Name { get; init; }

    /// <summary>The statements, run in order in one engine.</summary>
    public required IReadOnlyList<string> Statements { get; init; }

    /// <summary>Formats to run the case with (substituted for <c>{FORMAT}</c>); empty for one run.</summary>
    public IReadOnlyList<string> Formats { get; init; } = [];

    /// <summary>Configurations to run the case with (substituted for <c>{CONFIG}</c>); empty for one run.</summary>
    public IReadOnlyList<string> Configs { get; init; } = [];

    /// <summary>Per-case engine properties, e.g. <c>ksql.persistence.default.format.value</c>.</summary>
    public IReadOnlyDictionary<string, JsonElement> Properties { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Topics the case declares up front (with schemas for schema-registry formats).</summary>
    public IReadOnlyList<QttTopic> Topics { get; init; } = [];

    /// <summary>Records piped in, in order.</summary>
    public IReadOnlyList<QttRecord> Inputs { get; init; } = [];

    /// <summary>Records expected out, compared per topic in order.</summary>
    public IReadOnlyList<QttRecord> Outputs { get; init; } = [];

    /// <summary>The expected failure, if the case is negative.</summary>
    public QttExpectedException? ExpectedException { get; init; }

    /// <summary>The REST files' expected error, if any.</summary>
    public QttExpectedError? ExpectedError { get; init; }

    /// <summary>The REST files' expected responses, one per statement.</summary>
    public IReadOnlyList<JsonElement> Responses { get; init; } = [];

    /// <summary>Checks on the sources and topics after the statements ran.</summary>
    public QttPost? Post { get; init; }

    /// <summary>False when the file disables the case.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The case as read, for fields this model does not name.</summary>
    public JsonElement Raw { get; init; }

    /// <summary>
    /// The runs of this case: one per format and config combination (or just one), with <c>{FORMAT}</c>
    /// substituted in statements and topic formats and <c>{CONFIG}</c> in property values.
    /// </summary>
    public IEnumerable<QttTestRun> ExpandRuns()
    {
        var formats = Formats.Count == 0 ? [null] : Formats.Select(f => (string?)f).ToArray();
        var configs = Configs.Count == 0 ? [null] : Configs.Select(c => (string?)c).ToArray();
        foreach (var format in formats)
        {
            foreach (var config in configs)
            {
                var name = Name;
                if (format is not null)
                {
                    name += " - " + format;
                }

                if (config is not null)
                {
                    name += " - " + config;
                }

                yield return new QttTestRun(this, name, format, config);
            }
        }
    }
}

/// <summary>One run of a <see cref="QttTestCase"/> with its substitutions applied.</summary>
/// <param name="Case">The test case.</param>
/// <param name="Name">The run name: the case name, then " - FORMAT" and " - CONFIG" when they vary.</param>
/// <param name="Format">The format substituted for {FORMAT}, or null.</param>
/// <param name="Config">The config substituted for {CONFIG}, or null.</param>
/// <example>
/// <code>
/// foreach (var sql in run.Statements) SqlParser.ParseStatement(sql);
/// </code>
/// </example>
public sealed record QttTestRun(QttTestCase Case, string Name, string? Format, string? Config)
{
    /// <summary>The statements with <c>{FORMAT}</c> substituted.</summary>
    public IReadOnlyList<string> Statements => Case.Statements.Select(Substitute).ToArray();

    /// <summary>The properties with <c>{CONFIG}</c> / <c>{FORMAT}</c> substituted in string values.</summary>
    public IReadOnlyDictionary<string, string?> Properties =>
        Case.Properties.ToDictionary(
            kv => kv.Key,
            kv => kv.Value.ValueKind == JsonValueKind.String ? Substitute(kv.Value.GetString()!) : kv.Value.ValueKind == JsonValueKind.Null ? null : kv.Value.GetRawText());

    /// <summary>The declared topics with <c>{FORMAT}</c> substituted in their formats.</summary>
    public IReadOnlyList<QttTopic> Topics => Case.Topics.Select(t => t with
    {
        Format = t.Format is null ? null : Substitute(t.Format),
        KeyFormat = t.KeyFormat is null ? null : Substitute(t.KeyFormat),
        ValueFormat = t.ValueFormat is null ? null : Substitute(t.ValueFormat),
    }).ToArray();

    /// <summary>Applies this run's substitutions to a text.</summary>
    public string Substitute(string text)
    {
        if (Format is not null)
        {
            text = text.Replace("{FORMAT}", Format, StringComparison.Ordinal);
        }

        if (Config is not null)
        {
            text = text.Replace("{CONFIG}", Config, StringComparison.Ordinal);
        }

        return text;
    }
}

/// <summary>A topic declared by a test case.</summary>
/// <example>
/// <code>
/// var partitions = topic.Partitions ?? 1;
/// </code>
/// </example>
public sealed record QttTopic
{
    /// <summary>The topic name.</summary>
    public required string Name { get; init; }

    /// <summary>The format of both key and value, if given that way.</summary>
    public string? Format { get; init; }

    /// <summary>The key format.</summary>
    public string? KeyFormat { get; init; }

    /// <summary>The value format.</summary>
    public string? ValueFormat { get; init; }

    /// <summary>The key schema (schema-registry formats).</summary>
    public JsonElement? KeySchema { get; init; }

    /// <summary>The value schema (schema-registry formats).</summary>
    public JsonElement? ValueSchema { get; init; }

    /// <summary>The registered key schema id.</summary>
    public int? KeySchemaId { get; init; }

    /// <summary>The registered value schema id.</summary>
    public int? ValueSchemaId { get; init; }

    /// <summary>The partition count.</summary>
    public int? Partitions { get; init; }

    /// <summary>The topic as read.</summary>
    public JsonElement Raw { get; init; }
}

/// <summary>
/// A record in or out of a test. <see cref="Key"/> and <see cref="Value"/> are JSON as the test wrote
/// them: a JSON value for JSON formats, a CSV string for DELIMITED, a primitive for KAFKA.
/// </summary>
/// <example>
/// <code>
/// bool tombstone = record.Value.ValueKind == JsonValueKind.Null;
/// </code>
/// </example>
public sealed record QttRecord
{
    /// <summary>The topic.</summary>
    public required string Topic { get; init; }

    /// <summary>The key; null when absent (a null key).</summary>
    public JsonElement? Key { get; init; }

    /// <summary>The value; JSON null for a tombstone.</summary>
    public JsonElement Value { get; init; }

    /// <summary>The record timestamp, when given (outputs compare it only then).</summary>
    public long? Timestamp { get; init; }

    /// <summary>The window of a windowed key.</summary>
    public QttWindow? Window { get; init; }

    /// <summary>The headers, when given.</summary>
    public IReadOnlyList<QttHeader>? Headers { get; init; }
}

/// <summary>The window of a windowed record key.</summary>
/// <param name="Start">Window start, ms.</param>
/// <param name="End">Window end, ms.</param>
/// <param name="Type"><c>time</c> (tumbling, hopping) or <c>session</c>.</param>
/// <example><code>var w = new QttWindow(0, 1000, "time");</code></example>
public sealed record QttWindow(long Start, long End, string Type);

/// <summary>One record header.</summary>
/// <param name="Key">The header key.</param>
/// <param name="Value">The header value (decoded from base64), or null.</param>
/// <example><code>var h = new QttHeader("trace", new byte[] { 1 });</code></example>
public sealed record QttHeader(string Key, byte[]? Value);

/// <summary>A negative case's expected exception: its Java type name and a substring of its message.</summary>
/// <param name="Type">The exception type, e.g. <c>io.confluent.ksql.util.KsqlStatementException</c>.</param>
/// <param name="Message">A substring the message must contain, or null.</param>
/// <example><code>bool isParse = e.Type?.EndsWith("ParseFailedException") == true;</code></example>
public sealed record QttExpectedException(string? Type, string? Message)
{
    /// <summary>True when the failure is expected from the parser (ParseFailedException).</summary>
    public bool IsParseFailure => Type?.EndsWith("ParseFailedException", StringComparison.Ordinal) == true;
}

/// <summary>The REST files' expected error.</summary>
/// <param name="Type">The error entity type.</param>
/// <param name="Message">A substring of the message.</param>
/// <param name="Status">The HTTP status.</param>
/// <example><code>var status = error.Status ?? 400;</code></example>
public sealed record QttExpectedError(string? Type, string? Message, int? Status);

/// <summary>Checks after the statements ran: source schemas and formats, topics that must (not) exist.</summary>
/// <param name="Sources">Expected sources.</param>
/// <param name="Topics">Expected topics.</param>
/// <param name="TopicBlacklist">A regex of topic names that must not exist.</param>
/// <example><code>foreach (var s in post.Sources) Console.WriteLine(s.Schema);</code></example>
public sealed record QttPost(IReadOnlyList<QttPostSource> Sources, IReadOnlyList<QttTopic> Topics, string? TopicBlacklist);

/// <summary>An expected source after the test.</summary>
/// <example><code>var columns = SqlParser.ParseColumns(source.Schema!);</code></example>
public sealed record QttPostSource
{
    /// <summary>The source name.</summary>
    public required string Name { get; init; }

    /// <summary><c>stream</c> or <c>table</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The schema as a column list, e.g. <c>ID BIGINT KEY, NAME STRING</c>.</summary>
    public string? Schema { get; init; }

    /// <summary>The key format name.</summary>
    public string? KeyFormat { get; init; }

    /// <summary>The key window type (e.g. SESSION, TUMBLING), if windowed.</summary>
    public string? WindowType { get; init; }

    /// <summary>The key window size in ms, if given.</summary>
    public long? WindowSize { get; init; }

    /// <summary>The value format name.</summary>
    public string? ValueFormat { get; init; }

    /// <summary>Expected key serde features.</summary>
    public IReadOnlyList<string> KeyFeatures { get; init; } = [];

    /// <summary>Expected value serde features.</summary>
    public IReadOnlyList<string> ValueFeatures { get; init; } = [];

    /// <summary>The source as read.</summary>
    public JsonElement Raw { get; init; }
}

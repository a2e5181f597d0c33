using Eddy.Sql.Internal.Formats;
using Eddy.Sql.Types;

namespace Eddy.Sql.Formats;

/// <summary>
/// A serialization format for record keys or values: KAFKA, JSON, DELIMITED, NONE today; AVRO,
/// PROTOBUF and JSON_SR (with a schema registry) plug in through this same interface. A format turns
/// a row (one value per column, in column order, in the row model of <see cref="SqlType.ClrType"/>)
/// into bytes and back.
/// </summary>
/// <example>
/// <code>
/// var json = SqlFormats.Get("JSON");
/// var columns = new[] { new Column("ID", SqlTypes.BigInt), new Column("NAME", SqlTypes.String) };
/// var serializer = json.CreateSerializer(columns, FormatTarget.Value, FormatOptions.Default);
/// byte[]? bytes = serializer.Serialize([1L, "ada"]);                  // {"ID":1,"NAME":"ada"}
/// object?[]? row = json.CreateDeserializer(columns, FormatTarget.Value, FormatOptions.Default).Deserialize(bytes);
/// </code>
/// </example>
public interface ISqlFormat
{
    /// <summary>The format name, upper case (e.g. JSON).</summary>
    string Name { get; }

    /// <summary>What the format can do.</summary>
    FormatCapabilities Capabilities { get; }

    /// <summary>
    /// Checks that the format can carry these columns as a key or value with these options; throws
    /// <see cref="SqlException"/> with ksqlDB's message otherwise (e.g. "The 'KAFKA' format does not support type 'STRUCT'").
    /// </summary>
    void Validate(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options);

    /// <summary>Creates a serializer for rows of these columns.</summary>
    IRowSerializer CreateSerializer(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options, FormatContext? context = null);

    /// <summary>Creates a deserializer for rows of these columns.</summary>
    IRowDeserializer CreateDeserializer(IReadOnlyList<Column> columns, FormatTarget target, FormatOptions options, FormatContext? context = null);
}

/// <summary>Serializes rows.</summary>
/// <example><code>byte[]? bytes = serializer.Serialize(row);</code></example>
public interface IRowSerializer
{
    /// <summary>The bytes of a row; a null row (a tombstone) is null bytes.</summary>
    byte[]? Serialize(object?[]? row);
}

/// <summary>Deserializes rows.</summary>
/// <example><code>object?[]? row = deserializer.Deserialize(bytes);</code></example>
public interface IRowDeserializer
{
    /// <summary>
    /// The row of some bytes (one value per column); null bytes are a null row for values (a
    /// tombstone) and a row of NULLs for keys. Throws <see cref="SqlSerdeException"/> for bad data.
    /// </summary>
    object?[]? Deserialize(ReadOnlySpan<byte> data, bool isNull = false);
}

/// <summary>Key or value.</summary>
/// <example><code>var t = FormatTarget.Key;</code></example>
public enum FormatTarget
{
    /// <summary>The record key.</summary>
    Key,

    /// <summary>The record value.</summary>
    Value,
}

/// <summary>What a format supports.</summary>
/// <example><code>if (format.Capabilities.HasFlag(FormatCapabilities.MultipleKeyColumns)) { ... }</code></example>
[Flags]
public enum FormatCapabilities
{
    /// <summary>Nothing special.</summary>
    None = 0,

    /// <summary>More than one key column.</summary>
    MultipleKeyColumns = 1,

    /// <summary>WRAP_SINGLE_VALUE can be set (a single value column as a record or bare).</summary>
    WrapSingleValue = 2,

    /// <summary>ARRAY, MAP and STRUCT columns.</summary>
    StructuredTypes = 4,

    /// <summary>Needs a schema registry (AVRO, PROTOBUF, JSON_SR).</summary>
    SchemaRegistry = 8,

    /// <summary>Columns can be inferred from a registered schema.</summary>
    SchemaInference = 16,
}

/// <summary>Options of a format for one source (from its WITH clause).</summary>
/// <example>
/// <code>
/// var options = FormatOptions.Default with { Delimiter = '|', WrapSingleValue = false };
/// </code>
/// </example>
public sealed record FormatOptions
{
    /// <summary>No options.</summary>
    public static FormatOptions Default { get; } = new();

    /// <summary>WRAP_SINGLE_VALUE: null for the format's default.</summary>
    public bool? WrapSingleValue { get; init; }

    /// <summary>KEY_DELIMITER / VALUE_DELIMITER of DELIMITED (',' by default).</summary>
    public char? Delimiter { get; init; }

    /// <summary>Other format properties (e.g. VALUE_SCHEMA_ID, VALUE_SCHEMA_FULL_NAME for schema-registry formats).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>Parses a delimiter property value: one character, or TAB / SPACE.</summary>
    public static char ParseDelimiter(string value) => value.ToUpperInvariant() switch
    {
        "TAB" => '\t',
        "SPACE" => ' ',
        _ when value.Length == 1 => value[0],
        _ => throw new SqlException($"Invalid delimiter value: '{value}'. Delimiter must be a single character or TAB,SPACE"),
    };
}

/// <summary>
/// Where the bytes go: the topic and whether they are a key. Schema-registry formats will find their
/// registry client here (the seam for AVRO, PROTOBUF and JSON_SR).
/// </summary>
/// <param name="Topic">The topic name.</param>
/// <example><code>var context = new FormatContext("orders");</code></example>
public sealed record FormatContext(string Topic)
{
    /// <summary>Services a format may need, such as a schema registry client, by type.</summary>
    public IServiceProvider? Services { get; init; }
}

/// <summary>Thrown when bytes cannot be read in a format, or a row cannot be written.</summary>
/// <example><code>catch (SqlSerdeException e) { log.LogWarning("bad record: {Message}", e.Message); }</code></example>
public class SqlSerdeException : SqlException
{
    /// <summary>Creates the exception.</summary>
    public SqlSerdeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public SqlSerdeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public SqlSerdeException()
        : base("Serialization failed.")
    {
    }
}

/// <summary>
/// The registered formats: KAFKA, JSON, DELIMITED and NONE built in; others (AVRO, PROTOBUF, JSON_SR)
/// are added with <see cref="Register"/>.
/// </summary>
/// <example>
/// <code>
/// ISqlFormat kafka = SqlFormats.Get("kafka");
/// SqlFormats.Register(new MyAvroFormat(registryClient));
/// </code>
/// </example>
public static class SqlFormats
{
    private static readonly Dictionary<string, ISqlFormat> Formats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["KAFKA"] = new KafkaFormat(),
        ["JSON"] = new JsonFormat(),
        ["DELIMITED"] = new DelimitedFormat(),
        ["NONE"] = new NoneFormat(),
    };

    private static readonly object Lock = new();

    /// <summary>The names ksqlDB knows, supported here or not.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = ["AVRO", "JSON", "JSON_SR", "PROTOBUF", "PROTOBUF_NOSR", "KAFKA", "DELIMITED", "NONE"];

    /// <summary>The format with this name (case-insensitive).</summary>
    public static ISqlFormat Get(string name)
    {
        lock (Lock)
        {
            if (Formats.TryGetValue(name, out var f))
            {
                return f;
            }
        }

        if (KnownNames.Contains(name.ToUpperInvariant()))
        {
            throw new SqlException($"The '{name.ToUpperInvariant()}' format needs a schema registry, which this server does not have yet. Use JSON, DELIMITED or KAFKA.");
        }

        throw new SqlException($"Unknown format: {name}");
    }

    /// <summary>Whether a format is available.</summary>
    public static bool IsAvailable(string name)
    {
        lock (Lock)
        {
            return Formats.ContainsKey(name);
        }
    }

    /// <summary>Adds or replaces a format.</summary>
    public static void Register(ISqlFormat format)
    {
        lock (Lock)
        {
            Formats[format.Name] = format;
        }
    }
}

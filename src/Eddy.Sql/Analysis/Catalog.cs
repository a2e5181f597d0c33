using System.Collections.Concurrent;
using Eddy.Sql.Ast;
using Eddy.Sql.Formats;
using Eddy.Sql.Types;

namespace Eddy.Sql.Analysis;

/// <summary>A stream or table known to the engine: its schema, topic, formats, windowing and timestamp column.</summary>
/// <param name="Name">The source name.</param>
/// <param name="Kind">STREAM or TABLE.</param>
/// <param name="Schema">Key, value and header columns.</param>
/// <param name="Topic">The Kafka topic.</param>
/// <param name="KeyFormat">How keys are serialized.</param>
/// <param name="ValueFormat">How values are serialized.</param>
/// <example>
/// <code>
/// var orders = new DataSource("ORDERS", SourceKind.Stream, schema, "orders",
///     new SourceFormat("KAFKA", FormatOptions.Default), new SourceFormat("JSON", FormatOptions.Default));
/// </code>
/// </example>
public sealed record DataSource(string Name, SourceKind Kind, LogicalSchema Schema, string Topic, SourceFormat KeyFormat, SourceFormat ValueFormat)
{
    /// <summary>The window of a windowed source's keys, or null.</summary>
    public WindowInfo? Window { get; init; }

    /// <summary>The column whose value is the record timestamp (WITH TIMESTAMP=...), or null for the record's own timestamp.</summary>
    public string? TimestampColumn { get; init; }

    /// <summary>The Java pattern to parse a STRING timestamp column (WITH TIMESTAMP_FORMAT=...).</summary>
    public string? TimestampFormat { get; init; }

    /// <summary>True for CREATE SOURCE STREAM/TABLE (read-only).</summary>
    public bool IsSourceOnly { get; init; }

    /// <summary>True when the table is materialized (CREATE SOURCE TABLE, CREATE TABLE AS SELECT) and so serves pull queries.</summary>
    public bool IsMaterialized { get; init; }

    /// <summary>PARTITIONS from the WITH clause, if given.</summary>
    public int? Partitions { get; init; }

    /// <summary>REPLICAS from the WITH clause, if given.</summary>
    public int? Replicas { get; init; }

    /// <summary>True when the source is a table.</summary>
    public bool IsTable => Kind == SourceKind.Table;
}

/// <summary>A format and its options for one side of a source.</summary>
/// <param name="Format">The format name, e.g. JSON.</param>
/// <param name="Options">Its options (delimiter, WRAP_SINGLE_VALUE).</param>
/// <example><code>var f = new SourceFormat("DELIMITED", FormatOptions.Default with { Delimiter = '|' });</code></example>
public sealed record SourceFormat(string Format, FormatOptions Options)
{
    /// <summary>Formats as the format name.</summary>
    public override string ToString() => Format;
}

/// <summary>The window of a windowed source.</summary>
/// <param name="Type">TUMBLING, HOPPING or SESSION.</param>
/// <param name="SizeMillis">The window size (null for SESSION).</param>
/// <example><code>var w = new WindowInfo(WindowType.Tumbling, 60_000);</code></example>
public sealed record WindowInfo(WindowType Type, long? SizeMillis);

/// <summary>Looks streams and tables up by name.</summary>
/// <example><code>DataSource? s = catalog.Find("ORDERS");</code></example>
public interface ISourceCatalog
{
    /// <summary>Every source name.</summary>
    IEnumerable<string> SourceNames { get; }

    /// <summary>The source with this exact name, or null.</summary>
    DataSource? Find(string name);
}

/// <summary>A thread-safe in-memory catalog of sources.</summary>
/// <example>
/// <code>
/// var catalog = new SourceCatalog();
/// catalog.Add(analyzer.AnalyzeCreateSource(create));
/// </code>
/// </example>
public sealed class SourceCatalog : ISourceCatalog
{
    private readonly ConcurrentDictionary<string, DataSource> _sources = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public IEnumerable<string> SourceNames => _sources.Keys;

    /// <inheritdoc/>
    public DataSource? Find(string name) => _sources.TryGetValue(name, out var s) ? s : null;

    /// <summary>Adds or replaces a source.</summary>
    public void Add(DataSource source) => _sources[source.Name] = source;

    /// <summary>Removes a source; false when there was none.</summary>
    public bool Remove(string name) => _sources.TryRemove(name, out _);
}

/// <summary>Engine settings the analysis depends on.</summary>
/// <example><code>var settings = new AnalysisSettings { DefaultValueFormat = "JSON" };</code></example>
public sealed record AnalysisSettings
{
    /// <summary>ksql.persistence.default.format.key (KAFKA by default).</summary>
    public string DefaultKeyFormat { get; init; } = "KAFKA";

    /// <summary>ksql.persistence.default.format.value (none by default: VALUE_FORMAT is required).</summary>
    public string? DefaultValueFormat { get; init; }
}

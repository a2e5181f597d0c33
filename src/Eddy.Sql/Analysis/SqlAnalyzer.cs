using Eddy.Sql.Ast;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Analysis;
using Eddy.Sql.Types;

namespace Eddy.Sql.Analysis;

/// <summary>
/// Checks statements against the catalog of streams and tables, with ksqlDB's rules and error
/// messages, and works out what a planner needs: for CREATE STREAM/TABLE the source's schema,
/// formats, window and timestamp column; for queries the sources and joins, the row layouts
/// expressions are compiled against, aggregates, key columns and the result schema.
/// </summary>
/// <example>
/// <code>
/// var catalog = new SourceCatalog();
/// var analyzer = new SqlAnalyzer(catalog, new FunctionRegistry());
/// catalog.Add(analyzer.AnalyzeCreateSource((CreateSource)SqlParser.ParseStatement(
///     "CREATE STREAM orders (id BIGINT KEY, item STRING, price DOUBLE) WITH (kafka_topic='orders', value_format='JSON');")));
/// var q = analyzer.AnalyzeCreateAsSelect((CreateAsSelect)SqlParser.ParseStatement(
///     "CREATE TABLE totals AS SELECT item, SUM(price) AS total FROM orders GROUP BY item;"));
/// Console.WriteLine(q.Sink!.Schema); // `ITEM` STRING KEY, `TOTAL` DOUBLE
/// catalog.Add(q.Sink);
/// </code>
/// </example>
public sealed class SqlAnalyzer
{
    private readonly ISourceCatalog _catalog;
    private readonly FunctionRegistry _functions;
    private readonly ITypeRegistry? _types;
    private readonly AnalysisSettings _settings;

    /// <summary>Creates an analyzer over a catalog, the functions queries may call, the custom types CREATE statements may use, and engine settings.</summary>
    public SqlAnalyzer(ISourceCatalog catalog, FunctionRegistry functions, ITypeRegistry? types = null, AnalysisSettings? settings = null)
    {
        _catalog = catalog;
        _functions = functions;
        _types = types;
        _settings = settings ?? new AnalysisSettings();
    }

    /// <summary>
    /// Checks CREATE [SOURCE] STREAM/TABLE and returns the source it defines (not added to the
    /// catalog). Throws <see cref="SqlException"/> with ksqlDB's message when it is invalid.
    /// </summary>
    public DataSource AnalyzeCreateSource(CreateSource statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        return SourceAnalyzer.Analyze(statement, _types, _settings);
    }

    /// <summary>Checks a transient query: a push query (EMIT CHANGES/FINAL) or a pull query (no EMIT).</summary>
    public AnalyzedQuery AnalyzeQuery(Query query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new QueryAnalyzer(_catalog, _functions, _settings, query, null).Analyze();
    }

    /// <summary>
    /// Checks CREATE STREAM/TABLE ... AS SELECT; <see cref="AnalyzedQuery.Sink"/> is the source it
    /// creates (not added to the catalog).
    /// </summary>
    public AnalyzedQuery AnalyzeCreateAsSelect(CreateAsSelect statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        if (!statement.OrReplace && !statement.IfNotExists && _catalog.Find(statement.Name) is { } existing)
        {
            var kind = existing.IsTable ? "table" : "stream";
            var adding = statement.Kind == SourceKind.Table ? "table" : "stream";
            throw new SqlException($"Cannot add {adding} '{statement.Name}': A {kind} with the same name already exists", statement.Location);
        }

        var sink = new SinkRequest(statement.Name, statement.Kind, statement.Properties, null);
        return new QueryAnalyzer(_catalog, _functions, _settings, statement.Query, sink).Analyze();
    }

    /// <summary>Checks INSERT INTO ... SELECT: the target must be a stream whose schema the query's result matches.</summary>
    public AnalyzedQuery AnalyzeInsertInto(InsertInto statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var target = _catalog.Find(statement.Target)
            ?? throw new SqlException($"Source `{statement.Target}` does not exist.", statement.Location);
        if (target.IsTable)
        {
            throw new SqlException($"INSERT INTO can only be used to insert into a stream. {target.Name} is a table.", statement.Location);
        }

        var sink = new SinkRequest(statement.Target, null, statement.Properties, target);
        return new QueryAnalyzer(_catalog, _functions, _settings, statement.Query, sink).Analyze();
    }
}

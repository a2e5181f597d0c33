using System.Text.Json;
using Eddy.Sql.Types;

namespace Eddy.Sql.Engine;

/// <summary>
/// Where an engine runs its queries. Without <see cref="BootstrapServers"/> the engine only keeps the
/// metastore (validation, SHOW, DESCRIBE, EXPLAIN), which is what the conformance runner and unit tests use;
/// with it, persistent queries run as Eddy.Streams applications on that Kafka cluster, INSERT VALUES
/// produces, and push and pull queries are served.
/// </summary>
/// <example>
/// <code>
/// var options = new SqlEngineOptions { BootstrapServers = "localhost:9092", StateDirectory = "/var/lib/eddy/state" };
/// await using var engine = new SqlEngine(commandLog, options);
/// </code>
/// </example>
public sealed record SqlEngineOptions
{
    /// <summary>The Kafka cluster queries run on; null keeps the engine metastore-only.</summary>
    public string? BootstrapServers { get; init; }

    /// <summary>Where query state stores live (state.dir of each query's streams application).</summary>
    public string StateDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "eddy-state");

    /// <summary>ksql.service.id and other planner settings.</summary>
    public Planning.PlannerSettings Planner { get; init; } = new();

    /// <summary>Extra streams and client properties every query runs with (ksql.streams.* without the prefix).</summary>
    public IReadOnlyDictionary<string, string> StreamsProperties { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The clock (tests inject one).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Logging for the engine and its queries.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>A column of a query's result, as ksqlDB's header reports it.</summary>
/// <param name="Name">The column name, e.g. <c>ID</c>.</param>
/// <param name="Type">Its SQL type.</param>
/// <example><code>Console.WriteLine($"{column.Name} {column.Type}");</code></example>
public sealed record QueryColumn(string Name, SqlType Type)
{
    /// <summary>
    /// True for a pull query's key columns (ksqlDB's pull header marks them <c>KEY</c>: the source's key
    /// columns and, for windowed tables, WINDOWSTART and WINDOWEND, when selected as plain columns); push
    /// query headers never mark keys.
    /// </summary>
    public bool IsKey { get; init; }
}

/// <summary>
/// A running push query (<c>EMIT CHANGES</c>) or a pull query's result. Rows hold values in the engine's CLR
/// representation (see <see cref="SqlValues"/>), in the order of <see cref="Columns"/>. A push query's rows
/// run until its LIMIT, until it is disposed, or until the engine stops; a pull query's rows end after the
/// current state has been read.
/// </summary>
/// <example>
/// <code>
/// await using var query = await engine.ExecuteQueryAsync("SELECT * FROM pageviews EMIT CHANGES LIMIT 3;", null, ct);
/// await foreach (var row in query.ReadRowsAsync(ct)) Console.WriteLine(string.Join(",", row));
/// </code>
/// </example>
public interface IQueryHandle : IAsyncDisposable
{
    /// <summary>The query id (ksqlDB's <c>transient_...</c> for push queries, a generated id for pull queries).</summary>
    string QueryId { get; }

    /// <summary>True for a pull query.</summary>
    bool IsPull { get; }

    /// <summary>The result columns.</summary>
    IReadOnlyList<QueryColumn> Columns { get; }

    /// <summary>The rows, as they arrive.</summary>
    IAsyncEnumerable<IReadOnlyList<object?>> ReadRowsAsync(CancellationToken cancellationToken = default);
}

/// <summary>A push query's handle: tells why its rows ended (ksqlDB's final message "Limit Reached" or "Query Completed").</summary>
/// <example><code>var final = query is IPushQueryHandle { LimitReached: true } ? "Limit Reached" : "Query Completed";</code></example>
public interface IPushQueryHandle : IQueryHandle
{
    /// <summary>True once the query's LIMIT rows were delivered (always true for LIMIT 0).</summary>
    bool LimitReached { get; }
}

/// <summary>The running side of an engine: push and pull queries and inserts of JSON rows (the REST server's /inserts-stream).</summary>
/// <example><code>await engine.InsertRowAsync("PAGEVIEWS", JsonDocument.Parse("{\"ID\":1}").RootElement, ct);</code></example>
public interface IQueryExecution
{
    /// <summary>Starts a push query or runs a pull query.</summary>
    /// <exception cref="SqlException">The statement is not a query, or it is invalid.</exception>
    Task<IQueryHandle> ExecuteQueryAsync(string sql, IReadOnlyDictionary<string, string>? properties, CancellationToken cancellationToken = default);

    /// <summary>Inserts one row, given as a JSON object of column names to values, into a stream or table.</summary>
    /// <exception cref="SqlException">The target does not exist or the row does not fit its schema.</exception>
    Task InsertRowAsync(string target, JsonElement row, CancellationToken cancellationToken = default);
}

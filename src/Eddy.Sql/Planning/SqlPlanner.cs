using Eddy.Sql.Analysis;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Planning;
using Eddy.Streams;

namespace Eddy.Sql.Planning;

/// <summary>
/// Turns analyzed persistent queries (CREATE STREAM/TABLE AS SELECT, INSERT INTO) into Eddy.Streams
/// topologies through the public DSL: projection and filter, re-keying, GROUP BY aggregates as tables
/// (with undo for table sources), windowed aggregates (EMIT FINAL through suppress), table functions
/// through flatMap and every join kind. Internal topics and stores are named after the query id, as
/// ksqlDB names them, under the application id <c>_confluent-ksql-&lt;service&gt;query_&lt;id&gt;</c>.
/// </summary>
/// <example>
/// <code>
/// var planner = new SqlPlanner(functions);
/// var analyzed = analyzer.AnalyzeCreateAsSelect(csas);
/// PlannedQuery plan = planner.Plan(analyzed, "CSAS_OUT_0");
/// Console.WriteLine(plan.Explain());
/// using var driver = new TopologyTestDriver(plan.Topology, plan.StreamsConfig());
/// </code>
/// </example>
public sealed class SqlPlanner
{
    private readonly FunctionRegistry _functions;

    /// <summary>Creates a planner compiling expressions with these functions.</summary>
    public SqlPlanner(FunctionRegistry functions, PlannerSettings? settings = null)
    {
        _functions = functions;
        Settings = settings ?? new PlannerSettings();
    }

    /// <summary>The planner's settings.</summary>
    public PlannerSettings Settings { get; }

    /// <summary>Plans a persistent query (the analyzed query must have a sink).</summary>
    /// <exception cref="SqlException">The query cannot be planned (for example a transient query).</exception>
    public PlannedQuery Plan(AnalyzedQuery query, string queryId)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrEmpty(queryId);
        if (query.Sink is null)
        {
            throw new SqlException("Only persistent queries (CREATE ... AS SELECT, INSERT INTO) can be planned into a topology.");
        }

        var builder = new QueryBuilder(query, _functions, queryId);
        var topology = builder.Build();
        var appId = $"_confluent-ksql-{Settings.ServiceId}query_{queryId}";
        return new PlannedQuery(queryId, appId, query, topology, builder.Steps, builder.SourceTopics, query.Sink.Topic);
    }

    /// <summary>The query id ksqlDB gives a statement: CSAS_&lt;SINK&gt;_&lt;n&gt;, CTAS_&lt;SINK&gt;_&lt;n&gt; or INSERTQUERY_&lt;n&gt;.</summary>
    /// <example><code>var id = SqlPlanner.QueryId(analyzed, isInsert: false, 0); // CSAS_OUT_0</code></example>
    public static string QueryId(AnalyzedQuery query, bool isInsert, int counter)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (isInsert)
        {
            return $"INSERTQUERY_{counter}";
        }

        var prefix = query.ResultKind == Ast.SourceKind.Table ? "CTAS" : "CSAS";
        return $"{prefix}_{query.Sink!.Name.ToUpperInvariant()}_{counter}";
    }
}

/// <summary>Planner settings.</summary>
/// <example><code>var settings = new PlannerSettings { ServiceId = "default_" };</code></example>
public sealed record PlannerSettings
{
    /// <summary>ksql.service.id (default <c>default_</c>), the prefix of application ids and internal topics.</summary>
    public string ServiceId { get; init; } = "default_";
}

/// <summary>A persistent query planned into a topology.</summary>
/// <example>
/// <code>
/// var plan = planner.Plan(analyzed, "CTAS_TOTALS_1");
/// Console.WriteLine(plan.ApplicationId); // _confluent-ksql-default_query_CTAS_TOTALS_1
/// </code>
/// </example>
public sealed class PlannedQuery
{
    internal PlannedQuery(string queryId, string applicationId, AnalyzedQuery query, Topology topology, IReadOnlyList<string> steps, IReadOnlyList<string> sourceTopics, string sinkTopic)
    {
        QueryId = queryId;
        ApplicationId = applicationId;
        Query = query;
        Topology = topology;
        LogicalPlan = steps;
        SourceTopics = sourceTopics;
        SinkTopic = sinkTopic;
    }

    /// <summary>The query id (CSAS_X_0, CTAS_Y_1, INSERTQUERY_2).</summary>
    public string QueryId { get; }

    /// <summary>The Kafka Streams application id, prefix of the query's internal topics.</summary>
    public string ApplicationId { get; }

    /// <summary>The analyzed query.</summary>
    public AnalyzedQuery Query { get; }

    /// <summary>The topology.</summary>
    public Topology Topology { get; }

    /// <summary>The logical plan, one step per line, from the sources to the sink.</summary>
    public IReadOnlyList<string> LogicalPlan { get; }

    /// <summary>The topics the query reads.</summary>
    public IReadOnlyList<string> SourceTopics { get; }

    /// <summary>The topic the query writes.</summary>
    public string SinkTopic { get; }

    /// <summary>The streams configuration the query runs with: its application id, record caching off, bad records skipped.</summary>
    public StreamsConfig StreamsConfig()
    {
        var config = new StreamsConfig
        {
            ApplicationId = ApplicationId,
            StateStoreCacheMaxBytes = 0,
            DeserializationExceptionHandler = new Streams.Errors.LogAndContinueExceptionHandler(),
        };
        return config;
    }

    /// <summary>EXPLAIN's text: the logical plan, then the topology description.</summary>
    public string Explain()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"ID                   : {QueryId}");
        sb.AppendLine($"Query Type           : PERSISTENT");
        sb.AppendLine($"SQL                  : {Query.Query}");
        sb.AppendLine();
        sb.AppendLine("Execution plan");
        sb.AppendLine("--------------");
        for (var i = LogicalPlan.Count - 1; i >= 0; i--)
        {
            sb.Append(' ', 2 * (LogicalPlan.Count - 1 - i)).Append(" > [ ").Append(LogicalPlan[i]).AppendLine(" ]");
        }

        sb.AppendLine();
        sb.AppendLine("Processing topology");
        sb.AppendLine("-------------------");
        sb.Append(Topology.Describe().ToString());
        return sb.ToString();
    }
}

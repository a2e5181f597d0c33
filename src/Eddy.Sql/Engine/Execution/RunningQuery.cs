using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Planning;
using Eddy.Sql.Planning;
using Eddy.Streams;
using Microsoft.Extensions.Logging;

namespace Eddy.Sql.Engine.Execution;

/// <summary>A persistent query running as its own Kafka Streams application (application id = the plan's).</summary>
internal sealed class RunningQuery : IAsyncDisposable
{
    /// <summary>The store a table result is materialized in for pull queries.</summary>
    public const string ResultStore = "PullQuery-Materialize";

    private readonly KafkaRuntime _runtime;
    private string? _error;

    private RunningQuery(KafkaRuntime runtime, PlannedQuery plan, KafkaStreams streams, bool materialized)
    {
        _runtime = runtime;
        Plan = plan;
        Streams = streams;
        IsMaterialized = materialized;
    }

    public PlannedQuery Plan { get; }

    public KafkaStreams Streams { get; }

    /// <summary>True when the query's table result is in <see cref="ResultStore"/>.</summary>
    public bool IsMaterialized { get; }

    /// <summary>RUNNING, ERROR, or the streams state while it is not running.</summary>
    public string State => _error is not null || Streams.State is KafkaStreamsState.Error or KafkaStreamsState.PendingError
        ? "ERROR"
        : Streams.State is KafkaStreamsState.Running or KafkaStreamsState.Rebalancing or KafkaStreamsState.Created ? "RUNNING" : "NOT_RUNNING";

    public string? ErrorMessage => _error;

    /// <summary>Builds the query's topology again (one per application instance), creates its sink topic and starts it.</summary>
    public static async Task<RunningQuery> StartAsync(KafkaRuntime runtime, FunctionRegistry functions, PlannedQuery plan, IReadOnlyDictionary<string, string> properties, CancellationToken cancellationToken)
    {
        var query = plan.Query;
        var materialize = query.ResultKind == Ast.SourceKind.Table && query.Sink is not null && plan.QueryId.StartsWith("CTAS_", StringComparison.Ordinal);
        var builder = new QueryBuilder(query, functions, plan.QueryId) { ResultStoreName = materialize ? ResultStore : null };
        await runtime.EnsureSinkTopicAsync(query, cancellationToken).ConfigureAwait(false);
        return await StartAsync(runtime, plan, builder.Build(), materialize, runtime.ReadsFromEarliest(properties), properties, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Materializes a CREATE SOURCE TABLE for pull queries, as ksqlDB's CST_ queries do: the table's topic
    /// from its beginning into the result store, with no output topic.
    /// </summary>
    public static Task<RunningQuery> StartSourceTableAsync(KafkaRuntime runtime, FunctionRegistry functions, Analysis.AnalyzedQuery selectAll, string queryId, string applicationId, CancellationToken cancellationToken)
    {
        var builder = new QueryBuilder(selectAll, functions, queryId) { ResultStoreName = ResultStore, TransientSink = s => s.Foreach((_, _) => { }) };
        var topology = builder.Build();
        var plan = new PlannedQuery(queryId, applicationId, selectAll, topology, builder.Steps, builder.SourceTopics, selectAll.Sources[0].Source.Topic);
        return StartAsync(runtime, plan, topology, materialize: true, earliest: true, new Dictionary<string, string>(), cancellationToken);
    }

    private static async Task<RunningQuery> StartAsync(KafkaRuntime runtime, PlannedQuery plan, Topology topology, bool materialize, bool earliest, IReadOnlyDictionary<string, string> properties, CancellationToken cancellationToken)
    {
        if (!earliest)
        {
            await runtime.CommitLatestAsync(plan.ApplicationId, plan.SourceTopics, cancellationToken).ConfigureAwait(false);
        }

        var config = runtime.Config(plan.StreamsConfig(), plan.ApplicationId, properties);
        var streams = new KafkaStreams(topology, config);
        var running = new RunningQuery(runtime, plan, streams, materialize);
        streams.SetUncaughtExceptionHandler(e =>
        {
            running._error = e.Message;
            runtime.Logger.LogError(e, "Query {Query} failed", plan.QueryId);
            return StreamThreadExceptionResponse.ShutdownClient;
        });
        try
        {
            await streams.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            running._error = e.Message;
            runtime.Logger.LogError(e, "Query {Query} could not start", plan.QueryId);
        }

        return running;
    }

    /// <summary>Stops the application; with <paramref name="cleanUp"/> (TERMINATE) also deletes its state, internal topics and group.</summary>
    public async Task StopAsync(bool cleanUp, CancellationToken cancellationToken)
    {
        await Streams.CloseAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (cleanUp)
        {
            Streams.CleanUp();
            await _runtime.CleanUpApplicationAsync(Plan.ApplicationId, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(cleanUp: false, CancellationToken.None));
}

using Eddy.Sql.Analysis;
using Eddy.Sql.Ast;
using Eddy.Sql.Engine.Execution;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Planning;
using Eddy.Sql.Planning;
using Eddy.Sql.Types;
using Eddy.Streams;

namespace Eddy.Sql.Engine;

/// <summary>What executing a statement returned; the REST server maps these to ksqlDB's <c>@type</c> responses.</summary>
/// <param name="StatementText">The statement.</param>
/// <example><code>if (entity is CommandStatusEntity s) Console.WriteLine(s.Message);</code></example>
public abstract record SqlEntity(string StatementText);

/// <summary>A statement that changed the metastore (<c>currentStatus</c>).</summary>
/// <param name="StatementText">The statement.</param>
/// <param name="CommandSequenceNumber">Its position in the command log.</param>
/// <param name="Message">For example "Stream created" or "Created query with ID CSAS_X_1".</param>
/// <param name="QueryId">The query it started, if any.</param>
/// <example><code>Console.WriteLine($"{status.CommandSequenceNumber}: {status.Message}");</code></example>
public sealed record CommandStatusEntity(string StatementText, long CommandSequenceNumber, string Message, string? QueryId = null) : SqlEntity(StatementText);

/// <summary>SHOW STREAMS / SHOW TABLES (<c>streams</c>, <c>tables</c>).</summary>
/// <param name="StatementText">The statement.</param>
/// <param name="Kind">Streams or tables.</param>
/// <param name="Sources">The sources, by name.</param>
/// <example><code>foreach (var s in list.Sources) Console.WriteLine(s.Name);</code></example>
public sealed record SourceListEntity(string StatementText, SourceKind Kind, IReadOnlyList<DataSource> Sources) : SqlEntity(StatementText);

/// <summary>A persistent query known to the engine.</summary>
/// <param name="Id">The query id.</param>
/// <param name="Sql">The statement that created it.</param>
/// <param name="Sink">The source it writes.</param>
/// <param name="Sources">The sources it reads.</param>
/// <param name="Plan">Its topology.</param>
/// <example><code>Console.WriteLine($"{q.Id}: {q.Sql}");</code></example>
public sealed record PersistentQueryInfo(string Id, string Sql, string Sink, IReadOnlyList<string> Sources, PlannedQuery Plan)
{
    /// <summary>RUNNING, ERROR or NOT_RUNNING (ksqlDB's query state); RUNNING for a metastore-only engine.</summary>
    public string State { get; init; } = "RUNNING";

    /// <summary>Why the query is in ERROR, if it is.</summary>
    public string? ErrorMessage { get; init; }
}

/// <summary>SHOW QUERIES (<c>queries</c>).</summary>
/// <param name="StatementText">The statement.</param>
/// <param name="Queries">The running persistent queries.</param>
/// <example><code>foreach (var q in list.Queries) Console.WriteLine(q.Id);</code></example>
public sealed record QueryListEntity(string StatementText, IReadOnlyList<PersistentQueryInfo> Queries) : SqlEntity(StatementText);

/// <summary>DESCRIBE source (<c>sourceDescription</c>).</summary>
/// <param name="StatementText">The statement.</param>
/// <param name="Source">The source.</param>
/// <param name="ReadQueries">Queries reading it.</param>
/// <param name="WriteQueries">Queries writing it.</param>
/// <example><code>Console.WriteLine(d.Source.Schema);</code></example>
public sealed record SourceDescriptionEntity(string StatementText, DataSource Source, IReadOnlyList<string> ReadQueries, IReadOnlyList<string> WriteQueries) : SqlEntity(StatementText)
{
    /// <summary>True for DESCRIBE ... EXTENDED.</summary>
    public bool Extended { get; init; }

    /// <summary>Topic and query statistics (DESCRIBE ... EXTENDED on an engine running on Kafka), else null.</summary>
    public SourceRuntimeStatistics? Statistics { get; init; }
}

/// <summary>EXPLAIN (<c>queryDescription</c>): the logical plan and topology of a query.</summary>
/// <param name="StatementText">The statement.</param>
/// <param name="QueryId">The query id (or a provisional one for EXPLAIN of a statement).</param>
/// <param name="Text">The explanation.</param>
/// <example><code>Console.WriteLine(e.Text);</code></example>
public sealed record QueryDescriptionEntity(string StatementText, string QueryId, string Text) : SqlEntity(StatementText);

/// <summary>SHOW PROPERTIES (<c>properties</c>).</summary>
/// <param name="StatementText">The statement.</param>
/// <param name="Properties">The session properties.</param>
/// <example><code>foreach (var (k, v) in p.Properties) Console.WriteLine($"{k}={v}");</code></example>
public sealed record PropertiesEntity(string StatementText, IReadOnlyDictionary<string, string> Properties) : SqlEntity(StatementText);

/// <summary>
/// Executes ksqlDB statements against a metastore (sources, types, persistent queries) that is durable as
/// an ordered log of accepted statements (<see cref="ICommandLog"/>), replayed by <see cref="StartAsync"/>.
/// Statements that change the metastore are validated (analyzed and planned) first, then appended to the
/// log, then applied; queries get ksqlDB ids from the command's sequence number (CSAS_X_3), so a replay
/// rebuilds the same ids and topologies. Running the topologies on Kafka is the runtime's job.
/// </summary>
/// <example>
/// <code>
/// await using var log = new InMemoryCommandLog();
/// using var engine = new SqlEngine(log);
/// await engine.StartAsync(ct);
/// var results = await engine.ExecuteAsync("CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='s', value_format='JSON'); CREATE STREAM big AS SELECT * FROM s WHERE v > 10;", ct);
/// </code>
/// </example>
public sealed class SqlEngine : IDisposable, IAsyncDisposable, IQueryExecution
{
    private readonly ICommandLog _log;
    private readonly FunctionRegistry _functions;
    private readonly SourceCatalog _catalog = new();
    private readonly TypeRegistry _types = new();
    private readonly Dictionary<string, PersistentQueryInfo> _queries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _properties = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly PlannerSettings _plannerSettings;
    private readonly KafkaRuntime? _runtime;
    private readonly Dictionary<string, RunningQuery> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _queryProperties = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<PushQueryHandle, byte> _pushQueries = new();
    private readonly Dictionary<string, string> _sourceTables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _startErrors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunningQuery> _sourceTableQueries = new(StringComparer.Ordinal);
    private int _disposed;
    private long _lastApplied = -1;

    /// <summary>Creates a metastore-only engine over a command log.</summary>
    public SqlEngine(ICommandLog log, FunctionRegistry? functions = null, PlannerSettings? settings = null)
        : this(log, new SqlEngineOptions { Planner = settings ?? new PlannerSettings() }, functions)
    {
    }

    /// <summary>Creates an engine over a command log that runs its queries where <paramref name="options"/> says.</summary>
    public SqlEngine(ICommandLog log, SqlEngineOptions options, FunctionRegistry? functions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _log = log;
        _functions = functions ?? new FunctionRegistry();
        _plannerSettings = options.Planner;
        Options = options;
        if (!string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            _runtime = new KafkaRuntime(options);
        }
    }

    /// <summary>How long a push or pull query waits for its application to be running before answering.</summary>
    public TimeSpan QueryStartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where the engine runs its queries.</summary>
    public SqlEngineOptions Options { get; }

    /// <inheritdoc />
    public async Task<IQueryHandle> ExecuteQueryAsync(string sql, IReadOnlyDictionary<string, string>? properties, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var runtime = _runtime ?? throw new SqlException("This engine has no Kafka cluster to run queries on (SqlEngineOptions.BootstrapServers is not set).");
        var statements = SqlParser.ParseStatements(sql);
        if (statements.Count == 1 && statements[0].Statement is PrintTopic print)
        {
            return await PrintHandle.StartAsync(runtime, print, cancellationToken).ConfigureAwait(false);
        }

        if (statements.Count != 1 || statements[0].Statement is not Query query)
        {
            throw new SqlException(statements.Count == 1
                ? $"Only SELECT and PRINT statements can be run as queries; use ExecuteAsync for {statements[0].Statement.GetType().Name} statements."
                : $"Expected exactly one SELECT statement, got {statements.Count} statements.");
        }

        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        PushQueryHandle handle;
        KafkaStreams streams;
        string applicationId;
        IReadOnlyList<string> sourceTopics;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var (k, v) in _properties)
            {
                props[k] = v;
            }

            foreach (var (k, v) in properties ?? new Dictionary<string, string>())
            {
                props[k] = v;
            }

            var analyzed = Analyzer(props).AnalyzeQuery(WindowBounds.Rewrite(query));
            if (analyzed.IsPull && !analyzed.Sources[0].Source.IsTable)
            {
                _gate.Release();
                try
                {
                    return await PullQuery.ScanStreamAsync(analyzed, runtime, _functions, QueryStartTimeout, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }

            if (analyzed.IsPull)
            {
                var source = analyzed.Sources[0].Source;
                var materializer = _running.Values.FirstOrDefault(r => r.IsMaterialized && r.Plan.Query.Sink?.Name == source.Name)
                    ?? _sourceTableQueries.GetValueOrDefault(source.Name)
                    ?? throw new SqlException($"The `{source.Name}` table isn't queryable. To derive a queryable table, you can do 'CREATE TABLE QUERYABLE_{source.Name} AS SELECT * FROM {source.Name}'. See https://cnfl.io/queries for more info.");
                _gate.Release();
                try
                {
                    return await PullQuery.RunAsync(analyzed, materializer, _functions, QueryStartTimeout, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }

            var queryId = $"transient_{analyzed.Sources[0].Source.Name}_{Random.Shared.NextInt64(1, long.MaxValue)}";
            applicationId = $"_confluent-ksql-{_plannerSettings.ServiceId}transient_{queryId}_{KafkaRuntime.Millis(Options.Time)}";
            handle = new PushQueryHandle(queryId, analyzed, h => _pushQueries.TryRemove(h, out _));
            var target = handle;
            var builder = new QueryBuilder(analyzed, _functions, queryId) { TransientSink = s => s.Foreach((k, v) => target.Offer(k, v)) };
            var topology = builder.Build();
            sourceTopics = builder.SourceTopics;
            var config = runtime.Config(new StreamsConfig { StateStoreCacheMaxBytes = 0, DeserializationExceptionHandler = new Streams.Errors.LogAndContinueExceptionHandler() }, applicationId, props);
            streams = new KafkaStreams(topology, config);
            handle.Attach(runtime, streams, applicationId);
            _pushQueries[handle] = 0;
        }
        finally
        {
            _gate.Release();
        }

        try
        {
            if (!runtime.ReadsFromEarliest(props))
            {
                await runtime.CommitLatestAsync(applicationId, sourceTopics, cancellationToken).ConfigureAwait(false);
            }

            await streams.StartAsync(cancellationToken).ConfigureAwait(false);
            await streams.WaitForRunningAsync(QueryStartTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await handle.DisposeAsync().ConfigureAwait(false);
            if (e is OperationCanceledException or SqlException)
            {
                throw;
            }

            throw new SqlException($"The push query could not start: {e.Message}", e);
        }

        return handle;
    }

    /// <inheritdoc />
    public async Task InsertRowAsync(string target, System.Text.Json.JsonElement row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var runtime = _runtime ?? throw new SqlException("This engine has no Kafka cluster to insert into (SqlEngineOptions.BootstrapServers is not set).");
        var source = FindTarget(target);
        await Inserter.InsertJsonAsync(runtime, source, row, cancellationToken).ConfigureAwait(false);
    }

    private DataSource FindTarget(string name)
    {
        var source = _catalog.Find(name) ?? _catalog.Find(name.ToUpperInvariant())
            ?? throw new SqlException($"Cannot insert values into an unknown stream/table: `{name}`");
        if (source.IsSourceOnly)
        {
            throw new SqlException($"Cannot insert values into read-only {(source.IsTable ? "table" : "stream")}: {source.Name}");
        }

        return source;
    }

    /// <summary>Stops every query (a metastore-only engine just releases its lock); blocks, prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose()
    {
        if (_runtime is null)
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _gate.Dispose();
            }

            return;
        }

        DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Stops every push query and persistent query (their state and offsets stay for the next start) and closes the Kafka clients.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var handle in _pushQueries.Keys.ToList())
        {
            await handle.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var running in _running.Values.ToList())
        {
            await running.StopAsync(cleanUp: false, CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var running in _sourceTableQueries.Values.ToList())
        {
            await running.StopAsync(cleanUp: false, CancellationToken.None).ConfigureAwait(false);
        }

        _running.Clear();
        _sourceTableQueries.Clear();
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    /// <summary>The sources in the metastore.</summary>
    public ISourceCatalog Sources => _catalog;

    /// <summary>The running persistent queries.</summary>
    public IReadOnlyCollection<PersistentQueryInfo> Queries => _queries.Values;

    /// <summary>
    /// The sequence number of the last command-log entry applied to the metastore (replayed or executed), or -1
    /// before the first; a REST request's <c>commandSequenceNumber</c> waits for this to reach it.
    /// </summary>
    public long LastAppliedCommandSequence => Interlocked.Read(ref _lastApplied);

    /// <summary>Replays the command log into an empty metastore.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (var command in _log.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var parsed in SqlParser.ParseStatements(command.Statement))
                {
                    Apply(parsed, command.Sequence, command.Properties);
                }

                Interlocked.Exchange(ref _lastApplied, Math.Max(_lastApplied, command.Sequence));
            }

            if (_runtime is not null)
            {
                foreach (var query in _queries.Values.OrderBy(q => q.Plan.QueryId, StringComparer.Ordinal).ToList())
                {
                    await StartQueryAsync(query, cancellationToken).ConfigureAwait(false);
                }

                await SyncSourceTablesAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Executes one or more statements in order, returning one entity each (none for INSERT VALUES, as ksqlDB); stops at the first error (<see cref="SqlException"/>).</summary>
    public async Task<IReadOnlyList<SqlEntity>> ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var results = new List<SqlEntity>();
            foreach (var parsed in SqlParser.ParseStatements(sql))
            {
                // INSERT VALUES answers with no entity, as ksqlDB's /ksql does.
                if (await ExecuteOneAsync(parsed, cancellationToken).ConfigureAwait(false) is { } entity)
                {
                    results.Add(entity);
                }
            }

            return results;
        }
        finally
        {
            _gate.Release();
        }
    }

    private SqlAnalyzer Analyzer(IReadOnlyDictionary<string, string> props)
    {
        var settings = new AnalysisSettings();
        if (props.TryGetValue("ksql.persistence.default.format.value", out var v))
        {
            settings = settings with { DefaultValueFormat = v };
        }

        if (props.TryGetValue("ksql.persistence.default.format.key", out var k))
        {
            settings = settings with { DefaultKeyFormat = k };
        }

        return new SqlAnalyzer(_catalog, _functions, _types, settings);
    }

    private async Task<SqlEntity?> ExecuteOneAsync(ParsedStatement parsed, CancellationToken cancellationToken)
    {
        var text = parsed.Text;
        switch (parsed.Statement)
        {
            case CreateSource or CreateAsSelect or InsertInto or DropSource or CreateType or DropType or QueryControl { Action: QueryAction.Terminate }:
            {
                // Validate without changing anything, then log, then apply.
                Validate(parsed.Statement);
                if (_runtime is not null)
                {
                    await PrepareTopicsAsync(parsed.Statement, cancellationToken).ConfigureAwait(false);
                }

                var before = _queries.Keys.ToHashSet(StringComparer.Ordinal);
                var dropped = parsed.Statement is DropSource { DeleteTopic: true } drop ? _catalog.Find(drop.Name) : null;
                var command = await _log.AppendAsync(text, new Dictionary<string, string>(_properties, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
                var status = Apply(parsed, command.Sequence, command.Properties);
                Interlocked.Exchange(ref _lastApplied, Math.Max(_lastApplied, command.Sequence));
                if (_runtime is not null)
                {
                    await RunChangesAsync(before, dropped, cancellationToken).ConfigureAwait(false);
                }

                return status;
            }

            case InsertValues iv:
            {
                var runtime = _runtime ?? throw new SqlException("This engine has no Kafka cluster to insert into (SqlEngineOptions.BootstrapServers is not set).");
                var target = FindTarget(iv.Target);
                await Inserter.InsertValuesAsync(runtime, _functions, target, iv, cancellationToken).ConfigureAwait(false);
                return null;
            }

            case Query:
                throw new SqlException("The following statement types should be issued to the websocket endpoint '/query':\n\t* PRINT\n\t* SELECT", parsed.Location);

            case ListStatement { Kind: ListKind.Streams or ListKind.Tables } l:
            {
                var kind = l.Kind == ListKind.Streams ? SourceKind.Stream : SourceKind.Table;
                var sources = _catalog.SourceNames.Select(n => _catalog.Find(n)!).Where(s => s.Kind == kind).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
                return new SourceListEntity(text, kind, sources);
            }

            case ListStatement { Kind: ListKind.Queries }:
                return new QueryListEntity(text, _queries.Values.OrderBy(q => q.Id, StringComparer.Ordinal).Select(WithState).ToList());
            case ListStatement { Kind: ListKind.Properties }:
                return new PropertiesEntity(text, new Dictionary<string, string>(_properties, StringComparer.Ordinal));
            case DescribeSource d:
            {
                var source = _catalog.Find(d.Name) ?? throw new SqlException($"Could not find STREAM/TABLE '{d.Name}' in the Metastore");
                var readers = _queries.Values.Where(q => q.Sources.Contains(source.Name)).Select(q => q.Id).ToList();
                var writers = _queries.Values.Where(q => q.Sink == source.Name).Select(q => q.Id).ToList();
                var statistics = d.Extended && _runtime is not null
                    ? await _runtime.StatisticsAsync(source.Topic, readers.Concat(writers).Distinct().ToDictionary(id => id, id => WithState(_queries[id]).State), cancellationToken).ConfigureAwait(false)
                    : null;
                return new SourceDescriptionEntity(text, source, readers, writers) { Extended = d.Extended, Statistics = statistics };
            }

            case ListStatement { Kind: ListKind.Topics } topics:
            {
                var runtime = _runtime ?? throw new SqlException("This engine has no Kafka cluster to list topics of (SqlEngineOptions.BootstrapServers is not set).");
                return new TopicListEntity(text, await runtime.TopicsAsync(topics.All, topics.Extended, cancellationToken).ConfigureAwait(false), topics.Extended);
            }

            case ListStatement { Kind: ListKind.Functions }:
                return new FunctionListEntity(text, _functions.ListFunctions());
            case ListStatement { Kind: ListKind.Types }:
                return new TypeListEntity(text, new SortedDictionary<string, SqlType>(_types.Types.ToDictionary(), StringComparer.Ordinal));
            case DescribeFunction df:
                return new FunctionDescriptionEntity(text, _functions.Describe(df.Name) ?? throw new SqlException($"Can't find any functions with the name '{df.Name}'"));

            case Explain { QueryId: { } id }:
                return _queries.TryGetValue(id, out var query)
                    ? new QueryDescriptionEntity(text, id, query.Plan.Explain())
                    : throw new SqlException($"Query with id:{id} does not exist, use SHOW QUERIES to view the full set of running queries.");
            case Explain { Statement: CreateAsSelect or InsertInto } e:
            {
                var (analyzed, isInsert) = Analyze(e.Statement!, _properties);
                var plan = new SqlPlanner(_functions, _plannerSettings).Plan(analyzed, SqlPlanner.QueryId(analyzed, isInsert, _queries.Count));
                return new QueryDescriptionEntity(text, plan.QueryId, plan.Explain());
            }

            case SetProperty set:
                _properties[set.Name] = set.Value;
                return new PropertiesEntity(text, new Dictionary<string, string>(_properties, StringComparer.Ordinal));
            case UnsetProperty unset:
                _properties.Remove(unset.Name);
                return new PropertiesEntity(text, new Dictionary<string, string>(_properties, StringComparer.Ordinal));
            default:
                throw new SqlException($"The engine does not execute {parsed.Statement.GetType().Name} statements yet.", parsed.Location);
        }
    }

    private (AnalyzedQuery Query, bool IsInsert) Analyze(Statement statement, IReadOnlyDictionary<string, string> props) => statement switch
    {
        CreateAsSelect cas => (Analyzer(props).AnalyzeCreateAsSelect(cas), false),
        InsertInto ii => (Analyzer(props).AnalyzeInsertInto(ii), true),
        _ => throw new SqlException("Only CREATE ... AS SELECT and INSERT INTO ... SELECT have a query plan."),
    };

    private void Validate(Statement statement)
    {
        switch (statement)
        {
            case CreateSource cs:
                var source = Analyzer(_properties).AnalyzeCreateSource(cs);
                if (_catalog.Find(source.Name) is { } existing && !cs.OrReplace && !cs.IfNotExists)
                {
                    throw new SqlException($"Cannot add {(source.IsTable ? "table" : "stream")} '{source.Name}': A {(existing.IsTable ? "table" : "stream")} with the same name already exists");
                }

                break;
            case CreateAsSelect or InsertInto:
            {
                var (analyzed, _) = Analyze(statement, _properties);
                _ = new SqlPlanner(_functions, _plannerSettings).Plan(analyzed, "VALIDATE");
                break;
            }

            case DropSource ds:
                CheckDrop(ds);
                break;
            case CreateType ct:
                if (_types.TryResolve(ct.Name, out _) && !ct.IfNotExists)
                {
                    throw new SqlException($"Cannot register custom type '{ct.Name}' since it is already registered with type: {_types.Types[ct.Name]}");
                }

                _ = ct.Type.Resolve(_types);
                break;
            case DropType dt:
                if (!_types.TryResolve(dt.Name, out _) && !dt.IfExists)
                {
                    throw new SqlException($"Type {dt.Name} does not exist.");
                }

                break;
            case QueryControl { QueryId: { } id } when !_queries.ContainsKey(id):
                throw new SqlException($"Unknown queryId: {id}");
        }
    }

    private void CheckDrop(DropSource ds)
    {
        var source = _catalog.Find(ds.Name);
        if (source is null)
        {
            if (ds.IfExists)
            {
                return;
            }

            throw new SqlException($"Source {ds.Name} does not exist.");
        }

        if ((source.Kind == SourceKind.Table) != (ds.Kind == SourceKind.Table))
        {
            throw new SqlException($"Incompatible data source type is {(source.IsTable ? "TABLE" : "STREAM")}, but statement was DROP {(ds.Kind == SourceKind.Table ? "TABLE" : "STREAM")}");
        }

        var readers = _queries.Values.Where(q => q.Sources.Contains(source.Name)).Select(q => q.Id).ToList();
        var writers = _queries.Values.Where(q => q.Sink == source.Name).Select(q => q.Id).ToList();
        if (readers.Count > 0 || writers.Count > 0)
        {
            throw new SqlException($"Cannot drop {source.Name}.\nThe following queries read from this source: [{string.Join(", ", readers)}].\nThe following queries write into this source: [{string.Join(", ", writers)}].\nYou need to terminate them before dropping {source.Name}.");
        }
    }

    /// <summary>Applies a validated (or replayed) statement to the metastore.</summary>
    private CommandStatusEntity Apply(ParsedStatement parsed, long sequence, IReadOnlyDictionary<string, string> props)
    {
        var text = parsed.Text;
        switch (parsed.Statement)
        {
            case CreateSource cs:
            {
                var source = Analyzer(props).AnalyzeCreateSource(cs);
                if (_catalog.Find(source.Name) is not null && cs.IfNotExists && !cs.OrReplace)
                {
                    return new CommandStatusEntity(text, sequence, $"{(source.IsTable ? "Table" : "Stream")} {source.Name} already exists.");
                }

                _catalog.Add(source);
                if (cs.IsSource && source.IsTable)
                {
                    // ksqlDB materializes a source table with a query named CST_<NAME>_<n> (here not listed in SHOW QUERIES).
                    _sourceTables[source.Name] = $"CST_{source.Name}_{sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
                }
                else
                {
                    _sourceTables.Remove(source.Name);
                }

                return new CommandStatusEntity(text, sequence, source.IsTable ? "Table created" : "Stream created");
            }

            case CreateAsSelect or InsertInto:
            {
                var (analyzed, isInsert) = Analyze(parsed.Statement, props);
                var plan = new SqlPlanner(_functions, _plannerSettings).Plan(analyzed, SqlPlanner.QueryId(analyzed, isInsert, (int)sequence));
                if (!isInsert)
                {
                    _catalog.Add(analyzed.Sink!);
                }

                _queryProperties[plan.QueryId] = props;
                _queries[plan.QueryId] = new PersistentQueryInfo(plan.QueryId, text, analyzed.Sink!.Name, analyzed.Sources.Select(s => s.Source.Name).Distinct().ToList(), plan);
                return new CommandStatusEntity(text, sequence, $"Created query with ID {plan.QueryId}", plan.QueryId);
            }

            case DropSource ds:
            {
                CheckDrop(ds);
                var source = _catalog.Find(ds.Name);
                if (source is null)
                {
                    return new CommandStatusEntity(text, sequence, $"Source {ds.Name} does not exist.");
                }

                _catalog.Remove(source.Name);
                _sourceTables.Remove(source.Name);
                return new CommandStatusEntity(text, sequence, $"Source `{source.Name}` (topic: {source.Topic}) was dropped.");
            }

            case CreateType ct:
                _types.Register(ct.Name, ct.Type.Resolve(_types));
                return new CommandStatusEntity(text, sequence, $"Registered custom type with name '{ct.Name}' and SQL type {ct.Type.Resolve(_types)}");
            case DropType dt:
                _types.Unregister(dt.Name);
                return new CommandStatusEntity(text, sequence, $"Dropped type '{dt.Name}'");
            case QueryControl { Action: QueryAction.Terminate, QueryId: { } id }:
                _queries.Remove(id);
                return new CommandStatusEntity(text, sequence, "Query terminated.");
            case QueryControl { Action: QueryAction.Terminate }:
                _queries.Clear();
                return new CommandStatusEntity(text, sequence, "All queries terminated.");
            default:
                throw new SqlException($"The engine does not apply {parsed.Statement.GetType().Name} statements.");
        }
    }

    private PersistentQueryInfo WithState(PersistentQueryInfo query) =>
        _running.TryGetValue(query.Id, out var running) ? query with { State = running.State, ErrorMessage = running.ErrorMessage }
        : _startErrors.TryGetValue(query.Id, out var error) ? query with { State = "ERROR", ErrorMessage = error }
        : _runtime is null ? query : query with { State = "NOT_RUNNING" };

    /// <summary>Creates what a statement needs on Kafka before it is logged: a source's topic, a query's sink topic.</summary>
    private async Task PrepareTopicsAsync(Statement statement, CancellationToken cancellationToken)
    {
        switch (statement)
        {
            case CreateSource cs:
            {
                var source = Analyzer(_properties).AnalyzeCreateSource(cs);
                if (_catalog.Find(source.Name) is null || cs.OrReplace)
                {
                    await _runtime!.EnsureSourceTopicAsync(source, cancellationToken).ConfigureAwait(false);
                }

                break;
            }

            case CreateAsSelect cas when _catalog.Find(cas.Name) is null || cas.OrReplace:
            {
                var (analyzed, _) = Analyze(statement, _properties);
                await _runtime!.EnsureSinkTopicAsync(analyzed, cancellationToken).ConfigureAwait(false);
                break;
            }
        }
    }

    /// <summary>Starts queries the last statement added, stops (and cleans up) those it removed, deletes a dropped source's topic.</summary>
    private async Task RunChangesAsync(HashSet<string> before, DataSource? dropped, CancellationToken cancellationToken)
    {
        foreach (var id in before.Where(id => !_queries.ContainsKey(id)).ToList())
        {
            if (_running.Remove(id, out var running))
            {
                await running.StopAsync(cleanUp: true, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var query in _queries.Values.Where(q => !before.Contains(q.Id)).ToList())
        {
            await StartQueryAsync(query, cancellationToken).ConfigureAwait(false);
        }

        await SyncSourceTablesAsync(cancellationToken).ConfigureAwait(false);
        if (dropped is not null && _catalog.Find(dropped.Name) is null)
        {
            await _runtime!.DeleteTopicsAsync([dropped.Topic], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts the materialization of new source tables and stops (cleaning up) those of dropped ones.</summary>
    private async Task SyncSourceTablesAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, running) in _sourceTableQueries.ToList())
        {
            if (!_sourceTables.TryGetValue(name, out var id) || id != running.Plan.QueryId)
            {
                _sourceTableQueries.Remove(name);
                await running.StopAsync(cleanUp: true, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var (name, id) in _sourceTables)
        {
            if (_sourceTableQueries.ContainsKey(name) || _catalog.Find(name) is null)
            {
                continue;
            }

            var selectAll = (Query)SqlParser.ParseStatement($"SELECT * FROM `{name}` EMIT CHANGES;");
            var analyzed = Analyzer(new Dictionary<string, string>()).AnalyzeQuery(selectAll);
            var applicationId = $"_confluent-ksql-{_plannerSettings.ServiceId}query_{id}";
            _sourceTableQueries[name] = await RunningQuery.StartSourceTableAsync(_runtime!, _functions, analyzed, id, applicationId, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StartQueryAsync(PersistentQueryInfo query, CancellationToken cancellationToken)
    {
        if (_running.ContainsKey(query.Id))
        {
            return;
        }

        var props = _queryProperties.TryGetValue(query.Id, out var p) ? p : new Dictionary<string, string>();
        try
        {
            _running[query.Id] = await RunningQuery.StartAsync(_runtime!, _functions, query.Plan, props, cancellationToken).ConfigureAwait(false);
            _startErrors.Remove(query.Id);
        }
        catch (Exception e) when (e is Client.KafkaException or Streams.Errors.StreamsException or SqlException)
        {
            // The statement is already in the command log: the query stays, in ERROR, as ksqlDB keeps failed queries.
            _startErrors[query.Id] = $"Could not start query {query.Id}: {e.Message}";
        }
    }
}

using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Eddy.Sql.Analysis;
using Eddy.Sql.Types;
using Eddy.Streams;

namespace Eddy.Sql.Engine.Execution;

/// <summary>
/// A push query: its own transient Kafka Streams application whose result stream ends in a bounded
/// channel. The stream thread waits when the reader is slow (backpressure); LIMIT completes the channel;
/// disposing closes the application and deletes its state and internal topics.
/// </summary>
internal sealed class PushQueryHandle : IQueryHandle
{
    private const int Capacity = 1024;
    private readonly Channel<QueryRow> _channel = Channel.CreateBounded<QueryRow>(new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _closing = new();
    private readonly int? _limit;
    private readonly (bool IsKey, int Index)[] _mapping;
    private readonly bool _isTable;
    private readonly Action<PushQueryHandle>? _onDispose;
    private KafkaRuntime? _runtime;
    private KafkaStreams? _streams;
    private string? _applicationId;
    private int _emitted;
    private int _disposed;

    public PushQueryHandle(string queryId, AnalyzedQuery query, Action<PushQueryHandle>? onDispose)
    {
        QueryId = queryId;
        _limit = query.Query.Limit;
        _isTable = query.ResultKind == Ast.SourceKind.Table;
        _onDispose = onDispose;
        var keyNames = query.Schema.Key.Select(c => c.Name).ToList();
        var keyItems = keyNames.Select(n => query.Projection.FirstOrDefault(p => p.IsKey && p.Name == n)).Where(p => p is not null).ToList();
        var valueItems = query.Projection.Where(p => !p.IsKey).ToList();
        var columns = new List<QueryColumn>();
        var mapping = new List<(bool, int)>();
        // SELECT * on a windowed source shows the window bounds right after the key columns, as ksqlDB does;
        // they travel in the result key after the key columns.
        var source = query.Sources.Count == 1 ? query.Sources[0].Source : null;
        var windowAfter = source?.Window is not null && query.ResultWindow is not null && query.Query.Items.Any(i => i is Ast.AllColumns) && source.Schema.Key.Count > 0
            ? source.Schema.Key[^1].Name
            : null;
        foreach (var p in query.Projection)
        {
            columns.Add(new QueryColumn(p.Name, p.Type));
            mapping.Add(p.IsKey ? (true, keyItems.IndexOf(p)) : (false, valueItems.IndexOf(p)));
            if (p.IsKey && p.Name == windowAfter)
            {
                columns.Add(new QueryColumn("WINDOWSTART", SqlTypes.BigInt));
                columns.Add(new QueryColumn("WINDOWEND", SqlTypes.BigInt));
                mapping.Add((true, query.Schema.Key.Count));
                mapping.Add((true, query.Schema.Key.Count + 1));
                windowAfter = null;
            }
        }

        Columns = columns;
        _mapping = [.. mapping];
        if (_limit is 0)
        {
            _channel.Writer.TryComplete();
        }
    }

    public string QueryId { get; }

    public bool IsPull => false;

    public IReadOnlyList<QueryColumn> Columns { get; }

    /// <summary>True once LIMIT rows were delivered ("Limit Reached").</summary>
    public bool LimitReached => _limit is { } l && _emitted >= l;

    /// <summary>The failure that ended the query, if any.</summary>
    public string? Error { get; private set; }

    public void Attach(KafkaRuntime runtime, KafkaStreams streams, string applicationId)
    {
        _runtime = runtime;
        _streams = streams;
        _applicationId = applicationId;
        streams.SetUncaughtExceptionHandler(e =>
        {
            Fail(e.Message);
            return StreamThreadExceptionResponse.ShutdownClient;
        });
    }

    public void Fail(string message)
    {
        Error = message;
        _channel.Writer.TryComplete(new SqlException(message));
    }

    /// <summary>Called on a stream thread for each result record.</summary>
    public void Offer(object?[] key, object?[]? value)
    {
        if (_closing.IsCancellationRequested)
        {
            return;
        }

        var row = new object?[_mapping.Length];
        for (var i = 0; i < _mapping.Length; i++)
        {
            var (isKey, index) = _mapping[i];
            var source = isKey ? key : value;
            row[i] = source is not null && index >= 0 && index < source.Length ? source[index] : null;
        }

        var writer = _channel.Writer;
        try
        {
            while (!writer.TryWrite(new QueryRow(row, value is null && _isTable)))
            {
                if (!writer.WaitToWriteAsync(_closing.Token).AsTask().GetAwaiter().GetResult())
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (_limit is { } limit && Interlocked.Increment(ref _emitted) >= limit)
        {
            writer.TryComplete();
        }
    }

    public async IAsyncEnumerable<IReadOnlyList<object?>> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = _channel.Reader;
        var delivered = 0;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var row))
            {
                yield return row;
                if (_limit is { } l && ++delivered >= l)
                {
                    yield break;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        _channel.Writer.TryComplete();
        if (_streams is { } streams)
        {
            await streams.CloseAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            streams.CleanUp();
            await _runtime!.CleanUpApplicationAsync(_applicationId!, CancellationToken.None).ConfigureAwait(false);
        }

        _onDispose?.Invoke(this);
        _closing.Dispose();
    }
}

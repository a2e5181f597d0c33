using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Eddy.Sql.Analysis;
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
        foreach (var p in query.Projection)
        {
            columns.Add(new QueryColumn(p.Name, p.Type));
            mapping.Add(p.IsKey ? (true, keyItems.IndexOf(p)) : (false, valueItems.IndexOf(p)));
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
        if (_closing.IsCancellationRequested || (value is null && !_isTable))
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
            while (!writer.TryWrite(new QueryRow(row, value is null)))
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

/// <summary>A row of a query result; <see cref="IsTombstone"/> marks a table push query's deletion (key columns set, the rest null).</summary>
/// <example><code>if (row is QueryRow { IsTombstone: true }) Console.WriteLine("deleted");</code></example>
public sealed class QueryRow : IReadOnlyList<object?>
{
    private readonly object?[] _values;

    /// <summary>Creates a row.</summary>
    public QueryRow(object?[] values, bool isTombstone = false)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values;
        IsTombstone = isTombstone;
    }

    /// <summary>True for a deleted table row (ksqlDB's <c>"tombstone":true</c>).</summary>
    public bool IsTombstone { get; }

    /// <inheritdoc />
    public int Count => _values.Length;

    /// <inheritdoc />
    public object? this[int index] => _values[index];

    /// <inheritdoc />
    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)_values).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _values.GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _values.Select(Internal.Formats.JsonValues.ToJsonText));
}

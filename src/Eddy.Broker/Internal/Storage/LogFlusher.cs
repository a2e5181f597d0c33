using Microsoft.Extensions.Logging;

namespace Eddy.Broker.Internal.Storage;

/// <summary>
/// Group commit: appends mark their partition dirty and get the task of the next flush cycle; one
/// background loop takes all dirty partitions, fsyncs each once and completes the cycle, so a single
/// fsync covers every request that appended to a partition while the previous cycle ran. A cycle
/// that starts after an append always includes it.
/// </summary>
internal sealed class LogFlusher : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private HashSet<PartitionLog> _dirty = [];
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _signaled;

    private readonly Action<double>? _recordDuration;

    public LogFlusher(ILogger logger, Action<double>? recordDuration = null)
    {
        _logger = logger;
        _recordDuration = recordDuration;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Fsync cycles completed (a metric).</summary>
    public long Cycles { get; private set; }

    /// <summary>Marks <paramref name="log"/> dirty and returns a task that completes once it is fsynced.</summary>
    public Task RequestFlush(PartitionLog log)
    {
        lock (_lock)
        {
            _dirty.Add(log);
            if (!_signaled)
            {
                _signaled = true;
                _signal.Release();
            }

            return _next.Task;
        }
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _signal.WaitAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            HashSet<PartitionLog> dirty;
            TaskCompletionSource cycle;
            lock (_lock)
            {
                _signaled = false;
                dirty = _dirty;
                _dirty = [];
                cycle = _next;
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            Exception? failure = null;
            foreach (var log in dirty)
            {
                try
                {
                    long started = System.Diagnostics.Stopwatch.GetTimestamp();
                    log.Flush();
                    _recordDuration?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (ObjectDisposedException)
                {
                    // Deleted or closed meanwhile: nothing left to make durable.
                }
                catch (Exception e)
                {
                    _logger.LogCritical(e, "fsync of {Topic}-{Partition} failed", log.Topic, log.Partition);
                    failure = e;
                }
            }

            Cycles++;
            if (failure is null)
            {
                cycle.TrySetResult();
            }
            else
            {
                cycle.TrySetException(failure);
            }
        }

        lock (_lock)
        {
            _next.TrySetCanceled();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _signal.Dispose();
    }
}

namespace Eddy.Client.Internal;

/// <summary>
/// buffer.memory: the bytes of records accepted but not yet acknowledged. A send that would exceed it
/// waits (up to max.block.ms) until deliveries free room, as Kafka's BufferPool does.
/// </summary>
internal sealed class BufferMemory
{
    private readonly long _total;
    private readonly object _lock = new();
    private long _used;
    private TaskCompletionSource _freed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiters;

    public BufferMemory(long total) => _total = total;

    public long Used => Interlocked.Read(ref _used);

    /// <summary>Whether sends are waiting for room: the sender should then send what it has without lingering.</summary>
    public bool Exhausted => Volatile.Read(ref _waiters) > 0;

    public bool TryReserve(int bytes)
    {
        lock (_lock)
        {
            // One record larger than the whole buffer may go alone when nothing else is held.
            if (_used + bytes <= _total || _used == 0)
            {
                _used += bytes;
                return true;
            }

            return false;
        }
    }

    public void Reserve(int bytes, TimeSpan maxBlock, TimeProvider time)
    {
        if (TryReserve(bytes))
        {
            return;
        }

        long start = time.GetTimestamp();
        Interlocked.Increment(ref _waiters);
        try
        {
            while (true)
            {
                Task freed;
                lock (_lock)
                {
                    freed = _freed.Task;
                }

                if (TryReserve(bytes))
                {
                    return;
                }

                var remaining = maxBlock - time.GetElapsedTime(start);
                if (remaining <= TimeSpan.Zero || !freed.Wait(remaining < TimeSpan.FromMilliseconds(200) ? remaining : TimeSpan.FromMilliseconds(200)) && time.GetElapsedTime(start) >= maxBlock)
                {
                    if (TryReserve(bytes))
                    {
                        return;
                    }

                    throw new KafkaTimeoutException($"no room for a {bytes}-byte record in buffer.memory ({_total} bytes) within max.block.ms ({maxBlock.TotalMilliseconds:F0} ms)");
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    public async ValueTask ReserveAsync(int bytes, TimeSpan maxBlock, TimeProvider time, CancellationToken cancellationToken)
    {
        if (TryReserve(bytes))
        {
            return;
        }

        long start = time.GetTimestamp();
        Interlocked.Increment(ref _waiters);
        try
        {
            while (true)
            {
                Task freed;
                lock (_lock)
                {
                    freed = _freed.Task;
                }

                if (TryReserve(bytes))
                {
                    return;
                }

                var remaining = maxBlock - time.GetElapsedTime(start);
                if (remaining <= TimeSpan.Zero)
                {
                    throw new KafkaTimeoutException($"no room for a {bytes}-byte record in buffer.memory ({_total} bytes) within max.block.ms ({maxBlock.TotalMilliseconds:F0} ms)");
                }

                try
                {
                    await freed.WaitAsync(remaining < TimeSpan.FromMilliseconds(200) ? remaining : TimeSpan.FromMilliseconds(200), time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    public void Release(long bytes)
    {
        TaskCompletionSource freed;
        lock (_lock)
        {
            _used -= bytes;
            freed = _freed;
            if (_waiters > 0)
            {
                _freed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            else
            {
                return;
            }
        }

        freed.TrySetResult();
    }
}

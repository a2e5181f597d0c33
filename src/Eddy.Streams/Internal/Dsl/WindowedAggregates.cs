using Eddy.Streams.Dsl;
using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.Internal.State;
using Eddy.Streams.Processors;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.Dsl;

/// <summary>
/// Throttles work that scans state (emit-final fetches, outer-join emission) to once per interval of wall-clock time,
/// and tracks the stream time and smallest pending timestamp of a join (Kafka's KStreamImplJoin.TimeTracker).
/// </summary>
internal sealed class TimeTracker
{
    public long EmitIntervalMs { get; set; } = 1000;

    public long StreamTime { get; set; } = -1;

    public long MinTime { get; set; } = long.MaxValue;

    public long NextTimeToEmit { get; set; }

    public void AdvanceStreamTime(long timestamp) => StreamTime = Math.Max(timestamp, StreamTime);

    public void UpdatedMinTime(long timestamp) => MinTime = Math.Min(timestamp, MinTime);

    public void AdvanceNextTimeToEmit() => NextTimeToEmit += EmitIntervalMs;
}

/// <summary>Internal configuration keys, named as Kafka names them (StreamsConfig.InternalConfig).</summary>
internal static class InternalConfig
{
    public const string EmitIntervalWindowedAggregation = "__emit.interval.ms.kstreams.windowed.aggregation__";
    public const string EmitIntervalOuterJoin = "__emit.interval.ms.kstreams.outer.join.spurious.results.fix__";

    public static long GetLong(StreamsConfig config, string key, long defaultValue) => config[key] switch
    {
        null => defaultValue,
        long l => l,
        int i => i,
        string s when long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) => v,
        var o => Convert.ToInt64(o, System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>Settings shared by the processors of one windowed aggregation (co-grouped streams share them).</summary>
internal sealed class WindowedAggregateSettings
{
    public required TableProcessorSettings Table { get; init; }

    public required EmitStrategy Emit { get; init; }

    /// <summary>The store's retention: with emit-on-close, closed windows must be emitted before a put expires them.</summary>
    public long Retention { get; init; } = long.MaxValue;
}

/// <summary>
/// What every time-windowed aggregation processor shares (Kafka's AbstractKStreamTimeWindowAggregateProcessor):
/// the store, forwarding on update through the cache, and emitting final results when windows close.
/// </summary>
internal abstract class TimeWindowAggregateProcessorBase<TKey, TValue, TAgg>(WindowedAggregateSettings settings)
    : DslProcessor<TKey, TValue, Windowed<TKey>, Change<TAgg>>
{
    private readonly TimeTracker _tracker = new();
    private long _lastEmittedUpper = -1;

    protected ITimestampedWindowStore<TKey, TAgg> Store { get; private set; } = null!;

    protected TimestampedTupleForwarder<Windowed<TKey>, TAgg> Forwarder { get; private set; } = null!;

    protected bool EmitOnClose => settings.Emit.Type == EmitStrategyType.OnWindowClose;

    protected bool SendOldValues => settings.Table.SendOldValues;

    protected long ObservedStreamTime { get; set; } = -1;

    public override void Init(IProcessorContext<Windowed<TKey>, Change<TAgg>> context)
    {
        base.Init(context);
        Store = context.GetStateStore<ITimestampedWindowStore<TKey, TAgg>>(settings.Table.StoreName!);
        // With emit-on-close, results are never forwarded from the cache (Kafka sets no flush listener).
        Forwarder = new TimestampedTupleForwarder<Windowed<TKey>, TAgg>(Store, Context, SendOldValues, useCache: !EmitOnClose);
        if (EmitOnClose)
        {
            _tracker.EmitIntervalMs = InternalConfig.GetLong(context.Config, InternalConfig.EmitIntervalWindowedAggregation, 1000);
        }
    }

    protected void MaybeForwardUpdate(in Record<TKey, TValue> record, long windowStart, long windowEnd, bool hasOld, TAgg oldAgg, TAgg newAgg, long newTimestamp)
    {
        if (EmitOnClose || Forwarder.IsCaching)
        {
            return;
        }
        var key = new Windowed<TKey>(record.Key, WindowFor(windowStart, windowEnd));
        Forwarder.MaybeForward(Record<Windowed<TKey>, Change<TAgg>>.Create(key, new Change<TAgg>(newAgg is not null, newAgg, hasOld && SendOldValues, oldAgg), newTimestamp, record.RawHeaders));
    }

    protected virtual Window WindowFor(long start, long end) => new TimeWindow(start, end);

    protected void LogExpired(in Record<TKey, TValue> record, long windowStart, long windowEnd, long closeTime)
    {
        var rc = Context.Task.RecordContext;
        RuntimeLog.SkippingExpiredWindow(Context.Task.Logger, rc.Topic, rc.Partition, rc.Offset, record.Timestamp, windowStart, windowEnd, closeTime, ObservedStreamTime,
            Context.Task.CurrentNode?.Name ?? "");
        Dropped();
    }

    protected void LogNullKey()
    {
        var rc = Context.Task.RecordContext;
        RuntimeLog.SkippingNullKeyOrValue(Context.Task.Logger, rc.Topic, rc.Partition, rc.Offset, Context.Task.CurrentNode?.Name ?? "");
        Dropped();
    }

    /// <summary>
    /// Emits every window that closed since the last emission, each once, with the timestamp of its aggregate
    /// (Kafka's maybeForwardFinalResult). Called before the record updates the store: Eddy's in-memory store expires
    /// windows exactly at their retention, so windows that the coming put would expire are emitted now even when the
    /// emit interval (throttling in wall-clock time, as in Kafka) has not passed.
    /// </summary>
    protected void MaybeForwardFinalResult(in Record<TKey, TValue> record, long closeTime)
    {
        if (!EmitOnClose)
        {
            return;
        }
        var upper = EmitUpperBound(closeTime);
        var expiring = settings.Retention != long.MaxValue && upper > _lastEmittedUpper && ObservedStreamTime - settings.Retention > _lastEmittedUpper;
        if (!expiring)
        {
            // Kafka throttles first, then checks whether close time moved far enough to close a window.
            var now = Context.CurrentSystemTimeMs;
            if (now < _tracker.NextTimeToEmit)
            {
                return;
            }
            _tracker.NextTimeToEmit = now;
            _tracker.AdvanceNextTimeToEmit();
            if (upper <= _lastEmittedUpper || (_lastEmittedUpper >= 0 && !HasWindowsBetween(_lastEmittedUpper, upper)))
            {
                return;
            }
        }
        using (var it = Store.FetchAll(_lastEmittedUpper + 1, upper))
        {
            foreach (var kv in it)
            {
                var key = new Windowed<TKey>(kv.Key.Key, WindowFor(kv.Key.Window.Start, kv.Key.Window.End));
                Forwarder.MaybeForward(Record<Windowed<TKey>, Change<TAgg>>.Create(key, new Change<TAgg>(true, kv.Value.Value, false, default!), kv.Value.Timestamp, record.RawHeaders));
            }
        }
        _lastEmittedUpper = upper;
    }

    /// <summary>The largest window start whose window is closed at <paramref name="closeTime"/>.</summary>
    protected abstract long EmitUpperBound(long closeTime);

    /// <summary>Whether a window start lies in (lower, upper] (Kafka compares the windows the two bounds fall in).</summary>
    protected virtual bool HasWindowsBetween(long lower, long upper) => upper > lower;
}

/// <summary>
/// Aggregates into fixed windows (Kafka's KStreamWindowAggregate): each record updates every window it falls in that
/// is still open (its end after stream time minus grace); records for closed windows are dropped and counted.
/// </summary>
internal sealed class KStreamWindowAggregate<TKey, TValue, TAgg, TWindow>(WindowedAggregateSettings settings, Windows<TWindow> windows,
    Func<TAgg>? initializer, WindowAggregator<TKey, TValue, TAgg> aggregator) : TimeWindowAggregateProcessorBase<TKey, TValue, TAgg>(settings)
    where TWindow : Window
{
    private readonly TimeWindows? _timeWindows = windows as TimeWindows;

    public override void Process(Record<TKey, TValue> record)
    {
        if (record.Key is null)
        {
            LogNullKey();
            return;
        }
        var timestamp = record.Timestamp;
        ObservedStreamTime = Math.Max(ObservedStreamTime, timestamp);
        var closeTime = ObservedStreamTime - windows.GracePeriodMs;
        MaybeForwardFinalResult(record, closeTime);
        if (_timeWindows is { } tw)
        {
            // The windows of a timestamp, computed without allocating (TimeWindows.WindowsFor builds a dictionary).
            for (var start = tw.FirstWindowStart(timestamp); start <= timestamp; start += tw.AdvanceMs)
            {
                Update(record, start, start + tw.Size, closeTime);
            }
        }
        else
        {
            foreach (var (start, window) in windows.WindowsFor(timestamp))
            {
                Update(record, start, window.End, closeTime);
            }
        }
    }

    private void Update(in Record<TKey, TValue> record, long start, long end, long closeTime)
    {
        if (end <= closeTime)
        {
            LogExpired(record, start, end, closeTime);
            return;
        }
        TAgg oldAgg;
        long newTimestamp;
        bool hasAgg;
        var hadOld = Store.TryFetch(record.Key, start, out var old) && old.Value is not null;
        if (!hadOld)
        {
            // Reduce has no initializer: its first value is the aggregate.
            hasAgg = initializer is not null;
            oldAgg = hasAgg ? initializer!() : default!;
            newTimestamp = record.Timestamp;
        }
        else
        {
            hasAgg = true;
            oldAgg = old.Value;
            newTimestamp = Math.Max(record.Timestamp, old.Timestamp);
        }
        var newAgg = aggregator(record.Key, record.Value, hasAgg, oldAgg);
        Store.Put(record.Key, new ValueAndTimestamp<TAgg>(newAgg, newTimestamp), start);
        // Like Kafka, the old value sent for a new window is the initializer's value.
        MaybeForwardUpdate(record, start, end, hasAgg && oldAgg is not null, oldAgg, newAgg, newTimestamp);
    }

    protected override Window WindowFor(long start, long end)
        => windows is UnlimitedWindows ? new UnlimitedWindow(start) : new TimeWindow(start, end);

    // A time window [start, start + size) is closed when its end is at or before close time.
    protected override long EmitUpperBound(long closeTime) => closeTime - windows.Size;

    protected override bool HasWindowsBetween(long lower, long upper)
    {
        // Kafka compares windowsFor(upper) with windowsFor(lower): nothing to emit when they are the same windows.
        if (lower < 0)
        {
            return true;
        }
        if (_timeWindows is { } tw)
        {
            return tw.FirstWindowStart(upper) != tw.FirstWindowStart(lower) || upper / tw.AdvanceMs != lower / tw.AdvanceMs;
        }
        var a = windows.WindowsFor(upper);
        var b = windows.WindowsFor(lower);
        if (a.Count != b.Count)
        {
            return true;
        }
        foreach (var k in a.Keys)
        {
            if (!b.ContainsKey(k))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>
/// Aggregates into sliding windows (Kafka's KStreamSlidingWindowAggregate, KIP-450): every record has a left window
/// ending at it and, when later records fall within the time difference, a right window starting just after it;
/// windows hold the aggregate of exactly the records within the time difference of each other.
/// </summary>
internal sealed class KStreamSlidingWindowAggregate<TKey, TValue, TAgg>(WindowedAggregateSettings settings, SlidingWindows windows,
    Func<TAgg>? initializer, WindowAggregator<TKey, TValue, TAgg> aggregator) : TimeWindowAggregateProcessorBase<TKey, TValue, TAgg>(settings)
{
    private readonly long _td = windows.TimeDifferenceMs;
    private readonly HashSet<long> _windowStartTimes = [];

    public override void Process(Record<TKey, TValue> record)
    {
        if (record.Key is null || record.Value is null)
        {
            LogNullKey();
            return;
        }
        var ts = record.Timestamp;
        ObservedStreamTime = Math.Max(ObservedStreamTime, ts);
        var closeTime = ObservedStreamTime - windows.GracePeriodMs;
        MaybeForwardFinalResult(record, closeTime);
        if (ts + 1L + _td <= closeTime)
        {
            LogExpired(record, ts - _td, ts, closeTime);
            return;
        }
        if (ts < _td)
        {
            ProcessEarly(record, closeTime);
        }
        else
        {
            ProcessReverse(record, closeTime);
        }
    }

    private void ProcessReverse(in Record<TKey, TValue> record, long closeTime)
    {
        var ts = record.Timestamp;
        var windowStartTimes = _windowStartTimes;
        windowStartTimes.Clear();
        ValueAndTimestamp<TAgg>? leftWinAgg = null;
        ValueAndTimestamp<TAgg>? rightWinAgg = null;
        var leftWinAlreadyCreated = false;
        var rightWinAlreadyCreated = false;
        long? previousRecordTimestamp = null;
        using (var it = Store.BackwardFetch(record.Key, Math.Max(0, ts - 2 * _td), ts + 1))
        {
            while (it.MoveNext())
            {
                var startTime = it.Current.Key;
                var value = it.Current.Value;
                windowStartTimes.Add(startTime);
                var endTime = startTime + _td;
                var windowMaxRecordTimestamp = value.Timestamp;
                if (startTime == ts + 1)
                {
                    rightWinAlreadyCreated = true;
                }
                else if (endTime > ts)
                {
                    rightWinAgg ??= value;
                    UpdateWindowAndForward(startTime, endTime, value, record, closeTime);
                }
                else if (endTime == ts)
                {
                    leftWinAlreadyCreated = true;
                    UpdateWindowAndForward(startTime, endTime, value, record, closeTime);
                    if (windowMaxRecordTimestamp < ts)
                    {
                        previousRecordTimestamp = windowMaxRecordTimestamp;
                    }
                    else
                    {
                        return;
                    }
                }
                else
                {
                    leftWinAgg = value;
                    previousRecordTimestamp = windowMaxRecordTimestamp;
                    break;
                }
            }
        }
        CreateWindows(record, closeTime, windowStartTimes, rightWinAgg, leftWinAgg, leftWinAlreadyCreated, rightWinAlreadyCreated, previousRecordTimestamp);
    }

    /// <summary>
    /// Records earlier than the time difference would make windows with negative starts: they go into the window
    /// [0, timeDifference] instead, and their right windows are created as later records arrive (as in Kafka).
    /// </summary>
    private void ProcessEarly(in Record<TKey, TValue> record, long closeTime)
    {
        var ts = record.Timestamp;
        (long Start, ValueAndTimestamp<TAgg> Value)? combinedWindow = null;
        ValueAndTimestamp<TAgg>? rightWinAgg = null;
        var rightWinAlreadyCreated = false;
        var windowStartTimes = _windowStartTimes;
        windowStartTimes.Clear();
        long? previousRecordTimestamp = null;
        using (var it = Store.Fetch(record.Key, 0, ts + 1))
        {
            while (it.MoveNext())
            {
                var startTime = it.Current.Key;
                var value = it.Current.Value;
                windowStartTimes.Add(startTime);
                var windowMaxRecordTimestamp = value.Timestamp;
                if (startTime == 0)
                {
                    combinedWindow = (startTime, value);
                    if (windowMaxRecordTimestamp < ts)
                    {
                        previousRecordTimestamp = windowMaxRecordTimestamp;
                    }
                }
                else if (startTime <= ts)
                {
                    rightWinAgg = value;
                    UpdateWindowAndForward(startTime, startTime + _td, value, record, closeTime);
                }
                else if (startTime == ts + 1)
                {
                    rightWinAlreadyCreated = true;
                }
                else
                {
                    throw new InvalidOperationException("Unexpected window found when processing sliding windows");
                }
            }
        }
        if (rightWinAgg is null && combinedWindow is { } cw && cw.Value.Timestamp > ts)
        {
            rightWinAgg = cw.Value;
        }
        if (!rightWinAlreadyCreated && RightWindowIsNotEmpty(rightWinAgg, ts))
        {
            CreateCurrentRecordRightWindow(ts, rightWinAgg!.Value, record);
        }
        if (previousRecordTimestamp is { } prev && !windowStartTimes.Contains(prev + 1))
        {
            CreatePreviousRecordRightWindow(prev + 1, record, closeTime);
        }
        if (combinedWindow is { } combined)
        {
            UpdateWindowAndForward(combined.Start, combined.Start + _td, combined.Value, record, closeTime);
        }
        else
        {
            UpdateWindowAndForward(0, _td, Initial(ts), record, closeTime);
        }
    }

    private void CreateWindows(in Record<TKey, TValue> record, long closeTime, HashSet<long> windowStartTimes, ValueAndTimestamp<TAgg>? rightWinAgg,
        ValueAndTimestamp<TAgg>? leftWinAgg, bool leftWinAlreadyCreated, bool rightWinAlreadyCreated, long? previousRecordTimestamp)
    {
        var ts = record.Timestamp;
        if (previousRecordTimestamp is { } prev)
        {
            var previousRightWinStart = prev + 1;
            if (!windowStartTimes.Contains(previousRightWinStart) && previousRightWinStart + _td >= ts)
            {
                CreatePreviousRecordRightWindow(previousRightWinStart, record, closeTime);
            }
        }
        if (!leftWinAlreadyCreated)
        {
            var valueAndTime = previousRecordTimestamp is { } p && ts - _td <= p
                ? new ValueAndTimestamp<TAgg>(leftWinAgg!.Value.Value, ts)
                : Initial(ts);
            UpdateWindowAndForward(ts - _td, ts, valueAndTime, record, closeTime);
        }
        if (!rightWinAlreadyCreated && RightWindowIsNotEmpty(rightWinAgg, ts))
        {
            CreateCurrentRecordRightWindow(ts, rightWinAgg!.Value, record);
        }
    }

    private static bool RightWindowIsNotEmpty(ValueAndTimestamp<TAgg>? rightWinAgg, long ts) => rightWinAgg is { } r && r.Timestamp > ts;

    private void CreateCurrentRecordRightWindow(long ts, ValueAndTimestamp<TAgg> rightWinAgg, in Record<TKey, TValue> record)
    {
        var start = ts + 1;
        Store.Put(record.Key, rightWinAgg, start);
        if (!EmitOnClose && !Forwarder.IsCaching)
        {
            var key = new Windowed<TKey>(record.Key, new TimeWindow(start, start + _td));
            Forwarder.MaybeForward(Record<Windowed<TKey>, Change<TAgg>>.Create(key, new Change<TAgg>(rightWinAgg.Value is not null, rightWinAgg.Value, false, default!),
                rightWinAgg.Timestamp, record.RawHeaders));
        }
    }

    private void CreatePreviousRecordRightWindow(long windowStart, in Record<TKey, TValue> record, long closeTime)
        => UpdateWindowAndForward(windowStart, windowStart + _td, Initial(record.Timestamp), record, closeTime);

    /// <summary>A new window's starting aggregate: the initializer's value, or none for reduce.</summary>
    private ValueAndTimestamp<TAgg>? Initial(long timestamp) => initializer is null ? null : new ValueAndTimestamp<TAgg>(initializer(), timestamp);

    private void UpdateWindowAndForward(long windowStart, long windowEnd, ValueAndTimestamp<TAgg>? valueAndTime, in Record<TKey, TValue> record, long closeTime)
    {
        if (windowEnd < closeTime)
        {
            LogExpired(record, windowStart, windowEnd, closeTime);
            return;
        }
        var hasOld = valueAndTime is { } vt && vt.Value is not null;
        var oldAgg = hasOld ? valueAndTime!.Value.Value : default!;
        var newAgg = aggregator(record.Key, record.Value, hasOld, oldAgg);
        var newTimestamp = !hasOld ? record.Timestamp : Math.Max(record.Timestamp, valueAndTime!.Value.Timestamp);
        Store.Put(record.Key, new ValueAndTimestamp<TAgg>(newAgg, newTimestamp), windowStart);
        MaybeForwardUpdate(record, windowStart, windowEnd, hasOld, oldAgg, newAgg, newTimestamp);
    }

    // A sliding window [start, start + td] (inclusive end) is closed when its end is before close time.
    protected override long EmitUpperBound(long closeTime) => closeTime - _td - 1;
}

/// <summary>
/// Aggregates into session windows (Kafka's KStreamSessionWindowAggregate): a record merges with every session of
/// its key within the inactivity gap; merged-away sessions are removed (and deleted downstream). Records whose
/// merged session ended before stream time minus grace and gap are dropped.
/// </summary>
internal sealed class KStreamSessionWindowAggregate<TKey, TValue, TAgg>(WindowedAggregateSettings settings, SessionWindows windows,
    Func<TAgg>? initializer, WindowAggregator<TKey, TValue, TAgg> aggregator, Func<TKey, TAgg, TAgg, TAgg> sessionMerger)
    : DslProcessor<TKey, TValue, Windowed<TKey>, Change<TAgg>>
{
    private readonly TimeTracker _tracker = new();
    private readonly List<KeyValue<Windowed<TKey>, TAgg>> _merged = [];
    private ISessionStore<TKey, TAgg> _store = null!;
    private SessionTupleForwarder<TKey, TAgg> _forwarder = null!;
    private long _observedStreamTime = -1;
    private long _lastEmittedUpper = -1;

    private bool EmitOnClose => settings.Emit.Type == EmitStrategyType.OnWindowClose;

    public override void Init(IProcessorContext<Windowed<TKey>, Change<TAgg>> context)
    {
        base.Init(context);
        _store = context.GetStateStore<ISessionStore<TKey, TAgg>>(settings.Table.StoreName!);
        _forwarder = new SessionTupleForwarder<TKey, TAgg>(_store, Context, settings.Table.SendOldValues, useCache: !EmitOnClose);
        if (EmitOnClose)
        {
            _tracker.EmitIntervalMs = InternalConfig.GetLong(context.Config, InternalConfig.EmitIntervalWindowedAggregation, 1000);
        }
    }

    public override void Process(Record<TKey, TValue> record)
    {
        if (record.Key is null)
        {
            var rc = Context.Task.RecordContext;
            RuntimeLog.SkippingNullKeyOrValue(Context.Task.Logger, rc.Topic, rc.Partition, rc.Offset, Context.Task.CurrentNode?.Name ?? "");
            Dropped();
            return;
        }
        var ts = record.Timestamp;
        _observedStreamTime = Math.Max(_observedStreamTime, ts);
        var windowCloseTime = _observedStreamTime - windows.GracePeriodMs - windows.InactivityGap;
        MaybeForwardFinalResult(record, windowCloseTime);
        var merged = _merged;
        merged.Clear();
        long mergedStart = ts, mergedEnd = ts;
        // Reduce has no initializer: the first merged session (or the value) starts the aggregate.
        var hasAgg = initializer is not null;
        var agg = hasAgg ? initializer!() : default!;
        using (var it = _store.FindSessions(record.Key, ts - windows.InactivityGap, ts + windows.InactivityGap))
        {
            while (it.MoveNext())
            {
                var next = it.Current;
                merged.Add(next);
                agg = hasAgg ? sessionMerger(record.Key, agg, next.Value) : next.Value;
                hasAgg = true;
                mergedStart = Math.Min(mergedStart, next.Key.Window.Start);
                mergedEnd = Math.Max(mergedEnd, next.Key.Window.End);
            }
        }
        if (mergedEnd < windowCloseTime)
        {
            var rc = Context.Task.RecordContext;
            RuntimeLog.SkippingExpiredWindow(Context.Task.Logger, rc.Topic, rc.Partition, rc.Offset, ts, mergedStart, mergedEnd, windowCloseTime, _observedStreamTime,
                Context.Task.CurrentNode?.Name ?? "");
            Dropped();
        }
        else
        {
            if (mergedStart != ts || mergedEnd != ts)
            {
                foreach (var session in merged)
                {
                    _store.Remove(session.Key);
                    MaybeForwardUpdate(session.Key, true, session.Value, false, default!, record);
                }
            }
            agg = aggregator(record.Key, record.Value, hasAgg, agg);
            var sessionKey = new Windowed<TKey>(record.Key, new SessionWindow(mergedStart, mergedEnd));
            _store.Put(sessionKey, agg);
            MaybeForwardUpdate(sessionKey, false, default!, agg is not null, agg!, record);
        }
    }

    private void MaybeForwardUpdate(Windowed<TKey> key, bool hasOld, TAgg oldAgg, bool hasNew, TAgg newAgg, in Record<TKey, TValue> record)
    {
        if (EmitOnClose)
        {
            return;
        }
        // The forwarded timestamp is the session's end.
        _forwarder.MaybeForward(Record<Windowed<TKey>, Change<TAgg>>.Create(key, new Change<TAgg>(hasNew, newAgg, hasOld && settings.Table.SendOldValues, oldAgg),
            key.Window.End, record.RawHeaders));
    }

    /// <summary>
    /// Emits sessions that ended before close time (session ends are inclusive), before the record updates the store;
    /// sessions the coming put would expire are emitted at once, even within the emit interval (see the time-window
    /// processors).
    /// </summary>
    private void MaybeForwardFinalResult(in Record<TKey, TValue> record, long windowCloseTime)
    {
        if (!EmitOnClose)
        {
            return;
        }
        var expiry = settings.Retention == long.MaxValue ? long.MinValue : _observedStreamTime - settings.Retention;
        var upper = Math.Max(windowCloseTime - 1, expiry);
        if (expiry <= _lastEmittedUpper)
        {
            var now = Context.CurrentSystemTimeMs;
            if (now < _tracker.NextTimeToEmit)
            {
                return;
            }
            _tracker.NextTimeToEmit = now;
            _tracker.AdvanceNextTimeToEmit();
        }
        if (upper < 0 || upper <= _lastEmittedUpper)
        {
            return;
        }
        using (var it = _store.FindSessions(_lastEmittedUpper + 1, upper))
        {
            foreach (var kv in it)
            {
                _forwarder.MaybeForward(Record<Windowed<TKey>, Change<TAgg>>.Create(kv.Key, new Change<TAgg>(true, kv.Value, false, default!), kv.Key.Window.End, record.RawHeaders));
            }
        }
        _lastEmittedUpper = upper;
    }
}

/// <summary>Forwards session updates: directly, or from the session cache's flush, always with the session end as timestamp (Kafka's SessionCacheFlushListener).</summary>
internal sealed class SessionTupleForwarder<TKey, TAgg>
{
    private readonly NodeContext<Windowed<TKey>, Change<TAgg>> _context;
    private readonly bool _sendOldValues;

    public SessionTupleForwarder(IStateStore store, NodeContext<Windowed<TKey>, Change<TAgg>> context, bool sendOldValues, bool useCache = true)
    {
        _context = context;
        _sendOldValues = sendOldValues;
        IsCaching = useCache && store is ICachedStore<Windowed<TKey>, TAgg> cached && cached.SetFlushListener(OnFlush, sendOldValues);
    }

    public bool IsCaching { get; }

    private void OnFlush(Windowed<TKey> key, bool hasNew, TAgg newValue, bool hasOld, TAgg oldValue, ProcessorRecordContext rc)
    {
        var ts = key.Window.End;
        var change = new Change<TAgg>(hasNew, newValue, hasOld && _sendOldValues, oldValue);
        _context.ForwardFromCacheFlush(Record<Windowed<TKey>, Change<TAgg>>.Create(key, change, ts, rc.Headers), rc with { Timestamp = ts });
    }

    public void MaybeForward(Record<Windowed<TKey>, Change<TAgg>> record)
    {
        if (!IsCaching)
        {
            _context.Forward(_sendOldValues ? record : record.WithValue(record.Value.WithoutOld()));
        }
    }
}

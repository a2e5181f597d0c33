using Eddy.Streams.Errors;
using Eddy.Streams.Internal.Runtime;
using Eddy.Streams.Internal.State;
using Eddy.Streams.Processors;
using Eddy.Streams.State;

namespace Eddy.Streams.Internal.Dsl;

/// <summary>
/// What a KTable-producing operator decides after the DSL is built: whether it keeps a store (and its name) and
/// whether it sends old values downstream (needed by re-keying aggregations and joins).
/// </summary>
internal class TableProcessorSettings
{
    public string? StoreName { get; set; }

    public string? QueryableName { get; set; }

    public bool SendOldValues { get; set; }

    public TableProcessorSettings? Parent { get; set; }

    public List<TableProcessorSettings> Parents { get; } = [];

    public TableKind Kind { get; set; }

    /// <summary>For windowed aggregations: how long after a window's end it closes (grace, plus the gap for sessions).</summary>
    public long? WindowGrace { get; set; }

    public bool Materialized => QueryableName is not null;

    /// <summary>Makes the table's store queryable (a table source read through a value getter must be materialized).</summary>
    public void Materialize() => QueryableName ??= StoreName;

    /// <summary>Kafka's enableSendingOldValues(forceMaterialization), per processor kind.</summary>
    public bool EnableSendingOldValues(bool forceMaterialization)
    {
        switch (Kind)
        {
            case TableKind.Source:
                if (QueryableName is null)
                {
                    if (!forceMaterialization)
                    {
                        return false;
                    }
                    QueryableName = StoreName;
                }
                SendOldValues = true;
                return true;
            case TableKind.Derived:
                if (QueryableName is not null)
                {
                    SendOldValues = true;
                    return true;
                }
                if (Parent!.EnableSendingOldValues(forceMaterialization))
                {
                    SendOldValues = true;
                }
                return SendOldValues;
            case TableKind.PassThrough:
                foreach (var p in Parents)
                {
                    p.EnableSendingOldValues(forceMaterialization);
                }
                SendOldValues = true;
                return true;
            case TableKind.Join:
                // Table-table joins require their inputs materialized and sending old values (Kafka's KTableKTableJoinMerger).
                foreach (var p in Parents)
                {
                    p.EnableSendingOldValues(true);
                }
                SendOldValues = true;
                return true;
            case TableKind.Suppress:
                SendOldValues = Parent!.EnableSendingOldValues(forceMaterialization);
                return SendOldValues;
            default:
                SendOldValues = true;
                return true;
        }
    }
}

internal enum TableKind
{
    Source,
    Derived,
    Aggregate,
    PassThrough,
    Join,
    Suppress,
}

/// <summary>
/// Forwards table updates: at once without a cache, or from the cache's flush (deduplicated per key) with one
/// (Kafka's TimestampedTupleForwarder and TimestampedCacheFlushListener).
/// </summary>
internal sealed class TimestampedTupleForwarder<TKey, TValue>
{
    private readonly NodeContext<TKey, Change<TValue>> _context;
    private readonly bool _sendOldValues;
    private readonly bool _cachingEnabled;

    public TimestampedTupleForwarder(IStateStore store, NodeContext<TKey, Change<TValue>> context, bool sendOldValues, bool useCache = true)
    {
        _context = context;
        _sendOldValues = sendOldValues;
        _cachingEnabled = useCache && store is ICachedStore<TKey, ValueAndTimestamp<TValue>> cached && cached.SetFlushListener(OnFlush, sendOldValues);
    }

    /// <summary>True when updates are forwarded from the cache's flush rather than at once.</summary>
    public bool IsCaching => _cachingEnabled;

    private void OnFlush(TKey key, bool hasNew, ValueAndTimestamp<TValue> newValue, bool hasOld, ValueAndTimestamp<TValue> oldValue, ProcessorRecordContext rc)
    {
        var ts = hasNew ? newValue.Timestamp : rc.Timestamp;
        var change = new Change<TValue>(hasNew, newValue.Value, hasOld && _sendOldValues, oldValue.Value);
        _context.ForwardFromCacheFlush(Record<TKey, Change<TValue>>.Create(key, change, ts, rc.Headers), rc with { Timestamp = ts });
    }

    public void MaybeForward(Record<TKey, Change<TValue>> record)
    {
        if (!_cachingEnabled)
        {
            _context.Forward(_sendOldValues ? record : record.WithValue(record.Value.WithoutOld()));
        }
    }
}

/// <summary>Turns a stream of upserts into table updates, storing them when the table is materialized (Kafka's KTableSource).</summary>
internal sealed class KTableSource<TKey, TValue>(TableProcessorSettings settings) : DslProcessor<TKey, TValue, TKey, Change<TValue>>
{
    private ITimestampedKeyValueStore<TKey, TValue>? _store;
    private TimestampedTupleForwarder<TKey, TValue>? _forwarder;

    public override void Init(IProcessorContext<TKey, Change<TValue>> context)
    {
        base.Init(context);
        if (settings.QueryableName is not null)
        {
            _store = context.GetStateStore<ITimestampedKeyValueStore<TKey, TValue>>(settings.QueryableName);
            _forwarder = new TimestampedTupleForwarder<TKey, TValue>(_store, Context, settings.SendOldValues);
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
        if (_store is null)
        {
            Context.Forward(record.WithValue(Change<TValue>.Of(record.Value, default)));
            return;
        }
        var hasOld = _store.TryGet(record.Key, out var old);
        if (hasOld && record.Timestamp < old.Timestamp)
        {
            var rc = Context.Task.RecordContext;
            RuntimeLog.OutOfOrderTableUpdate(Context.Task.Logger, _store.Name, old.Timestamp, record.Timestamp, rc.Topic, rc.Partition, rc.Offset);
        }
        var hasNew = record.Value is not null;
        if (hasNew)
        {
            _store.Put(record.Key, new ValueAndTimestamp<TValue>(record.Value, record.Timestamp));
        }
        else
        {
            _store.Delete(record.Key);
        }
        _forwarder!.MaybeForward(record.WithValue(new Change<TValue>(hasNew, record.Value, hasOld, old.Value)));
    }
}

/// <summary>
/// A table fed by upserts that arrive as changes (only the new value counts; none means delete), stored when
/// materialized: the result node of a foreign-key join (Kafka uses a KTableSource there, fed by nullable values).
/// </summary>
internal sealed class KTableChangeSource<TKey, TValue>(TableProcessorSettings settings) : DslProcessor<TKey, Change<TValue>, TKey, Change<TValue>>
{
    private ITimestampedKeyValueStore<TKey, TValue>? _store;
    private TimestampedTupleForwarder<TKey, TValue>? _forwarder;

    public override void Init(IProcessorContext<TKey, Change<TValue>> context)
    {
        base.Init(context);
        if (settings.QueryableName is not null)
        {
            _store = context.GetStateStore<ITimestampedKeyValueStore<TKey, TValue>>(settings.QueryableName);
            _forwarder = new TimestampedTupleForwarder<TKey, TValue>(_store, Context, settings.SendOldValues);
        }
    }

    public override void Process(Record<TKey, Change<TValue>> record)
    {
        if (record.Key is null)
        {
            Dropped();
            return;
        }
        var hasNew = record.Value.HasNew;
        if (_store is null)
        {
            Context.Forward(record.WithValue(record.Value.WithoutOld()));
            return;
        }
        var hasOld = _store.TryGet(record.Key, out var old);
        if (hasNew)
        {
            _store.Put(record.Key, new ValueAndTimestamp<TValue>(record.Value.NewValue, record.Timestamp));
        }
        else
        {
            _store.Delete(record.Key);
        }
        _forwarder!.MaybeForward(record.WithValue(new Change<TValue>(hasNew, record.Value.NewValue, hasOld, old.Value)));
    }
}

/// <summary>Filters a table: rows that fail the predicate become deletions downstream (Kafka's KTableFilter).</summary>
internal sealed class KTableFilter<TKey, TValue>(TableProcessorSettings settings, Func<TKey, TValue, bool> predicate, bool filterNot)
    : DslProcessor<TKey, Change<TValue>, TKey, Change<TValue>>
{
    private ITimestampedKeyValueStore<TKey, TValue>? _store;
    private TimestampedTupleForwarder<TKey, TValue>? _forwarder;

    public override void Init(IProcessorContext<TKey, Change<TValue>> context)
    {
        base.Init(context);
        if (settings.QueryableName is not null)
        {
            _store = context.GetStateStore<ITimestampedKeyValueStore<TKey, TValue>>(settings.QueryableName);
            _forwarder = new TimestampedTupleForwarder<TKey, TValue>(_store, Context, settings.SendOldValues);
        }
    }

    private bool Keep(TKey key, bool has, TValue value) => has && (filterNot ^ predicate(key, value));

    public override void Process(Record<TKey, Change<TValue>> record)
    {
        var key = record.Key;
        var change = record.Value;
        var hasNew = Keep(key, change.HasNew, change.NewValue);
        bool hasOld;
        TValue oldValue;
        if (!settings.SendOldValues)
        {
            hasOld = false;
            oldValue = default!;
        }
        else if (_store is not null)
        {
            hasOld = _store.TryGet(key, out var o);
            oldValue = o.Value;
        }
        else
        {
            hasOld = Keep(key, change.HasOld, change.OldValue);
            oldValue = change.OldValue;
        }
        if (settings.SendOldValues && !hasOld && !hasNew)
        {
            return;
        }
        var output = new Change<TValue>(hasNew, change.NewValue, hasOld, oldValue);
        if (_store is not null)
        {
            if (hasNew)
            {
                _store.Put(key, new ValueAndTimestamp<TValue>(change.NewValue, record.Timestamp));
            }
            else
            {
                _store.Delete(key);
            }
            _forwarder!.MaybeForward(record.WithValue(output));
        }
        else
        {
            Context.Forward(record.WithValue(output));
        }
    }
}

/// <summary>Maps a table's values (Kafka's KTableMapValues).</summary>
internal sealed class KTableMapValues<TKey, TValue, TValueOut>(TableProcessorSettings settings, Func<TKey, TValue, TValueOut> mapper)
    : DslProcessor<TKey, Change<TValue>, TKey, Change<TValueOut>>
{
    private ITimestampedKeyValueStore<TKey, TValueOut>? _store;
    private TimestampedTupleForwarder<TKey, TValueOut>? _forwarder;

    public override void Init(IProcessorContext<TKey, Change<TValueOut>> context)
    {
        base.Init(context);
        if (settings.QueryableName is not null)
        {
            _store = context.GetStateStore<ITimestampedKeyValueStore<TKey, TValueOut>>(settings.QueryableName);
            _forwarder = new TimestampedTupleForwarder<TKey, TValueOut>(_store, Context, settings.SendOldValues);
        }
    }

    public override void Process(Record<TKey, Change<TValue>> record)
    {
        var key = record.Key;
        var change = record.Value;
        var newValue = change.HasNew ? mapper(key, change.NewValue) : default!;
        var hasNew = change.HasNew;
        bool hasOld;
        TValueOut oldValue;
        if (!settings.SendOldValues)
        {
            hasOld = false;
            oldValue = default!;
        }
        else if (_store is not null)
        {
            hasOld = _store.TryGet(key, out var o);
            oldValue = o.Value;
        }
        else
        {
            hasOld = change.HasOld;
            oldValue = hasOld ? mapper(key, change.OldValue) : default!;
        }
        var output = new Change<TValueOut>(hasNew, newValue, hasOld, oldValue);
        if (_store is not null)
        {
            if (hasNew && newValue is not null)
            {
                _store.Put(key, new ValueAndTimestamp<TValueOut>(newValue, record.Timestamp));
            }
            else
            {
                _store.Delete(key);
            }
            _forwarder!.MaybeForward(record.WithValue(output));
        }
        else
        {
            Context.Forward(record.WithValue(output));
        }
    }
}

/// <summary>
/// Re-keys table updates for a grouped aggregation: the old row's pair goes out to be subtracted and the new row's
/// to be added; with an unchanged key both travel in one record (Kafka's KTableRepartitionMap, KIP-904).
/// </summary>
internal sealed class KTableRepartitionMap<TKey, TValue, TKeyOut, TValueOut>(Func<TKey, TValue, KeyValue<TKeyOut, TValueOut>> selector)
    : DslProcessor<TKey, Change<TValue>, TKeyOut, Change<TValueOut>>
{
    public override void Process(Record<TKey, Change<TValue>> record)
    {
        if (record.Key is null)
        {
            throw new StreamsException("Record key for the grouping KTable should not be null.");
        }
        var change = record.Value;
        KeyValue<TKeyOut, TValueOut> newPair = default, oldPair = default;
        var newOk = false;
        var oldOk = false;
        if (change.HasNew)
        {
            newPair = selector(record.Key, change.NewValue);
            newOk = newPair.Key is not null && newPair.Value is not null;
        }
        if (change.HasOld)
        {
            oldPair = selector(record.Key, change.OldValue);
            oldOk = oldPair.Key is not null && oldPair.Value is not null;
        }
        if (oldOk && newOk && EqualityComparer<TKeyOut>.Default.Equals(oldPair.Key, newPair.Key))
        {
            Context.Forward(record.WithKey(oldPair.Key).WithValue(new Change<TValueOut>(true, newPair.Value, true, oldPair.Value)));
            return;
        }
        // The subtraction goes first, so that an aggregate never counts a row twice.
        if (oldOk)
        {
            Context.Forward(record.WithKey(oldPair.Key).WithValue(new Change<TValueOut>(false, default!, true, oldPair.Value)));
        }
        if (newOk)
        {
            Context.Forward(record.WithKey(newPair.Key).WithValue(new Change<TValueOut>(true, newPair.Value, false, default!)));
        }
    }
}

/// <summary>Aggregates a stream per key into a timestamped store (Kafka's KStreamAggregate).</summary>
internal sealed class KStreamAggregate<TKey, TValue, TAgg>(TableProcessorSettings settings, Func<TAgg> initializer, Func<TKey, TValue, TAgg, TAgg> aggregator)
    : DslProcessor<TKey, TValue, TKey, Change<TAgg>>
{
    private ITimestampedKeyValueStore<TKey, TAgg> _store = null!;
    private TimestampedTupleForwarder<TKey, TAgg> _forwarder = null!;

    public override void Init(IProcessorContext<TKey, Change<TAgg>> context)
    {
        base.Init(context);
        _store = context.GetStateStore<ITimestampedKeyValueStore<TKey, TAgg>>(settings.StoreName!);
        _forwarder = new TimestampedTupleForwarder<TKey, TAgg>(_store, Context, settings.SendOldValues);
    }

    public override void Process(Record<TKey, TValue> record)
    {
        if (record.Key is null || record.Value is null)
        {
            var rc = Context.Task.RecordContext;
            RuntimeLog.SkippingNullKeyOrValue(Context.Task.Logger, rc.Topic, rc.Partition, rc.Offset, Context.Task.CurrentNode?.Name ?? "");
            Dropped();
            return;
        }
        TAgg oldAgg;
        long newTimestamp;
        var hadOld = _store.TryGet(record.Key, out var old);
        if (!hadOld)
        {
            oldAgg = initializer();
            newTimestamp = record.Timestamp;
        }
        else
        {
            oldAgg = old.Value;
            newTimestamp = Math.Max(record.Timestamp, old.Timestamp);
        }
        var newAgg = aggregator(record.Key, record.Value, oldAgg);
        _store.Put(record.Key, new ValueAndTimestamp<TAgg>(newAgg, newTimestamp));
        _forwarder.MaybeForward(Record<TKey, Change<TAgg>>.Create(record.Key, new Change<TAgg>(newAgg is not null, newAgg, hadOld && settings.SendOldValues, oldAgg), newTimestamp, record.RawHeaders));
    }
}

/// <summary>Reduces a stream per key (Kafka's KStreamReduce): the first value is the initial aggregate.</summary>
internal sealed class KStreamReduce<TKey, TValue>(TableProcessorSettings settings, Func<TValue, TValue, TValue> reducer)
    : DslProcessor<TKey, TValue, TKey, Change<TValue>>
{
    private ITimestampedKeyValueStore<TKey, TValue> _store = null!;
    private TimestampedTupleForwarder<TKey, TValue> _forwarder = null!;

    public override void Init(IProcessorContext<TKey, Change<TValue>> context)
    {
        base.Init(context);
        _store = context.GetStateStore<ITimestampedKeyValueStore<TKey, TValue>>(settings.StoreName!);
        _forwarder = new TimestampedTupleForwarder<TKey, TValue>(_store, Context, settings.SendOldValues);
    }

    public override void Process(Record<TKey, TValue> record)
    {
        if (record.Key is null || record.Value is null)
        {
            var rc = Context.Task.RecordContext;
            RuntimeLog.SkippingNullKeyOrValue(Context.Task.Logger, rc.Topic, rc.Partition, rc.Offset, Context.Task.CurrentNode?.Name ?? "");
            Dropped();
            return;
        }
        var hadOld = _store.TryGet(record.Key, out var old);
        TValue newAgg;
        long newTimestamp;
        if (!hadOld)
        {
            newAgg = record.Value;
            newTimestamp = record.Timestamp;
        }
        else
        {
            newAgg = reducer(old.Value, record.Value);
            newTimestamp = Math.Max(record.Timestamp, old.Timestamp);
        }
        _store.Put(record.Key, new ValueAndTimestamp<TValue>(newAgg, newTimestamp));
        _forwarder.MaybeForward(Record<TKey, Change<TValue>>.Create(record.Key, new Change<TValue>(newAgg is not null, newAgg, hadOld && settings.SendOldValues, old.Value), newTimestamp, record.RawHeaders));
    }
}

/// <summary>Aggregates re-keyed table updates with an adder and a subtractor (Kafka's KTableAggregate).</summary>
internal sealed class KTableAggregate<TKey, TValue, TAgg>(TableProcessorSettings settings, Func<TAgg> initializer,
    Func<TKey, TValue, TAgg, TAgg> adder, Func<TKey, TValue, TAgg, TAgg> subtractor)
    : DslProcessor<TKey, Change<TValue>, TKey, Change<TAgg>>
{
    private ITimestampedKeyValueStore<TKey, TAgg> _store = null!;
    private TimestampedTupleForwarder<TKey, TAgg> _forwarder = null!;

    public override void Init(IProcessorContext<TKey, Change<TAgg>> context)
    {
        base.Init(context);
        _store = context.GetStateStore<ITimestampedKeyValueStore<TKey, TAgg>>(settings.StoreName!);
        _forwarder = new TimestampedTupleForwarder<TKey, TAgg>(_store, Context, settings.SendOldValues);
    }

    public override void Process(Record<TKey, Change<TValue>> record)
    {
        if (record.Key is null)
        {
            throw new StreamsException("Record key for KTable aggregate operator with state " + settings.StoreName + " should not be null.");
        }
        var hadOld = _store.TryGet(record.Key, out var old);
        var hasAgg = hadOld;
        var agg = old.Value;
        var newTimestamp = record.Timestamp;
        var change = record.Value;
        // First remove the old value, then add the new one.
        if (change.HasOld && hadOld)
        {
            agg = subtractor(record.Key, change.OldValue, agg);
            hasAgg = agg is not null;
            newTimestamp = Math.Max(record.Timestamp, old.Timestamp);
        }
        if (change.HasNew)
        {
            var initialized = hasAgg ? agg : initializer();
            agg = adder(record.Key, change.NewValue, initialized);
            hasAgg = agg is not null;
            if (hadOld)
            {
                newTimestamp = Math.Max(record.Timestamp, old.Timestamp);
            }
        }
        if (hasAgg)
        {
            _store.Put(record.Key, new ValueAndTimestamp<TAgg>(agg, newTimestamp));
        }
        else
        {
            _store.Delete(record.Key);
        }
        _forwarder.MaybeForward(Record<TKey, Change<TAgg>>.Create(record.Key, new Change<TAgg>(hasAgg, agg, hadOld && settings.SendOldValues, old.Value), newTimestamp, record.RawHeaders));
    }
}

/// <summary>Reduces re-keyed table updates with an adder and a subtractor (Kafka's KTableReduce).</summary>
internal sealed class KTableReduce<TKey, TValue>(TableProcessorSettings settings, Func<TValue, TValue, TValue> adder, Func<TValue, TValue, TValue> subtractor)
    : DslProcessor<TKey, Change<TValue>, TKey, Change<TValue>>
{
    private ITimestampedKeyValueStore<TKey, TValue> _store = null!;
    private TimestampedTupleForwarder<TKey, TValue> _forwarder = null!;

    public override void Init(IProcessorContext<TKey, Change<TValue>> context)
    {
        base.Init(context);
        _store = context.GetStateStore<ITimestampedKeyValueStore<TKey, TValue>>(settings.StoreName!);
        _forwarder = new TimestampedTupleForwarder<TKey, TValue>(_store, Context, settings.SendOldValues);
    }

    public override void Process(Record<TKey, Change<TValue>> record)
    {
        if (record.Key is null)
        {
            throw new StreamsException("Record key for KTable reduce operator with state " + settings.StoreName + " should not be null.");
        }
        var hadOld = _store.TryGet(record.Key, out var old);
        var hasAgg = hadOld;
        var agg = old.Value;
        var newTimestamp = record.Timestamp;
        var change = record.Value;
        if (change.HasOld && hadOld)
        {
            agg = subtractor(agg, change.OldValue);
            hasAgg = agg is not null;
            newTimestamp = Math.Max(record.Timestamp, old.Timestamp);
        }
        if (change.HasNew)
        {
            if (!hasAgg)
            {
                agg = change.NewValue;
            }
            else
            {
                agg = adder(agg, change.NewValue);
                newTimestamp = Math.Max(record.Timestamp, old.Timestamp);
            }
            hasAgg = agg is not null;
        }
        if (hasAgg)
        {
            _store.Put(record.Key, new ValueAndTimestamp<TValue>(agg, newTimestamp));
        }
        else
        {
            _store.Delete(record.Key);
        }
        _forwarder.MaybeForward(Record<TKey, Change<TValue>>.Create(record.Key, new Change<TValue>(hasAgg, agg, hadOld && settings.SendOldValues, old.Value), newTimestamp, record.RawHeaders));
    }
}

/// <summary>Passes table updates through (the merge node of a co-grouped aggregation).</summary>
internal sealed class KTablePassThrough<TKey, TValue> : DslProcessor<TKey, Change<TValue>, TKey, Change<TValue>>
{
    public override void Process(Record<TKey, Change<TValue>> record) => Context.Forward(record);
}
